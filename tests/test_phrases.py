"""Tests for analysis.methods.phrases: phrase matching, counts, dates, dispersion, KWIC."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis.methods import phrases as P
from analysis.corpus import segment
from tests.conftest import SEEDS, shared_corpus_frame

S000, S002, S003 = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"


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


def spans(phrase: str, text: str) -> list[str]:
    """The matched substrings of ``phrase`` in ``text`` (via find_phrases)."""
    hits = P.find_phrases(frame(text), phrase)
    return [text[s:e] for s, e in zip(hits["start"], hits["end"])]


# --- seed facts -------------------------------------------------------------------

def test_seed_phrase_counts():
    docs = seed_docs()
    pc = P.phrase_counts(docs, ["left behind", "single market"]).set_index(["doc_id", "phrase"])
    assert pc.loc[(S000, "left behind"), "count"] == 1  # written ‘left behind’ in curly quotes
    assert pc.loc[(S002, "left behind"), "count"] == 0
    assert pc.loc[(S003, "left behind"), "count"] == 1
    assert pc.loc[(S000, "single market"), "count"] == 0
    assert pc.loc[(S002, "single market"), "count"] == 0
    assert pc.loc[(S003, "single market"), "count"] == 2
    n003 = docs.set_index("doc_id").loc[S003, "n_words"]
    assert pc.loc[(S003, "single market"), "rate_per_10k"] == pytest.approx(2 / n003 * 10_000)
    assert pc.loc[(S002, "left behind"), "rate_per_10k"] == 0
    text000 = docs.set_index("doc_id").loc[S000, "text"]
    (s, e), = pc.loc[(S000, "left behind"), "positions"]
    assert text000[s - 1:e + 1] == "‘left behind’"
    (rel,) = pc.loc[(S000, "left behind"), "rel_positions"]
    assert rel == pytest.approx(s / len(text000))


def test_seed_hits_have_exact_offsets():
    docs = seed_docs()
    hits = P.find_phrases(docs, ["single market", "left behind"])
    assert list(hits.columns) == P.HIT_COLUMNS
    assert hits["doc_id"].tolist() == [S000, S003, S003, S003]
    assert hits["phrase"].tolist() == ["left behind", "single market", "left behind", "single market"]
    texts = docs.set_index("doc_id")["text"]
    for r in hits.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.match
        assert r.match.lower() == r.phrase
        assert 0 <= r.rel_pos < 1
    assert hits["start"].tolist() == [1024, 809, 1675, 5172]  # by document, then position


# --- matching rules ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "left behind", "Left Behind", "LEFT-BEHIND", "left  behind", "left\nbehind", "left \n  behind",
    "left‐behind", "left -\nbehind", "the ‘left behind’ voter", "(left behind)", "left-behind's",
    "far-left behind",
])
def test_left_behind_variants_match(text):
    assert len(spans("left behind", text)) == 1
    assert len(spans("left-behind", text)) == 1


@pytest.mark.parametrize("text", [
    "leftbehind", "left behinds", "cleft behind", "left_behind", "left, behind", "left. Behind",
    "left — behind", "left\n\nbe hind",
])
def test_left_behind_non_matches(text):
    assert spans("left behind", text) == []


def test_word_boundaries_single_market():
    assert spans("single market", "the single marketing plan") == []
    assert spans("single market", "a single market’s rules") == ["single market"]
    assert spans("single market", "single market, single market.") == ["single market"] * 2


def test_apostrophes_curly_and_straight_alike():
    assert spans("people's vote", "a People’s Vote now") == ["People’s Vote"]
    assert spans("people’s vote", "a people's vote now") == ["people's vote"]
    assert spans("won't", "we won‘t") == ["won‘t"]


def test_wildcard_is_exactly_one_word():
    text = "left behind; left them behind; left all of them behind; left well-off behind"
    assert spans("left * behind", text) == ["left them behind", "left well-off behind"]
    assert spans("left * * * behind", text) == ["left all of them behind"]
    assert spans("* behind", "they were left behind") == ["left behind"]
    assert spans("* * behind", "they were left behind") == ["were left behind"]
    assert spans("single *", "single market. single") == ["single market"]


def test_quotes_around_a_phrase_are_ignored_and_whitespace_collapsed():
    assert P.normalise_phrase("  ‘left   behind’ ") == "left behind"
    hits = P.find_phrases(frame("they are left behind"), ["“left behind”", "left behind"])
    assert hits["phrase"].tolist() == ["left behind"]  # the two are one phrase


@pytest.mark.parametrize("bad", ["", "   ", "*", "* *", "left*", "‘’"])
def test_invalid_phrases_raise(bad):
    with pytest.raises(ValueError):
        P.compile_phrase(bad)


def test_hits_do_not_overlap():
    assert spans("a a", "a a a a a") == ["a a", "a a"]
    hits = P.find_phrases(frame("ba a a"), "a a")
    assert hits[["start", "end"]].values.tolist() == [[3, 6]]  # "ba a" starts inside a word


_WORDS = st.sampled_from(["left", "Left", "behind", "BEHIND", "of", "x", "İ", "well-off", "don't", "don’t",
                          "ab"])
_SEPS = st.sampled_from([" ", "  ", "\n", "-", " - ", ", ", ".", "", "’", "_", "‐"])


@settings(max_examples=200, deadline=None)
@example([("left", "-"), ("behind", " "), ("behind", " ")], "* behind")  # greedy wildcard
@example([("x", "-"), ("behind", "-"), ("x", " "), ("behind", "")], "* behind")
@given(st.lists(st.tuples(_WORDS, _SEPS), max_size=12),
       st.sampled_from(["left behind", "left * behind", "* behind", "* * of", "of *", "don't", "x x",
                        "well off", "* well-off *"]))
def test_fast_search_equals_the_documented_regex(parts, phrase):
    """find_phrases (fast path on lower-cased text, or the fallback when
    lower-casing changes the length) gives exactly compile_phrase's hits."""
    text = "".join(w + s for w, s in parts)
    expected = [m.span() for m in P.compile_phrase(phrase).finditer(text)]
    hits = P.find_phrases(frame(text), phrase)
    assert list(zip(hits["start"], hits["end"])) == expected


# --- counts per document, group, date ------------------------------------------------

def test_phrase_counts_per_document_include_zeros():
    docs = frame("Tax cuts. Tax cuts!", "No cuts here", "")
    pc = P.phrase_counts(docs, ["tax cuts", "cuts"])
    assert list(pc.columns) == ["doc_id", "phrase", "count", "n_words", "rate_per_10k", "positions",
                                "rel_positions"]
    assert len(pc) == 6
    assert pc["count"].tolist() == [2, 2, 0, 1, 0, 0]
    assert pc["n_words"].tolist() == [4, 4, 3, 3, 0, 0]
    assert pc["rate_per_10k"].tolist() == pytest.approx([5000, 5000, 0, 10000 / 3, 0, 0])
    assert pc["positions"][0] == [(0, 8), (10, 18)]


def test_phrase_counts_use_docs_n_words_when_given():
    docs = frame("tax cuts", "tax cuts")
    docs["n_words"] = [10, 20]
    pc = P.phrase_counts(docs, "tax cuts")
    assert pc["rate_per_10k"].tolist() == pytest.approx([1000, 500])


def test_phrase_counts_by_group_are_pooled():
    docs = frame("tax cuts and tax cuts", "tax rises", "tax cuts", "x",
                 party=["Con", "Con", "Lab", None])
    pc = P.phrase_counts(docs, ["tax cuts"], by="party")
    assert pc["party"].tolist() == ["", "Con", "Lab"]
    con = pc[pc.party == "Con"].iloc[0]
    assert (con["count"], con["n_words"], con["n_docs"], con["doc_freq"]) == (2, 7, 2, 1)
    assert con["rate_per_10k"] == pytest.approx(2 / 7 * 10_000)
    assert con["positions"] == [("d0", 0, 8), ("d0", 13, 21)]
    assert pc[pc.party == ""]["count"].tolist() == [0]


def test_seed_phrase_counts_by_author():
    pc = P.phrase_counts(seed_docs(), ["left behind", "single market"], by="author")
    got = {(r.author, r.phrase): r.count for r in pc.itertuples()}
    assert got[("Jacqui Smith", "left behind")] == 1
    assert got[("Daniel Zeichner", "single market")] == 2
    assert got[("", "left behind")] == 0  # 002 has no author


def test_phrase_by_date_years_and_months():
    docs = frame("tax cuts", "tax cuts tax cuts x", "nothing", "tax cuts", "tax cuts",
                 date=["2016-06-24", "2016", "2017-01-02", "", "sometime"])
    by_year = P.phrase_by_date(docs, "tax cuts")
    assert by_year["period"].tolist() == ["2016", "2017"]
    assert by_year["count"].tolist() == [3, 0]
    assert by_year["n_words"].tolist() == [7, 1]
    assert by_year["rate_per_10k"].tolist() == pytest.approx([3 / 7 * 1e4, 0])
    assert by_year.attrs["undated_docs"] == 2
    by_month = P.phrase_by_date(docs, "tax cuts", freq="month")
    assert by_month["period"].tolist() == ["2016-06", "2017-01"]  # "2016" has no month
    assert by_month.attrs["undated_docs"] == 3
    assert P.date_period(1790) == "1790"
    with pytest.raises(ValueError):
        P.phrase_by_date(docs, "tax cuts", freq="week")


# --- keyword in context ----------------------------------------------------------------

KWIC_TEXT = ("One two three four five six seven eight nine ten left behind eleven, twelve thirteen "
             "fourteen fifteen sixteen seventeen eighteen.\nAlpha left   behind beta gamma")


def test_kwic_windows_and_offsets():
    k = P.kwic(frame(KWIC_TEXT), "left behind", window=3)
    assert list(k.columns) == P.KWIC_COLUMNS
    assert k["left"].tolist() == ["eight nine ten", "seventeen eighteen. Alpha"]
    assert k["right"].tolist() == ["eleven, twelve thirteen", "beta gamma"]
    assert k["match"].tolist() == ["left behind", "left behind"]  # white space collapsed
    assert KWIC_TEXT[k["start"][1]:k["end"][1]] == "left   behind"
    k7 = P.kwic(frame(KWIC_TEXT), "left behind")
    assert k7["left"][0] == "four five six seven eight nine ten"
    k0 = P.kwic(frame(KWIC_TEXT), "left behind", window=0)
    assert k0["left"].tolist() == ["", ""] and k0["right"].tolist() == ["", ""]


def test_kwic_long_context_beyond_first_guess():
    long_words = " ".join("w" * 60 + str(i) for i in range(10))
    text = long_words + " target " + long_words
    k = P.kwic(frame(text), "target", window=4)
    assert k["left"][0] == " ".join("w" * 60 + str(i) for i in range(6, 10))
    assert k["right"][0] == " ".join("w" * 60 + str(i) for i in range(4))


def test_kwic_sorting_is_by_context_words_and_stable():
    docs = frame("b z left behind c a. x y left behind a b.", "a left behind c b. y left behind a b.")
    base = P.kwic(docs, "left behind", window=2)
    assert list(zip(base["doc_id"], base["start"])) == [("d0", 4), ("d0", 25), ("d1", 2), ("d1", 21)]
    assert base["left"].tolist() == ["b z", "x y", "a", "b. y"]
    assert base["right"].tolist() == ["c a", "a b", "c b", "a b"]
    right = P.kwic(docs, "left behind", window=2, sort="right")
    assert right["right"].tolist() == ["a b", "a b", "c a", "c b"]
    assert right["doc_id"].tolist() == ["d0", "d1", "d0", "d1"]  # the tie keeps document order
    left = P.kwic(docs, "left behind", window=2, sort="left")
    # by the word nearest the match first: (a), (y, b), (y, x), (z, b)
    assert left["left"].tolist() == ["a", "b. y", "x y", "b z"]
    with pytest.raises(ValueError):
        P.kwic(docs, "left behind", sort="middle")


def test_seed_kwic():
    k = P.kwic(seed_docs(), "left behind", window=4)
    assert k["doc_id"].tolist() == [S000, S003]
    assert k["left"][0] == "to connect with the ‘"
    assert k["right"][0] == "’ United Kingdom Independence party"
    assert k["left"][1] == "prospered, others have been"
    assert k["right"][1] == ". The last few years"


# --- the 1.8M-word corpus ------------------------------------------------------------------

@pytest.mark.slow
def test_us_sotu_phrase_search_is_fast():
    df = shared_corpus_frame("us-sotu")
    t0 = time.perf_counter()
    hits = P.find_phrases(df, ["united states", "federal government", "left behind", "* of america"])
    elapsed = time.perf_counter() - t0
    print(f"us-sotu phrase search (4 phrases): {elapsed:.2f} s, {len(hits)} hits")
    print(f"took {elapsed:.2f} s (speed is measured by scripts/benchmark.py, not asserted)")
    n = hits.groupby("phrase").size()
    assert n["united states"] > 4000 and n["left behind"] > 10
    by_year = P.phrase_by_date(df, "federal government", hits=hits)
    assert len(by_year) > 200 and by_year.attrs["undated_docs"] == 0


def test_phrase_counts_of_no_documents_is_empty():
    from analysis.methods.phrases import phrase_counts

    empty = pd.DataFrame({"doc_id": [], "text": [], "author": []})
    assert phrase_counts(empty, ["left behind"]).empty
    assert phrase_counts(empty, ["left behind"], by="author").empty


def test_phrase_positions_follow_their_documents_in_any_hit_order():
    """Hits arriving in any order land in their own document's row, in text order."""
    from analysis.methods.phrases import find_phrases, phrase_counts

    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["x left behind y left behind", "none here",
                                                             "left behind"]})
    hits = find_phrases(docs, ["left behind"])
    shuffled = hits.sample(frac=1.0, random_state=3).sort_values("start", kind="stable")
    out = phrase_counts(docs, ["left behind"], hits=shuffled).set_index("doc_id")
    assert out.loc["a", "positions"] == [(2, 13), (16, 27)]
    assert out.loc["b", "positions"] == [] and out.loc["c", "positions"] == [(0, 11)]
    assert out["count"].to_dict() == {"a": 2, "b": 0, "c": 1}
