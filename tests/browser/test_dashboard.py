"""The dashboard in a real browser (issue "dashboard").

One ``streamlit run app.py`` server serves the whole browser suite
(``conftest.app_server``); each test opens fresh browser contexts, that is
fresh Streamlit sessions on the seed corpus. Screenshots (1280 px wide, full
page) go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

import streamlit_ui as ui

pytestmark = pytest.mark.browser

PAGES = ui.declared_pages()
TERMS = "pages/terms.py"
CORPUS = "pages/corpus.py"
OVERVIEW = "pages/overview.py"


def need(path: str) -> None:
    if not ui.page_exists(path):
        pytest.skip(f"{path} is not written yet")


# --------------------------------------------------------------------------- first screen

def test_first_screen_time(new_page, app_url, app_pages, capsys):
    """Time from navigation start to the first screen, printed (a generous sanity bound only).

    First screen ready = the Overview's headline metrics (``st.metric``) visible and the
    app idle (so every chart drawn): script not running, connected, no status widget, spinner, skeleton (a chart
    still loading) or stale element (see ``streamlit_ui``). Measured in two fresh sessions
    (fresh browser contexts: nothing cached in the browser) on a server whose caches the
    first session already filled (``app_pages``)."""
    need(OVERVIEW)
    runs = []
    for _ in range(2):
        page = new_page()
        ms = ui.first_screen_ms(page, app_url + "/")
        ui.assert_clean(page, "Overview")
        runs.append((ms, ui.load_phases(page)))
    with capsys.disabled():
        for i, (ms, phases) in enumerate(runs, 1):
            steps = "; ".join(f"{k} {v / 1000:.2f} s" for k, v in phases.items() if v is not None)
            answered = phases.get("server answered") or 0.0
            print(f"\n[first screen] fresh session {i}: the Overview drawn (metrics, charts, app idle) "
                  f"{(ms - answered) / 1000:.2f} s after the server answered, {ms / 1000:.2f} s after navigation "
                  f"start ({steps})")
        print(f"[first screen] the server's very first session (cold caches) drew its first screen in "
              f"{app_pages.cold_load_s:.2f} s")
    assert max(ms for ms, _ in runs) < 120_000, f"first screen took {max(ms for ms, _ in runs) / 1000:.1f} s"


# --------------------------------------------------------------------------- every page

@pytest.fixture(scope="module")
def nav_session(chromium_browser, app_url, app_pages):
    """One visitor clicking through the navigation (a single session for the module)."""
    ctx = chromium_browser.new_context(viewport=dict(ui.VIEWPORT))
    ctx.add_init_script(ui.INIT_JS)
    ctx.set_default_timeout(ui.ACTION_TIMEOUT_MS)
    page = ctx.new_page()
    ui.goto(page, app_url + "/")
    yield page
    ctx.close()


@pytest.mark.parametrize("path,title", PAGES, ids=[p.split("/")[-1].removesuffix(".py") for p, _ in PAGES])
def test_page_renders(nav_session, app_pages, path, title):
    """Each page in the navigation draws without an exception box or the error message; screenshot."""
    need(path)
    href = app_pages.path_of(title)
    assert href is not None, f"{title!r} ({path}) is not in the navigation: {app_pages.nav}"
    page = nav_session
    if urlsplit(page.url).path != href:
        ui.click_nav(page, title)
    assert urlsplit(page.url).path == href
    ui.assert_clean(page, title)
    assert ui.main_text(page).strip(), f"{title}: the page is empty"
    ui.screenshot(page, f"page_{path.split('/')[-1].removesuffix('.py')}")


def test_navigation_matches_app(app_pages):
    """The navigation shows exactly the pages app.py declares, in order."""
    shown = [label for _, label in app_pages.nav]
    assert shown == [title for _, title in app_pages.declared]


# --------------------------------------------------------------------------- terms: phrases and drill-down

def add_phrase(page, phrase: str) -> None:
    ui.add_phrase(page, phrase)


@pytest.fixture(scope="module")
def terms_page(chromium_browser, app_url):
    """One visitor on the Terms page, shared by the tests below (in order: add a phrase,
    click a bar, copy the URL), which keeps the suite fast on a loaded machine."""
    need(TERMS)
    ctx = chromium_browser.new_context(viewport=dict(ui.VIEWPORT))
    ctx.add_init_script(ui.INIT_JS)
    ctx.set_default_timeout(ui.ACTION_TIMEOUT_MS)
    page = ctx.new_page()
    ui.goto(page, app_url + "/terms", content=".js-plotly-plot")
    yield page
    ctx.close()


def test_add_phrase_shows_in_chart(terms_page):
    """A phrase typed into "Add a phrase" is tracked, drawn in the charts and put in the URL."""
    page = terms_page
    add_phrase(page, "referendum")
    assert "referendum" in ui.multiselect_tags(page, "Tracked phrases")
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot svg text')]"
                           ".some(t => t.textContent === 'referendum')", timeout=30_000)
    assert "referendum" in ui.plot_texts(page)
    assert "referendum" in parse_qs(urlsplit(page.url).query).get("phrases", [])
    ui.assert_clean(page, "Terms after adding a phrase")
    ui.screenshot(page, "terms_phrase_added")


def click_first_bar(page, chart_key: str) -> None:
    """Click the first visible bar of a Plotly or a Vega-Lite (SVG) chart."""
    bars = page.locator(f".st-key-{chart_key} .js-plotly-plot g.trace.bars g.point path, "
                        f".st-key-{chart_key} svg.marks g.mark-rect path")
    bars.first.wait_for(state="attached", timeout=60_000)
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        if box and box["width"] > 3 and box["height"] > 3:
            ui.rerun(page, lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
            return
    pytest.fail(f"no visible bar in the chart {chart_key!r}")


def test_click_bar_drills_down_terms(terms_page):
    """Clicking a bar of the per-document phrase chart lists the lines behind it."""
    if "terms_doc_bars" not in ui.page_source(TERMS):
        pytest.skip("pages/terms.py has no chart with key 'terms_doc_bars' any more; update this test")
    page = terms_page
    click_first_bar(page, "terms_doc_bars")
    page.get_by_text(re.compile(r"occurrence\(s\) behind your selection")).first.wait_for(timeout=60_000)
    cells = ui.grid_cells(page)
    assert any(c in ("left behind", "single market", "referendum") for c in cells), cells
    ui.assert_clean(page, "Terms drill-down")
    ui.screenshot(page, "terms_drilldown")


def test_click_bar_drills_down_overview(fresh_page, app_url):
    """Clicking a document's bar in the Overview's tone chart offers that document in the Reader."""
    need(OVERVIEW)
    if "ov_tone_docs" not in ui.page_source(OVERVIEW) or "reader_link" not in ui.page_source(OVERVIEW):
        pytest.skip("pages/overview.py no longer has the clickable chart 'ov_tone_docs' with a Reader link; "
                    "update this test")
    page = fresh_page
    ui.goto(page, app_url + "/", content=".st-key-ov_tone_docs svg.marks")
    click_first_bar(page, "ov_tone_docs")
    link = page.locator('[data-testid="stPageLink"]').filter(has_text="in the Reader")
    link.first.wait_for(state="visible", timeout=60_000)
    ui.assert_clean(page, "Overview drill-down")
    ui.screenshot(page, "overview_drilldown")
    if ui.page_exists("pages/reader.py"):
        ui.rerun(page, link.first.click, content='[data-testid="stMain"] [data-testid="stElementContainer"]')
        assert urlsplit(page.url).path == "/reader"
        ui.assert_clean(page, "Reader opened from the Overview")


# --------------------------------------------------------------------------- corpus: uploads

def docx_bytes(title: str, author: str, paragraphs: list[str]) -> bytes:
    import io

    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = author
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def upload(page, files: list[dict], replace: bool = False) -> None:
    """Choose ``files`` in the Corpus page's uploader (they load at once): added to the texts in use,
    or replacing them with ``replace``."""
    ui.upload_files(page, files, add=not replace)


def test_upload_txt_and_docx(fresh_page, app_url):
    """A .txt and a .docx uploaded on the Corpus page appear in its documents table."""
    page = fresh_page
    need(CORPUS)
    tag = uuid.uuid4().hex[:8]
    ui.goto(page, app_url + "/corpus")
    files = [
        {"name": f"note_{tag}.txt", "mimeType": "text/plain",
         "buffer": f"A short note {tag} about the single market.\n\nA second paragraph.".encode()},
        {"name": f"memo_{tag}.docx",
         "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "buffer": docx_bytes(f"Memo {tag}", "Ada Tester", [f"The memo {tag} says we were left behind.",
                                                           "It ends here."])},
    ]
    upload(page, files)
    ui.open_tab(page, "Documents & metadata")
    page.wait_for_function(f"() => document.body.innerText.includes('memo_{tag}') || "
                           f"[...document.querySelectorAll('[role=gridcell]')].some(c => c.textContent === 'memo_{tag}')",
                           timeout=60_000)
    cells = ui.grid_cells(page)
    assert f"note_{tag}" in cells and f"memo_{tag}" in cells, cells
    assert f"Memo {tag}" in cells and "Ada Tester" in cells, "the .docx title/author metadata is missing"
    metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
    assert any(re.search(r"Documents\s+5\b", m) for m in metrics), metrics
    ui.assert_clean(page, "Corpus after upload")
    ui.screenshot(page, "corpus_uploaded")


def test_upload_limit_stated(fresh_page, app_url):
    """The Corpus page states the per-file upload limit of .streamlit/config.toml."""
    page = fresh_page
    need(CORPUS)
    import tomllib

    limit = tomllib.loads((ui.ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    ui.goto(page, app_url + "/corpus")
    text = ui.main_text(page)
    assert re.search(rf"\b{limit}\s*MB\b", text), f"the page does not state the {limit} MB limit"


# --------------------------------------------------------------------------- copied links

LINK = "/terms?phrases=left+behind&phrases=take+back+control&authors=Jacqui+Smith"


def test_copied_link_reproduces_view(new_page, app_url):
    """A link with page, phrases and filters opens the same view in a fresh session."""
    need(TERMS)
    page = new_page()
    ui.goto(page, app_url + LINK, content=".js-plotly-plot")
    assert ui.multiselect_tags(page, "Tracked phrases") == ["left behind", "take back control"]
    assert ui.multiselect_tags(page, "Author") == ["Jacqui Smith"]
    texts = " ".join(ui.plot_texts(page))
    assert "Jacqui Smith" in texts and "Daniel Zeichner" not in texts, "the author filter is not applied"
    assert "take back control" in ui.main_text(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("phrases") == ["left behind", "take back control"] and query.get("authors") == ["Jacqui Smith"]
    ui.assert_clean(page, "Terms from a copied link")


def test_url_round_trip(terms_page, new_page):
    """What one visitor sets up (a phrase, an author filter) is what their copied URL shows another."""
    a = terms_page
    if "referendum" not in ui.multiselect_tags(a, "Tracked phrases"):
        add_phrase(a, "referendum")
    author = a.get_by_role("combobox", name="Author", exact=True)
    author.click()
    ui.rerun(a, lambda: a.get_by_role("option", name="Daniel Zeichner", exact=True).click())
    a.keyboard.press("Escape")
    url = a.url
    assert "authors=Daniel+Zeichner" in url and "referendum" in url, url
    b = new_page()
    ui.goto(b, url, content=".js-plotly-plot")
    assert ui.multiselect_tags(b, "Tracked phrases") == ui.multiselect_tags(a, "Tracked phrases")
    assert ui.multiselect_tags(b, "Author") == ["Daniel Zeichner"]
    assert sorted(set(ui.plot_texts(b))) == sorted(set(ui.plot_texts(a)))
    ui.assert_clean(b, "Terms from a round-tripped link")
