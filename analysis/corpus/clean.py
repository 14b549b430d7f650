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
# Offset-tracked text


class _Tracked:
    """Text part-way through cleaning, with the input span of each character."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def of(cls, text: str) -> "_Tracked":
        starts = np.arange(len(text), dtype=np.int64)
        return cls(text, starts, starts + 1)

    def apply(self, edits: list[tuple[int, int, str]]) -> "_Tracked":
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
            return _Tracked(text, self.starts, self.ends)
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
        return _Tracked(text, np.concatenate(starts), np.concatenate(ends))

    def _end_of_input(self, s: int) -> int:
        return int(self.ends[s - 1]) if s > 0 else 0

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Input span of ``text[start:end]`` (``end > start``)."""
        return int(self.starts[start]), int(self.ends[end - 1])


Edit = tuple[int, int, str]
#: A step returns the edits it made: ``(start, end, new)`` in its input text, sorted.
Step = Callable[[_Tracked], list[Edit]]


def _regex_step(pattern: re.Pattern, replace: Callable[[re.Match], str] | str,
                needed: Callable[[str], bool], group: int | str = 0) -> Step:
    """A step replacing ``group`` of each match of ``pattern`` (the whole match by default).

    ``needed(text)`` is a cheap test (substring checks) that lets texts with
    nothing to repair skip the regex scan. Replacing only a group keeps the
    edit (and so its :class:`Repair` and offset map) to the characters changed.
    """

    def step(t: _Tracked) -> list[Edit]:
        if not needed(t.text):
            return []
        edits = []
        for m in pattern.finditer(t.text):
            new = replace(m) if callable(replace) else replace
            if new != m.group(group):
                edits.append((m.start(group), m.end(group), new))
        return edits

    return step


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


def _strip_edges(t: _Tracked) -> list[Edit]:
    """Drop whitespace at the start and end of the text."""
    text = t.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip()) if lead < len(text) else 0
    edits = [(0, lead, "")] if lead else []
    if trail:
        edits.append((len(text) - trail, len(text), ""))
    return edits


_NORMALISE_FIRST: list[tuple[str, Step]] = [
    ("line_endings", _regex_step(_LINE_ENDING_RE, _line_ending,
                                 _either(_non_ascii, _contains("\r", "\x0b", "\x0c")))),
    ("mojibake", _regex_step(_MOJIBAKE_RE, _fix_mojibake, _non_ascii)),
    ("html_entities", _regex_step(_ENTITY_RE, _unescape, _contains("&"))),
    ("invisible_chars", _regex_step(_INVISIBLE_RE, "", _either(_non_ascii, _contains(*_ASCII_CONTROLS)))),
    ("spaces", _regex_step(_SPACE_RE, " ", _non_ascii)),
    ("dashes", _regex_step(_SPACED_DASH_RE, _dash, _has_spaced_dash, group="dash")),
    ("apostrophes", _regex_step(_APOSTROPHE_RE, _apostrophe, _either(_non_ascii, _contains("`")))),
    ("quotes", _regex_step(_QUOTE_RE, _quote, _has_quotes)),
    ("trailing_spaces", _regex_step(_TRAILING_RE, "", _has_trailing_space)),
]
_NORMALISE_LAST: list[tuple[str, Step]] = [
    ("blank_lines", _regex_step(_BLANK_LINES_RE, "\n\n", _contains("\n\n\n"))),
    ("edge_whitespace", _strip_edges),
]


# --------------------------------------------------------------------------
# Boilerplate: line classifiers

_MAX_BOILERPLATE_LINE = 1000  # longer lines are prose; skip the classifiers

_SEPARATOR_RE = re.compile("(?:[-\u2010-\u2015_*=~#\u2022\u00b7][ \t]*){3,}")

_CREDIT_RE = re.compile(
    r"(?:(?:main|top|lead|header|cover|featured?)\s+)?"
    r"(?:photo(?:graph)?s?|pictures?|pics?|images?|illustrations?|artwork|graphic)"
    r"(?:\s+(?:credits?|courtesy(?:\s+of)?|source))?\s*[:|]\s*(?P<a>.+)"
    r"|(?:(?:photo(?:graph)?s?|pictures?|images?)\s+(?:by|courtesy\s+of)|credits?\s*:)\s*(?P<b>.+)",
    re.I,
)
# Words allowed in lower case inside a credit ("Reuters via Getty Images").
_CREDIT_LINKERS = frozenset(
    "via for by and of the de da di van von der den du la le al bin / | & © (c) - – — , "
    "courtesy images image photo photos pictures picture library archive agency".split()
)

_PIECE = (r"(?:article|piece|post|blog(?:\s+post)?|story|column|essay|op-?ed|interview|commentary|"
          r"report|speech|letter)")
# "This article was first published at:", "A version of this piece appeared in ..."
_THIS_PUBLISHED_RE = re.compile(
    rf"(?:a\s+version\s+of\s+)?this\s+{_PIECE}\s+(?:was\s+|is\s+|has\s+been\s+|had\s+been\s+)?"
    r"(?:(?:first|originally|previously)\s+)?(?:published|appeared|posted|ran)\b(?P<tail>.*)",
    re.I,
)
# "First published: 24 June 2016", "Originally posted at www.example.org"
_FIRST_PUBLISHED_RE = re.compile(
    r"(?:first|originally|previously)\s+(?:published|appeared|posted)\b(?P<tail>.*)", re.I
)
# A tail that goes on as a sentence ("..., the book sold millions") is the author's.
_CLAUSE_RE = re.compile(r"[.!?]\s+\S|,\s+[a-z]|\b(?:and|but|which|where|because|when|while)\b")
_BARE_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+\.\S+/\S*")

_FULL_TEXT_NOUN = (r"(?:piece|article|story|post|column|interview|report|text|speech|statement|"
                   r"blog(?:\s+post)?|op-?ed|essay|thread|letter|transcript)")
_FULL = r"(?:the\s+)?(?:whole|full|complete|entire|rest\s+of\s+the|original)\s+"
_READ_MORE_RE = re.compile(
    r"[*•>\-–—\s]*(?:"
    rf"to\s+(?:see|read|view|watch)\s+{_FULL}{_FULL_TEXT_NOUN},?\s+(?:go|click|tap|look)\s+"
    r"(?:here|on\s+the\s+link(?:\s+below)?)"
    rf"|(?:click|tap)\s+here\s+(?:to\s+|for\s+)(?:read\s+|see\s+|view\s+)?{_FULL}{_FULL_TEXT_NOUN}"
    rf"|(?:read|see)\s+{_FULL}{_FULL_TEXT_NOUN}\s+(?:here|online|at)"
    r")\s*[.!:]?\s*(?P<tail>.*)",
    re.I,
)

_PLATFORM = (r"(?:Instagram|Twitter|X|YouTube|Facebook|LinkedIn|Snapchat|Pinterest|WhatsApp|Reddit|"
             r"TikTok|Flickr|Tumblr|Threads|Bluesky|Mastodon|Telegram|Email|E-mail|RSS)")
_SHARE_ITEM_RE = re.compile(
    rf"\b(?:links?\s+to|share\s+(?:on|via|to|by)|follow\s+(?:us\s+)?on)\s+{_PLATFORM}\b", re.I
)
_PLATFORM_RE = re.compile(rf"\b{_PLATFORM}\b", re.I)
_UI_WORDS = frozenset(
    "close open fax website web location map phone telephone tel mobile email e-mail mail "
    "calendar building search menu share shares tweet print copy link links url home skip to "
    "content navigation nav sign in up log login subscribe newsletter comments comment save "
    "like follow us on via more top back next previous prev and or the this page article "
    "facebook twitter instagram youtube linkedin snapchat pinterest whatsapp reddit tiktok "
    "flickr tumblr threads bluesky mastodon telegram rss x contact address".split()
)

# An author bio opens with a name (two to five capitalised words) and "is/was ...",
# and names a role or a social-media handle.
_BIO_SUBJECT_RE = re.compile(
    r"[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|de|van|von|der|du|la|le)){1,4}\s+"
    r"(?:is|was|has\s+been|works\s+as|writes|served\s+as)\b"
)
_BIO_ROLE_RE = re.compile(
    r"@\w{2,}|\b(?:tweets|writes|author|columnist|director|editor|MP|MEP|MSP|professor|"
    r"fellow|secretary|minister|correspondent|founder|co-founder|chair(?:man|woman)?|lecturer|"
    r"researcher|journalist|councillor|campaigner|spokes(?:man|woman|person)|blogger|"
    r"commentator|contributor)\b",
)
_MAX_BIO_CHARS = 500
_MAX_BIO_LINES = 3


def _is_separator(line: str) -> bool:
    return _SEPARATOR_RE.fullmatch(line) is not None


def _is_photo_credit(line: str) -> bool:
    """'Photo: Fernando Butcher': a credit label, then a short run of names."""
    m = _CREDIT_RE.fullmatch(line)
    if not m:
        return False
    who = (m.group("a") or m.group("b") or "").strip().rstrip(".")
    words = who.split()
    if not words or len(words) > 8 or len(who) > 80 or re.search(r"[!?;\"\u201c\u201d]|\.\s", who):
        return False
    named = 0
    for w in words:
        bare = w.strip("(),/|")
        if not bare or bare.lower() in _CREDIT_LINKERS or not bare[0].isalpha():
            continue
        if bare[0].isupper() or bare.startswith("@"):
            named += 1
        else:
            return False
    return named > 0


def _is_published_elsewhere(line: str) -> bool:
    """'This article was first published at:' and close variants, with a short tail."""
    m = _THIS_PUBLISHED_RE.fullmatch(line)
    if not m:
        m = _FIRST_PUBLISHED_RE.fullmatch(line)
        if not m or len(line.split()) > 10:
            return False
    tail = m.group("tail").strip()
    return len(tail) <= 100 and len(tail.split()) <= 12 and not _CLAUSE_RE.search(tail)


def _is_read_more(line: str) -> bool:
    """'* To see the whole piece go HERE.', 'Click here to read the full article'."""
    m = _READ_MORE_RE.fullmatch(line)
    if not m:
        return False
    tail = m.group("tail").strip()
    return not tail or _BARE_URL_RE.fullmatch(tail) is not None or tail in {"»", "→", ">>"} \
        or (len(tail.split()) <= 4 and tail[:1].isupper() and not re.search(r"[.!?]\s", tail))


def _is_share_bar(line: str) -> bool:
    """A line of 'Link to Instagram Link to Twitter ...' items and page-furniture words only."""
    words = line.lower().split()
    if words[0].strip(":|•·") not in _UI_WORDS or words[-1].strip(":|•·.") not in _UI_WORDS:
        return False
    items = len(_SHARE_ITEM_RE.findall(line))
    platforms = len(_PLATFORM_RE.findall(line))
    if items < 3 and platforms < 4:
        return False
    rest = re.findall(r"[^\W_]+(?:-[^\W_]+)*", _SHARE_ITEM_RE.sub(" ", line))
    return all(w.lower() in _UI_WORDS for w in rest)


def _is_bio(block: str) -> bool:
    """A short 'Jacqui Smith is a former home secretary ...' note."""
    if len(block) > _MAX_BIO_CHARS or len(re.findall(r"[.!?](?:\s|$)", block)) > 3:
        return False
    return _BIO_SUBJECT_RE.match(block) is not None and _BIO_ROLE_RE.search(block) is not None


# --------------------------------------------------------------------------
# Boilerplate: labelling lines and removing them

_BLANK = "\0blank"


def _lines(text: str) -> list[tuple[int, int]]:
    """Each line's span, without its line break."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _label_lines(text: str, lines: list[tuple[int, int]]) -> list[str | None]:
    """A rule name for each boilerplate line, ``_BLANK`` for blank lines, None to keep."""
    labels: list[str | None] = [None] * len(lines)
    content = []
    for i, (s, e) in enumerate(lines):
        line = text[s:e].strip()
        if not line:
            labels[i] = _BLANK
        elif len(line) <= _MAX_BOILERPLATE_LINE and _is_separator(line):
            labels[i] = "separator"
        else:
            content.append(i)
    edges = set(content[:3]) | set(content[-5:])
    for i in content:
        s, e = lines[i]
        if e - s > _MAX_BOILERPLATE_LINE:
            continue
        line = text[s:e].strip()
        if _is_photo_credit(line):
            labels[i] = "photo_credit"
        elif i in edges:
            labels[i] = _edge_rule(line)
    _label_links_after_published(text, lines, labels)
    _label_bio(text, lines, labels)
    _keep_some_words(text, lines, labels)
    return labels


def _edge_rule(line: str) -> str | None:
    """The rule a line at the top or bottom of a text falls under, if any."""
    if _is_published_elsewhere(line):
        return "published_elsewhere"
    if _is_read_more(line):
        return "read_more_link"
    if _is_share_bar(line):
        return "share_links"
    return None


def _next_content(labels: list[str | None], i: int, step: int) -> int:
    """Index of the nearest non-blank line from ``i`` in direction ``step``, or -1."""
    while 0 <= i < len(labels):
        if labels[i] != _BLANK:
            return i
        i += step
    return -1


def _label_links_after_published(text, lines, labels) -> None:
    """A bare link right under 'first published at:' goes with it."""
    for i, label in enumerate(labels):
        if label == "published_elsewhere":
            j = _next_content(labels, i + 1, 1)
            if j > 0 and labels[j] is None:
                s, e = lines[j]
                if _BARE_URL_RE.fullmatch(text[s:e].strip()):
                    labels[j] = "published_elsewhere"


def _label_bio(text, lines, labels) -> None:
    """The last block of text, if a divider line sits above it and it reads as a bio.

    Only boilerplate may follow the block, so an author's closing paragraph
    is never taken for a bio.
    """
    last = len(labels) - 1
    while last >= 0 and labels[last] is not None:
        last -= 1
    first = last
    while first > 0 and labels[first - 1] is None:
        first -= 1
    if last < 0 or last - first + 1 > _MAX_BIO_LINES:
        return
    above = _next_content(labels, first - 1, -1)
    if above < 0 or labels[above] != "separator":
        return
    block = text[lines[first][0]:lines[last][1]].strip()
    if _is_bio(block):
        for i in range(first, last + 1):
            labels[i] = "author_bio"


def _keep_some_words(text, lines, labels) -> None:
    """Never empty a text: if no line with words would survive, keep its word lines."""
    word = re.compile(r"[^\W_]")
    for i, label in enumerate(labels):
        if label is None and word.search(text[lines[i][0]:lines[i][1]]):
            return
    for i, label in enumerate(labels):
        if label not in (None, _BLANK, "separator"):
            labels[i] = None


def _removal_records(t: _Tracked, lines, labels) -> list[tuple[str, int, int]]:
    """(rule, input start, input end) for each run of lines removed under one rule."""
    out: list[tuple[str, int, int]] = []
    prev_rule, prev_i = None, -2
    for i, label in enumerate(labels):
        if label in (None, _BLANK):
            continue
        s, e = _strip_span(t.text, *lines[i])
        src_s, src_e = t.source_span(s, e)
        if label == prev_rule and prev_i == i - 1:
            out[-1] = (label, out[-1][1], src_e)
        else:
            out.append((label, src_s, src_e))
        prev_rule, prev_i = label, i
    return out


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _gap_edits(text: str, lines, labels) -> list[tuple[int, int, str]]:
    """Edits deleting each run of removed lines with the line breaks around it.

    The run, with its neighbouring blank lines, becomes one paragraph break
    between kept lines ("\\n\\n", or "\\n" where the lines were only separated
    by single line breaks), or nothing at the start or end of the text.
    """
    edits = []
    i, n = 0, len(labels)
    while i < n:
        if labels[i] is None:
            i += 1
            continue
        j = i
        while j < n and labels[j] is not None:
            j += 1
        run = labels[i:j]
        if any(label != _BLANK for label in run):
            start = lines[i - 1][1] if i > 0 else 0
            end = lines[j][0] if j < n else len(text)
            if i == 0 or j == n:
                sep = ""
            elif _BLANK in run or "separator" in run:
                sep = "\n\n"
            else:
                sep = "\n"
            edits.append((start, end, sep))
        i = j
    return edits


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
    t = _Tracked.of(text)
    counts: dict[str, int] = {}
    repairs: list[Repair] = []
    t = _run_steps(text, t, _NORMALISE_FIRST, counts, repairs)
    lines = _lines(t.text)
    labels = _label_lines(t.text, lines)
    records = _removal_records(t, lines, labels)
    if records:
        t = t.apply(_gap_edits(t.text, lines, labels))
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


def _run_steps(source: str, t: _Tracked, steps: list[tuple[str, Step]], counts: dict[str, int],
               repairs: list[Repair]) -> _Tracked:
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
