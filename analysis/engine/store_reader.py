"""Reading a store: :func:`open_store` and :class:`StoredAnalysis`, whose methods read its tables.

Tables are read whole, for some documents (pruned by the parts' document ranges and the row
groups' statistics), or as aggregates over a subset of documents (computed from the per-document
tables with the same functions the writer used). Nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import sparse as sp

from analysis.corpus.model import Corpus, Document, LoadError, METADATA_FIELDS, STANDARD_FIELDS
from analysis.corpus.prepare import Prepared, loaded_column
from analysis.engine.aggregates import group_topic_shares, rate_per_10k, tone_by_label
from analysis.engine.params import AnalysisParams
from analysis.engine.store_format import (GROUP_TOP_TERMS, INDEX_FILES, MEASURES, PER_DOC_TABLES, cache_key,
                                          fill_missing_metadata, group_values, read_manifest, rows_among)

__all__ = ["open_store", "StoredAnalysis"]


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
            df = fill_missing_metadata(df)
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
                                extra={loaded_column(c): str(rec.get(c, "")) for c in meta_cols},
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
        return tone_by_label(self, scores, docs["doc_id"], group_values(docs, by), [measure])[0][1]

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
