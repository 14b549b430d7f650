"""Plain readings of the topic model's numbers: one everyday sentence per value.

The Topics page puts one of these beside each number (a topic's weight, the
relevance setting, the stability, the number of topics); the technical names
(NMF, relevance lambda, average Jaccard) stay in help icons and on the Methods
page. Each function takes the values as the model gives them and returns a
string; nothing here computes a statistic. No Streamlit.
"""

from __future__ import annotations

import math


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def describe_stability(score: float) -> str:
    """What a stability score in [0, 1] means, e.g. "These topics come out almost
    the same when the model is refitted on resampled text (stability 0.86 of 1):
    you can rely on them."."""
    if _missing(score):
        return ("How stable these topics are could not be measured: there are too few texts to refit "
                "the model on resampled text.")
    if score >= 0.8:
        how, advice = "almost the same", "you can rely on them"
    elif score >= 0.6:
        how, advice = "mostly the same", "the main themes are reliable, their lesser words less so"
    elif score >= 0.4:
        how, advice = "only partly the same", "read them as broad themes and check the passages"
    else:
        how, advice = ("differently each time",
                       "they depend on which texts happen to be included, so treat them as tentative")
    return (f"These topics come out {how} when the model is refitted on resampled text "
            f"(stability {score:.2f} of 1): {advice}.")


def describe_share(share: float, n_main: int, n_docs: int, units: str = "documents") -> str:
    """What a topic's weight means: ``share`` is its mean share (0..1) of the
    documents' text, ``n_main`` the number of ``units`` whose main topic it is,
    ``n_docs`` the documents looked at. E.g. "About 12% of the text of these 493
    documents is on this topic; it is the main topic of 61 documents."."""
    if _missing(share):
        return "This topic's weight could not be measured."
    pct = 100 * float(share)
    amount = "Less than 1%" if 0 < pct < 1 else f"About {pct:.0f}%"
    main = (f"it is the main topic of {_count(int(n_main), units[:-1] if units.endswith('s') else units, units)}"
            if n_main else f"it is not the main topic of any of the {units}")
    return f"{amount} of the text of these {_count(int(n_docs), 'document')} is on this topic; {main}."


def describe_relevance(lam: float) -> str:
    """What the relevance setting (lambda, 0..1) does to the word lists."""
    lam = float(lam)
    if lam >= 0.9:
        how = "how often they occur in the topic, so words common everywhere come first"
    elif lam <= 0.2:
        how = "how specific they are to the topic, so rare, telling words come first"
    else:
        how = ("a balance of how often they occur in the topic and how specific they are to it "
               "(0.6 is usually easiest to read)")
    return f"Words are ranked at {lam:.1f} on the relevance scale: by {how}."


def describe_term(term: str, weight: float, lift: float) -> str:
    """One term of a topic: ``weight`` = p(w|t) (its share of the topic's weight),
    ``lift`` = p(w|t)/p(w). E.g. "'furlough' makes up 2.1% of this topic and is
    8.5 times as common in it as in all the texts."."""
    times = "about as common" if lift < 1.05 else f"{lift:.1f} times as common"
    return f"'{term}' makes up {100 * weight:.1f}% of this topic and is {times} in it as in all the texts."


def describe_k(k: int, auto_k: int, user: bool, tentative: bool = False) -> str:
    """Why this number of topics: the user's choice, the automatic one, or the
    fallback when no number of topics stood out from chance (``tentative``)."""
    if user:
        return (f"You asked for {k} topics; the automatic choice would be {auto_k}. "
                "Fewer topics are broader, more topics narrower.")
    if tentative:
        return (f"{k} topics, the fewest tried: with this little text, no number of topics gave topics that come "
                "back more reliably than chance when the model is refitted on resampled text, so read these "
                "topics as tentative.")
    return (f"{k} topics were found automatically: of the numbers of topics tried, {k} gives topics that do not "
            "share their leading words and that come back most reliably when the model is refitted on "
            "resampled text (see 'How many topics?').")
