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


def n_topics(at: AppTest) -> int:
    return len(overview_table(at))


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def readings(at: AppTest) -> list[str]:
    """The plain readings (ui.readings) on the page, as text."""
    import html
    import re

    return [html.unescape(re.sub(r"<[^>]+>", "", h.proto.body)) for h in at.get("html")
            if "plain-reading" in h.proto.body]


def overview_table(at: AppTest):
    """The topics table (a wrapping st.table), with short column names."""
    df = next(t.value for t in at.table if "Most relevant words" in t.value.columns)
    return df.reset_index().rename(columns={"Topic": "topic", "Most relevant words": "terms",
                                            "% of the text": "share", "What this means": "reading"})


@pytest.fixture(scope="module")
def seeds_page() -> AppTest:
    return open_page(TOPICS)


def test_topics_page_on_the_seeds(seeds_page):
    at = seeds_page
    view = at.session_state["view"]
    k = n_topics(at)
    assert view.k is None and k >= 2
    assert any("With so few documents" in c.value and "paragraphs" in c.value for c in at.caption)
    assert not any("sidebar keeps" in c.value for c in at.caption)  # nothing is filtered
    # advanced controls sit in one expander, with sensible defaults
    assert [e.label for e in at.expander if e.label.startswith("Advanced")]
    assert at.selectbox(key="w_topic_units").value == "auto" and at.slider(key="w_topic_lambda").value == 0.6
    table = overview_table(at)
    assert list(table.columns) == ["topic", "terms", "share", "reading"]
    assert all(r.startswith(("About", "Less than 1%")) and "of the text of these 3 documents" in r
               for r in table["reading"])
    # topic names: distinctive words, none shared between two names
    name_words = [w for name in table["topic"] for w in name.split(" · ", 1)[1].split(", ")]
    assert len(name_words) == 3 * k and len(set(name_words)) == len(name_words)
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
    # term bars: plain sentences on hover, the relevance setting in words below
    hover = figs["topic-terms"]["data"][1]["hovertext"]
    assert all("of this topic and is" in h for h in hover)
    assert any(r.startswith("Words are ranked at 0.6 on the relevance scale") for r in readings(at))
    # the most typical passages of the selected topic, shown as text with their document's name
    passages = [t.value for t in at.text]
    assert sum("of this passage is on this topic" in v for v in passages) == 3


def test_automatic_k_and_stability_are_shown(seeds_page):
    at = seeds_page
    k = n_topics(at)
    text = markdown(at)
    summary = readings(at)[0]
    # the seeds are too little text for any k to stand out from chance: said so, plainly
    assert summary.startswith(f"{k} topics, the fewest tried: with this little text") and "tentative" in summary
    assert "These topics come out" in summary and "when the model is refitted on resampled text (stability 0." in summary
    assert any("What this topic" in r or "of the text of these 3 documents is on this topic" in r for r in readings(at))
    assert at.selectbox(key="w_topic_k").value == 0  # "Automatic"
    assert at.selectbox(key="w_topic_k").format_func(0) == f"Automatic ({k})"
    curve = charts(at)["topic-stability"]
    by_name = {t["name"]: t for t in curve["data"]}
    assert list(by_name["Automatic choice"]["x"]) == [k]
    assert len(by_name["Stability"]["x"]) >= 5  # one point per k tried
    assert f"**Why {k}.** {k} topics" in text and "Reading the curve" in text


def test_changing_k_changes_the_topics_shown():
    at = open_page(TOPICS)
    auto_k = n_topics(at)
    new_k = 3 if auto_k != 3 else 4
    at.selectbox(key="w_topic_k").set_value(new_k)
    at.run()
    ok(at)
    assert at.session_state["view"].k == new_k
    assert n_topics(at) == new_k
    assert readings(at)[0].startswith(f"You asked for {new_k} topics; the automatic choice would be {auto_k}.")
    figs = charts(at)
    assert all(len(row) == new_k for row in figs["topic-heatmap"]["data"][0]["z"])
    chosen = next(t for t in figs["topic-stability"]["data"] if t["name"] == "Your choice")
    assert list(chosen["x"]) == [new_k]
    # back to automatic
    at.selectbox(key="w_topic_k").set_value(0)
    at.run()
    ok(at)
    assert at.session_state["view"].k is None and n_topics(at) == auto_k


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
    k = n_topics(at)
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
    assert n_topics(at) == k
    assert any("sidebar keeps" in c.value and "2 document(s)" in c.value for c in at.caption)
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
    assert any("among the" in c.value and "sentences" in c.value for c in at.caption)
    assert any("cannot be used" in w.value for w in at.warning)


def test_empty_text_says_so_plainly():
    from analysis.corpus.loaders import from_text

    corpus = from_text("Yes. No.", title="Too short")
    at = open_page(TOPICS, corpus)
    assert any("too little text" in i.value for i in at.info)


def test_methods_page_shows_the_validation_figures():
    from analysis.methods import tone_evaluation as te
    from ui.tone_evaluation import auc_frame

    at = open_page(METHODS)
    stored = te.stored_evaluation()
    if stored and stored.get("sets"):
        shown = next(d.value for d in at.dataframe if "VADER, whole text" in d.value.columns)
        expected = auc_frame(stored)
        assert list(shown.columns) == list(expected.columns)
        assert len(shown) == len(expected) >= 6
        kav = next(s for s in stored["sets"] if s["name"] == "kavanaugh_tweets")
        row = shown[shown["set"] == kav["title"]].iloc[0]
        assert row["VADER, whole text"] == kav["auc"]["vader_doc"]
        assert row["Classifier, sentence mean"] == kav["auc"]["classifier_mean"]
        assert any("ROC AUC" in m.value for m in at.markdown)
        assert any(stored["date"] in c.value and stored["command"] in c.value for c in at.caption)
    else:
        assert any("validation figures have not been computed" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    for needle in ("Rayson & Garside", "Hardie 2014", "Monroe, Colaresi & Quinn", "nndsvda", "left behind",
                   "per 10,000 words", "95% interval", "Hutto & Gilbert 2014"):
        assert needle in text, needle


def test_methods_page_without_validation_figures(monkeypatch):
    from analysis.methods import tone_evaluation as te

    monkeypatch.setattr(te, "stored_evaluation", lambda: None)
    at = open_page(METHODS)
    assert any("validation figures have not been computed" in i.value for i in at.info)
    assert not [d for d in at.dataframe if "VADER, whole text" in getattr(d.value, "columns", [])]


def test_left_out_words_can_be_edited():
    at = open_page(TOPICS)
    first = overview_table(at)["terms"].iloc[0].split(", ")[0]
    at.text_area(key="w_topic_stop_add").input(first)
    at.run()
    ok(at)
    terms = {w.strip() for t in overview_table(at)["terms"] for w in t.split(",")}
    assert first not in terms, terms
    # and a default speech stopword can be taken back
    at.text_area(key="w_topic_stop_add").input("")
    at.text_area(key="w_topic_stop_remove").input("people")
    at.run()
    ok(at)
    assert any("people" in t.split(", ") for t in overview_table(at)["terms"])


@pytest.mark.slow
def test_topics_page_on_a_shared_corpus():
    corpus = load_paths([shared_corpus_path("covid")])
    at = open_page(TOPICS, corpus, timeout=900)
    assert not any("With so few documents" in c.value for c in at.caption)  # documents are the units
    k = n_topics(at)
    assert k >= 5
    table = overview_table(at)
    for procedural in ("hon", "minister", "does", "right", "people"):
        assert not any(procedural in t.split(", ") for t in table["terms"]), procedural
    assert all("of the text of these 493 documents" in r for r in table["reading"])
    heat = charts(at)["topic-heatmap"]
    n_rows = len(heat["data"][0]["z"])
    rows_by = at.radio(key="w_topic_rows").value
    if rows_by == "document":
        assert n_rows == len(corpus)
    else:  # many documents: one row per group of the sidebar's Group by column
        assert 1 <= n_rows < len(corpus)
    assert all(len(r) == k for r in heat["data"][0]["z"])
    shown = [t.value for t in at.text if "of this passage is on this topic" not in t.value]
    assert len(shown) >= 3 and all(len(p.split()) <= 400 for p in shown)  # passages, not whole speeches
    at.slider(key="w_topic_lambda").set_value(0.3)
    at.run()
    ok(at)
