"""Writing a store: chunk by chunk in bounded memory, then the corpus-wide tables and the manifest.

:class:`StoreWriter` appends the per-document tables of consecutive chunks of documents (one
Parquet part per chunk, see :mod:`analysis.engine.store`), numbers the vocabulary and sums the
words per group as chunks pass, and :meth:`StoreWriter.finish` writes the corpus-wide tables, the
aggregates (:mod:`analysis.engine.aggregates`) and the manifest, ``complete`` last.
:func:`write_store` and :func:`save_analysis` write a whole :class:`analysis.engine.results.FullAnalysis`.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import sparse as sp

from analysis.corpus.model import LoadError
from analysis.corpus.prepare import REMOVAL_COLUMNS, REPAIR_COLUMNS, Prepared
from analysis.engine.aggregates import compute_aggregates
from analysis.engine.params import AnalysisParams, versions
from analysis.engine.results import FullAnalysis, TopicResult
from analysis.engine.store_format import (FORMAT, FORMAT_VERSION, INDEX_FILES, MANIFEST, MAX_GROUPS,
                                          MAX_VOCABULARY, PART_ROW_GROUP, PER_DOC_TABLES, STAGES, cache_key,
                                          candidate_group_columns, fill_missing_metadata, find_store,
                                          group_values, json_default, store_path, write_table)
from analysis.engine.store_reader import StoredAnalysis

__all__ = ["StoreWriter", "GroupTermTotals", "write_indexes", "write_store", "save_analysis"]


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
        write_table(path / INDEX_FILES["docs"], fill_missing_metadata(t.to_pandas()))
    scores = [pq.read_table(f) for f in sorted((path / "doc_scores").glob("part-*.parquet"))]
    if scores:
        t = pa.concat_tables(scores, promote_options="default") if len(scores) > 1 else scores[0]
        write_table(path / INDEX_FILES["doc_scores"], t)



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


class GroupTermTotals:
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
        self.groups: dict[str, GroupTermTotals] = {}
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
            write_table(self.path / t / name, df, PART_ROW_GROUP)
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
        terms = index.terms.tolist() if hasattr(index.terms, "tolist") else list(index.terms)
        ids = np.fromiter(map(self.vocab.get, terms, itertools.repeat(-1)), dtype=np.int64, count=len(terms))
        # new terms, numbered in the chunk's order until the vocabulary is full (the rest stay -1:
        # not counted); a chunk's terms are distinct
        new = np.flatnonzero(ids < 0)[:max(0, MAX_VOCABULARY - len(self.vocab))]
        numbers = np.arange(len(self.vocab), len(self.vocab) + len(new), dtype=np.int64)
        ids[new] = numbers
        self.vocab.update(zip(map(terms.__getitem__, new.tolist()), numbers.tolist()))
        self.term_n.extend(np.asarray(index.term_n)[new].astype(np.int64).tolist())
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
        order = np.argsort(rows.astype(np.int64) * max(V, 1) + tid, kind="stable")  # by document, then term
        rows, tid, data = rows[order], tid[order], data[order]
        self.term_total += np.bincount(tid, weights=data, minlength=V).astype(np.int64)
        self.term_df += np.bincount(tid, minlength=V).astype(np.int64)
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
            acc = self.groups.setdefault(column, GroupTermTotals())
            acc.add(group_values(docs, column), mapped, n_words, V)

    # -- the end

    def finish(self, content_hash: str, errors: Sequence[LoadError], topics: TopicResult,
               passages: pd.DataFrame, similarity: pd.DataFrame, notes: dict | None = None,
               timings: dict | None = None, stages: Sequence[str] = STAGES, run_tasks=None,
               reuse: Callable[[], tuple] | None = None) -> dict:
        """Write the vocabulary, the corpus-wide tables, the aggregates and the
        manifest; returns the manifest. ``reuse``: instead of ``passages`` and ``similarity``, a
        function giving ``(passages, similarity, notes)``, called once the aggregates are done (a
        build runs the search as a task meanwhile); ``topics`` likewise may be a function giving the
        :class:`TopicResult`, called once the tone and term aggregates are done (its error, if any,
        becomes the "topics" note)."""
        t0 = time.perf_counter()
        notes = dict(notes or {})
        terms = pd.DataFrame({"term_id": np.arange(len(self.vocab), dtype=np.int64),
                              "term": pd.array(list(self.vocab), dtype="string"),
                              "ngram": np.asarray(self.term_n, dtype=np.int64),
                              "count": self.term_total, "doc_freq": self.term_df})
        write_table(self.path / "terms.parquet", terms)
        if self.dropped_occurrences:
            notes["terms"] = (f"the vocabulary reached {MAX_VOCABULARY:,} terms; "
                              f"{self.dropped_occurrences:,} occurrences of later new terms were not counted")
        err = pd.DataFrame({"path": pd.array([e.path for e in errors], dtype="string"),
                            "reason": pd.array([e.reason for e in errors], dtype="string")})
        write_table(self.path / "errors.parquet", err)
        pending_topics = topics if callable(topics) else None

        def wait_for_topics() -> None:
            nonlocal topics
            if pending_topics is not None:
                topics = pending_topics()
                if topics.error:
                    notes["topics"] = topics.error
            for name, df in _topic_frames(topics).items():
                write_table(self.path / f"{name}.parquet", df)

        if pending_topics is None:
            wait_for_topics()
        write_indexes(self.path)
        if self.tone_phrases:
            write_table(self.path / "phrase_tone.parquet", pd.concat(self._tone_parts, ignore_index=True)
                        if self._tone_parts else pd.DataFrame(columns=["doc_idx", "doc_id"]))

        store = StoredAnalysis(self.path, self._manifest(content_hash, notes, timings or {}, stages, {},
                                                         TopicResult() if pending_topics else topics,
                                                         complete=False))
        aggregates, group_columns, agg_notes = compute_aggregates(
            store, self.doc_columns, self.groups, terms, run_tasks,
            wait_for_topics=wait_for_topics if pending_topics else None)
        notes.update(agg_notes)
        for name, df in aggregates.items():
            write_table(self.path / f"{name}.parquet", df)
        aggregates_s = time.perf_counter() - t0
        if reuse is not None:
            passages, similarity, reuse_notes = reuse()
            notes.update(reuse_notes)
        write_table(self.path / "passages.parquet", _passages_frame(passages))
        write_table(self.path / "similarity.parquet", _similarity_frame(similarity))
        timings = dict(timings or {})
        timings["aggregates"] = aggregates_s
        manifest = self._manifest(content_hash, notes, timings, stages, group_columns, topics, complete=True)
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=json_default),
                       encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)
        return manifest


    def partial_manifest(self, content_hash: str) -> dict:
        """The manifest of the per-document tables written so far (``complete: false``), for
        reading them back (:class:`analysis.engine.store_reader.StoredAnalysis`) before :meth:`finish`."""
        return self._manifest(content_hash, {}, {}, (), [], TopicResult(), complete=False)

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
