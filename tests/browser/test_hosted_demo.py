"""Hosted-demo safety in a real browser (issue "hosted demo").

Strangers share one server: what a document says must never run, one
visitor's documents must never reach another, and nobody ever sees a
traceback. See also ``tests/test_hostile_input.py`` (unit level, config).
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from urllib.parse import urlsplit

import pytest

import streamlit_ui as ui

pytestmark = pytest.mark.browser

PAYLOAD = ('<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) '
           '![x](http://example.invalid/x.png)')
SCRIPT = "<script>alert(1)</script>"


def need(path: str) -> None:
    if not ui.page_exists(path):
        pytest.skip(f"{path} is not written yet")


# --------------------------------------------------------------------------- watching for execution

#: Anything in a document (of the page or of a same-origin frame) that would mean markup from a
#: document was interpreted rather than shown.
DOM_FINDINGS_JS = r"""
() => {
  const out = [];
  const bad = (u) => u === 'x' || /example\.invalid/i.test(u || '');
  for (const img of document.querySelectorAll('img, image, source')) {
    const src = img.getAttribute('src') || img.getAttribute('href') || img.getAttribute('xlink:href') || '';
    if (bad(src)) out.push(`<${img.tagName.toLowerCase()}> with src ${src}`);
  }
  for (const a of document.querySelectorAll('a')) {
    for (const h of [a.getAttribute('href'), a.getAttribute('xlink:href')]) {
      if (h && /^\s*javascript:/i.test(h)) out.push(`<a> with href ${h}`);
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if ((s.textContent || '').includes('alert(1)')) out.push('a <script> element with alert(1)');
  }
  for (const e of document.querySelectorAll('[onerror], [onload], [onclick]')) {
    const v = e.getAttribute('onerror') || e.getAttribute('onload') || e.getAttribute('onclick') || '';
    if (v.includes('alert')) out.push(`<${e.tagName.toLowerCase()}> with an event handler ${v}`);
  }
  for (const f of document.querySelectorAll('iframe[srcdoc]')) {
    if ((f.getAttribute('srcdoc') || '').includes('<script>alert(1)')) out.push('an iframe srcdoc with the raw script');
  }
  return out;
}
"""


class Watch:
    """Records dialogs (alert/confirm/prompt), requests to the payload's URLs and DOM findings."""

    def __init__(self, page):
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.context.route(re.compile(r"example\.invalid"), lambda route: route.abort())

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request) -> None:
        path = urlsplit(request.url).path
        if "example.invalid" in request.url or path.endswith("/x") or path.endswith("/x.png"):
            self.requests.append(request.url)

    def dom(self) -> list[str]:
        found = []
        for frame in self.page.frames:
            try:
                found += [f"{frame.url or 'page'}: {f}" for f in frame.evaluate(DOM_FINDINGS_JS)]
            except Exception:  # noqa: BLE001 - a cross-origin or detached frame
                pass
        return found

    def check(self, where: str) -> list[str]:
        out = [f"{where}: {f}" for f in self.dom()]
        out += [f"{where}: a dialog fired ({d})" for d in self.dialogs]
        out += [f"{where}: a request went to {u}" for u in self.requests]
        self.dialogs.clear()
        self.requests.clear()
        return out


# --------------------------------------------------------------------------- files

def csv_bytes(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def docx_bytes(title: str, author: str, paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = author
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def payload(name: str, data: bytes, mime: str = "text/plain") -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOSTILE_NAME = "<img src=x onerror=alert(1)> [y](javascript:alert(1))"  # a file name cannot hold "/"
HOSTILE_TEXT = (f"Some towns were left behind. {PAYLOAD} They felt left behind again.\n\n"
                f"Another paragraph repeats it: {PAYLOAD}")


def hostile_files() -> list[dict]:
    """The payload in a text, and as title/author/source metadata three ways: a metadata.csv
    beside a .txt, the columns of an uploaded CSV table, and a .docx's core properties; and
    markup as a file name (which becomes a doc_id)."""
    return [
        payload("hostile.txt", HOSTILE_TEXT.encode()),
        payload("metadata.csv", csv_bytes([{"file": "hostile.txt", "title": PAYLOAD, "author": PAYLOAD,
                                             "source": PAYLOAD}]), "text/csv"),
        payload("hostile_table.csv", csv_bytes([{"doc_id": "hostile_row", "title": PAYLOAD + " (table)",
                                                 "author": PAYLOAD, "text": HOSTILE_TEXT}]), "text/csv"),
        payload("hostile_word.docx", docx_bytes(PAYLOAD + " (docx)", PAYLOAD, HOSTILE_TEXT.split("\n\n")), DOCX),
        payload(HOSTILE_NAME + ".txt", HOSTILE_TEXT.encode()),
    ]


def upload(page, files: list[dict], replace: bool = False) -> None:
    """Choose ``files`` in the Corpus page's uploader (they load at once): added to the texts in use,
    or replacing them with ``replace``."""
    ui.upload_files(page, files, add=not replace)


def select_option(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (a rerun)."""
    page.get_by_role("combobox", name=label, exact=True).click()
    ui.rerun(page, page.get_by_role("option", name=option, exact=True).first.click)


def page_words(page) -> str:
    """Everything a visitor can read: page text, grid cells and chart labels."""
    return "\n".join([ui.all_text(page), *ui.grid_cells(page), *ui.plot_texts(page)])


# --------------------------------------------------------------------------- nothing a document says runs

def test_hostile_document_is_only_text(new_page, app_url, app_pages):
    """Markup and Markdown in a document's text, title, author and source are shown as
    exactly that text on the Corpus, Reader, Terms (keyword in context) and Overview
    pages, and nothing of it runs on any page: no dialog, no injected <img>/<script>,
    no javascript: link, no request to its URLs."""
    need("pages/corpus.py")
    page = new_page()
    watch = Watch(page)
    ui.goto(page, app_url + "/corpus")
    upload(page, hostile_files(), replace=True)
    failures = watch.check("Corpus after the upload")

    ui.open_tab(page, "Documents & metadata")
    cells = ui.grid_cells(page)
    if PAYLOAD not in cells:
        failures.append(f"Corpus: no table cell shows the title/author exactly as written; cells: {cells[:40]}")
    if HOSTILE_NAME not in cells:
        failures.append(f"Corpus: the file name is not shown as written in the doc_id column; cells: {cells[:40]}")
    if ui.page_exists("pages/corpus.py"):
        ui.assert_clean(page, "Corpus with hostile documents")
    ui.screenshot(page, "hostile_corpus")

    checks = {
        "Reader": lambda: reader_check(page),
        "Terms & phrases": lambda: terms_check(page),
        "Overview": lambda: overview_check(page),
    }
    for path, label in app_pages.nav:
        if label == "Corpus":
            continue
        try:
            ui.click_nav(page, label)
            found = ui.problems(page)
            failures += [f"{label}: {f}" for f in found]
            if label in checks:
                failures += checks[label]()
            ui.screenshot(page, f"hostile_{path.strip('/') or 'overview'}")
        except Exception as err:  # noqa: BLE001 - go on to the other pages, report all
            failures.append(f"{label}: {type(err).__name__}: {str(err).splitlines()[0]}")
        failures += watch.check(label)
    page.wait_for_timeout(1500)  # anything deferred (an image load, a timer) would show by now
    failures += watch.check("the end")
    assert not failures, "\n".join(failures)


def reader_check(page) -> list[str]:
    if page.get_by_role("combobox", name="Document", exact=True).count():
        current = page.get_by_role("combobox", name="Document", exact=True).first
        if PAYLOAD not in (current.input_value() if current.evaluate("e => e.tagName") == "INPUT" else current.inner_text()):
            select_option(page, "Document", PAYLOAD)
    text = ui.main_text(page)
    out = []
    if PAYLOAD not in page_words(page):
        out.append("Reader: the title is not shown exactly as written")
    if "Some towns were left behind. " + PAYLOAD not in text:
        out.append("Reader: the document's text is not shown exactly as written")
    return out


def terms_check(page) -> list[str]:
    ui.open_tab(page, "Where & in context")
    page.wait_for_timeout(500)
    cells = ui.grid_cells(page)
    if not any(SCRIPT in c for c in cells):
        return [f"Terms: no keyword-in-context cell shows {SCRIPT!r} as text; cells: {cells[:30]}"]
    return []


def overview_check(page) -> list[str]:
    out = []
    if SCRIPT not in page_words(page):
        out.append(f"Overview: {SCRIPT!r} (title/author) is not shown as text anywhere")
    # A chart's tooltip is HTML (Vega's tooltip handler): hover a bar and read it.
    bars = page.locator(".st-key-ov_tone_docs svg.marks g.mark-rect path")
    if not bars.count():
        return out + ["Overview: no bar in the tone chart to hover"]
    for i in range(bars.count()):
        bars.nth(i).hover(force=True)
        try:
            page.wait_for_selector(".vg-tooltip.visible", timeout=3_000)
        except Exception:  # noqa: BLE001 - a bar too thin to hover; try the next
            continue
        tip = page.locator(".vg-tooltip").first
        if tip.locator("img, script, a, iframe").count():
            out.append("Overview: the chart tooltip holds markup from the document")
        if SCRIPT in tip.inner_text():
            return out
    return out + [f"Overview: no chart tooltip shows {SCRIPT!r} as text"]


# --------------------------------------------------------------------------- isolation

def visible_everywhere(page, marker: str, app_pages) -> list[str]:
    """The pages (navigation labels) on which ``marker`` can be read."""
    seen = []
    for _, label in app_pages.nav:
        ui.click_nav(page, label)
        words = page_words(page)
        if label == "Corpus":
            for tab in ("Documents & metadata", "Cleaning", "Load errors"):
                tabs = page.get_by_role("tab").filter(has_text=tab)
                if tabs.count():
                    tabs.first.click()
                    page.wait_for_timeout(300)
                    words += "\n".join(ui.grid_cells(page)) + ui.all_text(page)
        if marker in words:
            seen.append(label)
    return seen


def edit_first_author(page, value: str) -> None:
    """Type ``value`` into the author cell of the first row of the Corpus metadata table and save."""
    ui.open_tab(page, "Documents & metadata")
    grid = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    headers = grid.locator('table[role="grid"] [role="columnheader"]').all_inner_texts()
    target = headers.index("author") + 1  # aria-colindex is 1-based
    selected = ('() => { const c = document.querySelector(\'[data-testid="stMain"] [data-testid="stDataFrame"] '
                '[role="gridcell"][aria-selected="true"]\'); return c ? [c.getAttribute("aria-colindex"), '
                'c.parentElement.getAttribute("aria-rowindex")] : null }')
    canvas = grid.locator("canvas").first
    canvas.wait_for(state="visible")
    for attempt in range(5):
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)  # first body row, first column
        try:
            page.wait_for_function(f"() => {{ const s = ({selected})(); return s && s[1] === '2'; }}",
                                   timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the grid was still being drawn; click again
            if attempt == 4:
                raise
    for _ in range(10):
        col = int(page.evaluate(selected)[0])
        if col == target:
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({selected})()[0] === '{col + 1}'", timeout=10_000)
    editor = page.locator(".gdg-input").first
    for attempt in range(5):
        page.keyboard.press("Enter")  # open the cell editor (an overlay textarea)
        try:
            editor.wait_for(state="visible", timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - a busy browser drops the key; press again
            if attempt == 4:
                raise
    editor.fill(value)
    written = f"() => document.body.innerText.includes({value!r}) || !document.querySelector('.gdg-input')"
    ui.rerun(page, lambda: editor.press("Enter"), effect=written)
    ui.rerun(page, page.get_by_role("button", name="Save metadata").click)


def test_sessions_are_isolated(new_page, app_url, app_pages):
    """Visitor A's upload never reaches B (open at the same time) nor C (opened after it),
    and B's metadata edit and phrase never reach A."""
    need("pages/corpus.py")
    mark_a = "zqa" + uuid.uuid4().hex[:10]
    mark_b = "zqb" + uuid.uuid4().hex[:10]
    a, b = new_page(), new_page()
    # Both sessions start together.
    a.goto(app_url + "/corpus", wait_until="commit")
    b.goto(app_url + "/", wait_until="commit")
    ui.goto(a, app_url + "/corpus")
    ui.goto(b, app_url + "/")

    upload(a, [payload(f"{mark_a}.txt", f"Visitor A's private note {mark_a} about the single market.".encode())])
    ui.open_tab(a, "Documents & metadata")
    assert f"{mark_a}" in ui.grid_cells(a), "A's upload is not in A's own table"

    c = new_page()
    ui.goto(c, app_url + "/")
    for name, other in (("B (open at the same time)", b), ("C (opened after the upload)", c)):
        leaked = visible_everywhere(other, mark_a, app_pages)
        assert not leaked, f"{name} sees A's document on: {leaked}"

    # B edits its metadata and tracks a phrase; A must see neither.
    ui.click_nav(b, "Corpus")
    edit_first_author(b, f"Author {mark_b}")
    assert f"Author {mark_b}" in ui.grid_cells(b)
    if any(label == "Terms & phrases" for _, label in app_pages.nav):
        ui.click_nav(b, "Terms & phrases")
        ui.add_phrase(b, f"{mark_b} phrase")
        assert f"{mark_b} phrase" in ui.multiselect_tags(b, "Tracked phrases")
    leaked = visible_everywhere(a, mark_b, app_pages)
    assert not leaked, f"A sees B's metadata edit or phrase on: {leaked}"
    assert mark_b not in a.url
    # A still has its own document (the checks above looked at a live session).
    ui.click_nav(a, "Corpus")
    ui.open_tab(a, "Documents & metadata")
    assert mark_a in ui.grid_cells(a)


# --------------------------------------------------------------------------- friendly failure

BOGUS = ("?k=abc&doc=nonexistent&year_from=x&year_to=99999999999999999999&group_by=%3Cscript%3E"
         "&method=evil&authors=Nobody&docs=nope&phrases=%2A%2A%2A&phrases=left+%2A&clean=maybe"
         "&exclude_phrase_words=2&read=nonexistent")


def test_bogus_url_parameters(new_page, app_url, app_pages):
    """A link with nonsense parameters opens every page without a traceback or error box."""
    page = new_page()
    ui.goto(page, app_url + "/" + BOGUS)
    failures = []
    for _, label in app_pages.nav:
        try:
            ui.click_nav(page, label)
            failures += [f"{label}: {f}" for f in ui.problems(page)]
        except Exception as err:  # noqa: BLE001
            failures.append(f"{label}: {type(err).__name__}: {str(err).splitlines()[0]}")
    ui.screenshot(page, "bogus_params_last_page")
    assert not failures, "\n".join(failures)


def test_bogus_parameters_on_deep_links(new_page, app_url, app_pages):
    """The same nonsense on a deep link to the Reader and the Topics page (their own params)."""
    failures = []
    for path in ("/reader", "/topics"):
        if path not in [p for p, _ in app_pages.nav]:
            continue
        page = new_page()
        ui.goto(page, app_url + path + BOGUS)
        failures += [f"{path}: {f}" for f in ui.problems(page)]
    assert not failures, "\n".join(failures)


def test_corrupt_uploads_fail_politely(new_page, app_url):
    """Corrupt files are listed as load errors with a reason; no traceback, no error box."""
    need("pages/corpus.py")
    page = new_page()
    ui.goto(page, app_url + "/corpus")
    good = f"fine_{uuid.uuid4().hex[:6]}"
    files = [
        payload("broken.docx", os.urandom(2048), DOCX),
        payload("broken.pdf", b"%PDF-1.7\n" + os.urandom(1024), "application/pdf"),
        payload("broken.zip", b"PK\x03\x04" + os.urandom(512), "application/zip"),
        payload("broken.json", b'{"text": "unterminated', "application/json"),
        payload("binary.txt", bytes(range(256)) * 16),
        payload("empty.txt", b""),
        payload("broken.csv.gz", b"\x1f\x8b\x08\x00" + os.urandom(64), "application/gzip"),
        payload(f"{good}.txt", b"This one is fine and mentions the single market."),
    ]
    upload(page, files)
    ui.assert_clean(page, "Corpus after corrupt uploads")
    error_tab = page.get_by_role("tab").filter(has_text=re.compile(r"Load errors"))
    label = error_tab.first.inner_text()
    n = int(re.search(r"\((\d+)\)", label).group(1))
    assert n >= 6, f"expected the broken files to be listed as load errors, the tab says {label!r}"
    error_tab.first.click()
    page.wait_for_timeout(500)
    cells = ui.grid_cells(page)
    for name in ("broken.docx", "broken.pdf", "broken.zip", "broken.json"):
        assert any(name in c for c in cells), f"{name} is not listed among the load errors: {cells}"
    assert "Traceback" not in "\n".join(cells)
    ui.open_tab(page, "Documents & metadata")
    assert good in ui.grid_cells(page), "the good file uploaded with the broken ones is missing"
    ui.screenshot(page, "corpus_load_errors")


# --------------------------------------------------------------------------- a fresh server, a deep link

#: (deep link, the page's title, text that shows the query string reached the page)
DEEP_LINKS = [
    ("/terms?phrases=bitter+tears", "Terms & phrases", "bitter tears"),
    ("/sentiment", "Sentiment", None),
    ("/reader?doc=003_963148aadf6ce902", "Reader", "Daniel Zeichner"),
    ("/topics", "Topics", None),
]


@pytest.mark.parametrize("link,title,expect", DEEP_LINKS, ids=[d[0].split("?")[0].strip("/") for d in DEEP_LINKS])
def test_deep_link_on_fresh_server(chromium_browser, link, title, expect):
    """The first visitor after a (re)start arrives by a shared link to a page, not "/"
    (a hosted demo that slept, a redeploy): the page still runs inside app.py's frame.

    Streamlit decides on the first script run of a process whether the ``pages/`` folder
    beside app.py is a legacy (v1) multipage folder; left alone, that first run of a deep
    link draws the page on its own - without app.py's navigation, sidebar filters, URL
    state and error guard. ``ui.frame.enter`` (the first call of every page) puts it back
    in the frame. Each link gets a server of its own, so each is the very first request.
    """
    proc, url = ui.start_server(ui.app_dir(), ui.ROOT / "artifacts" / "browser-server-fresh.log")
    try:
        ui.wait_healthy(url, proc, ui.START_TIMEOUT_S)
        ctx = chromium_browser.new_context(viewport=dict(ui.VIEWPORT))
        ctx.add_init_script(ui.INIT_JS)
        page = ctx.new_page()
        ui.goto(page, url + link)
        shown = [label for _, label in ui.nav_links(page)]
        filters = page.locator('[data-testid="stSidebarUserContent"] [data-testid="stMultiSelect"]').count()
        heading = page.locator('[data-testid="stMain"] h1').first.inner_text()
        text = ui.main_text(page)
        address = page.url
        problems = ui.problems(page)
        ui.screenshot(page, "deep_link_" + link.split("?")[0].strip("/"))
        ctx.close()
    finally:
        ui.stop_server(proc)
    declared = [t for _, t in ui.declared_pages()]
    assert shown == declared and filters, (
        f"a deep link to {link} as the first request after a restart shows the navigation {shown} and "
        f"{filters} sidebar filters instead of app.py's {declared}: the page ran outside the frame")
    assert heading.startswith(title), f"{link} shows the page {heading!r}, not {title!r}"
    if expect:
        assert expect in text, f"the link's query ({link}) did not reach the page: {expect!r} is not shown"
    query = link.partition("?")[2]
    assert not query or query.split("=")[0] in address, f"the address lost the link's state: {address}"
    assert not problems, problems
