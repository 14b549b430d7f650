"""Phrase tracking, dispersion and keyword-in-context (KWIC).

A tracked phrase is one or more words typed by the user. It is matched in each
document's cleaned text (``docs["text"]``) by a regular expression that
:func:`compile_phrase` builds:

- case-insensitive;
- curly and straight apostrophes alike ("won't" = "won’t");
- a hyphen and white space alike between words, and any run of white space
  (line breaks included) alike: "left-behind" = "left behind" = "left\\n behind"
  (a hyphen may have white space around it, as in a word broken at a line end);
- ``*`` stands for exactly one word (a token as :data:`analysis.corpus.segment.WORD_RE`
  defines it, so "well-off" is one word): "left * behind";
- on word boundaries: the match may not start right after, or end right before,
  a letter or digit, so "single market" does not match "single marketing"
  (but does match "single market’s");
- quotes around the whole phrase are ignored (‘left behind’ = left behind).

Matches of one phrase do not overlap (they are found left to right). Every hit
has character offsets ``start``/``end`` into the cleaned text, half-open, so
``text[start:end]`` is the matched text, and a relative position
``rel_pos = start / len(text)`` (0 = the first character, near 1 = the end) for
dispersion plots. Rates are ``count / n_words * 10_000`` with ``n_words`` the
document's word tokens (``docs["n_words"]``, see
:func:`analysis.methods.terms.doc_word_counts`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from analysis.corpus.segment import WORD_RE, tokens
from analysis.methods.terms import docs_frame, rate_per_10k, doc_word_counts

_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019\u2018"
_SPLIT_RE = re.compile(r"[\s" + re.escape(_HYPHENS) + r"]+")
# Between two words of a phrase: one hyphen (white space around it allowed) or white space.
_SEP = r"(?:\s*[" + re.escape(_HYPHENS) + r"]\s*|\s+)"
# "++": a run of letters is never split (a separator cannot start inside it),
# so the engine need not try; pieces joined by hyphens may still backtrack.
_WILDCARD = r"[^\W_]++(?:[" + re.escape(_APOSTROPHES + _HYPHENS) + r"][^\W_]++)*"
_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"

HIT_COLUMNS = ["doc_id", "phrase", "start", "end", "rel_pos", "match"]
KWIC_COLUMNS = ["doc_id", "phrase", "start", "end", "left", "match", "right"]


def normalise_phrase(phrase: str) -> str:
    """The phrase as shown in tables: surrounding quotes dropped, white space
    collapsed to single spaces (case and hyphens kept as typed)."""
    return " ".join(str(phrase).strip().strip(_QUOTES).split())


def _phrase_words(phrase: str) -> list[str]:
    words = [w for w in _SPLIT_RE.split(normalise_phrase(phrase)) if w]
    if not any(w != "*" for w in words):
        raise ValueError(f"phrase {phrase!r} has no words to look for")
    for w in words:
        if "*" in w and w != "*":
            raise ValueError(f"in {phrase!r}: '*' must stand alone as a word (it matches exactly one word)")
    return words


def _word_pattern(word: str) -> str:
    if word == "*":
        return _WILDCARD
    return "".join(f"[{re.escape(_APOSTROPHES)}]" if ch in _APOSTROPHES else re.escape(ch) for ch in word)


@lru_cache(maxsize=512)
def compile_phrase(phrase: str) -> re.Pattern:
    """A compiled regular expression matching ``phrase`` as the module
    docstring describes (case-insensitive; apostrophes, hyphen/space and
    white space unified; ``*`` = one word; word boundaries).

    Raises ``ValueError`` for a phrase with no words or a ``*`` glued to a word.
    """
    body = _SEP.join(_word_pattern(w) for w in _phrase_words(phrase))
    return re.compile(_LEFT_EDGE + body + _RIGHT_EDGE, re.IGNORECASE)


_LEFT_EDGE = r"(?<![^\W_])"
_RIGHT_EDGE = r"(?![^\W_])"
_WORD_CHAR = re.compile(r"[^\W_]")


@lru_cache(maxsize=512)
def _fast_patterns(phrase: str) -> tuple[int, re.Pattern, re.Pattern | None, re.Pattern]:
    """Patterns for searching lower-cased text quickly, with the same hits as
    :func:`compile_phrase` (about 30x faster on long texts).

    Returns ``(j, rest, back)``: ``j`` leading wildcards; ``rest`` matches the
    phrase from its first literal word on, case-sensitively and without the
    left-edge look-behind (which would stop the regex engine from jumping to
    the literal; the edge is checked separately); ``back`` (when ``j > 0``)
    matches ``j`` words, each followed by a separator, ending where ``rest``
    begins; ``full`` is the whole phrase without the left-edge look-behind,
    run from the start found so that the hit is the one ``finditer`` would
    give (its greedy wildcards may reach past the first literal hit).
    """
    words = [w if w == "*" else w.lower() for w in _phrase_words(phrase)]
    j = next(i for i, w in enumerate(words) if w != "*")
    rest = re.compile(_SEP.join(_word_pattern(w) for w in words[j:]) + _RIGHT_EDGE)
    back = re.compile(_LEFT_EDGE + f"(?:{_WILDCARD}{_SEP}){{{j}}}" + r"\Z") if j else None
    full = re.compile(_SEP.join(_word_pattern(w) for w in words) + _RIGHT_EDGE)
    return j, rest, back, full


def _spans(phrase: str, text: str, lowered: str | None) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every hit of ``phrase`` in ``text``, left to right,
    not overlapping (as ``finditer`` finds them). ``lowered`` is
    ``text.lower()``, or ``None`` when lower-casing changed the text's length
    (e.g. "İ"): then the exact pattern runs on ``text`` itself."""
    if lowered is None:
        for m in compile_phrase(phrase).finditer(text):
            yield m.span()
        return
    j, rest, back, full = _fast_patterns(phrase)
    pos, last_end, n = 0, 0, len(lowered)
    while pos <= n:
        m = rest.search(lowered, pos)
        if m is None:
            return
        s, e = m.span()
        if j == 0:
            if s > 0 and _WORD_CHAR.match(lowered, s - 1):
                pos = s + 1  # starts inside a word: not a hit; look further on
                continue
            start = s
        else:
            # The leading wildcard words: search back from the literal, from a
            # white-space boundary far enough back (words contain no white space).
            lo = max(last_end, s - 200 * j)
            while lo > last_end and not lowered[lo - 1].isspace():
                lo -= 1
            b = back.search(lowered, lo, s)
            if b is None:
                pos = s + 1
                continue
            start = b.start()
            whole = full.match(lowered, start)
            if whole is not None:  # always, as the pieces match
                e = whole.end()
        yield start, e
        last_end = e
        pos = e if e > start else start + 1


def _as_list(phrases) -> list[str]:
    if isinstance(phrases, str):
        phrases = [phrases]
    out = list(dict.fromkeys(normalise_phrase(p) for p in phrases))
    for p in out:
        compile_phrase(p)  # validate early
    return out


def find_phrases(docs, phrases: str | Iterable[str]) -> pd.DataFrame:
    """Every hit of every phrase: one row per occurrence.

    ``docs``: a ``Prepared`` corpus or a DataFrame with ``doc_id`` and ``text``.
    ``phrases``: one phrase or a list (duplicates after
    :func:`normalise_phrase` are dropped).

    Columns (:data:`HIT_COLUMNS`): ``doc_id``; ``phrase`` (as normalised);
    ``start``, ``end`` (character offsets into the cleaned text,
    ``text[start:end]`` is the hit); ``rel_pos`` (``start / len(text)``, in
    [0, 1)); ``match`` (the text matched, as written). Rows are in document
    order, then by ``start``, then by phrase order.
    """
    frame = docs_frame(docs)
    plist = _as_list(phrases)
    rows = []
    texts = frame["text"].fillna("").astype(str).tolist()
    for d, (doc_id, text) in enumerate(zip(frame["doc_id"].astype(str), texts)):
        n = len(text)
        lowered = text.lower()
        if len(lowered) != n:
            lowered = None
        for k, p in enumerate(plist):
            for s, e in _spans(p, text, lowered):
                rows.append((d, k, doc_id, p, s, e, s / n, text[s:e]))
    out = pd.DataFrame(rows, columns=["_d", "_k"] + HIT_COLUMNS)
    out = out.sort_values(["_d", "start", "_k"], kind="stable").drop(columns=["_d", "_k"])
    return out.astype({"start": np.int64, "end": np.int64, "rel_pos": float}).reset_index(drop=True)


def phrase_counts(docs, phrases: str | Iterable[str], by: str | None = None,
                  hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts and rates of each phrase per document, or per group of documents.

    ``by=None``: one row per document x phrase (every pair, zeros included).
    Columns: ``doc_id``, ``phrase``, ``count`` (hits), ``n_words`` (words in
    the document), ``rate_per_10k`` (``count / n_words * 10_000``),
    ``positions`` (list of ``(start, end)`` offsets of the hits) and
    ``rel_positions`` (list of ``start / len(text)``).

    ``by="author"`` (any metadata column): one row per group x phrase; counts
    and words are summed over the group's documents, so the rate is the
    group's pooled rate. Columns: the ``by`` column, ``phrase``, ``count``,
    ``n_words``, ``rate_per_10k``, ``n_docs`` (documents in the group),
    ``doc_freq`` (documents with at least one hit), ``positions`` (list of
    ``(doc_id, start, end)``). Missing group values become ``""``. Groups sorted.

    ``hits``: the output of :func:`find_phrases` for the same documents, to
    avoid searching twice.
    """
    frame = docs_frame(docs)
    plist = _as_list(phrases)
    if hits is None:
        hits = find_phrases(frame, plist)
    doc_ids = frame["doc_id"].astype(str).to_numpy(dtype=object)
    n_words = doc_word_counts(frame)
    grid = pd.DataFrame({
        "doc_id": np.repeat(doc_ids, len(plist)),
        "phrase": np.tile(np.array(plist, dtype=object), len(doc_ids)),
        "n_words": np.repeat(n_words, len(plist)),
    })
    h = hits[hits["phrase"].isin(plist)]
    # Each hit's row in the grid; hits grouped per row, in their original order (vectorised:
    # a corpus of thousands of documents has tens of thousands of rows).
    row = pd.MultiIndex.from_arrays([grid["doc_id"], grid["phrase"]]).get_indexer(
        pd.MultiIndex.from_arrays([h["doc_id"].astype(str).to_numpy(dtype=object), h["phrase"].to_numpy(dtype=object)]))
    keep = np.flatnonzero(row >= 0)
    order = keep[np.argsort(row[keep], kind="stable")]
    counts = np.bincount(row[order], minlength=len(grid)).astype(np.int64)
    bounds = np.cumsum(counts)[:-1]

    def per_row(column: str) -> list[np.ndarray]:
        return np.split(h[column].to_numpy()[order], bounds) if len(grid) else []

    starts, ends = per_row("start"), per_row("end")
    grid["count"] = counts
    grid["rate_per_10k"] = rate_per_10k(grid["count"], grid["n_words"])
    if by is None:
        rel = per_row("rel_pos")
        grid["positions"] = [list(zip(s_.tolist(), e_.tolist())) for s_, e_ in zip(starts, ends)]
        grid["rel_positions"] = [r.tolist() for r in rel]
        return grid[["doc_id", "phrase", "count", "n_words", "rate_per_10k", "positions", "rel_positions"]]
    if by not in frame.columns:
        raise ValueError(f"no metadata column {by!r} (columns: {list(frame.columns)})")
    values = frame[by]
    values = values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)
    grid[by] = np.repeat(values, len(plist))
    grid["positions"] = [[(d, s_, e_) for s_, e_ in zip(ss.tolist(), es.tolist())]
                         for d, ss, es in zip(grid["doc_id"], starts, ends)]
    grid["hit"] = grid["count"] > 0
    grp = grid.groupby([by, "phrase"], sort=False)
    out = pd.DataFrame({
        "count": grp["count"].sum(),
        "n_words": grp["n_words"].sum(),
        "n_docs": grp.size(),
        "doc_freq": grp["hit"].sum(),
        "positions": grp["positions"].agg(lambda s: [x for lst in s for x in lst]),
    }).reset_index()
    out["rate_per_10k"] = rate_per_10k(out["count"], out["n_words"])
    order = {p: i for i, p in enumerate(plist)}
    out["_k"] = out["phrase"].map(order)
    out = out.sort_values([by, "_k"], kind="stable").reset_index(drop=True)
    out = out.astype({"count": np.int64, "n_words": np.int64, "n_docs": np.int64, "doc_freq": np.int64})
    return out[[by, "phrase", "count", "n_words", "rate_per_10k", "n_docs", "doc_freq", "positions"]]


_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?")


def date_period(value, freq: str = "year") -> str | None:
    """The period of a date written "YYYY", "YYYY-MM" or "YYYY-MM-DD" (anything
    after is ignored): "2016" for ``freq="year"``, "2016-06" for
    ``freq="month"``. ``None`` when the date is missing or lacks the part."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    m = _DATE_RE.match(str(value))
    if not m:
        return None
    if freq == "year":
        return m.group(1)
    if freq == "month":
        return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else None
    raise ValueError('freq must be "year" or "month"')


def phrase_by_date(docs, phrases: str | Iterable[str], freq: str = "year", date_column: str = "date",
                   hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts and pooled rates of each phrase per year (or month).

    Documents are grouped by the period of their ``date_column``
    (:func:`date_period`); documents without a usable date are left out and
    their number is in ``result.attrs["undated_docs"]``. Every period that has
    at least one dated document appears for every phrase (zeros included);
    periods with no documents are absent (no rate can be given for them).

    Columns: ``period`` ("YYYY" or "YYYY-MM"), ``phrase``, ``count``,
    ``n_words``, ``rate_per_10k`` (pooled: period's hits / period's words x
    10,000), ``n_docs``, ``doc_freq``. Sorted by period, then phrase order.
    """
    frame = docs_frame(docs)
    if date_column not in frame.columns:
        raise ValueError(f"documents table has no {date_column!r} column")
    periods = frame[date_column].map(lambda v: date_period(v, freq))
    dated = periods.notna()
    sub = frame.loc[dated].copy()
    sub["period"] = periods[dated].astype(str)
    if hits is not None:
        hits = hits[hits["doc_id"].isin(set(sub["doc_id"].astype(str)))]
    out = phrase_counts(sub, phrases, by="period", hits=hits).drop(columns="positions")
    out.attrs["undated_docs"] = int((~dated).sum())
    return out


def _left_start(text: str, start: int, window: int) -> int:
    """Start offset of the ``window``-th word before ``start`` (or of the first word)."""
    if window <= 0:
        return start
    span = 12 * window + 24
    while True:
        lo = max(0, start - span)
        starts = [m.start() for m in WORD_RE.finditer(text, lo, start)]
        # More words than needed: the first (maybe cut by ``lo``) is not used.
        if len(starts) > window or lo == 0:
            if not starts:
                return start
            return starts[-window] if len(starts) >= window else starts[0]
        span *= 4


def _right_end(text: str, end: int, window: int) -> int:
    """End offset of the ``window``-th word after ``end`` (or of the last word)."""
    if window <= 0:
        return end
    span = 12 * window + 24
    n = len(text)
    while True:
        hi = min(n, end + span)
        ends = [m.end() for m in WORD_RE.finditer(text, end, hi)]
        if len(ends) > window or hi == n:
            if not ends:
                return end
            return ends[window - 1] if len(ends) >= window else ends[-1]
        span *= 4


def _squash(s: str) -> str:
    return " ".join(s.split())


def kwic(docs, phrase: str | Iterable[str], window: int = 7, sort: str | None = None,
         hits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keyword in context: each hit of ``phrase`` with the words around it.

    ``window``: words of context on each side (default 7). ``left`` is the
    text from the start of the ``window``-th word before the hit to the hit,
    ``right`` from the end of the hit to the end of the ``window``-th word
    after it; both keep their punctuation, with white space runs (line breaks
    included) collapsed to one space and the ends trimmed. Context stops at
    the document's edges, not at sentence ends.

    ``sort``: ``None`` (document order, then position), ``"right"`` (by the
    right context's words, first word first) or ``"left"`` (by the left
    context's words read backwards, the word nearest the hit first), both
    compared case-insensitively as normalised tokens; the sort is stable, so
    ties keep document order.

    Columns (:data:`KWIC_COLUMNS`): ``doc_id``, ``phrase``, ``start``,
    ``end`` (offsets of the hit in the cleaned text), ``left``, ``match``,
    ``right``.
    """
    if sort not in (None, "left", "right"):
        raise ValueError('sort must be None, "left" or "right"')
    frame = docs_frame(docs)
    if hits is None:
        hits = find_phrases(frame, phrase)
    text_of = dict(zip(frame["doc_id"].astype(str), frame["text"].fillna("").astype(str)))
    rows = []
    for doc_id, p, start, end, match in zip(hits["doc_id"], hits["phrase"], hits["start"], hits["end"],
                                            hits["match"]):
        text = text_of[doc_id]
        ls, re_ = _left_start(text, start, window), _right_end(text, end, window)
        rows.append((doc_id, p, int(start), int(end), _squash(text[ls:start]), _squash(match),
                     _squash(text[end:re_])))
    if sort == "right":
        rows.sort(key=lambda r: tokens(r[6]))
    elif sort == "left":
        rows.sort(key=lambda r: tokens(r[4])[::-1])
    out = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    return out.astype({"start": np.int64, "end": np.int64})
