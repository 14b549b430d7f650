"""Sentiment: sentence, paragraph, document and group scores, with the evidence words.

Two lexicon methods, both scored per sentence (sentences as
:mod:`analysis.corpus.segment` splits them):

- **TextBlob** (default ``PatternAnalyzer``): ``polarity`` in [-1, 1] (negative
  to positive) and ``subjectivity`` in [0, 1] (factual to opinionated). Each is
  the plain mean over the sentiment-bearing words found in the text ("chunks":
  a lexicon word with any intensifier/negation before it, e.g. "not very
  good"); 0.0 and 0.0 when there are none. The values equal
  ``TextBlob(text).sentiment`` exactly.
- **VADER** (``vaderSentiment``, its own lexicon): ``vader`` is the compound
  score in [-1, 1]: rule-adjusted word valences summed and squashed by
  x / sqrt(x^2 + 15), rounded to 4 decimals; 0.0 when no lexicon word occurs.
  Conventionally >= 0.05 reads as positive, <= -0.05 as negative. Equal to
  ``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``.

``method="fast"`` (default) uses :mod:`analysis.methods.lexicons`, a
re-implementation that gives float-identical values (checked on 115,000
sentences and 4,289 documents of the shared corpora) about 14x (TextBlob) and
4-5x (VADER) faster per sentence, scores a document's whole text from its
sentences' tokens, and uses several processes on large corpora;
``method="reference"`` calls the libraries themselves (slow; used by the tests
to check the fast path).

Use :func:`score_corpus` for everything at once (fastest); the separate
functions :func:`score_sentences`, :func:`document_scores`,
:func:`paragraph_scores` give the same tables.

Aggregation (stated wherever a number is shown):

- sentence: the methods' own scores of the sentence text;
- paragraph: word-weighted mean of its sentences (weight = the sentence's word
  count, :func:`analysis.corpus.segment.count_words`);
- document: ``polarity``/``subjectivity`` = TextBlob over the whole cleaned
  text (what the CLI ``report`` prints); ``polarity_mean``,
  ``subjectivity_mean``, ``vader_mean`` = word-weighted means of its sentences.
  VADER is not applied to whole documents: its compound saturates near +-1 on
  long texts;
- group (author, party, date bin, ...): unweighted mean of its documents'
  scores with a 95% percentile bootstrap interval over documents (see
  :func:`group_scores`).

Tracked phrases can be left out of the scoring (``exclude_phrases``): the
characters of each occurrence are replaced by spaces before both methods score
the text, so "left behind" no longer makes a sentence negative through
"behind". Offsets are unchanged.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.corpus import segment
from analysis.methods import lexicons as fast

__all__ = [
    "METHODS",
    "COLUMN_NOTES",
    "SentimentTables",
    "score_corpus",
    "score_sentences",
    "document_scores",
    "paragraph_scores",
    "method_agreement",
    "sentence_evidence",
    "document_evidence",
    "group_scores",
    "date_bins",
    "phrase_spans",
    "mask_phrases",
    "textblob_scores",
    "vader_score",
    "validation_scores",
]

METHODS = ("fast", "reference")
SENTENCE_SCORE_COLUMNS = ["polarity", "subjectivity", "vader", "n_words", "masked"]
MEASURE_TO_SENTENCE = {
    "polarity": "polarity", "polarity_mean": "polarity",
    "subjectivity": "subjectivity", "subjectivity_mean": "subjectivity",
    "vader_mean": "vader", "vader": "vader",
}


# --------------------------------------------------------------------------------------
# Phrases left out of scoring
# --------------------------------------------------------------------------------------


def _phrase_list(phrases) -> list[str]:
    if phrases is None:
        return []
    if isinstance(phrases, str):
        return [phrases]
    return [str(p) for p in phrases]


def phrase_spans(texts: Sequence[str], phrases: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Character spans of every occurrence of ``phrases`` in each text.

    Phrases are matched exactly as the phrase tracker matches them
    (:func:`analysis.methods.phrases.find_phrases`: case-insensitive, hyphen/space and
    curly/straight apostrophes alike, on word boundaries, ``*`` = one word).
    Raises ``ValueError`` for a phrase with no words.
    """
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    phrases = [p for p in _phrase_list(phrases) if p.strip()]
    if not phrases or not len(texts):
        return out
    from analysis.methods.phrases import find_phrases

    frame = pd.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": list(texts)})
    hits = find_phrases(frame, phrases)
    for d, s, e in zip(hits["doc_id"].tolist(), hits["start"].tolist(), hits["end"].tolist()):
        out[int(d)].append((int(s), int(e)))
    return out


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts, pos = [], 0
    for s, e in sorted(spans):
        s = max(s, pos)
        if e <= s:
            continue
        parts.append(text[pos:s])
        parts.append(" " * (e - s))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def mask_phrases(text: str, phrases: Sequence[str]) -> str:
    """``text`` with every occurrence of ``phrases`` replaced by spaces (same length).

    This is what ``exclude_phrases`` does before scoring: "They have been left
    behind." with ``["left behind"]`` is scored as "They have been
    ." (TextBlob polarity 0 instead of -0.2, from "behind").
    """
    return _mask(text, phrase_spans([text], phrases)[0])


# --------------------------------------------------------------------------------------
# Single texts
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _reference_vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def textblob_scores(text: str, method: str = "fast") -> tuple[float, float]:
    """``(polarity, subjectivity)`` of ``text`` by TextBlob: equal to ``TextBlob(text).sentiment``.

    Polarity in [-1, 1], subjectivity in [0, 1]: plain means over the text's
    sentiment-bearing chunks (0.0, 0.0 when there are none).
    """
    _check_method(method)
    if method == "reference":
        from textblob import TextBlob

        s = TextBlob(text).sentiment
        return s.polarity, s.subjectivity
    return fast.textblob_sentiment(text)


def vader_score(text: str, method: str = "fast") -> float:
    """VADER compound score of ``text`` in [-1, 1], equal to ``polarity_scores(text)["compound"]``."""
    _check_method(method)
    if method == "reference":
        return _reference_vader().polarity_scores(text)["compound"]
    return fast.vader_compound(text)


def sentence_evidence(text: str, exclude_phrases: Sequence[str] = (), method: str = "fast") -> list[dict]:
    """The words that drove the TextBlob score of one sentence (or any text).

    One dict per scored chunk, in text order, in TextBlob's
    ``sentiment_assessments`` terms: ``words`` (the chunk's words as TextBlob
    sees them, lower-cased, e.g. "not very good"; "!" marks an exclamation
    that boosted it), ``polarity`` in [-1, 1] and ``subjectivity`` in [0, 1]
    of the chunk (after negation, which multiplies polarity by -0.5, and
    intensifiers), ``label`` ("mood" emoticon, "irony" for "(!)", "profanity",
    or None), and ``start``/``end``: character offsets of the chunk in
    ``text`` (None if it cannot be located). The sentence's polarity is the
    plain mean of the chunks' polarities (likewise subjectivity).
    With ``exclude_phrases`` the phrases' words are masked first, as in
    scoring. ``method="reference"`` takes the chunks from TextBlob itself
    (no offsets).
    """
    _check_method(method)
    masked = mask_phrases(text, _phrase_list(exclude_phrases)) if exclude_phrases else text
    if method == "reference":
        from textblob import TextBlob

        return [{"words": " ".join(w), "polarity": p, "subjectivity": s, "label": x,
                 "start": None, "end": None}
                for w, p, s, x in TextBlob(masked).sentiment_assessments.assessments]
    return fast.textblob_evidence(masked)


# --------------------------------------------------------------------------------------
# Sentences, paragraphs, documents
# --------------------------------------------------------------------------------------


COLUMN_NOTES = {
    "polarity": "TextBlob polarity, -1 (negative) to +1 (positive): mean over the sentiment words found "
                "(0 when none). Sentence: the sentence's text; document: the whole cleaned text.",
    "subjectivity": "TextBlob subjectivity, 0 (factual) to 1 (opinion): mean over the sentiment words found "
                    "(0 when none). Sentence: the sentence's text; document: the whole cleaned text.",
    "vader": "VADER compound score of the sentence, -1 to +1 (>= 0.05 positive, <= -0.05 negative by "
             "convention; 0 when no VADER word occurs).",
    "polarity_mean": "Word-weighted mean of the document's sentence polarities (weight = words per sentence).",
    "subjectivity_mean": "Word-weighted mean of the document's sentence subjectivities.",
    "vader_mean": "Word-weighted mean of the document's sentence VADER compound scores.",
    "paragraph": "Paragraph scores are word-weighted means of the paragraph's sentence scores.",
    "n_words": "Word tokens (the weight in word-weighted means).",
    "masked": "An excluded phrase occurred in the sentence; its words were blanked before scoring.",
    "n_masked": "Sentences of the document in which an excluded phrase was blanked before scoring.",
    "agreement_pearson": "Pearson correlation of sentence polarity and sentence VADER score in the document.",
    "agreement_spearman": "Spearman (rank) correlation of sentence polarity and sentence VADER score.",
    "agreement_sign": "Share of sentences both methods label alike (negative / neutral = exactly 0 / positive); "
                      "sentences neutral for both count as agreeing.",
    "agreement_sign_polar": "Share of same-sign sentences among those neither method scores 0.",
    "n_both_neutral": "Sentences both methods score exactly 0.",
    "n_polar": "Sentences both methods score non-zero.",
    "group": "Group mean = unweighted mean of its documents' scores; interval = 95% percentile bootstrap over "
             "documents (2000 resamples, fixed seed), over the sentences of a one-document group.",
}
"""What each column means, for tooltips and the Methods page."""


@dataclass
class SentimentTables:
    """All sentiment tables of a corpus (see :func:`score_corpus`); ``notes``
    says what each column means (:data:`COLUMN_NOTES`)."""

    sentences: pd.DataFrame
    paragraphs: pd.DataFrame
    documents: pd.DataFrame
    exclude_phrases: tuple[str, ...] = ()
    method: str = "fast"
    notes: dict = field(default_factory=lambda: dict(COLUMN_NOTES))


def score_sentences(sentences: pd.DataFrame, exclude_phrases: Sequence[str] = (), method: str = "fast",
                    n_jobs: int | None = None) -> pd.DataFrame:
    """Score every sentence with both methods.

    ``sentences`` needs a ``text`` column (normally the ``sentences`` table of
    :class:`analysis.corpus.prepare.Prepared`). Returns a copy with added columns:

    - ``polarity`` [-1, 1], ``subjectivity`` [0, 1]: TextBlob on the sentence;
    - ``vader`` [-1, 1]: VADER compound on the sentence;
    - ``n_words``: word count (:func:`analysis.corpus.segment.count_words`), the
      weight of the sentence in paragraph/document means;
    - ``masked``: True if a phrase of ``exclude_phrases`` occurred in it (its
      words were replaced by spaces before scoring).

    ``n_jobs``: worker processes for the fast method (None = automatic: only
    for large inputs; 1 = none). Repeated sentence texts are scored once.
    """
    _check_method(method)
    out = sentences.copy()
    texts = out["text"].fillna("").astype(str).tolist()
    spans = phrase_spans(texts, _phrase_list(exclude_phrases))
    flags = [bool(sp) for sp in spans]
    scored = [_mask(t, sp) for t, sp in zip(texts, spans)]
    if method == "fast":
        rows = fast.score_texts(scored, vader=True, n_jobs=n_jobs, word_pattern=segment.WORD_RE.pattern)
        pol = [r[0] for r in rows]
        subj = [r[1] for r in rows]
        vad = [r[2] for r in rows]
        nw = [r[3] for r in rows]
    else:
        tb = [textblob_scores(t, "reference") for t in scored]
        pol = [r[0] for r in tb]
        subj = [r[1] for r in tb]
        vad = [vader_score(t, "reference") for t in scored]
        nw = [segment.count_words(t) for t in texts]
    # Weights count the sentence's own words, masked or not.
    nw = [segment.count_words(t) if f else n for t, f, n in zip(texts, flags, nw)]
    out["polarity"] = np.asarray(pol, dtype=float)
    out["subjectivity"] = np.asarray(subj, dtype=float)
    out["vader"] = np.asarray(vad, dtype=float)
    out["n_words"] = np.asarray(nw, dtype=int)
    out["masked"] = np.asarray(flags, dtype=bool)
    return out


def _weighted_means(df: pd.DataFrame, keys: list[str], cols: Sequence[str]) -> pd.DataFrame:
    """Word-weighted means of ``cols`` per ``keys`` group (NaN where no words)."""
    w = df["n_words"].astype(float)
    tmp = df[keys].copy()
    tmp["_w"] = w
    for c in cols:
        tmp[c] = df[c].astype(float) * w
    g = tmp.groupby(keys, sort=False, dropna=False)
    sums = g.sum()
    res = pd.DataFrame(index=sums.index)
    for c in cols:
        res[c] = (sums[c] / sums["_w"]).where(sums["_w"] > 0)
    res["n_sentences"] = g.size()
    res["n_words"] = sums["_w"].astype(int)
    return res


def paragraph_scores(scored_sentences: pd.DataFrame) -> pd.DataFrame:
    """One row per paragraph: ``doc_id, para, polarity, subjectivity, vader, n_sentences, n_words``.

    Each score is the word-weighted mean of the paragraph's sentence scores
    (weights = sentence word counts), NaN for a paragraph without words.
    """
    res = _weighted_means(scored_sentences, ["doc_id", "para"], ["polarity", "subjectivity", "vader"])
    return res.reset_index()


def _within_doc_ranks(df: pd.DataFrame) -> pd.DataFrame:
    ranks = df[["doc_id"]].copy()
    g = df.groupby("doc_id", sort=False)
    ranks["x"] = g["polarity"].rank(method="average")
    ranks["y"] = g["vader"].rank(method="average")
    return ranks


def _group_pearson(df: pd.DataFrame, x: str, y: str) -> pd.Series:
    g = df.groupby("doc_id", sort=False)
    xc = df[x] - g[x].transform("mean")
    yc = df[y] - g[y].transform("mean")
    tmp = pd.DataFrame({"doc_id": df["doc_id"], "xy": xc * yc, "xx": xc * xc, "yy": yc * yc})
    s = tmp.groupby("doc_id", sort=False).sum()
    n = g.size()
    denom = np.sqrt(s["xx"] * s["yy"])
    r = (s["xy"] / denom).where((denom > 1e-12) & (n >= 3))
    return r.clip(-1.0, 1.0)


def method_agreement(scored_sentences: pd.DataFrame, neutral: float = 0.0) -> pd.DataFrame:
    """How far TextBlob polarity and VADER compound agree, per document, over its sentences.

    Columns:

    - ``agreement_pearson``, ``agreement_spearman``: correlation of sentence
      polarity and sentence VADER compound (Spearman = Pearson of within-document
      ranks, ties averaged); NaN with fewer than 3 sentences or when either
      score is constant;
    - ``agreement_sign``: share of sentences whose labels agree, a label being
      negative / neutral / positive and neutral meaning ``|score| <= neutral``
      (default 0: exactly zero, i.e. no sentiment word found or an exact
      balance). Sentences neutral by both methods COUNT as agreeing;
    - ``agreement_sign_polar``: share of same-sign sentences among those that
      neither method calls neutral (NaN when there are none);
    - ``n_both_neutral``: sentences neutral by both methods;
    - ``n_polar``: sentences non-neutral by both methods.
    """
    df = scored_sentences[["doc_id", "polarity", "vader"]].copy()
    df["doc_id"] = df["doc_id"].astype(str)
    a = np.where(df["polarity"] > neutral, 1, np.where(df["polarity"] < -neutral, -1, 0))
    b = np.where(df["vader"] > neutral, 1, np.where(df["vader"] < -neutral, -1, 0))
    df["same"] = a == b
    df["both_neutral"] = (a == 0) & (b == 0)
    df["polar"] = (a != 0) & (b != 0)
    df["polar_same"] = df["polar"] & df["same"]
    g = df.groupby("doc_id", sort=False)
    res = pd.DataFrame({
        "agreement_pearson": _group_pearson(df, "polarity", "vader"),
        "agreement_spearman": _group_pearson(_within_doc_ranks(df), "x", "y"),
        "agreement_sign": g["same"].mean(),
        "n_both_neutral": g["both_neutral"].sum().astype(int),
        "n_polar": g["polar"].sum().astype(int),
    })
    polar_same = g["polar_same"].sum()
    res["agreement_sign_polar"] = (polar_same / res["n_polar"]).where(res["n_polar"] > 0)
    res = res[["agreement_pearson", "agreement_spearman", "agreement_sign", "agreement_sign_polar",
               "n_both_neutral", "n_polar"]]
    return res.reset_index()


DOCUMENT_COLUMNS = ["doc_id", "polarity", "subjectivity", "polarity_mean", "subjectivity_mean",
                    "vader_mean", "n_sentences", "n_words", "n_masked", "agreement_pearson",
                    "agreement_spearman", "agreement_sign", "agreement_sign_polar", "n_both_neutral",
                    "n_polar"]


def _assemble_documents(doc_ids: list[str], whole: dict[str, tuple[float, float]],
                        scored_sentences: pd.DataFrame) -> pd.DataFrame:
    base = pd.DataFrame({"doc_id": doc_ids})
    base["polarity"] = [whole[d][0] for d in doc_ids]
    base["subjectivity"] = [whole[d][1] for d in doc_ids]
    s = scored_sentences.copy()
    s["doc_id"] = s["doc_id"].astype(str)
    means = _weighted_means(s, ["doc_id"], ["polarity", "subjectivity", "vader"]).rename(
        columns={"polarity": "polarity_mean", "subjectivity": "subjectivity_mean", "vader": "vader_mean"})
    means["n_masked"] = s.groupby("doc_id", sort=False)["masked"].sum().astype(int) if "masked" in s else 0
    agree = method_agreement(s).set_index("doc_id")
    out = base.join(means, on="doc_id").join(agree, on="doc_id")
    for c in ("n_sentences", "n_words", "n_masked", "n_both_neutral", "n_polar"):
        out[c] = out[c].fillna(0).astype(int)
    return out[DOCUMENT_COLUMNS]


def document_scores(docs: pd.DataFrame, scored_sentences: pd.DataFrame, exclude_phrases: Sequence[str] = (),
                    method: str = "fast", n_jobs: int | None = None) -> pd.DataFrame:
    """One row per document of ``docs`` (needs ``doc_id`` and the cleaned ``text``).

    - ``polarity`` [-1, 1], ``subjectivity`` [0, 1]: TextBlob over the whole
      text (equal to ``TextBlob(text).sentiment``; what the CLI reports);
    - ``polarity_mean``, ``subjectivity_mean``, ``vader_mean``: word-weighted
      means of the document's sentence scores (from ``scored_sentences``, see
      :func:`score_sentences`); NaN for a document without words;
    - ``n_sentences``, ``n_words`` (sum of sentence word counts), ``n_masked``
      (sentences in which an excluded phrase was masked);
    - the agreement columns of :func:`method_agreement`.

    ``exclude_phrases`` should be the ones used for ``scored_sentences``; the
    whole-text scores mask them too. :func:`score_corpus` computes the same
    table faster (one pass over each document).
    """
    _check_method(method)
    ids = docs["doc_id"].astype(str).tolist()
    raw = docs["text"].fillna("").astype(str).tolist()
    texts = [_mask(t, sp) for t, sp in zip(raw, phrase_spans(raw, _phrase_list(exclude_phrases)))]
    if method == "fast":
        rows = fast.score_texts(texts, vader=False, n_jobs=n_jobs)
        whole = {d: (r[0], r[1]) for d, r in zip(ids, rows)}
    else:
        whole = {d: textblob_scores(t, "reference") for d, t in zip(ids, texts)}
    return _assemble_documents(ids, whole, scored_sentences)


def score_corpus(docs: pd.DataFrame, sentences: pd.DataFrame, exclude_phrases: Sequence[str] = (),
                 method: str = "fast", n_jobs: int | None = None) -> SentimentTables:
    """Sentence, paragraph and document sentiment of a prepared corpus, in one pass.

    ``docs`` needs ``doc_id`` and the cleaned ``text``; ``sentences`` the
    columns ``doc_id, para, sent, start, end, text`` with offsets into that
    text (the tables of :class:`analysis.corpus.prepare.Prepared`). Returns
    :class:`SentimentTables` whose ``sentences`` are as
    :func:`score_sentences`, ``paragraphs`` as :func:`paragraph_scores` and
    ``documents`` as :func:`document_scores` describe them. With
    ``exclude_phrases``, each document's text is masked and its sentences are
    scored as slices of the masked text.

    The fast method scores each document's sentences and its whole text
    together (the whole-text tokens are usually the sentences' tokens in
    sequence, so the text is not tokenized twice) and spreads large corpora
    over worker processes (``n_jobs``: None = automatic, 1 = none).
    """
    _check_method(method)
    ids = docs["doc_id"].astype(str).tolist()
    raw_texts = docs["text"].fillna("").astype(str).tolist()
    doc_spans = phrase_spans(raw_texts, _phrase_list(exclude_phrases))
    texts = [_mask(t, sp) for t, sp in zip(raw_texts, doc_spans)]
    sents = sentences.reset_index(drop=True).copy()
    sents["doc_id"] = sents["doc_id"].astype(str)
    by_doc = {d: [] for d in ids}
    starts = sents["start"].to_numpy()
    ends = sents["end"].to_numpy()
    orphans = []
    for k, d in enumerate(sents["doc_id"].tolist()):
        lst = by_doc.get(d)
        if lst is None:
            orphans.append(k)
        else:
            lst.append(k)
    if orphans:
        raise ValueError(f"{len(orphans)} sentences belong to no document of `docs` "
                         f"(first: {sents['doc_id'].iloc[orphans[0]]!r})")
    n = len(sents)
    pol = np.zeros(n)
    subj = np.zeros(n)
    vad = np.zeros(n)
    nw = np.zeros(n, dtype=int)
    whole: dict[str, tuple[float, float]] = {}
    if method == "fast":
        items = []
        for d, t in zip(ids, texts):
            rows = by_doc[d]
            items.append((t, [(int(starts[k]), int(ends[k])) for k in rows]))
        results = fast.score_documents(items, vader=True, n_jobs=n_jobs, word_pattern=segment.WORD_RE.pattern)
        for d, (dp, ds, rows_out) in zip(ids, results):
            whole[d] = (dp, ds)
            rows = by_doc[d]
            for k, r in zip(rows, rows_out):
                pol[k], subj[k], vad[k], nw[k] = r
    else:
        for d, t in zip(ids, texts):
            whole[d] = textblob_scores(t, "reference")
            for k in by_doc[d]:
                st = t[int(starts[k]):int(ends[k])]
                pol[k], subj[k] = textblob_scores(st, "reference")
                vad[k] = vader_score(st, "reference")
                nw[k] = segment.count_words(st)
    flags = np.zeros(n, dtype=bool)
    for d, raw, spans in zip(ids, raw_texts, doc_spans):
        if not spans:
            continue
        masked = np.zeros(len(raw), dtype=bool)
        for a, b in spans:
            masked[a:b] = True
        cover = np.concatenate(([0], np.cumsum(masked)))  # cover[i] = masked chars before i
        for k in by_doc[d]:
            s, e = int(starts[k]), int(ends[k])
            if cover[e] > cover[s]:
                flags[k] = True
                nw[k] = segment.count_words(raw[s:e])  # weights count the sentence's own words
    sents["polarity"] = pol
    sents["subjectivity"] = subj
    sents["vader"] = vad
    sents["n_words"] = nw
    sents["masked"] = flags
    documents = _assemble_documents(ids, whole, sents)
    return SentimentTables(sentences=sents, paragraphs=paragraph_scores(sents), documents=documents,
                           exclude_phrases=tuple(_phrase_list(exclude_phrases)), method=method)


def document_evidence(sentences: pd.DataFrame, doc_id: str, exclude_phrases: Sequence[str] = (),
                      method: str = "fast") -> pd.DataFrame:
    """The scored chunks of every sentence of one document, for drill-down.

    One row per chunk: ``doc_id, para, sent, words, polarity, subjectivity,
    label, start, end`` where ``start``/``end`` are offsets into the
    document's text (sentence start + offset in the sentence; NaN when the
    chunk cannot be located). See :func:`sentence_evidence` for the columns'
    meaning. Computed on request (about 0.05 ms per sentence).
    """
    rows = []
    sel = sentences[sentences["doc_id"].astype(str) == str(doc_id)]
    for rec in sel[["doc_id", "para", "sent", "start", "text"]].itertuples(index=False):
        for ev in sentence_evidence(str(rec.text), _phrase_list(exclude_phrases), method):
            rows.append({"doc_id": str(rec.doc_id), "para": rec.para, "sent": rec.sent,
                         "words": ev["words"], "polarity": ev["polarity"],
                         "subjectivity": ev["subjectivity"], "label": ev["label"],
                         "start": None if ev["start"] is None else int(rec.start) + ev["start"],
                         "end": None if ev["end"] is None else int(rec.start) + ev["end"]})
    cols = ["doc_id", "para", "sent", "words", "polarity", "subjectivity", "label", "start", "end"]
    out = pd.DataFrame(rows, columns=cols)
    out["start"] = out["start"].astype("Int64")
    out["end"] = out["end"].astype("Int64")
    return out


# --------------------------------------------------------------------------------------
# Groups and dates
# --------------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^\s*(\d{4})(?:$|[-/.\s])")
DATE_FREQS = ("year", "decade")


def date_bins(dates: Iterable, freq: str = "year") -> pd.Series:
    """Date strings to bin labels: ``"1995"`` (year) or ``"1990s"`` (decade).

    Accepts "YYYY", "YYYY-MM" and "YYYY-MM-DD" (anything starting with a
    four-digit year); empty or unparseable dates give ``""`` (shown as
    "Unknown date" by the UI). Labels sort chronologically as strings.
    """
    if freq not in DATE_FREQS:
        raise ValueError(f"freq must be one of {DATE_FREQS}, not {freq!r}")
    out = []
    for d in dates:
        m = _YEAR_RE.match("" if d is None or (isinstance(d, float) and math.isnan(d)) else str(d))
        if not m:
            out.append("")
            continue
        y = int(m.group(1))
        out.append(str(y) if freq == "year" else f"{y - y % 10}s")
    return pd.Series(out, dtype=object, index=dates.index if isinstance(dates, pd.Series) else None)


#: Resamples are drawn in blocks of this size, each from its own random stream spawned from the seed
#: (numpy ``SeedSequence.spawn``), so an interval does not depend on how many threads draw the blocks.
BOOT_BLOCK = 250
#: Below this many drawn values (resamples x sample size) the blocks are drawn in the calling thread.
_THREADED_DRAWS = 2_000_000
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                       thread_name_prefix="bootstrap")
        return _POOL


def _bootstrap_block(values: np.ndarray, weights: np.ndarray | None, n_resamples: int,
                     seed: np.random.SeedSequence) -> np.ndarray:
    """``n_resamples`` (weighted) means of resamples of ``values`` drawn from one stream."""
    n = len(values)
    rng = np.random.default_rng(seed)
    stats = np.empty(n_resamples)
    rows = max(1, min(n_resamples, 500_000 // max(n, 1)))  # one draw: ~4 MB of indices (cache-sized; faster)
    done = 0
    while done < n_resamples:
        r = min(rows, n_resamples - done)
        idx = rng.integers(0, n, size=(r, n))
        if weights is None:
            stats[done:done + r] = values[idx].mean(axis=1)
        else:
            w = weights[idx]
            tot = w.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                stats[done:done + r] = np.where(tot > 0, (values[idx] * w).sum(axis=1) / tot, np.nan)
        done += r
    return stats


def _bootstrap(values: np.ndarray, weights: np.ndarray | None, n_boot: int, seed: int,
               ci: float) -> tuple[float, float]:
    """Percentile bootstrap interval of the (weighted) mean of ``values``: ``n_boot`` resamples
    with replacement, drawn in blocks of :data:`BOOT_BLOCK` from streams spawned from ``seed``
    (large samples draw the blocks in parallel threads; the result is the same)."""
    sizes = [min(BOOT_BLOCK, n_boot - start) for start in range(0, n_boot, BOOT_BLOCK)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    jobs = list(zip(sizes, seeds))
    if len(jobs) > 1 and len(values) * n_boot >= _THREADED_DRAWS:
        parts = list(_pool().map(lambda job: _bootstrap_block(values, weights, *job), jobs))
    else:
        parts = [_bootstrap_block(values, weights, *job) for job in jobs]
    stats = np.concatenate(parts) if parts else np.empty(0)
    if np.isnan(stats).all():  # no resample had any weight (e.g. no sentiment word at all)
        return math.nan, math.nan
    alpha = (1.0 - ci) / 2.0
    lo, hi = np.nanpercentile(stats, [100 * alpha, 100 * (1 - alpha)])
    return float(lo), float(hi)


def _sentence_weights(sg: pd.DataFrame, measure: str, sentences: pd.DataFrame) -> np.ndarray:
    """Bootstrap weights for one document's sentences (see :func:`group_scores`)."""
    if measure in ("polarity", "subjectivity") and "text" in sentences.columns:
        texts = sentences.loc[sg.index, "text"].astype(str)
        return np.array([len(fast.textblob_assessments(t)) for t in texts], dtype=float)
    return sg["n_words"].to_numpy(dtype=float)


def group_scores(doc_scores: pd.DataFrame, docs: pd.DataFrame, by: str, measure: str = "polarity",
                 n_boot: int = 2000, seed: int = 0, sentences: pd.DataFrame | None = None,
                 date_freq: str | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Mean document score per group of a metadata column, with a bootstrap interval.

    ``by`` is a column of ``docs`` (author, source, party, type, ...). With
    ``date_freq`` ("year" or "decade") the column's values are dates and are
    binned by :func:`date_bins`; ``by="date"`` without ``date_freq`` bins by
    year. Empty values form their own group ``""`` (not dropped; the UI shows
    it as "Unknown ...").

    ``measure`` is a column of ``doc_scores`` (:func:`document_scores`):
    ``polarity``/``subjectivity`` (TextBlob, whole text), ``polarity_mean``,
    ``subjectivity_mean`` or ``vader_mean`` (word-weighted sentence means).

    Returns one row per group, sorted by group label (``""`` last):
    ``group, n_docs, n_sentences, mean, lo, hi, interval_basis``
    (``n_sentences`` only when ``sentences`` are given) where

    - ``mean`` = unweighted mean of the group's document scores (each document
      counts once, whatever its length);
    - ``lo``/``hi`` = ``ci`` (95%) percentile bootstrap interval: ``n_boot``
      resamples of the group's documents with replacement (fixed ``seed``;
      each group's resamples are drawn in blocks of :data:`BOOT_BLOCK` from
      streams spawned from that seed, alike for every group, so a group's
      interval does not depend on which other groups are present or on how
      many threads drew the blocks);
      ``interval_basis="documents"``;
    - for a group with a single document, when ``sentences`` (scored, see
      :func:`score_sentences`) are given: resamples of that document's
      sentences; ``interval_basis="sentences"``. For the whole-text measures
      (``polarity``, ``subjectivity``) each resample's statistic is the mean
      of its sentences' scores weighted by their number of TextBlob
      assessments, which on the full sample is (up to chunks that straddle a
      sentence break) the whole-text score itself, so the interval is centred
      on ``mean``; for the sentence-mean measures the weights are word counts;
    - otherwise (one document with one sentence, or no sentences given)
      ``lo``/``hi`` are NaN and ``interval_basis="none"``.
    Documents whose score is NaN (no words) are left out of ``mean`` and the
    interval but counted in ``n_docs``.
    """
    if measure not in doc_scores.columns:
        raise ValueError(f"unknown measure {measure!r}; expected a column of doc_scores")
    if by not in docs.columns:
        raise ValueError(f"unknown column {by!r}; docs has {list(docs.columns)}")
    if by == "date" and date_freq is None:
        date_freq = "year"
    meta = docs[["doc_id", by]].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    if date_freq is not None:
        meta["group"] = date_bins(meta[by].tolist(), date_freq).to_numpy()
    else:
        meta["group"] = meta[by].fillna("").astype(str).str.strip().to_numpy()
    scores = doc_scores[["doc_id", measure]].copy()
    scores["doc_id"] = scores["doc_id"].astype(str)
    df = meta.merge(scores, on="doc_id", how="left")
    sent_groups = None
    if sentences is not None:
        col = MEASURE_TO_SENTENCE.get(measure, measure)
        s = sentences[["doc_id", col, "n_words"]].copy()
        s["doc_id"] = s["doc_id"].astype(str)
        sent_groups = {d: g for d, g in s.groupby("doc_id", sort=False)}
        n_sent = s.groupby("doc_id").size()
    rows = []
    for label, g in df.groupby("group", sort=False):
        vals = g[measure].to_numpy(dtype=float)
        vals = vals[~np.isnan(vals)]
        n_docs = len(g)
        n_sentences = int(n_sent.reindex(g["doc_id"]).fillna(0).sum()) if sent_groups is not None else np.nan
        mean = float(vals.mean()) if len(vals) else np.nan
        lo = hi = np.nan
        basis = "none"
        if len(vals) >= 2:
            lo, hi = _bootstrap(vals, None, n_boot, seed, ci)
            basis = "documents"
        elif len(vals) == 1 and sent_groups is not None:
            d = g.loc[~g[measure].isna(), "doc_id"].iloc[0]
            sg = sent_groups.get(d)
            if sg is not None:
                sg = sg[sg["n_words"] > 0]
                if len(sg) >= 2:
                    lo, hi = _bootstrap(sg[col].to_numpy(dtype=float), _sentence_weights(sg, measure, sentences),
                                        n_boot, seed, ci)
                    basis = "sentences"
        rows.append({"group": label, "n_docs": n_docs, "n_sentences": n_sentences, "mean": mean,
                     "lo": lo, "hi": hi, "interval_basis": basis})
    out = pd.DataFrame(rows, columns=["group", "n_docs", "n_sentences", "mean", "lo", "hi", "interval_basis"])
    out["_empty"] = out["group"] == ""
    out = out.sort_values(["_empty", "group"], kind="stable").drop(columns="_empty").reset_index(drop=True)
    if sent_groups is None:
        out = out.drop(columns="n_sentences")
    return out


# --------------------------------------------------------------------------------------
# Validation against hand-labelled data
# --------------------------------------------------------------------------------------

VALIDATION_JSON = Path(__file__).with_name("sentiment_validation.json")


def validation_scores(path: str | Path, method: str = "fast") -> dict:
    """ROC AUC of each sentiment measure against hand labels.

    ``path``: a CSV with ``text`` and a binary ``label`` column (1 positive,
    0 negative), e.g. the Kavanaugh tweets of Bestvater & Monroe (2023) in
    ``../shared/corpora/kavanaugh-tweets-sentiment``. The texts are scored as
    given (no cleaning), each as one document:

    - ``textblob_polarity``: TextBlob polarity of the whole text;
    - ``vader_compound``: VADER compound of the whole text;
    - ``textblob_polarity_mean`` / ``vader_mean``: word-weighted means over
      the text's sentences (as documents are summarised in the app).

    AUC is the probability that a random positive text scores above a random
    negative one (ties count half): 0.5 = chance, 1 = perfect. Returns
    ``{"data", "n", "n_positive", "auc": {measure: value}, "versions"}``.
    Nothing is fitted or tuned on the labels.
    """
    from sklearn.metrics import roc_auc_score

    frame = pd.read_csv(path, keep_default_na=False)
    labels = frame["label"].astype(int).to_numpy()
    texts = frame["text"].astype(str).tolist()
    docs = pd.DataFrame({"doc_id": [f"v{i}" for i in range(len(texts))], "text": texts})
    _, sentences = segment.segment_texts(docs["doc_id"], texts)
    tables = score_corpus(docs, sentences, method=method, n_jobs=1)
    d = tables.documents
    vader_whole = np.array([vader_score(t, method) for t in texts])
    measures = {
        "textblob_polarity": d["polarity"].to_numpy(dtype=float),
        "vader_compound": vader_whole,
        "textblob_polarity_mean": d["polarity_mean"].fillna(0.0).to_numpy(dtype=float),
        "vader_mean": d["vader_mean"].fillna(0.0).to_numpy(dtype=float),
    }
    auc = {k: round(float(roc_auc_score(labels, v)), 4) for k, v in measures.items()}
    return {"data": Path(path).name, "n": int(len(labels)), "n_positive": int(labels.sum()),
            "auc": auc, "versions": _versions()}


def _versions() -> dict:
    from importlib import metadata

    out = {}
    for pkg in ("textblob", "vaderSentiment"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def stored_validation() -> dict | None:
    """The validation figures saved by ``scripts/sentiment_validation.py`` (None if absent)."""
    try:
        return json.loads(VALIDATION_JSON.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
