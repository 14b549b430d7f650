"""VADER 3.3.2's compound score, reproduced exactly and fast.

:func:`vader_compound` equals ``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``
as a float (the tests compare them on tens of thousands of real sentences): -1 (most negative) to
+1 (most positive), >= 0.05 positive and <= -0.05 negative by VADER's convention, 0 when no VADER
word occurs. It avoids the library's per-call rebuild of a lower-cased copy of the whole token
list for every sentiment word (quadratic in the text's length). The tables are the library's own
(``vader_lexicon.txt`` and its constants), read once per process (:func:`load_vader`).
Many texts at once are scored faster, over arrays, by :mod:`analysis.methods.vader_batch`.
"""

from __future__ import annotations

import heapq
import math
import string
import threading
from itertools import compress

__all__ = ["vader_compound", "load_vader", "has_emoji", "strip_punctuation", "but_rule", "compound_of_sum"]

_VD_LOCK = threading.Lock()
_VD = None


class _VaderTables:
    def __init__(self):
        import vaderSentiment.vaderSentiment as V  # stdlib-only module, cheap to import

        self.V = V
        analyzer = V.SentimentIntensityAnalyzer()
        self.analyzer = analyzer
        self.lexicon = analyzer.lexicon
        self.emojis = {k: v for k, v in analyzer.emojis.items() if len(k) == 1}
        self.booster = V.BOOSTER_DICT
        self.special = V.SPECIAL_CASES
        self.negate = frozenset(V.NEGATE)
        self.n_scalar = V.N_SCALAR
        self.c_incr = V.C_INCR
        self.punctuation = string.punctuation
        # The emoji pass can only change text holding a non-ASCII character.
        self.emoji_ascii = any(k.isascii() for k in self.emojis)
        # ... and only text holding one of its characters (most non-ASCII text holds only quotes,
        # dashes and accented letters)
        self.emoji_chars = frozenset(self.emojis)
        # First words of the multi-word idioms and booster n-grams.
        self.least_in_lex = "least" in self.lexicon
        self.idiom_first = frozenset(
            k.split(" ")[0] for k in list(self.special) + list(self.booster) if " " in k)


def load_vader() -> _VaderTables:
    """Read VADER's tables (once per process; later calls return them at once)."""
    global _VD
    if _VD is None:
        with _VD_LOCK:
            if _VD is None:
                _VD = _VaderTables()
    return _VD


def _vader_demoji(text: str, emojis: dict) -> str:
    out = []
    prev_space = True
    for ch in text:
        if ch in emojis:
            if not prev_space:
                out.append(" ")
            out.append(emojis[ch])
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out)


_ASCII_PUNCTUATION = string.punctuation


def strip_punctuation(token: str) -> str:
    """A whitespace-separated token as VADER reads it (SentiText._strip_punc_if_word): ASCII
    punctuation stripped from both ends, unless two characters or fewer would be left."""
    stripped = token.strip(_ASCII_PUNCTUATION)
    if len(stripped) <= 2:
        return token
    return stripped


def has_emoji(text: str, vd) -> bool:
    """Whether ``text`` holds one of VADER's emoji characters (``vd``: :func:`load_vader`), which
    VADER spells out as words before scoring; only then can that pass change the text."""
    return (vd.emoji_ascii or not text.isascii()) and not vd.emoji_chars.isdisjoint(text)


def _words(text: str, vd, emoji: bool) -> tuple[list, list, str]:
    """``(words, low, text)``: VADER's tokens of ``text`` (emoji spelled out when ``emoji``
    (:func:`has_emoji`), the text stripped, split at whitespace, punctuation stripped from each
    word as ``SentiText`` does), lower-cased, and the stripped text."""
    if emoji:
        text = _vader_demoji(text, vd.emojis)
    text = text.strip()
    # SentiText._strip_punc_if_word on each whitespace-separated token.
    words = [t if t.isalnum() else strip_punctuation(t) for t in text.split()]
    return words, list(map(str.lower, words)), text


def _cap_diff(words: list) -> bool | None:
    """VADER's ``is_cap_diff`` (some but not all words are upper case), or None when no word is."""
    n_caps = sum(map(str.isupper, words))
    return (0 < len(words) - n_caps < len(words)) if n_caps else None


def vader_compound(text: str) -> float:
    """VADER's compound score, equal to ``polarity_scores(text)["compound"]``.

    In [-1, 1] (rounded to 4 decimals, as VADER does): the sum of the
    rule-adjusted valences of the lexicon words, normalised by
    x / sqrt(x^2 + 15). 0.0 when no lexicon word occurs. Conventionally
    >= 0.05 is read as positive and <= -0.05 as negative.
    """
    vd = _VD or load_vader()
    words, low, stripped = _words(text, vd, has_emoji(text, vd))
    nw = len(words)
    if nw == 0:
        return 0.0
    # words not in the lexicon, and booster words, score 0 (int)
    sentiments = _valences(words, low, _cap_diff(words), list(compress(range(nw), map(vd.lexicon.__contains__, low))),
                           [0] * nw, vd)
    return _finish(sentiments, low, stripped)


def _valences(words: list, low: list, is_cap_diff: bool, positions, sentiments: list, vd) -> list:
    """VADER's rule-adjusted valence of the lexicon word at each of ``positions`` of ``low`` (the
    lower-cased ``words``), written into ``sentiments`` (positions not written keep their value:
    0 for words that are not in the lexicon and for booster words). A valence depends on the word,
    the three words before it, the two after it, and ``is_cap_diff``; the list is returned."""
    lex = vd.lexicon
    booster = vd.booster
    negate = vd.negate
    N_SCALAR = vd.n_scalar
    C_INCR = vd.c_incr
    idiom_first = vd.idiom_first
    least_in_lex = vd.least_in_lex
    last = len(low) - 1
    for i in positions:
        lw = low[i]
        if lw in booster:
            continue
        if i < last and lw == "kind" and low[i + 1] == "of":
            continue
        # The (up to) three preceding words; None where there are none.
        w1 = low[i - 1] if i > 0 else None
        w2 = low[i - 2] if i > 1 else None
        w3 = low[i - 3] if i > 2 else None
        valence = lex[lw]
        if lw == "no" and i != last and low[i + 1] in lex:
            valence = 0.0
        if w1 == "no" or w2 == "no" or (w3 == "no" and (w1 == "or" or w1 == "nor")):
            valence = lex[lw] * N_SCALAR
        if is_cap_diff and words[i].isupper():
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        # start_i = 0: the word before (scalar_inc_dec, then _negation_check)
        if w1 is not None and w1 not in lex:
            sc = 0.0
            if w1 in booster:
                sc = booster[w1]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 1].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            valence = valence + sc
            if w1 in negate or "n't" in w1:
                valence = valence * N_SCALAR
        # start_i = 1: two words before
        if w2 is not None and w2 not in lex:
            sc = 0.0
            if w2 in booster:
                sc = booster[w2]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 2].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            if sc != 0:
                sc = sc * 0.95
            valence = valence + sc
            if w2 == "never" and (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w2 == "without" and w1 == "doubt":
                pass
            elif w2 in negate or "n't" in w2:
                valence = valence * N_SCALAR
        # start_i = 2: three words before, then _special_idioms_check
        if w3 is not None and w3 not in lex:
            sc = 0.0
            if w3 in booster:
                sc = booster[w3]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 3].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            if sc != 0:
                sc = sc * 0.9
            valence = valence + sc
            if (w3 == "never" and (w2 == "so" or w2 == "this")) or (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                pass
            elif w3 in negate or "n't" in w3:
                valence = valence * N_SCALAR
            if (w1 in idiom_first or w2 in idiom_first or w3 in idiom_first
                    or (i < last and lw in idiom_first)):
                valence = _vader_idioms(valence, low, i, vd)
        # _least_check
        if w1 == "least" and not least_in_lex:
            if i > 1:
                if w2 != "at" and w2 != "very":
                    valence = valence * N_SCALAR
            else:
                valence = valence * N_SCALAR
        sentiments[i] = valence
    return sentiments


def _finish(sentiments: list, low: list, text: str) -> float:
    """VADER's "but" rule over ``sentiments``, then the compound score of their sum with the
    emphasis of ``text``'s "!" and "?"."""
    return compound_of_sum(float(sum(but_rule(sentiments, low))), text)


def but_rule(sentiments: list, low: list) -> list:
    """VADER's _but_check: ``sentiments`` (the valences of the lower-cased words ``low``) with
    those before the first "but" halved and those after it raised by half, as VADER does it
    (a new list; the caller's is left as it was)."""
    # VADER's exact result (including its use of list.index on values), in n log n rather than
    # n^2 steps: VADER visits each position k in turn and rescales the FIRST position si that
    # holds the value now at k (x0.5 before the first "but", x1.5 after it). Position k is never
    # rescaled before its visit (si <= k), and zeros change no sum, so a heap of positions per
    # non-zero value gives the same list. No zero becomes non-zero, nor the reverse, so only the
    # positions non-zero at the start are visited.
    if "but" not in low:
        return sentiments
    sentiments = list(sentiments)
    bi = low.index("but")
    nonzero = list(compress(range(len(sentiments)), sentiments))
    holders: dict = {}
    for k in nonzero:
        holders.setdefault(sentiments[k], []).append(k)  # ascending: already a heap
    for k in nonzero:
        v = sentiments[k]
        heap = holders[v]
        si = heap[0]
        if si == bi:
            continue
        nv = v * 0.5 if si < bi else v * 1.5
        heapq.heappop(heap)
        if not heap:
            del holders[v]
        sentiments[si] = nv
        if nv:
            heapq.heappush(holders.setdefault(nv, []), si)
    return sentiments


def compound_of_sum(sum_s: float, text: str) -> float:
    """VADER's score_valence, the compound only: valences summing to ``sum_s`` (after the "but"
    rule), raised by the emphasis of ``text``'s "!" and "?", normalised by x / sqrt(x^2 + 15)
    and rounded to 4 decimals."""
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        if qm_count <= 3:
            qm_amplifier = qm_count * 0.18
        else:
            qm_amplifier = 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    norm_score = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if norm_score < -1.0:
        norm_score = -1.0
    elif norm_score > 1.0:
        norm_score = 1.0
    return round(norm_score, 4)


def _vader_idioms(valence, low, i, vd):
    """_special_idioms_check (called only with i > 2)."""
    first = vd.idiom_first
    if not (low[i - 1] in first or low[i - 2] in first or low[i - 3] in first
            or (len(low) - 1 > i and low[i] in first)):
        # The n-grams below start at i-1, i-2, i-3 or (when they exist) i: if
        # none of those words starts a multi-word key, none can be a key.
        return valence
    special = vd.special
    onezero = "{0} {1}".format(low[i - 1], low[i])
    twoonezero = "{0} {1} {2}".format(low[i - 2], low[i - 1], low[i])
    twoone = "{0} {1}".format(low[i - 2], low[i - 1])
    threetwoone = "{0} {1} {2}".format(low[i - 3], low[i - 2], low[i - 1])
    threetwo = "{0} {1}".format(low[i - 3], low[i - 2])
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(low) - 1 > i:
        zeroone = "{0} {1}".format(low[i], low[i + 1])
        if zeroone in special:
            valence = special[zeroone]
    if len(low) - 1 > i + 1:
        zeroonetwo = "{0} {1} {2}".format(low[i], low[i + 1], low[i + 2])
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    booster = vd.booster
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


