"""Loading a corpus: files, folders, archives, uploads and pasted text.

Entry points, each returning a :class:`Corpus` (documents plus the
:class:`LoadError` met on the way):

- :func:`load_paths` - files and folders on disk (the command line, notebooks);
- :func:`load_files` / :func:`load_bytes` - uploads, as ``(name, bytes)``;
- :func:`load_seeds` - the project's three seed documents with their metadata;
- :func:`from_text` - pasted text.

Formats, chosen by the file name's extension (never by the content alone):

- ``.txt``, ``.md``: one document per file, ``doc_id`` = the file's stem.
- ``.csv``, ``.tsv``, ``.json``, ``.jsonl``: tables, one document per row
  (JSON: a list of objects, ``{"documents": [...]}`` or one object; JSON Lines:
  one object per line). The text column is ``text_column`` if given, else the
  first of :data:`TEXT_COLUMNS` present, else the column with the longest
  strings on average. The id column is ``id_column`` if given, else the first of
  :data:`ID_COLUMNS` present, else ``<file stem>_<row>`` (rows counted from 1
  after the header). Columns named like a metadata field of
  :data:`analysis.corpus.model.METADATA_FIELDS` fill that field; all others go to
  ``Document.extra`` under their own name (a JSON object's missing key is
  simply absent). Rows with empty text are skipped and reported in one error
  per file.
- ``.docx``: paragraph and table text in document order; the core properties
  title and author fill ``title`` and ``author`` when set.
- ``.pdf``: the text layer, pages separated by a blank line. A PDF without one
  (a scan) is refused: there is no OCR here.
- ``.html``, ``.htm``: visible text only (no script, style, head, noscript or
  template), block elements as paragraphs; ``<title>`` becomes the title.
- any of these gzip-compressed (``speeches.csv.gz``), and ``.zip`` archives of
  them (members read in memory, never extracted; ``__MACOSX/`` and dotfiles
  skipped).
- anything else is loaded as plain text when it decodes cleanly as text, and is
  otherwise refused as an unsupported file type.

A file named ``metadata.csv`` (any case) is never a document: its rows
describe the one-document files (not tables) of its own folder - on disk, in a
zip, or among uploads. It needs a ``file``/``filename`` column or a ``doc_id``
column, matched against each file's name and stem. Its standard columns fill
the standard fields (non-empty values only), the rest go to ``extra``; with a
``file`` column, a non-empty ``doc_id`` renames the document. Given alone as a
path it loads nothing: it is read for the files beside it.

Text is decoded by :func:`decode_text` and line endings are made ``\\n``;
nothing else is changed (cleaning is :mod:`analysis.corpus.clean`'s job).

Bad input never raises: each unreadable, empty, binary, undecodable,
oversized or corrupt file - or archive member, named ``archive.zip!member`` -
becomes a ``LoadError(path, reason)`` and the other files still load. Only
programmer errors (wrong argument types) raise. The limits of
:class:`analysis.corpus.limits.Limits` are enforced here so that the command line and
the web app share them; ``limits=None`` means :meth:`Limits.from_env`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import lzma
import os
import re
import stat
import string
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import charset_normalizer
import docx
import pandas as pd
import pypdf
from docx.table import Table

from analysis.corpus.limits import RATIO_EXEMPT_BYTES, Limits, format_bytes
from analysis.corpus.model import METADATA_FIELDS, STANDARD_FIELDS, Corpus, Document, LoadError, unique_id

__all__ = [
    "Corpus",
    "Document",
    "ID_COLUMNS",
    "Limits",
    "LoadError",
    "SEEDS_DIR",
    "SUPPORTED_EXTENSIONS",
    "TEXT_COLUMNS",
    "decode_text",
    "from_text",
    "load_bytes",
    "load_files",
    "load_paths",
    "load_seeds",
]

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
METADATA_NAME = "metadata.csv"
TEXT_COLUMNS = ("text", "body", "content", "speech", "article")
ID_COLUMNS = ("doc_id", "id")
# Column names an extra metadata field may not take (they would shadow a
# Document attribute in Corpus.to_frame); a clash gets a suffix: "text_2".
RESERVED_COLUMNS = frozenset(STANDARD_FIELDS) | {"text", "origin"}

_CHUNK = 64 * 1024
_GUESS_BYTES = 256 * 1024
# What zipfile raises on opening a damaged archive (NotImplementedError: an
# unknown "zip file version" in a header).
_ZIP_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                    NotImplementedError, struct.error)


class _Refused(Exception):
    """A file (or member, or archive) that cannot be loaded; the message is the reason."""


# ---------------------------------------------------------------------------
# Public entry points


def load_paths(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    limits: Limits | None = None,
    recursive: bool = True,
) -> Corpus:
    """Load files and folders from disk.

    A folder loads every file inside it (and in its subfolders when
    ``recursive``), in sorted order of relative path, skipping hidden files and
    folders. ``text_column`` and ``id_column`` choose the columns of table
    files (see the module docstring); limits are shared by all the paths.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    load = _Load(limits, text_column, id_column)
    for path in paths:
        load.path(Path(path), recursive)
    return load.corpus()


def load_files(
    files: Iterable[tuple[str, bytes]],
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    limits: Limits | None = None,
) -> Corpus:
    """Load uploads given as ``(file name, content)`` pairs, sharing one set of limits.

    A ``metadata.csv`` among them describes the others (by file name or stem).
    The bytes are parsed and dropped; no document keeps them.
    """
    load = _Load(limits, text_column, id_column)
    load.uploads(list(files))
    return load.corpus()


def load_bytes(
    name: str,
    data: bytes,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    limits: Limits | None = None,
) -> Corpus:
    """Load one upload: its file name (which decides the format) and its bytes."""
    return load_files([(name, data)], text_column=text_column, id_column=id_column, limits=limits)


def load_seeds() -> Corpus:
    """The project's seed documents (``seeds/``) with ``seeds/metadata.csv`` attached."""
    return load_paths(SEEDS_DIR, limits=Limits.local())  # our own files: no demo caps


def from_text(text: str, title: str = "", *, limits: Limits | None = None, **metadata: object) -> Corpus:
    """A one-document corpus from pasted text.

    ``metadata`` may hold standard fields (``author="..."``, ``doc_id="..."``)
    and any extra fields; values are turned into strings. The doc_id defaults
    to a slug of the title, else ``"pasted"``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    load = _Load(limits)
    if not text.strip():
        load.fail("pasted text", "empty text")
        return load.corpus()
    fields = {k: str(v) for k, v in metadata.items()}
    doc_id = fields.pop("doc_id", "") or _slug(title) or "pasted"
    doc = Document(doc_id=doc_id, text=text, title=title)
    _apply_columns(doc, fields)
    load.add(doc, "pasted text")
    return load.corpus()


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read with.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; bytes with NUL
    or a known binary signature (PNG, JPEG, ELF, zip, gzip, ...) are refused;
    UTF-8; UTF-8 with a few stray Windows-1252 bytes (``"utf-8+cp1252"``);
    Windows-1252 when it decodes the bytes into plausible Western
    European text (reported as ``"latin-1"`` when no byte in 0x80-0x9F occurs,
    where the two agree); else charset-normalizer's best guess. Text with more
    than 1% control characters is refused as binary. Raises ``ValueError``
    whose message is the reason when the bytes are not text.
    """
    try:
        return _decode(data)
    except _Refused as e:
        raise ValueError(str(e)) from None


# ---------------------------------------------------------------------------
# Encodings

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"PK\x03\x04", "a zip archive or Office file"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc, .xls)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]")  # undecodable bytes under "surrogateescape"
_ASCII_BYTES = bytes(range(128))
_ASCII_LETTERS = string.ascii_letters.encode()
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Characters that Windows-1252 bytes give in Western European text: accented
# letters, typographic quotes and dashes, currency and common signs.
_WESTERN = (
    frozenset(chr(c) for c in range(0xC0, 0x100)) - {"\u00d7", "\u00f7"}
) | frozenset("\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
              "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
              "\u00a0\u00a1\u00a2\u00a3\u00a5\u00a7\u00a9\u00ab\u00ae\u00b0\u00b1\u00b4\u00b7\u00bb"
              "\u00bc\u00bd\u00be\u00bf")


def _decode(data: bytes) -> tuple[str, str]:
    """:func:`decode_text` with the private exception."""
    text, encoding = _decode_any(data)
    controls = len(_CONTROL_CHARS.findall(text))
    if controls * 100 > len(text):
        plural = "s" if controls > 1 else ""
        raise _Refused(f"binary or undecodable: {controls:,} control character{plural} among {len(text):,} characters")
    return text, encoding


def _decode_any(data: bytes) -> tuple[str, str]:
    """Decode by byte-order mark, UTF-8, Windows-1252 or charset-normalizer, in that order."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                raise _Refused(f"binary or undecodable: not valid {codec} after its byte-order mark") from None
    _refuse_binary(data)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = _mostly_utf8(data) or _western(data)
    if decoded:
        return decoded
    return _guessed(data)


def _guessed(data: bytes) -> tuple[str, str]:
    """Decode with charset-normalizer's guess, made on the first lines only
    (at most :data:`_GUESS_BYTES`) so that big files cost one decode."""
    sample = data[:_GUESS_BYTES]
    if len(data) > _GUESS_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # do not cut a character in two
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except UnicodeDecodeError:
            pass
    raise _Refused("binary or undecodable: not text in any encoding tried")


def _refuse_binary(data: bytes) -> None:
    """Refuse bytes that are certainly not text: NUL bytes or a binary file signature."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise _Refused(f"binary file ({kind}), not text")
    if b"\x00" in data:
        raise _Refused("binary file (contains NUL bytes), not text")


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """``(text, "utf-8+cp1252")`` for UTF-8 with a few stray Windows-1252 bytes
    (a file edited in two editors): it needs at least as many valid multi-byte
    UTF-8 characters as stray bytes; the stray bytes are read as Windows-1252."""
    text = data.decode("utf-8", "surrogateescape")
    stray = len(data) - len(text.encode("utf-8", "ignore"))  # escaped bytes do not re-encode
    valid = len(text) - len(text.encode("ascii", "ignore")) - stray
    if valid < stray:
        return None
    unescape = lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace")  # noqa: E731
    return _ESCAPED_BYTES.sub(unescape, text), "utf-8+cp1252"


def _western(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` if the bytes read as Western European Windows-1252 text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if not _looks_western(data):
        return None
    return text, ("cp1252" if _C1_BYTES.search(data) else "latin-1")


def _looks_western(data: bytes) -> bool:
    """True when the non-ASCII characters of Windows-1252 ``data`` look like
    Western European text.

    Nearly all of them (98%) must be accented letters or typographic signs,
    and accented letters must be at most a quarter of the letters: Cyrillic or
    Greek read as Windows-1252 gives words made only of accented letters.
    Counted on the bytes (one byte, one character), which is fast.
    """
    counts = Counter(data.translate(None, _ASCII_BYTES))
    chars = {bytes([b]).decode("cp1252"): n for b, n in counts.items()}
    odd = sum(n for c, n in chars.items() if c not in _WESTERN)
    accented = sum(n for c, n in chars.items() if c.isalpha())
    letters = accented + len(data) - len(data.translate(None, _ASCII_LETTERS))
    return odd * 50 <= sum(counts.values()) and accented * 4 <= letters


def _decode_nonempty(data: bytes) -> str:
    """The decoded text, refused when it is only whitespace."""
    text, _ = _decode(data)
    if not text.strip():
        raise _Refused("empty file (only whitespace)")
    return text


# ---------------------------------------------------------------------------
# Names


def _parts(name: str) -> list[str]:
    """Path components of a file or member name, ``\\`` counted as a separator."""
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def _basename(name: str) -> str:
    """The last path component of a name ("" for a bare folder)."""
    parts = _parts(name)
    return parts[-1] if parts else ""


def _extension(name: str) -> str:
    """The lower-cased last suffix of the base name (``""`` when there is none)."""
    return PurePosixPath(_basename(name) or "x").suffix.lower()


def _stem(name: str) -> str:
    """The base name without its last suffix (the default doc_id of a file)."""
    return PurePosixPath(_basename(name) or "x").stem


def _dirname(name: str) -> str:
    """The folder part of a name, "/"-separated ("" at the top)."""
    return "/".join(_parts(name)[:-1])


def _is_metadata(name: str) -> bool:
    """True for a file named metadata.csv, in any case."""
    return _basename(name).lower() == METADATA_NAME


def _ignored(name: str) -> bool:
    """Archive members never loaded and never reported: macOS resource forks, dotfiles."""
    parts = _parts(name)
    return bool(parts) and (parts[0] == "__MACOSX" or any(p.startswith(".") and p != ".." for p in parts))


def _unsafe(name: str) -> bool:
    """True for absolute member names and names with ``..`` (zip slip)."""
    plain = name.replace("\\", "/")
    return plain.startswith("/") or bool(re.match(r"[A-Za-z]:", plain)) or ".." in _parts(name)


def _slug(title: str) -> str:
    return re.sub(r"\W+", "_", title.strip().lower()).strip("_")[:60]


def _describe(error: BaseException) -> str:
    """A short description of a library exception for a reason string."""
    message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# ---------------------------------------------------------------------------
# Metadata columns


def _metadata_targets(columns: list[str]) -> list[tuple[str, str, bool]]:
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


def _apply_columns(doc: Document, values: dict[str, str]) -> None:
    """Put column values on ``doc`` (see :func:`_put`)."""
    for column, target, standard in _metadata_targets(list(values)):
        _put(doc, target, standard, values[column])


def _put(doc: Document, target: str, standard: bool, value: str) -> None:
    """Set a standard field when ``value`` is non-empty; set an extra field always."""
    value = value.strip()
    if not standard:
        doc.extra[target] = value
    elif value:
        setattr(doc, target, value)


@dataclass
class _Metadata:
    """The rows of a metadata.csv, keyed by the file name (or stem) they describe."""

    rows: dict[str, dict[str, str]]
    key_column: str

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "_Metadata":
        columns = {c.strip().lower(): c for c in frame.columns}
        key = next((columns[k] for k in ("file", "filename", "doc_id") if k in columns), None)
        if key is None:
            raise _Refused(f"needs a doc_id, file or filename column; the columns are: {_list(frame.columns)}")
        rows: dict[str, dict[str, str]] = {}
        for record in frame.to_dict("records"):
            rows.setdefault(_basename(str(record[key]).strip()), record)
        rows.pop("", None)
        return cls(rows, key)

    def apply(self, doc: Document, name: str) -> None:
        """Attach the row matching file ``name`` (by name, then stem) to ``doc``, if any."""
        row = self.rows.get(_basename(name)) or self.rows.get(_stem(name))
        if row is None:
            return
        values = {c: str(v) for c, v in row.items() if c != self.key_column}
        new_id = next((v.strip() for c, v in values.items() if c.strip().lower() == "doc_id"), "")
        values = {c: v for c, v in values.items() if c.strip().lower() != "doc_id"}
        doc.doc_id = new_id or doc.doc_id
        _apply_columns(doc, values)


# ---------------------------------------------------------------------------
# Parsers: (bytes, file name, load) -> documents and per-row notes


@dataclass
class _Parsed:
    """What a parser found: documents, and notes on rows it skipped (reported as errors)."""

    documents: list[Document]
    notes: list[str] = field(default_factory=list)
    more: int = 0  # documents not built because the corpus was full


def _parse_text(data: bytes, name: str, load: "_Load") -> _Parsed:
    return _Parsed([Document(doc_id=_stem(name), text=_decode_nonempty(data))])


def _parse_unknown(data: bytes, name: str, load: "_Load") -> _Parsed:
    """A file of unknown type: plain text if it decodes cleanly, else refused."""
    try:
        text, _ = _decode(data)
    except _Refused:
        raise _Refused(f"unsupported file type ({_extension(name) or 'no extension'})") from None
    if not text.strip():
        raise _Refused("empty file (only whitespace)")
    return _Parsed([Document(doc_id=_stem(name), text=text)])


def _parse_csv(data: bytes, name: str, load: "_Load") -> _Parsed:
    text = _decode_nonempty(data)
    header = text.split("\n", 1)[0]
    sep = "\t" if _extension(name) == ".tsv" else (";" if header.count(";") > header.count(",") else ",")
    frame = _read_csv(text, sep, load.limits)
    if len(frame) == 0:
        raise _Refused("no rows with data")
    columns = list(frame.columns)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, values in enumerate(frame.itertuples(index=False, name=None), 1):
            yield n, dict(zip(columns, values))

    return _table(columns, rows, name, load, "row")


def _read_csv(text: str, sep: str, limits: Limits) -> pd.DataFrame:
    """A CSV as a table of strings (empty cells are ``""``), refused when it is
    wider than ``limits.max_columns`` (checked on the header, before parsing)."""
    try:
        width = len(next(csv.reader(io.StringIO(text), delimiter=sep), []))
        if width > limits.max_columns:
            raise _Refused(limits.exceeded("max_columns", f"the table has {width:,} columns"))
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, index_col=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise _Refused(f"corrupt CSV ({_describe(e)})") from None
    frame.columns = _unique_columns(frame.columns)
    return frame.fillna("")


def _unique_columns(columns: Iterable[object]) -> list[str]:
    """Column names stripped of spaces, blanks named "column", clashes suffixed "_2"."""
    names: list[str] = []
    taken: set[str] = set()
    for column in columns:
        names.append(unique_id(str(column).strip() or "column", taken))
        taken.add(names[-1])
    return names


def _parse_json(data: bytes, name: str, load: "_Load") -> _Parsed:
    text = _decode_nonempty(data)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data":  # several values, one per line: JSON Lines named .json
            return _parse_jsonl(data, name, load)
        raise _Refused(f"invalid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise _Refused(f"invalid JSON ({_describe(e)})") from None
    if isinstance(value, dict) and isinstance(value.get("documents"), list):
        value = value["documents"]
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise _Refused(f"JSON holds a {type(value).__name__}, not an object or a list of objects")
    return _records(list(enumerate(value, 1)), name, load, "item")


def _parse_jsonl(data: bytes, name: str, load: "_Load") -> _Parsed:
    items = []
    for n, line in enumerate(_decode_nonempty(data).split("\n"), 1):
        if line.strip():
            try:
                items.append((n, json.loads(line)))
            except (ValueError, RecursionError):
                items.append((n, None))
    return _records(items, name, load, "line")


def _records(items: list[tuple[int, object]], name: str, load: "_Load", unit: str) -> _Parsed:
    """Documents from numbered JSON values; values that are not objects are noted.

    The columns are the keys of all objects, in first-seen order; a key an
    object lacks is an empty cell (and no field of that document).
    """
    objects = [(n, item) for n, item in items if isinstance(item, dict)]
    bad = [n for n, item in items if not isinstance(item, dict)]
    if not objects:
        others = f" ({len(bad)} other value{'s' if len(bad) > 1 else ''})" if bad else ""
        raise _Refused(f"no JSON objects to load{others}")
    columns: dict[str, None] = {}
    for _, item in objects:
        columns.update(dict.fromkeys(item))
        if len(columns) > load.limits.max_columns:
            raise _Refused(load.limits.exceeded("max_columns", f"the objects have over {len(columns) - 1:,} keys"))

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for n, item in objects:
            yield n, {k: _cell(v) for k, v in item.items()}

    parsed = _table(list(columns), rows, name, load, unit)
    if bad:
        parsed.notes.insert(0, _numbers_note(len(bad), bad, unit, "not a JSON object (or invalid JSON)"))
    return parsed


def _cell(value: object) -> str:
    """A JSON value as a table cell: strings as they are, null as "", others as JSON."""
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _table(columns: list[str], rows: Callable[[], Iterator[tuple[int, dict[str, str]]]], name: str,
           load: "_Load", unit: str) -> _Parsed:
    """Documents from a table, one per row with text (column rules: module docstring).

    ``rows()`` yields ``(row number, {column: cell})`` and may be called twice.
    Once the corpus has no room left, rows are counted, not built
    (:attr:`_Parsed.more`), so a huge table costs no memory.
    """
    if not columns:
        raise _Refused(f"no columns: the {unit}s hold no fields")
    id_column = _id_column(columns, load.id_column)
    text_column = _text_column(columns, rows, load.text_column, id_column)
    targets = {c: (target, standard) for c, target, standard in
               _metadata_targets([c for c in columns if c not in (text_column, id_column)])}
    stem, room = _stem(name), load.room()
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
                    _put(doc, *targets[column], value)
            docs.append(doc)
    if not docs and not more:
        raise _Refused(f"no text: column {text_column!r} is empty in every {unit}")
    notes = [_numbers_note(len(empty), empty, unit, f"empty text in column {text_column!r}")] if empty else []
    return _Parsed(docs, notes, more)


def _id_column(columns: list[str], wanted: str | None) -> str | None:
    if wanted is not None:
        return _named_column(columns, wanted, "id")
    return _first_present(columns, ID_COLUMNS)


def _text_column(columns: list[str], rows: Callable[[], Iterator[tuple[int, dict[str, str]]]],
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
    raise _Refused(f"no {role} column {wanted!r}; the columns are: {_list(columns)}")


def _list(names: Iterable[object], most: int = 30) -> str:
    """Names joined by commas, the first ``most`` of them."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:most])
    return shown + f", ... ({len(names) - most} more)" * (len(names) > most)


def _numbers_note(count: int, numbers: list[int], unit: str, why: str, most: int = 10) -> str:
    """ "3 rows skipped, <why> (rows 2, 5, 9)", listing the first ``most`` numbers."""
    shown = ", ".join(str(n) for n in numbers[:most]) + (", ..." if count > most else "")
    plural = "s" if count > 1 else ""
    return f"{count} {unit}{plural} skipped, {why} ({unit}{plural} {shown})"


def _parse_docx(data: bytes, name: str, load: "_Load") -> _Parsed:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _Refused("a legacy Word .doc file, not .docx: open it in Word and save it as .docx")
    if not data.startswith(b"PK\x03\x04"):
        raise _Refused("corrupt .docx: not a zip package")
    load.check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        text = _docx_text(document)
        title = document.core_properties.title or ""
        author = document.core_properties.author or ""
    # python-docx and lxml raise many exception types on malformed packages;
    # whichever it is, the file is corrupt.
    except Exception as e:  # noqa: BLE001
        raise _Refused(f"corrupt .docx ({_describe(e)})") from None
    if not text:
        raise _Refused("no text in the document")
    return _Parsed([Document(doc_id=_stem(name), text=text, title=title.strip(), author=author.strip())])


def _docx_text(document) -> str:
    """Paragraphs and tables (a row per line, cells joined by " | ") in document
    order, separated by blank lines."""
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks.append("\n".join(" | ".join(c.text.strip() for c in row.cells) for row in block.rows))
        else:
            blocks.append(block.text.strip())
    return "\n\n".join(b for b in blocks if b.strip(" |\n"))


def _parse_pdf(data: bytes, name: str, load: "_Load") -> _Parsed:
    if b"%PDF-" not in data[:1024]:
        raise _Refused("corrupt PDF: no %PDF header")
    pages = _pdf_pages(data)
    if not any(p.strip() for p in pages):
        raise _Refused("no text layer (scanned?): this PDF holds images of text, and there is no OCR here")
    return _Parsed([Document(doc_id=_stem(name), text="\n\n".join(p.strip() for p in pages if p.strip()))])


def _pdf_pages(data: bytes) -> list[str]:
    """The text layer of each page."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Refused("encrypted PDF (a password is needed to open it)")
        return [page.extract_text() or "" for page in reader.pages]
    except _Refused:
        raise
    # pypdf raises many exception types on malformed files (and on encryption
    # it cannot undo); whichever it is, the file cannot be read.
    except Exception as e:  # noqa: BLE001
        raise _Refused(f"corrupt or unreadable PDF ({_describe(e)})") from None


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


def _parse_html(data: bytes, name: str, load: "_Load") -> _Parsed:
    parser = _VisibleText()
    try:
        parser.feed(_decode_nonempty(data))
        parser.close()
    except AssertionError as e:  # html.parser's way to reject some malformed declarations
        raise _Refused(f"corrupt HTML ({_describe(e)})") from None
    text = parser.text()
    if not text:
        raise _Refused("no visible text in the page")
    return _Parsed([Document(doc_id=_stem(name), text=text, title=" ".join(parser.title.split()))])


_PARSERS: dict[str, Callable[[bytes, str, "_Load"], _Parsed]] = {
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
_TABLES = frozenset({".csv", ".tsv", ".json", ".jsonl"})
SUPPORTED_EXTENSIONS = tuple(sorted(_PARSERS)) + (".zip", ".gz")


# ---------------------------------------------------------------------------
# One load call


class _Load:
    """The state of one load call: options, limits, budgets, and what was loaded.

    Documents go through :meth:`add`, which makes doc_ids unique and stops the
    corpus at ``max_documents`` / ``max_total_chars``; once it is full, later
    documents and files are counted, not loaded, and :meth:`corpus` reports
    them in one error.
    """

    def __init__(self, limits: Limits | None, text_column: str | None = None,
                 id_column: str | None = None) -> None:
        self.limits = limits if limits is not None else Limits.from_env()
        self.text_column = text_column
        self.id_column = id_column
        self.documents: list[Document] = []
        self.errors: list[LoadError] = []
        self.uncompressed = 0  # bytes decompressed so far (zip members, gzip, docx parts)
        self.members = 0  # archive members read so far
        self._ids: set[str] = set()
        self._chars = 0
        self._full_at: str | None = None  # the corpus limit reached, if any
        self._skipped = {"documents": 0, "files": 0}
        self._first_skipped = ""
        self._folder_metadata: dict[Path, _Metadata | None] = {}

    # -- results

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(LoadError(str(path), reason))

    def add(self, doc: Document, origin: str) -> None:
        """Add ``doc`` loaded from ``origin``, or count it as skipped if the corpus is full."""
        doc.text = doc.text.replace("\r\n", "\n").replace("\r", "\n")
        if self._full_at is None:
            if len(self.documents) >= self.limits.max_documents:
                self._full_at = "max_documents"
            elif self._chars + len(doc.text) > self.limits.max_total_chars:
                self._full_at = "max_total_chars"
        if self._full_at:
            self._skip("documents", origin)
            return
        doc.origin = origin
        doc.doc_id = unique_id(doc.doc_id, self._ids)
        self._ids.add(doc.doc_id)
        self._chars += len(doc.text)
        self.documents.append(doc)

    def room(self) -> int:
        """How many more documents the corpus takes (0 once it is full)."""
        return 0 if self._full_at else self.limits.max_documents - len(self.documents)

    def _skip(self, kind: str, origin: str, n: int = 1) -> None:
        self._skipped[kind] += n
        self._first_skipped = self._first_skipped or origin

    def corpus(self) -> Corpus:
        """The documents and errors, with one error for what a full corpus left out."""
        errors = list(self.errors)
        if self._full_at:
            left_out = " and ".join(f"{n:,} {kind if n > 1 else kind[:-1]}" for kind, n in self._skipped.items() if n)
            found = f"the corpus is full - not loaded from here on: {left_out}"
            errors.append(LoadError(self._first_skipped, self.limits.exceeded(self._full_at, found)))
        return Corpus(self.documents, errors)

    # -- sources

    def path(self, path: Path, recursive: bool) -> None:
        """A file or folder given by the caller."""
        try:
            is_dir = path.is_dir()
        except OSError:  # e.g. no permission to look: reading it as a file will say why
            is_dir = False
        if is_dir:
            for file in self._walk(path, recursive):
                self._disk_file(file)
        elif not _is_metadata(path.name):  # a metadata.csv attaches to the files beside it
            self._disk_file(path)

    def _walk(self, folder: Path, recursive: bool) -> list[Path]:
        """Files in ``folder`` (and below), hidden ones left out, sorted by relative path."""
        found = []
        on_error = lambda e: self.fail(e.filename, f"cannot read folder ({e.strerror})")  # noqa: E731
        for root, dirs, files in os.walk(folder, onerror=on_error):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX") if recursive else []
            found.extend(Path(root, f) for f in files if not f.startswith(".") and not _is_metadata(f))
        return sorted(found, key=lambda p: p.relative_to(folder).as_posix())

    def _disk_file(self, path: Path) -> None:
        metadata = self._metadata_beside(path)
        self.blob(str(path), path.name, partial(self._read_disk, path), 0, metadata)

    def _metadata_beside(self, path: Path) -> _Metadata | None:
        """The metadata.csv in the folder of ``path`` (read once per folder), if any."""
        folder = path.parent
        if folder not in self._folder_metadata:
            try:
                found = next((p for p in sorted(folder.iterdir()) if _is_metadata(p.name) and p.is_file()), None)
            except OSError:
                found = None
            self._folder_metadata[folder] = (
                self._metadata(str(found), partial(self._read_disk, found)) if found else None)
        return self._folder_metadata[folder]

    def uploads(self, files: list[tuple[str, bytes]]) -> None:
        """Uploaded ``(name, bytes)`` pairs; a metadata.csv among them describes the rest."""
        files = [(str(name), _as_bytes(data)) for name, data in files]
        tables = [(name, data) for name, data in files if _is_metadata(name)]
        others = [(name, data) for name, data in files if not _is_metadata(name)]
        metadata = None
        for name, data in tables:
            if metadata is not None or not others:
                self.fail(name, "not used: metadata.csv describes the other files uploaded with it"
                          + (" (only one metadata.csv is used)" if others else ", and there are none"))
                continue
            metadata = self._metadata(name, partial(self._received, data))
        for name, data in others:
            self.blob(name, name, partial(self._received, data), 0, metadata)

    def _metadata(self, label: str, read: Callable[[], bytes]) -> _Metadata | None:
        """A metadata.csv read with ``read``; None (and an error) when it is unusable."""
        try:
            return _Metadata.from_frame(_read_csv(_decode_nonempty(read()), ",", self.limits))
        except _Refused as e:
            self.fail(label, f"metadata not attached: {e}")
            return None

    # -- reading bytes

    def _received(self, data: bytes) -> bytes:
        """Uploaded bytes, refused above max_file_bytes."""
        if len(data) > self.limits.max_file_bytes:
            raise _Refused(self.limits.exceeded("max_file_bytes", f"the file is {format_bytes(len(data))}"))
        return data

    def _read_disk(self, path: Path) -> bytes:
        """A regular file's bytes, refused above max_file_bytes (checked before reading)."""
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise _Refused("not a regular file")
            if info.st_size > self.limits.max_file_bytes:
                raise _Refused(self.limits.exceeded("max_file_bytes", f"the file is {format_bytes(info.st_size)}"))
            with path.open("rb") as f:
                return self._received(f.read(self.limits.max_file_bytes + 1))
        except FileNotFoundError:
            raise _Refused("not found") from None
        except PermissionError:
            raise _Refused("cannot read: permission denied") from None
        except OSError as e:
            raise _Refused(f"cannot read ({e.strerror or _describe(e)})") from None

    # -- one file, whatever its source

    def blob(self, label: str, name: str, read: Callable[[], bytes], depth: int,
             metadata: _Metadata | None) -> None:
        """Load one file: ``label`` names it in errors and origins, ``name``'s
        extension decides its format, ``read`` gives its bytes, ``depth`` is the
        number of zips it is inside. Refusals become errors."""
        if self._full_at:
            self._skip("files", label)
            return
        try:
            self._dispatch(label, name, read(), depth, metadata)
        except _Refused as e:
            self.fail(label, str(e))

    def _dispatch(self, label: str, name: str, data: bytes, depth: int, metadata: _Metadata | None) -> None:
        if not data:
            raise _Refused("empty file (0 bytes)")
        extension = _extension(name)
        if extension == ".zip":
            self._zip(label, data, depth)
        elif extension == ".gz":
            inner = _basename(name)[:-3]
            if _extension(inner) == ".gz":
                raise _Refused("gzip inside gzip is not supported")
            self._dispatch(label, inner, self._gunzip(data), depth, metadata)
        else:
            parsed = _PARSERS.get(extension, _parse_unknown)(data, name, self)
            for doc in parsed.documents:
                if metadata is not None and extension not in _TABLES:
                    metadata.apply(doc, name)
                self.add(doc, label)
            if parsed.more:
                self._full_at = self._full_at or "max_documents"
                self._skip("documents", label, parsed.more)
            for note in parsed.notes:
                self.fail(label, note)

    # -- compressed data

    def _gunzip(self, data: bytes) -> bytes:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                return self._read_capped(stream, len(data))
        except (OSError, EOFError, zlib.error) as e:
            raise _Refused(f"corrupt gzip data ({_describe(e)})") from None

    def _read_capped(self, stream: io.BufferedIOBase, compressed: int) -> bytes:
        """All of ``stream``, charged to the decompression budget; refused as soon
        as it passes the budget or ``max_compression_ratio`` times ``compressed``."""
        budget = self.limits.max_uncompressed_bytes - self.uncompressed
        out = bytearray()
        while chunk := stream.read(_CHUNK):
            out += chunk
            self._check_expansion(len(out), compressed, partial=True)
            if len(out) > budget:
                raise _Refused(self._budget_reason(len(out), budget, partial=True))
        self.uncompressed += len(out)
        return bytes(out)

    def _check_expansion(self, size: int, compressed: int, partial: bool = False) -> None:
        """Refuse ``size`` bytes from ``compressed`` above max_compression_ratio."""
        ratio = self.limits.max_compression_ratio
        if size > RATIO_EXEMPT_BYTES and size > ratio * max(compressed, 1):
            found = (f"it expands {'at least ' if partial else ''}{size / max(compressed, 1):,.0f}-fold "
                     f"({format_bytes(compressed)} to {'over ' if partial else ''}{format_bytes(size)}), "
                     "like a zip bomb")
            raise _Refused(self.limits.exceeded("max_compression_ratio", found))

    def _budget_reason(self, size: int, budget: int, partial: bool) -> str:
        found = (f"it decompresses to {'over ' if partial else ''}{format_bytes(size)}, more than the "
                 f"{format_bytes(max(budget, 0))} left of the decompression budget")
        return self.limits.exceeded("max_uncompressed_bytes", found)

    def _check_declared(self, size: int, compressed: int) -> None:
        """Refuse a zip entry whose declared sizes break the budget or the ratio."""
        budget = self.limits.max_uncompressed_bytes - self.uncompressed
        if size > budget:
            raise _Refused(self._budget_reason(size, budget, partial=False))
        self._check_expansion(size, compressed)

    def check_package(self, data: bytes) -> None:
        """Check the declared part sizes of a .docx (a zip) against the budget and
        the ratio, and charge them. zipfile never yields more than a part's
        declared size, so checking the declarations bounds what python-docx reads."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                parts = package.infolist()
        except _ZIP_OPEN_ERRORS as e:
            raise _Refused(f"corrupt .docx ({_describe(e)})") from None
        for part in parts:
            self._check_declared(part.file_size, part.compress_size)
        total = sum(part.file_size for part in parts)
        self._check_declared(total, sum(part.compress_size for part in parts))
        self.uncompressed += total

    # -- zip archives

    def _zip(self, label: str, data: bytes, depth: int) -> None:
        """Load the members of a zip; ``depth`` zips enclose this one."""
        if depth > self.limits.max_zip_depth:
            found = f"a zip nested {depth} level{'s' if depth > 1 else ''} deep inside other zips"
            raise _Refused(self.limits.exceeded("max_zip_depth", found))
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_OPEN_ERRORS as e:
            raise _Refused(f"corrupt zip archive ({_describe(e)})") from None
        with archive:
            members = [i for i in archive.infolist()
                       if not i.is_dir() and (_unsafe(i.filename) or not _ignored(i.filename))]
            self._count_members(len(members))
            metadata = self._zip_metadata(label, archive, members)
            for info in members:
                if not _is_metadata(info.filename):
                    self.blob(f"{label}!{info.filename}", info.filename, partial(self._read_member, archive, info),
                              depth + 1, metadata.get(_dirname(info.filename)))

    def _count_members(self, n: int) -> None:
        if self.members + n > self.limits.max_zip_members:
            found = f"the archive holds {n:,} files" + (
                f" and {self.members:,} were already read from other archives" if self.members else "")
            raise _Refused(self.limits.exceeded("max_zip_members", found))
        self.members += n

    def _zip_metadata(self, label: str, archive: zipfile.ZipFile,
                      members: list[zipfile.ZipInfo]) -> dict[str, _Metadata]:
        """The metadata.csv of each folder of the archive, by folder."""
        found: dict[str, _Metadata] = {}
        for info in members:
            folder = _dirname(info.filename)
            if _is_metadata(info.filename) and folder not in found:
                metadata = self._metadata(f"{label}!{info.filename}", partial(self._read_member, archive, info))
                if metadata is not None:
                    found[folder] = metadata
        return found

    def _read_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes, read in memory with the declared and the actual size capped."""
        if _unsafe(info.filename):
            raise _Refused("unsafe member name (an absolute path or '..'): refused, zip slip")
        if info.flag_bits & 0x1:
            raise _Refused("encrypted member (a password is needed to read it)")
        self._check_declared(info.file_size, info.compress_size)
        try:
            with archive.open(info) as stream:
                return self._read_capped(stream, info.compress_size)
        except NotImplementedError as e:
            raise _Refused(f"unsupported compression method ({_describe(e)})") from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, lzma.LZMAError, RuntimeError, ValueError,
                struct.error) as e:
            raise _Refused(f"corrupt zip member ({_describe(e)})") from None


def _as_bytes(data: object) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"file content must be bytes, not {type(data).__name__}")
