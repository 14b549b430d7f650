"""Text normalisation and boilerplate removal, with a record of what was changed and removed.

:func:`clean_text` runs small steps in order, textacy-style. Each step is
either a *normalisation* (a character-level repair: mojibake, odd spaces,
spaced dashes made em dashes, curly quotes and apostrophes made straight,
excess whitespace) or the *boilerplate*
step, which drops whole standalone lines that are not the author's text
(share bars, "first published at", photo credits, divider rules, an author
bio set off by rules). :data:`NORMALISATIONS` and :data:`RULES` describe each
one in plain language for the UI.

Every step keeps track of where each character of its output came from in the
input, so that:

- each :class:`Removal` carries ``start``/``end`` offsets into the *input*
  text, with ``input[start:end] == removal.text``;
- each character-level change is a :class:`Repair` with the step's name and
  ``start``/``end`` offsets into the *input*, with
  ``input[start:end] == repair.original``, and the ``replacement`` written;
- an offset into the cleaned text can be mapped back to the input
  (:meth:`Cleaned.to_source`, :meth:`Cleaned.to_source_span`) to highlight a
  sentence of the cleaned text in the text as loaded.

The boilerplate rules are deliberately conservative: they only ever judge a
whole line (or a short block of lines), never text inside a paragraph, and
they never remove the last line with words in a document.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.entities import html5 as html5_entities
from typing import Callable

import numpy as np
from ftfy import fix_encoding

from analysis.corpus.boilerplate import (
    gap_edits,
    label_lines,
    line_spans,
    removal_records,
)
from analysis.corpus.tracked import Edit, Step, Tracked, regex_step

# --------------------------------------------------------------------------
# Public descriptions (for the UI's "what cleaning removed and why")

RULES: dict[str, str] = {
    "share_links": "A web page's share/contact bar, e.g. 'Link to Instagram Link to Twitter … "
                   "Email Calendar Search', at the top or bottom of the text.",
    "published_elsewhere": "A standalone note that the piece appeared elsewhere first, e.g. "
                           "'This article was first published at:' (and a bare link under it), "
                           "at the top or bottom of the text.",
    "read_more_link": "A standalone pointer to the full text elsewhere, e.g. '* To see the whole "
                      "piece go HERE.' or 'Click here to read the full article', at the top or "
                      "bottom of the text.",
    "photo_credit": "A standalone picture credit naming a photographer or agency, e.g. "
                    "'Photo: Fernando Butcher', 'Image credit: Getty Images'.",
    "separator": "A divider line made only of rule characters (———, ---, ___, ***, ===), at "
                 "least three; it carries no words.",
    "author_bio": "A short note about the author at the end of the text, set off by a divider "
                  "line, e.g. 'Jacqui Smith is a former home secretary … tweets @Jacqui_Smith1'.",
}

NORMALISATIONS: dict[str, str] = {
    "line_endings": "Windows (\\r\\n), old Mac (\\r), vertical-tab, form-feed and Unicode "
                    "line/paragraph separators made plain line breaks.",
    "mojibake": "Text garbled by a wrong character encoding repaired, e.g. 'itâ€™s' → 'it’s' "
                "(ftfy, applied to the garbled stretch only).",
    "html_entities": "HTML character references decoded, e.g. '&amp;' → '&', "
                     "'communiqu&#233;' → 'communiqué'.",
    "invisible_chars": "Control characters and invisible formatting characters (zero-width "
                       "space, soft hyphen, byte-order mark, direction marks) dropped.",
    "spaces": "No-break spaces and other Unicode spaces made plain spaces.",
    "dashes": "A dash set between words with spaces ('a - b', 'a – b', 'a -- b', or the "
              "mangled 'a -; b') made an em dash 'a — b'. Hyphens inside words ('post-Brexit'), "
              "minus signs and ranges between numbers ('5 - 3', '1990 – 2000') and list bullets "
              "at the start of a line are left alone.",
    "apostrophes": "Apostrophes inside a word (’ ‘ ʼ ` ´ ′) made the plain ' so that "
                   "'it’s' and 'it's' are the same word everywhere.",
    "quotes": "Curly quotation marks made straight: “ ” „ ‟ become \" and ‘ ’ ‚ ‛ become ' "
              "(a ’ after a word, as in 'the voters’ view', is an apostrophe or a closing quote; "
              "either way it becomes '). Guillemets « » are kept.",
    "trailing_spaces": "Spaces and tabs at the end of a line dropped.",
    "blank_lines": "Runs of several blank lines collapsed to one blank line (a paragraph break).",
    "edge_whitespace": "Whitespace at the very start and end of the text dropped.",
}


@dataclass(frozen=True)
class Removal:
    """A stretch of the input text that cleaning removed: which rule, where, what.

    ``start``/``end`` are offsets into the text passed to :func:`clean_text`
    (half-open), so ``input[start:end] == text``. ``rule`` is a key of
    :data:`RULES`.
    """

    rule: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Repair:
    """A character-level change cleaning made: which step, where, what it was, what it became.

    ``start``/``end`` are offsets into the text passed to :func:`clean_text`
    (half-open), so ``input[start:end] == original``; ``replacement`` is what
    the step wrote in its place (``""`` for a deletion, e.g. a zero-width
    space or trailing spaces). ``rule`` is a key of :data:`NORMALISATIONS`.

    Steps run one after another, so one stretch of the input can be changed
    twice: a garbled ``â€œ`` is first repaired to ``“`` (``mojibake``), then
    straightened to ``"`` (``quotes``). Each change is its own record with the
    same ``start``/``end`` and ``original``; the later one's ``replacement`` is
    what the cleaned text holds.

    A change inside a line that a boilerplate rule then removed is not a
    repair (the :class:`Removal` records that text).
    """

    rule: str
    start: int
    end: int
    original: str
    replacement: str


@dataclass
class Cleaned:
    """The cleaned text, every removal and repair made, and the way back to the input.

    ``removals`` are in input order, offsets into the input text.
    ``repairs`` lists every character-level change (:class:`Repair`) in input
    order (by ``start``; changes to one place in the order the steps ran),
    offsets into the input text.
    ``normalisations`` counts the character-level repairs made, by step name
    (a key of :data:`NORMALISATIONS`; steps that changed nothing are absent):
    the number of ``repairs`` with that ``rule``. Neither counts changes to
    text that was then removed.
    ``source_starts[i]``/``source_ends[i]`` give the input span that cleaned
    character ``i`` came from: one input character for a kept character, the
    whole replaced stretch for a repaired one (``’`` from ``â€™``). Left as
    ``None`` when constructing, they become the identity map. ``source_length``
    is the length of the input text.
    """

    text: str
    removals: list[Removal] = field(default_factory=list)
    normalisations: dict[str, int] = field(default_factory=dict)
    source_starts: np.ndarray | None = field(default=None, repr=False, compare=False)
    source_ends: np.ndarray | None = field(default=None, repr=False, compare=False)
    source_length: int | None = None
    repairs: list[Repair] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.source_starts is None:
            self.source_starts = np.arange(len(self.text), dtype=np.int64)
            self.source_ends = self.source_starts + 1
        if self.source_length is None:
            self.source_length = len(self.text)

    @property
    def source_offsets(self) -> np.ndarray:
        """Input offset of each cleaned offset ``0..len(text)`` (the last is the input's length)."""
        return np.append(self.source_starts, self.source_length)

    def to_source(self, i: int) -> int:
        """The input offset where cleaned offset ``i`` starts (``len(text)`` maps to the input end)."""
        if not 0 <= i <= len(self.text):
            raise IndexError(f"offset {i} outside the cleaned text (0..{len(self.text)})")
        return self.source_length if i == len(self.text) else int(self.source_starts[i])

    def to_source_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span covering cleaned ``text[start:end]`` (for highlighting in the input)."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside the cleaned text")
        if start == end:
            return self.to_source(start), self.to_source(start)
        return int(self.source_starts[start]), int(self.source_ends[end - 1])

    @property
    def removed_chars(self) -> int:
        """Number of input characters inside removals."""
        return sum(r.end - r.start for r in self.removals)


# --------------------------------------------------------------------------
# When a step can apply at all (a cheap test before its regular expression)


def _non_ascii(text: str) -> bool:
    return not text.isascii()


def _contains(*needles: str) -> Callable[[str], bool]:
    return lambda text: any(n in text for n in needles)


def _either(*tests: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda text: any(test(text) for test in tests)


# --------------------------------------------------------------------------
# Normalisation steps

_LINE_ENDING_RE = re.compile("\r\n?|[\u2028\u2029\x0b\x0c]")


def _line_ending(m: re.Match) -> str:
    return "\n\n" if m.group() == "\u2029" else "\n"


# UTF-8 bytes read as cp1252 or latin-1: a lead byte shown as Â..ô followed by
# continuation bytes shown as U+0080..U+00BF or their cp1252 glyphs (€ ‚ … ™).
_CONT = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d" \
        "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE_RE = re.compile(f"(?:[\u00c2-\u00f4][{_CONT}]+)+")


_QUOTES_AND_DASHES = frozenset("\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u2039\u203a\u00ab\u00bb")


def _fix_mojibake(m: re.Match) -> str:
    run = m.group()
    if len(run) == 2 and run[1] in _QUOTES_AND_DASHES and _ends_capital_word(m):
        return run  # '“IRMÃ”' is Portuguese in capitals, not a garbled 'IRMÔ'
    fixed = fix_encoding(run)
    # ftfy only re-decodes what it judges garbled; a repair is always shorter.
    return fixed if len(fixed) < len(run) else run


def _ends_capital_word(m: re.Match) -> bool:
    text, s, e = m.string, m.start(), m.end()
    return s > 0 and text[s - 1].isupper() and (e == len(text) or not text[e].isalpha())


_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(m: re.Match) -> str:
    entity = m.group()
    if entity[1] != "#" and entity[1:] not in html5_entities:
        return entity  # "&notanentity;" is not "&not;" + "anentity;"
    new = html.unescape(entity)
    ok = new != entity and (new.isprintable() or new == "\u00a0") and "\ufffd" not in new
    return new if ok else entity


_ASCII_CONTROLS = tuple(chr(c) for c in [*range(0, 9), *range(14, 32), 127])
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069"
    "\ufeff\ufffc]+"
)
_SPACE_RE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# A dash with spaces on both sides, after a non-space on the same line (so never a
# list bullet at a line start) and before a non-space on the same line; the
# mangled '-;' also at a line end. '---' and longer are rules, not dashes.
_SPACED_DASH_RE = re.compile(
    r"(?<=\S)[ \t]+(?P<dash>-;|--|-|\u2013|\u2015)"
    r"(?:(?=[ \t]+(?P<right>\S))|(?=[ \t]*(?:\n|$)))"
)
_NUMBER_AFTER = frozenset("0123456789\u00a3$\u20ac\u00a5+\u2212-.")
# A dash next to one of these is part of a rule or a filler ('- - - -'), not between words.
_RULE_CHARS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_*=~#\u2022\u00b7")
_APOSTROPHE_RE = re.compile("[\u2019\u2018\u02bc\u201b`\u00b4\u2032\uff07](?=[^\\W_])")
_WORD_CHAR_RE = re.compile(r"[^\W_]")
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u301d\u301e\u301f\uff02"
_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b"
_QUOTE_RE = re.compile(f"[{_DOUBLE_QUOTES}{_SINGLE_QUOTES}]")


def _dash(m: re.Match) -> str:
    """An em dash for a spaced dash between words; a minus or a range between numbers is kept."""
    dash, right = m.group("dash"), m.group("right")
    if dash == "-;":
        return "\u2014"  # always a mangled em dash
    if right is None:
        return dash  # 'word -' at a line end: a broken-off hyphenation, not a dash
    left = m.string[m.start() - 1]
    if left in _RULE_CHARS or right in _RULE_CHARS:
        return dash  # '- - - -': a filler or a rule, not a dash between words
    if left.isdigit() and right in _NUMBER_AFTER:
        return dash  # '5 - 3', '1990 – 2000', '£5 - £10'
    return "\u2014"


def _apostrophe(m: re.Match) -> str:
    """A plain ' for an apostrophe between two letters or digits."""
    s = m.start()
    return "'" if s > 0 and _WORD_CHAR_RE.match(m.string, s - 1) else m.group()


def _quote(m: re.Match) -> str:
    return '"' if m.group() in _DOUBLE_QUOTES else "'"


def _has_quotes(text: str) -> bool:
    return not text.isascii() and _QUOTE_RE.search(text) is not None


def _has_spaced_dash(text: str) -> bool:
    return " -" in text or "\t-" in text or "\u2013" in text or "\u2015" in text


_TRAILING_RE = re.compile(r"[ \t]+(?=\n|\Z)")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def _has_trailing_space(text: str) -> bool:
    return " \n" in text or "\t\n" in text or text.endswith((" ", "\t"))


def _strip_edges(t: Tracked) -> list[Edit]:
    """Drop whitespace at the start and end of the text."""
    text = t.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip()) if lead < len(text) else 0
    edits = [(0, lead, "")] if lead else []
    if trail:
        edits.append((len(text) - trail, len(text), ""))
    return edits


_NORMALISE_FIRST: list[tuple[str, Step]] = [
    ("line_endings", regex_step(_LINE_ENDING_RE, _line_ending,
                                 _either(_non_ascii, _contains("\r", "\x0b", "\x0c")))),
    ("mojibake", regex_step(_MOJIBAKE_RE, _fix_mojibake, _non_ascii)),
    ("html_entities", regex_step(_ENTITY_RE, _unescape, _contains("&"))),
    ("invisible_chars", regex_step(_INVISIBLE_RE, "", _either(_non_ascii, _contains(*_ASCII_CONTROLS)))),
    ("spaces", regex_step(_SPACE_RE, " ", _non_ascii)),
    ("dashes", regex_step(_SPACED_DASH_RE, _dash, _has_spaced_dash, group="dash")),
    ("apostrophes", regex_step(_APOSTROPHE_RE, _apostrophe, _either(_non_ascii, _contains("`")))),
    ("quotes", regex_step(_QUOTE_RE, _quote, _has_quotes)),
    ("trailing_spaces", regex_step(_TRAILING_RE, "", _has_trailing_space)),
]
_NORMALISE_LAST: list[tuple[str, Step]] = [
    ("blank_lines", regex_step(_BLANK_LINES_RE, "\n\n", _contains("\n\n\n"))),
    ("edge_whitespace", _strip_edges),
]


# --------------------------------------------------------------------------
# The pipeline


def clean_text(text: str, enabled: bool = True) -> Cleaned:
    """Clean ``text``: repair and normalise characters, drop boilerplate lines.

    With ``enabled=False`` the text is returned unchanged, with no removals,
    no repairs and no normalisations. See :data:`NORMALISATIONS` and
    :data:`RULES` for what each step does, and :class:`Cleaned` for the
    records and offset maps.
    """
    if not enabled or not text:
        return Cleaned(text)
    t = Tracked.of(text)
    counts: dict[str, int] = {}
    repairs: list[Repair] = []
    t = _run_steps(text, t, _NORMALISE_FIRST, counts, repairs)
    lines = line_spans(t.text)
    labels = label_lines(t.text, lines)
    records = removal_records(t, lines, labels)
    if records:
        t = t.apply(gap_edits(t.text, lines, labels))
    t = _run_steps(text, t, _NORMALISE_LAST, counts, repairs)
    removals = [Removal(rule, s, e, text[s:e]) for rule, s, e in records]
    if removals and repairs:  # a repair inside a line removed afterwards changed nothing kept
        starts = [r.start for r in removals]
        repairs = [r for r in repairs if not _inside_removal(r, removals, starts)]
        counts = dict(Counter(r.rule for r in repairs))
    repairs.sort(key=lambda r: r.start)  # stable: one place's changes stay in step order
    return Cleaned(t.text, removals, counts, t.starts, t.ends, len(text), repairs)


def _inside_removal(repair: Repair, removals: list[Removal], starts: list[int]) -> bool:
    """Whether ``repair`` lies within one of ``removals`` (sorted; ``starts`` their starts)."""
    i = bisect.bisect_right(starts, repair.start) - 1
    return i >= 0 and repair.start < removals[i].end and repair.end <= removals[i].end


def _run_steps(source: str, t: Tracked, steps: list[tuple[str, Step]], counts: dict[str, int],
               repairs: list[Repair]) -> Tracked:
    """Run ``steps`` in order on ``t``, counting and recording each edit against ``source``."""
    for name, step in steps:
        edits = step(t)
        if not edits:
            continue
        counts[name] = counts.get(name, 0) + len(edits)
        for s, e, new in edits:
            if e > s:
                src_s, src_e = t.source_span(s, e)
            else:  # an insertion: no input characters replaced
                src_s = src_e = int(t.starts[s]) if s < len(t.text) else t._end_of_input(s)
            repairs.append(Repair(name, src_s, src_e, source[src_s:src_e], new))
        t = t.apply(edits)
    return t


REPAIR_COLUMNS = ["doc_id", "rule", "start", "end", "original", "replacement"]


def repair_records(doc_ids, texts) -> list[tuple]:
    """Every repair cleaning makes to each text, as rows of :data:`REPAIR_COLUMNS`.

    ``texts`` are the texts as loaded (a corpus's ``raw_text``); offsets index
    them, so ``text[start:end] == original``. For the CLI and the Corpus page,
    which list repairs one by one (:class:`analysis.corpus.prepare.Prepared` keeps
    only their counts).
    """
    rows = []
    for doc_id, text in zip(doc_ids, texts):
        for r in clean_text(str(text)).repairs:
            rows.append((doc_id, r.rule, r.start, r.end, r.original, r.replacement))
    return rows


_SHOWN_AS = {" ": "\u2423", "\n": "\u23ce", "\t": "\u21e5"}


def visible(text: str) -> str:
    """``text`` with spaces, line breaks and invisible characters made visible, for a table:
    ' ' → '␣', a line break → '⏎', a tab → '⇥', any other space or invisible character →
    its code point, e.g. '⟨U+00A0⟩' for a no-break space."""
    return "".join(c if c.isprintable() and not c.isspace() else
                   _SHOWN_AS.get(c) or f"\u27e8U+{ord(c):04X}\u27e9" for c in text)
