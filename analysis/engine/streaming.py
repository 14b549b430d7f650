"""A corpus read as a stream of chunks of documents, in bounded memory, with its content hash.

:func:`iter_documents` yields the documents of files, folders and tables in chunks (at most
``chunk_size`` documents or ``chunk_chars`` characters each; CSV/TSV tables, gzipped or not, are
read ``chunk_size`` rows at a time with ``pandas.read_csv(chunksize=...)`` and the column rules
of :mod:`analysis.corpus.loaders`): the same documents, ids and metadata, in the same order, as
:func:`analysis.corpus.loaders.load_paths`. :class:`DocumentHasher` computes
:meth:`analysis.corpus.model.Corpus.content_hash` one document at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

import pandas as pd

from analysis.corpus import formats as F
from analysis.corpus import loaders as C
from analysis.corpus.limits import Limits, format_bytes
from analysis.corpus.model import STANDARD_FIELDS, Document, LoadError, unique_id

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_CHUNK_CHARS", "DocumentHasher", "iter_documents"]

DEFAULT_CHUNK_SIZE = 2000
DEFAULT_CHUNK_CHARS = 10_000_000
_TABLE_EXTS = (".csv", ".tsv")


# ----------------------------------------------------------------------------- hashing


class DocumentHasher:
    """:meth:`analysis.corpus.model.Corpus.content_hash`, fed one document at a time."""

    def __init__(self):
        self.h = hashlib.sha256()

    def update(self, d: Document) -> None:
        meta = {f: getattr(d, f) for f in STANDARD_FIELDS}
        meta["extra"] = d.extra
        self.h.update(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        self.h.update(b"\x00")
        self.h.update(d.text.encode("utf-8", "surrogatepass"))
        self.h.update(b"\x01")

    def hexdigest(self) -> str:
        return self.h.hexdigest()


# ----------------------------------------------------------------------------- streaming


def _files(paths) -> list[Path]:
    """The files ``load_paths`` would read, in its order (folders walked, hidden
    files and metadata.csv left out)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                found.extend(Path(root, f) for f in files if not f.startswith(".") and not F.is_metadata(f))
            out.extend(sorted(found, key=lambda f: f.relative_to(p).as_posix()))
        elif not F.is_metadata(p.name):
            out.append(p)
    return out


def _table_kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    return ext if ext in _TABLE_EXTS else None


class _Stream:
    """Documents from many files with ``load_paths``'s id rules and limits."""

    def __init__(self, limits: Limits, text_column, id_column):
        self.limits = limits
        self.text_column = text_column
        self.id_column = id_column
        self.ids: set[str] = set()
        self.n_docs = 0
        self.chars = 0
        self.full_at: str | None = None
        self.skipped = 0
        self.first_skipped = ""
        self.errors: list[LoadError] = []

    def add(self, doc: Document, origin: str) -> Document | None:
        doc.text = doc.text.replace("\r\n", "\n").replace("\r", "\n")
        if self.full_at is None:
            if self.n_docs >= self.limits.max_documents:
                self.full_at = "max_documents"
            elif self.chars + len(doc.text) > self.limits.max_total_chars:
                self.full_at = "max_total_chars"
        if self.full_at:
            self.skipped += 1
            self.first_skipped = self.first_skipped or origin
            return None
        doc.origin = origin
        doc.doc_id = unique_id(doc.doc_id, self.ids)
        self.ids.add(doc.doc_id)
        self.n_docs += 1
        self.chars += len(doc.text)
        return doc

    def final_errors(self) -> list[LoadError]:
        if self.full_at:
            what = f"{self.skipped:,} document" + ("s" if self.skipped > 1 else "")
            found = f"the corpus is full - not loaded from here on: {what}"  # as analysis.corpus.loaders says it
            return [LoadError(self.first_skipped, self.limits.exceeded(self.full_at, found))]
        return []

    def table(self, path: Path, kind: str, rows: int) -> Iterator[Document]:
        """Rows of a CSV/TSV (gzipped or not) as documents, ``rows`` at a time."""
        label = str(path)
        try:
            size = path.stat().st_size
        except OSError as e:
            self.errors.append(LoadError(label, f"cannot read ({e.strerror})"))
            return
        if size > self.limits.max_file_bytes:
            found = f"the file is {format_bytes(size)}"
            self.errors.append(LoadError(label, self.limits.exceeded("max_file_bytes", found)))
            return
        inner = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        try:
            with gzip.open(path, "rt", encoding="utf-8", newline="") if path.name.lower().endswith(".gz") \
                    else open(path, encoding="utf-8", newline="") as f:
                header = f.readline()
        except (OSError, UnicodeDecodeError, EOFError):
            yield from self.whole(path)  # not UTF-8 text or odd: the loader decides
            return
        if header.startswith("\ufeff"):
            yield from self.whole(path)
            return
        sep = "\t" if kind == ".tsv" else (";" if header.count(";") > header.count(",") else ",")
        try:
            reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                                 index_col=False, chunksize=rows, encoding="utf-8",
                                 compression="gzip" if path.name.lower().endswith(".gz") else None)
            stem = F.file_stem(inner)
            columns = slots = text_at = id_at = text_column = None
            empty: list[int] = []
            n = 0
            n_docs = 0
            for frame in reader:
                frame.columns = F.unique_columns(frame.columns)
                frame = frame.fillna("")
                if columns is None:
                    columns = list(frame.columns)
                    if len(columns) > getattr(self.limits, "max_columns", len(columns)):
                        found = f"the table has {len(columns):,} columns"
                        raise F.Refused(self.limits.exceeded("max_columns", found))
                    id_column = F.choose_id_column(columns, self.id_column)
                    text_column = F.choose_text_column(columns, _rows(frame, columns), self.text_column, id_column)
                    targets = F.metadata_targets([c for c in columns if c not in (text_column, id_column)])
                    slots = [(columns.index(col), target, standard) for col, target, standard in targets]
                    text_at = columns.index(text_column)
                    id_at = columns.index(id_column) if id_column else None
                for row in frame.itertuples(index=False, name=None):
                    n += 1
                    text = str(row[text_at])
                    if not text.strip():
                        empty.append(n)
                        continue
                    doc_id = str(row[id_at]).strip() if id_at is not None else ""
                    doc = Document(doc_id=doc_id or f"{stem}_{n}", text=text)
                    for at, target, standard in slots:
                        F.put_value(doc, target, standard, str(row[at]))
                    n_docs += 1
                    added = self.add(doc, label)
                    if added is not None:
                        yield added
            if n_docs == 0:
                self.errors.append(LoadError(label, f"no text: column {text_column!r} is empty in every row"
                                             if columns else "no rows with data"))
            elif empty:
                self.errors.append(LoadError(label, F.numbers_note(len(empty), empty, "row",
                                                                    f"empty text in column {text_column!r}")))
        except F.Refused as e:
            self.errors.append(LoadError(label, str(e)))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeDecodeError, OSError,
                EOFError) as e:
            self.errors.append(LoadError(label, f"corrupt CSV ({F.describe_error(e)})"))

    def whole(self, path: Path) -> Iterator[Document]:
        """Any other file: loaded whole by :func:`analysis.corpus.loaders.load_paths`."""
        loaded = C.load_paths(path, text_column=self.text_column, id_column=self.id_column, limits=self.limits)
        self.errors.extend(loaded.errors)
        for doc in loaded.documents:
            added = self.add(doc, doc.origin or str(path))
            if added is not None:
                yield added


def _rows(frame: pd.DataFrame, columns: list[str]):
    """``rows()`` as :func:`analysis.corpus.formats.choose_text_column` takes it: ``(row number, {column: cell})``."""
    def rows():
        for n, values in enumerate(frame.itertuples(index=False, name=None), 1):
            yield n, dict(zip(columns, values))
    return rows


def iter_documents(paths, chunk_size: int = DEFAULT_CHUNK_SIZE, chunk_chars: int = DEFAULT_CHUNK_CHARS, *,
                   text_column: str | None = None, id_column: str | None = None,
                   limits: Limits | None = None, errors: list | None = None) -> Iterator[list[Document]]:
    """The documents of ``paths`` in chunks of at most ``chunk_size`` documents
    and ``chunk_chars`` characters (a longer document is a chunk of its own).

    The same documents, ids and metadata as :func:`analysis.corpus.loaders.load_paths`,
    in the same order, except that: CSV/TSV tables must be UTF-8 (others are
    loaded whole by ``load_paths``); the text column of a table without a
    usual text column name is detected on its first ``chunk_size`` rows; the
    decompression limits are not applied to streamed tables (only the file
    size, document and character limits). Load errors are appended to
    ``errors`` as they are met.
    """
    stream = _Stream(limits if limits is not None else Limits.from_env(), text_column, id_column)
    chunk: list[Document] = []
    chars = 0
    for path in _files(paths):
        kind = _table_kind(path)
        docs = stream.table(path, kind, chunk_size) if kind else stream.whole(path)
        for doc in docs:
            if chunk and (len(chunk) >= chunk_size or chars + len(doc.text) > chunk_chars):
                yield chunk
                chunk, chars = [], 0
            chunk.append(doc)
            chars += len(doc.text)
        if errors is not None:
            errors.extend(stream.errors)
            stream.errors = []
    if chunk:
        yield chunk
    if errors is not None:
        errors.extend(stream.errors)
        errors.extend(stream.final_errors())
