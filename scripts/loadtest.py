"""Load test: concurrent real browser sessions against a local Streamlit server.

    .venv/bin/python scripts/loadtest.py --sessions 12 --duration 60

Starts ``streamlit run app.py`` on a free loopback port with the project's
``.streamlit/config.toml`` (or uses ``--url`` for a server already running on
127.0.0.1; other hosts are refused: this is not a tool for loading other
people's servers), then runs N browser sessions at once - Playwright contexts
in one Debian chromium, async API - for a fixed time. Each session opens the
app, visits every page in the navigation in turn and adds a phrase on the
Terms page, over and over, each loop bounded in count and time. With
``--upload-kb N`` each session first uploads a document of its own, so that
sessions no longer share one corpus and one set of cached results (the
memory-heavy case).

Printed at the end:

- time to ready per page, p50 and p95 (s) over all sessions. "Ready" is the
  same as in the browser tests: the script is not running, the websocket is
  connected, no status widget, spinner, skeleton or stale element, and the
  page has drawn something; timed from the click (or the navigation) that
  asked for the page;
- errors: exception boxes / error messages on a page, timeouts, other failures;
- the server's resident memory (RSS of the server process and its children,
  psutil): just after start; before the sessions (after one warm-up session
  has visited every page, so that the libraries are imported and the seed
  corpus's results cached: the baseline a hosted demo idles at); the peak
  while they run (sampled every 0.5 s); and after they have closed and
  ``--after`` seconds (default 20) have passed.

Each session's ``--duration`` seconds start when its first screen is ready
(on a small machine, a dozen browsers opening the app at once take a while).
Bounded: every session stops at first load (at most 180 s) + ``--duration``
(at most 600 s) + a fixed grace period; every action has a timeout; every loop
has a maximum number of rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The browser tests' helpers (standard library only): the same run counter, server start and stop.
from tests.browser.streamlit_ui import (INIT_JS, phrase_tracked_js, start_server, stop_server,  # noqa: E402
                                        wait_healthy)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
PHRASES = ["referendum", "immigration", "single market", "working people", "Brexit", "the EU",
           "left behind", "vote", "Labour", "Cambridge"]
MAX_ROUNDS = 200            # per session
ACTION_TIMEOUT_S = 90       # one page switch or phrase change
FIRST_LOAD_TIMEOUT_S = 180  # opening the app (a fresh browser context has nothing cached)
START_TIMEOUT_S = 120
GRACE_S = 120               # on top of --duration for the last actions to finish

IDLE_JS = r"""
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"], ' +
      '[data-testid="stSkeleton"], [data-testid="stElementContainer"][data-stale="true"]')) return false;
  return !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]');
}
"""
ERROR_JS = r"""
() => {
  const t = (document.querySelector('[data-testid="stApp"]') || document.body).innerText;
  if (document.querySelector('[data-testid="stException"]')) return 'exception box';
  if (t.includes('Traceback')) return 'traceback';
  if (t.includes('This app has encountered an error')) return 'streamlit error box';
  if (t.includes('Something went wrong')) return 'app error message';
  return null;
}
"""
STATE_JS = r"""
() => {
  const a = document.querySelector('[data-testid="stApp"]');
  const n = (sel) => document.querySelectorAll(sel).length;
  return `script ${a && a.getAttribute('data-test-script-state')}, connection ${a && a.getAttribute('data-test-connection-state')}, ` +
    `status widget ${n('[data-testid="stStatusWidget"]')}, spinners ${n('[data-testid="stSpinner"]')}, ` +
    `skeletons ${n('[data-testid="stSkeleton"]')}, stale ${n('[data-testid="stElementContainer"][data-stale="true"]')}, ` +
    `runs ${window.__stRuns}`;
}
"""
def page_switched_js(path: str, old_title: str) -> str:
    """True once the browser shows ``path`` and the main title is no longer ``old_title``."""
    return (f"() => location.pathname === {json.dumps(path)} && (() => {{ const h = document.querySelector("
            f"'[data-testid=\"stMain\"] h1'); return h && h.innerText !== {json.dumps(old_title)}; }})()")


async def main_title(page) -> str:
    return await page.evaluate("() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); "
                               "return h ? h.innerText : ''; }")


NAV_JS = """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]')]
  .map(e => e.innerText.trim().split('\\n').pop().trim())"""


# --------------------------------------------------------------------------- server and memory

def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"refusing {url!r}: only a server on this machine (127.0.0.1 / localhost / ::1) "
                         "may be load-tested")
    return url.rstrip("/")


def healthy(url: str, proc: subprocess.Popen | None) -> None:
    """Wait for the server to answer; a polite exit if it does not."""
    try:
        wait_healthy(url, proc, START_TIMEOUT_S)
    except (RuntimeError, TimeoutError) as err:
        raise SystemExit(str(err)) from None


def server_pid_for(url: str) -> int | None:
    """The pid listening on the URL's port (for --url)."""
    port = urlsplit(url).port or 80
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
                return c.pid
    except psutil.AccessDenied:
        return None
    return None


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """User + system CPU time of the processes (those still alive), seconds."""
    total = 0.0
    for q in procs:
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def tree(pid: int) -> list[psutil.Process]:
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its children, MB."""
    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return float("nan")
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


class Sampler(threading.Thread):
    """Samples the server's RSS every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self.browser_procs: dict[int, psutil.Process] = {}
        self.browser_cpu: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._halt.is_set():
            self.samples.append((time.monotonic(), rss_mb(self.pid)))
            # Remember every browser process we start, to add up their CPU time at the end.
            server = {q.pid for q in tree(self.pid)}
            for q in me.children(recursive=True):
                if q.pid in server:
                    continue
                self.browser_procs.setdefault(q.pid, q)
                try:
                    self.browser_cpu[q.pid] = sum(q.cpu_times()[:2])
                except psutil.NoSuchProcess:
                    pass
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def peak(self, since: float, until: float) -> float:
        values = [v for t, v in self.samples if since <= t <= until]
        return max(values) if values else float("nan")


# --------------------------------------------------------------------------- sessions

class Stats:
    def __init__(self):
        self.ready: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []
        self.rounds = 0
        self.actions = 0
        self.phases: dict[str, list[float]] = defaultdict(list)  # first load, seconds from navigation start

    def error(self, kind: str, where: str, detail: str = "") -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 12:
            self.error_examples.append(f"{kind} on {where}: {detail}"[:300])


async def wait_ready(page, before_runs: int | None, timeout_s: float, effect: str | None = None) -> None:
    """Wait (at most ``timeout_s`` in all) for the run the action started to finish and the page to settle.

    The run is seen either as one more finished run (``window.__stRuns``) or, if given,
    as its ``effect`` (a JS predicate): a browser that is short of CPU may process the
    "run started" and "run finished" messages in one go and never show the running state.
    """
    end = time.monotonic() + timeout_s

    def left() -> int:
        return max(1000, int((end - time.monotonic()) * 1000))

    if before_runs is not None:
        seen = f"(window.__stRuns || 0) > {before_runs}" + (f" || ({effect})()" if effect else "")
        await page.wait_for_function(f"() => {seen}", timeout=left(), polling=100)
    await page.wait_for_function(IDLE_JS, timeout=left(), polling=100)
    await asyncio.sleep(0.3)
    await page.wait_for_function(IDLE_JS, timeout=left(), polling=100)


async def timed(page, stats: Stats, label: str, action, deadline: float, expect_run: bool = True,
                timeout_s: float | None = None, effect: str | None = None) -> bool:
    """Run ``action`` and wait for the page to be ready; record the time or the error."""
    from playwright.async_api import TimeoutError as PWTimeout

    if timeout_s is None:
        timeout_s = min(ACTION_TIMEOUT_S, max(5.0, deadline + GRACE_S / 2 - time.monotonic()))
    t0 = time.monotonic()
    try:
        before = await page.evaluate("() => window.__stRuns || 0") if expect_run else None
        await action()
    except PWTimeout as err:
        stats.error("timeout", label, f"the click/navigation itself: {str(err).splitlines()[0]}")
        return False
    except Exception as err:  # noqa: BLE001 - counted, the session goes on
        stats.error("failure", label, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return False
    try:
        await wait_ready(page, before, timeout_s, effect)
    except PWTimeout:
        try:
            state = await page.evaluate(STATE_JS) + f", at {urlsplit(page.url).path}"
        except Exception:  # noqa: BLE001
            state = "page state unknown"
        stats.error("timeout", label, f"not ready after {timeout_s:.0f} s ({state})")
        return False
    except Exception as err:  # noqa: BLE001
        stats.error("failure", label, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        return False
    stats.actions += 1
    stats.ready[label].append(time.monotonic() - t0)
    problem = await page.evaluate(ERROR_JS)
    if problem:
        stats.error("error shown", label, problem)
    return True


def synthetic_text(n: int, kb: int) -> bytes:
    """About ``kb`` KB of text made of the seed documents' words, unique to session ``n``."""
    import random

    words = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))).split()
    rng = random.Random(n)
    out, size = [], 0
    while size < kb * 1024:
        para = " ".join(rng.choice(words) for _ in range(80)) + f" session{n}marker.\n\n"
        out.append(para)
        size += len(para)
    return "".join(out).encode("utf-8")


async def upload_own_document(page, n: int, kb: int, stats: Stats, deadline: float) -> None:
    """Go to the Corpus page and add a document of ``kb`` KB that only this session has."""
    labels = await page.evaluate(NAV_JS)
    if "Corpus" not in labels:
        return
    link = page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').nth(labels.index("Corpus"))
    effect = page_switched_js(urlsplit(await link.get_attribute("href") or "").path, await main_title(page))
    if not await timed(page, stats, "Corpus", link.click, deadline, effect=effect):
        return
    await page.get_by_role("tab", name="Add documents", exact=True).first.click()
    await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [{"name": f"session{n}.txt", "mimeType": "text/plain", "buffer": synthetic_text(n, kb)}])
    await page.get_by_role("button", name=f"Remove session{n}.txt", exact=True).first.wait_for(
        timeout=ACTION_TIMEOUT_S * 1000)
    await timed(page, stats, "Corpus: upload", page.get_by_role("button", name="Load files").click, deadline)


async def session(browser, url: str, n: int, duration: float, stats: Stats, max_rounds: int = MAX_ROUNDS,
                  upload_kb: int = 0) -> None:
    """One visitor: open the app (first screen), then for ``duration`` seconds tour the pages."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    await ctx.add_init_script(INIT_JS)
    page = await ctx.new_page()
    try:
        ok = await timed(page, stats, "first load (/)",
                         lambda: page.goto(url + "/", wait_until="domcontentloaded",
                                           timeout=FIRST_LOAD_TIMEOUT_S * 1000), 0.0,
                         timeout_s=FIRST_LOAD_TIMEOUT_S)
        if not ok:
            return
        deadline = time.monotonic() + duration
        phases = await page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0] || {};
            return {'page and scripts loaded (DOMContentLoaded)': nav.domContentLoadedEventEnd,
                    'server started the first run': window.__stFirstRunning,
                    'first run finished': window.__stFirstDone,
                    'ready': performance.now()};
        }""")
        for k, v in phases.items():
            if v is not None:
                stats.phases[k].append(v / 1000)
        if upload_kb:
            try:
                await upload_own_document(page, n, upload_kb, stats, deadline)
            except Exception as err:  # noqa: BLE001
                stats.error("failure", "Corpus: upload", f"{type(err).__name__}: {str(err).splitlines()[0]}")
        labels = await page.evaluate(NAV_JS)
        for r in range(max_rounds):
            if time.monotonic() >= deadline:
                break
            # Start each session's tour at a different page so they do not march in step.
            order = labels[(n + r) % len(labels):] + labels[:(n + r) % len(labels)]
            for label in order:
                if time.monotonic() >= deadline:
                    break
                link = page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').nth(
                    labels.index(label))
                current = await page.evaluate("() => location.pathname")
                target = await link.get_attribute("href")
                same = urlsplit(target or "").path == current
                if same:
                    continue
                effect = page_switched_js(urlsplit(target or "").path, await main_title(page))
                await timed(page, stats, label, link.click, deadline, effect=effect)
                if label.startswith("Terms") and time.monotonic() < deadline:
                    phrase = PHRASES[(n + r) % len(PHRASES)]
                    box = page.get_by_role("textbox", name="Add a phrase", exact=True)

                    async def add(box=box, phrase=phrase):
                        await box.fill(phrase, timeout=ACTION_TIMEOUT_S * 1000)
                        await box.press("Enter")

                    already = await page.evaluate(phrase_tracked_js(phrase))
                    await timed(page, stats, "Terms: add a phrase", add, deadline,
                                effect=None if already else phrase_tracked_js(phrase))
            else:
                stats.rounds += 1  # a full tour of the navigation
    finally:
        await ctx.close()


async def warm_up(url: str) -> Stats:
    """One session that visits every page once (imports, caches of the seed corpus), then closes."""
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            await asyncio.wait_for(session(browser, url, 0, 300, stats, max_rounds=1),
                                   timeout=FIRST_LOAD_TIMEOUT_S + 300 + GRACE_S)
        finally:
            await browser.close()
    return stats


async def run_sessions(url: str, n: int, duration: float, upload_kb: int = 0) -> Stats:
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tasks = []
            for i in range(n):
                tasks.append(asyncio.create_task(session(browser, url, i, duration, stats, upload_kb=upload_kb)))
                await asyncio.sleep(0.2)  # all open within a few seconds, not in the same millisecond
            done, pending = await asyncio.wait(tasks, timeout=FIRST_LOAD_TIMEOUT_S + duration + GRACE_S)
            for t in pending:
                stats.error("timeout", "session", "still running at the hard time limit; cancelled")
                t.cancel()
            for t in done:
                if t.exception() is not None:
                    stats.error("failure", "session", repr(t.exception()))
        finally:
            await browser.close()
    return stats


# --------------------------------------------------------------------------- report

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(stats: Stats, rss: dict, args, wall: float) -> dict:
    print(f"\nLoad test: {args.sessions} sessions for {args.duration:.0f} s against {args.url_used}"
          + (f", each with its own uploaded {args.upload_kb} KB document" if args.upload_kb else ", seed corpus"))
    print(f"load average at the end (all processes on this machine): {os.getloadavg()[0]:.1f}")
    print(f"wall time {wall:.0f} s; {stats.rounds} full rounds of the navigation, {stats.actions} page loads/changes")
    print(f"\n{'page':28s} {'n':>5s} {'p50 s':>8s} {'p95 s':>8s} {'max s':>8s}")
    for label, values in sorted(stats.ready.items(), key=lambda kv: kv[0]):
        print(f"{label:28s} {len(values):5d} {pct(values, 50):8.2f} {pct(values, 95):8.2f} {max(values):8.2f}")
    allv = [v for vs in stats.ready.values() for v in vs]
    print(f"{'all':28s} {len(allv):5d} {pct(allv, 50):8.2f} {pct(allv, 95):8.2f} {max(allv or [float('nan')]):8.2f}")
    total = sum(stats.errors.values())
    print(f"\nerrors: {total}" + ("" if not total else " (" + ", ".join(f"{k}: {v}" for k, v in stats.errors.items()) + ")"))
    for e in stats.error_examples:
        print("  -", e)
    if stats.phases:
        print("\nfirst load, median seconds from navigation start: " + "; ".join(
            f"{k} {statistics.median(v):.1f}" for k, v in stats.phases.items()))
    cpu = getattr(stats, "cpu", None)
    if cpu:
        print(f"CPU while the sessions ran ({cpu['wall_s']:.0f} s wall, {cpu['cores']} cores): server "
              f"{cpu['server_cpu_s']:.0f} CPU-s ({cpu['server_cpu_s'] / cpu['wall_s']:.0%} of one core), "
              f"browsers {cpu['browser_cpu_s']:.0f} CPU-s ({cpu['browser_cpu_s'] / cpu['wall_s']:.0%} of one core)")
    print(f"\nserver RSS (process + children): just started {rss['cold']:.0f} MB; before the sessions "
          f"{rss['before']:.0f} MB (after a one-session warm-up: libraries imported, seed corpus cached); "
          f"peak during {rss['peak']:.0f} MB; after {rss['after']:.0f} MB ({args.after:.0f} s after the "
          "sessions closed)")
    return {
        "sessions": args.sessions, "duration_s": args.duration, "url": args.url_used,
        "rounds": stats.rounds, "actions": stats.actions,
        "pages": {k: {"n": len(v), "p50_s": pct(v, 50), "p95_s": pct(v, 95), "max_s": max(v)}
                  for k, v in stats.ready.items()},
        "errors": dict(stats.errors), "error_examples": stats.error_examples,
        "rss_mb": rss,
        "first_load_phases_median_s": {k: statistics.median(v) for k, v in stats.phases.items()},
        "cpu": getattr(stats, "cpu", None),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=12, help="concurrent browser sessions, 1-20 (default 12; "
                    "10-20 for a load test)")
    ap.add_argument("--duration", type=float, default=60, help="seconds the sessions run (default 60, max 600)")
    ap.add_argument("--after", type=float, default=20, help="seconds to wait after the sessions close before "
                    "the last memory reading (default 20, max 300)")
    ap.add_argument("--upload-kb", type=int, default=0, help="each session first uploads a text of this many KB "
                    "that only it has (its own corpus, so its own cached results); 0 = seeds only (default), "
                    "max 2000")
    ap.add_argument("--url", help="use this running server (127.0.0.1 / localhost only) instead of starting one")
    ap.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to serve")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 20:
        ap.error("--sessions must be between 1 and 20")
    if not 5 <= args.duration <= 600:
        ap.error("--duration must be between 5 and 600 seconds")
    if not 0 <= args.upload_kb <= 2000:
        ap.error("--upload-kb must be between 0 and 2000")
    if not 0 <= args.after <= 300:
        ap.error("--after must be between 0 and 300 seconds")
    if not os.access(CHROMIUM, os.X_OK):
        print(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)", file=sys.stderr)
        return 2

    proc = None
    if args.url:
        url = loopback_only(args.url)
        healthy(url, None)
        pid = server_pid_for(url)
    else:
        proc, url = start_server(args.app_dir.resolve(), ROOT / "artifacts" / "loadtest-server.log")
        pid = proc.pid
        healthy(url, proc)
    args.url_used = url
    if pid is None:
        print("could not find the server's process: memory is not measured", file=sys.stderr)
    sampler = Sampler(pid) if pid else None
    t_start = time.monotonic()
    try:
        if sampler:
            time.sleep(1.0)
            sampler.start()
            time.sleep(1.5)
        cold = rss_mb(pid) if pid else float("nan")
        print("warm-up: one session visits every page...", flush=True)
        warm = asyncio.run(warm_up(url))
        if warm.errors:
            print("  warm-up errors:", dict(warm.errors), *warm.error_examples, sep="\n  ")
        time.sleep(3)
        before = rss_mb(pid) if pid else float("nan")
        print(f"running {args.sessions} sessions for {args.duration:.0f} s...", flush=True)
        server_cpu0 = cpu_seconds(tree(pid)) if pid else float("nan")
        browser_cpu0 = sum(sampler.browser_cpu.values()) if sampler else 0.0
        t0 = time.monotonic()
        stats = asyncio.run(run_sessions(url, args.sessions, args.duration, args.upload_kb))
        t1 = time.monotonic()
        stats.cpu = {"wall_s": t1 - t0,
                     "server_cpu_s": (cpu_seconds(tree(pid)) - server_cpu0) if pid else float("nan"),
                     "browser_cpu_s": (sum(sampler.browser_cpu.values()) - browser_cpu0) if sampler else float("nan"),
                     "cores": psutil.cpu_count()}
        print(f"sessions closed; waiting {args.after:.0f} s for the server to let go of them...", flush=True)
        time.sleep(args.after)
        after = rss_mb(pid) if pid else float("nan")
        rss = {"cold": cold, "before": before, "peak": sampler.peak(t0, t1) if sampler else float("nan"), "after": after}
        if sampler:
            rss["samples"] = [(round(t - t0, 1), round(v, 1)) for t, v in sampler.samples]
    finally:
        try:
            if sampler:
                sampler.stop()
        finally:
            if proc is not None:
                stop_server(proc)
    figures = report(stats, rss, args, time.monotonic() - t_start)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
