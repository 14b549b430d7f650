"""Tests for analysis.methods.keyness: G2, Log Ratio and log-odds z against hand arithmetic."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from analysis.methods import keyness as K
from analysis.methods import terms as T
from tests.conftest import shared_corpus_frame


def frame(texts, **meta) -> pd.DataFrame:
    df = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
    for k, v in meta.items():
        df[k] = v
    return df


# Target (party A): 100 words = apple x10, banana x4, cherry x86.
# Reference (party B): 200 words = apple x5, cherry x195 (no banana: the zero case).
TARGET = " ".join(["apple"] * 10 + ["banana"] * 4 + ["cherry"] * 86)
REFERENCE = " ".join(["apple"] * 5 + ["cherry"] * 195)


def two_groups() -> pd.DataFrame:
    return frame([TARGET, REFERENCE], party=["A", "B"])


def g2_by_hand(a, b, nt, nr):
    """2 * sum O ln(O/E) over the four cells, written out."""
    n = nt + nr
    cells = [
        (a, nt * (a + b) / n),
        (b, nr * (a + b) / n),
        (nt - a, nt * (n - a - b) / n),
        (nr - b, nr * (n - a - b) / n),
    ]
    return 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)


def test_g2_log_ratio_logodds_by_hand():
    k = K.keyness(two_groups(), "party", "A", stopwords=None, min_count=1).set_index("term")
    assert k.attrs["n_target"] == 100 and k.attrs["n_reference"] == 200

    apple = k.loc["apple"]
    assert (apple["count_target"], apple["count_reference"]) == (10, 5)
    # E = 100*15/300 = 5, 200*15/300 = 10, 100*285/300 = 95, 200*285/300 = 190
    g2 = 2 * (10 * math.log(10 / 5) + 5 * math.log(5 / 10)
              + 90 * math.log(90 / 95) + 195 * math.log(195 / 190))
    assert apple["g2"] == pytest.approx(g2, rel=1e-12)
    assert g2 == pytest.approx(g2_by_hand(10, 5, 100, 200))
    assert apple["p_value"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), rel=1e-9)  # chi2, 1 df
    assert apple["log_ratio"] == pytest.approx(math.log2((10 / 100) / (5 / 200)))  # = 2
    assert apple["log_ratio"] == pytest.approx(2.0)
    assert apple["rate_target"] == pytest.approx(1000.0)  # 10 per 100 words = 1000 per 10k
    assert apple["rate_reference"] == pytest.approx(250.0)
    # Informative Dirichlet prior from the whole corpus: alpha_w = corpus count = 15,
    # alpha_0 = corpus words = 300.
    aw, a0 = 15, 300
    delta = math.log((10 + aw) / (100 + a0 - 10 - aw)) - math.log((5 + aw) / (200 + a0 - 5 - aw))
    var = 1 / (10 + aw) + 1 / (100 + a0 - 10 - aw) + 1 / (5 + aw) + 1 / (200 + a0 - 5 - aw)
    assert apple["logodds_z"] == pytest.approx(delta / math.sqrt(var), rel=1e-12)

    # Zero count in the reference: 0 * ln 0 = 0 in G2; 0 -> 0.5 in Log Ratio.
    banana = k.loc["banana"]
    assert (banana["count_target"], banana["count_reference"]) == (4, 0)
    g2 = 2 * (4 * math.log(4 / (100 * 4 / 300)) + 96 * math.log(96 / (100 * 296 / 300))
              + 200 * math.log(200 / (200 * 296 / 300)))
    assert banana["g2"] == pytest.approx(g2, rel=1e-12)
    assert banana["log_ratio"] == pytest.approx(math.log2((4 / 100) / (0.5 / 200)))  # = 4
    assert banana["log_ratio"] == pytest.approx(4.0)
    aw = 4
    delta = math.log((4 + aw) / (100 + a0 - 4 - aw)) - math.log((0 + aw) / (200 + a0 - 0 - aw))
    var = 1 / (4 + aw) + 1 / (100 + a0 - 4 - aw) + 1 / (0 + aw) + 1 / (200 + a0 - 0 - aw)
    assert banana["logodds_z"] == pytest.approx(delta / math.sqrt(var), rel=1e-12)

    # Under-used in the target: every score negative.
    cherry = k.loc["cherry"]
    g2 = g2_by_hand(86, 195, 100, 200)
    assert cherry["g2"] == pytest.approx(-g2, rel=1e-12)
    assert cherry["p_value"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), rel=1e-9)
    assert cherry["log_ratio"] == pytest.approx(math.log2((86 / 100) / (195 / 200)))
    assert cherry["log_ratio"] < 0 and cherry["logodds_z"] < 0

    # sorted by signed g2, most over-used first
    assert list(k.index) == sorted(k.index, key=lambda t: -k.loc[t, "g2"])
    assert list(k.reset_index().columns) == K.KEYNESS_COLUMNS


def test_zero_in_target_and_prior_size():
    # Reference-only term: count_target 0 -> 0.5 in Log Ratio.
    s = K.keyness_scores([0], [6], 50, 150, prior_counts=[6], prior_total=200, prior_size=20)
    assert s["log_ratio"][0] == pytest.approx(math.log2((0.5 / 50) / (6 / 150)))
    g2 = 2 * (6 * math.log(6 / (150 * 6 / 200)) + 50 * math.log(50 / (50 * 194 / 200))
              + 144 * math.log(144 / (150 * 194 / 200)))
    assert s["g2"][0] == pytest.approx(-g2)
    # prior_size 20: alpha_w = 20 * 6 / 200 = 0.6, alpha_0 = 20
    aw, a0 = 0.6, 20
    delta = math.log((0 + aw) / (50 + a0 - 0 - aw)) - math.log((6 + aw) / (150 + a0 - 6 - aw))
    var = 1 / (0 + aw) + 1 / (50 + a0 - aw) + 1 / (6 + aw) + 1 / (150 + a0 - 6 - aw)
    assert s["logodds_z"][0] == pytest.approx(delta / math.sqrt(var))
    # equal relative frequencies: no keyness at all
    e = K.keyness_scores([2], [4], 100, 200)
    assert e["g2"][0] == pytest.approx(0, abs=1e-12) and e["p_value"][0] == pytest.approx(1)
    assert e["log_ratio"][0] == pytest.approx(0) and e["logodds_z"][0] == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError):
        K.keyness_scores([1], [1], 0, 10)
    with pytest.raises(ValueError):
        K.keyness_scores([11], [1], 10, 10)


def test_reference_group_and_prior_from_whole_corpus():
    docs = frame([TARGET, REFERENCE, "apple apple apple apple"], party=["A", "B", "C"])
    k = K.keyness(docs, "party", "A", reference="B", stopwords=None, min_count=1).set_index("term")
    assert k.attrs["n_reference"] == 200  # C is not in the reference...
    assert k.loc["apple", "count_reference"] == 5
    assert k.loc["apple", "g2"] == pytest.approx(g2_by_hand(10, 5, 100, 200))
    # ...but the prior is the whole corpus: apple 19 of 304 words
    aw, a0 = 19, 304
    delta = math.log((10 + aw) / (100 + a0 - 10 - aw)) - math.log((5 + aw) / (200 + a0 - 5 - aw))
    var = 1 / (10 + aw) + 1 / (100 + a0 - 10 - aw) + 1 / (5 + aw) + 1 / (200 + a0 - 5 - aw)
    assert k.loc["apple", "logodds_z"] == pytest.approx(delta / math.sqrt(var))
    rest = K.keyness(docs, "party", "A", stopwords=None, min_count=1).set_index("term")
    assert rest.attrs["n_reference"] == 204 and rest.loc["apple", "count_reference"] == 9
    pooled = K.keyness(docs, "party", ["A", "C"], stopwords=None, min_count=1)
    assert pooled.attrs["n_target"] == 104


def test_stopwords_hidden_but_in_totals_and_min_count():
    docs = frame(["the the the tax tax", "the cut cut cut cut"], party=["A", "B"])
    k = K.keyness(docs, "party", "A", min_count=4)
    assert k["term"].tolist() == ["cut"]  # tax (2) below min_count, "the" a stopword
    assert k.attrs["n_target"] == 5 and k.attrs["n_reference"] == 5


def test_keyness_all_is_one_vs_rest_and_antisymmetric_for_two_groups():
    docs = two_groups()
    allk = K.keyness_all(docs, "party", stopwords=None, min_count=1)
    assert list(allk.columns) == ["party"] + K.KEYNESS_COLUMNS
    a = allk[allk.party == "A"].set_index("term")
    b = allk[allk.party == "B"].set_index("term").loc[a.index]
    assert np.allclose(a["g2"], -b["g2"])
    assert np.allclose(a["log_ratio"], -b["log_ratio"])
    assert np.allclose(a["logodds_z"], -b["logodds_z"])
    assert np.allclose(a["p_value"], b["p_value"])
    single = K.keyness(docs, "party", "A", stopwords=None, min_count=1)
    pd.testing.assert_frame_equal(a.reset_index()[K.KEYNESS_COLUMNS], single, check_dtype=False)
    top = K.keyness_all(frame([TARGET, REFERENCE, "kiwi"], party=["A", "B", ""]), "party",
                        stopwords=None, min_count=1, top=1)
    assert top["party"].tolist() == ["A", "B"]  # the empty group is never a target
    assert top["term"].tolist() == ["banana", "cherry"]  # banana's G2 is the higher


def test_keyness_errors():
    docs = two_groups()
    with pytest.raises(ValueError):
        K.keyness(docs, "party", "Z")
    with pytest.raises(ValueError):
        K.keyness(docs, "party", "A", reference="Z")
    with pytest.raises(ValueError):
        K.keyness_all(frame(["a b c"], party=["A"]), "party")
    with pytest.raises(ValueError, match="no metadata column"):
        K.keyness(docs, "colour", "A")


def test_keyness_of_bigrams_uses_word_totals():
    docs = frame(["single market single market trade", "free trade deal now"], party=["A", "B"])
    k = K.keyness(docs, "party", "A", ngram_range=(2, 2), stopwords=None, min_count=1).set_index("term")
    assert k.attrs["n_target"] == 5 and k.attrs["n_reference"] == 4
    assert k.loc["single market", "g2"] == pytest.approx(g2_by_hand(2, 0, 5, 4))


@pytest.mark.slow
def test_us_sotu_keyness_party():
    df = shared_corpus_frame("us-sotu")
    ix = T.build_index(df)
    t0 = time.perf_counter()
    allk = K.keyness_all(ix, "party", top=20)
    elapsed = time.perf_counter() - t0
    print(f"us-sotu keyness_all by party: {elapsed:.2f} s")
    print(f"took {elapsed:.2f} s (speed is measured by scripts/benchmark.py, not asserted)")
    assert set(allk["party"]) == set(df["party"])
    assert (allk["g2"] > 0).all()
    rep = K.keyness(ix, "party", "Republican", reference="Democratic")
    assert rep["log_ratio"].head(50).gt(0).all()
