"""Sentiment: sentence, paragraph, document and group scores, with the evidence words.

Three methods, each scored per sentence (sentences as
:mod:`analysis.corpus.segment` splits them): two word lists and a classifier trained on
rated sentences.

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
- **Classifier** (:mod:`analysis.methods.tone_classifier`, weights shipped with the
  project): ``classifier`` in (-1, 1) is 2 x P(positive) - 1, a logistic regression over
  the sentence's words, two-word phrases and its two lexicon scores, fitted on ~19,000
  sentences hand-rated by Hutto & Gilbert (2014) (news editorials, tweets, reviews).
  :func:`classifier_evidence` lists the terms of its log-odds, which sum to it exactly.

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
  text (what the CLI ``report`` prints); ``vader_doc`` = VADER over the whole
  text (its compound saturates near +-1 on long texts; often the better score on
  short ones); ``polarity_mean``, ``subjectivity_mean``, ``vader_mean``,
  ``classifier_mean`` = word-weighted means of its sentences;
- group (author, party, date bin, ...): unweighted mean of its documents'
  scores with a 95% percentile bootstrap interval over documents (see
  :func:`group_scores`, in :mod:`analysis.methods.tone_groups`).

Tracked phrases can be left out of the scoring (``exclude_phrases``): the
characters of each occurrence are replaced by spaces before the methods score
the text, so "left behind" no longer makes a sentence negative through
"behind". Offsets are unchanged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.corpus import segment
from analysis.methods import bulk_scoring, sentence_groups
from analysis.methods import lexicons as fast
from analysis.methods import tone_classifier
from analysis.methods.phrase_mask import mask_phrases, mask_spans, phrase_list, phrase_spans
from analysis.methods.tone_groups import (BOOT_BLOCK, DATE_FREQS, MEASURE_TO_SENTENCE, bootstrap_interval, date_bins,
                                         document_interval_inputs, group_scores, interval_key)

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
    "classifier_evidence",
    "document_evidence",
    "group_scores",
    "bootstrap_interval",
    "document_interval_inputs",
    "interval_key",
    "date_bins",
    "phrase_spans",
    "mask_phrases",
    "textblob_scores",
    "vader_score",
    "classifier_score",
    "BOOT_BLOCK",
    "DATE_FREQS",
    "MEASURE_TO_SENTENCE",
]

METHODS = ("fast", "reference")
SENTENCE_SCORE_COLUMNS = ["polarity", "subjectivity", "vader", "classifier", "n_words", "masked"]


# --------------------------------------------------------------------------------------
# Single texts
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _reference_assessments(text: str) -> tuple:
    from textblob import TextBlob

    return tuple(TextBlob(text).sentiment_assessments.assessments)


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
    masked = mask_phrases(text, phrase_list(exclude_phrases)) if exclude_phrases else text
    if method == "reference":
        from textblob import TextBlob

        return [{"words": " ".join(w), "polarity": p, "subjectivity": s, "label": x,
                 "start": None, "end": None}
                for w, p, s, x in TextBlob(masked).sentiment_assessments.assessments]
    return fast.textblob_evidence(masked)


def classifier_score(text: str, method: str = "fast") -> float:
    """The trained classifier's tone score of ``text``, in (-1, 1): 2 x P(positive) - 1.

    P(positive) is a logistic regression's probability that a human rater would call the
    text positive rather than negative, from its words, two-word phrases, VADER compound and
    TextBlob polarity (:mod:`analysis.methods.tone_classifier`); 0 = even odds.
    """
    polarity = textblob_scores(text, method)[0]
    return tone_classifier.load_model().score(text, vader_score(text, method), polarity)


def classifier_evidence(text: str, exclude_phrases: Sequence[str] = (), method: str = "fast") -> list[dict]:
    """What pushed the classifier's score of one sentence (or any text) up or down.

    One dict per term of the logit (:meth:`analysis.methods.tone_classifier.ToneClassifier.evidence`),
    largest push first: ``feature`` (a word, two words, ``<vader>``, ``<textblob>`` or
    ``<intercept>``), ``kind``, ``value``, ``weight``, ``contribution`` (its push on the log-odds
    of a positive reading; the contributions sum to the logit, and the score is
    tanh(logit / 2)), ``start``/``end`` (offsets of the word's first occurrence in ``text``).
    With ``exclude_phrases`` the phrases' words are masked first, as in scoring.
    """
    masked = mask_phrases(text, phrase_list(exclude_phrases)) if exclude_phrases else text
    polarity = textblob_scores(masked, method)[0]
    return tone_classifier.load_model().evidence(masked, vader_score(masked, method), polarity)


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
    "classifier": "Trained classifier's tone of the sentence, -1 to +1: 2 x P(positive) - 1, where P(positive) is a "
                  "logistic regression's probability that a reader would call it positive rather than negative "
                  "(from its words, two-word phrases, VADER and TextBlob scores; 0 = even odds).",
    "classifier_mean": "Word-weighted mean of the document's sentence classifier scores.",
    "vader_doc": "VADER compound score of the whole document as one text (saturates near +-1 on long texts; "
                 "on short texts often the better score).",
    "polarity_mean": "Word-weighted mean of the document's sentence polarities (weight = words per sentence).",
    "subjectivity_mean": "Word-weighted mean of the document's sentence subjectivities.",
    "vader_mean": "Word-weighted mean of the document's sentence VADER compound scores.",
    "paragraph": "Paragraph scores are word-weighted means of the paragraph's sentence scores.",
    "n_words": "Word tokens (the weight in word-weighted means).",
    "masked": "An excluded phrase occurred in the sentence; its words were blanked before scoring.",
    "n_assessments": "TextBlob assessments (scored word chunks) in the sentence as scored: its weight in the "
                     "whole-text polarity and subjectivity.",
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
    - ``classifier`` (-1, 1): the trained classifier's score of the sentence
      (:func:`classifier_score`);
    - ``n_words``: word count (:func:`analysis.corpus.segment.count_words`), the
      weight of the sentence in paragraph/document means;
    - ``masked``: True if a phrase of ``exclude_phrases`` occurred in it (its
      words were replaced by spaces before scoring);
    - ``n_assessments``: TextBlob assessments (scored word chunks) in the text as
      scored, the sentence's weight in the whole-text scores.

    ``n_jobs``: local processes for the fast method (None or 1 = this process;
    k = up to k, with Dask: :mod:`analysis.methods.bulk_scoring`). Repeated
    sentence texts are scored once.
    """
    _check_method(method)
    out = sentences.copy()
    texts = out["text"].fillna("").astype(str).tolist()
    spans = phrase_spans(texts, phrase_list(exclude_phrases))
    flags = [bool(sp) for sp in spans]
    scored = [mask_spans(t, sp) for t, sp in zip(texts, spans)]
    if method == "fast":
        rows = bulk_scoring.score_texts(scored, vader=True, n_jobs=n_jobs, word_pattern=segment.WORD_RE.pattern)
        pol = [r[0] for r in rows]
        subj = [r[1] for r in rows]
        vad = [r[2] for r in rows]
        nw = [r[3] for r in rows]
        n_assessed = [r[4] for r in rows]
    else:
        tb = [textblob_scores(t, "reference") for t in scored]
        pol = [r[0] for r in tb]
        subj = [r[1] for r in tb]
        vad = [vader_score(t, "reference") for t in scored]
        nw = [segment.count_words(t) for t in texts]
        n_assessed = [len(_reference_assessments(t)) for t in scored]
    # Weights count the sentence's own words, masked or not.
    nw = [segment.count_words(t) if f else n for t, f, n in zip(texts, flags, nw)]
    out["polarity"] = np.asarray(pol, dtype=float)
    out["subjectivity"] = np.asarray(subj, dtype=float)
    out["vader"] = np.asarray(vad, dtype=float)
    out["classifier"] = tone_classifier.load_model().scores(scored, vad, pol)
    out["n_words"] = np.asarray(nw, dtype=int)
    out["masked"] = np.asarray(flags, dtype=bool)
    out["n_assessments"] = np.asarray(n_assessed, dtype=np.int64)
    return out


def _weighted_means(df: pd.DataFrame, keys: list[str], cols: Sequence[str]) -> pd.DataFrame:
    """Word-weighted means of ``cols`` per ``keys`` group (NaN where no words), with
    ``n_sentences`` and ``n_words``; groups in the order they first occur."""
    codes, index = sentence_groups.row_groups(df, keys)
    got = sentence_groups.weighted_means(codes, len(index), df["n_words"].to_numpy(dtype=float),
                                         {c: df[c].to_numpy(dtype=float, na_value=np.nan) for c in cols})
    return pd.DataFrame(got, index=index)


def paragraph_scores(scored_sentences: pd.DataFrame) -> pd.DataFrame:
    """One row per paragraph: ``doc_id, para, polarity, subjectivity, vader, n_sentences, n_words``.

    Each score is the word-weighted mean of the paragraph's sentence scores
    (weights = sentence word counts), NaN for a paragraph without words.
    """
    res = _weighted_means(scored_sentences, ["doc_id", "para"], ["polarity", "subjectivity", "vader", "classifier"])
    return res.reset_index()


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
    ids = scored_sentences["doc_id"].astype(str)
    codes, index = sentence_groups.row_groups(pd.DataFrame({"doc_id": ids}), ["doc_id"])
    got = sentence_groups.agreement(codes, len(index), scored_sentences["polarity"].to_numpy(dtype=float),
                                    scored_sentences["vader"].to_numpy(dtype=float), neutral)
    return pd.DataFrame(got, index=index).reset_index()


DOCUMENT_COLUMNS = ["doc_id", "polarity", "subjectivity", "polarity_mean", "subjectivity_mean",
                    "vader_mean", "vader_doc", "classifier_mean", "n_sentences", "n_words", "n_masked", "agreement_pearson",
                    "agreement_spearman", "agreement_sign", "agreement_sign_polar", "n_both_neutral",
                    "n_polar"]


def _assemble_documents(doc_ids: list[str], whole: dict[str, tuple[float, float, float]],
                        scored_sentences: pd.DataFrame) -> pd.DataFrame:
    """The documents table (:data:`DOCUMENT_COLUMNS`) of ``doc_ids``: ``whole``'s scores of each
    whole text, and what its sentences in ``scored_sentences`` add up to (sentences of other
    documents are left out)."""
    out = pd.DataFrame({"doc_id": doc_ids})
    out["polarity"] = [whole[d][0] for d in doc_ids]
    out["subjectivity"] = [whole[d][1] for d in doc_ids]
    out["vader_doc"] = [whole[d][2] for d in doc_ids]
    doc_code, uniq = pd.factorize(pd.Series(doc_ids, dtype=object))
    codes = pd.Index(uniq).get_indexer(scored_sentences["doc_id"].astype(str).to_numpy(dtype=object))
    mine = codes >= 0
    s = scored_sentences[mine] if not mine.all() else scored_sentences
    codes, n = codes[mine], len(uniq)
    got = sentence_groups.weighted_means(
        codes, n, s["n_words"].to_numpy(dtype=float),
        {c + "_mean": s[c].to_numpy(dtype=float, na_value=np.nan)
         for c in ("polarity", "subjectivity", "vader", "classifier")})
    got["n_masked"] = (np.bincount(codes, weights=s["masked"].to_numpy(dtype=bool), minlength=n)[:n].astype(np.int64)
                       if "masked" in s else np.zeros(n, dtype=np.int64))
    got.update(sentence_groups.agreement(codes, n, s["polarity"].to_numpy(dtype=float),
                                         s["vader"].to_numpy(dtype=float)))
    for c, values in got.items():
        out[c] = values[doc_code]
    return out[DOCUMENT_COLUMNS]


def document_scores(docs: pd.DataFrame, scored_sentences: pd.DataFrame, exclude_phrases: Sequence[str] = (),
                    method: str = "fast", n_jobs: int | None = None) -> pd.DataFrame:
    """One row per document of ``docs`` (needs ``doc_id`` and the cleaned ``text``).

    - ``polarity`` [-1, 1], ``subjectivity`` [0, 1]: TextBlob over the whole
      text (equal to ``TextBlob(text).sentiment``; what the CLI reports);
    - ``vader_doc`` [-1, 1]: VADER compound of the whole text;
    - ``polarity_mean``, ``subjectivity_mean``, ``vader_mean``, ``classifier_mean``:
      word-weighted means of the document's sentence scores (from ``scored_sentences``, see
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
    texts = [mask_spans(t, sp) for t, sp in zip(raw, phrase_spans(raw, phrase_list(exclude_phrases)))]
    if method == "fast":
        rows = bulk_scoring.score_texts(texts, vader=False, n_jobs=n_jobs)
        whole = {d: (r[0], r[1], fast.vader_compound(t)) for d, r, t in zip(ids, rows, texts)}
    else:
        whole = {d: textblob_scores(t, "reference") + (vader_score(t, "reference"),) for d, t in zip(ids, texts)}
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
    doc_spans = phrase_spans(raw_texts, phrase_list(exclude_phrases))
    texts = [mask_spans(t, sp) for t, sp in zip(raw_texts, doc_spans)]
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
    n_assessed = np.zeros(n, dtype=np.int64)
    whole: dict[str, tuple[float, float, float]] = {}
    if method == "fast":
        items = []
        for d, t in zip(ids, texts):
            rows = by_doc[d]
            items.append((t, [(int(starts[k]), int(ends[k])) for k in rows]))
        # the sentences' words are counted below, in the classifier's pass over their text
        results = bulk_scoring.score_documents(items, vader=True, n_jobs=n_jobs)
        for d, (dp, ds, rows_out, dv) in zip(ids, results):
            whole[d] = (dp, ds, dv)
            rows = by_doc[d]
            for k, r in zip(rows, rows_out):
                pol[k], subj[k], vad[k], _, n_assessed[k] = r
    else:
        for d, t in zip(ids, texts):
            whole[d] = textblob_scores(t, "reference") + (vader_score(t, "reference"),)
            for k in by_doc[d]:
                st = t[int(starts[k]):int(ends[k])]
                pol[k], subj[k] = textblob_scores(st, "reference")
                vad[k] = vader_score(st, "reference")
                nw[k] = segment.count_words(st)
                n_assessed[k] = len(_reference_assessments(st))
    text_of = dict(zip(ids, texts))
    sentence_texts = [text_of[d][int(s):int(e)] for d, s, e in zip(sents["doc_id"].tolist(), starts, ends)]
    model = tone_classifier.load_model()
    if method == "fast":
        classifier, nw = model.scores_and_word_counts(sentence_texts, vad, pol)
    else:
        classifier = model.scores(sentence_texts, vad, pol)
    del sentence_texts
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
    sents["classifier"] = classifier
    sents["n_words"] = nw
    sents["masked"] = flags
    sents["n_assessments"] = n_assessed
    documents = _assemble_documents(ids, whole, sents)
    return SentimentTables(sentences=sents, paragraphs=paragraph_scores(sents), documents=documents,
                           exclude_phrases=tuple(phrase_list(exclude_phrases)), method=method)


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
        for ev in sentence_evidence(str(rec.text), phrase_list(exclude_phrases), method):
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


