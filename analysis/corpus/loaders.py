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

import gzip
import io
import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from analysis.corpus.decoding import Refused, decode_nonempty, decode_text
from analysis.corpus.formats import (
    ID_COLUMNS,
    PARSERS,
    SUPPORTED_EXTENSIONS,
    TABLE_EXTENSIONS,
    TEXT_COLUMNS,
    Metadata,
    apply_columns,
    base_name,
    describe_error,
    file_extension,
    folder_of,
    is_ignored,
    is_metadata,
    is_unsafe,
    parse_unknown,
    read_csv,
    slug,
)
from analysis.corpus.limits import RATIO_EXEMPT_BYTES, Limits, format_bytes
from analysis.corpus.model import (
    Corpus,
    Document,
    LoadError,
    unique_id,
)

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

_CHUNK = 64 * 1024
# What zipfile raises on opening a damaged archive (NotImplementedError: an
# unknown "zip file version" in a header).
_ZIP_OPEN_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                    NotImplementedError, struct.error)


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
    load = Load(limits, text_column, id_column)
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
    load = Load(limits, text_column, id_column)
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
    load = Load(limits)
    if not text.strip():
        load.fail("pasted text", "empty text")
        return load.corpus()
    fields = {k: str(v) for k, v in metadata.items()}
    doc_id = fields.pop("doc_id", "") or slug(title) or "pasted"
    doc = Document(doc_id=doc_id, text=text, title=title)
    apply_columns(doc, fields)
    load.add(doc, "pasted text")
    return load.corpus()


# ---------------------------------------------------------------------------
# One load call


class Load:
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
        self._folder_metadata: dict[Path, Metadata | None] = {}

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
        elif not is_metadata(path.name):  # a metadata.csv attaches to the files beside it
            self._disk_file(path)

    def _walk(self, folder: Path, recursive: bool) -> list[Path]:
        """Files in ``folder`` (and below), hidden ones left out, sorted by relative path."""
        found = []
        on_error = lambda e: self.fail(e.filename, f"cannot read folder ({e.strerror})")  # noqa: E731
        for root, dirs, files in os.walk(folder, onerror=on_error):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX") if recursive else []
            found.extend(Path(root, f) for f in files if not f.startswith(".") and not is_metadata(f))
        return sorted(found, key=lambda p: p.relative_to(folder).as_posix())

    def _disk_file(self, path: Path) -> None:
        metadata = self._metadata_beside(path)
        self.blob(str(path), path.name, partial(self._read_disk, path), 0, metadata)

    def _metadata_beside(self, path: Path) -> Metadata | None:
        """The metadata.csv in the folder of ``path`` (read once per folder), if any."""
        folder = path.parent
        if folder not in self._folder_metadata:
            try:
                found = next((p for p in sorted(folder.iterdir()) if is_metadata(p.name) and p.is_file()), None)
            except OSError:
                found = None
            self._folder_metadata[folder] = (
                self._metadata(str(found), partial(self._read_disk, found)) if found else None)
        return self._folder_metadata[folder]

    def uploads(self, files: list[tuple[str, bytes]]) -> None:
        """Uploaded ``(name, bytes)`` pairs; a metadata.csv among them describes the rest."""
        files = [(str(name), _as_bytes(data)) for name, data in files]
        tables = [(name, data) for name, data in files if is_metadata(name)]
        others = [(name, data) for name, data in files if not is_metadata(name)]
        metadata = None
        for name, data in tables:
            if metadata is not None or not others:
                self.fail(name, "not used: metadata.csv describes the other files uploaded with it"
                          + (" (only one metadata.csv is used)" if others else ", and there are none"))
                continue
            metadata = self._metadata(name, partial(self._received, data))
        for name, data in others:
            self.blob(name, name, partial(self._received, data), 0, metadata)

    def _metadata(self, label: str, read: Callable[[], bytes]) -> Metadata | None:
        """A metadata.csv read with ``read``; None (and an error) when it is unusable."""
        try:
            return Metadata.from_frame(read_csv(decode_nonempty(read()), ",", self.limits))
        except Refused as e:
            self.fail(label, f"metadata not attached: {e}")
            return None

    # -- reading bytes

    def _received(self, data: bytes) -> bytes:
        """Uploaded bytes, refused above max_file_bytes."""
        if len(data) > self.limits.max_file_bytes:
            raise Refused(self.limits.exceeded("max_file_bytes", f"the file is {format_bytes(len(data))}"))
        return data

    def _read_disk(self, path: Path) -> bytes:
        """A regular file's bytes, refused above max_file_bytes (checked before reading)."""
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise Refused("not a regular file")
            if info.st_size > self.limits.max_file_bytes:
                raise Refused(self.limits.exceeded("max_file_bytes", f"the file is {format_bytes(info.st_size)}"))
            with path.open("rb") as f:
                return self._received(f.read(self.limits.max_file_bytes + 1))
        except FileNotFoundError:
            raise Refused("not found") from None
        except PermissionError:
            raise Refused("cannot read: permission denied") from None
        except OSError as e:
            raise Refused(f"cannot read ({e.strerror or describe_error(e)})") from None

    # -- one file, whatever its source

    def blob(self, label: str, name: str, read: Callable[[], bytes], depth: int,
             metadata: Metadata | None) -> None:
        """Load one file: ``label`` names it in errors and origins, ``name``'s
        extension decides its format, ``read`` gives its bytes, ``depth`` is the
        number of zips it is inside. Refusals become errors."""
        if self._full_at:
            self._skip("files", label)
            return
        try:
            self._dispatch(label, name, read(), depth, metadata)
        except Refused as e:
            self.fail(label, str(e))

    def _dispatch(self, label: str, name: str, data: bytes, depth: int, metadata: Metadata | None) -> None:
        if not data:
            raise Refused("empty file (0 bytes)")
        extension = file_extension(name)
        if extension == ".zip":
            self._zip(label, data, depth)
        elif extension == ".gz":
            inner = base_name(name)[:-3]
            if file_extension(inner) == ".gz":
                raise Refused("gzip inside gzip is not supported")
            self._dispatch(label, inner, self._gunzip(data), depth, metadata)
        else:
            parsed = PARSERS.get(extension, parse_unknown)(data, name, self)
            for doc in parsed.documents:
                if metadata is not None and extension not in TABLE_EXTENSIONS:
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
            raise Refused(f"corrupt gzip data ({describe_error(e)})") from None

    def _read_capped(self, stream: io.BufferedIOBase, compressed: int) -> bytes:
        """All of ``stream``, charged to the decompression budget; refused as soon
        as it passes the budget or ``max_compression_ratio`` times ``compressed``."""
        budget = self.limits.max_uncompressed_bytes - self.uncompressed
        out = bytearray()
        while chunk := stream.read(_CHUNK):
            out += chunk
            self._check_expansion(len(out), compressed, partial=True)
            if len(out) > budget:
                raise Refused(self._budget_reason(len(out), budget, partial=True))
        self.uncompressed += len(out)
        return bytes(out)

    def _check_expansion(self, size: int, compressed: int, partial: bool = False) -> None:
        """Refuse ``size`` bytes from ``compressed`` above max_compression_ratio."""
        ratio = self.limits.max_compression_ratio
        if size > RATIO_EXEMPT_BYTES and size > ratio * max(compressed, 1):
            found = (f"it expands {'at least ' if partial else ''}{size / max(compressed, 1):,.0f}-fold "
                     f"({format_bytes(compressed)} to {'over ' if partial else ''}{format_bytes(size)}), "
                     "like a zip bomb")
            raise Refused(self.limits.exceeded("max_compression_ratio", found))

    def _budget_reason(self, size: int, budget: int, partial: bool) -> str:
        found = (f"it decompresses to {'over ' if partial else ''}{format_bytes(size)}, more than the "
                 f"{format_bytes(max(budget, 0))} left of the decompression budget")
        return self.limits.exceeded("max_uncompressed_bytes", found)

    def _check_declared(self, size: int, compressed: int) -> None:
        """Refuse a zip entry whose declared sizes break the budget or the ratio."""
        budget = self.limits.max_uncompressed_bytes - self.uncompressed
        if size > budget:
            raise Refused(self._budget_reason(size, budget, partial=False))
        self._check_expansion(size, compressed)

    def check_package(self, data: bytes) -> None:
        """Check the declared part sizes of a .docx (a zip) against the budget and
        the ratio, and charge them. zipfile never yields more than a part's
        declared size, so checking the declarations bounds what python-docx reads."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                parts = package.infolist()
        except _ZIP_OPEN_ERRORS as e:
            raise Refused(f"corrupt .docx ({describe_error(e)})") from None
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
            raise Refused(self.limits.exceeded("max_zip_depth", found))
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_OPEN_ERRORS as e:
            raise Refused(f"corrupt zip archive ({describe_error(e)})") from None
        with archive:
            members = [i for i in archive.infolist()
                       if not i.is_dir() and (is_unsafe(i.filename) or not is_ignored(i.filename))]
            self._count_members(len(members))
            metadata = self._zip_metadata(label, archive, members)
            for info in members:
                if not is_metadata(info.filename):
                    self.blob(f"{label}!{info.filename}", info.filename, partial(self._read_member, archive, info),
                              depth + 1, metadata.get(folder_of(info.filename)))

    def _count_members(self, n: int) -> None:
        if self.members + n > self.limits.max_zip_members:
            found = f"the archive holds {n:,} files" + (
                f" and {self.members:,} were already read from other archives" if self.members else "")
            raise Refused(self.limits.exceeded("max_zip_members", found))
        self.members += n

    def _zip_metadata(self, label: str, archive: zipfile.ZipFile,
                      members: list[zipfile.ZipInfo]) -> dict[str, Metadata]:
        """The metadata.csv of each folder of the archive, by folder."""
        found: dict[str, Metadata] = {}
        for info in members:
            folder = folder_of(info.filename)
            if is_metadata(info.filename) and folder not in found:
                metadata = self._metadata(f"{label}!{info.filename}", partial(self._read_member, archive, info))
                if metadata is not None:
                    found[folder] = metadata
        return found

    def _read_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes, read in memory with the declared and the actual size capped."""
        if is_unsafe(info.filename):
            raise Refused("unsafe member name (an absolute path or '..'): refused, zip slip")
        if info.flag_bits & 0x1:
            raise Refused("encrypted member (a password is needed to read it)")
        self._check_declared(info.file_size, info.compress_size)
        try:
            with archive.open(info) as stream:
                return self._read_capped(stream, info.compress_size)
        except NotImplementedError as e:
            raise Refused(f"unsupported compression method ({describe_error(e)})") from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, lzma.LZMAError, RuntimeError, ValueError,
                struct.error) as e:
            raise Refused(f"corrupt zip member ({describe_error(e)})") from None


def _as_bytes(data: object) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"file content must be bytes, not {type(data).__name__}")
