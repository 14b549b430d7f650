"""Plain readings: one sentence in everyday English saying what a particular value means.

The pages put one of these beside each number or chart so that a reader with no statistics
can read it ("'market' is 4.3 times as common in Jacqui Smith's text as in the others; a
difference this large would rarely arise by chance"); the technical names (G2, Log Ratio,
bootstrap, cosine) stay in help icons and on the Methods page. Every function takes the
values as the analysis gives them and returns a string; nothing here computes a statistic.
No Streamlit: the sentences can be tested and reused anywhere.
"""

from __future__ import annotations

import math

#: Below this size (absolute) a tone score reads as neutral; VADER's own convention is 0.05.
NEUTRAL = 0.05
#: Upper bounds of "slightly" and "clearly" for each method's document or group scores (above:
#: "strongly"). TextBlob's document scores are small (most texts lie within ±0.2).
#: The classifier's score is 2 x P(positive) - 1: 0.2 = 60% positive, 0.5 = 75%.
TONE_BANDS = {"textblob": (0.15, 0.35), "vader": (0.25, 0.5), "classifier": (0.2, 0.5)}
METHOD_NAMES = {"textblob": "TextBlob", "vader": "VADER", "classifier": "the classifier"}
#: An interval wider than this (on the −1..+1 scale) is called wide.
WIDE = 0.3
MINUS = "\u2212"


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def signed(v: float, digits: int = 2) -> str:
    """``+0.12`` / ``−0.05`` (a true minus sign) / ``0.00``."""
    s = f"{float(v):+.{digits}f}"
    if float(s) == 0:
        return f"{0:.{digits}f}"
    return s.replace("-", MINUS)


def times(ratio: float) -> str:
    """A ratio as people say it: "twice", "4.3 times", "12 times"."""
    if ratio < 1.05:
        return "about as"
    if 1.9 <= ratio < 2.1:
        return "twice as"
    return f"{ratio:.1f} times as" if ratio < 10 else f"{ratio:,.0f} times as"


def count_words(n: int, one: str, many: str | None = None) -> str:
    """``1 document`` / ``3 documents`` (``many`` defaults to ``one + "s"``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# --------------------------------------------------------------------------- tone

def tone_word(value: float, method: str = "textblob") -> str:
    """"neutral", "slightly positive", "clearly negative", "strongly positive"."""
    if _missing(value):
        return "not scored"
    v = float(value)
    if abs(v) < NEUTRAL:
        return "neutral"
    slight, clear = TONE_BANDS.get(method, TONE_BANDS["textblob"])
    side = "positive" if v > 0 else "negative"
    strength = "slightly" if abs(v) < slight else "clearly" if abs(v) < clear else "strongly"
    return f"{strength} {side}"


def tone(value: float, who: str, method: str = "textblob") -> str:
    """What a tone score of a document or group means: "Jacqui Smith · opinion column reads as
    slightly negative: −0.08 on a scale from −1 (all negative) to +1 (all positive)."."""
    if _missing(value):
        return f"{who}: no word of {METHOD_NAMES.get(method, method)}'s word list was found, so no tone is given."
    word = tone_word(value, method)
    why = (" (its positive and negative words roughly balance, or it has few of either)" if word == "neutral" else "")
    return (f"{who} reads as {word}{why}: {signed(value)} on a scale from {MINUS}1 (all negative) "
            "to +1 (all positive).")


def subjectivity(value: float, who: str) -> str:
    """What a subjectivity score means: "… is written mostly as opinion (0.62 on a scale from
    0 = factual to 1 = opinion)."."""
    if _missing(value):
        return f"{who}: no subjectivity score (no word of the word list was found)."
    v = float(value)
    kind = ("mostly as plain statement of fact" if v < 0.3 else "as a mix of fact and opinion" if v < 0.55
            else "mostly as opinion and feeling")
    return f"{who} is written {kind} ({v:.2f} on a scale from 0 = factual to 1 = opinion)."


def interval(lo: float, hi: float, who: str, basis: str = "documents", n_docs: int = 0,
             n_sentences: int = 0) -> str:
    """What a 95% interval of a tone score means, e.g. "Labour's score would probably lie
    between −0.02 and +0.15 with other texts like these (from 12 documents); the range
    includes 0, so the tone could be neutral."."""
    if _missing(lo) or _missing(hi):
        return f"{who}: too few texts or sentences to say how sure this score is."
    lo, hi = float(lo), float(hi)
    source = (f"from its {count_words(n_docs, 'document')}" if basis == "documents" and n_docs
              else f"from the {count_words(n_sentences, 'sentence')} of its one document" if basis == "sentences"
              else "")
    like = "other sentences like these" if basis == "sentences" else "other texts like these"
    out = (f"{who}'s score would probably lie between {signed(lo)} and {signed(hi)} with {like}"
           f"{' (' + source + ')' if source else ''}")
    if lo <= 0 <= hi:
        out += "; the range includes 0, so the tone could well be neutral"
    elif hi < 0:
        out += "; the whole range is below 0, so the tone is negative"
    else:
        out += "; the whole range is above 0, so the tone is positive"
    if hi - lo > WIDE:
        out += ". The range is wide: too few or very mixed texts to be sure"
    return out + "."


def tone_extremes(names_and_values: list[tuple[str, float]], what: str = "text",
                  method: str = "textblob") -> str:
    """The most positive and the most negative of a ranked list, in one sentence:
    "Most positive text: A (+0.12, slightly positive); most negative: B (−0.05, slightly negative)."
    ("least positive" when every score is above 0, "least negative" when all are below)."""
    scored = [(n, float(v)) for n, v in names_and_values if not _missing(v)]
    if not scored:
        return f"No {what} could be scored."
    top = max(scored, key=lambda nv: nv[1])
    low = min(scored, key=lambda nv: nv[1])
    first = (f"{'Most positive' if top[1] > 0 else 'Least negative'} {what}: {top[0]} ({signed(top[1])}, "
             f"{tone_word(top[1], method)})")
    if len(scored) == 1 or top[0] == low[0]:
        return first + "."
    return first + (f"; {'most negative' if low[1] < 0 else 'least positive'}: {low[0]} ({signed(low[1])}, "
                    f"{tone_word(low[1], method)}).")


def agreement(correlation: float, same_direction: float, who: str) -> str:
    """How far TextBlob and VADER agree on a document's sentences."""
    if _missing(correlation):
        return f"{who}: too few scored sentences to compare the two methods."
    r = float(correlation)
    how = "largely agree" if r >= 0.6 else "partly agree" if r >= 0.3 else "mostly disagree"
    share = "" if _missing(same_direction) else f"; they give {float(same_direction):.0%} of its sentences the same direction"
    return f"On {who}, the two methods {how} on which sentences are more positive (correlation {r:.2f}){share}."


# --------------------------------------------------------------------------- terms

def chance(p: float) -> str:
    """How often a difference this large would arise by chance, in words (from a p value)."""
    if _missing(p):
        return "there is too little text to say whether it is more than chance"
    p = float(p)
    if p < 0.001:
        return "a difference this large would rarely arise by chance"
    if p < 0.05:
        return "a difference this large would arise by chance less than one time in twenty"
    return "a difference this small could easily be chance"


def keyness(term: str, rate_target: float, rate_reference: float, count_target: int, count_reference: int,
            p_value: float, target: str, reference: str) -> str:
    """One distinctive term in a sentence: "'market' is 4.3 times as common in Jacqui Smith's
    text as in the others; a difference this large would rarely arise by chance."

    ``rate_*`` are per 10,000 words (the ratio of rates is what Log Ratio measures, as a power of
    2); ``p_value`` is the log-likelihood test's; ``target``/``reference`` name the two sides as
    they read after "in" ("Jacqui Smith's text", "the others")."""
    rt, rr = float(rate_target), float(rate_reference)
    ct_, cr = int(count_target), int(count_reference)
    if rt <= 0 and rr <= 0:
        return f"'{term}' is used on neither side."
    if rr <= 0:
        return (f"'{term}' is used {count_words(ct_, 'time')} in {target} and never in {reference}; "
                + chance(p_value) + ".")
    if rt <= 0:
        return (f"'{term}' is used {count_words(cr, 'time')} in {reference} and never in {target}; "
                + chance(p_value) + ".")
    if rt >= rr:
        return f"'{term}' is {times(rt / rr)} common in {target} as in {reference}; {chance(p_value)}."
    return f"'{term}' is {times(rr / rt)} common in {reference} as in {target}; {chance(p_value)}."


def no_clear_difference(n_terms: int, target: str, reference: str) -> str:
    """What a keyness table means when no term's difference passes the 5% test: "No word is clearly
    more typical of A than of B, or the other way round: for each of the 360 terms compared, the
    difference could be chance (the two are too alike, or too short, to tell apart by their words)."."""
    return (f"No word is clearly more typical of {target} than of {reference}, or the other way round: "
            f"for {_terms_compared(n_terms)}, the difference could be chance (the two are too alike, or too short, "
            "to tell apart by their words).")


def no_distinctive_term(n_terms: int, target: str, reference: str) -> str:
    """What a keyness table whose terms all have a G2 of 0 means: both sides use every compared
    term at the same rate ("Jacqui Smith's text and the others use each of the 21 terms compared
    at the same rate: no word sets one apart from the other.")."""
    return (f"{target} and {reference} use {_terms_compared(n_terms)} at the same rate: no word sets one apart "
            "from the other.")


def _terms_compared(n_terms: int) -> str:
    return "the one term compared" if n_terms == 1 else f"each of the {n_terms:,} terms compared"


def rate(phrase: str, count: int, n_words: int, who: str) -> str:
    """A phrase's rate per 10,000 words in words: "'left behind' occurs 3 times in the 1,234 words
    of X: about 24 times in every 10,000 words."."""
    count, n_words = int(count), int(n_words)
    if count == 0:
        return f"'{phrase}' does not occur in the {n_words:,} words of {who}."
    per = count / n_words * 10_000 if n_words else float("nan")
    return (f"'{phrase}' occurs {count_words(count, 'time')} in the {n_words:,} words of {who}: about "
            f"{per:,.1f} times in every 10,000 words.")


#: A rate per 10,000 words from a text shorter than this multiplies its count more than tenfold.
SHORT_TEXT_WORDS = 1_000
#: A rate from this many uses or fewer in such a short text says little.
FEW_USES = 2


def rate_caution(count: int, n_words: int, most_used: tuple[str, str, int, int] | None = None) -> str:
    """A warning beside the highest rate when it rests on a use or two in a short text (one use in
    86 words reads as 116 per 10,000), or "": "That rate rests on 1 use in only 86 words, so it says
    little about how much the phrase is used. The most uses of 'left behind': X, 2 times in 460 words.".
    ``most_used``: ``(who, phrase, count, n_words)`` of the text (or group) using a tracked phrase
    most often; named when it uses it more often than the one with the highest rate."""
    count, n_words = int(count), int(n_words)
    if count <= 0 or count > FEW_USES or n_words >= SHORT_TEXT_WORDS:
        return ""
    out = (f"That rate rests on {count_words(count, 'use')} in only {n_words:,} words, so it says little about "
           "how much the phrase is used.")
    if most_used is not None and int(most_used[2]) > count:
        who, phrase, c, w = most_used
        out += f" The most uses of '{phrase}': {who}, {count_words(int(c), 'time')} in {int(w):,} words."
    return out


# --------------------------------------------------------------------------- comparing texts

#: Below this similarity two vocabularies have "almost no words in common beyond everyday ones".
SIMILARITY_LITTLE = 0.1


def similarity(value: float, a: str, b: str) -> str:
    """How alike two texts' vocabularies are: "A and B use much the same words (similarity 0.62,
    where 0 = no word in common and 1 = the same words in the same proportions)."."""
    if _missing(value):
        return f"{a} and {b} could not be compared."
    return f"{a} and {b} {_alike(float(value))}"


def _alike(v: float) -> str:
    how = ("have almost no words in common beyond everyday ones" if v < SIMILARITY_LITTLE else "share some vocabulary"
           if v < 0.3 else "use much the same words" if v < 0.6 else "use nearly the same words in the same proportions")
    return f"{how} (similarity {v:.2f}, where 0 = no word in common and 1 = the same words in the same proportions)."


def similarity_within(value: float, n_docs: int, group: str) -> str:
    """How alike the texts of one group are on average: "On average, two of the 1,338 texts of 2018
    have almost no words in common beyond everyday ones (similarity 0.02, ...)"."""
    if _missing(value):
        return f"The {n_docs:,} texts of {group} could not be compared."
    return f"On average, two of the {n_docs:,} texts of {group} {_alike(float(value))}"


def shared_passages(n_passages: int, n_words: int, longest: int, a: str, b: str) -> str:
    """What the shared-passage counts of a pair mean."""
    if not n_passages:
        return f"{a} and {b} share no passage of 8 words or more."
    return (f"{a} and {b} share {count_words(n_passages, 'passage')} word for word, {n_words:,} words in all; "
            f"the longest runs to {count_words(longest, 'word')}: one has most likely quoted the other, or both "
            "quote a common source.")


# --------------------------------------------------------------------------- time

def time_point(period: str, n_docs: int, min_docs: int = 3) -> str:
    """What a point of a time chart rests on: "2016: from 2 documents only - read with care"."""
    base = f"{period}: from {count_words(int(n_docs), 'document')}"
    return base + (" only, too few to read much into" if int(n_docs) < min_docs else "")
