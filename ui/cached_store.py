"""Queries on a large precomputed store (``EXPLORER_STORE`` above
:data:`ui.store_access.LARGE_DOCS` documents), cached per server process.

Nothing here loads the corpus's text: metadata, per-document scores and the
store's aggregates only. A query over the whole corpus reads a precomputed
aggregate (``agg_*`` tables); over a filtered part it is computed from the
per-document tables of those documents (see :class:`analysis.engine.store.StoredAnalysis`).
Cache keys are the store's path and the filter (:func:`ui.data.filter_key`, a short
tuple), never the list of documents it keeps, so a rerun costs a dictionary look-up.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.corpus.labels import doc_labels
from analysis.corpus.model import display_author

from . import data, store_access
from .state import View

CACHE = dict(max_entries=64, ttl=3600)
META_COLUMNS = ("doc_id", "title", "author", "source", "type", "date", "n_words", "n_sentences")


@st.cache_resource(show_spinner="Reading the documents' metadata…", max_entries=4)
def metadata(path: str) -> pd.DataFrame:
    """Every document's metadata (no text): the columns of :data:`META_COLUMNS` it has and the
    store's group columns."""
    store = store_access.cached_store(path)
    docs = store.docs(text=False)
    cols = dict.fromkeys([c for c in META_COLUMNS if c in docs.columns] + [c for c in store.group_columns
                                                                            if c in docs.columns])
    return docs[list(cols)].reset_index(drop=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def names(path: str) -> dict[str, str]:
    """doc_id -> the document's name (:func:`analysis.corpus.labels.doc_labels`) over the whole
    store, so that a document keeps its name whatever the filters keep (a running number counted
    within the kept documents would change with them)."""
    return doc_labels(metadata(path))


@st.cache_resource(show_spinner=False, **CACHE)
def kept(path: str, key: tuple, _view: View) -> tuple[pd.DataFrame, tuple | None]:
    """The metadata of the documents the filters keep (``key``: :func:`ui.data.filter_key`), and
    their doc_ids - None when they keep every document (then whole-corpus aggregates are read)."""
    meta = metadata(path)
    mask = data.filter_mask(meta, _view)
    if bool(mask.all()):
        return meta, None
    part = meta[mask.to_numpy()].reset_index(drop=True)
    return part, tuple(part["doc_id"].astype(str))


def single_value_filter(key: tuple) -> tuple[str, str] | None:
    """``(column, value)`` when the filter (a :func:`ui.data.filter_key`) keeps one value of one of the
    store's filter columns and nothing else, else None."""
    authors, sources, types, docs, year_from, year_to = key
    chosen = [(c, v) for c, v in (("author", authors), ("source", sources), ("type", types)) if v]
    if len(chosen) != 1 or len(chosen[0][1]) != 1 or docs or year_from is not None or year_to is not None:
        return None
    return chosen[0][0], str(chosen[0][1][0])


@st.cache_resource(show_spinner="Summing up tone per group…", **CACHE)
def group_tone(path: str, key: tuple, by: str, measure: str, _ids: tuple | None) -> pd.DataFrame:
    """Mean document score per group with its 95% interval (``group, n_docs, n_sentences, mean, lo, hi,
    interval_basis``), highest first. The whole corpus and a filter on one value of author, source
    or type read precomputed tables; other filters compute it for the documents kept."""
    store = store_access.cached_store(path)
    out = None
    single = single_value_filter(key) if _ids is not None else None
    if single is not None:
        out = store.group_sentiment_within(by, measure, *single)
        if out is not None and int(out["n_docs"].sum()) != len(_ids):
            out = None  # the stored cells read the value differently (e.g. spaces): compute instead
    if out is None:
        out = store.group_sentiment(by, measure, doc_ids=None if _ids is None else list(_ids))
    return out.sort_values("mean", ascending=False, kind="stable").reset_index(drop=True)


@st.cache_resource(show_spinner=False, **CACHE)
def store_methods(path: str) -> list[str]:
    """The sentiment methods (``textblob``, ``vader``, ``classifier``) whose document scores the store's
    group aggregates hold, in that order."""
    held = set(store_access.cached_store(path).table("agg_group_sentiment")["measure"].astype(str))
    wanted = {"textblob": "polarity", "vader": "vader_mean", "classifier": "classifier_mean"}
    return [m for m, col in wanted.items() if col in held]


@st.cache_resource(show_spinner="Counting terms per group…", **CACHE)
def group_terms(path: str, key: tuple, by: str, n: int, _ids: tuple | None) -> pd.DataFrame:
    """The ``n`` most frequent words per group (``group, rank, term, count, rate_per_10k, doc_freq, n_docs``)."""
    return store_access.cached_store(path).top_terms(by, n=n, doc_ids=None if _ids is None else list(_ids))


@st.cache_resource(show_spinner="Summing up topic shares per group…", **CACHE)
def group_topics(path: str, key: tuple, by: str, _ids: tuple | None) -> pd.DataFrame:
    """Mean topic share per group (``group, topic, share, n_docs``)."""
    return store_access.cached_store(path).topic_shares(by, doc_ids=None if _ids is None else list(_ids))


@st.cache_resource(show_spinner=False, max_entries=4)
def topic_names(path: str) -> dict[int, str]:
    """A name per topic number: its number (from 1) and its three top words."""
    terms = store_access.cached_store(path).topics().get("terms")
    if terms is None or terms.empty:
        return {}
    top = terms.sort_values(["topic", "rank"]).groupby("topic")["term"].apply(lambda t: ", ".join(t.head(3)))
    return {int(t): f"{int(t) + 1} · {words}" for t, words in top.items()}


@st.cache_resource(show_spinner="Reading the documents' scores…", **CACHE)
def doc_table(path: str, key: tuple, _kept: pd.DataFrame, _ids: tuple | None) -> pd.DataFrame:
    """Metadata and scores of the kept documents (``_kept``: their metadata, from :func:`kept`;
    ``doc_id, title, author, …, polarity, subjectivity, vader_mean`` and, when the store has them,
    ``vader_doc, classifier_mean``; an empty author shows as
    "Unknown author"), most positive first, each named first in words (``document``: its title,
    else author · type · date, the same whatever the filters: :func:`names`)."""
    store = store_access.cached_store(path)
    scores = store.doc_scores(doc_ids=None if _ids is None else list(_ids))
    keep = scores[[c for c in ("doc_id", "polarity", "subjectivity", "vader_mean", "vader_doc", "classifier_mean")
                   if c in scores.columns]]
    out = _kept.merge(keep, on="doc_id", how="inner")
    out.insert(0, "document", out["doc_id"].astype(str).map(names(path)))
    if "author" in out:
        authors = out["author"].fillna("").astype(str)
        shown = {a: display_author(a) for a in authors.unique()}
        out["author"] = authors.map(shown)
    return out.sort_values("polarity", ascending=False, kind="stable").reset_index(drop=True)


@st.cache_resource(show_spinner=False, **CACHE)
def sentences(path: str, doc_id: str) -> pd.DataFrame:
    """One document's sentences with their scores (``sent, text, polarity, subjectivity, vader`` and
    ``classifier`` when the store has it)."""
    s = store_access.cached_store(path).sentences(doc_ids=[doc_id])
    return s[[c for c in ("sent", "text", "polarity", "subjectivity", "vader", "classifier")
              if c in s.columns]].reset_index(drop=True)
