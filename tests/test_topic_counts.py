"""analysis.engine.topic_counts: a large corpus's topic shares from its store's term counts are the
shares the fitted model gives the texts, number for number, and the build uses them."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.engine import build as build_mod
from analysis.engine.build import build_store
from analysis.engine.params import AnalysisParams
from analysis.engine.store import open_store
from dataclasses import replace

from analysis.engine.topic_counts import hidden_pattern, may_hold, part_shares, word_columns
from analysis.engine.topic_stage import fit_topics, score_documents
from tests.test_store import small_csv_text

SAMPLED = AnalysisParams(topic_k=3, topic_sample_docs=15)  # 40 documents: fitted on a sample

#: Words the two ways of counting could tell apart: possessives and curly apostrophes (one term),
#: hyphens, underscores, numbers, and letters lower-cased by their context ("İ", capital sigma).
TRICKY = [
    "İstanbul's trade with Britain's ports grew; İSTANBUL TRADE rose.",
    "The ΟΔΟΣ.Α report and the ΣΤΟΑ plan on Britain's trade.",
    "Britain’s trade-deal: don’t re‐elect the government's plans for Europe’s markets. Let’s not.",
    "In 2016's vote, snake_case_trade and the 1990s trade of Britain' ports.",
]


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory) -> Path:
    frame = pd.read_csv(io.StringIO(small_csv_text()), dtype=str)
    frame["text"] = [t + "\n\n" + TRICKY[i % len(TRICKY)] if i % 3 else t for i, t in enumerate(frame["text"])]
    path = tmp_path_factory.mktemp("csv") / "tricky.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def store_path(csv_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("store") / "s"
    build_store([csv_path], out, SAMPLED, chunk_size=7, n_jobs=1, progress=False)
    return out


@pytest.fixture(scope="module")
def model(store_path):
    prepared = open_store(store_path).prepared()
    fitted, _settings, error = fit_topics(prepared, SAMPLED)
    assert fitted is not None, error
    return fitted


def store_words(store_path):
    store = open_store(store_path)
    terms = pd.read_parquet(store_path / "terms.parquet")
    meta = store.manifest["term_index"]
    return dict(zip(terms["term"], terms["term_id"])), terms["ngram"].to_numpy(), meta


def test_each_parts_shares_from_counts_are_those_of_its_texts(store_path, model):
    vocab, ngram, meta = store_words(store_path)
    words = word_columns(model, vocab, ngram, meta["stopwords"], meta["numbers"])
    assert words is not None
    # the corpus has what the test is about: two words counting as one term, lowered letters,
    # a word the index hides and the model counts
    assert model.term_of("britain's") == model.term_of("britain") == "britain"
    pairs = [(w, w[:-2]) for w in vocab if w.endswith("'s") and w[:-2] in model.vectorizer_.vocabulary_]
    assert pairs and all(words.columns[vocab[a]] == model.vectorizer_.vocabulary_[b] for a, b in pairs)
    assert any(b in vocab for _, b in pairs)  # both spellings in one corpus
    assert words.lowered.sum() >= 2
    assert "let's" in words.hidden
    manifest = open_store(store_path).manifest
    assert len(manifest["parts"]) > 1
    for part in manifest["parts"]:
        docs = pd.read_parquet(store_path / "docs" / part["file"], columns=["doc_id", "text"])
        from_text = score_documents(model, [(docs["doc_id"].tolist(), docs["text"].tolist())])
        from_counts = part_shares(model, store_path, part, words)
        pd.testing.assert_frame_equal(from_counts, from_text, check_exact=True)
        assert from_counts["share"].sum() > 0


def test_without_reading_the_documents_the_counts_cannot_say_their_shares_would_differ(store_path, model):
    """Counted from the store, "İSTANBUL" is one word, but the model reads "i" and "stanbul" in
    the text; and the index has no count of "let's", which the model counts as "let"."""
    vocab, ngram, meta = store_words(store_path)
    words = word_columns(model, vocab, ngram, meta["stopwords"], meta["numbers"])
    parts = open_store(store_path).manifest["parts"]

    def differ(other) -> int:
        return sum(int((part_shares(model, store_path, p, words)["share"].to_numpy()
                        != part_shares(model, store_path, p, other)["share"].to_numpy()).any()) for p in parts)

    assert differ(replace(words, lowered=np.zeros_like(words.lowered))) > 0
    assert differ(replace(words, hidden=())) > 0


def test_a_hidden_number_counting_as_a_model_term_means_the_texts_are_read(store_path, model):
    vocab, ngram, meta = store_words(store_path)
    assert word_columns(model, vocab, ngram, meta["stopwords"], meta["numbers"]) is not None
    term = next(iter(model.vectorizer_.vocabulary_))
    model.vectorizer_.vocabulary_["2-\u00b2"] = model.vectorizer_.vocabulary_.pop(term)  # "2-²": a number
    try:
        assert word_columns(model, vocab, ngram, meta["stopwords"], meta["numbers"]) is None
    finally:
        model.vectorizer_.vocabulary_[term] = model.vectorizer_.vocabulary_.pop("2-\u00b2")


def test_the_search_for_hidden_words_misses_no_spelling_the_normalisation_makes_plain():
    """Every character that normalises (lower case, plain apostrophes and hyphens) to a letter of
    a, ..., z, an apostrophe or a hyphen is found, with its case ignored, by the search for it."""
    import pyarrow as pa

    from analysis.corpus.segment import normalise_token

    targets = set("abcdefghijklmnopqrstuvwxyz'-")
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and normalise_token(chr(c)) in targets]
    assert len(chars) > 2 * 26
    for c in chars:
        text = pa.array([f"1 {c} 2", "3 4"])
        assert may_hold(text, [normalise_token(c)]).tolist() == [0], hex(ord(c))
    assert may_hold(pa.array(["Let’s go", "LET‘S", "lets", "let s", "Britain‐wide"]),
                    ["let's", "britain-wide"]).tolist() == [0, 1, 4]
    assert hidden_pattern(["a.b"]) == "a\\.b"


def test_the_build_scores_from_counts_the_shares_it_scored_from_texts(csv_path, store_path, tmp_path,
                                                                      monkeypatch):
    counted = open_store(store_path)
    assert "topics:score" not in counted.manifest["engine"]["tasks"]  # no task read the texts
    monkeypatch.setattr(build_mod, "word_columns", lambda *a, **k: None)
    build_store([csv_path], tmp_path / "t", SAMPLED, chunk_size=7, n_jobs=1, progress=False)
    read = open_store(tmp_path / "t")
    assert read.manifest["engine"]["tasks"]["topics:score"] == len(read.manifest["parts"])
    for table in ("topic_doc_shares", "agg_group_topics"):
        pd.testing.assert_frame_equal(counted.table(table), read.table(table), check_exact=True)


def test_only_the_context_letters_lower_case_differently_inside_a_text():
    """A word's lower case alone equals its lower case inside the text, except for the letters of
    CONTEXT_LOWER: every other character normalises to one character of the same kind (letter or
    digit, joining apostrophe or hyphen, anything else), so the words found and their spelling agree."""
    import re

    from analysis.corpus.segment import normalise_token
    from analysis.engine.topic_counts import CONTEXT_LOWER

    word = re.compile(r"[^\W_]")
    joins = set("'\u2019\u2018-\u2010\u2011")

    def kind(c: str) -> int:
        return 1 if word.match(c) else 2 if c in joins else 0

    odd = []
    for cp in range(0x110000):
        c = chr(cp)
        n = normalise_token(c)
        if len(n) != 1 or kind(c) != kind(n):
            odd.append(c)
    assert odd == ["\u0130"]
    assert set(odd) < set(CONTEXT_LOWER)
    # and the one rule that looks at the neighbours: capital sigma, final or not
    assert "ΟΔΟΣ.Α".lower() != "".join(normalise_token(w) for w in re.split(r"(\W)", "ΟΔΟΣ.Α"))


def test_a_part_no_worker_can_read_is_scored_by_the_builder(csv_path, store_path, tmp_path, monkeypatch):
    """Each part's topic shares are a task that reads the part's counts from the store being written;
    a worker on another machine cannot see that folder, says so (None), and the builder scores that
    part itself: the same shares either way."""
    counted = open_store(store_path)
    assert counted.manifest["engine"]["tasks"]["topics:shares"] == len(counted.manifest["parts"])
    real = build_mod.part_shares_task
    record = tmp_path / "unseen.txt"  # the task is sent to the worker as a copy: it writes down what it saw

    def elsewhere(fit, store, part, words):  # as on a worker that does not share this disk
        got = real(fit, str(tmp_path / "not-here"), part, words)
        with open(record, "a") as f:
            f.write("unseen\n" if got is None else "seen\n")
        return got

    monkeypatch.setattr(build_mod, "part_shares_task", elsewhere)
    build_store([csv_path], tmp_path / "t", SAMPLED, chunk_size=7, n_jobs=1, progress=False)
    assert record.read_text().split() == ["unseen"] * len(counted.manifest["parts"])
    read = open_store(tmp_path / "t")
    for table in ("topic_doc_shares", "agg_group_topics"):
        pd.testing.assert_frame_equal(counted.table(table), read.table(table), check_exact=True)
