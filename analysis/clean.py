"""Text normalisation and boilerplate removal, with a record of what was removed.

(Stub: the full rules are being written; this version changes nothing.)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Removal:
    """A stretch of the input text that cleaning removed: which rule, where, what."""

    rule: str
    start: int
    end: int
    text: str


@dataclass
class Cleaned:
    """The cleaned text and every removal made, offsets into the input text."""

    text: str
    removals: list[Removal] = field(default_factory=list)


def clean_text(text: str, enabled: bool = True) -> Cleaned:
    """Clean ``text``; with ``enabled=False`` return it unchanged."""
    return Cleaned(text, [])
