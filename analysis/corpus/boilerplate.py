"""Boilerplate: whole standalone lines that are not the author's text.

Share bars, "first published at" lines, photo credits, divider rules, an author bio at the
edge, "read more" links. Each line is classified on its own, then labelled in context; the
removals (with their rule) become edits of :mod:`analysis.corpus.tracked` text, used by
:func:`analysis.corpus.clean.clean_text`.
"""

from __future__ import annotations

import re

from analysis.corpus.tracked import Tracked

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


def line_spans(text: str) -> list[tuple[int, int]]:
    """Each line's span, without its line break."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def label_lines(text: str, lines: list[tuple[int, int]]) -> list[str | None]:
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


def removal_records(t: Tracked, lines, labels) -> list[tuple[str, int, int]]:
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


def gap_edits(text: str, lines, labels) -> list[tuple[int, int, str]]:
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
