"""The Overview page, run with AppTest on the seeds, on edge cases and on a shared corpus."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from analysis.corpus import loaders
from analysis.corpus import prepare as pipeline
from analysis.methods import sentiment as sa
from tests.conftest import ROOT, shared_corpus_path
from ui.state import View

APP = str(ROOT / "app.py")
OVERVIEW = "pages/overview.py"
D000, D002, D003 = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"


def open_page(page: str = OVERVIEW, corpus=None, view: View | None = None, timeout: int = 300) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    if corpus is not None:
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
    if view is not None:
        at.session_state["view"] = view
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def charts(at: AppTest) -> dict[str, dict]:
    """The page's Vega-Lite charts by the name in their ``usermeta``: ``{"spec", "rows"}``, rows
    being the data Streamlit sent with the chart (a DataFrame)."""
    out = {}
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        rows = pa.ipc.open_stream(c.proto.data.data).read_all().to_pandas() if c.proto.data.data else None
        out[(spec.get("usermeta") or {}).get("chart", "?")] = {"spec": spec, "rows": rows}
    return out


def bars(chart: dict) -> dict[str, float]:
    """key -> value of every bar of a tone chart."""
    rows = chart["rows"]
    assert rows["key"].is_unique
    return dict(zip(rows["key"], rows["value"]))


def plotly_charts(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by the name in their layout.meta (the detail pages)."""
    out = {}
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out[(spec["layout"].get("meta") or {}).get("chart", "?")] = spec
    return out


def plotly_bars(spec: dict) -> dict[str, float]:
    """key -> value of every bar of a Plotly tone chart (over all its traces)."""
    out = {}
    for tr in spec["data"]:
        for x, y in zip(tr["x"], tr["y"]):
            assert y not in out
            out[y] = x
    return out


def table_with(at: AppTest, *columns: str):
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


@pytest.fixture(scope="module")
def seeds_page() -> AppTest:
    return open_page()


@pytest.fixture(scope="module")
def seed_scores():
    prep = pipeline.prepare(loaders.load_seeds())
    return sa.score_corpus(prep.docs, prep.sentences).documents.set_index("doc_id")


def test_headline_metrics(seeds_page):
    metrics = {m.label: m.value for m in seeds_page.metric}
    assert metrics["Documents"] == "3"
    assert metrics["Authors"] == "2"  # the news report's author is unknown: counted apart
    authors = next(m for m in seeds_page.metric if m.label == "Authors")
    assert "unknown author" in authors.proto.delta
    assert metrics["Date span"] == "2016"


def test_documents_table_shows_unknown_author(seeds_page):
    table = table_with(seeds_page, "document", "author", "words", "polarity", "vader_mean")
    assert len(table) == 3
    author = dict(zip(table["doc_id"], table["author"]))
    assert author[D002] == "Unknown author"
    assert author[D000] == "Jacqui Smith" and author[D003] == "Daniel Zeichner"
    counts = dict(zip(table["doc_id"], table["“left behind”"]))
    assert counts == {D000: 1, D002: 0, D003: 1}


def test_tone_chart_has_one_bar_per_document_with_its_polarity(seeds_page, seed_scores):
    values = bars(charts(seeds_page)["overview-tone-docs"])
    assert set(values) == {D000, D002, D003}
    for doc, x in values.items():
        assert x == pytest.approx(seed_scores.loc[doc, "polarity"])


def test_tone_per_author_and_summary(seeds_page):
    groups = bars(charts(seeds_page)["overview-tone-groups"])
    assert set(groups) == {"Jacqui Smith", "Daniel Zeichner", ""}
    summary = " ".join(h.proto.body for h in seeds_page.get("html"))
    assert "most positive" in summary and "Jacqui Smith" in summary and "Daniel Zeichner" in summary
    assert "“left behind” 1×" in summary


def test_where_the_phrases_occur_with_reader_links(seeds_page):
    lines = table_with(seeds_page, "left", "match", "right", "doc_id")
    behind = lines[lines["phrase"] == "left behind"]
    assert set(behind["doc_id"]) == {D000, D003}
    assert set(lines.loc[lines["doc_id"] == D000, "author"]) == {"Jacqui Smith"}
    links = [p for p in seeds_page.get("page_link") if "Reader" in p.proto.label]
    assert len(links) == 2
    assert all(p.proto.page.endswith("reader") or "reader" in p.proto.page for p in links)
    assert "overview-phrases" in charts(seeds_page)


def test_phrase_chart_counts(seeds_page):
    rows = charts(seeds_page)["overview-phrases"]["rows"]
    counts = {(k, p): c for k, p, c in zip(rows["key"], rows["phrase"], rows["count"])}
    assert counts[(D003, "single market")] == 2 and counts[(D000, "single market")] == 0
    assert counts[(D000, "left behind")] == 1 and counts[(D002, "left behind")] == 0


def test_topic_shares_and_links_to_pages(seeds_page):
    rows = charts(seeds_page)["topic-shares"]["rows"]
    assert set(rows["key"]) == {D000, D002, D003}
    assert rows.groupby("key")["pct"].sum().to_dict() == pytest.approx({D000: 100, D002: 100, D003: 100}, abs=0.05)
    pages = {p.proto.page for p in seeds_page.get("page_link")}
    assert {"sentiment", "terms", "topics", "corpus"} <= {p.strip("/").split("/")[-1] for p in pages}


def test_a_filter_that_leaves_nothing():
    at = open_page(view=View(docs=["no-such-document"]))
    assert any("leave no documents" in i.value for i in at.info)
    assert next(m.value for m in at.metric if m.label == "Documents") == "0"


def test_a_phrase_that_never_occurs():
    at = open_page(view=View(phrases=["zebra crossing"]))
    assert any("never occurs" in i.value for i in at.info)
    assert "overview-phrases" not in charts(at)
    assert "overview-tone-docs" in charts(at)


def test_one_document_corpus():
    corpus = loaders.from_text("We were left behind. It was a good day, a very good day.\n\nThen it rained.",
                               title="A note", author="")
    at = open_page(corpus=corpus)
    assert next(m.value for m in at.metric if m.label == "Documents") == "1"
    assert len(bars(charts(at)["overview-tone-docs"])) == 1


def test_overview_on_a_shared_corpus():
    corpus = loaders.load_paths(shared_corpus_path("covid"))
    at = open_page(corpus=corpus, timeout=900)
    assert next(m.value for m in at.metric if m.label == "Documents") == f"{len(corpus):,}"
    docs = bars(charts(at)["overview-tone-docs"])
    assert len(docs) == 20  # the 10 most positive and 10 most negative speeches
