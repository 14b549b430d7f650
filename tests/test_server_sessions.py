"""Many visitors on one real server, over Streamlit's WebSocket protocol (no browser).

Each test starts ``streamlit run app.py`` on loopback (``tests/stclient.py`` is the
visitor, ``ui/timing.py`` the server's record of every script run):

- two visitors at once, each uploading their own corpus, see only their own;
- a visitor who disconnects in the middle of an analysis leaves no run going;
- a page that raises for one visitor does not disturb another at the same time;
- two app processes behind nginx with the sticky-session configuration of
  docs/DEPLOY.md: every visitor stays on one process, and both are used.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
from pathlib import Path

import pytest

from tests.browser.streamlit_ui import declared_pages, start_server, stop_server, wait_healthy
from tests.stclient import Session
from tests.stproxy import STICKY_LINES, Cluster, nginx_available
from ui.memory import allocator_of, jemalloc_library, server_environment
from ui.timing import LOG_ENV, read_runs

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(rb"tstvisitor([a-z]+?)mark")  # non-greedy: Arrow packs strings end to end


def text_of(n_kb: int, who: str) -> bytes:
    """About ``n_kb`` KB of ordinary sentences, each paragraph ending with ``who``'s marker."""
    words = ("the vote left many people behind while the single market and the referendum divided towns "
             "across the country and Labour members argued about immigration jobs and trust").split()
    out, i = [], 0
    while sum(map(len, out)) < n_kb * 1024:
        sent = " ".join(words[(i * 7 + j * 3) % len(words)] for j in range(14)).capitalize()
        out.append(f"{sent}. Another sentence {i} follows here. tstvisitor{who}mark.\n\n")
        i += 1
    return "".join(out).encode()


def serve(tmp_path, **env):
    """A fresh server recording its runs in ``tmp_path/timing.jsonl``, with the documented
    server's allocator settings (``ui.memory.server_environment``); yields (url, log path)."""
    log = tmp_path / "timing.jsonl"
    proc, url = start_server(ROOT, ROOT / "artifacts" / "server-sessions.log",
                             env={**server_environment(), LOG_ENV: str(log), **env})
    try:
        wait_healthy(url, proc, 180)
        yield url, log
    finally:
        stop_server(proc)


@pytest.fixture()
def server(tmp_path):
    yield from serve(tmp_path)


@pytest.fixture()
def server_in_page(tmp_path):
    """Every analysis in the page's own run (no background processes)."""
    yield from serve(tmp_path, EXPLORER_BACKGROUND="0")


@pytest.fixture()
def server_sweeping(tmp_path):
    """The sweeper that lets go of departed visitors' corpora runs every second, not every 30 s."""
    yield from serve(tmp_path, EXPLORER_TRIM_EVERY="1")


def jobs_in(log) -> list[dict]:
    return [r for r in read_runs(str(log)) if r.get("kind") == "job"]


def run(coro, timeout: float = 400):
    """``asyncio.run`` in a thread of its own: after the browser tests, pytest-playwright's sync
    API keeps an event loop running in the main thread, and ``asyncio.run`` refuses to nest."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()


# --------------------------------------------------------------------------- isolation of uploads

def test_two_simultaneous_visitors_see_only_their_own_uploads(server):
    url, _ = server

    async def visitor(who: str) -> Session:
        s = Session(url, who, watch=MARK)
        await s.open("/")
        await s.goto("Corpus")
        r = await s.upload([(f"visitor-{who}.txt", text_of(20, who))])
        assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, r.problems
        assert s.metric(r, "Documents") == "1", f"the upload did not replace the corpus: {r.texts[:12]}"
        for page in ("Reader", "Overview", "Terms & phrases"):
            r = await s.goto(page)
            assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, (page, r.problems)
        await s.close()
        return s

    async def both():
        return await asyncio.gather(visitor("alice"), visitor("bob"))

    alice, bob = run(both())
    assert alice.session_id != bob.session_id
    assert alice.seen == {b"alice"}, f"alice received {alice.seen}"
    assert bob.seen == {b"bob"}, f"bob received {bob.seen}"


# --------------------------------------------------------------------------- disconnect mid-analysis

def test_a_visitor_who_disconnects_mid_analysis_leaves_no_run_going(server_in_page):
    """With the analyses in the page's own run (``EXPLORER_BACKGROUND=0``), the Overview of a
    fresh ~1 MB corpus is still being worked out one second in (topics, tone; a 300 KB one took
    0.87-0.98 s in December 2026 and could end before the visitor left); the visitor closes the
    connection one second in. Streamlit asks the run to stop; the run ends at its next element ("stopped" in
    the timing log: the rest of the page is not computed) and no other run of that session follows."""
    url, log = server_in_page

    async def leave_early() -> tuple[str, float]:
        s = Session(url, "leaver")
        await s.open("/")
        await s.goto("Corpus")
        r = await s.upload([("big.txt", text_of(1000, "leaver"))])
        assert r.finished == "FINISHED_SUCCESSFULLY", r.finished
        pending = asyncio.create_task(s.goto("Overview"))
        await asyncio.sleep(1.0)
        left = time.time()
        await s.abort()
        await asyncio.wait([pending], timeout=10)
        return s.session_id, left

    sid, left = run(leave_early())
    deadline = time.monotonic() + 300
    last = None
    while time.monotonic() < deadline:
        mine = [r for r in read_runs(str(log)) if r["session"] == sid and r["t1"] >= left - 1.0]
        if mine:
            last = mine[-1]
            break
        time.sleep(0.5)
    assert last is not None, "the run in progress at the disconnect never ended"
    assert last["page"] == "" and last["t0"] < left, last
    assert last["status"] == "stopped", f"the run went on to the end after the visitor left: {last}"
    time.sleep(3)
    later = [r for r in read_runs(str(log)) if r["session"] == sid and r["t0"] > left]
    assert not later, f"runs started for a visitor who had left: {later}"


def test_a_large_upload_is_worked_out_in_the_background(server):
    """A ~300 KB upload (about 50,000 words): its tone and topics are set going by the upload and
    worked out by a background process. The Overview opened right after draws at once and says
    what is still being worked out; opened again later, it is complete."""
    url, log = server

    async def visit():
        s = Session(url, "big", watch=MARK)
        await s.open("/")
        await s.goto("Corpus")
        r = await s.upload([("big.txt", text_of(300, "big"))])
        assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, (r.finished, r.problems)
        first = await s.goto("Overview")
        later = first
        for _ in range(300):
            if not any("Still working out" in t for t in later.texts):
                break
            await asyncio.sleep(1.0)
            later = await s.goto("Overview")
        await s.close()
        return s.session_id, first, later

    sid, first, later = run(visit())
    assert first.finished == "FINISHED_SUCCESSFULLY" and not first.problems, first.problems
    waiting = [t for t in first.texts if t.startswith("Still working out")]
    assert waiting and "of your" in waiting[0] and "appears by itself" in waiting[0], first.texts[-6:]
    assert later.finished == "FINISHED_SUCCESSFULLY" and not later.problems, later.problems
    assert not any("Still working out" in t for t in later.texts), "the analyses never finished"
    assert "Tone of each document" in later.texts and any("split into topics" in t for t in later.texts)
    runs = [r for r in read_runs(str(log)) if r.get("session") == sid and r["title"] == "Overview"
            and r["t0"] >= first.sent - 0.05]
    assert runs[0]["waiting"] is True and runs[-1]["waiting"] is False, runs
    done = {j["what"]: j["status"] for j in jobs_in(log)}
    assert {"the tone of every sentence", "the topics"} <= set(done), done  # and the tracked phrases' tone
    assert set(done.values()) == {"ok"}, done


def test_a_visitor_who_leaves_leaves_no_background_work(server_sweeping):
    """The visitor leaves while their corpus's tone and topics are being worked out: the sweeper
    cancels what has not started and drops the result of what has (the timing log says which)."""
    url, log = server_sweeping

    async def leave():
        s = Session(url, "leaver")
        await s.open("/")
        await s.goto("Corpus")
        r = await s.upload([("big.txt", text_of(1800, "leaver"))])  # work of several seconds
        assert r.finished == "FINISHED_SUCCESSFULLY", r.finished
        r = await s.goto("Overview")
        assert any("Still working out" in t for t in r.texts), r.texts[-6:]
        left = time.time()
        await s.abort()
        return left

    left = run(leave())
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        jobs = jobs_in(log)
        if len(jobs) == 2:
            break
        time.sleep(0.5)
    assert len(jobs) == 2, jobs
    # the sweeper looks every second: what ends in that second may still end as usual, what ends
    # later must have been let go of, and something must have been
    let_go = [j for j in jobs if j["status"] in ("cancelled", "dropped")]
    assert let_go, f"the sweeper let go of nothing: {jobs}"
    assert all(j in let_go for j in jobs if j["t_ended"] > left + 1.5), jobs


def test_a_closed_tabs_session_is_let_go_once_its_reconnect_time_is_up(tmp_path):
    """Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` (here 2 s) and
    reaps it only when it next stores another; the sweeper shuts it down itself once the time is
    up (the timing log's ``let_go`` line counts it), not before, with nobody else coming or going."""
    gen = serve(tmp_path, EXPLORER_TRIM_EVERY="1", STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL="2")
    url, log = next(gen)
    try:
        async def leave():
            s = Session(url, "closer")
            await s.open("/")
            await s.goto("Corpus")
            r = await s.upload([("mine.txt", text_of(40, "closer"))])
            assert r.finished == "FINISHED_SUCCESSFULLY", r.finished
            left = time.time()
            await s.abort()
            return left

        left = run(leave())
        deadline = time.monotonic() + 60
        went = []
        while time.monotonic() < deadline and not went:
            time.sleep(0.5)
            went = [r for r in read_runs(str(log)) if r.get("kind") == "let_go" and r["closed_tabs"]]
        assert went, "the closed tab's session was never let go of"
        assert sum(r["closed_tabs"] for r in went) == 1, went
        assert went[0]["t"] >= left + 2.0 - 0.5, (went[0]["t"] - left, "let go of before its reconnect time was up")
    finally:
        gen.close()


# --------------------------------------------------------------------------- a page that raises

def failing_app(tmp: Path) -> tuple[Path, str]:
    """A copy of the app (links to every file) whose last page raises when the URL has ``boom=1``."""
    pages = [p for p, _ in declared_pages()]
    target = pages[-1]
    folder = Path(target).parent.as_posix()
    app = tmp / "app"
    app.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in (folder, "artifacts", ".git", ".venv"):
            continue
        (app / entry.name).symlink_to(entry)
    (app / folder).mkdir()
    for f in (ROOT / folder).iterdir():
        if f.name != Path(target).name:
            (app / folder / f.name).symlink_to(f)
    lines = (ROOT / target).read_text(encoding="utf-8").splitlines(keepends=True)
    at = max((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")), default=0)
    lines.insert(at, "import streamlit as _st\nif _st.query_params.get('boom') == '1':\n"
                     "    raise RuntimeError('a page failed on purpose (test)')\n")
    (app / target).write_text("".join(lines), encoding="utf-8")
    return app, Path(target).stem


def test_a_page_that_raises_for_one_visitor_does_not_affect_another(tmp_path):
    app, failing = failing_app(tmp_path)
    log = tmp_path / "timing.jsonl"
    proc, url = start_server(app, tmp_path / "server.log", env={LOG_ENV: str(log)})
    try:
        wait_healthy(url, proc, 180)

        async def victim() -> list:
            s = Session(url, "victim")
            out = [await s.open(f"/{failing}", query="boom=1")]
            for title in list(s.pages)[:4]:
                out.append(await s.goto(title))
            await s.close()
            return out

        async def bystander() -> list:
            s = Session(url, "bystander")
            out = [await s.open("/")]
            for title in list(s.pages):
                out.append(await s.goto(title))
            await s.close()
            return out

        async def both():
            return await asyncio.gather(victim(), bystander())

        hurt, fine = run(both())
    finally:
        stop_server(proc)
    assert any("Something went wrong" in p for p in hurt[0].problems), hurt[0].problems
    assert all(r.finished == "FINISHED_SUCCESSFULLY" for r in hurt), [r.finished for r in hurt]
    assert all(not r.problems for r in hurt[1:]), "the failing visitor's other pages failed too"
    assert all(r.finished == "FINISHED_SUCCESSFULLY" and not r.problems and r.elements > 3 for r in fine), \
        [(r.finished, r.problems, r.elements) for r in fine if r.problems or r.elements <= 3]
    statuses = [r["status"] for r in read_runs(str(log))]
    assert statuses.count("error") == 1, statuses


# --------------------------------------------------------------------------- two processes, sticky

@pytest.mark.skipif(not jemalloc_library(), reason="jemalloc is not installed (`make allocator-deps`)")
def test_the_documented_server_runs_on_jemalloc(tmp_path):
    """Started as docs/DEPLOY.md's unit starts it, the server's process has jemalloc loaded, and a
    visitor's upload and pages work on it."""
    proc, url = start_server(ROOT, tmp_path / "server.log", env=server_environment())
    try:
        wait_healthy(url, proc, 180)
        assert allocator_of(proc.pid) == "jemalloc"

        async def visit():
            s = Session(url, "0", watch=MARK)
            r = await s.open("/")
            assert r.finished == "FINISHED_SUCCESSFULLY", r.finished
            await s.goto("Corpus")
            r = await s.upload([("mine.txt", text_of(20, "jem"))])
            assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, r.problems
            r = await s.goto("Terms & phrases")
            assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, r.problems
            await s.close()
            return s

        assert run(visit()).seen == {b"jem"}
    finally:
        stop_server(proc)
    assert allocator_of(None) != "unknown"  # /proc is readable here: the check above was a real one


def test_the_server_environment_names_jemalloc_only_where_installed(monkeypatch):
    from ui import memory

    monkeypatch.setattr(memory, "jemalloc_library", lambda: None)
    assert "LD_PRELOAD" not in memory.server_environment()
    monkeypatch.setattr(memory, "jemalloc_library", lambda: "/usr/lib/x/libjemalloc.so.2")
    env = memory.server_environment()
    assert env["LD_PRELOAD"] == "/usr/lib/x/libjemalloc.so.2" and "background_thread:true" in env["MALLOC_CONF"]
    assert env["PYTHONMALLOC"] == "malloc"


def test_no_garbage_collection_after_every_run():
    """Streamlit's collection after every run stalls every visitor (~0.2 s each time; DEPLOY.md);
    the shipped configuration turns it off and ui/memory.py collects every 30 s instead."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert "gc.collect()" in (ROOT / "ui" / "memory.py").read_text(encoding="utf-8")


def test_deploy_doc_has_the_sticky_proxy_configuration():
    doc = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    missing = [line for line in STICKY_LINES if line not in doc]
    assert not missing, f"docs/DEPLOY.md lacks the sticky-session lines {missing}"


@pytest.mark.skipif(not nginx_available(), reason="nginx is not installed (`make proxy-deps`)")
def test_two_processes_behind_the_sticky_proxy(tmp_path):
    """Visitors come through nginx until both processes have some (each new visitor lands on
    either, at random); then two visitors per process upload and switch pages at the same time.
    Every visitor's runs happen in one process - uploads included, which Streamlit refuses from
    a process that does not hold the session - and each sees only their own upload."""
    env = {LOG_ENV: str(tmp_path / "timing-{pid}.jsonl")}

    def pid_of(session_id: str) -> set:
        return {r["pid"] for f in tmp_path.glob("timing-*.jsonl") for r in read_runs(str(f))
                if r["session"] == session_id}

    with Cluster(ROOT, tmp_path, n=2, proxy=True, env=env) as cluster:

        async def arrive() -> dict[int, list[Session]]:
            on: dict[int, list[Session]] = {}
            for i in range(24):  # the chance that 24 visitors all land on one process: 1 in 8 million
                s = Session(cluster.url, str(i), watch=MARK)
                r = await s.open("/")
                assert r.finished == "FINISHED_SUCCESSFULLY", r.finished
                (pid,) = pid_of(s.session_id)
                on.setdefault(pid, []).append(s)
                if len(on) == 2 and all(len(v) >= 2 for v in on.values()):
                    break
            return on

        async def work(s: Session) -> Session:
            who = chr(97 + int(s.name) % 26) * 3
            await s.goto("Corpus")
            r = await s.upload([(f"v{s.name}.txt", text_of(2, who))])
            assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, (s.name, r.finished, r.problems)
            assert s.metric(r, "Documents") == "1", f"visitor {s.name}: the upload did not arrive"
            r = await s.goto("Terms & phrases")
            assert r.finished == "FINISHED_SUCCESSFULLY" and not r.problems, (s.name, r.problems)
            await s.close()
            assert s.seen == {who.encode()}, (s.name, s.seen)
            return s

        async def scenario():
            on = await arrive()
            assert set(on) == set(cluster.pids), f"visitors went to {set(on)}, the processes are {cluster.pids}"
            chosen = [s for group in on.values() for s in group[:2]]
            for group in on.values():
                for s in group[2:]:
                    await s.close()
            return await asyncio.gather(*(work(s) for s in chosen))

        visitors = run(scenario())
        for s in visitors:
            assert len(pid_of(s.session_id)) == 1, f"visitor {s.name}'s runs were in {pid_of(s.session_id)}"
    assert (tmp_path / "nginx" / "access.log").stat().st_size > 0


# --------------------------------------------------------------------------- the load test itself

def test_the_load_test_runs_and_reports(tmp_path):
    """A tiny run of scripts/loadtest.py (2 visitors, one uploading 20 KB, 5 s): it exits 0 (no
    error) and prints the per-page table, the isolation check and the memory line."""
    import json
    import subprocess
    import sys

    out = tmp_path / "lt.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "loadtest.py"), "--sessions", "2",
                           "--uploaders", "1", "--upload-kb", "20", "--duration", "5", "--think", "0.2",
                           "--after", "0", "--json", str(out)], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for line in ("server allocator", "server-side run time", "Corpus: upload", "errors: 0", "saw someone else's",
                 "server RSS"):
        assert line in proc.stdout, f"{line!r} missing from:\n{proc.stdout[-3000:]}"
    figures = json.loads(out.read_text())
    assert figures["pages"]["first load (/)"]["n"] == 2
    assert figures["pages"]["Corpus: upload"]["server_p50_s"] > 0
    assert figures["rss_mb"]["before"] > figures["rss_mb"]["cold"] > 0
