"""Analysis results on disk: Parquet tables plus a manifest, keyed by corpus and parameters.

A *store* is a folder holding everything :func:`analysis.engine.analyse.analyse` (or the
chunked ``python -m analysis build``) computed for one corpus with one set of
:class:`analysis.engine.analyse.AnalysisParams`, so that a restarted server, a second
visitor or a batch job never recomputes it:

``manifest.json``
    ``format``/``format_version``; ``key`` (:func:`cache_key`: the corpus's
    content hash + the parameters); ``content_hash``; ``params``;
    ``versions`` of the packages that made it; ``stages`` (what was computed,
    in order) and ``timings``; ``notes`` (stages skipped or cut, and why);
    ``tables`` (name -> rows, columns, files); ``n_docs``, ``n_words``,
    ``group_columns``; ``complete`` (written last: a folder without it is an
    interrupted build and is never opened).

Per-document tables (written in parts of consecutive documents, one Parquet
file per part under ``<table>/``; ``doc_idx`` is the document's position in
the corpus, so a part covers a range of it, listed in the manifest):

- ``docs``: metadata, ``raw_text`` (as loaded), ``text`` (cleaned),
  ``n_words``, ``n_sentences``, ``n_paragraphs`` (:class:`analysis.corpus.prepare.Prepared`);
- ``paragraphs``, ``sentences`` (with ``polarity, subjectivity, vader,
  n_words, masked``), ``paragraph_scores``, ``doc_scores``
  (:mod:`analysis.methods.sentiment`), ``removals``, ``repairs``;
- ``term_counts``: ``doc_idx, term_id, count``, the phrase-independent term
  index (words and n-grams of :func:`analysis.methods.terms.build_index`), with the
  vocabulary in ``terms`` (``term_id, term, ngram, count, doc_freq``).

Corpus-wide tables (one file each): ``topic_k_scores``, ``topic_terms``,
``topic_doc_shares``, ``topic_units``, ``topic_passages``, ``passages``,
``similarity``, ``errors``; and the aggregates that pages of a large corpus
read instead of recomputing: ``agg_group_sentiment`` (mean document score per
group with its bootstrap interval, :func:`analysis.methods.sentiment.group_scores`,
for every group column and measure), ``agg_cell_sentiment`` (the same within
each single value of the app's filter columns :data:`FILTER_COLUMNS`, for
:data:`CELL_MEASURES`), ``agg_group_terms`` (the 50 most
frequent words per group, as :func:`analysis.methods.terms.top_terms`; n-grams per
group are computed on request from ``term_counts``)
and ``agg_group_topics`` (mean topic share per group, as
:func:`analysis.methods.topics.group_topics`). Group columns are the metadata columns
with at most :data:`MAX_GROUPS` distinct values; ``date`` is grouped by year.

:func:`open_store` gives a :class:`StoredAnalysis`, whose methods read the
tables (whole, or for some documents, or as aggregates over a subset of
documents). Nothing here imports Streamlit.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import sparse as sp

from analysis.engine.analyse import AnalysisParams, FullAnalysis, TopicResult, versions
from analysis.corpus.model import Corpus, Document, LoadError, METADATA_FIELDS, STANDARD_FIELDS
from analysis.corpus.prepare import REMOVAL_COLUMNS, REPAIR_COLUMNS, Prepared

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_GROUPS",
    "StoreWriter",
    "StoredAnalysis",
    "cache_key",
    "default_cache_dir",
    "find_store",
    "open_store",
    "save_analysis",
    "store_path",
    "write_store",
]

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


# ----------------------------------------------------------------------------- writing


def _to_table(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def _write(path: Path, df: pd.DataFrame, row_group_size: int = 64_000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(_to_table(df), path, compression="zstd", row_group_size=row_group_size)


#: Row groups of per-document parts: small, so that reading a few documents
#: (a filter on doc_idx, pruned by the row groups' statistics) reads little.
PART_ROW_GROUP = 8_000
#: Single-file copies of the small per-document tables, for fast whole reads.
INDEX_FILES = {"docs": "index_docs.parquet", "doc_scores": "index_doc_scores.parquet"}


def write_indexes(path) -> None:
    """Write the single-file copies of the documents' metadata (no texts) and of
    the document scores (``index_docs.parquet``, ``index_doc_scores.parquet``)
    of the store being written at ``path``; :meth:`StoreWriter.finish` calls it."""
    path = Path(path)
    files = sorted((path / "docs").glob("part-*.parquet"))
    metas = []
    for f in files:
        names = [n for n in pq.read_schema(f).names if n not in ("raw_text", "text")]
        metas.append(pq.read_table(f, columns=names))
    if metas:
        t = pa.concat_tables(metas, promote_options="default") if len(metas) > 1 else metas[0]
        _write(path / INDEX_FILES["docs"], _fill_docs(t.to_pandas()))
    scores = [pq.read_table(f) for f in sorted((path / "doc_scores").glob("part-*.parquet"))]
    if scores:
        t = pa.concat_tables(scores, promote_options="default") if len(scores) > 1 else scores[0]
        pq.write_table(t, path / INDEX_FILES["doc_scores"], compression="zstd")


def rows_among(column: pd.Series, values) -> np.ndarray:
    """Which rows of ``column`` (compared as text; missing = "") are among ``values``: Arrow's
    ``is_in``, as pandas' ``isin`` on Arrow strings goes row by row (0.1 s per 100,000 rows)."""
    wanted = pa.array(list({str(v) for v in values}), type=pa.string())
    text = pa.array(column.astype("str").fillna(""), type=pa.string(), from_pandas=True)
    return pc.is_in(text, value_set=wanted).to_numpy(zero_copy_only=False).astype(bool)


def _removals(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=REMOVAL_COLUMNS)
    return pd.DataFrame({
        "doc_id": pd.array(out["doc_id"].astype(str), dtype="string"),
        "rule": pd.array(out["rule"].astype(str), dtype="string"),
        "start": out["start"].astype(np.int64), "end": out["end"].astype(np.int64),
        "text": pd.array(out["text"].astype(str), dtype="string")})


def _repairs(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=REPAIR_COLUMNS)
    return pd.DataFrame({"doc_id": pd.array(out["doc_id"].astype(str), dtype="string"),
                         "step": pd.array(out["step"].astype(str), dtype="string"),
                         "count": out["count"].astype(np.int64)})


class _GroupTerms:
    """Term counts and document frequencies per group of one column, summed over chunks."""

    def __init__(self):
        self.labels: dict[str, int] = {}
        self.counts = None
        self.doc_freq = None
        self.n_words: list[int] = []
        self.n_docs: list[int] = []
        self.too_many = False

    def add(self, values: np.ndarray, counts: sp.csr_matrix, n_words: np.ndarray, n_terms: int) -> None:
        if self.too_many:
            return
        codes = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            c = self.labels.get(v)
            if c is None:
                c = self.labels[v] = len(self.labels)
                self.n_words.append(0)
                self.n_docs.append(0)
            codes[i] = c
        if len(self.labels) > MAX_GROUPS:
            self.too_many = True
            self.counts = self.doc_freq = None
            return
        n_groups = len(self.labels)
        ind = sp.csr_matrix((np.ones(len(codes), dtype=np.int32), (codes, np.arange(len(codes)))),
                            shape=(n_groups, len(codes)))
        present = counts.copy()
        present.data = np.ones_like(present.data)
        c = (ind @ counts).astype(np.int64).tocsr()
        f = (ind @ present).astype(np.int64).tocsr()
        c.resize((n_groups, n_terms))
        f.resize((n_groups, n_terms))
        if self.counts is None:
            self.counts, self.doc_freq = c, f
        else:
            self.counts.resize((n_groups, n_terms))
            self.doc_freq.resize((n_groups, n_terms))
            self.counts = (self.counts + c).tocsr()
            self.doc_freq = (self.doc_freq + f).tocsr()
        nw = np.bincount(codes, weights=n_words, minlength=n_groups)
        nd = np.bincount(codes, minlength=n_groups)
        for g in range(n_groups):
            self.n_words[g] += int(nw[g])
            self.n_docs[g] += int(nd[g])


class StoreWriter:
    """Writes a store chunk by chunk (consecutive documents), in bounded memory.

    Call :meth:`add_chunk` for each chunk of prepared, scored and indexed
    documents, then :meth:`finish` with the corpus-wide results. The folder
    is written in place; its manifest (``complete: true``) comes last.
    """

    def __init__(self, out_dir, params: AnalysisParams | None = None, overwrite: bool = True):
        self.path = Path(out_dir)
        self.params = params or AnalysisParams()
        if self.path.exists():
            if not overwrite:
                raise FileExistsError(f"{self.path} exists")
            if (self.path / MANIFEST).exists() or any(self.path.glob("*/part-*.parquet")):
                shutil.rmtree(self.path)
            elif any(self.path.iterdir()):
                raise FileExistsError(f"{self.path} exists and is not an analysis store: not overwritten")
        self.path.mkdir(parents=True, exist_ok=True)
        self.n_docs = 0
        self.n_words = 0
        self.parts: list[dict] = []
        self.rows: dict[str, int] = {t: 0 for t in PER_DOC_TABLES}
        self.vocab: dict[str, int] = {}
        self.term_n: list[int] = []
        self.term_total = np.zeros(0, dtype=np.int64)
        self.term_df = np.zeros(0, dtype=np.int64)
        self.dropped_occurrences = 0
        self.groups: dict[str, _GroupTerms] = {}
        self.doc_columns: list[str] = []
        self.index_meta: dict = {}
        self.tone_phrases: dict | None = None  # see track_phrases
        self._tone_parts: list[pd.DataFrame] = []

    def track_phrases(self, phrases: Sequence[str], window: int = 25) -> None:
        """Also keep the tone near ``phrases`` (every occurrence's sentence and ±``window``-word
        context, scored: :func:`analysis.methods.phrase_tone.occurrences`) in the table
        ``phrase_tone``; call before the first chunk."""
        from analysis.methods.phrases import normalise_phrase

        self.tone_phrases = {"phrases": list(dict.fromkeys(normalise_phrase(p) for p in phrases)),
                             "window": int(window)}

    # -- per chunk

    def add_chunk(self, prepared: Prepared, sentiment, term_index) -> None:
        """Append one chunk: its :class:`Prepared`, its
        :class:`analysis.methods.sentiment.SentimentTables` and its
        :class:`analysis.methods.terms.TermIndex` (rows = the chunk's documents)."""
        part = len(self.parts)
        offset = self.n_docs
        n = len(prepared.docs)
        if n == 0:
            return
        idx_of = dict(zip(prepared.docs["doc_id"].astype(str), range(offset, offset + n)))

        def with_idx(df: pd.DataFrame) -> pd.DataFrame:
            df = df.reset_index(drop=True).copy()
            df.insert(0, "doc_idx", df["doc_id"].astype(str).map(idx_of).astype(np.int64).to_numpy()
                      if len(df) else np.zeros(0, dtype=np.int64))
            return df

        name = f"part-{part:05d}.parquet"
        docs = prepared.docs.reset_index(drop=True).copy()
        docs.insert(0, "doc_idx", np.arange(offset, offset + n, dtype=np.int64))
        for c in docs.columns:
            if c not in self.doc_columns:
                self.doc_columns.append(c)
        tables = {
            "docs": docs,
            "paragraphs": with_idx(prepared.paragraphs),
            "paragraph_scores": with_idx(sentiment.paragraphs),
            "sentences": with_idx(sentiment.sentences),
            "doc_scores": with_idx(sentiment.documents),
            "removals": with_idx(_removals(prepared.removals)),
            "repairs": with_idx(_repairs(prepared.repairs)),
            "term_counts": self._term_rows(term_index, offset),
        }
        for t, df in tables.items():
            _write(self.path / t / name, df, PART_ROW_GROUP)
            self.rows[t] += len(df)
        self.parts.append({"file": name, "doc_start": offset, "doc_end": offset + n})
        self.n_docs += n
        self.n_words += int(prepared.docs["n_words"].sum())
        self._add_group_terms(prepared.docs, term_index)
        if self.tone_phrases:
            from analysis.methods.phrase_tone import occurrences

            occ = occurrences(prepared.docs, self.tone_phrases["phrases"], self.tone_phrases["window"],
                              sentences=prepared.sentences)
            self._tone_parts.append(with_idx(occ))

    def _term_rows(self, index, offset: int) -> pd.DataFrame:
        if not self.index_meta:
            self.index_meta = {"ngram_range": list(index.ngram_range), "stop_ngrams": index.stop_ngrams,
                               "min_count": index.min_count, "numbers": index.numbers,
                               "stopwords": sorted(index.stopwords)}
        ids = np.empty(len(index.terms), dtype=np.int64)
        for j, (term, n) in enumerate(zip(index.terms, index.term_n)):
            k = self.vocab.get(term)
            if k is None:
                if len(self.vocab) >= MAX_VOCABULARY:
                    ids[j] = -1
                    continue
                k = self.vocab[term] = len(self.vocab)
                self.term_n.append(int(n))
            ids[j] = k
        V = len(self.vocab)
        if len(self.term_total) < V:
            grow = V - len(self.term_total)
            self.term_total = np.concatenate([self.term_total, np.zeros(grow, dtype=np.int64)])
            self.term_df = np.concatenate([self.term_df, np.zeros(grow, dtype=np.int64)])
        coo = index.counts.tocoo()
        tid = ids[coo.col]
        keep = tid >= 0
        self.dropped_occurrences += int(coo.data[~keep].sum())
        rows, tid, data = coo.row[keep], tid[keep], coo.data[keep]
        order = np.lexsort((tid, rows))
        rows, tid, data = rows[order], tid[order], data[order]
        np.add.at(self.term_total, tid, data)
        np.add.at(self.term_df, tid, 1)
        self._chunk_ids = ids
        return pd.DataFrame({"doc_idx": (rows + offset).astype(np.int64), "term_id": tid.astype(np.int64),
                             "count": data.astype(np.int64)})

    def _add_group_terms(self, docs: pd.DataFrame, index) -> None:
        # words only: per-group n-gram counts would hold most of the corpus's
        # (group, term) pairs in memory; n-grams per group are computed on request
        ids = self._chunk_ids
        keep = (ids >= 0) & (np.asarray(index.term_n) == 1)
        sel = np.flatnonzero(keep)
        counts = index.counts[:, sel].tocoo()
        V = len(self.vocab)
        mapped = sp.csr_matrix((counts.data, (counts.row, ids[sel][counts.col])), shape=(len(docs), V))
        n_words = docs["n_words"].to_numpy(dtype=np.int64)
        for column in candidate_group_columns(docs):
            acc = self.groups.setdefault(column, _GroupTerms())
            acc.add(group_values(docs, column), mapped, n_words, V)

    # -- the end

    def finish(self, content_hash: str, errors: Sequence[LoadError], topics: TopicResult,
               passages: pd.DataFrame, similarity: pd.DataFrame, notes: dict | None = None,
               timings: dict | None = None, stages: Sequence[str] = STAGES) -> dict:
        """Write the vocabulary, the corpus-wide tables, the aggregates and the
        manifest; returns the manifest."""
        t0 = time.perf_counter()
        notes = dict(notes or {})
        terms = pd.DataFrame({"term_id": np.arange(len(self.vocab), dtype=np.int64),
                              "term": pd.array(list(self.vocab), dtype="string"),
                              "ngram": np.asarray(self.term_n, dtype=np.int64),
                              "count": self.term_total, "doc_freq": self.term_df})
        _write(self.path / "terms.parquet", terms)
        if self.dropped_occurrences:
            notes["terms"] = (f"the vocabulary reached {MAX_VOCABULARY:,} terms; "
                              f"{self.dropped_occurrences:,} occurrences of later new terms were not counted")
        err = pd.DataFrame({"path": pd.array([e.path for e in errors], dtype="string"),
                            "reason": pd.array([e.reason for e in errors], dtype="string")})
        _write(self.path / "errors.parquet", err)
        for name, df in _topic_frames(topics).items():
            _write(self.path / f"{name}.parquet", df)
        _write(self.path / "passages.parquet", _passages_frame(passages))
        _write(self.path / "similarity.parquet", _similarity_frame(similarity))
        write_indexes(self.path)
        if self.tone_phrases:
            _write(self.path / "phrase_tone.parquet", pd.concat(self._tone_parts, ignore_index=True)
                   if self._tone_parts else pd.DataFrame(columns=["doc_idx", "doc_id"]))

        store = StoredAnalysis(self.path, self._manifest(content_hash, notes, timings or {}, stages, {},
                                                         topics, complete=False))
        aggregates, group_columns, agg_notes = self._aggregates(store, terms)
        notes.update(agg_notes)
        for name, df in aggregates.items():
            _write(self.path / f"{name}.parquet", df)
        timings = dict(timings or {})
        timings["aggregates"] = time.perf_counter() - t0
        manifest = self._manifest(content_hash, notes, timings, stages, group_columns, topics, complete=True)
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default),
                       encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)
        return manifest

    def _aggregates(self, store: "StoredAnalysis", terms: pd.DataFrame):
        notes = {}
        docs = store.docs(columns=[c for c in self.doc_columns if c not in ("raw_text", "text")])
        scores = store.doc_scores()
        columns = []
        for c in candidate_group_columns(docs):
            acc = self.groups.get(c)
            values = group_values(docs, c)
            n_groups = len(set(values.tolist()))
            if acc is None or acc.too_many or n_groups > MAX_GROUPS:
                notes[f"groups:{c}"] = f"no aggregates by {c!r}: more than {MAX_GROUPS:,} distinct values"
                continue
            if n_groups < 1:
                continue
            columns.append(c)
        # sentiment per group (single-document groups get sentence intervals)
        frames = []
        for c in columns:
            for m, g in _tone_by_label(store, scores, docs["doc_id"], group_values(docs, c), MEASURES):
                g.insert(0, "measure", m)
                g.insert(0, "column", c)
                frames.append(g)
        cols = ["column", "measure", "group", "n_docs", "n_sentences", "mean", "lo", "hi", "interval_basis"]
        sent = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
        sent["n_sentences"] = sent["n_sentences"].astype("float64")
        cells = self._cell_sentiment(store, docs, scores, columns)
        # top terms per group
        tframes = []
        term_arr = terms["term"].to_numpy(dtype=object)
        ngram_arr = terms["ngram"].to_numpy()
        for c in columns:
            acc = self.groups[c]
            for label, r in sorted(acc.labels.items()):  # labels sorted, as terms.top_terms does
                cnt = acc.counts[r].toarray().ravel() if acc.counts is not None else np.zeros(0)
                dfr = acc.doc_freq[r].toarray().ravel() if acc.doc_freq is not None else np.zeros(0)
                for n in (1,):
                    idx = np.flatnonzero((cnt > 0) & (ngram_arr[: len(cnt)] == n))
                    order = np.lexsort((term_arr[idx].astype(str), -dfr[idx], -cnt[idx]))[:GROUP_TOP_TERMS]
                    idx = idx[order]
                    tframes.append(pd.DataFrame({
                        "column": c, "group": label, "ngram": n, "rank": np.arange(1, len(idx) + 1),
                        "term": term_arr[idx], "count": cnt[idx].astype(np.int64),
                        "rate_per_10k": rate_per_10k(cnt[idx], acc.n_words[r]),
                        "doc_freq": dfr[idx].astype(np.int64), "n_docs": acc.n_docs[r],
                        "n_words": acc.n_words[r]}))
        tcols = ["column", "group", "ngram", "rank", "term", "count", "rate_per_10k", "doc_freq", "n_docs",
                 "n_words"]
        gterms = pd.concat(tframes, ignore_index=True).reindex(columns=tcols) if tframes else \
            pd.DataFrame(columns=tcols)
        gterms["term"] = gterms["term"].astype("string")
        gterms["group"] = gterms["group"].astype("string")
        gterms["column"] = gterms["column"].astype("string")
        # topic shares per group
        shares = store.table("topic_doc_shares")
        gtopics = [group_topic_shares(shares, docs, c) for c in columns]
        gcols = ["column", "group", "topic", "share", "n_docs"]
        gtop = pd.concat(gtopics, ignore_index=True).reindex(columns=gcols) if gtopics else \
            pd.DataFrame(columns=gcols)
        return ({"agg_group_sentiment": sent, "agg_cell_sentiment": cells, "agg_group_terms": gterms,
                 "agg_group_topics": gtop}, columns, notes)

    @staticmethod
    def _cell_sentiment(store: "StoredAnalysis", docs: pd.DataFrame, scores: pd.DataFrame,
                        columns: list[str]) -> pd.DataFrame:
        """Tone per group of each column, within each value of each filter column: rows
        ``filter_column, filter_value, column, measure`` + :func:`group_scores`' columns."""
        frames = []
        for f in [c for c in FILTER_COLUMNS if c in columns]:
            fvals = pd.Series(group_values(docs, f))
            for c in columns:
                if c == f:
                    continue  # one value of the group-by column itself: its row of agg_group_sentiment
                key = (fvals + CELL_SEP + pd.Series(group_values(docs, c))).to_numpy(dtype=object)
                for m, g in _tone_by_label(store, scores, docs["doc_id"], key, CELL_MEASURES):
                    parts = g["group"].astype(str).str.split(CELL_SEP, n=1, expand=True)
                    g = g.assign(filter_column=f, filter_value=parts[0], column=c, measure=m, group=parts[1])
                    frames.append(g)
        cols = ["filter_column", "filter_value", "column", "measure", "group", "n_docs", "n_sentences", "mean", "lo",
                "hi", "interval_basis"]
        out = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
        out["n_sentences"] = out["n_sentences"].astype("float64")
        return out

    def _manifest(self, content_hash, notes, timings, stages, group_columns, topics, complete) -> dict:
        tables = {}
        for t in PER_DOC_TABLES:
            tables[t] = {"rows": self.rows[t], "parts": [p["file"] for p in self.parts]}
        for f in sorted(self.path.glob("*.parquet")):
            tables[f.stem] = {"rows": pq.ParquetFile(f).metadata.num_rows, "file": f.name}
        return {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "key": cache_key(content_hash, self.params), "content_hash": content_hash,
            "params": self.params.to_dict(), "params_key": self.params.key(),
            "versions": versions(), "stages": list(stages), "timings": timings, "notes": notes,
            "n_docs": self.n_docs, "n_words": self.n_words, "parts": self.parts, "tables": tables,
            "doc_columns": self.doc_columns, "group_columns": list(group_columns),
            "term_index": self.index_meta, "phrase_tone": self.tone_phrases,
            "topics": {"k": topics.k, "units": topics.units, "stability": topics.stability,
                       "stability_adjusted": topics.stability_adjusted, "params": topics.params,
                       "n_fit_docs": topics.n_fit_docs, "error": topics.error},
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "complete": complete,
        }


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return str(o)


def _tone_by_label(store: "StoredAnalysis", scores: pd.DataFrame, doc_ids, labels,
                   measures) -> list[tuple[str, pd.DataFrame]]:
    """``(measure, group_scores)`` for each of ``measures``, the documents ``doc_ids`` grouped by
    ``labels`` (:func:`analysis.methods.sentiment.group_scores`); the sentences of one-document groups are
    read from ``store`` once, for their sentence intervals."""
    from analysis.methods.sentiment import group_scores

    meta = pd.DataFrame({"doc_id": pd.Series(doc_ids).astype(str).to_numpy(), "_g": labels})
    single = meta.loc[meta["_g"].map(meta["_g"].value_counts()).to_numpy() == 1, "doc_id"].tolist()
    sents = store.sentences(doc_ids=single) if single else None
    return [(m, group_scores(scores, meta, by="_g", measure=m, sentences=sents)) for m in measures]


def rate_per_10k(count, n_words):
    count = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_words > 0, count / max(n_words, 1) * 10_000.0, 0.0)


def group_topic_shares(doc_shares: pd.DataFrame, docs: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean topic share per group of ``column`` (as :func:`analysis.methods.topics.group_topics`:
    each document with any topic weight counts once). ``doc_shares``: long
    ``doc_id, topic, share``. Columns ``column, group, topic, share, n_docs``.

    A topic's mean is over the group's documents that have a share for it (all of
    them when, as stored, every document has a row per topic); ``n_docs`` counts the
    group's documents with any topic weight. Sums are taken with numpy over
    factorised ids (a pivot table took ~0.2 s for 40,000 documents)."""
    cols = ["column", "group", "topic", "share", "n_docs"]
    if doc_shares is None or doc_shares.empty:
        return pd.DataFrame(columns=cols)
    d_codes, d_ids = pd.factorize(doc_shares["doc_id"].astype(str), sort=False)
    topics, t_codes = np.unique(doc_shares["topic"].to_numpy(dtype=np.int64), return_inverse=True)
    n_d, n_t = len(d_ids), len(topics)
    share = doc_shares["share"].to_numpy(dtype=float)
    has = ~np.isnan(share)
    flat = (d_codes * n_t + t_codes)[has]
    sums = np.bincount(flat, weights=share[has], minlength=n_d * n_t).reshape(n_d, n_t)
    present = np.bincount(flat, minlength=n_d * n_t).reshape(n_d, n_t) > 0
    keep = sums.sum(axis=1) > 0
    labels = pd.Series(group_values(docs, column), index=docs["doc_id"].astype(str).to_numpy())
    labels = labels[~labels.index.duplicated()].reindex(np.asarray(d_ids)[keep]).fillna("").astype(str)
    g_codes, groups = pd.factorize(labels.to_numpy(), sort=True)
    n_g = len(groups)
    sums, present = sums[keep], present[keep]
    cell = (g_codes[:, None] * n_t + np.arange(n_t)[None, :]).ravel()
    g_sum = np.bincount(cell, weights=np.where(present, sums, 0.0).ravel(), minlength=n_g * n_t)
    g_cnt = np.bincount(cell, weights=present.ravel().astype(float), minlength=n_g * n_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(g_cnt > 0, g_sum / np.maximum(g_cnt, 1.0), np.nan)
    size = np.bincount(g_codes, minlength=n_g).astype(np.int64)
    return pd.DataFrame({"column": pd.array([column] * (n_g * n_t), dtype="string"),
                         "group": pd.array(np.repeat(np.asarray(groups, dtype=object), n_t), dtype="string"),
                         "topic": np.tile(topics, n_g), "share": mean, "n_docs": np.repeat(size, n_t)})[cols]


def _topic_frames(topics: TopicResult) -> dict[str, pd.DataFrame]:
    def frame(df, cols):
        return df.reset_index(drop=True) if df is not None and len(df.columns) else pd.DataFrame(columns=cols)

    units = frame(topics.units_table, ["unit", "doc_id", "para", "sent", "start", "end", "n_words", "fitted",
                                       "topic", "weight", "x", "y"])
    return {
        "topic_k_scores": frame(topics.k_scores, ["k", "stability", "baseline", "adjusted"]),
        "topic_terms": frame(topics.terms, ["topic", "rank", "term", "weight", "lift", "relevance"]),
        "topic_doc_shares": frame(topics.doc_shares, ["doc_id", "topic", "share"]),
        "topic_units": units,
        "topic_passages": frame(topics.passages, ["topic", "rank", "unit", "doc_id", "para", "sent", "start",
                                                  "end", "weight", "share", "text"]),
    }


def _passages_frame(passages: pd.DataFrame) -> pd.DataFrame:
    from analysis.methods.reuse import PASSAGE_COLUMNS

    p = passages.reindex(columns=PASSAGE_COLUMNS).reset_index(drop=True)
    return p.astype({"doc_a": "string", "doc_b": "string", "text": "string", "start_a": np.int64,
                     "end_a": np.int64, "start_b": np.int64, "end_b": np.int64, "n_words": np.int64})


def _similarity_frame(sim: pd.DataFrame) -> pd.DataFrame:
    s = sim.reindex(columns=["doc_a", "doc_b", "similarity"]).reset_index(drop=True)
    return s.astype({"doc_a": "string", "doc_b": "string", "similarity": float})


def write_store(analysis: FullAnalysis, out_dir) -> dict:
    """Write a :class:`analysis.engine.analyse.FullAnalysis` as a store at ``out_dir``
    (replacing a store already there); returns the manifest."""
    writer = StoreWriter(out_dir, analysis.params)
    writer.add_chunk(analysis.prepared, analysis.sentiment, analysis.term_index)
    return writer.finish(analysis.content_hash, analysis.prepared.errors, analysis.topics,
                         analysis.passages, analysis.similarity, analysis.notes, analysis.timings)


def save_analysis(analysis: FullAnalysis, cache_dir=None) -> Path:
    """Write ``analysis`` into the cache folder under its key (see :func:`store_path`)
    and return the store's path. Written to a temporary folder first, then
    renamed, so concurrent writers never leave a half-written store."""
    final = store_path(analysis.content_hash, analysis.params, cache_dir)
    if find_store(analysis.content_hash, analysis.params, cache_dir):
        return final
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}")
    write_store(analysis, tmp)
    try:
        os.replace(tmp, final)
    except OSError:  # another process got there first
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# ----------------------------------------------------------------------------- reading


def open_store(path) -> "StoredAnalysis":
    """Open the store at ``path`` (raises ``ValueError`` when it is incomplete
    or not a store, ``OSError`` when unreadable)."""
    manifest = read_manifest(path)
    if not manifest.get("complete"):
        raise ValueError(f"{path}: the build did not finish (no complete manifest)")
    return StoredAnalysis(Path(path), manifest)


@dataclass
class StoredAnalysis:
    """A store opened for reading (see the module docstring for the tables).

    Small tables are read on demand and kept; per-document tables are read
    whole or for a set of documents (:meth:`docs`, :meth:`sentences`, ...).
    Every method returns plain pandas objects; treat them as read-only.
    """

    path: Path
    manifest: dict
    _cache: dict = field(default_factory=dict, repr=False)

    # -- identity

    @property
    def content_hash(self) -> str:
        return self.manifest["content_hash"]

    @property
    def key(self) -> str:
        return self.manifest["key"]

    @property
    def params(self) -> AnalysisParams:
        return AnalysisParams(**self.manifest["params"])

    @property
    def n_docs(self) -> int:
        return int(self.manifest["n_docs"])

    @property
    def group_columns(self) -> list[str]:
        return list(self.manifest.get("group_columns", []))

    @property
    def notes(self) -> dict:
        return dict(self.manifest.get("notes", {}))

    def matches(self, content_hash: str, params: AnalysisParams | None = None) -> bool:
        """True when this store holds the results for that corpus (and parameters;
        with ``params=None`` any parameters do)."""
        if content_hash != self.content_hash:
            return False
        return params is None or cache_key(content_hash, params) == self.key

    # -- raw access

    def _parts(self, name: str, doc_ids=None, doc_idx=None) -> list[Path]:
        folder = self.path / name
        parts = self.manifest.get("parts", [])
        if doc_idx is None:
            return [folder / p["file"] for p in parts]
        lo, hi = (int(min(doc_idx)), int(max(doc_idx))) if len(doc_idx) else (0, -1)
        return [folder / p["file"] for p in parts if p["doc_end"] > lo and p["doc_start"] <= hi]

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A whole table by name (per-document tables concatenated over parts)."""
        key = (name, tuple(columns) if columns else None)
        if key in self._cache:
            return self._cache[key]
        index = self.path / INDEX_FILES.get(name, "-")
        wants_text = columns is None or bool({"text", "raw_text"} & set(columns))
        if index.exists() and (name == "doc_scores" or not wants_text):
            names = pq.read_schema(index).names
            cols = None if columns is None else [c for c in columns if c in names]
            df = pq.read_table(index, columns=cols).to_pandas()
        elif name in PER_DOC_TABLES:
            df = self._read_parts(name, columns=columns)
        else:
            df = pq.read_table(self.path / f"{name}.parquet", columns=list(columns) if columns else None).to_pandas()
        texts = {"text", "raw_text"} & set(df.columns)
        if name not in PER_DOC_TABLES or self.n_docs <= 5000 or (name in ("docs", "doc_scores") and not texts):
            self._cache[key] = df  # large per-document tables are read on each request
        return df

    def _iter_parts(self, name: str, columns: Sequence[str], doc_idx=None):
        """The rows of a per-document table (of the documents ``doc_idx``, or all), one part at a time."""
        filt = None
        if doc_idx is not None:
            filt = pc.field("doc_idx").isin(pa.array(np.asarray(sorted(doc_idx), dtype=np.int64)))
        for f in self._parts(name, doc_idx=doc_idx):
            names = set(pq.read_schema(f).names)
            cols = [c for c in dict.fromkeys(["doc_idx", *columns]) if c in names]
            yield pq.read_table(f, columns=cols, filters=filt).to_pandas()

    def _read_parts(self, name: str, columns=None, doc_idx=None) -> pd.DataFrame:
        files = self._parts(name, doc_idx=doc_idx)
        tables = []
        filt = None
        if doc_idx is not None:
            filt = pc.field("doc_idx").isin(pa.array(np.asarray(sorted(doc_idx), dtype=np.int64)))
        for f in files:
            cols = None
            if columns is not None:
                names = set(pq.read_schema(f).names)
                cols = [c for c in dict.fromkeys(["doc_idx", *columns]) if c in names]
            tables.append(pq.read_table(f, columns=cols, filters=filt))
        if not tables:
            return pd.DataFrame(columns=list(columns or []))
        t = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
        df = t.to_pandas()
        if name == "docs":
            df = _fill_docs(df)
        if columns is not None:
            df = df[[c for c in columns if c in df.columns]]
        return df.reset_index(drop=True)

    def _doc_idx(self, doc_ids) -> np.ndarray:
        ids = self.table("docs", columns=["doc_idx", "doc_id"])
        pos = pd.Series(ids["doc_idx"].to_numpy(), index=ids["doc_id"].astype(str).to_numpy())
        return pos.reindex([str(d) for d in doc_ids]).dropna().astype(np.int64).to_numpy()

    def _per_doc(self, name: str, doc_ids=None, columns=None, drop_idx=True) -> pd.DataFrame:
        small = name == "doc_scores" or (name == "docs" and columns is not None
                                         and not {"text", "raw_text"} & set(columns))
        if doc_ids is None:
            df = self.table(name, columns=columns)
        elif small and (self.path / INDEX_FILES[name]).exists():
            # metadata and scores: filtered in memory from the cached whole table
            cols = None if columns is None else list(dict.fromkeys(["doc_id", *columns]))
            whole = self.table(name, columns=cols)
            keep = rows_among(whole["doc_id"], doc_ids)
            df = whole[keep].reset_index(drop=True)
            if columns is not None:
                df = df[list(columns)]
        else:
            df = self._read_parts(name, columns=columns, doc_idx=self._doc_idx(doc_ids))
        if drop_idx and "doc_idx" in df.columns and (columns is None or "doc_idx" not in columns):
            df = df.drop(columns="doc_idx")
        return df

    # -- per-document tables

    def docs(self, columns: Sequence[str] | None = None, doc_ids=None, text: bool = True) -> pd.DataFrame:
        """The documents table (metadata, ``raw_text``, ``text``, counts);
        ``text=False`` leaves the two texts out."""
        if columns is None and not text:
            columns = [c for c in self.manifest["doc_columns"] if c not in ("raw_text", "text", "doc_idx")]
        return self._per_doc("docs", doc_ids, columns)

    def sentences(self, doc_ids=None, columns=None) -> pd.DataFrame:
        """Sentences with offsets and scores (``polarity, subjectivity, vader, n_words, masked``)."""
        return self._per_doc("sentences", doc_ids, columns)

    def paragraphs(self, doc_ids=None) -> pd.DataFrame:
        return self._per_doc("paragraphs", doc_ids)

    def paragraph_scores(self, doc_ids=None) -> pd.DataFrame:
        return self._per_doc("paragraph_scores", doc_ids)

    def doc_scores(self, doc_ids=None) -> pd.DataFrame:
        """Per-document sentiment (:data:`analysis.methods.sentiment.DOCUMENT_COLUMNS`)."""
        return self._per_doc("doc_scores", doc_ids)

    def removals(self, doc_ids=None) -> pd.DataFrame:
        return self._per_doc("removals", doc_ids)

    def repairs(self, doc_ids=None) -> pd.DataFrame:
        return self._per_doc("repairs", doc_ids)

    def errors(self) -> list[LoadError]:
        e = self.table("errors")
        return [LoadError(str(p), str(r)) for p, r in zip(e["path"], e["reason"])]

    def terms(self) -> pd.DataFrame:
        """The vocabulary: ``term_id, term, ngram, count`` (whole corpus), ``doc_freq``."""
        return self.table("terms")

    def term_counts(self, doc_ids=None) -> pd.DataFrame:
        """Long ``doc_idx, term_id, count`` (join :meth:`terms` for the words)."""
        if doc_ids is None:
            return self.table("term_counts")
        return self._read_parts("term_counts", doc_idx=self._doc_idx(doc_ids))

    # -- rebuilt objects

    def prepared(self) -> Prepared:
        """The cleaned, segmented corpus as :func:`analysis.corpus.prepare.prepare` made it."""
        docs = self.docs()
        docs = docs.drop(columns=[c for c in ("doc_idx",) if c in docs.columns])
        return Prepared(docs, self._restore(self.removals(), "removals"), self.paragraphs(),
                        self.sentences(columns=["doc_id", "para", "sent", "start", "end", "text"]),
                        self.errors(), self._restore(self.repairs(), "repairs"),
                        bool(self.params.clean), self.content_hash)

    @staticmethod
    def _restore(df: pd.DataFrame, name: str) -> pd.DataFrame:
        return df

    def sentiment_tables(self):
        """:class:`analysis.methods.sentiment.SentimentTables` (no phrases excluded)."""
        from analysis.methods.sentiment import SentimentTables

        return SentimentTables(self.sentences(), self.paragraph_scores(), self.doc_scores())

    def term_index(self):
        """The stored :class:`analysis.methods.terms.TermIndex` (whole corpus)."""
        from analysis.methods.terms import TermIndex

        meta = self.manifest.get("term_index", {})
        terms = self.terms()
        counts = self.term_counts()
        n = self.n_docs
        mat = sp.csr_matrix((counts["count"].to_numpy(dtype=np.int64),
                             (counts["doc_idx"].to_numpy(), counts["term_id"].to_numpy())),
                            shape=(n, len(terms)))
        # columns by n-gram size, then first appearance: build_index's order (a
        # chunked build numbers terms chunk by chunk, across sizes)
        order = np.lexsort((terms["term_id"].to_numpy(), terms["ngram"].to_numpy()))
        mat = mat[:, order].tocsr()
        mat.sort_indices()
        docs = self.docs(text=False).drop(columns=["doc_idx"], errors="ignore")
        return TermIndex(docs=docs.reset_index(drop=True), counts=mat,
                         terms=terms["term"].astype(object).to_numpy()[order],
                         term_n=terms["ngram"].to_numpy(dtype=np.int64)[order],
                         n_words=docs["n_words"].to_numpy(dtype=np.int64),
                         ngram_range=tuple(meta.get("ngram_range", (1, 1))),
                         stopwords=frozenset(meta.get("stopwords", [])),
                         stop_ngrams=meta.get("stop_ngrams", "edge"), min_count=meta.get("min_count", 1),
                         numbers=meta.get("numbers", False))

    def corpus(self) -> Corpus:
        """The corpus as loaded (raw texts and metadata); its content hash is the store's."""
        docs = self.docs()
        meta_cols = [c for c in self.manifest["doc_columns"]
                     if c not in ("doc_idx", "raw_text", "text", "n_words", "n_sentences", "n_paragraphs")
                     and c not in STANDARD_FIELDS]
        out = []
        for rec in docs.to_dict("records"):
            out.append(Document(doc_id=str(rec["doc_id"]), text=str(rec["raw_text"]),
                                extra={c: str(rec.get(c, "")) for c in meta_cols},
                                **{f: str(rec.get(f, "")) for f in METADATA_FIELDS}))
        return Corpus(out, self.errors())

    # -- corpus-wide results

    def topics(self) -> dict:
        """The topic results: ``k, units`` (the unit kind), ``stability,
        stability_adjusted, params, n_fit_docs, error`` and the tables
        ``k_scores, terms, doc_shares, units_table, passages`` (see
        :class:`analysis.engine.analyse.TopicResult`)."""
        info = dict(self.manifest.get("topics", {}))
        for name in ("k_scores", "terms", "doc_shares", "passages"):
            info[name] = self.table(f"topic_{name}")
        info["units_table"] = self.table("topic_units")
        return info

    def passages(self, doc_id: str | None = None) -> pd.DataFrame:
        """Shared passages (:func:`analysis.methods.reuse.shared_passages`); with
        ``doc_id`` only those involving that document."""
        p = self.table("passages")
        if doc_id is None:
            return p
        return p[(p["doc_a"] == doc_id) | (p["doc_b"] == doc_id)].reset_index(drop=True)

    @property
    def phrase_tone_settings(self) -> dict | None:
        """``{"phrases", "window"}`` given at build time (``build --phrase``), or None."""
        return self.manifest.get("phrase_tone")

    def phrase_tone(self, doc_ids=None) -> pd.DataFrame:
        """The tone near the build-time phrases: one row per occurrence and context, as
        :func:`analysis.methods.phrase_tone.occurrences` gives it (plus ``doc_idx``); empty
        when the store was built without ``--phrase``."""
        if not (self.path / "phrase_tone.parquet").exists():
            from analysis.methods.phrase_tone import OCCURRENCE_COLUMNS

            return pd.DataFrame(columns=["doc_idx"] + OCCURRENCE_COLUMNS)
        occ = self.table("phrase_tone")
        if doc_ids is not None:
            occ = occ[occ["doc_id"].astype(str).isin(set(map(str, doc_ids)))].reset_index(drop=True)
        return occ

    def similarity(self) -> pd.DataFrame:
        return self.table("similarity")

    # -- aggregates (whole corpus precomputed; any subset computed from per-document tables)

    def group_sentiment(self, by: str, measure: str = "polarity", doc_ids=None) -> pd.DataFrame:
        """Mean document score per group of ``by`` with its 95% bootstrap interval
        (:func:`analysis.methods.sentiment.group_scores`). ``doc_ids=None``: the whole
        corpus, read from ``agg_group_sentiment``; otherwise computed for those
        documents. Columns ``group, n_docs, n_sentences, mean, lo, hi, interval_basis``."""
        if doc_ids is None and by in self.group_columns:
            a = self.table("agg_group_sentiment")
            out = a[(a["column"] == by) & (a["measure"] == measure)]
            return out.drop(columns=["column", "measure"]).reset_index(drop=True)
        docs = self.docs(columns=["doc_id", by] if by != "doc_id" else ["doc_id"], doc_ids=doc_ids)
        scores = self.doc_scores(doc_ids=doc_ids)
        return _tone_by_label(self, scores, docs["doc_id"], group_values(docs, by), [measure])[0][1]

    def group_sentiment_within(self, by: str, measure: str, column: str, value: str) -> pd.DataFrame | None:
        """:meth:`group_sentiment` of the documents whose ``column`` is ``value`` (as
        :func:`group_values` reads it), from the precomputed cells; None when the store has none
        for this combination (then compute it with ``doc_ids``)."""
        if by == column and by in self.group_columns and measure in MEASURES:
            whole = self.group_sentiment(by, measure)
            return whole[whole["group"].astype(str) == str(value)].reset_index(drop=True)
        try:
            cells = self.table("agg_cell_sentiment")
        except (OSError, ValueError, KeyError):
            return None
        if cells.empty or not ((cells["filter_column"] == column) & (cells["column"] == by)
                               & (cells["measure"] == measure)).any():
            return None
        hit = cells[(cells["filter_column"] == column) & (cells["column"] == by) & (cells["measure"] == measure)
                    & (cells["filter_value"].astype(str) == str(value))]
        return hit.drop(columns=["filter_column", "filter_value", "column", "measure"]).reset_index(drop=True)

    def top_terms(self, by: str | None = None, n: int = 30, ngram: int = 1, doc_ids=None) -> pd.DataFrame:
        """The ``n`` most frequent terms of ``ngram`` words, for the corpus or per
        group of ``by`` (as :func:`analysis.methods.terms.top_terms`, sorted by count then
        document frequency then term). Whole corpus: precomputed (up to 50 per
        group); a subset: computed from the stored term counts. Columns
        (``group``), ``rank, term, ngram, count, rate_per_10k, doc_freq, n_docs``."""
        if doc_ids is None and by is not None and by in self.group_columns and n <= GROUP_TOP_TERMS \
                and ngram == 1:
            a = self.table("agg_group_terms")
            out = a[(a["column"] == by) & (a["ngram"] == ngram) & (a["rank"] <= n)]
            return out.drop(columns=["column", "n_words"]).reset_index(drop=True)
        terms = self.terms()
        docs = self.docs(columns=["doc_idx", "doc_id", "n_words"] + ([by] if by and by != "doc_id" else []),
                         doc_ids=doc_ids)
        sel_terms = np.flatnonzero(terms["ngram"].to_numpy() == ngram)
        if doc_ids is None and by is None:
            t = terms.iloc[sel_terms]
            t = t.sort_values(["count", "doc_freq", "term"], ascending=[False, False, True], kind="stable").head(n)
            total = int(docs["n_words"].sum())
            return pd.DataFrame({"rank": np.arange(1, len(t) + 1), "term": t["term"].to_numpy(),
                                 "ngram": ngram, "count": t["count"].to_numpy(),
                                 "rate_per_10k": rate_per_10k(t["count"].to_numpy(), total),
                                 "doc_freq": t["doc_freq"].to_numpy(), "n_docs": len(docs)})
        keep = np.zeros(len(terms), dtype=bool)
        keep[sel_terms] = True
        labels = group_values(docs, by) if by else np.array([""] * len(docs), dtype=object)
        codes, uniq = pd.factorize(pd.Series(labels), sort=True)
        pos = pd.Series(np.arange(len(docs)), index=docs["doc_idx"].to_numpy())
        V = len(terms)
        mat = sp.csr_matrix((len(uniq), V), dtype=np.int64)
        dmat = sp.csr_matrix((len(uniq), V), dtype=np.int64)
        # Part by part: memory stays bounded by one part's counts, however many documents are kept.
        doc_idx = None if doc_ids is None else docs["doc_idx"].to_numpy()
        for counts in self._iter_parts("term_counts", ["doc_idx", "term_id", "count"], doc_idx):
            counts = counts[keep[counts["term_id"].to_numpy()]]
            g = codes[pos.reindex(counts["doc_idx"].to_numpy()).to_numpy()]
            tid = counts["term_id"].to_numpy()
            mat = mat + sp.csr_matrix((counts["count"].to_numpy(np.int64), (g, tid)), shape=(len(uniq), V))
            dmat = dmat + sp.csr_matrix((np.ones(len(g), dtype=np.int64), (g, tid)), shape=(len(uniq), V))
        n_words = np.bincount(codes, weights=docs["n_words"].to_numpy(), minlength=len(uniq))
        n_docs = np.bincount(codes, minlength=len(uniq))
        term_arr = terms["term"].to_numpy(dtype=object)
        frames = []
        for r, label in enumerate(uniq):
            c = mat[r].toarray().ravel()
            f = dmat[r].toarray().ravel()
            idx = np.flatnonzero(c > 0)
            order = np.lexsort((term_arr[idx].astype(str), -f[idx], -c[idx]))[:n]
            idx = idx[order]
            frames.append(pd.DataFrame({"group": label, "rank": np.arange(1, len(idx) + 1), "term": term_arr[idx],
                                        "ngram": ngram, "count": c[idx], "rate_per_10k": rate_per_10k(c[idx], n_words[r]),
                                        "doc_freq": f[idx], "n_docs": int(n_docs[r])}))
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["group", "rank", "term", "ngram", "count", "rate_per_10k", "doc_freq", "n_docs"])
        return out.drop(columns="group") if by is None else out

    def topic_shares(self, by: str | None = None, doc_ids=None) -> pd.DataFrame:
        """Topic shares: per document (``by=None``: long ``doc_id, topic, share``)
        or the mean per group of ``by`` (``group, topic, share, n_docs``);
        ``doc_ids`` restricts to those documents."""
        shares = self.table("topic_doc_shares")
        if doc_ids is not None:
            shares = shares[rows_among(shares["doc_id"], doc_ids)].reset_index(drop=True)
        if by is None:
            return shares
        if doc_ids is None and by in self.group_columns:
            a = self.table("agg_group_topics")
            return a[a["column"] == by].drop(columns="column").reset_index(drop=True)
        docs = self.docs(columns=["doc_id", by], doc_ids=doc_ids)
        return group_topic_shares(shares, docs, by).drop(columns="column")


def _fill_docs(df: pd.DataFrame) -> pd.DataFrame:
    """Metadata columns missing from some parts (files with other columns) read as ""."""
    for c in df.columns:
        if c in ("doc_idx", "n_words", "n_sentences", "n_paragraphs"):
            continue
        if df[c].isna().any() and (df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)):
            df[c] = df[c].fillna("")
    return df
