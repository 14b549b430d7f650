"""Load test: many visitors at once, timed on the server itself.

    .venv/bin/python scripts/loadtest.py                 # 20 sessions, 5 of them upload ~1 MB each
    .venv/bin/python scripts/loadtest.py --uploaders 0   # 20 sessions on the seed corpus
    .venv/bin/python scripts/loadtest.py --servers 2     # two app processes behind nginx (sticky)

Starts ``streamlit run app.py`` on a free loopback port (or ``--servers N`` of them
behind nginx with the sticky-session configuration of docs/DEPLOY.md), with
``EXPLORER_TIMING_LOG`` set so that the app records the server-side time of every
script run (``ui/timing.py``). Then ``--sessions`` visitors at once, each a
lightweight client speaking Streamlit's own WebSocket protocol from one Python
process (``tests/stclient.py``; no browser: a dozen headless Chromiums on the same
two cores measured the browsers, not the server). Each visitor opens the app,
``--uploaders`` of them first upload their own corpus of ``--upload-kb`` KB (ten
text files of made-up sentences with a marker only that visitor has), then every
visitor tours the pages (each one starting at a different page), adding a phrase on
Terms, with ``--think`` seconds (on average; 0.5x-1.5x at random) between actions,
for ``--duration`` seconds.

Printed at the end, per page: the server-side time from the visitor's action to the
page's last element (the first script run's start to the last one's end, e.g. an
upload is one run and the ``st.rerun()`` it makes; from the timing log), p50 and
p95, and the same as the client saw it (action sent to ``script_finished``
received: the run plus Streamlit's own work after it, such as its garbage
collection after every run, when it is on), and the mean CPU seconds of the runs'
own threads per action (what the page costs, whatever else the machine runs); per
session the worst action; errors (exceptions or
the app's error message on a page, runs that did not finish, failed uploads, and
any other visitor's upload marker seen by a session); the server's RSS (all
processes) before the sessions (after a one-visitor warm-up), at peak and
``--after`` seconds after they left; CPU seconds of the server(s) and of this client;
``uptime`` before and after (the machine is shared); and the uploaders' analyses that
the server worked out in background processes (``ui/background.py``): per kind, the
time from being asked for to done, and how many page views said part of the page was
still being worked out.

Bounded: loopback only, at most 40 sessions, ``--duration`` at most 600 s, every
action at most 120 s, every session at most 200 rounds, and a hard stop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.stclient import RunResult, Session, loopback_only  # noqa: E402
from tests.stproxy import Cluster  # noqa: E402
from ui.memory import allocator_of, server_environment  # noqa: E402
from ui.timing import LOG_ENV, PROFILE_ENV, read_runs  # noqa: E402

PHRASES = ["referendum", "immigration", "working people", "Brexit", "the EU", "vote", "Labour", "Cambridge"]
MARKER = re.compile(rb"loadvisitor(\d+)marker")
MAX_ROUNDS = 200
#: The environment of the systemd unit in docs/DEPLOY.md (override with --server-env NAME=VALUE).
SERVER_ENV = server_environment()
ACTION_TIMEOUT_S = 120.0
FILES_PER_UPLOAD = 10


# --------------------------------------------------------------------------- memory and CPU

def tree(pids: list[int]) -> list[psutil.Process]:
    out = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            out += [p, *p.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    return out


def rss_mb(pids: list[int]) -> float:
    total = 0
    for q in tree(pids):
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def env_of(pid: int, name: str) -> str:
    """``name`` in process ``pid``'s environment ("?" where it cannot be read)."""
    try:
        return psutil.Process(pid).environ().get(name, "unset")
    except (psutil.Error, OSError):
        return "?"


def cpu_s(procs: list[psutil.Process]) -> float:
    total = 0.0
    for q in procs:
        try:
            t = q.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class Sampler(threading.Thread):
    """The servers' RSS every ``every`` seconds."""

    def __init__(self, pids: list[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: list[tuple[float, float]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.monotonic(), rss_mb(self.pids)))
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def peak(self, since: float, until: float) -> float:
        values = [v for t, v in self.samples if since <= t <= until]
        return max(values) if values else float("nan")


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average %.2f %.2f %.2f" % os.getloadavg()


# --------------------------------------------------------------------------- visitors

def synthetic_corpus(n: int, kb: int) -> list[tuple[str, bytes]]:
    """About ``kb`` KB of text in :data:`FILES_PER_UPLOAD` files, sentences made of the seed
    documents' words, every paragraph ending with visitor ``n``'s marker."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))).split()
    rng = random.Random(n)
    files = []
    per_file = kb * 1024 // FILES_PER_UPLOAD
    for f in range(FILES_PER_UPLOAD):
        out, size = [], 0
        while size < per_file:
            sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 24))).capitalize() + "."
                         for _ in range(5)]
            para = " ".join(sentences) + f" loadvisitor{n}marker.\n\n"
            out.append(para)
            size += len(para.encode("utf-8"))
        files.append((f"visitor{n}-part{f:02d}.txt", "".join(out).encode("utf-8")))
    return files


class Actions:
    """Every action of every visitor: label, session, what the client saw."""

    def __init__(self):
        self.rows: list[tuple[str, int, str, RunResult]] = []   # (label, visitor, session id, result)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    def error(self, kind: str, where: str, detail: str = "") -> None:
        self.errors[kind] += 1
        if len(self.examples) < 15:
            self.examples.append(f"{kind} on {where}: {detail}"[:300])

    def record(self, label: str, n: int, s: Session, r: RunResult) -> bool:
        self.rows.append((label, n, s.session_id, r))
        if r.finished != "FINISHED_SUCCESSFULLY":
            self.error("run not finished", label, f"visitor {n}: {r.finished} after {r.rtt:.1f} s")
            return False
        for p in r.problems:
            self.error("error on the page", label, f"visitor {n}: {p}")
        return True


async def visitor(url: str, n: int, upload: list[tuple[str, bytes]], duration: float, think: float,
                  acts: Actions, max_rounds: int = MAX_ROUNDS) -> Session:
    rng = random.Random(1000 + n)
    s = Session(url, name=str(n), watch=MARKER)

    async def pause():
        if think > 0:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))

    try:
        if not acts.record("first load (/)", n, s, await s.open("/", timeout=ACTION_TIMEOUT_S)):
            return s
        deadline = time.monotonic() + duration
        if upload:
            await pause()
            if acts.record("Corpus", n, s, await s.goto("Corpus", timeout=ACTION_TIMEOUT_S)):
                await pause()
                try:
                    r = await s.upload(upload, timeout=ACTION_TIMEOUT_S)
                    if acts.record("Corpus: upload", n, s, r) and s.metric(r, "Documents") != str(len(upload)):
                        acts.error("upload not in the corpus", "Corpus: upload",
                                   f"visitor {n}: Documents {s.metric(r, 'Documents')}, not {len(upload)}")
                except (ConnectionError, KeyError) as err:
                    acts.error("upload failed", "Corpus: upload", f"visitor {n}: {err}")
        titles = list(s.pages)
        for r in range(max_rounds):
            if time.monotonic() >= deadline:
                break
            k = (n + r) % len(titles)
            for title in titles[k:] + titles[:k]:
                if time.monotonic() >= deadline:
                    break
                await pause()
                if not acts.record(title, n, s, await s.goto(title, timeout=ACTION_TIMEOUT_S)):
                    continue
                if title.startswith("Terms") and time.monotonic() < deadline:
                    await pause()
                    try:
                        s.set_value("Add a phrase", string_value=PHRASES[(n + r) % len(PHRASES)])
                        acts.record("Terms: add a phrase", n, s, await s.click("Add", timeout=ACTION_TIMEOUT_S))
                    except KeyError as err:
                        acts.error("widget missing", title, str(err))
    except (ConnectionError, OSError) as err:
        acts.error("connection", "session", f"visitor {n}: {type(err).__name__}: {err}")
    finally:
        await s.close()
    return s


async def run_visitors(url: str, sessions: int, uploaders: int, upload_kb: int, duration: float,
                       think: float) -> tuple[Actions, list[Session]]:
    acts = Actions()
    tasks = []
    # The uploaders are spread among the others (visitors 0, 4, 8, ... with 5 of 20); their
    # corpora are made before anyone starts, so that no visitor waits on this client.
    step = max(1, sessions // uploaders) if uploaders else 0
    corpora = {i: synthetic_corpus(i, upload_kb) for i in range(sessions)
               if uploaders and i % step == 0 and i // step < uploaders}
    for i in range(sessions):
        tasks.append(asyncio.create_task(visitor(url, i, corpora.get(i, []), duration, think, acts)))
        await asyncio.sleep(0.1)
    done, pending = await asyncio.wait(tasks, timeout=duration + 3 * ACTION_TIMEOUT_S)
    for t in pending:
        acts.error("hard time limit", "session", "still running; cancelled")
        t.cancel()
    out = []
    for t in done:
        if t.exception() is not None:
            acts.error("failure", "session", repr(t.exception()))
        else:
            out.append(t.result())
    return acts, out


# --------------------------------------------------------------------------- figures

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def server_times(acts: Actions, runs: list[dict]) -> list[tuple[float, float] | None]:
    """For each action, the first start to the last end of its session's runs that began while it
    waited, and the CPU seconds of those runs' threads (None when the log has none: e.g. a run
    that never started)."""
    by_session = defaultdict(list)
    for r in runs:
        by_session[r.get("session")].append(r)
    out = []
    for _label, _n, sid, res in acts.rows:
        mine = [r for r in by_session.get(sid, ()) if res.sent - 0.05 <= r["t0"] <= res.done + 0.05]
        out.append((max(r["t1"] for r in mine) - min(r["t0"] for r in mine), sum(r["cpu_s"] for r in mine))
                   if mine else None)
    return out


def report(acts: Actions, runs: list[dict], visitors: list[Session], rss: dict, cpu: dict, args,
           wall: float, up: tuple[str, str]) -> dict:
    srv = server_times(acts, runs)
    pages: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"server": [], "client": [], "cpu": []})
    per_session: dict[int, list[float]] = defaultdict(list)
    for (label, n, _sid, res), s in zip(acts.rows, srv):
        if res.finished != "FINISHED_SUCCESSFULLY":
            continue
        pages[label]["client"].append(res.rtt)
        if s is not None:
            pages[label]["server"].append(s[0])
            pages[label]["cpu"].append(s[1])
            per_session[n].append(s[0])
    isolation = []
    for v in visitors:
        others = sorted(int(m) for m in v.seen if int(m) != int(v.name))
        if others:
            isolation.append(f"visitor {v.name} received other visitors' markers: {others}")
            acts.error("isolation", "session", isolation[-1])
    own = sum(1 for v in visitors if v.seen)
    print(f"\nLoad test: {args.sessions} sessions ({args.uploaders} uploading their own {args.upload_kb} KB corpus)"
          f" for {args.duration:.0f} s, think time {args.think:g} s, {args.servers} server process(es)"
          f"{' behind nginx' if args.servers > 1 else ''}, at {args.url_used}")
    print(f"uptime before: {up[0]}\nuptime after:  {up[1]}")
    print(f"wall time {wall:.0f} s; {len(acts.rows)} actions; {len(runs)} script runs logged")
    print(f"\n{'page':22s} {'n':>4s} | server-side run time (s): {'p50':>5s} {'p95':>5s} {'max':>5s} | "
          f"client saw (s): {'p50':>5s} {'p95':>5s} | CPU-s {'mean':>5s}")
    order = sorted(pages, key=lambda k: (not k.startswith("first"), k))
    for label in order + ["all"]:
        if label == "all":
            sv = [x for p in pages.values() for x in p["server"]]
            cv = [x for p in pages.values() for x in p["client"]]
            uv = [x for p in pages.values() for x in p["cpu"]]
        else:
            sv, cv, uv = pages[label]["server"], pages[label]["client"], pages[label]["cpu"]
        print(f"{label:22s} {len(cv):4d} | {'':26s}{pct(sv, 50):5.2f} {pct(sv, 95):5.2f} {max(sv or [float('nan')]):5.2f}"
              f" | {'':15s}{pct(cv, 50):5.2f} {pct(cv, 95):5.2f} |       "
              f"{statistics.fmean(uv) if uv else float('nan'):5.2f}")
    worst = sorted(((max(v), pct(v, 95), n) for n, v in per_session.items()), reverse=True)
    print("\nper session, server-side: worst p95 / max (s): " + ", ".join(
        f"#{n} {p:.2f}/{m:.2f}" for m, p, n in worst[:6]) + (" ..." if len(worst) > 6 else ""))
    status = defaultdict(int)
    for r in runs:
        status[r["status"]] += 1
    print("script runs by status: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
    busy = [r for r in runs if r["s"] > 0]
    if busy:
        print(f"script runs: {sum(r['s'] for r in busy):.0f} s wall in all, of which {sum(r['cpu_s'] for r in busy):.0f} s "
              "CPU of the scripts' own threads")
    total = sum(acts.errors.values())
    print(f"\nerrors: {total}" + ("" if not total else " (" + ", ".join(f"{k}: {v}" for k, v in acts.errors.items()) + ")"))
    for e in acts.examples:
        print("  -", e)
    if args.uploaders:
        print(f"isolation: {own} of {len(visitors)} visitors saw their own upload marker; "
              f"{len(isolation)} saw someone else's")
    print(f"\nCPU while the sessions ran ({cpu['wall_s']:.0f} s): server(s) {cpu['server_s']:.0f} CPU-s "
          f"({cpu['server_s'] / cpu['wall_s']:.0%} of one core), this client {cpu['client_s']:.0f} CPU-s "
          f"({cpu['client_s'] / cpu['wall_s']:.0%})")
    print(f"server RSS (all server processes): just started {rss['cold']:.0f} MB; before the sessions "
          f"{rss['before']:.0f} MB (after a one-visitor warm-up); peak {rss['peak']:.0f} MB; after "
          f"{rss['after']:.0f} MB ({args.after:.0f} s after the sessions left; "
          f"{(rss['after'] / rss['before'] - 1):+.0%} of before)")
    return {"sessions": args.sessions, "uploaders": args.uploaders, "upload_kb": args.upload_kb,
            "duration_s": args.duration, "think_s": args.think, "servers": args.servers, "uptime": up,
            "pages": {k: {"n": len(v["client"]), "server_p50_s": pct(v["server"], 50),
                          "server_p95_s": pct(v["server"], 95), "server_max_s": max(v["server"] or [float("nan")]),
                          "client_p50_s": pct(v["client"], 50), "client_p95_s": pct(v["client"], 95),
                          "cpu_mean_s": statistics.fmean(v["cpu"]) if v["cpu"] else None}
                      for k, v in pages.items()},
            "errors": dict(acts.errors), "error_examples": acts.examples, "run_status": dict(status),
            "rss_mb": rss, "cpu": cpu}


def background_report(jobs: list[dict], acts: Actions, runs: list[dict]) -> dict:
    """The uploaders' analyses worked out in the background (``ui.background``): per kind, how
    long from being asked for to done; and how many page views said part of them was still
    being worked out."""
    by_what: dict[str, list[dict]] = defaultdict(list)
    for j in jobs:
        by_what[j["what"]].append(j)
    out = {}
    print(f"\nbackground analyses (the uploaders' corpora, in worker processes): {len(jobs)}")
    for what, js in sorted(by_what.items()):
        done = [j["s"] for j in js if j["status"] == "ok"]
        status = defaultdict(int)
        for j in js:
            status[j["status"]] += 1
        out[what] = {"n": len(js), "asked_to_done_p50_s": pct(done, 50), "asked_to_done_p95_s": pct(done, 95),
                     "max_s": max(done or [float("nan")]), "status": dict(status)}
        print(f"  {what:58s} n {len(js):3d} | asked for -> done (s): p50 {pct(done, 50):5.1f} "
              f"p95 {pct(done, 95):5.1f} max {max(done or [float('nan')]):5.1f} | "
              + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
    waiting = sum(1 for r in runs if r.get("waiting"))
    print(f"page views that said part of the page was still being worked out: {waiting} of {len(runs)} runs")
    out["waiting_runs"] = waiting
    return out


def print_profiles(folder: Path, top: int = 14) -> None:
    """Per page, summed over its runs: the project's functions by cumulative time, and any
    function by its own time."""
    import pstats

    by_page = defaultdict(list)
    for f in sorted(folder.glob("*.prof")):
        by_page[f.name.split("-", 1)[0]].append(str(f))
    root = str(ROOT)
    for page, files in sorted(by_page.items()):
        st = pstats.Stats(*files)
        total = st.total_tt
        print(f"\nprofile of {page!r}: {len(files)} runs, {total:.1f} s in the script threads")
        rows = [(v[3], v[2], k) for k, v in st.stats.items() if k[0].startswith(root)
                and "/scripts/" not in k[0] and not k[0].endswith(("app.py", "timing.py"))]
        for cum, own, (path, line, fn) in sorted(rows, reverse=True)[:top]:
            print(f"  cumulative {cum:7.2f} s  own {own:6.2f} s  {Path(path).relative_to(root)}:{line} {fn}")
        own_rows = sorted(((v[2], k) for k, v in st.stats.items()), reverse=True)[:8]
        print("  most own time: " + "; ".join(f"{Path(k[0]).name}:{k[1]} {k[2]} {t:.2f} s" for t, k in own_rows))


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20, help="concurrent visitors, 1-40 (default 20)")
    ap.add_argument("--uploaders", type=int, default=5, help="how many of them upload their own corpus (default 5)")
    ap.add_argument("--upload-kb", type=int, default=1000, help="size of each uploaded corpus, KB (default 1000)")
    ap.add_argument("--duration", type=float, default=90, help="seconds each visitor tours the pages (default 90)")
    ap.add_argument("--think", type=float, default=2.0, help="mean seconds between a visitor's actions (default 2)")
    ap.add_argument("--after", type=float, default=200, help="seconds after the visitors leave before the last "
                    "memory reading (default 200: Streamlit keeps a closed tab's session 120 s, the app lets go "
                    "of its corpus 30 s after that and checks every 30 s)")
    ap.add_argument("--servers", type=int, default=1, help="app processes; more than 1 runs them behind nginx")
    ap.add_argument("--url", help="use this running server (loopback only) and its timing log (--timing-log)")
    ap.add_argument("--timing-log", type=Path, help="with --url: the server's EXPLORER_TIMING_LOG file")
    ap.add_argument("--server-arg", action="append", default=[], help="extra `streamlit run` option (repeatable), "
                    "e.g. --server-arg=--runner.postScriptGC=true (Streamlit's default)")
    ap.add_argument("--server-env", action="append", default=[], help="NAME=VALUE for the server(s) (repeatable)")
    ap.add_argument("--profile", action="store_true", help="profile every script run (cProfile, EXPLORER_PROFILE_DIR) "
                    "and print where the time of each page goes; slows the runs down")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 40:
        ap.error("--sessions must be between 1 and 40")
    if not 0 <= args.uploaders <= args.sessions:
        ap.error("--uploaders must be between 0 and --sessions")
    if not 5 <= args.duration <= 600 or not 0 <= args.after <= 600 or not 0 <= args.think <= 30:
        ap.error("--duration 5-600, --after 0-600, --think 0-30 seconds")
    if not 1 <= args.servers <= 4 or not 1 <= args.upload_kb <= 5000:
        ap.error("--servers 1-4, --upload-kb 1-5000")
    if not args.uploaders:
        args.upload_kb = 0

    work = ROOT / "artifacts" / "loadtest"
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("timing-*.jsonl"):
        old.unlink()
    cluster = None
    if args.url:
        url = loopback_only(args.url)
        pids = [c.pid for c in psutil.net_connections("tcp")
                if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == int(url.rsplit(":", 1)[1])]
        logs = [args.timing_log] if args.timing_log else []
    else:
        env = dict(e.split("=", 1) for e in args.server_env)
        # as docs/DEPLOY.md runs them: the machine's cores shared out between the servers' background
        # workers, and the allocator settings that let memory go back to the system
        env.setdefault("EXPLORER_BACKGROUND_WORKERS", str(max(1, (os.cpu_count() or 1) // args.servers)))
        for name, value in SERVER_ENV.items():
            env.setdefault(name, value)
        env[LOG_ENV] = str(work / "timing-{pid}.jsonl")
        if args.profile:
            (work / "profiles").mkdir(exist_ok=True)
            for old in (work / "profiles").glob("*.prof"):
                old.unlink()
            env[PROFILE_ENV] = str(work / "profiles")
        cluster = Cluster(ROOT, work, n=args.servers, proxy=args.servers > 1, env=env, args=args.server_arg)
        cluster.__enter__()
        url, pids = cluster.url, cluster.pids
        logs = None
    args.url_used = url
    up0 = uptime()
    sampler = Sampler(pids)
    t_start = time.monotonic()
    try:
        time.sleep(2.0)
        sampler.start()
        cold = rss_mb(pids)
        allocators = sorted({allocator_of(p) for p in pids})
        print(f"server allocator: {', '.join(allocators)} (PYTHONMALLOC={env_of(pids[0], 'PYTHONMALLOC') if pids else '?'})", flush=True)
        print("warm-up: one visitor per server process opens every page...", flush=True)
        for backend in ([u for _, u in cluster.servers] if cluster is not None else [url]):
            warm, _ = asyncio.run(run_visitors(backend, 1, 0, 0, 5, 0.0))
        if warm.errors:
            print("  warm-up errors:", dict(warm.errors), *warm.examples, sep="\n  ")
        time.sleep(3)
        before = rss_mb(pids)
        print(f"running {args.sessions} visitors for {args.duration:.0f} s...", flush=True)
        procs, me = tree(pids), psutil.Process()
        c_srv, c_me, t0 = cpu_s(procs), cpu_s([me]), time.monotonic()
        acts, visitors = asyncio.run(run_visitors(url, args.sessions, args.uploaders, args.upload_kb,
                                                  args.duration, args.think))
        t1 = time.monotonic()
        cpu = {"wall_s": t1 - t0, "server_s": cpu_s(procs) - c_srv, "client_s": cpu_s([me]) - c_me}
        up1 = uptime()
        print(f"visitors left; waiting {args.after:.0f} s for the server to let go of them...", flush=True)
        time.sleep(args.after)
        rss = {"cold": cold, "before": before, "peak": sampler.peak(t0, t1), "after": rss_mb(pids)}
        rss["samples"] = [(round(t - t0, 1), round(v, 1)) for t, v in sampler.samples[::4]]
    finally:
        sampler.stop()
        if cluster is not None:
            cluster.__exit__()
    records = [r for f in (logs if logs is not None else sorted(work.glob("timing-*.jsonl"))) for r in read_runs(str(f))]
    runs = [r for r in records if not r.get("kind")]
    jobs = [r for r in records if r.get("kind") == "job" and r["t_asked"] >= t0]
    figures = report(acts, runs, visitors, rss, cpu, args, time.monotonic() - t_start, (up0, up1))
    figures["background"] = background_report(jobs, acts, runs)
    figures["allocator"] = allocators
    if args.profile:
        print_profiles(work / "profiles")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1))
    return 1 if sum(acts.errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
