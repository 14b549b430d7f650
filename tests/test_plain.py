"""Plain readings (analysis.plain) on real values from the seeds."""

import pytest

from analysis.methods import keyness, reuse
from analysis import plain
from analysis.methods import sentiment as sa
from analysis.corpus.loaders import load_seeds
from analysis.corpus.labels import doc_labels
from analysis.corpus.prepare import prepare

J, N, Z = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"


@pytest.fixture(scope="module")
def seeds():
    prep = prepare(load_seeds())
    return prep, sa.score_corpus(prep.docs, prep.sentences).documents.set_index("doc_id"), doc_labels(prep.docs)


def test_tone_of_the_seed_documents(seeds):
    _prep, scores, names = seeds
    assert plain.tone(scores.at[Z, "polarity"], names[Z]) == (
        "Daniel Zeichner · article reads as slightly positive: +0.10 on a scale from −1 (all negative) "
        "to +1 (all positive).")
    column = plain.tone(scores.at[J, "polarity_mean"], names[J])
    assert column.startswith("Jacqui Smith · opinion column · 24 Jun 2016 reads as neutral (")
    assert plain.tone_word(scores.at[N, "vader_mean"], "vader") == "slightly negative"
    assert "no tone" in plain.tone(float("nan"), "X")


def test_subjectivity_reading(seeds):
    _prep, scores, names = seeds
    assert plain.subjectivity(scores.at[J, "subjectivity"], "The column") == (
        "The column is written as a mix of fact and opinion (0.42 on a scale from 0 = factual to 1 = opinion).")
    assert "mostly as opinion" in plain.subjectivity(0.7, "X") and "fact" in plain.subjectivity(0.1, "X")


def test_interval_readings():
    s = plain.interval(-0.02, 0.15, "Labour", "documents", n_docs=12)
    assert s == ("Labour's score would probably lie between −0.02 and +0.15 with other texts like these "
                 "(from its 12 documents); the range includes 0, so the tone could well be neutral.")
    assert "below 0, so the tone is negative" in plain.interval(-0.3, -0.1, "X", "sentences", n_sentences=40)
    assert "40 sentences of its one document" in plain.interval(-0.3, -0.1, "X", "sentences", n_sentences=40)
    assert "with other sentences like these" in plain.interval(-0.3, -0.1, "X", "sentences", n_sentences=40)
    assert "wide" in plain.interval(-0.3, 0.2, "X")
    assert "too few" in plain.interval(float("nan"), 0.2, "X")


def test_keyness_readings_on_the_seeds(seeds):
    prep, _s, _n = seeds
    k = keyness.keyness(prep, "author", "Jacqui Smith", min_count=2).set_index("term")

    def say(term):
        r = k.loc[term]
        return plain.keyness(term, r["rate_target"], r["rate_reference"], r["count_target"], r["count_reference"],
                             r["p_value"], "Jacqui Smith's text", "the others")

    assert say("country") == ("'country' is 4.8 times as common in the others as in Jacqui Smith's text; "
                              "a difference this small could easily be chance.")
    assert say("morning") == ("'morning' is used 3 times in Jacqui Smith's text and never in the others; "
                              "a difference this large would arise by chance less than one time in twenty.")
    assert plain.keyness("market", 43.0, 10.0, 20, 30, 0.0001, "A", "B") == (
        "'market' is 4.3 times as common in A as in B; a difference this large would rarely arise by chance.")


def test_similarity_reading_on_the_seeds(seeds):
    prep, _s, names = seeds
    sim = reuse.similarity_matrix(prep.docs)
    assert plain.similarity(sim.at[J, N], names[J], names[N]) == (
        "Jacqui Smith · opinion column · 24 Jun 2016 and Unknown author · news report use much the same words "
        "(similarity 0.55, where 0 = no word in common and 1 = the same words in the same proportions).")
    assert "share some vocabulary" in plain.similarity(sim.at[J, Z], "A", "B")


def test_a_rate_from_a_use_or_two_in_a_short_text_is_called_weak():
    assert plain.rate_caution(1, 86, ("Drew Hendry", "left behind", 2, 460)) == (
        "That rate rests on 1 use in only 86 words, so it says little about how much the phrase is used. "
        "The most uses of 'left behind': Drew Hendry, 2 times in 460 words.")
    # the same text has the most uses: nobody else to name
    assert plain.rate_caution(2, 460, ("Drew Hendry", "left behind", 2, 460)).endswith("how much the phrase is used.")
    assert plain.rate_caution(3, 86) == ""  # three uses
    assert plain.rate_caution(1, plain.SHORT_TEXT_WORDS) == ""  # a text long enough
    assert plain.rate_caution(0, 86) == ""


def test_rates_agreement_time_and_numbers():
    assert plain.rate("left behind", 3, 1234, "X") == (
        "'left behind' occurs 3 times in the 1,234 words of X: about 24.3 times in every 10,000 words.")
    assert plain.rate("left behind", 0, 500, "X").startswith("'left behind' does not occur")
    assert plain.time_point("2016", 2).endswith("too few to read much into")
    assert plain.time_point("2017", 3) == "2017: from 3 documents"
    assert plain.signed(-0.004) == "0.00" and plain.signed(-0.05) == "−0.05"
    assert plain.times(2.0) == "twice as" and plain.times(12.4) == "12 times as"
    assert "largely agree" in plain.agreement(0.7, 0.8, "X") and "80%" in plain.agreement(0.7, 0.8, "X")
    assert plain.tone_extremes([("A", 0.12), ("B", -0.2)]) == (
        "Most positive text: A (+0.12, slightly positive); most negative: B (−0.20, clearly negative).")
    assert plain.tone_extremes([("A", 0.16), ("B", 0.06)], "of these") == (
        "Most positive of these: A (+0.16, clearly positive); least positive: B (+0.06, slightly positive).")


def test_the_closest_pair_is_called_most_alike_only_when_it_is():
    """Compare's reading of a similarity matrix: the pair with the highest similarity is "most
    alike" when they share some vocabulary; when even they have almost no words in common, the
    reading says that no two texts share much, not that they are alike."""
    import pandas as pd

    from ui.terms_sections import closest_pair

    names = ["a", "b", "c"]
    low = pd.DataFrame([[1.0, 0.05, 0.02], [0.05, 1.0, 0.07], [0.02, 0.07, 1.0]], index=names, columns=names)
    got = closest_pair(low, {"b": "Jon Ashworth", "c": "Philippa Whitford"})
    assert got.startswith("No two of these share much vocabulary. Even the closest pair: Jon Ashworth and "
                          "Philippa Whitford have almost no words in common")
    assert "Most alike" not in got
    high = low.copy()
    high.loc["a", "c"] = high.loc["c", "a"] = 0.4
    assert closest_pair(high, {}).startswith("Most alike: a and c use much the same words (similarity 0.40")
    assert closest_pair(low.iloc[:1, :1], {}) == ""


def test_how_alike_the_texts_of_one_group_are():
    got = plain.similarity_within(0.02, 1338, "2018")
    assert got.startswith("On average, two of the 1,338 texts of 2018 have almost no words in common")
    assert "similarity 0.02" in got
    assert "use much the same words" in plain.similarity_within(0.45, 3, "Labour")
    assert plain.similarity_within(float("nan"), 3, "Labour") == "The 3 texts of Labour could not be compared."
