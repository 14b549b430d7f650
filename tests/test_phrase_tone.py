"""Tone near a phrase (analysis phrase_tone): values computed by hand on small texts, and on the seeds.

Lexicon values used by hand (TextBlob's en-sentiment.xml, VADER's vader_lexicon.txt):
TextBlob good +0.7, bad -0.7, great +0.8, behind -0.4, left 0.0, single -1/14;
VADER good 1.9, damage -2.2, dynamic 1.6, compound = sum / sqrt(sum^2 + 15).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.methods import phrase_tone as pt
from analysis.corpus import segment
from analysis.methods import sentiment
from analysis.corpus.loaders import load_paths
from analysis.corpus.prepare import prepare
from tests.conftest import SEEDS

ZEICHNER = "003_963148aadf6ce902"


def docs_of(*texts, **meta) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
    for k, v in meta.items():
        frame[k] = v
    return frame


def scores_of(docs: pd.DataFrame) -> pd.DataFrame:
    _, sents = segment.segment_texts(docs["doc_id"], docs["text"].tolist())
    return sentiment.score_corpus(docs, sents).documents


def vader(total: float) -> float:
    return round(total / math.sqrt(total * total + 15), 4)


# --------------------------------------------------------------------------- contexts, by hand

def test_phrase_words_are_left_out_of_the_score():
    docs = docs_of("It was good to be left behind. Nothing more.")
    occ = pt.occurrences(docs, ["left behind"], window=25)
    sent = occ[occ["context"] == "sentence"].iloc[0]
    assert (sent["ctx_start"], sent["ctx_end"]) == (0, 30)  # "It was good to be left behind."
    # masked: "It was good to be             ." -> only "good" counts
    assert sent["textblob"] == pytest.approx(0.7)
    assert sent["vader"] == pytest.approx(vader(1.9))
    assert sent["n_words"] == 5  # the phrase's two words are not counted
    # unmasked, "left" (0.0) and "behind" (-0.4) would pull it to (0.7 + 0 - 0.4) / 3 = 0.1
    assert sentiment.textblob_scores("It was good to be left behind.")[0] == pytest.approx(0.1)


def test_window_counts_words_either_side_and_stops_at_the_edges():
    text = "one two three four five left behind six seven eight nine ten"
    occ = pt.occurrences(docs_of(text), "left behind", window=3)
    w = occ[occ["context"] == "window"].iloc[0]
    assert text[w["ctx_start"]:w["ctx_end"]] == "three four five left behind six seven eight"
    assert (w["left"], w["match"], w["right"]) == ("three four five", "left behind", "six seven eight")
    assert w["n_words"] == 6
    wide = pt.occurrences(docs_of(text), "left behind", window=50)
    w = wide[wide["context"] == "window"].iloc[0]
    assert (w["ctx_start"], w["ctx_end"], w["n_words"]) == (0, len(text), 10)
    # the window crosses sentence ends; the sentence context does not
    occ = pt.occurrences(docs_of("Bad day. We were left behind there. Great news."), "left behind", window=2)
    s, w = occ.iloc[0], occ.iloc[1]
    assert (s["context"], w["context"]) == ("sentence", "window")
    assert (s["left"], s["right"]) == ("We were", "there.")
    assert s["textblob"] == 0.0 and s["vader"] == 0.0
    # the classifier scores the blanked sentence as the sentence scorer does
    assert s["classifier"] == pytest.approx(sentiment.classifier_score(
        sentiment.mask_phrases("We were left behind there.", ["left behind"])), abs=1e-12)
    assert (w["left"], w["right"]) == ("We were", "there. Great")
    assert w["textblob"] == pytest.approx(0.8)  # "great"
    with pytest.raises(ValueError):
        pt.occurrences(docs_of(text), "left behind", window=0)


def test_every_occurrence_of_the_phrase_in_a_context_is_blanked():
    # two occurrences in one sentence: each one's context has both blanked
    occ = pt.occurrences(docs_of("Left behind and left behind again, a good day."), "left behind", window=25)
    sents = occ[occ["context"] == "sentence"]
    assert len(sents) == 2
    assert sents["textblob"].tolist() == pytest.approx([0.7, 0.7])  # "good" only
    assert sents["n_words"].tolist() == [5, 5]  # and again a good day


def test_group_figures_rest_on_occurrences_with_bootstrap_intervals():
    text_a = "It was good to be left behind. It was bad to be left behind. It was great to be left behind."
    text_b = "Nobody was left behind. The end."
    docs = docs_of(text_a, text_b, author=["A", "B"])
    occ = pt.occurrences(docs, "left behind")
    scores = scores_of(docs)
    table = pt.tone_near(occ, docs, scores, by="author", context="sentence", method="textblob")
    assert table["group"].tolist() == ["A", "B"]
    a, b = table.iloc[0], table.iloc[1]
    assert a["n"] == 3 and a["n_docs"] == 1
    assert a["mean"] == pytest.approx((0.7 - 0.7 + 0.8) / 3)
    # the interval: sentiment.group_scores' bootstrap over the three occurrence scores
    vals = occ.loc[(occ["context"] == "sentence") & (occ["doc_id"] == "d0"), "textblob"].to_numpy()
    assert vals == pytest.approx([0.7, -0.7, 0.8])
    ref = sentiment.group_scores(pd.DataFrame({"doc_id": ["x", "y", "z"], "m": vals}),
                                 pd.DataFrame({"doc_id": ["x", "y", "z"], "g": ["k"] * 3}), "g", "m")
    assert (a["lo"], a["hi"]) == pytest.approx((ref["lo"][0], ref["hi"][0]))
    assert -0.7 - 1e-9 <= a["lo"] < a["mean"] < a["hi"] <= 0.8 + 1e-9
    assert a["interval_basis"] == "occurrences"
    # one occurrence: no interval
    assert b["n"] == 1 and math.isnan(b["lo"]) and b["interval_basis"] == "none"
    # compared with the document's sentence mean (word-weighted, phrase not masked)
    assert a["overall"] == pytest.approx(scores.loc[scores["doc_id"] == "d0", "polarity_mean"].iloc[0])
    assert a["difference"] == pytest.approx(a["mean"] - a["overall"])
    # per document and per year
    per_doc = pt.tone_near(occ, docs, scores, context="window", method="vader")
    assert per_doc["group"].tolist() == ["d0", "d1"] and per_doc["n"].tolist() == [3, 1]


def test_overall_of_a_group_counts_documents_without_the_phrase():
    docs = docs_of("A good day, and we were left behind.", "Bad, bad, bad.", author=["A", "A"])
    scores = scores_of(docs)
    occ = pt.occurrences(docs, "left behind")
    row = pt.tone_near(occ, docs, scores, by="author").iloc[0]
    assert row["n"] == 1 and row["n_docs"] == 1
    assert row["overall"] == pytest.approx(scores["polarity_mean"].mean())


def test_by_date_groups_by_year_and_unknown_last():
    docs = docs_of("Good, left behind.", "Bad, left behind.", "Great, left behind.",
                   date=["2016-06-24", "2016-01-01", ""])
    t = pt.tone_near(pt.occurrences(docs, "left behind"), docs, scores_of(docs), by="date")
    assert t["group"].tolist() == ["2016", ""]
    assert t["n"].tolist() == [2, 1]
    assert t["mean"].iloc[0] == pytest.approx((0.7 - 0.7) / 2)


def test_reading_says_direction_numbers_and_certainty():
    row = {"phrase": "single market", "context": "sentence", "group": "Daniel Zeichner", "n": 2, "mean": -0.12,
           "overall": 0.10, "lo": -0.2, "hi": -0.05}
    assert pt.reading(row, by="author") == ("Daniel Zeichner's sentences about ‘single market’ are more negative "
                                            "than Daniel Zeichner's text as a whole (\u22120.12 vs +0.10, 2 occurrences "
                                            "- too few to be sure).")
    many = dict(row, n=40)
    assert pt.reading(many, by="author").endswith("leaves the whole-text figure out).")
    wide = dict(many, hi=0.3)
    assert "could be chance" in pt.reading(wide, by="author")
    up = dict(many, mean=0.3, lo=0.25, hi=0.35, context="window")
    text = pt.reading(up, by="party", window=10)
    assert text.startswith("Daniel Zeichner's words near ‘single market’ are more positive")
    assert "10 words either side" in text
    assert pt.reading(dict(row, mean=0.101), by="author").count("about as positive as") == 1
    assert pt.reading(dict(row, group=""), by="date").startswith("In the undated texts")
    assert pt.reading(dict(row, group="d1"), None, "My column").startswith("In My column, the sentences")


def test_summary_says_once_how_many_comparisons_can_be_trusted():
    row = {"phrase": "left behind", "context": "sentence", "n": 2, "mean": -0.12, "overall": 0.10, "lo": -0.2,
           "hi": -0.05}
    few = pd.DataFrame([dict(row, group=g) for g in ("A", "B", "C")])
    assert pt.summary(few) == ("No comparison here rests on 5 or more occurrences of ‘left behind’: too few to say "
                               "whether the phrase comes with warmer or colder words than the rest of the text.")
    mixed = pd.DataFrame([dict(row, group="A"),  # too few
                          dict(row, group="B", n=40),  # more negative, beyond chance
                          dict(row, group="C", n=12, mean=0.3, lo=0.2, hi=0.4),  # more positive
                          dict(row, group="D", n=9, hi=0.2)])  # could be chance
    assert pt.summary(mixed) == (
        "3 of the 4 comparisons rest on 5 or more occurrences of ‘left behind’; of those, 1 finds more negative "
        "words around it than in the texts as a whole and 1 more positive ones, beyond chance; in 1 the "
        "difference could be chance.")
    assert pt.summary(mixed.iloc[1:3]).startswith("All 2 comparisons rest on 5 or more occurrences")
    assert pt.summary(mixed.iloc[1:2]) == "" and pt.summary(mixed.iloc[:0]) == ""  # the row's reading says it


def test_evidence_words_and_occurrence_rows():
    docs = docs_of("It was good to be left behind. Bad day.", "Nothing here.", author=["A", "B"])
    occ = pt.occurrences(docs, "left behind")
    rows = pt.occurrence_rows(occ, docs, context="sentence", method="textblob", group="A", by="author")
    assert len(rows) == 1
    r = rows.iloc[0]
    assert (r["left"], r["match"], r["right"]) == ("It was good to be", "left behind", ".")
    assert r["score"] == pytest.approx(0.7)
    assert r["evidence"] == "good (+0.70)"  # "behind" is blanked, so it is no evidence
    v = pt.occurrence_rows(occ, docs, context="window", method="vader")
    assert v.iloc[0]["evidence"] == "bad (-0.62), good (+0.47)"  # valence / 4: -2.5, 1.9
    assert pt.occurrence_rows(occ, docs, group="B", by="author").empty
    assert pt.evidence_words("the text of a speech") == ""


def test_no_occurrence_and_bad_arguments():
    docs = docs_of("Nothing to see.")
    occ = pt.occurrences(docs, "left behind")
    assert occ.empty and list(occ.columns) == pt.OCCURRENCE_COLUMNS + ["textblob", "vader", "classifier"]
    assert pt.tone_near(occ, docs, scores_of(docs)).empty
    assert pt.tone_table(occ, docs, scores_of(docs)).empty
    with pytest.raises(ValueError):
        pt.tone_near(occ, docs, scores_of(docs), method="nope")
    with pytest.raises(ValueError):
        pt.tone_near(occ, docs, scores_of(docs), context="paragraph")
    with pytest.raises(ValueError):
        pt.tone_near(occ, docs, scores_of(docs), by="party")


def test_a_third_method_plugs_in(monkeypatch):
    """A method is a sentence-score column, a document measure and an evidence function."""
    third = pt.ToneMethod("subj", "TextBlob subjectivity", "subjectivity", "subjectivity_mean",
                          lambda text: [("x", 1.0)])
    monkeypatch.setitem(pt.METHODS, "subj", third)
    docs = docs_of("It was good to be left behind.")
    occ = pt.occurrences(docs, "left behind")
    assert occ["subj"].iloc[0] == pytest.approx(0.6)  # "good": subjectivity 0.6
    t = pt.tone_table(occ, docs, scores_of(docs))
    assert set(t["method"]) == {"textblob", "vader", "classifier", "subj"}


# --------------------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seeds():
    prep = prepare(load_paths([SEEDS]))
    scores = sentiment.score_corpus(prep.docs, prep.sentences).documents
    return prep, scores


def test_single_market_in_daniel_zeichners_text(seeds):
    prep, scores = seeds
    occ = pt.occurrences(prep.docs, ["single market"], sentences=prep.sentences)
    sents = occ[occ["context"] == "sentence"]
    assert sents["doc_id"].tolist() == [ZEICHNER, ZEICHNER]
    text = prep.text_of(ZEICHNER)
    first, second = sents.iloc[0], sents.iloc[1]
    assert text[first["ctx_start"]:first["ctx_end"]].startswith("I will also vote against any attempt")
    assert text[second["ctx_start"]:second["ctx_end"]] == "Is access to the single market a red line?"
    # VADER: "damage" -2.2 and "dynamic" +1.6 in the first sentence, nothing in the second
    assert first["vader"] == pytest.approx(vader(-2.2 + 1.6))
    assert second["vader"] == 0.0
    # TextBlob: "single" (-1/14) is the phrase's own word: blanked, the second sentence is 0, not
    # the mean of single and red (0.0)
    assert sentiment.textblob_scores("Is access to the single market a red line?")[0] == pytest.approx(-1 / 28)
    assert second["textblob"] == 0.0
    row = pt.tone_table(occ, prep.docs, scores, by="author").query(
        "group == 'Daniel Zeichner' and context == 'sentence' and method == 'vader'").iloc[0]
    assert row["n"] == 2 and row["n_docs"] == 1
    assert row["mean"] == pytest.approx(vader(-0.6) / 2)
    assert row["overall"] == pytest.approx(scores.set_index("doc_id").loc[ZEICHNER, "vader_mean"])
    numbers = f"{row['mean']:+.2f} vs {row['overall']:+.2f}".replace("-", "\u2212")
    assert row["reading"] == ("Daniel Zeichner's sentences about ‘single market’ are more negative than Daniel "
                              f"Zeichner's text as a whole ({numbers}, 2 occurrences - too few to be sure).")


def test_left_behind_on_the_seeds_per_year(seeds):
    prep, scores = seeds
    occ = pt.occurrences(prep.docs, ["left behind"], sentences=prep.sentences)
    hits = sentiment.phrase_spans(prep.docs["text"].tolist(), ["left behind"])
    assert len(occ) == 2 * sum(len(h) for h in hits)
    years = pt.tone_near(occ, prep.docs, scores, by="date")
    assert set(years["group"]) <= {"2016", ""}
    assert years["n"].sum() == sum(len(h) for h in hits)
    assert np.all(years["interval_basis"].isin(["occurrences", "none"]))
