"""Paragraphs, sentences and word tokens with character offsets.

Everything here works on plain strings with rules written in this file; no
model is downloaded. Offsets are Python string indices into the text that was
passed in (for a corpus: the cleaned text of a document), half-open
``[start, end)``, so ``text[start:end]`` is the unit itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# A word: letters/digits joined by internal apostrophes or hyphens
# ("don't", "left-behind", "post-Brexit", "O'Grady").
WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\u2018\-\u2010\u2011][^\W_]+)*")

# Abbreviations that end with a full stop but do not end a sentence.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof rev hon sr jr st mt sen gen col capt lt sgt cpl maj cmdr adm gov pres
    rt supt insp det
    vs v etc eg ie cf al approx dept est fig no nos vol vols ed eds p pp ch sec art para
    inc ltd co corp plc bros
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """.split()
)

_PARA_BREAK_RE = re.compile(r"\n[ \t\u00a0]*\n\s*")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*\u2022\u2023\u25e6\u2043\u2219]|\d{1,3}[.)]|[a-zA-Z][.)])[ \t]+", re.M)
# Candidate sentence ends: terminal punctuation, then optional closing quotes or
# brackets, then whitespace.
_END_RE = re.compile(r"([.!?\u2026]+)([\"'\u201d\u2019)\]]*)(\s+)")


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


def _is_abbreviation(text: str, dot: int) -> bool:
    """True if the full stop at ``dot`` closes an abbreviation, an initial or a number."""
    j = dot
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot]
    if not word:
        return False
    bare = word.replace(".", "").lower()
    if bare in ABBREVIATIONS:
        return True
    # Initials and dotted acronyms: "J.", "U.K.", "U.S.A."
    if "." in word or (len(word) == 1 and word.isalpha() and word.isupper()):
        return True
    return False


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as spans into ``text``.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quote or
    bracket that follows, so ``."`` stays with its sentence) when whitespace
    and then an upper-case letter, digit, opening quote or bullet follow, and
    the full stop does not close an abbreviation ("Mrs", "Dr.", "U.K.", "etc.")
    or a single initial. A line break that starts a bullet item, and any
    line break inside a paragraph that follows a line with no terminal
    punctuation ending a heading, also ends a sentence.
    """
    if end is None:
        end = len(text)
    cuts: set[int] = set()
    for m in _END_RE.finditer(text, start, end):
        punct_start, punct_end = m.start(1), m.end(1)
        close_end = m.end(2)
        nxt = m.end(3)
        if nxt >= end:
            continue
        following = text[nxt]
        if not (following.isupper() or following.isdigit() or following in "\"'\u201c\u2018([\u00a3$\u20ac-*\u2022"):
            continue
        if text[punct_start:punct_end] == "." and _is_abbreviation(text, punct_start):
            # "Mrs Smith", "Dr. Who", "U.K. Independence": not an end, unless a
            # line break follows (a list item or a new line of prose).
            if "\n" not in m.group(3):
                continue
        cuts.add(close_end)
    # Bulleted or numbered items on their own lines are separate sentences.
    for m in _BULLET_RE.finditer(text, start, end):
        if m.start() > start:
            cuts.add(m.start())
    # A line with no terminal punctuation followed by a new line (a heading,
    # a list without bullets) ends there.
    for m in re.finditer(r"[^\s.!?\u2026:;,\"'\u201d\u2019)\]]([ \t]*)\n", text[start:end]):
        cuts.add(start + m.start() + 1)
    spans = []
    pos = start
    for c in sorted(cuts):
        if start < c < end:
            s, e = _strip(text, pos, c)
            if e > s:
                spans.append((s, e))
            pos = c
    s, e = _strip(text, pos, end)
    if e > s:
        spans.append((s, e))
    return spans


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word tokens of ``text[start:end]`` as spans into ``text``.

    A token is a run of letters or digits, with internal apostrophes and
    hyphens kept ("don't", "left-behind", "O'Grady"). Punctuation, currency
    signs and whitespace are not tokens; "£350" yields "350".
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
    return [normalise_token(m.group()) for m in WORD_RE.finditer(text)]


def count_words(text: str) -> int:
    """Number of word tokens in ``text``, as :func:`token_spans` counts them."""
    return sum(1 for _ in WORD_RE.finditer(text))


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
