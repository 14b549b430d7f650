"""Issue 10 in a real browser: uploads replace the example texts on every page, documents are
named for people on every chart, 134 authors never repeat a colour, time axes are honest
(one tick per year, a gap where no document is), and plain readings stand beside the numbers."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

import streamlit_ui as ui

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.test_app_plain import many_authors  # noqa: E402
from ui.colors import MAX_COLOURS  # noqa: E402

pytestmark = pytest.mark.browser
NAV = ["Overview", "Reader", "Terms & phrases", "Sentiment", "Compare"]
SEED_MARKS = ["Jacqui Smith", "Daniel Zeichner", "000_bfc6cafdf39d029c", "Unknown author · news report"]


def speeches_csv(corpus) -> bytes:
    frame = corpus.to_frame()
    buf = io.StringIO()
    frame[["doc_id", "author", "party", "date", "text"]].to_csv(buf, index=False)
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def authors_134():
    corpus = many_authors()
    return corpus, {"name": "speeches.csv", "mimeType": "text/csv", "buffer": speeches_csv(corpus)}


def words(page) -> str:
    """Everything a visitor reads: text, table cells, chart labels and the values shown in selectors."""
    inputs = page.eval_on_selector_all('[data-testid="stMain"] input', "els => els.map(e => e.value || '')")
    return "\n".join([ui.all_text(page), *ui.grid_cells(page), *ui.plot_texts(page), *vega_texts(page), *inputs])


def vega_texts(page) -> list[str]:
    return page.eval_on_selector_all('[data-testid="stVegaLiteChart"] svg text', "els => els.map(e => e.textContent)")


def test_uploading_replaces_the_examples_on_every_page_and_back_is_one_click(new_page, app_url, app_pages):
    page = new_page()
    ui.goto(page, app_url + "/corpus")
    assert page.get_by_role("button", name="Back to the example texts").is_disabled()
    assert not page.get_by_role("button", name="Load files").count(), "choosing files is enough"
    rows = (b"doc_id,author,date,text\n"
            b"s1,Ann Example,2020-03-01,The hospitals need more masks now. Nurses are tired and frightened.\n"
            b"s2,Bob Example,2020-04-02,Testing has improved. We welcome the new plan for care homes today.\n")
    ui.upload_files(page, [{"name": "two.csv", "mimeType": "text/csv", "buffer": rows}])
    metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert any(re.search(r"Documents\s+2\b", m) for m in metrics), metrics
    for label in NAV:
        ui.click_nav(page, label)
        seen = words(page)
        assert "Ann Example" in seen, label
        leaked = [m for m in SEED_MARKS if m in seen]
        assert not leaked, f"{label} still shows the example texts: {leaked}"
        ui.assert_clean(page, label)
    ui.click_nav(page, "Corpus")
    ui.rerun(page, page.get_by_role("button", name="Back to the example texts").click)
    metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert any(re.search(r"Documents\s+3\b", m) for m in metrics), metrics


def test_no_chart_axis_shows_a_raw_id(new_page, app_url, app_pages, authors_134):
    corpus, payload = authors_134
    ids = {d.doc_id for d in corpus.documents}
    page = new_page()
    ui.goto(page, app_url + "/corpus")
    ui.upload_files(page, [payload])
    for label in ["Overview", "Sentiment", "Terms & phrases", "Compare"]:
        ui.click_nav(page, label)
        texts = ui.plot_texts(page) + vega_texts(page)
        assert texts, label
        raw = [t for t in texts if any(i in t for i in ids)]
        assert not raw, f"{label}: {raw[:5]}"
    assert any("MP Number" in t for t in texts)


def test_134_authors_never_repeat_a_colour(new_page, app_url, app_pages, authors_134):
    _corpus, payload = authors_134
    page = new_page()
    ui.goto(page, app_url + "/corpus")
    ui.upload_files(page, [payload])
    ui.click_nav(page, "Sentiment")
    charts = page.locator(".js-plotly-plot")
    for i in range(min(charts.count(), 2)):  # tone of each document, tone of each author
        fills = charts.nth(i).evaluate(
            "el => [...el.querySelectorAll('.barlayer .point path')].map(p => getComputedStyle(p).fill)")
        legend = charts.nth(i).evaluate(
            "el => [...el.querySelectorAll('.legend .traces')].map(t => [t.textContent, "
            "getComputedStyle(t.querySelector('.legendpoints path')).fill])")
        assert fills and len(set(fills)) <= MAX_COLOURS + 1, set(fills)
        names_per_colour = {}
        for name, colour in legend:
            names_per_colour.setdefault(colour, set()).add(name)
        assert all(len(n) == 1 for n in names_per_colour.values()), names_per_colour
    ui.screenshot(page, "sentiment_134_authors")


def test_time_chart_one_tick_per_year_and_a_gap(new_page, app_url, app_pages, authors_134):
    _corpus, payload = authors_134
    page = new_page()
    ui.goto(page, app_url + "/corpus")
    ui.upload_files(page, [payload])
    ui.click_nav(page, "Terms & phrases")
    chart = page.locator(".js-plotly-plot").filter(has=page.locator("text", has_text="per 10,000 words")).filter(
        has=page.locator(".barlayer")).last
    chart.scroll_into_view_if_needed()
    ticks = chart.evaluate("el => [...el.querySelectorAll('.xaxislayer-above .xtick text, .xaxislayer-above text')]"
                           ".map(t => t.textContent)")
    years = [t for t in ticks if re.fullmatch(r"\d{4}", t)]
    assert years and len(years) == len(set(years)), ticks
    assert {"2010", "2011", "2014"} <= set(years)
    paths = chart.evaluate("el => [...el.querySelector('.scatterlayer .trace').querySelectorAll('.js-line')]"
                           ".map(p => p.getAttribute('d'))")
    assert "".join(paths).count("M") >= 2, f"the line is not broken where there are no documents: {paths}"
    readings = page.locator(".plain-reading").all_inner_texts()
    assert any("fewer than 3 documents" in r for r in readings), readings


def test_plain_readings_beside_the_numbers(new_page, app_url, app_pages):
    page = new_page()
    ui.goto(page, app_url + "/")
    for label in ["Overview", "Sentiment", "Terms & phrases", "Compare", "Reader"]:
        ui.click_nav(page, label)
        readings = page.locator(".plain-reading").all_inner_texts()
        assert readings, label
    ui.click_nav(page, "Compare")
    text = " ".join(page.locator(".plain-reading").all_inner_texts())
    assert "times as common" in text or "and never in" in text
    assert "share" in text and "passage" in text
