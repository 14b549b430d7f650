"""The per-group summaries of scored sentences, over arrays, against pandas' groupby and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, spearmanr

from analysis.methods import sentence_groups as G


def _sentences(n=400, seed=3):
    rng = np.random.default_rng(seed)
    docs = rng.choice([f"d{i}" for i in range(40)], size=n)
    # ties on purpose: scores drawn from a few values, and some groups constant
    pol = rng.choice([-0.5, -0.1, 0.0, 0.0, 0.2, 0.35, 1.0], size=n)
    vad = rng.choice([-0.8, 0.0, 0.0, 0.1, 0.4], size=n)
    pol[docs == "d7"] = 0.25
    return pd.DataFrame({"doc_id": pd.array(docs, dtype="string"), "para": rng.integers(0, 4, size=n),
                         "polarity": pol, "vader": vad, "n_words": rng.integers(0, 30, size=n)})


def test_row_groups_number_groups_as_groupby_orders_them_missing_keys_included():
    df = pd.DataFrame({"a": ["x", "y", None, "x", None, "z"], "b": [1, 2, 1, 1, 1, 2]})
    codes, index = G.row_groups(df, ["a"])
    assert codes.tolist() == [0, 1, 2, 0, 2, 3] and index.name == "a"
    assert index.tolist()[:2] == ["x", "y"] and pd.isna(index[2]) and index[3] == "z"
    codes, index = G.row_groups(df, ["a", "b"])
    want = df.groupby(["a", "b"], sort=False, dropna=False).size().index
    assert list(index.names) == ["a", "b"] and len(index) == len(want)
    assert [str(k) for k in index] == [str(k) for k in want]
    assert codes.tolist() == [0, 1, 2, 0, 2, 3]


def test_weighted_means_are_pandas_groupby_means_weighted_by_words():
    df = _sentences()
    df.loc[5, "polarity"] = np.nan  # a missing score counts as 0, as pandas sums it
    df.loc[[7, 8], "para"] = 99  # a paragraph without words
    df.loc[[7, 8], "n_words"] = 0
    codes, index = G.row_groups(df, ["doc_id", "para"])
    got = pd.DataFrame(G.weighted_means(codes, len(index), df["n_words"].to_numpy(), {"polarity": df["polarity"]}),
                       index=index)
    tmp = df.assign(pw=df["polarity"] * df["n_words"])
    g = tmp.groupby(["doc_id", "para"], sort=False, dropna=False)
    sums = g[["pw", "n_words"]].sum()
    want = (sums["pw"] / sums["n_words"]).where(sums["n_words"] > 0)
    assert np.allclose(got["polarity"], want, rtol=1e-13, equal_nan=True)
    assert got["polarity"].isna().sum() == want.isna().sum() > 0  # groups without words
    assert got["n_sentences"].tolist() == g.size().tolist() and got["n_words"].tolist() == sums["n_words"].tolist()


def test_within_group_ranks_average_ties_as_pandas_ranks_them():
    df = _sentences()
    codes, _ = G.row_groups(df, ["doc_id"])
    want = df.groupby("doc_id")["polarity"].rank(method="average").to_numpy()
    assert np.array_equal(G.within_group_ranks(codes, df["polarity"].to_numpy()), want)
    assert G.within_group_ranks(np.zeros(0, dtype=np.int64), np.zeros(0)).size == 0


def test_agreement_is_scipys_correlations_and_the_shares_of_agreeing_labels():
    df = _sentences()
    codes, index = G.row_groups(df, ["doc_id"])
    got = pd.DataFrame(G.agreement(codes, len(index), df["polarity"].to_numpy(), df["vader"].to_numpy()),
                       index=index)
    checked = 0
    for doc, s in df.groupby("doc_id"):
        p, v = s["polarity"].to_numpy(), s["vader"].to_numpy()
        row = got.loc[doc]
        if len(s) < 3 or p.std() == 0 or v.std() == 0:
            assert np.isnan(row["agreement_pearson"]) and np.isnan(row["agreement_spearman"])
        else:
            assert row["agreement_pearson"] == pytest.approx(pearsonr(p, v)[0], abs=1e-12)
            assert row["agreement_spearman"] == pytest.approx(spearmanr(p, v)[0], abs=1e-12)
            checked += 1
        a, b = np.sign(p), np.sign(v)
        polar = (a != 0) & (b != 0)
        assert row["agreement_sign"] == pytest.approx(np.mean(a == b))
        assert row["n_both_neutral"] == int(((a == 0) & (b == 0)).sum()) and row["n_polar"] == int(polar.sum())
        if polar.any():
            assert row["agreement_sign_polar"] == pytest.approx(np.mean(a[polar] == b[polar]))
        else:
            assert np.isnan(row["agreement_sign_polar"])
    assert checked > 20 and np.isnan(got.loc["d7", "agreement_pearson"])  # d7's polarity is constant
    with pytest.raises(ValueError, match="no polarity"):
        G.agreement(codes, len(index), np.where(codes == 0, np.nan, 0.1), df["vader"].to_numpy())


def test_a_documents_table_leaves_out_other_documents_sentences_and_fills_those_without():
    """:func:`analysis.methods.sentiment._assemble_documents`: rows in the order asked for, a
    document without sentences gets no means and zero counts, other documents' sentences count for
    nothing, and shuffling the sentences changes nothing."""
    from analysis.methods.sentiment import DOCUMENT_COLUMNS, _assemble_documents

    df = _sentences().assign(subjectivity=0.5, classifier=0.1, masked=False)
    whole = {d: (0.1, 0.2, 0.3) for d in df["doc_id"].unique()}
    whole["empty"] = (0.0, 0.0, 0.0)
    ids = ["d3", "empty", "d1"]
    got = _assemble_documents(ids, whole, df)
    assert list(got.columns) == DOCUMENT_COLUMNS and got["doc_id"].tolist() == ids
    assert got.loc[1, "n_sentences"] == 0 and np.isnan(got.loc[1, "polarity_mean"])
    one = df[df["doc_id"] == "d3"]
    assert got.loc[0, "n_sentences"] == len(one) and got.loc[0, "n_words"] == one["n_words"].sum()
    want = (one["polarity"] * one["n_words"]).sum() / one["n_words"].sum()
    assert got.loc[0, "polarity_mean"] == pytest.approx(want, rel=1e-13)
    shuffled = _assemble_documents(ids, whole, df.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(shuffled, got, check_exact=False, rtol=1e-13)
