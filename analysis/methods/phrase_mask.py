"""Tracked phrases left out of sentiment scoring: where they occur, and the text with them blanked.

Blanking replaces each occurrence's characters by spaces, so offsets do not move and
"left behind" no longer makes a sentence negative through "behind".
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

__all__ = ["phrase_list", "phrase_spans", "mask_spans", "mask_phrases"]



def phrase_list(phrases) -> list[str]:
    """``phrases`` as a list of strings (None: none; one string: that phrase)."""
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
    phrases = [p for p in phrase_list(phrases) if p.strip()]
    if not phrases or not len(texts):
        return out
    from analysis.methods.phrases import find_phrases

    frame = pd.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": list(texts)})
    hits = find_phrases(frame, phrases)
    for d, s, e in zip(hits["doc_id"].tolist(), hits["start"].tolist(), hits["end"].tolist()):
        out[int(d)].append((int(s), int(e)))
    return out


def mask_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` (half-open, may overlap) replaced by spaces."""
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
    return mask_spans(text, phrase_spans([text], phrases)[0])


