"""Per-document and per-group summary tables (what ``python -m analysis report`` prints).

A document row: ``doc_id, title, author, source, date`` (as given; ``""``
when unknown), ``n_words`` (word tokens of the cleaned text), ``n_sentences``,
``polarity`` and ``subjectivity`` (TextBlob over the whole cleaned text,
exactly ``TextBlob(text).sentiment``), ``polarity_mean``,
``subjectivity_mean``, ``vader_mean`` and ``classifier_mean`` (word-weighted
means of the sentences' TextBlob polarity, subjectivity, VADER compound and
trained-classifier score, 2 x P(positive) - 1; weight = the sentence's word
count; null for a document without words), ``vader_doc`` (VADER compound of
the whole cleaned text) and ``phrases``
(``{phrase: count}``). When the sentiment tables were scored with
``exclude_phrases`` (CLI ``--exclude-phrases``), every score above is of the
text with those phrases' characters replaced by spaces
(:func:`analysis.methods.sentiment.mask_phrases`); counts and ``n_words`` are not.

A group row (``--by COLUMN``): ``group``, ``n_docs``, ``n_words``, the mean
document polarity, subjectivity, ``vader_mean`` and ``classifier_mean`` with
95% bootstrap intervals (``*_lo``, ``*_hi``; see
:func:`analysis.methods.sentiment.group_scores`) and the pooled phrase counts and
rates per 10,000 words (``count / n_words * 10,000`` over the group's
documents). Every part of a row uses the same group label,
:func:`group_labels`: the stripped value of the column, ``""`` when unknown,
and for ``date`` the year (``"2016"`` for ``2016-06-24``).
"""

from __future__ import annotations

import pandas as pd

from analysis.methods.phrases import phrase_counts
from analysis.corpus.prepare import Prepared
from analysis.methods.sentiment import group_scores, score_corpus

DOC_FIELDS = ["doc_id", "title", "author", "source", "date", "n_words", "n_sentences"]
SCORE_FIELDS = ["polarity", "subjectivity", "polarity_mean", "subjectivity_mean", "vader_mean", "vader_doc",
                "classifier_mean"]
#: Group measures of a group row, each with ``_lo``/``_hi`` (95% bootstrap interval).
GROUP_MEASURES = ["polarity", "subjectivity", "vader_mean", "classifier_mean"]


def group_labels(docs: pd.DataFrame, by: str):
    """The group label of each document for metadata column ``by``, as every
    part of a group row uses it: :func:`analysis.engine.store.group_values` (stripped
    value, ``""`` when unknown; ``date`` binned by year)."""
    from analysis.engine.store import group_values

    return group_values(docs, by)


def grouped_docs(docs: pd.DataFrame, by: str) -> pd.DataFrame:
    """``docs`` with column ``by`` replaced by its group labels (:func:`group_labels`)."""
    return docs.assign(**{by: group_labels(docs, by)})


def document_report(prepared: Prepared, phrases=(), sentiment=None) -> pd.DataFrame:
    """One row per document (see the module docstring); ``sentiment`` may be a precomputed
    :class:`analysis.methods.sentiment.SentimentTables`."""
    tables = sentiment or score_corpus(prepared.docs, prepared.sentences)
    scores = tables.documents.set_index("doc_id")
    out = prepared.docs[DOC_FIELDS].copy()
    for col in SCORE_FIELDS:
        out[col] = out["doc_id"].map(scores[col])
    counts = phrase_counts(prepared.docs, list(phrases)) if phrases else None
    per_doc = {}
    if counts is not None:
        for doc_id, phrase, n in counts[["doc_id", "phrase", "count"]].itertuples(index=False):
            per_doc.setdefault(doc_id, {})[phrase] = int(n)
    normalised = _normalised_names(phrases)
    out["phrases"] = [{p: per_doc.get(d, {}).get(normalised[p], 0) for p in phrases} for d in out["doc_id"]]
    return out.reset_index(drop=True)


def group_report(prepared: Prepared, phrases=(), by: str = "author", sentiment=None) -> pd.DataFrame:
    """One row per value of metadata column ``by`` (see the module docstring)."""
    if by not in prepared.docs:
        raise KeyError(f"no metadata column {by!r}; columns: {', '.join(prepared.docs.columns)}")
    tables = sentiment or score_corpus(prepared.docs, prepared.sentences)
    docs = grouped_docs(prepared.docs, by)
    out = None
    for m in GROUP_MEASURES:
        g = group_scores(tables.documents, docs, by, m, sentences=tables.sentences)
        g = g.rename(columns={"mean": m, "lo": f"{m}_lo", "hi": f"{m}_hi"})
        out = g if out is None else out.merge(g[["group", m, f"{m}_lo", f"{m}_hi"]], on="group")
    words = docs.groupby(by)["n_words"].sum()
    out.insert(2, "n_words", out["group"].map(words).fillna(0).astype(int))
    if phrases:
        counts = phrase_counts(docs, list(phrases), by=by)
        normalised = _normalised_names(phrases)
        for p in phrases:
            rows = counts[counts["phrase"] == normalised[p]].set_index(by)
            out[f"count:{p}"] = out["group"].map(rows["count"]).fillna(0).astype(int)
            out[f"rate_per_10k:{p}"] = out["group"].map(rows["rate_per_10k"]).fillna(0.0)
    return out


def phrase_table(prepared: Prepared, phrases, by: str | None = None) -> pd.DataFrame:
    """Counts, rates per 10k words and hit positions per document (or per group ``by``,
    labelled as :func:`group_labels` says: ``date`` by year).

    Columns: ``doc_id`` (or ``group``), ``phrase``, ``count``, ``rate_per_10k``
    and ``positions``: ``[[start, end], ...]`` character offsets per document,
    or ``[[doc_id, start, end], ...]`` per group.
    """
    if by is not None and by not in prepared.docs:
        raise KeyError(f"no metadata column {by!r}; columns: {', '.join(prepared.docs.columns)}")
    docs = prepared.docs if by is None else grouped_docs(prepared.docs, by)
    counts = phrase_counts(docs, list(phrases), by=by)
    key = "doc_id" if by is None else by
    out = counts[[key, "phrase", "count", "rate_per_10k", "positions"]]
    if by is not None:
        out = out.rename(columns={by: "group"})
    out = out.copy()
    out["positions"] = out["positions"].map(lambda ps: [list(p) for p in ps])
    return out.reset_index(drop=True)


def _normalised_names(phrases) -> dict[str, str]:
    from analysis.methods.phrases import normalise_phrase

    return {p: normalise_phrase(p) for p in phrases}
