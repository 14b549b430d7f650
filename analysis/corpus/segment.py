"""Paragraphs, sentences and word tokens with character offsets.

Everything here works on plain strings with rules written in this file; no
model is downloaded. Offsets are Python string indices into the text that was
passed in (for a corpus: the cleaned text of a document), half-open
``[start, end)``, so ``text[start:end]`` is the unit itself.

Sentences end at ``.``, ``!``, ``?`` or ``…`` (plus any closing quotes or
brackets) before a capital letter, digit or opening quote; a full stop after
an abbreviation ("Mrs", "Dr.", "e.g.", "U.K.", "No. 10") only ends a sentence
when the next word is a typical sentence opener ("...in the U.K. The next
day"). Within a paragraph, bulleted or numbered items and lines without
closing punctuation (headings, lists) are sentences of their own, unless the
paragraph is hard-wrapped prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# A word: letters/digits joined by internal apostrophes or hyphens
# ("don't", "left-behind", "post-Brexit", "O'Grady"). Other modules
# (terms, reuse, topics) mirror this pattern: change it with them.
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\u2018\-\u2010\u2011][^\W_]+)*")

# Full stops after these never end a sentence: they precede a name or an example.
TITLES = frozenset(
    """
    mr mrs ms mx dr prof rev revd hon st mt sen rep gen col capt lt sgt cpl maj cmdr adm gov
    pres rt supt insp det fr messrs mme mlle
    eg ie cf vs v viz approx ca
    """.split()
)
# Abbreviations only when a number follows ("No. 10", "p. 5", "Art. 50");
# otherwise ordinary words that may end a sentence ("She said no.").
NUMBER_ABBREVIATIONS = frozenset("no nos p pp c cc vol vols fig figs art ch sec para paras ed eds op".split())
# Abbreviations that may also end a sentence ("... and so on, etc. The ...").
ABBREVIATIONS = frozenset(
    """
    etc al inc ltd co corp plc bros jr sr dept est ft lb lbs oz
    jan feb apr jun jul aug sep sept oct nov dec mon tue tues thu thur thurs fri
    """.split()
)
# Words that, capitalised after an abbreviation, mean a new sentence has begun.
SENTENCE_OPENERS = frozenset(
    """
    the this that these those there their they then thus it its in if i he his her she we our
    you your but and or so yet as at a an after also although before because by for from how
    however here meanwhile most many my no not now of on one once since some such to today
    under until when where whether which while who why with without yes
    """.split()
)

_PARA_BREAK_RE = re.compile(r"\n[ \t\r\u00a0]*\n\s*")
_BULLET_RE = re.compile(r"[ \t]*(?:[-*\u2022\u2023\u25e6\u2043\u2219\u25aa\u25cf]|\d{1,3}[.)]|[a-zA-Z][.)])[ \t]+")
# Candidate sentence ends: terminal punctuation, then optional closing quotes or
# brackets, then whitespace.
_END_RE = re.compile(r"([.!?\u2026]+)([\"'\u201d\u2019)\]]*)(\s+)")
_OPENING_CHARS = frozenset("\"'\u201c\u2018([\u00a3$\u20ac-*\u2022\u00bf\u00a1#@")
_LINE_END_PUNCT = frozenset(".!?\u2026:;,\"'\u201d\u2019)]")
_DOTTED_RE = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")  # "U.K", "e.g", "U.S.A" (final dot excluded)
_NEXT_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of a text."""

    start: int
    end: int


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs: runs of text separated by one or more blank lines.

    Leading and trailing whitespace is excluded from each span; empty
    paragraphs are dropped. A bulleted list whose items are on consecutive
    lines is one paragraph (its items become separate sentences).
    """
    spans = []
    pos = 0
    for m in _PARA_BREAK_RE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        s, e = _strip(text, s, e)
        if e > s:
            out.append((s, e))
    return out


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as spans into ``text`` (see the module docstring).

    A closing quote or bracket after the terminal punctuation stays with its
    sentence (``."``, ``?"``, ``!'``, ``.)``); the next sentence starts after
    the whitespace that follows. Spans are sorted, non-overlapping, non-empty
    and stripped of surrounding whitespace.
    """
    if end is None:
        end = len(text)
    cuts = _punctuation_cuts(text, start, end)
    if text.find("\n", start, end) >= 0:
        cuts.update(_line_cuts(text, start, end))
    spans = []
    pos = start
    for c in sorted(cuts):
        s, e = _strip(text, pos, c)
        if e > s:
            spans.append((s, e))
        pos = c
    s, e = _strip(text, pos, end)
    if e > s:
        spans.append((s, e))
    return spans


def _punctuation_cuts(text: str, start: int, end: int) -> set[int]:
    """Offsets just after each sentence-ending punctuation (and closing quotes)."""
    cuts = set()
    for m in _END_RE.finditer(text, start, end):
        nxt = m.end()
        if nxt >= end or not _can_open_sentence(text[nxt]):
            continue
        is_full_stop = m.group(1) == "." and not m.group(2)
        if is_full_stop and not _full_stop_ends_sentence(text, m.start(1), nxt, start, "\n" in m.group(3)):
            continue
        cuts.add(m.end(2))
    return cuts


def _can_open_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in _OPENING_CHARS


def _full_stop_ends_sentence(text: str, dot: int, nxt: int, start: int, newline: bool) -> bool:
    """Whether the full stop at ``dot`` ends a sentence; ``nxt`` starts the next word."""
    j = dot
    while j > start and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot]
    if not word:
        return True
    if len(word) <= 3 and (word.isdigit() or len(word) == 1) and _starts_item(text, j, start):
        return False  # a list marker: "1." or "a." at a line start or after a sentence
    bare = word.lower()
    if _DOTTED_RE.fullmatch(word):
        bare = bare.replace(".", "")
    elif "." in word:
        return True  # "4.30am.", "www.bbc.co.uk."
    if bare in TITLES:
        return False
    if bare in NUMBER_ABBREVIATIONS:
        return not text[nxt].isdigit()
    if bare in ABBREVIATIONS or "." in word or (len(word) == 1 and word.isupper()):
        # "etc.", "U.K.", an initial: ends a sentence only before a sentence opener.
        return newline or _opens_sentence(text, nxt)
    return True


def _starts_item(text: str, i: int, start: int) -> bool:
    """Whether ``i`` starts a line, or follows a sentence's end or a colon and a space."""
    j = i
    while j > start and text[j - 1] in " \t":
        j -= 1
    if j == start or text[j - 1] == "\n":
        return True
    if j == i:
        return False  # "3:1.", not a list marker
    if text[j - 1] in ":.!?\u2026":
        return True
    return text[j - 1] in "\"'\u201d\u2019)" and j - 2 >= start and text[j - 2] in ".!?"


def _opens_sentence(text: str, i: int) -> bool:
    """Whether a typical sentence-opening word (not an initial) starts at ``i``."""
    m = _NEXT_WORD_RE.match(text, i)
    if not m:
        return not text[i].isalpha()  # a digit or an opening quote
    followed_by_dot = m.end() < len(text) and text[m.end()] == "."
    return m.group().lower() in SENTENCE_OPENERS and not followed_by_dot


def _line_cuts(text: str, start: int, end: int) -> set[int]:
    """Cuts at line breaks: before bullet items, after headings and lead-ins ending in ':'."""
    newlines = [m.start() for m in re.finditer("\n", text[start:end])]
    wrapped = _is_hard_wrapped(text, start, newlines)
    cuts = set()
    for k in newlines:
        i = start + k
        nxt = i + 1
        if _BULLET_RE.match(text, nxt, end):
            cuts.add(nxt)
            continue
        s, e = _strip(text, start, i)
        following = _strip(text, nxt, end)[0]
        if e <= s or following >= end or not _can_open_sentence(text[following]):
            continue
        last = text[e - 1]
        if last == ":" or (last not in _LINE_END_PUNCT and not wrapped):
            cuts.add(nxt)
    return cuts


def _is_hard_wrapped(text: str, start: int, newlines: list[int]) -> bool:
    """Prose broken into lines mid-sentence: a line break between two words in lower case."""
    soft = 0
    for k in newlines:
        i = start + k
        before = text[i - 1] if i > start else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if (before.isalpha() or before == ",") and after.islower():
            soft += 1
    return soft > 0 and 3 * soft >= len(newlines)


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word tokens of ``text[start:end]`` as spans into ``text``.

    A token is a run of letters or digits, with internal apostrophes and
    hyphens kept ("don't", "left-behind", "O'Grady"). Punctuation, currency
    signs and whitespace are not tokens; "£350" yields "350", "3.5%" yields
    "3" and "5".
    """
    if end is None:
        end = len(text)
    return [m.span() for m in WORD_RE.finditer(text, start, end)]


_APOS_TABLE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-"})


def normalise_token(token: str) -> str:
    """Lower-case a token and make curly apostrophes and Unicode hyphens plain."""
    return token.translate(_APOS_TABLE).lower()


def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text`` (see :func:`token_spans`, :func:`normalise_token`)."""
    return [normalise_token(t) for t in WORD_RE.findall(text)]


def count_words(text: str) -> int:
    """Number of word tokens in ``text``, as :func:`token_spans` counts them."""
    return len(WORD_RE.findall(text))


def segment_document(doc_id: str, text: str) -> tuple[list[tuple], list[tuple]]:
    """Paragraph rows ``(doc_id, para, start, end)`` and sentence rows
    ``(doc_id, para, sent, start, end, text)`` for one document.

    ``para`` and ``sent`` count from 0; ``sent`` counts within the document.
    """
    paras, sents = [], []
    n = 0
    for p, (ps, pe) in enumerate(paragraph_spans(text)):
        paras.append((doc_id, p, ps, pe))
        for ss, se in sentence_spans(text, ps, pe):
            sents.append((doc_id, p, n, ss, se, text[ss:se]))
            n += 1
    return paras, sents


PARAGRAPH_COLUMNS = ["doc_id", "para", "start", "end"]
SENTENCE_COLUMNS = ["doc_id", "para", "sent", "start", "end", "text"]


def segment_texts(doc_ids, texts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paragraph and sentence tables for many documents.

    Returns ``(paragraphs, sentences)`` with columns :data:`PARAGRAPH_COLUMNS`
    and :data:`SENTENCE_COLUMNS`; offsets index each document's own text.
    """
    all_p, all_s = [], []
    for doc_id, text in zip(doc_ids, texts):
        p, s = segment_document(doc_id, text)
        all_p.extend(p)
        all_s.extend(s)
    paragraphs = pd.DataFrame(all_p, columns=PARAGRAPH_COLUMNS)
    sentences = pd.DataFrame(all_s, columns=SENTENCE_COLUMNS)
    for df in (paragraphs, sentences):
        df["doc_id"] = df["doc_id"].astype(str)
    return paragraphs, sentences
