"""``python -m analysis build PATH... --out DIR``: precompute a store in bounded memory.

The corpus is read as a stream of chunks (:func:`iter_documents`: at most
``chunk_size`` documents or ``chunk_chars`` characters each; CSV/TSV tables,
gzipped or not, are read ``chunk_size`` rows at a time with
``pandas.read_csv(chunksize=...)`` and the column rules of
:mod:`analysis.corpus.loaders`). Each chunk is cleaned, segmented, scored (sentences
with TextBlob and VADER, whole documents with TextBlob) and indexed (term
counts), half of it in a worker process, and appended to the store's Parquet
parts; corpus-wide totals (vocabulary, term counts per group) are summed as
chunks pass. Then the corpus-wide stages run on bounded inputs:

- topics: fitted on all documents up to ``topic_sample_docs`` (5,000), else on
  a seeded random sample of that many, every document then scored with the
  fitted model, a part at a time;
- reuse: shared passages when the corpus has at most ``reuse_max_words``
  words (10 million), document similarity up to ``similarity_max_docs``
  documents (5,000); otherwise skipped, the reason written to the manifest;
- the group aggregates of :mod:`analysis.engine.store`.

On a small corpus the store equals the one :func:`analysis.engine.store.write_store`
writes for :func:`analysis.engine.analyse.analyse` (the tests check it). A progress bar
goes to stderr (tqdm); the manifest is printed as JSON to stdout.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd

from analysis.corpus import formats as F
from analysis.corpus import loaders as C
from analysis.corpus.limits import Limits, format_bytes
from analysis.corpus.model import STANDARD_FIELDS, Document, LoadError, unique_id
from analysis.corpus.prepare import Prepared
from analysis.engine.analyse import (
    AnalysisParams,
    TopicResult,
    _prepare_score_index,
    _split,
    _Worker,
    fit_topics,
    reuse_stage,
    score_documents,
    topic_sample,
    topic_tables,
)

__all__ = ["iter_documents", "build_store", "cmd_build", "add_build_parser", "DocumentHasher"]

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


# ----------------------------------------------------------------------------- building


def _merge(parts: list) -> tuple:
    from analysis.engine.analyse import (
        _merge_sentiment,
        merge_prepared,
        merge_term_indexes,
    )

    prep = merge_prepared([p[0] for p in parts])
    return prep, _merge_sentiment([p[1] for p in parts]), merge_term_indexes([p[2] for p in parts], prep.docs)


def _topics_from_store(path: str, manifest: dict, params: AnalysisParams) -> TopicResult:
    """The topic stage on a store being built: fit on all documents or a sample
    (read back from the parts), then score every document a part at a time."""
    from analysis.engine.store import StoredAnalysis

    store = StoredAnalysis(Path(path), manifest)
    n = store.n_docs
    sample = topic_sample(n, params)
    all_ids = store.docs(columns=["doc_id"])["doc_id"].astype(str)
    ids = None if sample is None else all_ids.iloc[sample].tolist()
    docs = store.docs(doc_ids=ids).drop(columns=["doc_idx", "raw_text"], errors="ignore")
    prep = Prepared(docs, pd.DataFrame(), store.paragraphs(doc_ids=ids),
                    store.sentences(doc_ids=ids, columns=["doc_id", "para", "sent", "start", "end"]),
                    [], pd.DataFrame(), params.clean, "")
    model, settings, error = fit_topics(prep, params)
    if model is None:
        return TopicResult(error=error, params=settings)
    shares = None
    if sample is not None:
        del prep, docs
        batches = ((d["doc_id"], d["text"]) for d in
                   (pd.read_parquet(store.path / "docs" / p["file"], columns=["doc_id", "text"])
                    for p in manifest["parts"]))
        shares = score_documents(model, batches)
    return topic_tables(model, settings, len(model.docs_), keep_model=False, doc_shares=shares)


def _timed_topics(path, manifest, params):
    t0 = time.perf_counter()
    out = _topics_from_store(path, manifest, params)
    return out, time.perf_counter() - t0


def build_store(paths, out, params: AnalysisParams | None = None, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                chunk_chars: int = DEFAULT_CHUNK_CHARS, n_jobs: int | None = None, limits: Limits | None = None,
                text_column: str | None = None, id_column: str | None = None, progress: bool = True,
                phrases: Sequence[str] = (), phrase_window: int = 25) -> dict:
    """Build the store of ``paths`` at ``out`` chunk by chunk (see the module
    docstring) and return its manifest. ``n_jobs``: 1 = this process only,
    None or 2 = with one worker process (on a machine with 2+ cores). ``phrases``: also keep
    the tone near them (table ``phrase_tone``, :meth:`StoreWriter.track_phrases`), with
    ``phrase_window`` words either side."""
    from tqdm import tqdm

    from analysis.engine.store import StoredAnalysis, StoreWriter

    params = params or AnalysisParams()
    t_start = time.perf_counter()
    timings = {"load": 0.0, "prepare+sentiment+terms": 0.0, "write": 0.0}
    writer = StoreWriter(out, params)
    if phrases:
        writer.track_phrases(phrases, phrase_window)
    hasher = DocumentHasher()
    errors: list[LoadError] = []
    use_worker = (n_jobs if n_jobs is not None else (os.cpu_count() or 1)) >= 2
    worker = _Worker() if use_worker else None
    bar = tqdm(desc="build", unit="doc", file=sys.stderr, disable=not progress, dynamic_ncols=True)
    try:
        chunks = iter_documents(paths, chunk_size, chunk_chars, text_column=text_column, id_column=id_column,
                                limits=limits, errors=errors)
        while True:
            t0 = time.perf_counter()
            chunk = next(chunks, None)
            timings["load"] += time.perf_counter() - t0
            if chunk is None:
                break
            t0 = time.perf_counter()
            for d in chunk:
                hasher.update(d)
            if worker is not None and len(chunk) >= 2:
                cut = _split(chunk)
                worker.submit("prepare_score_index", chunk[cut:], params.clean, params.ngram_max)
                mine = _prepare_score_index(chunk[:cut], params.clean, params.ngram_max)
                theirs = worker.result()
                if theirs is None:
                    theirs = _prepare_score_index(chunk[cut:], params.clean, params.ngram_max)
                parts = [mine, theirs]
            else:
                parts = [_prepare_score_index(chunk, params.clean, params.ngram_max)]
            prep, sent, index = _merge(parts)
            del parts
            timings["prepare+sentiment+terms"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            writer.add_chunk(prep, sent, index)
            timings["write"] += time.perf_counter() - t0
            bar.update(len(chunk))
            del chunk, prep, sent, index
        content_hash = hasher.hexdigest()
        bar.set_description("topics, reuse")
        partial = writer._manifest(content_hash, {}, {}, (), [], TopicResult(), complete=False)
        t0 = time.perf_counter()
        topics = None
        if worker is not None and writer.n_docs:
            worker.submit("build_topics", str(writer.path), partial, params)
        if writer.n_docs and (writer.n_words <= params.reuse_max_words
                              or writer.n_docs <= params.similarity_max_docs):
            store = StoredAnalysis(writer.path, partial)
            docs = store.docs(columns=["doc_id", "text", "n_words"])
            passages, similarity, notes = reuse_stage(docs, params)
            del docs, store
        else:
            from analysis.methods.reuse import PASSAGE_COLUMNS

            passages = pd.DataFrame(columns=PASSAGE_COLUMNS)
            similarity = pd.DataFrame({"doc_a": pd.array([], dtype=str), "doc_b": pd.array([], dtype=str),
                                       "similarity": np.zeros(0)})
            notes = {}
            if writer.n_docs:
                notes["reuse"] = (f"shared passages were not searched: the corpus has {writer.n_words:,} words, "
                                  f"more than the {params.reuse_max_words:,} the shingle index can hold in "
                                  "bounded memory (about 60 bytes per word)")
                notes["similarity"] = (f"document similarity was not computed: {writer.n_docs:,} documents, "
                                       f"more than {params.similarity_max_docs:,} (it compares every pair)")
        timings["reuse"] = time.perf_counter() - t0
        if worker is not None and writer.n_docs:
            got = worker.result()
            if got is not None:
                topics, timings["topics"] = got
        if topics is None:
            t0 = time.perf_counter()
            topics = _topics_from_store(str(writer.path), partial, params) if writer.n_docs else \
                TopicResult(error="no documents")
            timings["topics"] = time.perf_counter() - t0
        if topics.error:
            notes["topics"] = topics.error
        if worker is not None and worker.error:
            notes["worker"] = "the worker process failed; its share was computed here: " + worker.error[:300]
        bar.set_description("aggregates")
        timings["total_before_aggregates"] = time.perf_counter() - t_start
        manifest = writer.finish(content_hash, errors, topics, passages, similarity, notes, timings)
        manifest["timings"]["total"] = time.perf_counter() - t_start
        (writer.path / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False,
                                                              default=str), encoding="utf-8")
        return manifest
    finally:
        bar.close()
        if worker is not None:
            worker.close()


# ----------------------------------------------------------------------------- the command


def add_build_parser(sub, common=None) -> argparse.ArgumentParser:
    """Add the ``build`` subcommand to an ``argparse`` subparsers object."""
    p = sub.add_parser("build", help="precompute an analysis store (Parquet) for the app, in chunks",
                       description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, zips or tables")
    p.add_argument("--out", required=True, help="the store's folder (replaced if it holds a store)")
    p.add_argument("--text-column", help="text column of CSV/TSV/JSON tables (default: detected)")
    p.add_argument("--id-column", help="id column of tables (default: doc_id/id, else row number)")
    p.add_argument("--no-clean", action="store_true", help="skip normalisation and boilerplate removal")
    p.add_argument("--local-limits", action="store_true",
                   help="use the generous limits for a local machine instead of the hosted-demo ones")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="documents per chunk")
    p.add_argument("--chunk-chars", type=int, default=DEFAULT_CHUNK_CHARS, help="characters per chunk at most")
    p.add_argument("--jobs", type=int, default=None, help="processes (default: 2 on a 2+ core machine)")
    p.add_argument("--k", type=int, help="number of topics (default: chosen automatically)")
    p.add_argument("--phrase", action="append", default=[],
                   help="a phrase whose surroundings' tone the store keeps (repeatable; table phrase_tone)")
    p.add_argument("--window", type=int, default=25, help="with --phrase: words either side (default 25)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_build)
    return p


def cmd_build(args) -> int:
    """Run ``build`` from parsed arguments: prints the manifest (JSON) to stdout,
    load errors to stderr; returns the exit status (1 when nothing loaded)."""
    from analysis.methods.phrases import compile_phrase

    try:
        for phrase in getattr(args, "phrase", []):
            compile_phrase(phrase)
        if getattr(args, "window", 25) < 1:
            raise ValueError("--window must be at least 1")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = Limits.from_env(preset="local" if getattr(args, "local_limits", False) else None)
    params = AnalysisParams(clean=not getattr(args, "no_clean", False), topic_k=getattr(args, "k", None))
    manifest = build_store(args.paths, args.out, params, chunk_size=args.chunk_size, chunk_chars=args.chunk_chars,
                           n_jobs=args.jobs, limits=limits, text_column=args.text_column,
                           id_column=args.id_column, progress=not getattr(args, "no_progress", False),
                           phrases=getattr(args, "phrase", []), phrase_window=getattr(args, "window", 25))
    from analysis.engine.store import open_store

    for e in open_store(args.out).errors():
        print(f"error: {e.path}: {e.reason}", file=sys.stderr)
    summary = {k: manifest[k] for k in ("key", "content_hash", "n_docs", "n_words", "stages", "timings",
                                        "notes", "group_columns", "topics")}
    summary["out"] = str(args.out)
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    if manifest["n_docs"] == 0:
        print("error: nothing could be loaded", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.engine.build PATH... --out DIR`` (the same as ``python -m analysis build``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.engine.build")
    sub = parser.add_subparsers(dest="command")
    add_build_parser(sub)
    args = parser.parse_args(["build", *(sys.argv[1:] if argv is None else argv)])
    return cmd_build(args)


if __name__ == "__main__":
    sys.exit(main())
