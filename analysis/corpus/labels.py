"""Human names for documents: what a reader sees wherever a document appears.

A document is named by its title when it has one, else by what is known about it:
``"author · type · date"`` ("Jacqui Smith · opinion column · 24 Jun 2016",
"Unknown author · news report"). Untitled documents of no known author that would share a
name are named by their first words instead ("“We are going to confirm…” · 2018"). Two
documents that would still get the same name are told apart by a running number
("Sharon Hodgson · 23 Jan 2020 (2)"); a raw doc_id is never
part of a name. Long names are shortened for chart axes with :func:`shorten` (the full
name goes into the hover). No Streamlit here: the app, the command line and notebooks
share these names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

SEP = " · "
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    s = " ".join(str(value).split())
    return "" if s.lower() in ("nan", "none", "<na>", "nat") else s


def format_date(value) -> str:
    """A date as people write it: "2016-06-24" -> "24 Jun 2016", "2016-06" -> "Jun 2016",
    "2016" -> "2016". Anything else is returned as given (trimmed); empty -> ""."""
    s = _text(value)
    m = _ISO.match(s)
    if not m:
        return s
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month and 1 <= int(month) <= 12:
        if day and 1 <= int(day) <= 31:
            return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
        return f"{MONTHS[int(month) - 1]} {year}"
    return year


def doc_label(title="", author="", type="", date="") -> str:  # noqa: A002 - the metadata field's name
    """One document's name: its title when known, else "author · type · date" with the parts
    that are known ("Unknown author" when the author is not)."""
    t = _text(title)
    if t:
        return t
    parts = [_text(author) or "Unknown author", _text(type), format_date(date)]
    return SEP.join(p for p in parts if p)


def make_unique(names: Iterable[str]) -> list[str]:
    """``names`` with repeats told apart by a running number: the first keeps its name, the
    second becomes "name (2)", the third "name (3)" (skipping numbers already taken)."""
    names = list(names)
    taken = set(names)
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n not in seen:
            seen[n] = 1
            out.append(n)
            continue
        i = seen[n]
        while True:
            i += 1
            candidate = f"{n} ({i})"
            if candidate not in taken:
                break
        seen[n] = i
        taken.add(candidate)
        out.append(candidate)
    return out


#: How much of a text names a document that has nothing else to tell it apart (characters).
OPENING_CHARS = 50


def opening(text) -> str:
    """The first words of ``text`` in quotation marks, cut at a word within
    :data:`OPENING_CHARS` characters ("“We are going to confirm Brett Kavanaugh or vote…”");
    "" for an empty text."""
    s = _text(text)
    if not s:
        return ""
    if len(s) > OPENING_CHARS:
        cut = s[:OPENING_CHARS]
        if " " in cut[OPENING_CHARS // 2:]:
            cut = cut[: cut.rfind(" ")]
        s = cut.rstrip(" ·,;:-") + "…"
    return f"“{s}”"


def doc_labels(docs: pd.DataFrame) -> dict[str, str]:
    """doc_id -> a unique human name (:func:`doc_label`) for every row of ``docs`` (a documents
    table with ``doc_id`` and any of ``title, author, type, date, text``), in table order.

    Documents with neither title nor author that would share a name (a thousand tweets, all
    "Unknown author · 2018") are named by how they begin when ``docs`` has their ``text``
    (:func:`opening`: "“We are going to confirm…” · 2018"), not by a running number alone."""
    n = len(docs)

    def col(name):
        return docs[name].tolist() if name in docs else [""] * n

    titles, authors, types, dates = col("title"), col("author"), col("type"), col("date")
    names = [doc_label(t, a, ty, d) for t, a, ty, d in zip(titles, authors, types, dates)]
    if "text" in docs:
        seen: dict[str, int] = {}
        for name in names:
            seen[name] = seen.get(name, 0) + 1
        for i, text in enumerate(docs["text"].tolist()):
            if seen[names[i]] > 1 and not _text(titles[i]) and not _text(authors[i]) and (first := opening(text)):
                names[i] = SEP.join(p for p in (first, _text(types[i]), format_date(dates[i])) if p)
    return dict(zip(docs["doc_id"].astype(str), make_unique(names)))


def shorten(label: str, limit: int = 48) -> str:
    """``label`` cut to at most ``limit`` characters for a chart axis: at a word boundary, with
    "…" at the cut, and keeping a trailing " (2)" so that shortened names stay distinct.
    Labels within the limit are returned unchanged."""
    s = " ".join(str(label).split())
    if len(s) <= limit:
        return s
    tail = ""
    m = re.search(r" \(\d+\)$", s)
    if m:
        tail, s = m.group(0), s[: m.start()]
    room = max(limit - len(tail) - 1, 8)
    cut = s[:room]
    if " " in cut[room // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ·,;:-") + "…" + tail


def short_labels(labels: dict[str, str], limit: int = 48) -> dict[str, str]:
    """Each label shortened (:func:`shorten`) and still unique (a running number where two
    shortened labels meet)."""
    keys = list(labels)
    short = make_unique(shorten(labels[k], limit) for k in keys)
    return dict(zip(keys, short))
