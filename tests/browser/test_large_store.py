"""A server started on a large precomputed store (EXPLORER_STORE) opens on the store overview,
which reads the store's aggregates; the threshold is lowered so that a store of the seeds counts
as large. Its own server, so the other browser tests keep the normal app."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser import streamlit_ui as ui
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("large-store") / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(SEEDS), "--out", str(out), "--no-progress"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    log = ROOT / "artifacts" / "browser-server-large-store.log"
    proc, url = ui.start_server(ui.app_dir(), log, env={"EXPLORER_STORE": str(out),
                                                        "EXPLORER_LARGE_STORE_DOCS": "2"})
    try:
        ui.wait_healthy(url, proc, ui.START_TIMEOUT_S)
        yield url
    finally:
        ui.stop_server(proc)


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_store_overview_in_the_browser(new_page, store_url):
    page = new_page()
    ui.goto(page, store_url + "/", content='[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg.marks')
    ui.assert_clean(page, "store overview")
    assert metric(page, "Documents") == "3"
    assert page.locator('[data-testid="stVegaLiteChart"] svg.marks').count() >= 2  # tone and topics per group
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Overview" in nav and "Methods" in nav and "Terms" not in nav
    ui.screenshot(page, "large_store_overview")


def test_store_overview_link_keeps_its_filter(new_page, store_url):
    page = new_page()
    ui.goto(page, store_url + "/?authors=Jacqui+Smith", content='[data-testid="stMain"] [data-testid="stMetric"]')
    ui.assert_clean(page, "store overview, filtered")
    assert metric(page, "Documents") == "1"
    assert "Jacqui Smith" in ui.grid_cells(page)
