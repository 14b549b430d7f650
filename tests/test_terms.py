"""Tests for analysis.methods.terms: stopwords, the term index, counts, rates, top terms."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import segment
from analysis.methods import terms as T
from analysis.corpus.model import Corpus
from analysis.corpus.prepare import prepare

from tests.conftest import ROOT, SEEDS, shared_corpus_frame


def seed_docs() -> pd.DataFrame:
    """The seed texts as a docs table (doc_id, text, n_words) plus seed metadata."""
    rows = []
    for path in sorted(Path(SEEDS).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        rows.append({"doc_id": path.stem, "text": text, "n_words": segment.count_words(text)})
    meta = pd.read_csv(Path(SEEDS) / "metadata.csv", keep_default_na=False, dtype=str)
    return pd.DataFrame(rows).merge(meta[["doc_id", "author", "date", "party"]], on="doc_id")


def frame(*texts, **meta) -> pd.DataFrame:
    df = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
    for k, v in meta.items():
        df[k] = v
    return df


def counts_of(index: T.TermIndex) -> dict[str, list[int]]:
    dense = index.counts.toarray()
    return {t: dense[:, j].tolist() for j, t in enumerate(index.terms)}


# --- stopwords ---------------------------------------------------------------

def test_default_stopwords_are_function_words_not_political_content():
    sw = T.DEFAULT_STOPWORDS
    for w in ["the", "and", "of", "we", "don't", "it's", "behind"]:
        assert w in sw
    for w in ["bill", "system", "interest", "fire", "un", "con", "government", "market"]:
        assert w not in sw


def test_make_stopwords_add_remove_and_normalise():
    sw = T.make_stopwords(add=["Brexit", "Won’t"], remove=["The", "us"])
    assert "brexit" in sw and "won't" in sw
    assert "the" not in sw and "us" not in sw and "and" in sw
    assert T.make_stopwords(add=["x"], base=None) == frozenset({"x"})
    # removal wins over addition
    assert "y" not in T.make_stopwords(add=["y"], remove=["Y"], base=None)


def test_normalise_term():
    assert T.normalise_term("  Left   Behind ") == "left behind"
    assert T.normalise_term("Don’t") == "don't"
    assert T.normalise_term("Left‐Behind") == "left-behind"  # U+2010 hyphen


# --- the index -----------------------------------------------------------------

def test_counts_rates_and_word_totals_by_hand():
    docs = frame("The cat sat. The cat ran!", "A dog, a cat; the dog.")
    ix = T.build_index(docs)
    c = counts_of(ix)
    assert c["cat"] == [2, 1]
    assert c["dog"] == [0, 2]
    assert c["sat"] == [1, 0]
    assert "the" not in c and "a" not in c  # stopwords hidden...
    assert ix.n_words.tolist() == [6, 6]  # ...but counted in the totals
    tc = T.term_counts(ix, terms=["cat", "Dog", "zebra"])
    row = tc[(tc.doc_id == "d1") & (tc.term == "dog")].iloc[0]
    assert row["count"] == 2 and row["n_words"] == 6
    assert row["rate_per_10k"] == pytest.approx(2 / 6 * 10_000)
    # terms not in the vocabulary are listed with zero counts
    assert tc[tc.term == "zebra"]["count"].tolist() == [0, 0]
    assert len(tc) == 6


def test_no_stopwords_keeps_every_word_and_counts_sum_to_n_words():
    docs = frame("The cat sat on the mat.", "It's the mat’s turn — isn't it?")
    ix = T.build_index(docs, stopwords=None, numbers=True)
    assert np.asarray(ix.counts.sum(axis=1)).ravel().tolist() == ix.n_words.tolist()
    c = counts_of(ix)
    assert c["the"] == [2, 1]
    assert c["mat's"] == [0, 1]  # curly apostrophe normalised
    assert c["isn't"] == [0, 1]


def test_numbers_hidden_by_default_but_counted():
    docs = frame("In 2016 we spent $1,000,000 on 350 buses.")
    assert "2016" not in counts_of(T.build_index(docs))
    assert counts_of(T.build_index(docs, numbers=True))["000"] == [2]
    assert T.build_index(docs).n_words.tolist() == [segment.count_words(docs.text[0])]


def test_ngrams_do_not_cross_punctuation_or_documents():
    docs = frame("Single market. Market forces, free trade", "trade deal")
    ix = T.build_index(docs, ngram_range=(2, 2), stopwords=None)
    c = counts_of(ix)
    assert c["single market"] == [1, 0]
    assert c["free trade"] == [1, 0]
    assert c["market forces"] == [1, 0]
    assert "market market" not in c  # full stop between them
    assert "forces free" not in c  # comma between them
    assert "trade trade" not in c  # document boundary
    assert c["trade deal"] == [0, 1]
    assert set(ix.term_n) == {2}
    dashes = counts_of(T.build_index(frame("tax - cuts — now (soon) “free” vote‐leave"),
                                     ngram_range=(2, 2), stopwords=None))
    assert dashes == {}  # a lone dash, brackets and double quotes break n-grams; "vote‐leave" is one word
    quotes = counts_of(T.build_index(frame("the ‘left behind’ voters"),
                                     ngram_range=(2, 2), stopwords=None))
    assert quotes["left behind"] == [1]  # single quotes do not break (they double as apostrophes)


def test_ngram_stopword_rules():
    docs = frame("the state of the union and the people of the state")

    def vocab(rule, rng=(2, 3)):
        return set(T.build_index(docs, ngram_range=rng, stop_ngrams=rule).terms)

    # every 2-3-gram here starts or ends with a stopword: "edge" drops them all
    assert vocab("edge") == set()
    assert "of the union" in vocab("all") and "of the" not in vocab("all")
    assert "of the" in vocab("none")
    docs2 = frame("labour party members and tory party members")
    rng = (1, 3)
    edge = set(T.build_index(docs2, ngram_range=rng).terms)
    assert {"labour", "party", "labour party", "party members", "labour party members"} <= edge
    assert "members and tory" in edge  # the stopword is inside, not at an edge
    assert "and" not in edge and "members and" not in edge and "and tory" not in edge
    assert "members and tory" not in set(T.build_index(docs2, ngram_range=rng, stop_ngrams="any").terms)


def test_min_count_and_bad_arguments():
    docs = frame("red red blue", "red green")
    ix = T.build_index(docs, min_count=2)
    assert list(ix.terms) == ["red"]
    with pytest.raises(ValueError):
        T.build_index(docs, ngram_range=(1, 4))
    with pytest.raises(ValueError):
        T.build_index(docs, stop_ngrams="sometimes")
    with pytest.raises(ValueError):
        T.build_index(pd.DataFrame({"doc_id": ["a"]}))


def test_index_column_lookup():
    ix = T.build_index(frame("Left-behind towns", "left behind towns"), ngram_range=(1, 2), stopwords=None)
    assert ix.column("Left‐Behind").tolist() == [1, 0]  # one hyphenated token
    assert ix.column("left behind").tolist() == [0, 1]  # the bigram
    assert ix.column("nothing here").tolist() == [0, 0]


_ALPHABET = st.sampled_from(
    list("abcXYZ019_ \n\t.,;:!?-'’‘‐‑—()\"é")
    + ["İ", "ß", "\u0301", "\u00a0", "\n\n", "don't", "U.K."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_ALPHABET, max_size=40).map("".join), min_size=1, max_size=4))
def test_index_tokens_match_segment_tokenizer(texts):
    """The fast scanner finds exactly segment's tokens, normalised the same way."""
    docs = frame(*texts)
    ix = T.build_index(docs, stopwords=None, numbers=True)
    assert ix.n_words.tolist() == [segment.count_words(t) for t in texts]
    dense = ix.counts.toarray()
    for i, t in enumerate(texts):
        got = Counter({ix.terms[j]: int(dense[i, j]) for j in np.flatnonzero(dense[i])})
        assert got == Counter(segment.tokens(t))


def test_prepared_corpus_rates_agree_with_n_words():
    docs = seed_docs()
    prepared = prepare(Corpus.from_frame(docs.drop(columns="n_words")))
    ix = T.build_index(prepared)
    assert ix.n_words.tolist() == prepared.docs["n_words"].tolist()
    assert ix.doc_ids == prepared.doc_ids


# --- tables --------------------------------------------------------------------

def test_top_terms_overall_and_by_group():
    docs = frame("tax tax tax cuts", "tax health health", "health care",
                 party=["A", "A", "B"])
    ix = T.build_index(docs, ngram_range=(1, 2))
    top = T.top_terms(ix, n=2, ngram=1)
    assert top["term"].tolist() == ["tax", "health"]
    assert top["count"].tolist() == [4, 3]
    assert top["rank"].tolist() == [1, 2]
    assert top["rate_per_10k"].tolist() == pytest.approx([4 / 9 * 1e4, 3 / 9 * 1e4])
    assert top["doc_freq"].tolist() == [2, 2]
    assert top["doc_share"].tolist() == pytest.approx([2 / 3, 2 / 3])
    by = T.top_terms(ix, n=3, by="party", ngram=1)
    a = by[by.party == "A"]
    assert a["term"].tolist() == ["tax", "health", "cuts"]
    assert a["rate_per_10k"].iloc[0] == pytest.approx(4 / 7 * 1e4)
    b = by[by.party == "B"]
    assert b["term"].tolist() == ["care", "health"]  # tie broken alphabetically
    assert set(b["n_docs"]) == {1}
    bigrams = T.top_terms(ix, n=5, ngram=2)
    assert set(bigrams["term"]) == {"tax tax", "tax cuts", "tax health", "health health", "health care"}
    assert bigrams["term"].iloc[0] == "tax tax"
    by_df = T.top_terms(ix, n=3, sort_by="doc_freq", ngram=1)
    # health and tax are both in 2 documents; the tie goes to the higher count
    assert by_df["term"].tolist() == ["tax", "health", "care"]
    with pytest.raises(ValueError):
        T.top_terms(ix, sort_by="rate")


def test_term_counts_by_group_pools_documents():
    docs = frame("vote leave vote", "vote remain", "remain remain", party=["L", "L", ""])
    tc = T.term_counts(docs, terms=["vote", "remain"], by="party", stopwords=None)
    row = tc[(tc.party == "L") & (tc.term == "vote")].iloc[0]
    assert (row["count"], row["n_words"], row["doc_freq"], row["n_docs"]) == (3, 5, 2, 2)
    assert row["rate_per_10k"] == pytest.approx(3 / 5 * 1e4)
    empty = tc[(tc.party == "") & (tc.term == "remain")].iloc[0]
    assert (empty["count"], empty["n_docs"]) == (2, 1)
    # without a term list: only non-zero pairs, sorted by count within a document
    long = T.term_counts(docs, stopwords=None)
    assert long[long.doc_id == "d0"][["term", "count"]].values.tolist() == [["vote", 2], ["leave", 1]]


def test_seed_top_terms():
    ix = T.build_index(seed_docs(), ngram_range=(1, 2))
    top = T.top_terms(ix, n=3, ngram=1)
    assert top["term"].tolist() == ["country", "people", "leave"]
    by = T.top_terms(ix, n=1, by="doc_id", ngram=1)
    assert by.set_index("doc_id").loc["003_963148aadf6ce902", "term"] == "country"


# --- the 1.8M-word corpus ---------------------------------------------------------

@pytest.mark.slow
def test_us_sotu_index_is_fast_and_consistent():
    df = shared_corpus_frame("us-sotu").drop(columns="n_words")
    t0 = time.perf_counter()
    ix = T.build_index(df)
    elapsed = time.perf_counter() - t0
    print(f"us-sotu unigram index: {elapsed:.2f} s, {ix.counts.shape}, {int(ix.n_words.sum())} words")
    print(f"took {elapsed:.2f} s (speed is measured by scripts/benchmark.py, not asserted)")
    assert ix.n_docs == 233 and ix.n_words.sum() > 1_700_000
    sample = df.sample(10, random_state=0)
    pos = [int(i) for i in sample.index]
    assert ix.n_words[pos].tolist() == [segment.count_words(t) for t in sample["text"]]
    top = T.top_terms(ix, n=5)
    assert "government" in top["term"].tolist()


def test_cli_contract_columns():
    """The command line's kwic, keyness and phrase counts give these columns."""
    from analysis.methods.keyness import keyness
    from analysis.methods.phrases import find_phrases, kwic, phrase_counts

    prepared = prepare(Corpus.from_frame(seed_docs().drop(columns="n_words")))
    k = kwic(prepared.docs, "left behind", window=7, sort="left")
    assert len(k[["doc_id", "start", "end", "left", "match", "right"]]) == 2
    key = keyness(prepared.docs, by="author", target="Daniel Zeichner", reference=None)
    top = key[["term", "count_target", "count_reference", "g2", "log_ratio", "logodds_z"]].head(5)
    assert "cambridge" in top["term"].tolist()
    for by, key_col in ((None, "doc_id"), ("author", "author")):
        pc = phrase_counts(prepared, ["left behind", "single market"], by=by)
        assert {key_col, "phrase", "count", "rate_per_10k", "positions"} <= set(pc.columns)
    assert len(find_phrases(prepared, "single market")) == 2


def test_stop_words_are_scikit_learns_read_without_importing_it():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as lib

    assert T.ENGLISH_STOP_WORDS == frozenset(lib) and len(lib) > 300
    # the build's own process needs only the list: scikit-learn (and scipy.stats) stay unimported
    code = ("import sys; import analysis.methods.terms as T; assert len(T.DEFAULT_STOPWORDS) > 300; "
            "assert 'sklearn' not in sys.modules and 'scipy.stats' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
