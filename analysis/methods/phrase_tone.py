"""Tone near a phrase: how the text around each occurrence of a tracked phrase sounds.

For every occurrence of a phrase (found as :func:`analysis.phrases.find_phrases`
finds it: case-insensitive, hyphen/space and apostrophes alike, word
boundaries) two *contexts* are scored:

- ``"sentence"``: the sentence that holds it (as :mod:`analysis.corpus.segment` splits
  the text; if an occurrence straddles a sentence break, every sentence it
  touches);
- ``"window"``: the ``window`` words (default :data:`DEFAULT_WINDOW` = 25)
  before the occurrence and the ``window`` words after it, across sentence
  breaks but not across the document's edges (words as
  :data:`analysis.corpus.segment.WORD_RE` counts them).

The phrase's own words are left out of the score: before scoring, the
characters of every occurrence of that phrase inside the context are replaced
by spaces (as ``exclude_phrases`` does in :mod:`analysis.sentiment`), so
"behind" does not make "left behind" negative. Other tracked phrases are not
masked: they are part of the context.

Each context is scored by each method of :data:`METHODS` (TextBlob polarity and
VADER compound, both in [-1, 1]; 0 when the context holds no lexicon word), as
:func:`analysis.sentiment.score_sentences` scores a sentence. A third method
plugs in by adding a :class:`ToneMethod` to :data:`METHODS`: the column of
``score_sentences`` that holds its sentence score, the document measure it is
compared with, and a function that gives its evidence words.

Aggregates (:func:`tone_near`): per document, per group of any metadata column,
or per year (``by="date"``), the **mean over the occurrences** (each occurrence
counts once), a 95% percentile bootstrap interval over the occurrences
(:func:`analysis.sentiment.group_scores` with occurrences in place of
documents: 2000 resamples, fixed seed; none for a single occurrence) and the
number of occurrences ``n``. Each is compared with the same document's or
group's tone as a whole: the method's word-weighted mean over all the
document's sentences (``polarity_mean``, ``vader_mean``), and for a group the
mean of its documents' values (every document of the group, with or without
the phrase), as the Sentiment page shows them. :func:`reading` says the
comparison in one plain sentence.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.corpus import segment
from analysis.methods import sentiment
from analysis.methods.phrases import find_phrases, normalise_phrase

__all__ = [
    "DEFAULT_WINDOW",
    "CONTEXTS",
    "METHODS",
    "MIN_SURE",
    "direction",
    "ToneMethod",
    "OCCURRENCE_COLUMNS",
    "AGGREGATE_COLUMNS",
    "occurrences",
    "tone_near",
    "reading",
    "summary",
    "tone_table",
    "with_evidence",
    "occurrence_rows",
    "evidence_words",
    "group_labels",
]

DEFAULT_WINDOW = 25
CONTEXTS = ("sentence", "window")
#: Fewer occurrences than this: a comparison is called "too few to be sure", whatever its interval.
MIN_SURE = 5


@dataclass(frozen=True)
class ToneMethod:
    """One way of scoring a context.

    - ``name``: the key (column of :func:`occurrences`; ``method=`` of :func:`tone_near`);
    - ``label``: how it is named to a reader;
    - ``sentence_column``: the column of :func:`analysis.sentiment.score_sentences` with
      the score of a text, in [-1, 1];
    - ``document_measure``: the column of the documents table of
      :func:`analysis.sentiment.score_corpus` that is the document's tone as a whole;
    - ``evidence``: ``text -> [(words, value)]``, the words that drove the score of ``text``.
    """

    name: str
    label: str
    sentence_column: str
    document_measure: str
    evidence: Callable[[str], list[tuple[str, float]]]


def _textblob_evidence(text: str) -> list[tuple[str, float]]:
    return [(e["words"], float(e["polarity"])) for e in sentiment.sentence_evidence(text)]


@functools.lru_cache(maxsize=1)
def _vader_lexicon() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


_VADER_STRIP = re.compile(r"^[^\w']+|[^\w']+$")


def _vader_evidence(text: str) -> list[tuple[str, float]]:
    """VADER's lexicon words in ``text`` with their valence scaled to [-1, 1] (lexicon value / 4,
    before VADER's rules for negation, boosters and "but")."""
    lex = _vader_lexicon()
    out = []
    for tok in text.split():
        w = _VADER_STRIP.sub("", tok).lower()
        if w in lex:
            out.append((w, float(lex[w]) / 4.0))
    return out


def _classifier_evidence(text: str) -> list[tuple[str, float]]:
    """The words and word pairs that pushed the classifier's score of ``text``, with their push on its
    log-odds (:func:`analysis.methods.sentiment.classifier_evidence`; the lexicon terms left out)."""
    return [(e["feature"], float(e["contribution"])) for e in sentiment.classifier_evidence(text)
            if e["kind"] in ("word", "phrase")]


#: The methods every context is scored by, by name.
METHODS: dict[str, ToneMethod] = {
    "textblob": ToneMethod("textblob", "TextBlob polarity", "polarity", "polarity_mean", _textblob_evidence),
    "vader": ToneMethod("vader", "VADER compound", "vader", "vader_mean", _vader_evidence),
    "classifier": ToneMethod("classifier", "classifier score", "classifier", "classifier_mean",
                             _classifier_evidence),
}

OCCURRENCE_COLUMNS = ["doc_id", "phrase", "start", "end", "match", "context", "ctx_start", "ctx_end",
                      "n_words", "left", "right"]
AGGREGATE_COLUMNS = ["phrase", "context", "method", "group", "n", "n_docs", "mean", "lo", "hi",
                     "interval_basis", "overall", "difference"]


def _methods(methods) -> list[ToneMethod]:
    names = list(METHODS) if methods is None else [methods] if isinstance(methods, str) else list(methods)
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; expected one of {list(METHODS)}")
    return [METHODS[m] for m in names]


def _mask(text: str, offset: int, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` (which starts at ``offset`` of its document) with the parts covered by
    ``spans`` (document offsets) replaced by spaces."""
    chars = list(text)
    for s, e in spans:
        a, b = max(s - offset, 0), min(e - offset, len(text))
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def _squash(s: str) -> str:
    return " ".join(s.split())


def occurrences(docs: pd.DataFrame, phrases, window: int = DEFAULT_WINDOW, sentences: pd.DataFrame | None = None,
                methods=None, hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per occurrence of each phrase and per context ("sentence", "window"), scored.

    ``docs``: ``doc_id`` and the cleaned ``text`` (e.g. ``Prepared.docs``);
    ``sentences``: its sentence table (``doc_id, start, end``; segmented here when
    None); ``window``: words on each side (>= 1); ``methods``: names in
    :data:`METHODS` (default all); ``hits``: :func:`analysis.phrases.find_phrases`
    of the same documents and phrases, to avoid searching twice.

    Columns (:data:`OCCURRENCE_COLUMNS` + one per method):

    - ``doc_id, phrase`` (normalised), ``start, end`` (offsets of the occurrence in
      the cleaned text), ``match`` (the text matched);
    - ``context`` ("sentence" or "window"), ``ctx_start, ctx_end`` (offsets of the
      context; it includes the occurrence);
    - ``n_words``: words of the context that were scored (the phrase's words not counted);
    - ``left``, ``right``: the context's text before and after the occurrence
      (white space collapsed), for keyword-in-context rows;
    - ``textblob``, ``vader``, ...: the method's score of the context with every
      occurrence of the phrase in it blanked, in [-1, 1].

    Rows: document order, then ``start``, then phrase order; the sentence row of an
    occurrence before its window row.
    """
    if int(window) < 1:
        raise ValueError(f"window must be at least 1 word, not {window!r}")
    window = int(window)
    plist = [phrases] if isinstance(phrases, str) else list(phrases)
    chosen = _methods(methods)
    frame = docs[["doc_id", "text"]].copy()
    frame["doc_id"] = frame["doc_id"].astype(str)
    if hits is None:
        hits = find_phrases(frame, plist)
    cols = OCCURRENCE_COLUMNS + [m.name for m in chosen]
    if hits.empty:
        out = pd.DataFrame(columns=cols)
        return out.astype({"start": np.int64, "end": np.int64, "ctx_start": np.int64, "ctx_end": np.int64,
                           "n_words": np.int64} | {m.name: float for m in chosen})
    texts = dict(zip(frame["doc_id"], frame["text"].fillna("").astype(str)))
    if sentences is None:
        _, sentences = segment.segment_texts(frame["doc_id"], [texts[d] for d in frame["doc_id"]])
    sent_bounds = {}
    hit_docs = set(hits["doc_id"].astype(str))
    s = sentences[sentences["doc_id"].astype(str).isin(hit_docs)]
    for d, g in s.groupby(s["doc_id"].astype(str), sort=False):
        order = np.argsort(g["start"].to_numpy(), kind="stable")
        sent_bounds[d] = (g["start"].to_numpy()[order].tolist(), g["end"].to_numpy()[order].tolist())
    spans_of = {(d, p): list(zip(g["start"].tolist(), g["end"].tolist()))
                for (d, p), g in hits.groupby([hits["doc_id"].astype(str), "phrase"], sort=False)}
    rows, scored = [], []
    token_cache: dict[str, tuple[list[int], list[int]]] = {}
    for d, p, start, end, match in zip(hits["doc_id"].astype(str), hits["phrase"], hits["start"].tolist(),
                                       hits["end"].tolist(), hits["match"]):
        text = texts[d]
        starts, ends = sent_bounds.get(d, ([], []))
        # sentences that overlap [start, end): the last one starting before `end` back to the first ending after `start`
        i = bisect.bisect_right(ends, start)
        j = bisect.bisect_left(starts, end)
        if i < j:
            s_ctx, e_ctx = min(starts[i], start), max(ends[j - 1], end)
        else:  # not inside any sentence (should not happen): the occurrence alone
            s_ctx, e_ctx = start, end
        if d not in token_cache:
            spans = segment.token_spans(text)
            token_cache[d] = ([a for a, _ in spans], [b for _, b in spans])
        ts, te = token_cache[d]
        before = bisect.bisect_right(te, start)  # tokens ending at or before the occurrence's start
        after = bisect.bisect_left(ts, end)      # first token starting at or after its end
        w_start = ts[before - window] if before >= window else (ts[0] if before > 0 else start)
        w_end = te[min(after + window, len(ts)) - 1] if after < len(ts) else end
        w_start, w_end = min(w_start, start), max(w_end, end)
        for context, (a, b) in (("sentence", (s_ctx, e_ctx)), ("window", (w_start, w_end))):
            inside = [(x, y) for x, y in spans_of[(d, p)] if x < b and y > a]
            masked = _mask(text[a:b], a, inside)
            rows.append((d, p, start, end, match, context, a, b, segment.count_words(masked),
                         _squash(text[a:start]), _squash(text[end:b])))
            scored.append(masked)
    out = pd.DataFrame(rows, columns=OCCURRENCE_COLUMNS)
    scores = sentiment.score_sentences(pd.DataFrame({"text": scored}))
    for m in chosen:
        out[m.name] = scores[m.sentence_column].to_numpy(dtype=float)
    return out.astype({"start": np.int64, "end": np.int64, "ctx_start": np.int64, "ctx_end": np.int64,
                       "n_words": np.int64})


def group_labels(docs: pd.DataFrame, by: str) -> pd.Series:
    """The group label of each document for column ``by``: the stripped value (``""`` when
    empty), and for ``date`` the year ("2016" for "2016-06-24"; ``""`` when unknown) -
    the labels ``python -m analysis report --by`` uses. ``by="doc_id"`` gives the doc_ids."""
    if by not in docs.columns:
        raise ValueError(f"no metadata column {by!r} (columns: {list(docs.columns)})")
    if by == "date":
        return sentiment.date_bins(docs[by].tolist(), "year").set_axis(docs.index)
    col = docs[by]
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


def tone_near(occ: pd.DataFrame, docs: pd.DataFrame, doc_scores: pd.DataFrame, by: str | None = None,
              context: str = "sentence", method: str = "textblob", n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """The tone around each phrase per document (``by=None``), per group of a metadata column
    (``by="author"``, ``"party"``, ...) or per year (``by="date"``), against the tone as a whole.

    ``occ``: :func:`occurrences`; ``docs``: ``doc_id`` and the ``by`` column;
    ``doc_scores``: the documents table of :func:`analysis.sentiment.score_corpus` (it
    must hold the method's ``document_measure``), for every document of ``docs``.

    One row per phrase and group that has at least one occurrence, phrases in order of
    first appearance, groups sorted by label (``""``, unknown, last). Columns
    (:data:`AGGREGATE_COLUMNS`):

    - ``group``: the doc_id, or the group label (:func:`group_labels`);
    - ``n``: occurrences the figure rests on; ``n_docs``: documents they are in;
    - ``mean``: mean score of the occurrences' contexts (each occurrence counts once);
    - ``lo``, ``hi``: 95% percentile bootstrap interval of that mean over the
      occurrences (``n_boot`` resamples, ``seed``), ``interval_basis="occurrences"``;
      NaN and ``"none"`` for a single occurrence;
    - ``overall``: the document's tone as a whole (the method's ``document_measure``,
      a word-weighted mean over all its sentences), or for a group the mean of that
      over all the group's documents;
    - ``difference`` = ``mean - overall``.
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")
    m = _methods(method)[0]
    if m.name not in occ.columns:
        raise ValueError(f"the occurrences were not scored by {m.name!r}")
    if m.document_measure not in doc_scores.columns:
        raise ValueError(f"doc_scores has no {m.document_measure!r} column")
    key = by or "doc_id"
    if key not in docs.columns:
        raise ValueError(f"no metadata column {key!r} (columns: {list(docs.columns)})")
    meta = docs[["doc_id"] + ([key] if key != "doc_id" else [])].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    meta["_group"] = group_labels(meta, key).to_numpy()
    label_of = dict(zip(meta["doc_id"], meta["_group"]))
    sel = occ[occ["context"] == context].reset_index(drop=True)
    sel = sel[sel["doc_id"].astype(str).isin(label_of)]
    # the tone as a whole: the mean of the group's document values (NaN ones left out), as
    # sentiment.group_scores gives it (no interval needed here)
    whole = meta.merge(doc_scores[["doc_id", m.document_measure]].assign(doc_id=lambda t: t["doc_id"].astype(str)),
                       on="doc_id", how="left")
    overall_of = whole.groupby("_group")[m.document_measure].mean().to_dict()
    frames = []
    for phrase in dict.fromkeys(sel["phrase"]):
        o = sel[sel["phrase"] == phrase]
        ids = [f"o{i}" for i in range(len(o))]
        occ_scores = pd.DataFrame({"doc_id": ids, "score": o[m.name].to_numpy(dtype=float)})
        occ_meta = pd.DataFrame({"doc_id": ids, "_group": o["doc_id"].astype(str).map(label_of).to_numpy()})
        g = sentiment.group_scores(occ_scores, occ_meta, "_group", "score", n_boot=n_boot, seed=seed)
        n_docs = o.assign(_group=occ_meta["_group"].to_numpy()).groupby("_group")["doc_id"].nunique()
        g = g.rename(columns={"n_docs": "n"})
        g["n_docs"] = g["group"].map(n_docs).astype(np.int64)
        g["interval_basis"] = np.where(g["interval_basis"] == "documents", "occurrences", "none")
        g["overall"] = g["group"].map(overall_of).astype(float)
        g["difference"] = g["mean"] - g["overall"]
        g.insert(0, "phrase", phrase)
        g.insert(1, "context", context)
        g.insert(2, "method", m.name)
        frames.append(g)
    if not frames:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[AGGREGATE_COLUMNS]
    return out.astype({"n": np.int64, "n_docs": np.int64})


def _signed(x: float) -> str:
    """``+0.12`` / ``−0.05`` (a true minus sign, as :mod:`analysis.plain` writes it) / ``0.00``."""
    s = f"{float(x):+.2f}"
    return "0.00" if float(s) == 0 else s.replace("-", "\u2212")


#: Columns whose values are named in the possessive ("Labour's sentences about ...").
POSSESSIVE = frozenset({"author", "party", "source", "speaker", "president", "outlet", "publisher", "name"})


def direction(mean, overall) -> str | None:
    """How the tone around a phrase compares with the tone as a whole: "more negative",
    "more positive" or "about the same" (both round to the same two decimals, as the readings
    print them); None when either is missing. Whether it rests on enough occurrences to mean
    anything is :data:`MIN_SURE`'s question, not this one's."""
    if mean is None or overall is None or pd.isna(mean) or pd.isna(overall):
        return None
    if round(float(mean), 2) == round(float(overall), 2):
        return "about the same"
    return "more negative" if mean < overall else "more positive"


def reading(row, by: str | None = None, group_name: str | None = None, window: int = DEFAULT_WINDOW) -> str:
    """One plain-English sentence for a row of :func:`tone_near`, e.g. "Daniel Zeichner's
    sentences about ‘single market’ are more negative than Daniel Zeichner's text as a whole
    (-0.12 vs +0.10, 2 occurrences - too few to be sure)."

    ``by``: the column the rows were grouped by (None: per document; "date": per year);
    ``group_name``: how the group is named (default: its label). The verdict: fewer than
    :data:`MIN_SURE` occurrences are "too few to be sure"; else the 95% interval over the
    occurrences either includes the tone as a whole ("could be chance") or leaves it out.
    "About as positive as" when both round to the same two decimals.
    """
    phrase = f"‘{row['phrase']}’"
    label = str(row["group"])
    name = group_name or label
    near = "sentences about" if row["context"] == "sentence" else "words near"
    column = (by or "").replace("_", " ")
    if by is None:
        subject, whole = f"In {name}, the {near} {phrase}", "the text as a whole"
    elif by == "date":
        subject, whole = ((f"In {name}, the {near} {phrase}", f"the {name} texts as a whole") if label else
                          (f"In the undated texts, the {near} {phrase}", "those texts as a whole"))
    elif not label:
        subject, whole = f"In the texts with no {column}, the {near} {phrase}", "those texts as a whole"
    elif by in POSSESSIVE:
        subject, whole = f"{name}'s {near} {phrase}", f"{name}'s text as a whole"
    else:
        subject, whole = f"In the texts whose {column} is {name}, the {near} {phrase}", "those texts as a whole"
    mean, overall, n = float(row["mean"]), float(row["overall"]), int(row["n"])
    plural = "s" if n != 1 else ""
    side = direction(mean, overall)
    if side is None:
        return f"{subject}: {n} occurrence{plural}, no tone to compare."
    comp = "about as positive as" if side == "about the same" else f"{side} than"
    span = "" if row["context"] == "sentence" else f", {window} words either side"
    counts = f"{_signed(mean)} vs {_signed(overall)}{span}, {n} occurrence{plural}"
    lo, hi = row.get("lo"), row.get("hi")
    if n < MIN_SURE or lo is None or pd.isna(lo):
        verdict = " - too few to be sure"
    elif lo <= overall <= hi:
        verdict = f"; the 95% interval, {_signed(lo)} to {_signed(hi)}, includes the whole-text figure: it could be chance"
    else:
        verdict = f"; the 95% interval, {_signed(lo)} to {_signed(hi)}, leaves the whole-text figure out"
    return f"{subject} are {comp} {whole} ({counts}{verdict})."


def summary(table: pd.DataFrame) -> str:
    """One plain sentence over the rows of :func:`tone_near` for one phrase (one context and method):
    how many comparisons rest on at least :data:`MIN_SURE` occurrences, and of those how many find
    the words around the phrase more negative or more positive than the texts as a whole beyond
    chance (the 95% interval leaves the whole-text figure out). The rows' own readings say "too few
    to be sure" one by one; this says it once for all of them, before a reader adds them up ("" for
    fewer than two rows: the row's own reading says it)."""
    if len(table) < 2:
        return ""
    phrase = f"‘{table['phrase'].iloc[0]}’"
    sure = table[(table["n"] >= MIN_SURE) & table["lo"].notna() & table["overall"].notna()]
    if sure.empty:
        return (f"No comparison here rests on {MIN_SURE} or more occurrences of {phrase}: too few to say whether "
                "the phrase comes with warmer or colder words than the rest of the text.")
    below = int((sure["hi"] < sure["overall"]).sum())
    above = int((sure["lo"] > sure["overall"]).sum())
    chance = len(sure) - below - above
    n = len(table)
    head = (f"{'All' if len(sure) == n else f'{len(sure):,} of the'} {n:,} comparisons rest on {MIN_SURE} or more "
            f"occurrences of {phrase}")
    parts = [f"{below:,} find{'s' if below == 1 else ''} more negative words around it than in the texts as a whole",
             f"{above:,} more positive ones"]
    return (f"{head}; of {'those' if len(sure) > 1 else 'that one'}, " + " and ".join(parts)
            + f", beyond chance; in {chance:,} the difference could be chance.")


def tone_table(occ: pd.DataFrame, docs: pd.DataFrame, doc_scores: pd.DataFrame, by: str | None = None,
               window: int = DEFAULT_WINDOW, names: dict | None = None, methods=None, contexts=CONTEXTS,
               n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """:func:`tone_near` for every context and method (those scored in ``occ`` by default),
    stacked, with a ``reading`` column (:func:`reading`; ``names``: group label -> display
    name). ``window`` is only used in the wording: it should be the one ``occ`` was made with."""
    chosen = [m for m in _methods(methods) if m.name in occ.columns]
    frames = []
    for context in contexts:
        for m in chosen:
            t = tone_near(occ, docs, doc_scores, by=by, context=context, method=m.name, n_boot=n_boot, seed=seed)
            t["reading"] = [reading(r, by, (names or {}).get(r["group"]), window) for _, r in t.iterrows()]
            frames.append(t)
    if not frames:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS + ["reading"])
    return pd.concat(frames, ignore_index=True)


def evidence_words(text: str, method: str = "textblob", limit: int = 6) -> str:
    """The words that drove ``method``'s score of ``text``, strongest first, as
    "word (+0.70), not good (-0.35)"; "" when none. TextBlob: its scored chunks with their
    polarity (:func:`analysis.sentiment.sentence_evidence`); VADER: its lexicon words with
    their valence / 4, before VADER's rules (negation, boosters)."""
    ev = _methods(method)[0].evidence(text)
    ev = sorted((e for e in ev if e[1] != 0), key=lambda e: -abs(e[1]))[:limit]
    return ", ".join(f"{w} ({v:+.2f})" for w, v in ev)


def with_evidence(occ: pd.DataFrame, docs: pd.DataFrame, methods=None, every: pd.DataFrame | None = None) -> pd.DataFrame:
    """``occ`` (:func:`occurrences`) with an ``evidence_<method>`` column per method: the words
    that drove the method's score of each context, phrase blanked (:func:`evidence_words`).
    ``docs`` must hold the documents' cleaned ``text``; ``every``: all the occurrences of those
    documents when ``occ`` is a selection of them (the ones to blank). About 0.1 ms per row."""
    chosen = [m for m in _methods(methods) if m.name in occ.columns]
    texts = dict(zip(docs["doc_id"].astype(str), docs["text"].fillna("").astype(str)))
    spans: dict[tuple, list] = {}
    every = occ if every is None else every
    for d, p, a, b in zip(every["doc_id"].astype(str), every["phrase"], every["start"], every["end"]):
        spans.setdefault((d, p), set()).add((int(a), int(b)))
    masked = []
    for d, p, a, b in zip(occ["doc_id"].astype(str), occ["phrase"], occ["ctx_start"], occ["ctx_end"]):
        inside = [(x, y) for x, y in spans.get((d, p), ()) if x < b and y > a]
        masked.append(_mask(texts.get(d, "")[a:b], a, inside))
    out = occ.copy()
    for m in chosen:
        out[f"evidence_{m.name}"] = [evidence_words(t, m.name) for t in masked]
    return out


def occurrence_rows(occ: pd.DataFrame, docs: pd.DataFrame, context: str = "sentence", method: str = "textblob",
                    phrase: str | None = None, group: str | None = None, by: str | None = None,
                    limit: int | None = None) -> pd.DataFrame:
    """The occurrences a figure of :func:`tone_near` rests on, as keyword-in-context rows.

    Filters ``occ`` (:func:`occurrences`) to ``context``, ``phrase`` (normalised
    as typed) and the documents of ``group`` (a label of :func:`group_labels` for
    ``by``; with ``by=None`` a doc_id); ``limit`` keeps the first rows. Columns:
    ``doc_id, phrase, start, end, left, match, right, score`` (the method's score
    of the context, the phrase blanked), ``n_words`` and ``evidence`` (the words that
    drove the score, :func:`evidence_words`, of the blanked context).
    """
    m = _methods(method)[0]
    sel = occ[occ["context"] == context]
    if phrase is not None:
        sel = sel[sel["phrase"] == normalise_phrase(phrase)]
    if group is not None:
        labels = group_labels(docs, by or "doc_id")
        ids = set(docs["doc_id"].astype(str)[labels.to_numpy() == str(group)])
        sel = sel[sel["doc_id"].astype(str).isin(ids)]
    if limit is not None:
        sel = sel.head(limit)
    sel = with_evidence(sel, docs, [m.name], every=occ)
    out = sel[["doc_id", "phrase", "start", "end", "left", "match", "right"]].copy()
    out["score"] = sel[m.name].to_numpy(dtype=float)
    out["n_words"] = sel["n_words"].to_numpy()
    out["evidence"] = sel[f"evidence_{m.name}"].to_numpy()
    return out.reset_index(drop=True)
