"""Text part-way through cleaning, with the input span of each character.

A cleaning step looks at a :class:`Tracked` text and returns edits ``(start, end, replacement)``;
applying them keeps, for every output character, the span of input it came from, so offsets
into the cleaned text map back to the text as loaded (:mod:`analysis.corpus.clean`).
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

# --------------------------------------------------------------------------
# Offset-tracked text


class Tracked:
    """Text part-way through cleaning, with the input span of each character."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def of(cls, text: str) -> "Tracked":
        starts = np.arange(len(text), dtype=np.int64)
        return cls(text, starts, starts + 1)

    def apply(self, edits: list[tuple[int, int, str]]) -> "Tracked":
        """Replace ``text[start:end]`` by each new string; edits sorted, non-overlapping.

        A same-length replacement maps character to character; any other maps
        every new character to the whole input span it replaced.
        """
        if not edits:
            return self
        pieces, starts, ends = [], [], []
        pos = 0
        same_length = True
        for s, e, new in edits:
            pieces.append(self.text[pos:s])
            pieces.append(new)
            if len(new) != e - s:
                same_length = False
            pos = e
        pieces.append(self.text[pos:])
        text = "".join(pieces)
        if same_length:
            return Tracked(text, self.starts, self.ends)
        pos = 0
        for s, e, new in edits:
            starts.append(self.starts[pos:s])
            ends.append(self.ends[pos:s])
            if len(new) == e - s:
                starts.append(self.starts[s:e])
                ends.append(self.ends[s:e])
            elif new:
                src_s = self.starts[s] if s < len(self.text) else self._end_of_input(s)
                src_e = self.ends[e - 1] if e > s else src_s
                starts.append(np.full(len(new), src_s, dtype=np.int64))
                ends.append(np.full(len(new), src_e, dtype=np.int64))
            pos = e
        starts.append(self.starts[pos:])
        ends.append(self.ends[pos:])
        return Tracked(text, np.concatenate(starts), np.concatenate(ends))

    def _end_of_input(self, s: int) -> int:
        return int(self.ends[s - 1]) if s > 0 else 0

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Input span of ``text[start:end]`` (``end > start``)."""
        return int(self.starts[start]), int(self.ends[end - 1])


Edit = tuple[int, int, str]
#: A step returns the edits it made: ``(start, end, new)`` in its input text, sorted.
Step = Callable[[Tracked], list[Edit]]


def regex_step(pattern: re.Pattern, replace: Callable[[re.Match], str] | str,
                needed: Callable[[str], bool], group: int | str = 0) -> Step:
    """A step replacing ``group`` of each match of ``pattern`` (the whole match by default).

    ``needed(text)`` is a cheap test (substring checks) that lets texts with
    nothing to repair skip the regex scan. Replacing only a group keeps the
    edit (and so its :class:`Repair` and offset map) to the characters changed.
    """

    def step(t: Tracked) -> list[Edit]:
        if not needed(t.text):
            return []
        edits = []
        for m in pattern.finditer(t.text):
            new = replace(m) if callable(replace) else replace
            if new != m.group(group):
                edits.append((m.start(group), m.end(group), new))
        return edits

    return step
