"""Tone around your phrases in a real browser: the Terms page's "Tone nearby" tab on the seeds.

A visitor opens the tab, sees the chart and the plain readings for "left behind", clicks a dot
and gets the occurrences behind it (with the words that drove each score). Screenshot:
artifacts/screenshots/phrase_tone_terms.png.
"""

from __future__ import annotations

import pytest

import streamlit_ui as ui

pytestmark = pytest.mark.browser

CHART = ".st-key-terms_tone_chart"


def test_tone_nearby_tab_chart_readings_and_occurrences(new_page, app_url):
    if not ui.page_exists("pages/terms.py"):
        pytest.skip("pages/terms.py is not written yet")
    page = new_page()
    ui.goto(page, app_url + "/terms", content=".js-plotly-plot")
    ui.open_tab(page, "Tone nearby")
    page.locator(f"{CHART} svg").first.wait_for(state="visible", timeout=60_000)
    text = ui.main_text(page)
    assert "Tone around your phrases" in text
    assert "Jacqui Smith's sentences about ‘left behind’" in text
    assert "Daniel Zeichner's sentences about ‘left behind’" in text
    # a dot of the chart: Vega draws the circles (the top layer) as symbol paths
    dots = page.locator(f"{CHART} svg g.mark-symbol.role-mark").last.locator("path")
    dots.first.wait_for(state="attached", timeout=30_000)
    box = next(b for b in (dots.nth(i).bounding_box() for i in range(dots.count())) if b and b["width"] > 3)
    ui.rerun(page, lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
    page.mouse.move(5, 5)  # no tooltip over the screenshot
    assert "occurrence(s). Score: TextBlob polarity of the sentence" in ui.main_text(page)
    cells = ui.grid_cells(page)
    assert "words that drove it" in cells and "left behind" in cells
    ui.assert_clean(page, "Terms: Tone nearby")
    ui.screenshot(page, "phrase_tone_terms")
