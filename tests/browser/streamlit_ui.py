"""Helpers for driving the Streamlit app in a real browser (Playwright, sync API).

Imported by the browser tests (``tests/browser`` is on ``sys.path`` under
pytest's default import mode). Nothing here knows about a particular page
beyond what the navigation and Streamlit's own test ids expose.

"Ready" (idle) means, all at once, for at least ``SETTLE_S`` seconds:

- ``[data-testid=stApp]`` says the script is not running
  (``data-test-script-state="notRunning"``) and the websocket is connected;
- there is no ``[data-testid=stStatusWidget]`` (the "Running…" indicator),
  no spinner (``stSpinner``, drawn by ``show_spinner`` / ``st.spinner``), no
  skeleton and no stale element (``data-stale="true"``, left over from the
  previous run while a rerun is drawing).

Actions that rerun the script (a click, a widget change, a page switch) are
wrapped in :func:`rerun`, which waits for the run that the action started to
finish, counted by a MutationObserver on ``stApp`` (:data:`INIT_JS`), so an
old page is never mistaken for the new one.
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
LOAD_TIMEOUT_MS = 180_000   # first run of a page on a cold cache, loaded machine
ACTION_TIMEOUT_MS = 120_000
SETTLE_S = 0.4

#: Counts finished script runs (transitions into "notRunning") in window.__stRuns.
INIT_JS = r"""
(() => {
  // Counts finished script runs: transitions of stApp's data-test-script-state into
  // "notRunning". Attribute records carry the old values, so states that come and go
  // within one batch of mutations (a fast run on a busy machine) are still counted.
  window.__stRuns = 0;
  let last = null;
  const feed = (s) => {
    if (s === last || s === null || s === undefined) return;
    if (s === 'running' && window.__stFirstRunning === undefined) window.__stFirstRunning = performance.now();
    if (s === 'notRunning' && last !== null) {
      window.__stRuns += 1;
      if (window.__stFirstDone === undefined) window.__stFirstDone = performance.now();
    }
    last = s;
  };
  const obs = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target.getAttribute('data-testid') === 'stApp') feed(r.oldValue);
    }
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) feed(app.getAttribute('data-test-script-state'));
  });
  const start = () => obs.observe(document.documentElement, {subtree: true, childList: true,
    attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

IDLE_JS = r"""
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector(
    '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stSkeleton"], ' +
    '[data-testid="stElementContainer"][data-stale="true"]')) return false;
  // part of the page still being worked out in the background (ui/waiting.py) is not idle either
  return !(document.body.innerText || '').includes('Still working out');
}
"""

#: Elements and texts that mean a user is looking at an error instead of the page.
EXCEPTION_SELECTOR = '[data-testid="stException"], [data-testid="stExceptionMessage"], [data-testid="stExceptionTraceRow"]'
GUARD_MESSAGE = "Something went wrong"
STREAMLIT_REDACTED = "This app has encountered an error"


# --------------------------------------------------------------------------- the app's pages

def app_dir() -> Path:
    """The checkout whose ``app.py`` is served (``EXPLORER_TEST_APP_DIR``, default this one)."""
    return Path(os.environ.get("EXPLORER_TEST_APP_DIR") or ROOT).resolve()


def declared_pages() -> list[tuple[str, str]]:
    """``(path, title)`` of each page in ``app.py``'s ``PAGES`` (read without running it)."""
    tree = ast.parse((app_dir() / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [(row[0], row[1]) for row in ast.literal_eval(node.value)]
    return []


def page_exists(path: str) -> bool:
    return (app_dir() / path).is_file()


def page_source(path: str) -> str:
    """The source of a page file ("" when it does not exist yet)."""
    f = app_dir() / path
    return f.read_text(encoding="utf-8") if f.is_file() else ""


# --------------------------------------------------------------------------- the server

START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s:.0f} s")


def start_server(cwd: Path, log_path: Path, env: dict | None = None,
                 extra_args: list[str] | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` in ``cwd`` on a free port (``env``: extra environment variables;
    ``extra_args``: more ``streamlit run`` options, e.g. ``["--server.disconnectedSessionTTL", "5"]``)."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w", encoding="utf-8")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           *(extra_args or [])]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # own process group: killed as a whole
    log.close()
    return proc, f"http://127.0.0.1:{port}"


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- waiting

def runs(page) -> int:
    """How many script runs have finished in this page (since it loaded)."""
    return int(page.evaluate("() => window.__stRuns || 0"))


def wait_idle(page, timeout_ms: int = ACTION_TIMEOUT_MS, content: str | None = None) -> None:
    """Wait until the app is idle (see module docstring) and, if given, ``content`` (a CSS
    selector) is visible, and both stay so for ``SETTLE_S`` seconds."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left = max(1, int((deadline - time.monotonic()) * 1000))
        page.wait_for_function(IDLE_JS, timeout=left, polling=100)
        if content:
            page.wait_for_selector(content, state="visible", timeout=max(1, int((deadline - time.monotonic()) * 1000)))
        time.sleep(SETTLE_S)
        if page.evaluate(IDLE_JS) and (not content or page.locator(content).first.is_visible()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not settle within {timeout_ms / 1000:.0f} s")


def rerun(page, action, timeout_ms: int = ACTION_TIMEOUT_MS, content: str | None = None,
          expect_run: bool = True, effect: str | None = None) -> None:
    """Do ``action()`` (which makes the app rerun) and wait for that run to finish and settle.

    The run is seen as one more finished run or, if given, as its ``effect`` (a JS
    predicate): a browser short of CPU may handle "run started" and "run finished" in
    one go, so that the running state never reaches the page.
    """
    before = runs(page)
    action()
    if expect_run:
        seen = f"(window.__stRuns || 0) > {before}" + (f" || ({effect})()" if effect else "")
        page.wait_for_function(f"() => {seen}", timeout=timeout_ms, polling=100)
    wait_idle(page, timeout_ms, content)


def goto(page, url: str, content: str | None = None, timeout_ms: int = LOAD_TIMEOUT_MS) -> float:
    """Open ``url`` and wait until the first run is drawn; returns the seconds it took."""
    t0 = time.monotonic()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_function("() => (window.__stRuns || 0) > 0", timeout=timeout_ms, polling=100)
    wait_idle(page, timeout_ms, content or '[data-testid="stMain"] [data-testid="stElementContainer"]')
    return time.monotonic() - t0


# --------------------------------------------------------------------------- navigation

def nav_links(page) -> list[tuple[str, str]]:
    """``(path, label)`` of every page in the sidebar navigation, in menu order."""
    rows = page.eval_on_selector_all(
        '[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]',
        "els => els.map(e => [e.getAttribute('href'), e.innerText])")
    out = []
    for href, text in rows:
        label = text.strip().split("\n")[-1].strip()  # drop the material icon's name
        out.append((urlsplit(href).path or "/", label))
    return out


def click_nav(page, label: str, timeout_ms: int = LOAD_TIMEOUT_MS) -> None:
    """Switch page by clicking its navigation link and wait for the page to be drawn."""
    links = nav_links(page)
    labels = [lab for _, lab in links]
    if label not in labels:
        raise AssertionError(f"{label!r} is not in the navigation: {labels}")
    i = labels.index(label)
    link = page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').nth(i)
    title = page.evaluate("() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); "
                          "return h ? h.innerText : ''; }")
    effect = (f"() => location.pathname === {json.dumps(links[i][0])} && (() => {{ const h = "
              f"document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText !== "
              f"{json.dumps(title)}; }})()")
    rerun(page, link.click, timeout_ms, content='[data-testid="stMain"] [data-testid="stElementContainer"]',
          effect=effect)


def phrase_tracked_js(phrase: str) -> str:
    """A JS predicate: ``phrase`` is among the selected values of a multiselect."""
    return (f"() => [...document.querySelectorAll('[data-testid=\"stMultiSelect\"] [data-tag]')]"
            f".some(t => (t.getAttribute('aria-label') || '').toLowerCase() === {json.dumps(phrase.lower())})")


def add_phrase(page, phrase: str) -> None:
    """Type ``phrase`` into the Terms page's "Add a phrase" box and press Enter."""
    box = page.get_by_role("textbox", name="Add a phrase", exact=True)
    box.fill(phrase)
    already = page.evaluate(phrase_tracked_js(phrase))
    rerun(page, lambda: box.press("Enter"), effect=None if already else phrase_tracked_js(phrase))


def open_tab(page, name: str) -> None:
    """Select a tab of ``st.tabs`` (client-side, no rerun)."""
    page.get_by_role("tab", name=name, exact=True).first.click()
    page.wait_for_timeout(300)


# --------------------------------------------------------------------------- reading the page

def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def all_text(page) -> str:
    return page.locator('[data-testid="stApp"]').inner_text()


def problems(page, allow_friendly: bool = False) -> list[str]:
    """What on the page looks like an error shown to the user (empty list = none)."""
    found = []
    n = page.locator(EXCEPTION_SELECTOR).count()
    if n:
        found.append(f"{n} Streamlit exception element(s)")
    text = all_text(page)
    if "Traceback" in text:
        found.append("the text 'Traceback' is shown")
    if STREAMLIT_REDACTED in text:
        found.append(f"Streamlit's generic '{STREAMLIT_REDACTED}' box is shown")
    if not allow_friendly and GUARD_MESSAGE in text:
        found.append(f"the app's '{GUARD_MESSAGE}' message is shown")
    return found


def assert_clean(page, where: str = "", allow_friendly: bool = False) -> None:
    found = problems(page, allow_friendly)
    assert not found, f"{where or page.url}: " + "; ".join(found)


def grid_cells(page, scope: str = '[data-testid="stMain"]') -> list[str]:
    """Texts of the cells of every ``st.dataframe`` / ``st.data_editor`` in ``scope``.

    The grids are drawn on a canvas; Streamlit's grid keeps an accessible table of
    the cells in view, which is what this reads (headers included).
    """
    cells = (f'{scope} [data-testid="stDataFrame"] table[role="grid"] [role="gridcell"], '
             f'{scope} [data-testid="stDataFrame"] table[role="grid"] [role="columnheader"]')
    # A grid just shown (a tab opened, a rerun) fills its accessible table a moment later.
    deadline = time.monotonic() + 30
    while True:
        visible = page.eval_on_selector_all(f'{scope} [data-testid="stDataFrame"]',
                                            "els => els.filter(e => e.getBoundingClientRect().height > 0).length")
        texts = page.eval_on_selector_all(cells, "els => els.map(e => e.textContent)")
        if texts or not visible or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def multiselect_tags(page, label: str) -> list[str]:
    """The selected values shown in the multiselect labelled ``label``."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(
        has=page.get_by_role("combobox", name=label, exact=True))
    return box.first.locator("[data-tag]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")


def plot_texts(page) -> list[str]:
    """Every text Plotly drew (titles, ticks, legend entries, annotations) on the page."""
    return page.eval_on_selector_all(".js-plotly-plot svg text", "els => els.map(e => e.textContent)")


# --------------------------------------------------------------------------- screenshots

def screenshot(page, name: str) -> Path:
    """A full-page screenshot at 1280 px wide into artifacts/screenshots/<name>.png.

    Streamlit scrolls inside ``stMain`` rather than the document, so Playwright's
    ``full_page`` alone would cut the page at the viewport; the viewport is made as
    tall as the content for the shot and then put back.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    height = page.evaluate("""() => Math.max(900, ...['stMain', 'stSidebarContent', 'stAppViewContainer']
        .map(t => document.querySelector(`[data-testid="${t}"]`)).filter(Boolean).map(e => e.scrollHeight))""")
    size = page.viewport_size or VIEWPORT
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    try:
        page.wait_for_timeout(400)  # let charts re-layout to the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


# --------------------------------------------------------------------------- first screen

#: The Overview's headline metrics: what a visitor sees first.
FIRST_SCREEN_SELECTOR = '[data-testid="stMain"] [data-testid="stMetric"]'


def first_screen_ms(page, url: str, timeout_ms: int = LOAD_TIMEOUT_MS) -> float:
    """Open ``url`` and return the milliseconds from navigation start (the browser's
    ``performance.timeOrigin``) until the first screen is ready: the app idle (no
    status widget, spinner or stale element, script not running, connected) and
    the Overview's headline metrics visible. Confirmed to hold for ``SETTLE_S``."""
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    js = f"""() => {{
        const idle = ({IDLE_JS})();
        const m = document.querySelector('{FIRST_SCREEN_SELECTOR}');
        const shown = m && m.getBoundingClientRect().height > 0 && m.innerText.trim() !== '';
        return (idle && shown && (window.__stRuns || 0) > 0) ? performance.now() : false;
    }}"""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        left = max(1, int((deadline - time.monotonic()) * 1000))
        ms = page.wait_for_function(js, timeout=left, polling=50).json_value()
        time.sleep(SETTLE_S)
        if page.evaluate(js) is not False:
            return float(ms)


def load_phases(page) -> dict[str, float]:
    """Milliseconds from navigation start to: the first byte of the server's answer (the
    page's HTML), the HTML and scripts loaded (DOMContentLoaded), the server starting the
    first script run, that run finishing."""
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0] || {};
        return {'server answered': nav.responseStart, 'DOMContentLoaded': nav.domContentLoadedEventEnd,
                'first run started': window.__stFirstRunning,
                'first run finished': window.__stFirstDone};
    }""")


# --------------------------------------------------------------------------- uploads

def upload_files(page, files: list, add: bool = False, timeout_ms: int = 300_000,
                 unanswered_ms: int = 60_000, settle: bool = True) -> None:
    """Choose ``files`` (Playwright file payloads or paths) in the Corpus page's uploader: they load
    at once (no button), replacing the texts in use, or added to them with ``add``. Waits for
    the "Loaded N document(s)" message of the run after the load and, with ``settle``, for the
    app to be idle.

    Once in a CI run (of several hundred uploads) a choice of files went unanswered: no script
    run followed it in 300 s. If no run has followed the choice or is running after ``unanswered_ms``,
    what the page shows is printed and saved as a screenshot, the files still waiting in the
    uploader are removed and the files are chosen once more; a second silence fails the test
    with that record."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    label = "Add them to the current texts" if add else None
    if add:
        radio = page.get_by_text(label, exact=True)
        rerun(page, radio.click)
    chooser = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    before = runs(page)
    loaded = f"() => (window.__stRuns || 0) > {before} && document.body.innerText.includes('Loaded ')"
    deadline = time.monotonic() + timeout_ms / 1000
    chooser.set_input_files(files)
    try:
        page.wait_for_function(loaded, timeout=min(unanswered_ms, timeout_ms), polling=200)
    except PlaywrightTimeout:
        answering = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]')"
                                  "?.getAttribute('data-test-script-state') === 'running'")
        if answering or runs(page) > before:  # it is being answered, slowly
            left = max(1, int((deadline - time.monotonic()) * 1000))
            page.wait_for_function(loaded, timeout=left, polling=200)
        else:
            first = _unanswered_upload(page, "upload-unanswered-1")
            print(f"[upload] no script run {unanswered_ms / 1000:.0f} s after the files were chosen; "
                  f"choosing them again. The page showed:\n{first}", file=sys.stderr)
            _drop_chosen_files(page)  # a new choice would queue behind a request that hangs
            chooser.set_input_files(files)
            left = max(1, int((deadline - time.monotonic()) * 1000))
            try:
                page.wait_for_function(loaded, timeout=left, polling=200)
            except PlaywrightTimeout:
                raise AssertionError("choosing the files twice loaded nothing; first time the page showed:\n"
                                     f"{first}\n--- second time ---\n"
                                     f"{_unanswered_upload(page, 'upload-unanswered-2')}") from None
    if settle:
        wait_idle(page, timeout_ms)


def _drop_chosen_files(page) -> None:
    """Remove every file chip from the uploader: a held upload request then no longer holds up
    the next choice (seen with a request held by a Playwright route)."""
    delete = page.locator('[data-testid="stFileUploader"] [data-testid="stFileChipDeleteBtn"] button')
    for _ in range(delete.count()):
        delete.first.click()
        page.wait_for_timeout(200)


def _unanswered_upload(page, shot: str) -> str:
    """What the page shows after an unanswered upload: its state, the uploader's text, the page's
    text; a screenshot into artifacts/screenshots/<shot>.png."""
    try:
        screenshot(page, shot)
        state = page.evaluate("""() => ({
            script: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
            runs: window.__stRuns || 0,
            uploader: document.querySelector('[data-testid="stFileUploader"]')?.innerText,
            status: document.querySelector('[data-testid="stStatusWidget"]')?.innerText || ''})""")
        return f"{state}\n{all_text(page)[:3000]}"
    except Exception as err:  # noqa: BLE001 - a record of a failure must not hide it
        return f"(could not read the page: {err})"
