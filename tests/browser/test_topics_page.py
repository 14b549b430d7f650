"""The Topics page in a real browser at 1400x900, on the seeds and on the 493 UK COVID speeches.

Screenshots go to ``artifacts/screenshots/topics_seeds.png`` and ``topics_covid.png``. The page
(its default tab) must stay within about three screens: ``stMain``'s scroll height at most
3 x 900 px plus a little slack for the browser's own margins.
"""

from __future__ import annotations

import gzip
import re

import pytest

import streamlit_ui as ui

pytestmark = pytest.mark.browser

WIDE = {"width": 1400, "height": 900}
MAX_HEIGHT = 3 * 900 + 150
COVID = ui.ROOT.parent / "shared" / "corpora" / "uk-covid-opposition" / "uk_covid_opposition_speeches.csv.gz"
READY = "text=/topics were found automatically|topics, the fewest tried/"
PROCEDURAL = ("hon", "minister", "does", "right", "people", "secretary")


def page_height(page) -> int:
    return int(page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"))


def overview_terms(page) -> list[str]:
    """The 'Most relevant words' cells of the topics table (a plain HTML table)."""
    cells = page.eval_on_selector_all('[data-testid="stMain"] [data-testid="stTable"] td',
                                      "els => els.map(e => e.textContent)")
    return [c for c in cells if c.count(",") >= 8]


def test_topics_page_on_the_seeds(new_page, app_url):
    page = new_page()
    page.set_viewport_size(WIDE)
    ui.goto(page, app_url + "/topics", content=READY)
    ui.assert_clean(page, "Topics on the seeds")
    text = ui.main_text(page)
    assert "Advanced: number of topics" in text and "Most typical passages" in text
    assert "These topics come out" in text and "of this passage is on this topic" in text
    height = page_height(page)
    ui.screenshot(page, "topics_seeds")
    assert height <= MAX_HEIGHT, f"the Topics page is {height} px tall on the seeds"


def test_topics_page_on_the_uk_covid_speeches(new_page, app_url):
    if not COVID.exists():
        pytest.skip(f"{COVID} is absent (../shared)")
    page = new_page()
    page.set_viewport_size(WIDE)
    ui.goto(page, app_url + "/corpus")
    ui.upload_files(page, [{"name": "uk_covid_speeches.csv", "mimeType": "text/csv",
                            "buffer": gzip.decompress(COVID.read_bytes())}])
    page.get_by_text(re.compile(r"Loaded 493 document")).first.wait_for(timeout=ui.LOAD_TIMEOUT_MS)
    ui.click_nav(page, "Topics")
    page.locator(READY).first.wait_for(timeout=600_000)  # the first fit on a loaded machine
    ui.wait_idle(page, 600_000)
    ui.assert_clean(page, "Topics on the UK COVID speeches")
    text = ui.main_text(page)
    k = int(re.search(r"(\d+) topics were found automatically", text).group(1))
    assert k >= 5, text[:500]
    assert "of the text of these 493 documents is on this topic" in text
    terms = overview_terms(page)
    assert len(terms) == k, terms
    for t in terms:
        words = [w.strip() for w in t.split(",")]
        assert not set(words) & set(PROCEDURAL), t
    height = page_height(page)
    ui.screenshot(page, "topics_covid")
    assert height <= MAX_HEIGHT, f"the Topics page is {height} px tall on the UK COVID speeches"
    for tab, name in (("Who talks about what", "topics_covid_who"), ("How many topics?", "topics_covid_k")):
        ui.open_tab(page, tab)
        ui.wait_idle(page)
        ui.assert_clean(page, f"Topics, {tab}")
        assert page_height(page) <= MAX_HEIGHT, f"the tab {tab!r} is {page_height(page)} px tall"
        ui.screenshot(page, name)
    assert f"Why {k}." in ui.main_text(page)
