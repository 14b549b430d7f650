"""Browser-test fixtures: a real ``streamlit run app.py`` server and Debian's chromium.

- ``app_server`` (session): starts ``streamlit run app.py`` from the project root (so
  ``.streamlit/config.toml`` applies) on a free loopback port, waits until
  ``/_stcore/health`` answers, yields it, and kills its whole process group at
  the end. Its log goes to ``artifacts/browser-server.log``.
- ``chromium_browser`` (session): Playwright's chromium driver launching
  ``/usr/bin/chromium`` (Playwright cannot download its own browser here).
- ``new_page`` (function): a factory of pages, each in a fresh browser context
  (= a fresh Streamlit session) at 1280x900; ``fresh_page`` is one such page.
  (Not named ``page``/``browser``: pytest-playwright's own fixtures keep those
  names; ``browser_type_launch_args`` below points them at the same chromium.)
- ``app_pages`` (session): the pages ``app.py`` declares and the navigation
  the running app shows; browser tests are skipped, with the reason, when the
  app cannot start because ``app.py`` lists page files that do not exist yet.

Every test in this folder is marked ``browser`` and skipped with a clear
reason when ``/usr/bin/chromium`` is missing (``make browser-deps`` installs it).

Environment knobs (for working on the tests, not needed in CI):
``EXPLORER_TEST_APP_DIR`` runs another checkout's ``app.py``;
``EXPLORER_TEST_URL`` uses an already running server on 127.0.0.1 instead of
starting one; ``EXPLORER_TEST_CHROMIUM`` another chromium binary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import streamlit_ui as ui

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("EXPLORER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_LOG = ROOT / "artifacts" / "browser-server.log"


# --------------------------------------------------------------------------- marking and skipping

def pytest_collection_modifyitems(config, items):
    skip = None
    if not os.access(CHROMIUM, os.X_OK):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium "
                                       "(`make browser-deps`) to run the browser tests")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


# --------------------------------------------------------------------------- the app's pages

@dataclass
class AppPages:
    declared: list[tuple[str, str]]          # (path, title) from app.py
    cold_load_s: float | None = None         # the first session on the fresh server
    nav: list[tuple[str, str]] = field(default_factory=list)  # (url path, label) shown by the app

    def path_of(self, title: str) -> str | None:
        return next((p for p, label in self.nav if label == title), None)

    def missing_files(self) -> list[str]:
        return [p for p, _ in self.declared if not (ui.app_dir() / p).exists()]


# --------------------------------------------------------------------------- the server

@dataclass
class AppServer:
    url: str
    pid: int | None
    log: Path | None

    def log_tail(self, n: int = 40) -> str:
        if not self.log or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


@pytest.fixture(scope="session")
def app_server():
    given = os.environ.get("EXPLORER_TEST_URL")
    if given:
        host = urlsplit(given).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            pytest.fail(f"EXPLORER_TEST_URL must be a loopback address, got {given!r}")
        ui.wait_healthy(given.rstrip("/"), None, 30)
        yield AppServer(given.rstrip("/"), None, None)
        return
    proc, url = ui.start_server(ui.app_dir(), SERVER_LOG)
    server = AppServer(url, proc.pid, SERVER_LOG)
    try:
        ui.wait_healthy(url, proc, ui.START_TIMEOUT_S)
    except Exception as err:  # noqa: BLE001
        ui.stop_server(proc)
        pytest.fail(f"could not start the app: {err}\n--- server log ---\n{server.log_tail()}")
    try:
        yield server
    finally:
        ui.stop_server(proc)


@pytest.fixture(scope="session")
def app_url(app_server, app_pages) -> str:
    """The server's base URL, once its main page has been opened (see ``app_pages``)."""
    return app_server.url


# --------------------------------------------------------------------------- the browser

@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Also points pytest-playwright's own fixtures at Debian's chromium."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium_browser):
    """``new_page()`` -> a page in a fresh context (a new Streamlit session), closed after the test."""
    contexts = []

    def make():
        ctx = chromium_browser.new_context(viewport=dict(ui.VIEWPORT), accept_downloads=False)
        ctx.add_init_script(ui.INIT_JS)
        ctx.set_default_timeout(ui.ACTION_TIMEOUT_MS)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass


@pytest.fixture
def fresh_page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def app_pages(chromium_browser, app_server) -> AppPages:
    """The declared pages and the navigation the running app shows (skips when it cannot start).

    This opens the main page ("/") first on the new server, as a visitor would
    (``test_hosted_demo.py::test_deep_link_on_fresh_server`` checks the other way in).
    """
    pages = AppPages(ui.declared_pages())
    ctx = chromium_browser.new_context(viewport=dict(ui.VIEWPORT))
    ctx.add_init_script(ui.INIT_JS)
    try:
        p = ctx.new_page()
        try:
            pages.cold_load_s = ui.goto(p, app_server.url + "/")
            if not p.locator('[data-testid="stSidebarNav"]').count():
                raise RuntimeError("no navigation; the page says: " + ui.all_text(p)[:300])
            pages.nav = ui.nav_links(p)
        except Exception as err:  # noqa: BLE001
            missing = pages.missing_files()
            if missing:
                pytest.skip("the app cannot start yet: app.py lists page files that do not exist: "
                            + ", ".join(missing))
            pytest.fail(f"the app did not show its navigation: {err}\n--- server log ---\n"
                        f"{app_server.log_tail()}")
    finally:
        ctx.close()
    if not pages.nav:
        pytest.fail("the app shows no navigation links")
    return pages
