"""File formats: names, metadata.csv columns, and a parser per extension.

Each parser takes ``(bytes, file name, load)`` - ``load`` is the load call of
:mod:`analysis.corpus.loaders`, which gives the limits, the chosen text and id columns,
the room left in the corpus and the decompression budget - and returns the documents it
found (:class:`Parsed`). :data:`PARSERS` maps an extension to its parser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Protocol

import pandas as pd

from analysis.corpus.decoding import Refused, decode_nonempty, decode_or_refuse
from analysis.corpus.limits import Limits
from analysis.corpus.model import (
    METADATA_FIELDS,
    STANDARD_FIELDS,
    Document,
    unique_id,
)

METADATA_NAME = "metadata.csv"
TEXT_COLUMNS = ("text", "body", "content", "speech", "article")
ID_COLUMNS = ("doc_id", "id")
# Column names an extra metadata field may not take (they would shadow a
# Document attribute in Corpus.to_frame); a clash gets a suffix: "text_2".
RESERVED_COLUMNS = frozenset(STANDARD_FIELDS) | {"text", "origin"}



class Load(Protocol):
    """What a parser needs of the load call it works for (:class:`analysis.corpus.loaders.Load`)."""

    limits: Limits
    text_column: str | None
    id_column: str | None

    def room(self) -> int:
        """How many more documents the corpus takes."""

    def check_package(self, data: bytes) -> None:
        """Charge a .docx's parts to the decompression budget, or refuse it."""


# ---------------------------------------------------------------------------
# Names


def _parts(name: str) -> list[str]:
    """Path components of a file or member name, ``\\`` counted as a separator."""
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def base_name(name: str) -> str:
    """The last path component of a name ("" for a bare folder)."""
    parts = _parts(name)
    return parts[-1] if parts else ""


def file_extension(name: str) -> str:
    """The lower-cased last suffix of the base name (``""`` when there is none)."""
    return PurePosixPath(base_name(name) or "x").suffix.lower()


def file_stem(name: str) -> str:
    """The base name without its last suffix (the default doc_id of a file)."""
    return PurePosixPath(base_name(name) or "x").stem


def folder_of(name: str) -> str:
    """The folder part of a name, "/"-separated ("" at the top)."""
    return "/".join(_parts(name)[:-1])


def is_metadata(name: str) -> bool:
    """True for a file named metadata.csv, in any case."""
    return base_name(name).lower() == METADATA_NAME


def is_ignored(name: str) -> bool:
    """Archive members never loaded and never reported: macOS resource forks, dotfiles."""
    parts = _parts(name)
    return bool(parts) and (parts[0] == "__MACOSX" or any(p.startswith(".") and p != ".." for p in parts))


def is_unsafe(name: str) -> bool:
    """True for absolute member names and names with ``..`` (zip slip)."""
    plain = name.replace("\\", "/")
    return plain.startswith("/") or bool(re.match(r"[A-Za-z]:", plain)) or ".." in _parts(name)


def slug(title: str) -> str:
    return re.sub(r"\W+", "_", title.strip().lower()).strip("_")[:60]


def describe_error(error: BaseException) -> str:
    """A short description of a library exception for a reason string."""
    message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# ---------------------------------------------------------------------------
# Metadata columns


def metadata_targets(columns: list[str]) -> list[tuple[str, str, bool]]:
    """For each column: ``(column, target, standard)`` - the standard field it
    fills, or the ``extra`` key it becomes (renamed when reserved or taken)."""
    targets, taken = [], set(RESERVED_COLUMNS)
    standard_used: set[str] = set()
    for column in columns:
        key = column.strip().lower()
        if key in METADATA_FIELDS and key not in standard_used:
            standard_used.add(key)
            targets.append((column, key, True))
        else:
            name = unique_id(column.strip() or "column", taken)
            taken.add(name)
            targets.append((column, name, False))
    return targets


def apply_columns(doc: Document, values: dict[str, str]) -> None:
    """Put column values on ``doc`` (see :func:`put_value`)."""
    for column, target, standard in metadata_targets(list(values)):
        put_value(doc, target, standard, values[column])


def put_value(doc: Document, target: str, standard: bool, value: str) -> None:
    """Set a standard field when ``value`` is non-empty; set an extra field always."""
    value = value.strip()
    if not standard:
        doc.extra[target] = value
    elif value:
        setattr(doc, target, value)


@dataclass
class Metadata:
    """The rows of a metadata.csv, keyed by the file name (or stem) they describe."""

    rows: dict[str, dict[str, str]]
    key_column: str

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "Metadata":
        columns = {c.strip().lower(): c for c in frame.columns}
        key = next((columns[k] for k in ("file", "filename", "doc_id") if k in columns), None)
        if key is None:
            raise Refused(f"needs a doc_id, file or filename column; the columns are: {_list(frame.columns)}")
        rows: dict[str, dict[str, str]] = {}
        for record in frame.to_dict("records"):
            rows.setdefault(base_name(str(record[key]).strip()), record)
        rows.pop("", None)
        return cls(rows, key)

    def apply(self, doc: Document, name: str) -> None:
        """Attach the row matching file ``name`` (by name, then stem) to ``doc``, if any."""
        row = self.rows.get(base_name(name)) or self.rows.get(file_stem(name))
        if row is None:
            return
        values = {c: str(v) for c, v in row.items() if c != self.key_column}
        new_id = next((v.strip() for c, v in values.items() if c.strip().lower() == "doc_id"), "")
        values = {c: v for c, v in values.items() if c.strip().lower() != "doc_id"}
        doc.doc_id = new_id or doc.doc_id
        apply_columns(doc, values)


# ---------------------------------------------------------------------------
# Parsers: (bytes, file name, load) -> documents and per-row notes


@dataclass
class Parsed:
    """What a parser found: documents, and notes on rows it skipped (reported as errors)."""

    documents: list[Document]
    notes: list[str] = field(default_factory=list)
    more: int = 0  # documents not built because the corpus was full


def _parse_text(data: bytes, name: str, load: "Load") -> Parsed:
    return Parsed([Document(doc_id=file_stem(name), text=decode_nonempty(data))])


def parse_unknown(data: bytes, name: str, load: "Load") -> Parsed:
    """A file of unknown type: plain text if it decodes cleanly, else refused."""
    try:
        text, _ = decode_or_refuse(data)
    except Refused:
        raise Refused(f"unsupported file type ({file_extension(name) or 'no extension'})") from None
    if not text.strip():
        raise Refused("empty file (only whitespace)")
    return Parsed([Document(doc_id=file_stem(name), text=text)])


def _parse_csv(data: bytes, name: str, load: "Load") -> Parsed:
    text = decode_nonempty(data)
    header = text.split("\n", 1)[0]
    sep = "\t" if file_extension(name) == ".tsv" else (";" if header.count(";") > header.count(",") else ",")
    frame = read_csv(text, sep, load.limits)
    if len(frame) == 0:
        raise Refused("no rows with data")
    columns = list(frame.columns)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, values in enumerate(frame.itertuples(index=False, name=None), 1):
            yield n, dict(zip(columns, values))

    return _table(columns, rows, name, load, "row")


def read_csv(text: str, sep: str, limits: Limits) -> pd.DataFrame:
    """A CSV as a table of strings (empty cells are ``""``), refused when it is
    wider than ``limits.max_columns`` (checked on the header, before parsing)."""
    try:
        width = len(next(csv.reader(io.StringIO(text), delimiter=sep), []))
        if width > limits.max_columns:
            raise Refused(limits.exceeded("max_columns", f"the table has {width:,} columns"))
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, index_col=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise Refused(f"corrupt CSV ({describe_error(e)})") from None
    frame.columns = unique_columns(frame.columns)
    return frame.fillna("")


def unique_columns(columns: Iterable[object]) -> list[str]:
    """Column names stripped of spaces, blanks named "column", clashes suffixed "_2"."""
    names: list[str] = []
    taken: set[str] = set()
    for column in columns:
        names.append(unique_id(str(column).strip() or "column", taken))
        taken.add(names[-1])
    return names


def _parse_json(data: bytes, name: str, load: "Load") -> Parsed:
    text = decode_nonempty(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several values, one per line: JSON Lines named .json
            return _parse_jsonl(data, name, load)
        raise Refused(f"invalid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise Refused(f"invalid JSON ({describe_error(e)})") from None
    if isinstance(value, dict) and isinstance(value.get("documents"), list):
        value = value["documents"]
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise Refused(f"JSON holds a {type(value).__name__}, not an object or a list of objects")
    return _records(list(enumerate(value, 1)), name, load, "item")


def _parse_jsonl(data: bytes, name: str, load: "Load") -> Parsed:
    items = []
    for n, line in enumerate(decode_nonempty(data).split("\n"), 1):
        if line.strip():
            try:
                items.append((n, json.loads(line)))
            except (ValueError, RecursionError):
                items.append((n, None))
    return _records(items, name, load, "line")


def _records(items: list[tuple[int, object]], name: str, load: "Load", unit: str) -> Parsed:
    """Documents from numbered JSON values; values that are not objects are noted.

    The columns are the keys of all objects, in first-seen order; a key an
    object lacks is an empty cell (and no field of that document).
    """
    objects = [(n, item) for n, item in items if isinstance(item, dict)]
    bad = [n for n, item in items if not isinstance(item, dict)]
    if not objects:
        others = f" ({len(bad)} other value{'s' if len(bad) > 1 else ''})" if bad else ""
        raise Refused(f"no JSON objects to load{others}")
    columns: dict[str, None] = {}
    for _, item in objects:
        columns.update(dict.fromkeys(item))
        if len(columns) > load.limits.max_columns:
            raise Refused(load.limits.exceeded("max_columns", f"the objects have over {len(columns) - 1:,} keys"))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, item in objects:
            yield n, {k: _cell(v) for k, v in item.items()}

    parsed = _table(list(columns), rows, name, load, unit)
    if bad:
        parsed.notes.insert(0, numbers_note(len(bad), bad, unit, "not a JSON object (or invalid JSON)"))
    return parsed


def _cell(value: object) -> str:
    """A JSON value as a table cell: strings as they are, null as "", others as JSON."""
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _table(columns: list[str], rows: Callable[[], Iterator[tuple[int, dict[str, str]]]], name: str,
           load: "Load", unit: str) -> Parsed:
    """Documents from a table, one per row with text (column rules: module docstring).

    ``rows()`` yields ``(row number, {column: cell})`` and may be called twice.
    Once the corpus has no room left, rows are counted, not built
    (:attr:`Parsed.more`), so a huge table costs no memory.
    """
    if not columns:
        raise Refused(f"no columns: the {unit}s hold no fields")
    id_column = choose_id_column(columns, load.id_column)
    text_column = choose_text_column(columns, rows, load.text_column, id_column)
    targets = {c: (target, standard) for c, target, standard in
               metadata_targets([c for c in columns if c not in (text_column, id_column)])}
    stem, room = file_stem(name), load.room()
    docs, empty, more = [], [], 0
    for n, row in rows():
        text = row.get(text_column, "")
        if not text.strip():
            empty.append(n)
        elif len(docs) >= room:
            more += 1
        else:
            doc_id = row.get(id_column, "").strip() if id_column else ""
            doc = Document(doc_id=doc_id or f"{stem}_{n}", text=text)
            for column, value in row.items():
                if column in targets:
                    put_value(doc, *targets[column], value)
            docs.append(doc)
    if not docs and not more:
        raise Refused(f"no text: column {text_column!r} is empty in every {unit}")
    notes = [numbers_note(len(empty), empty, unit, f"empty text in column {text_column!r}")] if empty else []
    return Parsed(docs, notes, more)


def choose_id_column(columns: list[str], wanted: str | None) -> str | None:
    if wanted is not None:
        return _named_column(columns, wanted, "id")
    return _first_present(columns, ID_COLUMNS)


def choose_text_column(columns: list[str], rows: Callable[[], Iterator[tuple[int, dict[str, str]]]],
                 wanted: str | None, id_column: str | None) -> str:
    """The named column; else the first of TEXT_COLUMNS; else the longest on average."""
    if wanted is not None:
        return _named_column(columns, wanted, "text")
    found = _first_present(columns, TEXT_COLUMNS)
    if found:
        return found
    lengths: Counter[str] = Counter()
    for _, row in rows():
        for column, value in row.items():
            lengths[column] += len(value)
    candidates = [c for c in columns if c != id_column] or columns
    return max(candidates, key=lambda c: lengths[c])  # the first of equals wins


def _first_present(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first column named (in any case) as one of ``names``, in the order of ``names``."""
    folded: dict[str, str] = {}
    for column in columns:
        folded.setdefault(column.casefold(), column)
    return next((folded[n] for n in names if n in folded), None)


def _named_column(columns: list[str], wanted: str, role: str) -> str:
    """The column the user named (exactly, else in another case), or a refusal listing the columns."""
    if wanted in columns:
        return wanted
    matches = [c for c in columns if c.casefold() == wanted.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    raise Refused(f"no {role} column {wanted!r}; the columns are: {_list(columns)}")


def _list(names: Iterable[object], most: int = 30) -> str:
    """Names joined by commas, the first ``most`` of them."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:most])
    return shown + f", ... ({len(names) - most} more)" * (len(names) > most)


def numbers_note(count: int, numbers: list[int], unit: str, why: str, most: int = 10) -> str:
    """ "3 rows skipped, <why> (rows 2, 5, 9)", listing the first ``most`` numbers."""
    shown = ", ".join(str(n) for n in numbers[:most]) + (", ..." if count > most else "")
    plural = "s" if count > 1 else ""
    return f"{count} {unit}{plural} skipped, {why} ({unit}{plural} {shown})"


def _parse_docx(data: bytes, name: str, load: "Load") -> Parsed:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused("a legacy Word .doc file, not .docx: open it in Word and save it as .docx")
    if not data.startswith(b"PK\x03\x04"):
        raise Refused("corrupt .docx: not a zip package")
    load.check_package(data)
    import docx  # imported when a .docx is read (a few tenths of a second in every process otherwise)

    try:
        document = docx.Document(io.BytesIO(data))
        text = _docx_text(document)
        title = document.core_properties.title or ""
        author = document.core_properties.author or ""
    # python-docx and lxml raise many exception types on malformed packages;
    # whichever it is, the file is corrupt.
    except Exception as e:  # noqa: BLE001
        raise Refused(f"corrupt .docx ({describe_error(e)})") from None
    if not text:
        raise Refused("no text in the document")
    return Parsed([Document(doc_id=file_stem(name), text=text, title=title.strip(), author=author.strip())])


def _docx_text(document) -> str:
    """Paragraphs and tables (a row per line, cells joined by " | ") in document
    order, separated by blank lines."""
    from docx.table import Table

    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.append("\n".join(" | ".join(c.text.strip() for c in row.cells) for row in block.rows))
        else:
            blocks.append(block.text.strip())
    return "\n\n".join(b for b in blocks if b.strip(" |\n"))


def _parse_pdf(data: bytes, name: str, load: "Load") -> Parsed:
    if b"%PDF-" not in data[:1024]:
        raise Refused("corrupt PDF: no %PDF header")
    pages = _pdf_pages(data)
    if not any(p.strip() for p in pages):
        raise Refused("no text layer (scanned?): this PDF holds images of text, and there is no OCR here")
    return Parsed([Document(doc_id=file_stem(name), text="\n\n".join(p.strip() for p in pages if p.strip()))])


def _pdf_pages(data: bytes) -> list[str]:
    """The text layer of each page."""
    import pypdf  # imported when a PDF is read

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused("encrypted PDF (a password is needed to open it)")
        return [page.extract_text() or "" for page in reader.pages]
    except Refused:
        raise
    # pypdf raises many exception types on malformed files (and on encryption
    # it cannot undo); whichever it is, the file cannot be read.
    except Exception as e:  # noqa: BLE001
        raise Refused(f"corrupt or unreadable PDF ({describe_error(e)})") from None


_HIDDEN_TAGS = frozenset({"script", "style", "head", "noscript", "template"})
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table "
    "tbody thead tfoot tr ul".split()
)


class _VisibleText(HTMLParser):
    """Collects the visible text of an HTML page as paragraphs, and its title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._in_title = False
        self._hidden: list[str] = []  # open elements whose content is not shown
        self._paragraphs: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN_TAGS:
            self._hidden.append(tag)
        elif tag == "body":  # a <body> ends an unclosed <head>
            self._hidden = [t for t in self._hidden if t != "head"]
        if tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()
        elif tag in ("td", "th"):
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._hidden:
            del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag):]
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self._current.append(re.sub(r"\s+", " ", data))

    def _end_paragraph(self) -> None:
        lines = (" ".join(line.split()) for line in "".join(self._current).split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self._paragraphs.append(paragraph)
        self._current = []

    def text(self) -> str:
        """The visible text: paragraphs separated by blank lines, ``<br>`` as line breaks."""
        self._end_paragraph()
        return "\n\n".join(self._paragraphs)


def _parse_html(data: bytes, name: str, load: "Load") -> Parsed:
    parser = _VisibleText()
    try:
        parser.feed(decode_nonempty(data))
        parser.close()
    except AssertionError as e:  # html.parser's way to reject some malformed declarations
        raise Refused(f"corrupt HTML ({describe_error(e)})") from None
    text = parser.text()
    if not text:
        raise Refused("no visible text in the page")
    return Parsed([Document(doc_id=file_stem(name), text=text, title=" ".join(parser.title.split()))])


PARSERS: dict[str, Callable[[bytes, str, "Load"], Parsed]] = {
    ".txt": _parse_text,
    ".md": _parse_text,
    ".csv": _parse_csv,
    ".tsv": _parse_csv,
    ".json": _parse_json,
    ".jsonl": _parse_jsonl,
    ".docx": _parse_docx,
    ".pdf": _parse_pdf,
    ".html": _parse_html,
    ".htm": _parse_html,
}
TABLE_EXTENSIONS = frozenset({".csv", ".tsv", ".json", ".jsonl"})
SUPPORTED_EXTENSIONS = tuple(sorted(PARSERS)) + (".zip", ".gz")
