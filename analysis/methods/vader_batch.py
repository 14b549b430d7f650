"""VADER's compound score of many texts at once, worked out over arrays.

:func:`compounds` gives for each text exactly :func:`analysis.methods.vader.vader_compound`
(VADER 3.3.2's ``polarity_scores(text)["compound"]``, the tests compare them with the library);
:func:`document_compounds` gives for each ``(text, sentence_spans)`` the score of every sentence
and of the whole text. The answer is the same; the speed is not. The per-text path runs VADER's
rules word by word in Python; here the texts' words are split once, every distinct word is looked
up once, and the rules (a lexicon word's valence read with the three words before it and the two
after it, the capitals, negations, boosters, idioms and "least") run as array operations over all
the lexicon words of all the texts together. Only the "but" rule, which VADER applies with
``list.index`` on values, still runs text by text, on the texts that hold a "but", and texts
holding an emoji (spelled out first by VADER, so its words are not the text's) are scored by
:func:`~analysis.methods.vader.vader_compound`.

A sentence's valences read only its own words; the whole text's read across the sentences'
boundaries and weigh capitals by the whole text. Where the sentences are separated by whitespace
and nothing else lies outside them, the whole text's words are the sentences' words one after
another, so they are split once and read twice (with two sets of boundaries).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from analysis.methods.vader import but_rule, has_emoji, load_vader, strip_punctuation, vader_compound

__all__ = ["compounds", "document_compounds"]

# Words VADER's rules name; each gets a number (its class) so the rules compare arrays of numbers.
_NAMED = ("no", "or", "nor", "so", "this", "never", "without", "doubt", "least", "at", "very",
          "kind", "of", "but")
_CLASS = {w: k + 1 for k, w in enumerate(_NAMED)}
(NO, OR, NOR, SO, THIS, NEVER, WITHOUT, DOUBT, LEAST, AT, VERY, KIND, OF, BUT) = range(1, len(_NAMED) + 1)

# The n-grams VADER's idiom check builds around word i, as offsets from i, in the order it tries them.
_IDIOMS_BEFORE = ((-1, 0), (-2, -1, 0), (-2, -1), (-3, -2, -1), (-3, -2))
_BOOSTER_NGRAMS = ((-3, -2, -1), (-3, -2), (-2, -1))


class _Words:
    """Whitespace-separated tokens of many texts, in one flat array, with what VADER's rules read
    of each distinct lower-cased word."""

    def __init__(self, raw: list[str], vd):
        codes, uniq = pd.factorize(np.array(raw, dtype=object)) if raw else (np.zeros(0, np.int64), [])
        # SentiText strips the punctuation off each token (unless two characters or fewer are left)
        words = [t if t.isalnum() else strip_punctuation(t) for t in uniq]
        low_code, low = pd.factorize(np.array([w.lower() for w in words], dtype=object)) if words else \
            (np.zeros(0, np.int64), np.zeros(0, dtype=object))
        self.n = len(raw)
        self.upper = np.fromiter(map(str.isupper, words), dtype=bool, count=len(words))[codes]
        self.lc = low_code[codes]  # each token's lower-cased word, as a number
        self.low = np.asarray(low, dtype=object)
        lex, booster, negate = vd.lexicon, vd.booster, vd.negate
        n_low = len(low)
        self.in_lex = np.fromiter((w in lex for w in low), dtype=bool, count=n_low)
        self.valence = np.fromiter((lex.get(w, 0.0) for w in low), dtype=np.float64, count=n_low)
        self.in_booster = np.fromiter((w in booster for w in low), dtype=bool, count=n_low)
        self.boost = np.fromiter((booster.get(w, 0.0) for w in low), dtype=np.float64, count=n_low)
        self.negated = np.fromiter((w in negate or "n't" in w for w in low), dtype=bool, count=n_low)
        self.cls = np.fromiter((_CLASS.get(w, 0) for w in low), dtype=np.int8, count=n_low)
        index = pd.Index(low)
        # multi-word idioms and boosters as tuples of word numbers (keys with a word absent here cannot occur)
        self.special = self._keyed(vd.special, index)
        self.booster_ngrams = self._keyed(booster, index)

    @staticmethod
    def _keyed(table: dict, index: pd.Index) -> dict[int, list]:
        """``{n_words: [(word numbers, value), ...]}`` for the keys of ``table`` of two words or more."""
        out: dict[int, list] = {}
        for key, value in table.items():
            parts = key.split(" ")
            if len(parts) < 2:
                continue
            got = index.get_indexer(parts)
            if (got >= 0).all():
                out.setdefault(len(parts), []).append((got, float(value)))
        return out


def _ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(segment, position)`` of every token inside the segments ``[starts[k], ends[k])``."""
    lens = ends - starts
    seg = np.repeat(np.arange(len(starts)), lens)
    offset = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
    return seg, starts[seg] + offset


def _valences(w: _Words, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """VADER's rule-adjusted valence of every lexicon word, each read within its segment
    ``[starts[k], ends[k])`` of the flat tokens (a text's words); 0 elsewhere, as VADER leaves
    words that are not in the lexicon, booster words and the "kind" of "kind of"."""
    out = np.zeros(w.n, dtype=np.float64)
    if not w.n:
        return out
    lc, cls, upper = w.lc, w.cls, w.upper
    top = w.n - 1
    seg, pos = _ranges(starts, ends)
    here = lc[pos]
    kind_of = (cls[here] == KIND) & (pos + 1 < ends[seg]) & (cls[lc[np.minimum(pos + 1, top)]] == OF)
    keep = w.in_lex[here] & ~w.in_booster[here] & ~kind_of
    seg, i = seg[keep], pos[keep]
    if not len(i):
        return out
    rel = i - starts[seg]
    has_next, has_next2 = i + 1 < ends[seg], i + 2 < ends[seg]
    has1, has2, has3 = rel >= 1, rel >= 2, rel >= 3

    def at(off):  # the lower-cased word numbers at i + off (clipped where there is none)
        return lc[np.clip(i + off, 0, top)]

    caps_before = np.concatenate(([0], np.cumsum(upper)))
    n_caps = caps_before[ends] - caps_before[starts]
    cap_diff = ((n_caps > 0) & (n_caps < ends - starts))[seg]  # some but not all words upper case
    l1, l2, l3 = at(-1), at(-2), at(-3)
    c0 = cls[lc[i]]
    c1, c2, c3 = np.where(has1, cls[l1], -1), np.where(has2, cls[l2], -1), np.where(has3, cls[l3], -1)
    vd = load_vader()
    N_SCALAR, C_INCR = vd.n_scalar, vd.c_incr

    base = w.valence[lc[i]]
    valence = np.where((c0 == NO) & has_next & w.in_lex[at(1)], 0.0, base)
    valence = np.where((c1 == NO) | (c2 == NO) | ((c3 == NO) & ((c1 == OR) | (c1 == NOR))), base * N_SCALAR, valence)
    valence = np.where(cap_diff & upper[i], np.where(valence > 0, valence + C_INCR, valence - C_INCR), valence)

    def scalar(valence, before, k):
        """VADER's scalar_inc_dec: the booster ``before`` (the words k before i), signed as the
        valence, raised when shouted."""
        boosted = w.in_booster[before]
        sc = np.where(boosted, w.boost[before], 0.0)
        sc = np.where(boosted & (valence < 0), sc * -1, sc)
        shout = boosted & cap_diff & upper[np.clip(i - k, 0, top)]
        return np.where(shout, np.where(valence > 0, sc + C_INCR, sc - C_INCR), sc)

    # the word before (when it exists and is not in the lexicon)
    live = has1 & ~w.in_lex[l1]
    valence = np.where(live, valence + scalar(valence, l1, 1), valence)
    valence = np.where(live & w.negated[l1], valence * N_SCALAR, valence)
    # two words before
    live = has2 & ~w.in_lex[l2]
    sc = scalar(valence, l2, 2)
    valence = np.where(live, valence + np.where(sc != 0, sc * 0.95, sc), valence)
    never_so = (c2 == NEVER) & ((c1 == SO) | (c1 == THIS))
    without_doubt = (c2 == WITHOUT) & (c1 == DOUBT)
    valence = np.where(live & never_so, valence * 1.25, valence)
    valence = np.where(live & ~never_so & ~without_doubt & w.negated[l2], valence * N_SCALAR, valence)
    # three words before, then the idioms
    live = has3 & ~w.in_lex[l3]
    sc = scalar(valence, l3, 3)
    valence = np.where(live, valence + np.where(sc != 0, sc * 0.9, sc), valence)
    so_this = ((c3 == NEVER) & ((c2 == SO) | (c2 == THIS))) | (c1 == SO) | (c1 == THIS)
    without_doubt = (c3 == WITHOUT) & ((c2 == DOUBT) | (c1 == DOUBT))
    valence = np.where(live & so_this, valence * 1.25, valence)
    valence = np.where(live & ~so_this & ~without_doubt & w.negated[l3], valence * N_SCALAR, valence)
    if live.any():
        valence = _idioms(w, valence, live, at, has_next, has_next2)
    # "least" before the word (unless "at least" or "very least")
    if not vd.least_in_lex:
        least = (c1 == LEAST) & (~has2 | ((c2 != AT) & (c2 != VERY)))
        valence = np.where(least, valence * N_SCALAR, valence)
    out[i] = valence
    return out


def _ngram_values(w: _Words, table: dict, offsets: tuple, at, where: np.ndarray) -> np.ndarray:
    """The value in ``table`` (idioms or boosters, as :meth:`_Words._keyed`) of the n-gram at
    ``offsets`` from each position, where ``where`` holds; NaN where it is not a key."""
    out = np.full(len(where), np.nan)
    for key, value in table.get(len(offsets), ()):
        match = where.copy()
        for off, code in zip(offsets, key):
            match &= at(off) == code
        out[match] = value
    return out


def _idioms(w: _Words, valence, live, at, has_next, has_next2):
    """VADER's _special_idioms_check at the positions ``live``."""
    chosen = np.full(len(valence), np.nan)
    for offsets in _IDIOMS_BEFORE:  # the first of these n-grams that is an idiom sets the valence
        got = _ngram_values(w, w.special, offsets, at, live)
        chosen = np.where(np.isnan(chosen), got, chosen)
    for offsets, there in (((0, 1), has_next), ((0, 1, 2), has_next2)):  # then these, each overriding
        got = _ngram_values(w, w.special, offsets, at, live & there)
        chosen = np.where(np.isnan(got), chosen, got)
    valence = np.where(np.isnan(chosen), valence, chosen)
    for offsets in _BOOSTER_NGRAMS:
        got = _ngram_values(w, w.booster_ngrams, offsets, at, live)
        valence = np.where(np.isnan(got), valence, valence + got)
    return valence


def _scores(w: _Words, starts: np.ndarray, ends: np.ndarray, texts: Sequence[str]) -> list[float]:
    """VADER's compound score of each segment ``[starts[k], ends[k])`` of the flat tokens, whose
    text (for its "!" and "?") is ``texts[k]``."""
    valences = _valences(w, starts, ends)
    buts = np.concatenate(([0], np.cumsum(w.cls[w.lc] == BUT)))
    has_but = ((buts[ends] - buts[starts]) > 0).tolist()
    nonzero = np.flatnonzero(valences)
    values = valences[nonzero].tolist()
    first = np.searchsorted(nonzero, starts).tolist()
    last = np.searchsorted(nonzero, ends).tolist()
    sums = []
    for k in range(len(texts)):
        if has_but[k]:
            a, b = int(starts[k]), int(ends[k])
            sums.append(float(sum(but_rule(valences[a:b].tolist(), w.low[w.lc[a:b]].tolist()))))
        else:
            # the non-zero valences in order, summed by Python's sum as VADER sums them (zeros change no sum)
            sums.append(float(sum(values[first[k]:last[k]])))
    return _compounds_of_sums(np.array(sums, dtype=np.float64), texts)


def _compounds_of_sums(sum_s: np.ndarray, texts: Sequence[str]) -> list[float]:
    """:func:`~analysis.methods.vader.compound_of_sum` of each sum and text, over arrays (the same
    float operations in the same order; Python's ``round`` at the end, as VADER rounds)."""
    bangs = np.minimum(np.fromiter((t.count("!") for t in texts), dtype=np.int64, count=len(texts)), 4)
    asks = np.fromiter((t.count("?") for t in texts), dtype=np.int64, count=len(texts))
    asked = np.where(asks <= 1, 0.0, np.where(asks <= 3, asks * 0.18, 0.96))
    punct = bangs * 0.292 + asked
    sum_s = np.where(sum_s > 0, sum_s + punct, np.where(sum_s < 0, sum_s - punct, sum_s))
    norm = np.clip(sum_s / np.sqrt((sum_s * sum_s) + 15), -1.0, 1.0)
    return [round(x, 4) for x in norm.tolist()]


def compounds(texts: Sequence[str]) -> list[float]:
    """VADER's compound score of each text, equal to :func:`~analysis.methods.vader.vader_compound`
    (-1 most negative to +1 most positive; 0 when no VADER word occurs)."""
    vd = load_vader()
    out: list = [None] * len(texts)
    raw: list[str] = []
    starts, ends, scored = [], [], []
    for k, text in enumerate(texts):
        if has_emoji(text, vd):
            out[k] = vader_compound(text)
            continue
        starts.append(len(raw))
        raw += text.split()
        ends.append(len(raw))
        scored.append(k)
    if scored:
        got = _scores(_Words(raw, vd), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
                      [texts[k] for k in scored])
        for k, v in zip(scored, got):
            out[k] = v
    return out


def _words_tile(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether the spans' words, one after another, are the text's words: the spans are in
    order, separated by whitespace, and nothing but whitespace lies outside them."""
    prev_end = 0
    for k, (s, e) in enumerate(spans):
        if s < prev_end or (k > 0 and s == prev_end):
            return False
        if s > prev_end and not text[prev_end:s].isspace():
            return False
        prev_end = max(prev_end, e)
    return prev_end >= len(text) or text[prev_end:].isspace()


def document_compounds(items: Sequence[tuple[str, Sequence[tuple[int, int]]]]) -> list[tuple[list[float], float]]:
    """For each ``(text, sentence_spans)``: ``(sentence_scores, text_score)``, VADER's compound
    score of each span ``text[s:e]`` and of the whole text (:func:`compounds` of them)."""
    vd = load_vader()
    out: list = [None] * len(items)
    raw: list[str] = []
    starts, ends, texts = [], [], []  # the sentences', then the documents'
    doc_starts, doc_ends, doc_texts, scored = [], [], [], []
    for k, (text, spans) in enumerate(items):
        if has_emoji(text, vd):
            out[k] = ([vader_compound(text[s:e]) for s, e in spans], vader_compound(text))
            continue
        first = len(raw)
        for s, e in spans:
            sentence = text[s:e]
            starts.append(len(raw))
            raw += sentence.split()
            ends.append(len(raw))
            texts.append(sentence)
        if not _words_tile(text, spans):  # the whole text's words, split apart from the sentences'
            first = len(raw)
            raw += text.split()
        doc_starts.append(first)
        doc_ends.append(len(raw))
        doc_texts.append(text)
        scored.append((k, len(spans)))
    if scored:
        words = _Words(raw, vd)
        sentences = iter(_scores(words, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), texts))
        docs = _scores(words, np.array(doc_starts, dtype=np.int64), np.array(doc_ends, dtype=np.int64), doc_texts)
        for (k, n), doc in zip(scored, docs):
            out[k] = ([next(sentences) for _ in range(n)], doc)
    return out
