"""Analysis stores (analysis/store.py, analysis/build.py): round trip, keys,
manifest, the build command, and chunked builds equal to the in-memory analysis."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.methods import sentiment, terms
from analysis.engine import store as store_mod
from analysis.engine.build import DocumentHasher, build_store, iter_documents
from analysis.corpus.loaders import load_paths, load_seeds
from analysis.engine.analyse import AnalysisParams, analyse
from analysis.corpus.limits import Limits
from analysis.corpus.model import Corpus
from analysis.engine.store import (FORMAT, PER_DOC_TABLES, cache_key, find_store, open_store, read_manifest,
                            save_analysis, write_store)

ROOT = Path(__file__).resolve().parent.parent


def small_csv_text(n_docs: int = 40) -> str:
    """A CSV corpus made from the seeds' paragraphs: ``n_docs`` rows, 3 authors,
    a party column, a few years (no shared data needed)."""
    prep_texts = [d.text for d in load_seeds().documents]
    paras = [p.strip() for t in prep_texts for p in t.split("\n\n") if len(p.split()) >= 8]
    rows = []
    for i in range(n_docs):
        text = "\n\n".join(paras[(i * 3 + j) % len(paras)] for j in range(3))
        rows.append({"doc_id": f"d{i:03d}", "author": "ABC"[i % 3], "party": ["Lab", "Con"][i % 2],
                     "date": str(2015 + i % 4), "text": text})
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, index=False)
    return buf.getvalue()


def small_csv_corpus() -> Corpus:
    from analysis.corpus.loaders import load_bytes

    return load_bytes("small.csv", small_csv_text().encode())


@pytest.fixture(scope="module")
def seeds_analysis():
    return analyse(load_seeds(), n_jobs=1)


@pytest.fixture(scope="module")
def seeds_store(seeds_analysis, tmp_path_factory):
    out = tmp_path_factory.mktemp("store") / "seeds"
    write_store(seeds_analysis, out)
    return open_store(out)


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "small.csv"
    path.write_text(small_csv_text(), encoding="utf-8")
    return path


def assert_stores_equal(a, b):
    """Every table of two stores holds the same values (term ids may differ:
    compared through the rebuilt term index and by term)."""
    pa_, pb = a.prepared(), b.prepared()
    for name in ("docs", "paragraphs", "sentences", "removals", "repairs"):
        pd.testing.assert_frame_equal(getattr(pa_, name), getattr(pb, name), check_dtype=False, obj=name)
    for name in ("sentences", "paragraph_scores", "doc_scores"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_dtype=False, obj=name)
    ia, ib = a.term_index(), b.term_index()
    assert list(ia.terms) == list(ib.terms)
    assert (ia.counts != ib.counts).nnz == 0
    ta = a.terms().drop(columns="term_id").sort_values("term").reset_index(drop=True)
    tb = b.terms().drop(columns="term_id").sort_values("term").reset_index(drop=True)
    pd.testing.assert_frame_equal(ta, tb, check_dtype=False)
    for name in ("topic_k_scores", "topic_terms", "topic_doc_shares", "topic_units", "topic_passages",
                 "passages", "similarity", "agg_group_sentiment", "agg_group_terms", "agg_group_topics",
                 "errors"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_dtype=False, obj=name)
    assert a.content_hash == b.content_hash and a.key == b.key
    assert a.group_columns == b.group_columns


# ----------------------------------------------------------------------------- round trip


def test_round_trip_gives_back_what_was_computed(seeds_analysis, seeds_store):
    fa, st = seeds_analysis, seeds_store
    prep = st.prepared()
    for name in ("docs", "paragraphs", "sentences", "removals", "repairs"):
        pd.testing.assert_frame_equal(getattr(fa.prepared, name).reset_index(drop=True), getattr(prep, name),
                                      check_dtype=False, obj=name)
    assert prep.content_hash == fa.content_hash and prep.cleaned
    s = st.sentiment_tables()
    for name in ("sentences", "paragraphs", "documents"):
        pd.testing.assert_frame_equal(getattr(fa.sentiment, name).reset_index(drop=True), getattr(s, name),
                                      obj=name)
    idx = st.term_index()
    assert list(idx.terms) == list(fa.term_index.terms)
    assert list(idx.term_n) == list(fa.term_index.term_n)
    assert (idx.counts != fa.term_index.counts).nnz == 0
    assert (idx.n_words == fa.term_index.n_words).all()
    topics = st.topics()
    assert topics["k"] == fa.topics.k and topics["units"] == fa.topics.units
    pd.testing.assert_frame_equal(topics["doc_shares"], fa.topics.doc_shares, check_dtype=False)
    pd.testing.assert_frame_equal(topics["terms"], fa.topics.terms, check_dtype=False)
    pd.testing.assert_frame_equal(topics["k_scores"], fa.topics.k_scores, check_dtype=False)
    pd.testing.assert_frame_equal(topics["units_table"], fa.topics.units_table, check_dtype=False)
    pd.testing.assert_frame_equal(st.passages(), fa.passages, check_dtype=False)
    pd.testing.assert_frame_equal(st.similarity(), fa.similarity, check_dtype=False)
    corpus = st.corpus()
    assert corpus.content_hash() == fa.content_hash


def test_aggregates_equal_the_engines(seeds_analysis, seeds_store):
    fa, st = seeds_analysis, seeds_store
    docs = fa.prepared.docs
    got = st.group_sentiment("author", "polarity")
    want = sentiment.group_scores(fa.sentiment.documents, docs, by="author", measure="polarity",
                                  sentences=fa.sentiment.sentences)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    got = st.top_terms(None, n=10)
    want = terms.top_terms(fa.term_index, n=10, ngram=1)
    pd.testing.assert_frame_equal(got[["rank", "term", "count", "doc_freq"]],
                                  want[["rank", "term", "count", "doc_freq"]], check_dtype=False)
    by = st.top_terms("author", n=10)
    want = terms.top_terms(fa.term_index, n=10, by="author", ngram=1)
    assert by["term"].tolist() == want["term"].tolist()
    assert by["count"].tolist() == want["count"].tolist()
    # a subset is computed from the per-document tables
    sub = [docs["doc_id"].iloc[0], docs["doc_id"].iloc[2]]
    got = st.top_terms("author", n=10, doc_ids=sub)
    idx = terms.build_index(docs[docs["doc_id"].isin(sub)], ngram_range=(1, 2))
    want = terms.top_terms(idx, n=10, by="author", ngram=1)
    assert got["term"].tolist() == want["term"].tolist()
    shares = st.topic_shares("author")
    assert np.allclose(shares.groupby("group")["share"].sum(), 1.0)


# ----------------------------------------------------------------------------- keys and manifest


def test_cache_key_changes_with_parameters_and_content(seeds_analysis):
    h = seeds_analysis.content_hash
    base = cache_key(h, AnalysisParams())
    assert base == cache_key(h, AnalysisParams())
    assert base != cache_key(h, AnalysisParams(clean=False))
    assert base != cache_key(h, AnalysisParams(topic_k=4))
    assert base != cache_key(h, AnalysisParams(reuse_min_words=10))
    other = load_seeds()
    other.documents[0].text += " One more sentence."
    assert other.content_hash() != h
    assert cache_key(other.content_hash(), AnalysisParams()) != base


def test_manifest_contents(seeds_store, seeds_analysis):
    m = read_manifest(seeds_store.path)
    assert m["format"] == FORMAT and m["complete"] is True
    assert m["content_hash"] == seeds_analysis.content_hash
    assert m["key"] == cache_key(seeds_analysis.content_hash, seeds_analysis.params)
    assert m["params"] == AnalysisParams().to_dict()
    for pkg in ("pandas", "numpy", "scikit-learn", "textblob", "vaderSentiment", "pyarrow", "analysis"):
        assert m["versions"].get(pkg), pkg
    assert m["stages"][:6] == ["load", "prepare", "sentiment", "terms", "topics", "reuse"]
    assert m["n_docs"] == 3 and m["n_words"] == int(seeds_analysis.prepared.docs["n_words"].sum())
    for t in PER_DOC_TABLES:
        assert t in m["tables"]
    assert m["tables"]["sentences"]["rows"] == len(seeds_analysis.prepared.sentences)
    assert "author" in m["group_columns"]
    assert m["topics"]["k"] == seeds_analysis.topics.k
    json.dumps(m)  # plain JSON


def test_incomplete_or_foreign_folders_are_not_opened(tmp_path, seeds_store):
    with pytest.raises(OSError):
        open_store(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError):
        open_store(tmp_path)
    m = dict(seeds_store.manifest, complete=False)
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ValueError):
        open_store(tmp_path)


def test_save_and_find_in_a_cache_folder(seeds_analysis, tmp_path):
    assert find_store(seeds_analysis.content_hash, seeds_analysis.params, tmp_path) is None
    path = save_analysis(seeds_analysis, tmp_path)
    assert find_store(seeds_analysis.content_hash, seeds_analysis.params, tmp_path) == path
    assert find_store(seeds_analysis.content_hash, AnalysisParams(clean=False), tmp_path) is None
    assert open_store(path).matches(seeds_analysis.content_hash, seeds_analysis.params)


# ----------------------------------------------------------------------------- build


def test_build_command_on_the_seeds(tmp_path):
    out = tmp_path / "store"
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "seeds", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["n_docs"] == 3
    assert "build" in proc.stderr  # the progress bar
    st = open_store(out)
    assert st.content_hash == load_seeds().content_hash()
    assert len(st.sentences()) > 50


def test_chunked_build_equals_the_in_memory_analysis_on_the_seeds(seeds_store, tmp_path):
    build_store([ROOT / "seeds"], tmp_path / "chunked", chunk_size=1, n_jobs=1, progress=False)
    assert_stores_equal(open_store(tmp_path / "chunked"), seeds_store)


def test_chunked_build_equals_unchunked_on_a_table(csv_path, tmp_path):
    fa = analyse(load_paths(csv_path), n_jobs=1)
    write_store(fa, tmp_path / "whole")
    build_store([csv_path], tmp_path / "chunked", chunk_size=7, n_jobs=2, progress=False)
    a, b = open_store(tmp_path / "whole"), open_store(tmp_path / "chunked")
    assert len(b.manifest["parts"]) == 6
    assert_stores_equal(a, b)
    # per-document reads of a chunked store
    sents = b.sentences(doc_ids=["d007", "d030"])
    assert set(sents["doc_id"]) == {"d007", "d030"}
    whole = a.sentences()
    pd.testing.assert_frame_equal(sents, whole[whole["doc_id"].isin(["d007", "d030"])].reset_index(drop=True))


def test_streamed_documents_equal_the_loader(csv_path, tmp_path):
    gz = tmp_path / "small.csv.gz"
    import gzip

    gz.write_bytes(gzip.compress(csv_path.read_bytes()))
    for path in (csv_path, gz):
        want = load_paths(path)
        errors = []
        chunks = list(iter_documents([path], chunk_size=9, errors=errors))
        assert [len(c) for c in chunks] == [9, 9, 9, 9, 4]
        got = [d for c in chunks for d in c]
        assert got == want.documents
        h = DocumentHasher()
        for d in got:
            h.update(d)
        assert h.hexdigest() == want.content_hash()
        assert errors == want.errors


def test_streaming_respects_the_document_limit(csv_path):
    errors = []
    got = [d for c in iter_documents([csv_path], limits=Limits(max_documents=10), errors=errors) for d in c]
    want = load_paths(csv_path, limits=Limits(max_documents=10))
    assert got == want.documents
    assert errors == want.errors


def test_the_app_finds_a_store_by_corpus(seeds_store, seeds_analysis, monkeypatch, tmp_path):
    from ui import store_access

    key = seeds_analysis.content_hash
    monkeypatch.delenv(store_access.ENV_STORE, raising=False)
    monkeypatch.delenv(store_access.ENV_CACHE, raising=False)
    assert store_access.stored_prepared(key, True) is None
    monkeypatch.setenv(store_access.ENV_STORE, str(seeds_store.path))
    prep = store_access.stored_prepared(key, True)
    pd.testing.assert_frame_equal(prep.sentences, seeds_analysis.prepared.sentences, check_dtype=False)
    assert store_access.stored_prepared(key, False) is None  # cleaning off: other results
    assert store_access.stored_prepared("0" * 64, True) is None
    assert store_access.default_corpus().content_hash() == key
    # a store saved in the cache folder is found too
    monkeypatch.delenv(store_access.ENV_STORE)
    monkeypatch.setenv(store_access.ENV_CACHE, str(tmp_path))
    save_analysis(seeds_analysis, tmp_path)
    assert store_access.store_for(key, True) is not None


def test_cell_sentiment_equals_computing_it_for_the_filtered_documents(tmp_path):
    """Tone per group within one filter value, read from the precomputed cells, is exactly what
    group_sentiment computes for those documents (same bootstrap, same seed)."""
    from tests.conftest import ROOT, SEEDS

    out = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(SEEDS), "--out", str(out), "--no-progress"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    st = store_mod.open_store(out)
    docs = st.docs(text=False)
    checked = 0
    for column, value in (("type", "article"), ("source", ""), ("author", "Jacqui Smith")):
        ids = docs.loc[store_mod.group_values(docs, column) == value, "doc_id"].tolist()
        for by in ("author", "type", "date"):
            for measure in store_mod.CELL_MEASURES:
                cells = st.group_sentiment_within(by, measure, column, value)
                assert cells is not None
                direct = st.group_sentiment(by, measure, doc_ids=ids)
                key = ["group", "n_docs", "mean", "lo", "hi", "interval_basis"]
                a = cells[key].sort_values("group").reset_index(drop=True)
                b = direct[key].sort_values("group").reset_index(drop=True)
                pd.testing.assert_frame_equal(a, b, check_dtype=False)
                checked += 1
    assert checked == 3 * 3 * len(store_mod.CELL_MEASURES) == 27
    assert st.group_sentiment_within("author", "polarity", "party", "Labour") is None  # not a filter column


def test_build_notes_what_it_skipped(csv_path, tmp_path):
    """Reuse and similarity beyond their bounds, and a topic model that cannot be fitted, are said
    in the manifest's notes (the build waits for both only after its aggregates)."""
    params = AnalysisParams(reuse_max_words=10, similarity_max_docs=1, topic_k=500)
    m = build_store([csv_path], tmp_path / "s", params, n_jobs=1, progress=False)
    assert "were not searched" in m["notes"]["reuse"] and "was not computed" in m["notes"]["similarity"]
    s = open_store(tmp_path / "s")
    assert s.table("passages").empty and s.table("similarity").empty
    assert m["topics"]["error"] and m["notes"]["topics"] == m["topics"]["error"]
    assert s.table("topic_doc_shares").empty and s.table("agg_group_topics").empty
    assert not s.table("agg_group_sentiment").empty  # the rest is there


def test_a_full_vocabulary_stops_counting_new_terms(tmp_path, monkeypatch):
    """At MAX_VOCABULARY terms the store keeps the first ones met (in corpus order) and says how many
    occurrences of later new terms were not counted."""
    from analysis.engine import store_writer

    full = build_store([ROOT / "seeds"], tmp_path / "full", chunk_size=1, n_jobs=1, progress=False)
    monkeypatch.setattr(store_writer, "MAX_VOCABULARY", 50)
    capped = build_store([ROOT / "seeds"], tmp_path / "capped", chunk_size=1, n_jobs=1, progress=False)
    all_terms = pd.read_parquet(tmp_path / "full" / "terms.parquet")
    kept = pd.read_parquet(tmp_path / "capped" / "terms.parquet")
    assert len(kept) == 50 and len(all_terms) > 50
    assert kept["term"].tolist() == all_terms["term"].tolist()[:50]
    assert kept["term_id"].tolist() == list(range(50))
    assert "vocabulary reached 50 terms" in capped["notes"]["terms"]
    assert "terms" not in full["notes"]
    counts = pd.read_parquet(tmp_path / "capped" / "term_counts")
    assert counts["term_id"].max() < 50


def test_a_store_gives_back_the_corpus_it_was_built_from_columns_named_like_derived_ones_included(tmp_path):
    """A corpus with its own ``n_words`` column (as us-sotu's CSV has) keeps it as ``n_words_source``
    in the store's tables; the corpus the store gives back has it under its own name again, so its
    content hash is the store's and the app, pointed at the store, finds the stored results instead
    of working everything out again."""
    frame = pd.read_csv(io.StringIO(small_csv_text(6)))
    frame["n_words"] = [str(len(t.split())) for t in frame["text"]]
    frame["n_sentences_source"] = "theirs"  # named like a kept column: told apart all the same
    path = tmp_path / "counted.csv"
    frame.to_csv(path, index=False)
    build_store([path], tmp_path / "store", AnalysisParams(topic_k=2), n_jobs=1, progress=False)
    store = open_store(tmp_path / "store")
    assert {"n_words_source", "n_sentences_source_source"} <= set(store.manifest["doc_columns"])
    loaded = load_paths([path])
    assert loaded.documents[0].extra["n_words"] == frame["n_words"][0]
    again = store.corpus()
    assert [d.extra for d in again.documents] == [d.extra for d in loaded.documents]
    assert again.content_hash() == loaded.content_hash() == store.content_hash
    assert store.matches(loaded.content_hash())


def test_a_table_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """The topic task reads a store's parts while the builder writes its other files: a file is
    written under a hidden name and renamed, so a reader never sees half of one, and a write that
    fails leaves neither the file nor the hidden one."""
    import pyarrow.parquet as pq

    from analysis.engine import store_format

    path = tmp_path / "t" / "x.parquet"
    store_format.write_table(path, pd.DataFrame({"a": [1, 2]}))
    assert pd.read_parquet(path)["a"].tolist() == [1, 2] and [p.name for p in path.parent.iterdir()] == ["x.parquet"]
    real = pq.write_table

    def half_then_fail(table, where, **kw):
        real(table, where, **kw)
        assert not path.with_name("y.parquet").exists()  # nothing under the final name yet
        raise OSError("disk full")

    monkeypatch.setattr(store_format.pq, "write_table", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        store_format.write_table(path.with_name("y.parquet"), pd.DataFrame({"a": [3]}))
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.parquet"]
