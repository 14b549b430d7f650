"""The full analysis in one call (analysis/full.py): every stage's output, timings,
and the same results in one process or two."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.methods import terms
from analysis.corpus.loaders import load_seeds
from analysis.engine.analyse import (STAGES, AnalysisParams, FullAnalysis, analyse, merge_prepared, merge_term_indexes,
                           reuse_stage, topic_params)
from analysis.corpus.model import Corpus
from analysis.corpus.prepare import prepare


@pytest.fixture(scope="module")
def seeds():
    return load_seeds()


@pytest.fixture(scope="module")
def one(seeds) -> FullAnalysis:
    return analyse(seeds, n_jobs=1)


@pytest.fixture(scope="module")
def two(seeds) -> FullAnalysis:
    return analyse(seeds, n_jobs=2)


def test_every_stage_has_output_and_a_timing(one, seeds):
    assert one.content_hash == seeds.content_hash()
    assert len(one.prepared.docs) == 3 and len(one.prepared.sentences) > 50
    s = one.sentiment
    assert {"polarity", "subjectivity", "vader", "n_words"} <= set(s.sentences.columns)
    assert len(s.sentences) == len(one.prepared.sentences)
    # document-level TextBlob over the whole text is part of the report
    assert {"polarity", "subjectivity", "polarity_mean", "vader_mean"} <= set(s.documents.columns)
    assert len(s.documents) == 3
    assert one.term_index.counts.shape[0] == 3 and set(one.term_index.term_n) == {1, 2}
    assert one.topics.k >= 2 and not one.topics.error
    assert len(one.topics.doc_shares) == 3 * one.topics.k
    assert len(one.topics.terms) and len(one.topics.units_table) and len(one.topics.k_scores)
    # the news report quotes the column at length
    assert len(one.passages) >= 1
    assert len(one.similarity) == 3
    for stage in STAGES[1:]:
        assert one.timings[stage] >= 0, stage
        assert stage in one.schedule
    assert one.timings["total"] >= max(one.timings[s] for s in STAGES[1:])
    assert one.n_jobs == 1 and one.notes == {}


def test_load_stage_is_timed_when_given_paths(seeds_dir):
    fa = analyse([seeds_dir], n_jobs=1, params=AnalysisParams(topic_k=2))
    assert fa.timings["load"] > 0 and fa.schedule["load"] == "main"
    assert fa.content_hash == load_seeds().content_hash()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_on_stage_brackets_every_timed_stage(seeds_dir, n_jobs):
    """on_stage (used by the benchmark to measure memory per stage) sees a start and then an end
    for every stage in timings but total; with a worker, topics' window contains wait_worker."""
    events: list[tuple[str, str]] = []
    fa = analyse([seeds_dir], n_jobs=n_jobs, params=AnalysisParams(topic_k=2),
                 on_stage=lambda name, event: events.append((name, event)))
    timed = set(fa.timings) - {"total"}
    assert {name for name, _ in events} == timed
    for name in timed:
        assert events.count((name, "start")) == 1 and events.count((name, "end")) == 1, name
        assert events.index((name, "start")) < events.index((name, "end")), name
    if "wait_worker" in timed:
        assert events.index(("topics", "start")) < events.index(("wait_worker", "start"))
        assert events.index(("wait_worker", "end")) < events.index(("topics", "end"))


def test_two_processes_give_the_same_results(one, two):
    assert two.n_jobs == 2, two.notes
    assert "worker" in two.schedule["topics"]
    for name in ("docs", "paragraphs", "sentences", "removals", "repairs"):
        pd.testing.assert_frame_equal(getattr(one.prepared, name), getattr(two.prepared, name),
                                      check_dtype=False)
    for name in ("sentences", "paragraphs", "documents"):
        pd.testing.assert_frame_equal(getattr(one.sentiment, name), getattr(two.sentiment, name))
    assert list(one.term_index.terms) == list(two.term_index.terms)
    assert (one.term_index.counts != two.term_index.counts).nnz == 0
    assert one.topics.k == two.topics.k
    pd.testing.assert_frame_equal(one.topics.doc_shares, two.topics.doc_shares)
    pd.testing.assert_frame_equal(one.topics.k_scores, two.topics.k_scores)
    pd.testing.assert_frame_equal(one.passages, two.passages)
    pd.testing.assert_frame_equal(one.similarity, two.similarity)


def test_sliced_index_merges_into_the_whole_index(seeds):
    prep = prepare(seeds)
    whole = terms.build_index(prep.docs, ngram_range=(1, 2))
    parts = [terms.build_index(prep.docs.iloc[[i]], ngram_range=(1, 2)) for i in range(3)]
    merged = merge_term_indexes(parts, prep.docs)
    assert list(merged.terms) == list(whole.terms)
    assert list(merged.term_n) == list(whole.term_n)
    assert (merged.counts != whole.counts).nnz == 0
    assert (merged.n_words == whole.n_words).all()
    pd.testing.assert_frame_equal(merged.docs, whole.docs)
    # the app's unigram index is the n=1 block
    uni = terms.build_index(prep.docs)
    assert list(whole.terms[whole.term_n == 1]) == list(uni.terms)


def test_sliced_preparation_merges_into_the_whole(seeds):
    whole = prepare(seeds)
    parts = [prepare(Corpus(seeds.documents[:1])), prepare(Corpus(seeds.documents[1:]))]
    merged = merge_prepared(parts, seeds, seeds.content_hash())
    for name in ("docs", "paragraphs", "sentences", "removals", "repairs"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(merged, name), check_dtype=False)
    assert merged.content_hash == whole.content_hash


def test_reuse_is_skipped_with_a_reason_on_large_corpora(one):
    params = AnalysisParams(reuse_max_words=100, similarity_max_docs=2)
    passages, sim, notes = reuse_stage(one.prepared.docs, params)
    assert passages.empty and sim.empty
    assert "words" in notes["reuse"] and "documents" in notes["similarity"]


def test_topic_settings_grow_cheaper_with_the_corpus():
    assert topic_params(100) == {}
    big = topic_params(233)
    from analysis.methods.topics import TopicModel

    default = TopicModel().get_params()
    assert big["n_resamples"] < default["n_resamples"] and big["max_features"] < default["max_features"]


def test_topics_can_be_fitted_on_a_sample_and_score_every_document():
    from tests.test_store import small_csv_corpus

    corpus = small_csv_corpus()
    fa = analyse(corpus, n_jobs=1, params=AnalysisParams(topic_sample_docs=30, topic_k=3))
    assert fa.topics.n_fit_docs == 30
    shares = fa.topics.doc_shares
    assert shares["doc_id"].nunique() == len(corpus)
    sums = shares.groupby("doc_id")["share"].sum()
    assert np.allclose(sums[sums > 0], 1.0)


def test_params_key_changes_with_any_parameter():
    a = AnalysisParams()
    assert a.key() == AnalysisParams().key()
    assert a.key() != AnalysisParams(clean=False).key()
    assert a.key() != AnalysisParams(topic_k=5).key()
    assert a.key() != AnalysisParams(ngram_max=1).key()
