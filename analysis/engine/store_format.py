"""The store's format: its constants, keys, manifest, and how documents fall into groups.

Shared by the writer (:mod:`analysis.engine.store_writer`), the reader
(:mod:`analysis.engine.store_reader`) and the aggregates (:mod:`analysis.engine.aggregates`);
:mod:`analysis.engine.store` describes the tables.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.engine.params import AnalysisParams

__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "MAX_GROUPS", "GROUP_TOP_TERMS", "MAX_VOCABULARY", "MEASURES",
           "FILTER_COLUMNS", "CELL_MEASURES", "CELL_SEP", "NOT_GROUPS", "STAGES", "PER_DOC_TABLES",
           "PART_ROW_GROUP", "INDEX_FILES", "cache_key", "default_cache_dir", "store_path", "find_store",
           "read_manifest", "group_values", "candidate_group_columns", "rows_among", "write_table",
           "fill_missing_metadata", "json_default"]

FORMAT = "political-text-explorer/analysis-store"
#: 2: bootstrap intervals drawn in seeded blocks (:data:`analysis.methods.sentiment.BOOT_BLOCK`); a store of
#: version 1 holds intervals from the earlier single stream, which filtered views would not reproduce.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
#: A metadata column with more distinct values than this gets no group aggregates.
MAX_GROUPS = 2000
#: Words listed per group in ``agg_group_terms``.
GROUP_TOP_TERMS = 50
#: The term vocabulary of a chunked build stops growing here (known terms keep
#: being counted exactly; the manifest notes how many occurrences were left out).
MAX_VOCABULARY = 5_000_000
MEASURES = ("polarity", "subjectivity", "polarity_mean", "subjectivity_mean", "vader_mean", "classifier_mean")
#: The app's value filters (sidebar) and the document measures its large-store page shows: tone per
#: group is also precomputed within each single value of these columns ("cells"), so that a filter
#: on one value needs no bootstrap at run time.
FILTER_COLUMNS = ("author", "source", "type")
CELL_MEASURES = ("polarity", "vader_mean", "classifier_mean")
CELL_SEP = "\x00"  # not whitespace: group_scores strips group labels
NOT_GROUPS = frozenset({"doc_id", "title", "url", "notes", "text", "raw_text", "origin", "doc_idx"})
STAGES = ("load", "prepare", "sentiment", "terms", "topics", "reuse", "aggregates")

PER_DOC_TABLES = ("docs", "paragraphs", "paragraph_scores", "sentences", "doc_scores", "removals",
                  "repairs", "term_counts")


# ----------------------------------------------------------------------------- keys


def cache_key(content_hash: str, params: AnalysisParams | None = None) -> str:
    """The store's key: a hash of the corpus's content hash, the parameters and
    the store format. Changes whenever the corpus or any parameter changes."""
    import hashlib

    params = params or AnalysisParams()
    blob = json.dumps({"content_hash": content_hash, "params": params.to_dict(),
                       "params_key": params.key(), "format_version": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def default_cache_dir() -> Path:
    """Where stores keyed by corpus live: ``$EXPLORER_CACHE_DIR`` or
    ``~/.cache/political-text-explorer/stores``."""
    env = os.environ.get("EXPLORER_CACHE_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "political-text-explorer" / "stores"


def store_path(content_hash: str, params: AnalysisParams | None = None, cache_dir=None) -> Path:
    """The folder of the store for this corpus and parameters in ``cache_dir``."""
    return Path(cache_dir or default_cache_dir()) / cache_key(content_hash, params)


def find_store(content_hash: str, params: AnalysisParams | None = None, cache_dir=None) -> Path | None:
    """The complete store for this corpus and parameters in ``cache_dir``, or None."""
    path = store_path(content_hash, params, cache_dir)
    try:
        manifest = read_manifest(path)
    except (OSError, ValueError):
        return None
    if manifest.get("complete") and manifest.get("key") == cache_key(content_hash, params):
        return path
    return None


def read_manifest(path) -> dict:
    """The manifest of the store at ``path`` (raises OSError/ValueError if absent or invalid)."""
    manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path} is not an analysis store")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"store format {manifest.get('format_version')} is not supported "
                         f"(this version reads {FORMAT_VERSION}); rebuild it")
    return manifest


# ----------------------------------------------------------------------------- groups


def group_values(docs: pd.DataFrame, column: str) -> np.ndarray:
    """The group label of each document for ``column`` (strings; "" = unknown).

    ``date`` is grouped by year (:func:`analysis.methods.sentiment.date_bins`); other
    columns by their stripped value.
    """
    from analysis.methods.sentiment import date_bins

    if column == "date":
        return date_bins(docs["date"].tolist(), "year").to_numpy(dtype=object)
    return docs[column].fillna("").astype(str).str.strip().to_numpy(dtype=object)


def candidate_group_columns(docs: pd.DataFrame) -> list[str]:
    """Metadata columns that may group documents (text-like, not ids or counts)."""
    out = []
    for c in docs.columns:
        if c in NOT_GROUPS or c.startswith("n_"):
            continue
        if docs[c].dtype.kind in "ifb":
            continue
        out.append(c)
    return out


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def write_table(path: Path, df: pd.DataFrame | pa.Table, row_group_size: int = 64_000) -> None:
    """Write ``df`` as one zstd-compressed Parquet file at ``path`` (folders made as needed), whole
    or not at all: it is written beside ``path`` under a hidden name, then renamed, so that a reader
    (the topic task reads the parts while the builder writes the index files) sees either no file
    or the complete one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.writing-{os.getpid()}"
    try:
        pq.write_table(df if isinstance(df, pa.Table) else _arrow_table(df), tmp, compression="zstd",
                       row_group_size=row_group_size)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


#: Row groups of per-document parts: small, so that reading a few documents
#: (a filter on doc_idx, pruned by the row groups' statistics) reads little.
PART_ROW_GROUP = 8_000
#: Single-file copies of the small per-document tables, for fast whole reads.
INDEX_FILES = {"docs": "index_docs.parquet", "doc_scores": "index_doc_scores.parquet"}


def rows_among(column: pd.Series, values) -> np.ndarray:
    """Which rows of ``column`` (compared as text; missing = "") are among ``values``: Arrow's
    ``is_in``, as pandas' ``isin`` on Arrow strings goes row by row (0.1 s per 100,000 rows)."""
    wanted = pa.array(list({str(v) for v in values}), type=pa.string())
    text = pa.array(column.astype("str").fillna(""), type=pa.string(), from_pandas=True)
    return pc.is_in(text, value_set=wanted).to_numpy(zero_copy_only=False).astype(bool)


def fill_missing_metadata(df: pd.DataFrame) -> pd.DataFrame:
    """Metadata columns missing from some parts (files with other columns) read as ""."""
    for c in df.columns:
        if c in ("doc_idx", "n_words", "n_sentences", "n_paragraphs"):
            continue
        if df[c].isna().any() and (df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)):
            df[c] = df[c].fillna("")
    return df



def json_default(o):
    """JSON for numpy numbers (NaN and infinities as null) and anything else as text."""
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return str(o)
