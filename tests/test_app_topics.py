"""The Topics and Methods pages, run with AppTest on the seeds and on a shared corpus."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from analysis.corpus.loaders import load_paths
from tests.conftest import ROOT, shared_corpus_path

APP = str(ROOT / "app.py")
TOPICS, METHODS = "pages/topics.py", "pages/methods.py"
D000, D002, D003 = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"


def open_page(page: str, corpus=None, timeout: int = 240) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    if corpus is not None:
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
    at.switch_page(page)
    at.run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by the name in their layout.meta."""
    out = {}
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out[(spec["layout"].get("meta") or {}).get("chart", "?")] = spec
    return out


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def overview_table(at: AppTest):
    return next(df.value for df in at.dataframe if "terms" in df.value.columns)


@pytest.fixture(scope="module")
def seeds_page() -> AppTest:
    return open_page(TOPICS)


def test_topics_page_on_the_seeds(seeds_page):
    at = seeds_page
    view = at.session_state["view"]
    k = int(metric(at, "Topics"))
    assert view.k is None and k >= 2
    assert metric(at, "Units clustered").endswith("paragraphs")  # 3 documents: paragraph level, explained
    assert any("With so few documents" in c.value and "paragraphs" in c.value for c in at.caption)
    assert any("whole corpus" in c.value and "sidebar filters" in c.value for c in at.caption)
    assert len(overview_table(at)) == k
    figs = charts(at)
    assert {"topic-terms", "topic-heatmap", "topic-map", "topic-stability"} <= set(figs)
    # the heatmap: one row per document, one column per topic, every row summing to 100%
    z = figs["topic-heatmap"]["data"][0]["z"]
    assert len(z) == 3 and all(len(row) == k for row in z)
    assert all(abs(sum(row) - 100) < 1e-6 for row in z)
    cells = figs["topic-heatmap"]["data"][1]["customdata"]
    assert {c[0] for c in cells} == {D000, D002, D003}
    # map: paragraphs, with doc ids behind the points
    pts = sum(len(t["x"]) for t in figs["topic-map"]["data"])
    assert pts > 30
    # passages for the selected topic are shown as text
    assert len(at.text) >= 2


def test_automatic_k_and_stability_are_shown(seeds_page):
    at = seeds_page
    k = int(metric(at, "Topics"))
    stab = float(metric(at, "Stability"))
    assert 0.0 <= stab <= 1.0
    assert any(f"{round(100 * stab)}% agreement" in c.value for c in at.caption)
    assert at.selectbox(key="w_topic_k").value == 0  # "Automatic"
    assert at.selectbox(key="w_topic_k").format_func(0) == f"Automatic ({k})"
    curve = charts(at)["topic-stability"]
    by_name = {t["name"]: t for t in curve["data"]}
    assert list(by_name["Automatic choice"]["x"]) == [k]
    assert len(by_name["Stability"]["x"]) >= 5  # one point per k tried
    assert any("What stability means" in m.value and "0.9" in m.value for m in at.markdown)


def test_changing_k_changes_the_topics_shown():
    at = open_page(TOPICS)
    auto_k = int(metric(at, "Topics"))
    new_k = 3 if auto_k != 3 else 4
    at.selectbox(key="w_topic_k").set_value(new_k)
    at.run()
    ok(at)
    assert at.session_state["view"].k == new_k
    assert int(metric(at, "Topics")) == new_k
    assert len(overview_table(at)) == new_k
    figs = charts(at)
    assert all(len(row) == new_k for row in figs["topic-heatmap"]["data"][0]["z"])
    chosen = next(t for t in figs["topic-stability"]["data"] if t["name"] == "Your choice")
    assert list(chosen["x"]) == [new_k]
    # back to automatic
    at.selectbox(key="w_topic_k").set_value(0)
    at.run()
    ok(at)
    assert at.session_state["view"].k is None and int(metric(at, "Topics")) == auto_k


def test_relevance_slider_reorders_terms_without_refitting(seeds_page):
    at = seeds_page
    before = overview_table(at)["terms"].tolist()
    at.slider(key="w_topic_lambda").set_value(0.0)
    at.run()
    ok(at)
    after = overview_table(at)["terms"].tolist()
    assert len(after) == len(before) and after != before
    at.slider(key="w_topic_lambda").set_value(0.6)
    at.run()


def test_heatmap_per_group_and_filters(seeds_page):
    at = seeds_page
    at.radio(key="w_topic_rows").set_value("group")
    at.run()
    ok(at)
    heat = charts(at)["topic-heatmap"]
    assert len(heat["data"][0]["z"]) == 3  # Daniel Zeichner, Jacqui Smith, Unknown author
    assert "Unknown author" in heat["layout"]["yaxis"]["ticktext"]
    k = int(metric(at, "Topics"))
    # filter to two documents: rows shrink, the topics (fitted on the whole corpus) do not change
    # (AppTest drops the sidebar after switch_page, so the filter is set on the view itself)
    at.session_state["view"].docs = [D000, D003]
    at.run()
    ok(at)
    at.radio(key="w_topic_rows").set_value("document")
    at.run()
    ok(at)
    heat = charts(at)["topic-heatmap"]
    assert len(heat["data"][0]["z"]) == 2
    assert {c[0] for c in heat["data"][1]["customdata"]} == {D000, D003}
    assert int(metric(at, "Topics")) == k
    pts = charts(at)["topic-map"]["data"]
    assert all(u[0].split("#")[0] in (D000, D003) for t in pts for u in t["customdata"])
    at.session_state["view"].docs = []
    at.run()


TINY = ("The minister defended the budget cuts in parliament today. Schools and hospitals will lose funding "
        "next year. Teachers warned that classes will grow larger. Doctors said waiting lists are already long. "
        "The opposition called for a vote on the plan. Farmers asked for help with rising fuel costs.")


def test_tiny_corpus_and_a_k_it_cannot_have():
    from analysis.corpus.loaders import from_text

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["k"] = "12"  # from a shared link; this corpus has only 6 sentences
    corpus = from_text(TINY, title="Tiny")
    at.session_state["corpus"] = corpus
    at.session_state["corpus_key"] = corpus.content_hash()
    at.switch_page(TOPICS)
    at.run()
    ok(at)
    assert at.session_state["view"].k is None
    assert at.selectbox(key="w_topic_k").value == 0
    assert metric(at, "Units clustered").endswith("sentences")
    assert any("cannot be used" in w.value for w in at.warning)


def test_empty_text_says_so_plainly():
    from analysis.corpus.loaders import from_text

    corpus = from_text("Yes. No.", title="Too short")
    at = open_page(TOPICS, corpus)
    assert any("too little text" in i.value for i in at.info)


def test_methods_page_shows_the_validation_figures():
    from analysis.methods import sentiment

    at = open_page(METHODS)
    stored = sentiment.stored_validation()
    if stored and stored.get("auc"):
        shown = {m.label: m.value for m in at.metric}
        assert len(shown) == len(stored["auc"])
        assert sorted(shown.values()) == sorted(f"{float(v):.2f}" for v in stored["auc"].values())
        assert shown["VADER, whole text"] == f"{stored['auc']['vader_compound']:.2f}"
        assert any("ROC AUC" in m.value for m in at.markdown)
    else:
        assert any("validation figures have not been computed" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    for needle in ("Rayson & Garside", "Hardie 2014", "Monroe, Colaresi & Quinn", "nndsvda", "left behind",
                   "per 10,000 words", "95% interval"):
        assert needle in text, needle


def test_methods_page_without_validation_figures(monkeypatch):
    from analysis.methods import sentiment

    monkeypatch.setattr(sentiment, "stored_validation", lambda: None)
    at = open_page(METHODS)
    assert any("validation figures have not been computed" in i.value for i in at.info)
    assert not [m for m in at.metric if "VADER" in m.label]


@pytest.mark.slow
def test_topics_page_on_a_shared_corpus():
    corpus = load_paths([shared_corpus_path("covid")])
    at = open_page(TOPICS, corpus, timeout=900)
    assert metric(at, "Units clustered").endswith("documents")
    k = int(metric(at, "Topics"))
    heat = charts(at)["topic-heatmap"]
    n_rows = len(heat["data"][0]["z"])
    rows_by = at.radio(key="w_topic_rows").value
    if rows_by == "document":
        assert n_rows == len(corpus)
    else:  # many documents: one row per group of the sidebar's Group by column
        assert 1 <= n_rows < len(corpus)
    assert all(len(r) == k for r in heat["data"][0]["z"])
    at.slider(key="w_topic_lambda").set_value(0.3)
    at.run()
    ok(at)
