"""Cached sentiment (tone) results for the Overview, Sentiment and Reader pages.

How the caching works (see docs/PAGE_GUIDE.md):

- Every sentence of the WHOLE session corpus is scored once with both methods
  (:func:`analysis.methods.sentiment.score_corpus`), keyed by ``corpus_key()`` +
  ``view.clean``. That is the slow step (10-20 s for the 1.8M-word State of
  the Union corpus); it shows a spinner with a plain message and is never
  repeated on a rerun or for another visitor with the same corpus.
- With "leave tracked phrases' words out of scoring" on, the key also holds
  the tracked phrases, and only the documents in which a phrase occurs are
  scored again (their text masked); every other document keeps its scores.
  The result is the same as scoring the whole corpus with the phrases masked.
- Per-document 95% intervals (bootstrap over each document's sentences) are
  computed once per measure on the whole corpus, since they do not depend on
  the filters; group tables are computed on the filtered documents (cheap:
  the only per-sentence bootstraps they need are the per-document ones).
- Results for the filtered documents are cut out of the whole-corpus tables
  and cached by the tuple of kept doc_ids.

Returned frames are shared between sessions and reruns: copy before changing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.methods import sentiment as sa
from analysis.corpus.prepare import Prepared

from . import cached_terms as ct
from . import background, data, store_access
from .colors import OTHERS, group_colour_map, lump
from .corpus_cache import per_corpus
from .data import CACHE
from .state import View

#: Document-level measures: column of the document table -> what it is, in words.
MEASURES = {
    "polarity": "TextBlob polarity, whole text",
    "polarity_mean": "TextBlob polarity, mean of sentences",
    "subjectivity": "TextBlob subjectivity, whole text",
    "subjectivity_mean": "TextBlob subjectivity, mean of sentences",
    "vader_mean": "VADER compound, mean of sentences",
    "vader_doc": "VADER compound, whole text",
    "classifier_mean": "classifier, mean of sentences",
}
#: The sentence column behind each document measure.
SENTENCE_COL = sa.MEASURE_TO_SENTENCE
N_BOOT = 2000
MIN_EXTREME_WORDS = 4

SPINNER = ("Scoring the tone of every sentence with TextBlob and VADER… On a large corpus this takes up to "
           "half a minute, once: afterwards every page (and every visitor with the same texts) reuses the scores.")


# --------------------------------------------------------------------------- scope and keys

def excluded(view: View) -> tuple[str, ...]:
    """The phrases left out of scoring: the tracked phrases when the toggle is on, else ()."""
    if not view.exclude_phrase_words:
        return ()
    return tuple(sorted(ct.check_phrases(view.phrases)[0], key=str.lower))


def _scope(view: View) -> tuple[str, Prepared, Prepared, tuple | None]:
    whole = data.prepared(view)
    sub = data.filtered(view)
    ids = data.kept_ids(view)
    return data.corpus_key(), whole, sub, ids


def _keep(frame: pd.DataFrame, ids: tuple | None, col: str = "doc_id") -> pd.DataFrame:
    if ids is None:
        return frame
    return frame[frame[col].astype(str).isin(set(ids))].reset_index(drop=True)


def document_measure(view: View, basis: str = "whole") -> str:
    """The document score a view shows: VADER's or the classifier's sentence mean, or TextBlob
    polarity over the whole text (``basis="whole"``) or as the word-weighted mean of its sentences
    (``"sentences"``)."""
    if view.method == "vader":
        return "vader_mean"
    if view.method == "classifier":
        return "classifier_mean"
    return "polarity" if basis == "whole" else "polarity_mean"


# --------------------------------------------------------------------------- scoring

def merge_rescored(base: sa.SentimentTables, part: sa.SentimentTables, doc_ids) -> sa.SentimentTables:
    """``base`` (the whole corpus, nothing masked) with the documents ``doc_ids`` replaced
    by their rows in ``part`` (those documents scored again with phrases masked).

    ``part`` must have been scored on the sentences of ``doc_ids`` in the order they
    have in ``base``. Returns new tables (``base`` is left unchanged).
    """
    keep = set(map(str, doc_ids))
    sents = base.sentences.copy()
    mask = sents["doc_id"].astype(str).isin(keep).to_numpy()
    for c in ("polarity", "subjectivity", "vader", "classifier", "n_words", "masked"):
        sents.loc[mask, c] = part.sentences[c].to_numpy()
    docs = base.documents.set_index("doc_id")
    new = part.documents.set_index("doc_id")
    docs = docs.copy()
    docs.loc[new.index, new.columns] = new
    docs = docs.reset_index()[base.documents.columns]
    for c in ("n_sentences", "n_words", "n_masked", "n_both_neutral", "n_polar"):
        docs[c] = docs[c].astype(int)
    return sa.SentimentTables(sentences=sents, paragraphs=sa.paragraph_scores(sents), documents=docs,
                              exclude_phrases=part.exclude_phrases, method=base.method)


def _with_position(tables: sa.SentimentTables) -> sa.SentimentTables:
    s = tables.sentences
    s["position"] = s.groupby("doc_id", sort=False).cumcount() + 1
    return tables


@per_corpus(show_spinner=SPINNER, **CACHE)
def _base(key: str, clean: bool, _prep: Prepared) -> sa.SentimentTables:
    stored = store_access.stored_sentiment(key, clean)  # persisted by `build`, when a store holds it
    if stored is not None:
        return _with_position(stored)
    # a large corpus is scored by a background process; until then the page says so (ui.waiting)
    return _with_position(background.compute(("tone", key, clean), key, "the tone of every sentence",
                                             background.words_in(_prep.docs), sa.score_corpus, _prep.docs,
                                             _prep.sentences))

@per_corpus(show_spinner="Scoring again the texts that contain the tracked phrases, without the phrases' "
                                "words…", **CACHE)
def _masked(key: str, clean: bool, excl: tuple, hit_docs: tuple, _prep: Prepared,
            _base_tables: sa.SentimentTables) -> sa.SentimentTables:
    if not hit_docs:
        b = _base_tables
        return sa.SentimentTables(b.sentences, b.paragraphs, b.documents, excl, b.method)
    keep = set(hit_docs)
    docs = _prep.docs[_prep.docs["doc_id"].astype(str).isin(keep)]
    sents = _prep.sentences[_prep.sentences["doc_id"].astype(str).isin(keep)]
    part = background.compute(("tone-masked", key, clean, excl, hit_docs), key,
                              "the tone of the texts with the tracked phrases left out", background.words_in(docs),
                              sa.score_corpus, docs, sents, list(excl))
    return _with_position(merge_rescored(_base_tables, part, hit_docs))


def _hit_docs(view: View, excl: tuple) -> data.DocIds:
    """The documents of the whole corpus in which one of the phrases ``excl`` occurs."""
    hits = ct.phrase_hits(view, list(excl), whole_corpus=True)
    return data.DocIds(sorted(set(hits["doc_id"].astype(str))))


def tables(view: View) -> sa.SentimentTables:
    """Sentence, paragraph and document scores of the WHOLE session corpus (see
    :class:`analysis.methods.sentiment.SentimentTables`; sentences also have ``position``,
    1 = the document's first sentence), tracked phrases masked when the view says so."""
    key, whole = data.corpus_key(), data.prepared(view)
    base = _base(key, view.clean, whole)
    excl = excluded(view)
    if not excl:
        return base
    return _masked(key, view.clean, excl, _hit_docs(view, excl), whole, base)


@per_corpus(show_spinner=False, **CACHE)
def _sub(key: str, clean: bool, excl: tuple, what: str, ids: tuple | None, _frame: pd.DataFrame) -> pd.DataFrame:
    return _keep(_frame, ids)


def sentences(view: View) -> pd.DataFrame:
    """Scored sentences of the filtered documents: ``doc_id, para, sent, start, end, text,
    polarity, subjectivity, vader, n_words, masked, position``."""
    key, _w, _s, ids = _scope(view)
    return _sub(key, view.clean, excluded(view), "sentences", ids, tables(view).sentences)


def doc_scores(view: View) -> pd.DataFrame:
    """Document scores of the filtered documents (columns of
    :func:`analysis.methods.sentiment.document_scores`)."""
    key, _w, _s, ids = _scope(view)
    return _sub(key, view.clean, excluded(view), "documents", ids, tables(view).documents)


def doc_sentences(view: View, doc_id: str) -> pd.DataFrame:
    """The scored sentences of one document (whole corpus, whatever the filters)."""
    s = tables(view).sentences
    return s[s["doc_id"].astype(str) == str(doc_id)].reset_index(drop=True)


# --------------------------------------------------------------------------- intervals and groups

def _intervals(tables: sa.SentimentTables, measure: str, doc_ids=None) -> pd.DataFrame:
    d = tables.documents
    sents = tables.sentences
    if doc_ids is not None:
        keep = set(doc_ids)
        d = d[d["doc_id"].astype(str).isin(keep)]
        sents = sents[sents["doc_id"].astype(str).isin(keep)]
    meta = pd.DataFrame({"doc_id": d["doc_id"].astype(str), "_doc": d["doc_id"].astype(str)})
    out = sa.group_scores(d, meta, "_doc", measure, n_boot=N_BOOT, sentences=sents)
    return out.rename(columns={"group": "doc_id"})


@per_corpus(show_spinner="Working out the uncertainty of each document's score (bootstrap)…", **CACHE)
def _doc_intervals(key: str, clean: bool, measure: str, _tables: sa.SentimentTables) -> pd.DataFrame:
    out = _intervals(_tables, measure)
    order = {d: i for i, d in enumerate(_tables.documents["doc_id"].astype(str))}
    return out.sort_values("doc_id", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


@per_corpus(show_spinner=False, **CACHE)
def _doc_intervals_masked(key: str, clean: bool, excl: tuple, measure: str, hit_docs: tuple,
                          _base: pd.DataFrame, _tables: sa.SentimentTables) -> pd.DataFrame:
    if not hit_docs:
        return _base
    part = _intervals(_tables, measure, hit_docs).set_index("doc_id")
    out = _base.set_index("doc_id").copy()
    out.loc[part.index, part.columns] = part
    return out.reset_index()


def doc_intervals(view: View, measure: str) -> pd.DataFrame:
    """Per filtered document: ``doc_id, n_docs (1), n_sentences, mean, lo, hi, interval_basis``.

    ``mean`` is the document's ``measure``; ``lo``/``hi`` the 95% percentile bootstrap
    interval over its sentences, as :func:`analysis.methods.sentiment.group_scores` computes it for
    a one-document group (NaN when it cannot: one sentence, or no scored word). Computed
    once per corpus and measure; with phrases left out of scoring, again only for the
    documents that use them."""
    key, whole, _s, ids = _scope(view)
    excl = excluded(view)
    full = _doc_intervals(key, view.clean, measure, _base(key, view.clean, whole))
    if excl:
        full = _doc_intervals_masked(key, view.clean, excl, measure, _hit_docs(view, excl), full, tables(view))
    return _sub(key, view.clean, excl, f"intervals:{measure}", ids, full)


def group_keys(docs: pd.DataFrame, by: str) -> pd.Series:
    """Each document's group value as :func:`analysis.methods.sentiment.group_scores` forms it
    (stripped text, "" when missing; years when ``by == "date"``)."""
    if by not in docs:
        return pd.Series([""] * len(docs), index=docs.index, dtype=object)
    if by == "date":
        return pd.Series(sa.date_bins(docs[by].tolist(), "year").to_numpy(), index=docs.index, dtype=object)
    return docs[by].astype(object).where(docs[by].notna(), "").astype(str).str.strip()


def group_label(by: str, value) -> str:
    """How a group value is shown ("Unknown author" for an empty author, "All others" for
    :data:`ui.colors.OTHERS`)."""
    return ct.group_label(by, value)


@per_corpus(show_spinner=False, **CACHE)
def _colours(key: str, clean: bool, by: str, _docs: pd.DataFrame) -> dict[str, str]:
    return group_colour_map(group_keys(_docs, by))


def colours(view: View, by: str | None = None) -> dict[str, str]:
    """A colour per group value of ``by`` (default the sidebar's group-by), fixed over the whole
    corpus: the largest groups a colour each, never repeated; the rest (and :data:`ui.colors.OTHERS`)
    the "all others" grey (:func:`ui.colors.group_colour_map`)."""
    by = by or view.group_by
    return _colours(data.corpus_key(), view.clean, by, data.prepared(view).docs)


@per_corpus(show_spinner=False, **CACHE)
def _groups(key: str, clean: bool, excl: tuple, ids: tuple | None, by: str, measure: str,
            _docs: pd.DataFrame, _scores: pd.DataFrame, _per_doc: pd.DataFrame, lumped: bool = False,
            _colours: dict | None = None) -> pd.DataFrame:
    values = group_keys(_docs, by)
    if lumped:  # the groups without a colour of their own pooled into one "all others" group
        values = values.map(lambda v: lump(v, _colours))
    meta = pd.DataFrame({"doc_id": _docs["doc_id"].astype(str), "_g": values.to_numpy()})
    out = sa.group_scores(_scores, meta, "_g", measure, n_boot=N_BOOT)
    scores = _scores.set_index(_scores["doc_id"].astype(str))
    meta["n_sentences"] = scores["n_sentences"].reindex(meta["doc_id"]).fillna(0).to_numpy()
    meta["value"] = scores[measure].reindex(meta["doc_id"]).to_numpy()
    out["n_sentences"] = out["group"].map(meta.groupby("_g")["n_sentences"].sum()).fillna(0).astype(int)
    per_doc = _per_doc.set_index("doc_id")
    for i, g in out["group"].items():
        if out.at[i, "interval_basis"] != "none":
            continue
        valid = meta[(meta["_g"] == g) & meta["value"].notna()]["doc_id"]
        if len(valid) == 1 and valid.iloc[0] in per_doc.index:
            row = per_doc.loc[valid.iloc[0]]
            out.loc[i, ["lo", "hi", "interval_basis"]] = [row["lo"], row["hi"], row["interval_basis"]]
    out["label"] = [group_label(by, g) for g in out["group"]]
    return out[["group", "label", "n_docs", "n_sentences", "mean", "lo", "hi", "interval_basis"]]


def group_table(view: View, by: str, measure: str) -> pd.DataFrame:
    """Tone per group of the filtered documents: ``group, label, n_docs, n_sentences, mean,
    lo, hi, interval_basis``. ``mean``: unweighted mean of the group's document scores;
    interval: 95% bootstrap over its documents, or over the sentences of a one-document
    group (``interval_basis`` says which). See :func:`analysis.methods.sentiment.group_scores`."""
    key, _w, sub, ids = _scope(view)
    return _groups(key, view.clean, excluded(view), ids, by, measure, sub.docs, doc_scores(view),
                   doc_intervals(view, measure))


def top_group_table(view: View, by: str, measure: str) -> pd.DataFrame:
    """Like :func:`group_table`, but only the groups that have a colour of their own (the
    largest, :func:`colours`) plus one row ``group ==`` :data:`ui.colors.OTHERS` pooling every
    other document (``label`` "All others (N)", N groups; absent when there are none)."""
    key, _w, sub, ids = _scope(view)
    cols = colours(view, by)
    out = _groups(key, view.clean, excluded(view), ids, by, measure, sub.docs, doc_scores(view),
                  doc_intervals(view, measure), True, cols).copy()
    present = set(group_keys(sub.docs, by))
    n_other = sum(1 for g in present if lump(g, cols) == OTHERS)
    out.loc[out["group"] == OTHERS, "label"] = f"All others ({n_other:,} {plural(by)})"
    return out


def plural(by: str) -> str:
    """A group-by column's name in the plural, for "All others (125 authors)"."""
    name = by.replace("_", " ")
    return {"date": "years", "doc_id": "documents", "party": "parties", "category": "categories"}.get(
        name, name if name.endswith("s") else name + "s")


# --------------------------------------------------------------------------- evidence

def evidence_text(chunks: list[dict], limit: int = 8) -> str:
    """Evidence chunks as one line: ``bitter (-0.10), angry (-0.50)``."""
    parts = [f"{c['words']} ({c['polarity']:+.2f})" for c in chunks if c["polarity"] != 0]
    more = len(parts) - limit
    return ", ".join(parts[:limit]) + (f" … and {more} more" if more > 0 else "")


def classifier_evidence(view: View, text: str) -> pd.DataFrame:
    """The classifier's evidence for one sentence (``feature, kind, value, weight, contribution,
    start, end``, largest push first), tracked phrases masked when the view says so."""
    rows = sa.classifier_evidence(str(text), list(excluded(view)))
    return pd.DataFrame(rows, columns=["feature", "kind", "value", "weight", "contribution", "start", "end"])


def sentence_evidence(view: View, text: str) -> pd.DataFrame:
    """TextBlob's evidence for one sentence (``words, polarity, subjectivity, label, start, end``),
    tracked phrases masked when the view says so."""
    rows = sa.sentence_evidence(str(text), list(excluded(view)))
    return pd.DataFrame(rows, columns=["words", "polarity", "subjectivity", "label", "start", "end"])


@per_corpus(show_spinner=False, **CACHE)
def _evidence(key: str, clean: bool, excl: tuple, doc_id: str, _sents: pd.DataFrame) -> pd.DataFrame:
    return sa.document_evidence(_sents, doc_id, exclude_phrases=list(excl))


def doc_evidence(view: View, doc_id: str) -> pd.DataFrame:
    """Every scored chunk of every sentence of one document (offsets into its text)."""
    return _evidence(data.corpus_key(), view.clean, excluded(view), str(doc_id), doc_sentences(view, doc_id))


@per_corpus(show_spinner=False, **CACHE)
def _extremes(key: str, clean: bool, excl: tuple, ids: tuple | None, col: str, n: int,
              _sents: pd.DataFrame) -> pd.DataFrame:
    s = _sents[_sents["n_words"] >= MIN_EXTREME_WORDS]
    top = s.nlargest(n, col, keep="first").assign(side="most positive")
    bottom = s.nsmallest(n, col, keep="first").assign(side="most negative")
    top = top[top[col] > 0]
    bottom = bottom[bottom[col] < 0]
    out = pd.concat([top, bottom], ignore_index=True)
    out["evidence"] = [evidence_text(sa.sentence_evidence(str(t), list(excl))) for t in out["text"]]
    return out


def extremes(view: View, col: str, n: int = 5) -> pd.DataFrame:
    """The ``n`` most positive and ``n`` most negative sentences (by sentence column ``col``:
    ``polarity`` or ``vader``) of the filtered documents, sentences of at least
    :data:`MIN_EXTREME_WORDS` words, with TextBlob's ``evidence`` words as text."""
    key, _w, _s, ids = _scope(view)
    return _extremes(key, view.clean, excluded(view), ids, col, int(n), sentences(view))


@per_corpus(show_spinner=False, **CACHE)
def _sample(key: str, clean: bool, excl: tuple, ids: tuple | None, n: int, _sents: pd.DataFrame) -> pd.DataFrame:
    s = _sents[_sents["n_words"] > 0]
    if len(s) <= n:
        return s
    rows = np.sort(np.random.default_rng(0).choice(len(s), size=n, replace=False))
    return s.iloc[rows]


def sentence_sample(view: View, n: int = 3000) -> pd.DataFrame:
    """At most ``n`` scored sentences of the filtered documents (a fixed random sample when
    there are more), for scatter plots."""
    key, _w, _s, ids = _scope(view)
    return _sample(key, view.clean, excluded(view), ids, int(n), sentences(view))
