"""Topic clusters for the pages: fitted once per corpus, cached, then filtered.

Any page that shows topics (the Topics page, the Overview's topic shares)
calls :func:`session_topics`. It fits :class:`analysis.methods.topics.TopicModel` on
the WHOLE session corpus, never on the filtered part, so that the topics stay
put while the visitor plays with the sidebar filters; pages then keep the rows
of the filtered documents (:func:`filtered_doc_shares`, :func:`heatmap_rows`,
:func:`map_points`, :func:`typical_passages`).

Fits are cached process-wide (``st.cache_resource``) keyed by the corpus's
content hash + cleaning on/off + k + units; the cached objects are shared
between sessions and must not be mutated. Everything a rerun needs that costs
more than a few milliseconds (document shares, map coordinates, excerpts,
topic names) is computed inside the cached fit, so moving a slider never
refits.

Topic numbers are the engine's (0 = the most prominent topic). Pages show
them from 1 (:func:`topic_name`), named by their distinctive terms
(:func:`analysis.methods.topics.distinctive_terms`), as ``"1 · brexit, vote, leave"``.

The words left out of the topics can be edited on the Topics page
(:func:`stopword_edits`, kept in the session); every page that shows topics
uses the same edits, and they are part of the cache key.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from analysis.engine.analyse import n_topic_units, topic_params

from analysis.methods import topic_readings as readings
from analysis.methods import topics as tp
from analysis.corpus.model import display_author
from analysis.corpus.prepare import Prepared

from . import background, data
from .colors import colour_map
from .corpus_cache import per_corpus
from .state import View

UNITS = ("auto", "documents", "paragraphs", "sentences")
#: Session-state keys of the Topics page's stopword edits (comma-separated words).
STOP_ADD, STOP_REMOVE = "w_topic_stop_add", "w_topic_stop_remove"
MAX_K = 30  # View.k's bounds are 2..30
NAME_TERMS = 3
NAME_LAMBDA = 0.6
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class _Fit:
    """One fitted model and the views derived from it (cached; read-only)."""

    model: tp.TopicModel | None
    error: str = ""
    names: dict = field(default_factory=dict)  # topic -> "1 · a, b, c"
    doc_shares: pd.DataFrame | None = None  # wide: index doc_id (whole corpus), columns topic numbers
    units: pd.DataFrame | None = None  # per unit: unit, doc_id, topic, weight, x, y, excerpt, text


def topic_name(topic: int, terms: list[str]) -> str:
    """The name shown for a topic: its number from 1 and its leading terms."""
    return f"{int(topic) + 1} · " + ", ".join(terms)


def words(text) -> tuple[str, ...]:
    """Comma- or line-separated words as a sorted tuple without repeats (a cache key)."""
    return tuple(sorted({w.strip().lower() for w in str(text or "").replace("\n", ",").split(",") if w.strip()}))


def stopword_edits() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The session's edits to the topic stopwords: ``(add, remove)``."""
    return words(st.session_state.get(STOP_ADD, "")), words(st.session_state.get(STOP_REMOVE, ""))


def stopwords_in_use(add=(), remove=()) -> frozenset:
    """The default topic stopwords with the edits applied."""
    return tp.stopword_set(add, remove)


def _derive(model: tp.TopicModel) -> _Fit:
    distinctive = tp.distinctive_terms(model, n=NAME_TERMS, lam=NAME_LAMBDA)
    names = {t: topic_name(t, distinctive.get(t, [])) for t in range(model.k_)}
    shares = tp.document_topics(model, wide=True)
    tab = model.unit_table_.reset_index(drop=True)
    S = model.unit_shares_
    scored = S.sum(axis=1) > 0
    units = tab[["unit", "doc_id", "para", "sent", "start", "end", "n_words"]].copy()
    units["topic"] = np.where(scored, S.argmax(axis=1), -1).astype(int)
    units["weight"] = np.where(scored, S.max(axis=1), 0.0)
    units["x"] = np.nan
    units["y"] = np.nan
    coords = tp.topic_map(model, label_chars=1)
    pos = units.reset_index().set_index("unit")["index"]
    idx = pos.reindex(coords["unit"]).to_numpy()
    units.loc[idx, "x"] = coords["x"].to_numpy()
    units.loc[idx, "y"] = coords["y"].to_numpy()
    units["excerpt"] = [_excerpt(t) for t in tab["text"]]
    units["text"] = tab["text"].to_numpy()
    return _Fit(model, "", names, shares, units)


def _excerpt(text, limit: int = EXCERPT_CHARS) -> str:
    s = " ".join(str(text)[: limit * 2].split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _compute(key: str, clean: bool, k: int | None, units: str, stop: tuple, prep: Prepared) -> _Fit:
    try:
        settings = topic_params(n_topic_units(prep, units))  # the same as `build` and the benchmark
        stopwords = stopwords_in_use(*stop) if any(stop) else None
        model = tp.TopicModel(k=k, units=units, stopwords=stopwords, **settings)
        # a large corpus is fitted by a background process; until then the page says so (ui.waiting)
        model = background.compute(("topics", key, clean, k, units, stop), key,
                                   "the topics" if k is None else f"the {k} topics you asked for",
                                   background.words_in(prep.docs), model.fit, prep, priority=1)
    except ValueError as err:  # too little text: said in words by SessionTopics.error
        return _Fit(None, str(err))
    return _derive(model)


@per_corpus(show_spinner="Finding topics: trying each number of topics and testing how stable it "
                                "is. On a large corpus this takes a minute or two; the result is then kept.",
                   **data.CACHE)
def _fit_auto(key: str, clean: bool, units: str, stop: tuple, _prep: Prepared) -> _Fit:
    return _compute(key, clean, None, units, stop, _prep)


@per_corpus(show_spinner="Finding the topics for the number you chose…", **data.CACHE)
def _fit_k(key: str, clean: bool, k: int, units: str, stop: tuple, _prep: Prepared) -> _Fit:
    return _compute(key, clean, k, units, stop, _prep)


@dataclass(frozen=True)
class SessionTopics:
    """The topics of the session corpus, for the view's k and the given units.

    - ``model``: the fitted :class:`analysis.methods.topics.TopicModel` in use (at
      ``view.k``, or the automatic k when ``view.k`` is None), or None when
      the corpus has too little text (``error`` says why, in words).
    - ``auto``: the model with the automatically chosen k (same units); its
      ``k_scores_`` is the per-k stability curve. Same object as ``model``
      when k is automatic.
    - ``names``: topic number -> display name ("1 · brexit, vote, leave").
    - ``doc_shares``: wide DataFrame, index ``doc_id`` (WHOLE corpus), one
      column per topic number, each row the document's topic shares summing to
      1 (0 for a document without any topic word). Filter it yourself, or use
      :func:`filtered_doc_shares`.
    - ``units``: one row per text unit (``unit, doc_id, topic`` (dominant, -1
      if none), ``weight`` (its share), ``x, y`` (2-D map), ``excerpt``,
      ``text``...).
    - ``note``: a plain message when ``view.k`` could not be used.
    - ``fit_key``: what identifies the fit besides the corpus (k, units,
      stopword edits), for caches of derived views.
    """

    model: tp.TopicModel | None
    auto: tp.TopicModel | None
    error: str
    names: dict
    doc_shares: pd.DataFrame | None
    units: pd.DataFrame | None
    note: str = ""
    fit_key: tuple = ()

    @property
    def colours(self) -> dict[int, str]:
        """A colour per topic number (the same on every page)."""
        return dict(zip(self.names, colour_map(self.names[t] for t in self.names).values()))

    @property
    def k_max(self) -> int:
        """The largest number of topics this corpus allows (capped at 30)."""
        return max_k(self.auto)


def max_k(model: tp.TopicModel | None) -> int:
    """The largest k a user may ask for: fewer topics than fitting units and terms, at most 30."""
    if model is None:
        return 2
    n_units = getattr(model, "n_fit_units_", int(model.unit_table_["fitted"].sum()))
    return int(max(2, min(MAX_K, n_units - 1, len(model.vocabulary_) - 1)))


def session_topics(view: View, units: str = "auto") -> SessionTopics:
    """Topics of the whole session corpus at ``view.k`` (None = automatic), cached.

    ``units``: "auto" (the engine's rule: paragraphs below 30 documents,
    sentences when there are also few paragraphs, else documents),
    "documents", "paragraphs" or "sentences". Shows a spinner while fitting.
    This is the function the Overview page uses for topic shares.
    """
    if units not in UNITS:
        units = "auto"
    key, prep = data.corpus_key(), data.prepared(view)
    stop = stopword_edits()
    auto = _fit_auto(key, view.clean, units, stop, prep)
    if auto.model is None:
        return SessionTopics(None, None, _plain_error(auto.error), {}, None, None)
    fit, note = auto, ""
    k = view.k
    if k is not None and k != auto.model.k_:
        if 2 <= k <= max_k(auto.model):
            fit = _fit_k(key, view.clean, int(k), units, stop, prep)
            if fit.model is None:
                fit, note = auto, f"{k} topics could not be fitted ({fit.error}); showing the automatic choice."
        else:
            note = (f"This corpus allows at most {max_k(auto.model)} topics, so {k} cannot be used; "
                    "showing the automatic choice.")
    return SessionTopics(fit.model, auto.model, "", fit.names, fit.doc_shares, fit.units, note,
                         (fit.model.k_ if fit is not auto else None, units, stop))


def _plain_error(err: str) -> str:
    return ("There is too little text to find topics (at least a few paragraphs or documents with "
            f"several words each are needed). Details: {err}")


@per_corpus(show_spinner=False, **data.CACHE)
def _terms(key: str, clean: bool, fit_key: tuple, lam: float, n: int, _model: tp.TopicModel) -> pd.DataFrame:
    return tp.top_terms(_model, n=n, lam=lam)


def relevant_terms(view: View, topics: SessionTopics, units: str, lam: float, n: int = 15) -> pd.DataFrame:
    """:func:`analysis.methods.topics.top_terms` of the model in use at relevance ``lam`` (cached)."""
    return _terms(data.corpus_key(), view.clean, topics.fit_key, round(float(lam), 3), n, topics.model)


@per_corpus(show_spinner=False, **data.CACHE)
def _typical(key: str, clean: bool, fit_key: tuple, topic: int, ids_key: str, n: int, _ids: list,
             _model: tp.TopicModel) -> pd.DataFrame:
    return tp.typical_passages(_model, n=n, topics=[topic], doc_ids=_ids)


def typical_passages(view: View, topics: SessionTopics, doc_ids, topic: int, n: int = 3) -> pd.DataFrame:
    """:func:`analysis.methods.topics.typical_passages` of one topic among the
    filtered documents ``doc_ids`` (cached): a few sentences each, one per document."""
    ids = sorted(map(str, doc_ids))
    ids_key = hashlib.sha1("\n".join(ids).encode()).hexdigest()
    return _typical(data.corpus_key(), view.clean, topics.fit_key, int(topic), ids_key, n, ids, topics.model)


# ------------------------------------------------------------------ filtered views (cheap)

def filtered_doc_shares(view: View, units: str = "auto") -> pd.DataFrame:
    """Topic shares of the documents the sidebar filters keep, long form:
    ``doc_id, topic (number), topic_name, share`` (0..1; a document's shares
    sum to 1). Empty when topics cannot be found."""
    t = session_topics(view, units)
    cols = ["doc_id", "topic", "topic_name", "share"]
    if t.model is None:
        return pd.DataFrame(columns=cols)
    ids = data.filtered(view).docs["doc_id"].astype(str)
    wide = t.doc_shares.reindex(ids).fillna(0.0)
    long = wide.reset_index().melt(id_vars="doc_id", var_name="topic", value_name="share")
    long["topic"] = long["topic"].astype(int)
    long["topic_name"] = long["topic"].map(t.names)
    return long[cols]


def topic_overview(t: SessionTopics, doc_ids, terms: pd.DataFrame, n_terms: int = 10) -> pd.DataFrame:
    """One row per topic for the filtered documents: ``topic`` (name), ``terms``
    (the ``n_terms`` most relevant, from a :func:`relevant_terms` table),
    ``share`` (mean share of the documents, in %), ``passages`` (units whose
    main topic it is) and ``reading`` (what the share means, in one sentence:
    :func:`analysis.methods.topic_readings.describe_share`)."""
    ids = [str(d) for d in doc_ids]
    shares = t.doc_shares.reindex(ids).fillna(0.0)
    own = t.units.loc[t.units["doc_id"].isin(set(ids)), "topic"].value_counts()
    top = {k: ", ".join(g.sort_values("rank")["term"].head(n_terms)) for k, g in terms.groupby("topic")}
    mean = [float(shares[k].mean()) if len(shares) else 0.0 for k in range(t.model.k_)]
    return pd.DataFrame({
        "topic": [t.names[k] for k in range(t.model.k_)],
        "terms": [top.get(k, "") for k in range(t.model.k_)],
        "share": [round(100 * m, 1) for m in mean],
        "passages": [int(own.get(k, 0)) for k in range(t.model.k_)],
        "reading": [readings.describe_share(mean[k], int(own.get(k, 0)), len(ids), t.model.units_)
                    for k in range(t.model.k_)]})


def docs_in_group(docs: pd.DataFrame, column: str, value: str) -> list[str]:
    """doc_ids of ``docs`` whose ``column`` equals ``value`` (empty = missing)."""
    return docs.loc[docs[column].fillna("").astype(str) == str(value), "doc_id"].astype(str).tolist()


def group_label(column: str, value) -> str:
    """How a group value is shown: the value, or "Unknown <column>" when empty."""
    v = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if column == "author":
        return display_author(v)
    return v.strip() or f"Unknown {column}"


def heatmap_rows(t: SessionTopics, docs: pd.DataFrame, doc_labels: list[str], by: str | None):
    """Rows of the shares heatmap for the filtered ``docs``.

    ``by=None``: one row per document (labels ``doc_labels``), shares as
    :attr:`SessionTopics.doc_shares`. ``by=<column>``: one row per value of
    that column, the mean of its documents' shares (each document counts once;
    documents without any topic word left out, as
    :func:`analysis.methods.topics.group_topics` does). Returns ``(shares, labels,
    counts)``: wide DataFrame (index = doc_id or group value), display labels,
    documents per row.
    """
    ids = docs["doc_id"].astype(str).tolist()
    wide = t.doc_shares.reindex(ids).fillna(0.0)
    if by is None:
        return wide, list(doc_labels), [1] * len(ids)
    values = docs[by].fillna("").astype(str).to_numpy() if by in docs else np.array([""] * len(ids))
    scored = wide.sum(axis=1).to_numpy() > 0
    g = wide[scored].groupby(values[scored], sort=True)
    shares, sizes = g.mean(), g.size()
    order = sorted(shares.index, key=lambda v: (v.strip() == "", v.lower()))
    shares = shares.reindex(order)
    counts = [int(sizes[v]) for v in order]
    return shares, [group_label(by, v) for v in order], counts


def map_points(t: SessionTopics, doc_ids, doc_label: dict) -> pd.DataFrame:
    """Units of the filtered documents that have a map position, with ``doc`` (label)."""
    u = t.units
    keep = u["doc_id"].isin(set(map(str, doc_ids))) & u["x"].notna()
    p = u.loc[keep, ["unit", "doc_id", "x", "y", "topic", "weight", "excerpt"]].copy()
    p["doc"] = p["doc_id"].map(doc_label).fillna(p["doc_id"])
    return p


def units_in(t: SessionTopics, doc_ids=None, topic: int | None = None, limit: int = 200,
             max_chars: int | None = 600, unit_ids=None, min_share: float = 0.05) -> pd.DataFrame:
    """Drill-down: the units of ``doc_ids`` (or the units ``unit_ids``), at most ``limit``.

    Without ``topic``: each unit with its dominant topic and that topic's share
    of the unit, strongest first. With ``topic``: the units where that topic
    has at least ``min_share`` of the weight, with ``weight`` = its share,
    highest first. Columns ``doc_id, unit, topic, weight, n_words, text``
    (``text`` cut to ``max_chars``).
    """
    u = t.units
    sel = np.ones(len(u), dtype=bool)
    if doc_ids is not None:
        sel &= u["doc_id"].isin(set(map(str, doc_ids))).to_numpy()
    if unit_ids is not None:
        sel &= u["unit"].isin(set(map(str, unit_ids))).to_numpy()
    out = u.loc[sel, ["doc_id", "unit", "topic", "weight", "n_words", "text"]].copy()
    if topic is not None:
        out["topic"] = int(topic)
        out["weight"] = t.model.unit_shares_[sel, int(topic)]
        out = out[out["weight"] >= min_share]
    out = out.sort_values("weight", ascending=False, kind="stable").head(limit)
    out["text"] = [_cut(x, max_chars) for x in out["text"]]
    return out.reset_index(drop=True)


def _cut(text, max_chars: int | None) -> str:
    s = " ".join((str(text) if max_chars is None else str(text)[: max_chars * 2]).split())
    if max_chars is None or len(s) <= max_chars:
        return s
    return s[: max_chars - 1].rstrip() + "…"
