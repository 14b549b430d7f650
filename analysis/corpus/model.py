"""The corpus data model: documents with metadata, and the errors met loading them.

A corpus is a table of documents. Each has a ``doc_id`` (unique within the
corpus), the standard metadata fields of :data:`STANDARD_FIELDS` (empty string
when unknown, never a guess) and any extra metadata columns the user brought
(party, category, ...). Loaders live in :mod:`analysis.corpus.loaders`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import pandas as pd

STANDARD_FIELDS = ("doc_id", "title", "author", "source", "date", "type", "url", "notes")
METADATA_FIELDS = STANDARD_FIELDS[1:]


@dataclass
class Document:
    """One text and what is known about it.

    ``text`` is the text as decoded from its file, before cleaning.
    ``origin`` names where it was loaded from (a path, or ``archive.zip!member``).
    """

    doc_id: str
    text: str
    title: str = ""
    author: str = ""
    source: str = ""
    date: str = ""
    type: str = ""
    url: str = ""
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    origin: str = ""


@dataclass(frozen=True)
class LoadError:
    """A file (or archive member, or table row) that could not be loaded, and why."""

    path: str
    reason: str


@dataclass
class Corpus:
    """Documents plus the errors met while loading them.

    ``documents`` keep their load order; doc_ids are unique (loaders make them so).
    """

    documents: list[Document] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents)

    def extend(self, other: "Corpus", limits=None) -> "Corpus":
        """A new corpus with ``other``'s documents appended (doc_ids made unique).

        With ``limits`` (:class:`analysis.corpus.limits.Limits`), the combined corpus
        stops at ``max_documents`` / ``max_total_chars`` as one load call would:
        the documents that do not fit are left out and one error says how many
        and which limit, so adding batch after batch cannot grow a corpus past them.
        """
        docs = list(self.documents)
        seen = {d.doc_id for d in docs}
        chars = sum(len(d.text) for d in docs)
        full_at, left_out, first = None, 0, ""
        for d in other.documents:
            if limits is not None and full_at is None:
                if len(docs) >= limits.max_documents:
                    full_at = "max_documents"
                elif chars + len(d.text) > limits.max_total_chars:
                    full_at = "max_total_chars"
            if full_at:
                left_out += 1
                first = first or (d.origin or d.doc_id)
                continue
            d = _copy(d)
            d.doc_id = unique_id(d.doc_id, seen)
            seen.add(d.doc_id)
            chars += len(d.text)
            docs.append(d)
        errors = list(self.errors) + list(other.errors)
        if full_at:
            noun = "documents" if left_out > 1 else "document"
            found = f"the corpus is full - {left_out:,} added {noun} left out"
            errors.append(LoadError(first, limits.exceeded(full_at, found)))
        return Corpus(docs, errors)

    def extra_fields(self) -> list[str]:
        """Names of extra metadata columns, in first-seen order."""
        names: dict[str, None] = {}
        for d in self.documents:
            for k in d.extra:
                names.setdefault(k, None)
        return list(names)

    def to_frame(self, with_text: bool = True) -> pd.DataFrame:
        """One row per document: standard fields, extra fields, then ``text``."""
        extras = self.extra_fields()
        rows = []
        for d in self.documents:
            row = {f: getattr(d, f) for f in STANDARD_FIELDS}
            for k in extras:
                row[k] = d.extra.get(k, "")
            if with_text:
                row["text"] = d.text
            rows.append(row)
        cols = list(STANDARD_FIELDS) + extras + (["text"] if with_text else [])
        df = pd.DataFrame(rows, columns=cols)
        return df.astype({c: "string" for c in cols}).fillna("")

    @classmethod
    def from_frame(cls, df: pd.DataFrame, errors: list[LoadError] | None = None) -> "Corpus":
        """Inverse of :meth:`to_frame`: a ``text`` column and metadata columns."""
        docs = []
        seen: set[str] = set()
        for rec in df.fillna("").astype(str).to_dict("records"):
            doc_id = unique_id(rec.pop("doc_id", "") or f"doc{len(docs):05d}", seen)
            seen.add(doc_id)
            text = rec.pop("text", "")
            std = {f: rec.pop(f, "") for f in METADATA_FIELDS}
            origin = rec.pop("origin", "")
            docs.append(Document(doc_id=doc_id, text=text, extra=rec, origin=origin, **std))
        return cls(docs, list(errors or []))

    def with_metadata(self, table: pd.DataFrame) -> "Corpus":
        """A new corpus whose metadata is taken from ``table`` (one row per doc_id).

        Texts are kept; rows whose doc_id is not in the corpus are ignored;
        columns other than the standard fields become extra metadata.
        """
        rows = {str(r["doc_id"]): r for r in table.fillna("").astype(str).to_dict("records")}
        docs = []
        for d in self.documents:
            d = _copy(d)
            row = rows.get(d.doc_id)
            if row is not None:
                for f in METADATA_FIELDS:
                    if f in row:
                        setattr(d, f, row[f].strip())
                d.extra = {k: v.strip() for k, v in row.items()
                           if k not in STANDARD_FIELDS and k not in ("text", "origin")}
            docs.append(d)
        return Corpus(docs, list(self.errors))

    def content_hash(self) -> str:
        """SHA-256 over every document's id, metadata and text.

        Two corpora with the same hash give the same analysis results, so the
        hash (plus the analysis parameters) keys caches and stored results.
        """
        h = hashlib.sha256()
        for d in self.documents:
            meta = {f: getattr(d, f) for f in STANDARD_FIELDS}
            meta["extra"] = d.extra
            h.update(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8"))
            h.update(b"\x00")
            h.update(d.text.encode("utf-8", "surrogatepass"))
            h.update(b"\x01")
        return h.hexdigest()


def _copy(d: Document) -> Document:
    return Document(**{**d.__dict__, "extra": dict(d.extra)})


def unique_id(doc_id: str, seen: set[str]) -> str:
    """``doc_id``, or ``doc_id_2``, ``doc_id_3``... if it is already in ``seen``."""
    doc_id = str(doc_id).strip() or "doc"
    if doc_id not in seen:
        return doc_id
    n = 2
    while f"{doc_id}_{n}" in seen:
        n += 1
    return f"{doc_id}_{n}"


def display_author(author: str) -> str:
    """The author as shown to a user: "Unknown author" when empty."""
    return author.strip() or "Unknown author"
