"""A large upload in a real browser: the pages do not wait for the heavy analyses.

The 493 UK COVID speeches (../shared/corpora) are uploaded; their tone scores and topics are
worked out by a background process (ui/background.py). The Overview opened right away draws
what it can, says in words what is still being worked out, and - with no click from the
visitor - fills in the rest once it is ready. Screenshots: ``overview_waiting.png`` and
``overview_waited.png``.
"""

from __future__ import annotations

import gzip
import re
import uuid

import pytest

import streamlit_ui as ui

pytestmark = pytest.mark.browser

COVID = ui.ROOT.parent / "shared" / "corpora" / "uk-covid-opposition" / "uk_covid_opposition_speeches.csv.gz"
WAITING = "Still working out"


def test_overview_fills_itself_in_after_a_large_upload(new_page, app_url):
    if not COVID.exists():
        pytest.skip(f"{COVID} is absent (../shared)")
    page = new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    ui.goto(page, app_url + "/corpus")
    # one made-up word makes this corpus new to the server: its analyses are not in any cache
    # (another test may have uploaded the same speeches), so they are worked out in the background
    speeches = gzip.decompress(COVID.read_bytes()).replace(b" the ", f" the zq{uuid.uuid4().hex[:8]} ".encode(), 1)
    ui.upload_files(page, [{"name": "uk_covid_speeches.csv", "mimeType": "text/csv", "buffer": speeches}],
                    settle=False)
    page.get_by_text(re.compile(r"Loaded 493 document")).first.wait_for(timeout=ui.LOAD_TIMEOUT_MS)

    # straight to the Overview, without waiting for the analyses
    i = [label for _, label in ui.nav_links(page)].index("Overview")
    page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').nth(i).click()
    page.get_by_text(WAITING).first.wait_for(timeout=ui.LOAD_TIMEOUT_MS)
    text = ui.main_text(page)
    assert "Overview" in text and "Documents" in text, "the Overview drew nothing while it waited"
    assert re.search(r"Still working out the (tone of every sentence|topics) of your [\d,]+ words: \d+ s so far",
                     text), text[-800:]
    assert "appears by itself" in text
    assert not ui.problems(page), ui.problems(page)
    ui.screenshot(page, "overview_waiting")

    # nothing is clicked: the page fills itself in
    page.wait_for_function(f"() => !document.body.innerText.includes({WAITING!r})", timeout=300_000, polling=500)
    ui.wait_idle(page)
    ui.assert_clean(page, "Overview after the background analyses")
    text = ui.main_text(page)
    assert "Tone of each document" in text and re.search(r"(Most positive|Least negative) document", text), text[:1500]
    assert "Each bar: one document split into topics" in text, text[-1500:]
    ui.screenshot(page, "overview_waited")
