"""The Sentiment page, run with AppTest on the seeds and on a shared corpus; and the cached
wrappers' re-scoring of the documents that contain an excluded phrase."""

from __future__ import annotations

import pytest

from analysis.corpus import loaders
from analysis.corpus import prepare as pipeline
from analysis.methods import sentiment as sa
from tests.conftest import shared_corpus_path
from tests.test_app_overview import D000, D002, D003, open_page, table_with
from tests.test_app_overview import plotly_bars as bars
from tests.test_app_overview import plotly_charts as charts
from ui.cached_sentiment import merge_rescored
from ui.state import View

SENTIMENT = "pages/sentiment.py"


@pytest.fixture(scope="module")
def prep():
    return pipeline.prepare(loaders.load_seeds())


@pytest.fixture(scope="module")
def page() -> object:
    return open_page(SENTIMENT)


def test_sentiment_page_on_the_seeds(page, prep):
    figs = charts(page)
    assert {"sentiment-docs-tone", "sentiment-docs-subjectivity", "sentiment-groups", "tone-arc",
            "method-scatter"} <= set(figs)
    docs = sa.score_corpus(prep.docs, prep.sentences).documents.set_index("doc_id")
    tone = bars(figs["sentiment-docs-tone"])
    assert set(tone) == {D000, D002, D003}
    assert all(x == pytest.approx(docs.loc[d, "polarity"]) for d, x in tone.items())
    subj = bars(figs["sentiment-docs-subjectivity"])
    assert all(x == pytest.approx(docs.loc[d, "subjectivity"]) for d, x in subj.items())
    # intervals: every document has one (bootstrap over its sentences)
    tr = figs["sentiment-docs-tone"]["data"][0]
    assert all(cd[5] == "sentences" for cd in tr["customdata"])
    # the arc shows one point per sentence of the first document
    arc = figs["tone-arc"]["data"][0]
    assert len(arc["x"]) == int(docs.loc[D000, "n_sentences"])
    assert any("Document scores shown" in c.value for c in page.caption)


def test_strongest_sentences_and_agreement(page):
    top = table_with(page, "side", "text", "evidence")
    assert set(top["side"]) == {"most positive", "most negative"}
    assert top["evidence"].str.len().gt(0).all()
    agree = table_with(page, "document", "agreement_pearson", "agreement_sign")
    assert len(agree) == 3


def test_method_switch_to_vader_changes_the_plotted_values(prep):
    at = open_page(SENTIMENT)
    before = bars(charts(at)["sentiment-docs-tone"])
    at.segmented_control(key="w_method").set_value("vader").run()
    assert not at.exception
    assert at.session_state["view"].method == "vader"
    after = bars(charts(at)["sentiment-docs-tone"])
    assert after != before
    docs = sa.score_corpus(prep.docs, prep.sentences).documents.set_index("doc_id")
    assert all(x == pytest.approx(docs.loc[d, "vader_mean"]) for d, x in after.items())
    arc = charts(at)["tone-arc"]["data"][0]
    s = sa.score_corpus(prep.docs, prep.sentences).sentences
    assert arc["y"] == pytest.approx(s.loc[s["doc_id"] == D000, "vader"].tolist())


def test_exclude_phrases_toggle_changes_the_scores(prep):
    at = open_page(SENTIMENT)
    before = bars(charts(at)["sentiment-docs-tone"])
    at.toggle(key="w_exclude").set_value(True).run()
    assert not at.exception and at.session_state["view"].exclude_phrase_words
    after = bars(charts(at)["sentiment-docs-tone"])
    masked = sa.score_corpus(prep.docs, prep.sentences, exclude_phrases=["left behind", "single market"])
    expect = masked.documents.set_index("doc_id")["polarity"]
    assert after[D000] != pytest.approx(before[D000]) or after[D003] != pytest.approx(before[D003])
    assert all(x == pytest.approx(expect[d]) for d, x in after.items())
    assert after[D002] == pytest.approx(before[D002])  # no tracked phrase in the news report
    assert any("leave out the words of the tracked phrases" in c.value for c in at.caption)


def test_method_switch_to_classifier_plots_its_scores_and_evidence(prep):
    at = open_page(SENTIMENT)
    options = at.segmented_control(key="w_method").options
    assert "Classifier" in options
    at.segmented_control(key="w_method").set_value("classifier").run()
    assert not at.exception
    assert at.session_state["view"].method == "classifier"
    t = sa.score_corpus(prep.docs, prep.sentences)
    docs = t.documents.set_index("doc_id")
    after = bars(charts(at)["sentiment-docs-tone"])
    assert set(after) == {D000, D002, D003}
    assert all(x == pytest.approx(docs.loc[d, "classifier_mean"]) for d, x in after.items())
    arc = charts(at)["tone-arc"]["data"][0]
    s = t.sentences
    assert arc["y"] == pytest.approx(s.loc[s["doc_id"] == D000, "classifier"].tolist())
    assert any("the classifier" in c.value and "tweets" in c.value for c in at.caption)
    top = table_with(at, "side", "text")
    best = top[top["side"] == "most positive"]["text"].iloc[0]
    assert s.loc[s["text"] == best, "classifier"].max() == s["classifier"].max()


def test_classifier_evidence_table_shows_each_push():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st  # noqa: F401

        from ui import cached_sentiment as cs
        from ui import tone_sections as ts
        from ui.state import View

        ts.classifier_evidence_table(cs.classifier_evidence(View(), "A truly excellent, brave speech."), key="t")

    at = AppTest.from_function(script).run()
    assert not at.exception
    shown = at.dataframe[0].value
    ev = sa.classifier_evidence("A truly excellent, brave speech.")
    assert len(shown) == len(ev)
    assert {"excellent", "VADER score", "TextBlob score", "starting point"} <= set(shown["term"])
    assert shown["contribution"].sum() == pytest.approx(sum(r["contribution"] for r in ev))


def test_merge_rescored_equals_scoring_everything_masked(prep):
    phrases = ["left behind", "single market"]
    base = sa.score_corpus(prep.docs, prep.sentences)
    hit = [D000, D003]
    part = sa.score_corpus(prep.docs[prep.docs["doc_id"].isin(hit)],
                           prep.sentences[prep.sentences["doc_id"].isin(hit)], exclude_phrases=phrases)
    merged = merge_rescored(base, part, hit)
    full = sa.score_corpus(prep.docs, prep.sentences, exclude_phrases=phrases)
    cols = ["polarity", "subjectivity", "vader", "classifier", "n_words", "masked"]
    assert merged.sentences[cols].reset_index(drop=True).equals(full.sentences[cols].reset_index(drop=True))
    a = merged.documents.set_index("doc_id").sort_index()
    b = full.documents.set_index("doc_id").sort_index()
    assert a.drop(columns=a.columns[a.isna().all()]).round(12).equals(b.drop(columns=b.columns[b.isna().all()]).round(12))
    assert merged.paragraphs[["polarity", "vader"]].round(12).equals(full.paragraphs[["polarity", "vader"]].round(12))
    assert base.sentences["masked"].sum() == 0  # the base tables are left as they were


def test_arc_follows_the_document_picked(prep):
    at = open_page(SENTIMENT, view=View(doc=D003))
    assert at.selectbox(key="w_arc_doc").value == D003
    at.selectbox(key="w_arc_doc").set_value(D002).run()
    assert at.session_state["view"].doc == D002
    assert len(charts(at)["tone-arc"]["data"][0]["x"]) == int((prep.sentences["doc_id"] == D002).sum())


def test_empty_filter_and_one_document():
    at = open_page(SENTIMENT, view=View(authors=["Nobody"]))
    assert any("leave no documents" in i.value for i in at.info)
    one = loaders.from_text("A fine, happy day. A sad and bitter night.", title="Two sentences")
    at = open_page(SENTIMENT, corpus=one)
    assert len(bars(charts(at)["sentiment-docs-tone"])) == 1


def test_sentiment_on_a_shared_corpus():
    corpus = loaders.load_paths(shared_corpus_path("covid"))
    at = open_page(SENTIMENT, corpus=corpus, timeout=900)
    groups = bars(charts(at)["sentiment-groups"])
    assert 1 < len(groups) <= 40
    scatter = charts(at)["method-scatter"]
    assert 0 < sum(len(tr["x"]) for tr in scatter["data"]) <= 3000
