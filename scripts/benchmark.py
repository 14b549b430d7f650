"""Speed and memory benchmark: cold analysis vs a naive peer, warm page reruns, a 100,000-document build.

    .venv/bin/python scripts/benchmark.py                  # everything (make bench)
    .venv/bin/python scripts/benchmark.py --cold           # analyse and build vs the peer, per stage, peak memory,
                                                           # build throughput with 2 and 1 local Dask workers
    .venv/bin/python scripts/benchmark.py --warm           # per-page rerun times with AppTest
    .venv/bin/python scripts/benchmark.py --methods        # sentences/s of each sentiment method (TextBlob,
                                                           # VADER, the classifier) and VADER per whole document
    .venv/bin/python scripts/benchmark.py --build-100k     # chunked build of a 100,000-document corpus, then
                                                           # the app's page times on its store
    .venv/bin/python scripts/benchmark.py --store DIR      # the app's page times on a store built before
    .venv/bin/python scripts/benchmark.py --cold --corpus ../shared/corpora/bbc-news-full/bbc_news_full.csv.gz
    .venv/bin/python scripts/benchmark.py --topics         # the Topics page's fit on the UK COVID speeches

Cold: the peer, our analysis, then the peer again each run in a fresh subprocess
on the same corpus (default: the US State of the Union addresses, 233 texts,
1.8M words); the ratio uses the mean of the two peer runs, which cancels a
machine load that drifts during the run. The clock starts after the
third-party imports of each (TextBlob and scikit-learn for the peer; pandas,
scipy and scikit-learn for ours; the worker process's start and imports and
every stage count against us). Peak memory is
the largest sum of the resident set sizes of the subprocess and all its
children (our worker included), sampled every 20 ms with psutil. Per stage of
ours (``analyse(on_stage=...)`` reports each stage's window on the shared
monotonic clock; the sampling stays in this process, so it costs the measured
process nothing): the tree's RSS at the stage's start, its peak during the
stage (main + worker at that peak) and the rise over the start; stages that
overlap in time (the topics in the worker, while the main process runs
sentiment, terms and reuse) are marked, and their peaks include each other.

- peer: split each text into sentences with ``(?<=[.!?])\\s+``,
  ``TextBlob(s).sentiment`` per sentence and ``TextBlob(text).sentiment`` per
  document, ``CountVectorizer(ngram_range=(1, 2)).fit_transform(texts)``, then
  ``TfidfVectorizer(stop_words="english", min_df=2, max_df=0.8)`` and
  ``NMF(8, init="nndsvda", random_state=0)`` fit on it.
- ours: :func:`analysis.engine.analyse.analyse` on the file: loading, cleaning,
  segmentation, TextBlob + VADER per sentence, TextBlob per whole document,
  the term index (words and 2-word n-grams), topics with the automatic k
  (:func:`analysis.engine.analyse.topic_params`: on more than 150 units 3 resamples per
  k, 3,000 terms, at most 1,500 units in the stability analysis - the same
  settings the app uses), shared
  passages and document similarity.

Warm: the app (app.py, pages from ``app.PAGES`` that exist) under
``streamlit.testing.v1.AppTest`` with the corpus put into the session; each
page is run once (cold, caches filled), then a filter change and a phrase
change are each timed (server time of one rerun).

Build (in --cold): ``python -m analysis build CORPUS --local-limits`` between ours and the second
peer run, its whole process timed (imports and the local Dask cluster's start count against it),
peak RSS of the process tree (client, scheduler, nannies, workers); the ratio to the peer's mean;
then the build with the other numbers of workers of ``--workers``. Each build prints its
throughput (words per second of wall time), the Dask tasks it ran and the bytes sent to and
received from the workers (pickled: what would cross the network on a multi-machine cluster).

Build 100k: a corpus of 100,000 documents made by repeating the four shared
corpora with new ids, written to a temporary folder, built with
``python -m analysis build ... --local-limits --jobs N`` (the first of ``--workers``; the others
are timed first, for throughput); time and peak memory, then
the store's aggregate queries are timed (whole corpus and a filtered subset).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"
SOTU = CORPORA / "us-sotu" / "us_sotu_1790_2021.csv.gz"
BBC = CORPORA / "bbc-news-full" / "bbc_news_full.csv.gz"
COVID = CORPORA / "uk-covid-opposition" / "uk_covid_opposition_speeches.csv.gz"
SHARED = {
    "bbc": BBC,
    "covid": CORPORA / "uk-covid-opposition" / "uk_covid_opposition_speeches.csv.gz",
    "tweets": CORPORA / "kavanaugh-tweets-sentiment" / "kavanaugh_tweets_sentiment.csv.gz",
    "sotu": SOTU,
}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def rel(path: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd())
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- memory


class TreeMemory:
    """Peak resident memory of a process and all its descendants (psutil, sampled)."""

    def __init__(self, pid: int, every: float = 0.02):
        import psutil

        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.peak_processes = 0
        self.samples: list[tuple[float, int, int]] = []  # (time.monotonic(), tree RSS, RSS of pid alone)
        self.main_cpu = 0.0  # CPU seconds of the process itself (all its threads; not its children), last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
            except psutil.Error:
                break
            total = top = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                if p is self.proc:
                    top = rss
                    try:
                        t = p.cpu_times()
                        self.main_cpu = t.user + t.system
                    except psutil.Error:
                        pass
            self.samples.append((time.monotonic(), total, top))
            if total > self.peak:
                self.peak, self.peak_processes = total, len(procs)
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(cmd: list[str], env=None, samples: list | None = None, cpu: dict | None = None
                 ) -> tuple[subprocess.CompletedProcess, float, int, int]:
    """Run ``cmd``; returns (completed process, wall seconds, peak tree RSS bytes, processes at peak).
    ``samples``, if given, is extended with the memory samples ``(time.monotonic(), tree RSS, RSS of
    the process alone)``; ``cpu``, if given, gets the CPU seconds (user + system) of the whole
    process tree (``total``: every process it started counts once reaped, as the OS accounts them)
    and of the process itself (``main``, sampled: within the sampling interval)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    mem = TreeMemory(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    peak = mem.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu["total"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu["main"] = mem.main_cpu
    if samples is not None:
        samples.extend(mem.samples)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), wall, peak, mem.peak_processes


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def stage_memory(events: list, samples: list, window: tuple[float, float] | None = None) -> dict:
    """Per stage: the process tree's memory during its window, from ``events`` ``(name, "start" |
    "end", time.monotonic())`` (reported by the child) and ``samples`` of :class:`TreeMemory`.

    Returns name -> ``start, end`` (seconds from the first event), ``start_rss`` (the last sample at
    or before the start), ``peak_rss`` (the largest of it and the samples inside the window),
    ``peak_main``/``peak_others`` (the measured process and its children at that peak),
    ``max_others`` (the children's largest RSS in the window, not necessarily at the peak), ``rise``
    (peak - start), ``samples`` (inside the window: 0 for a stage shorter than the sampling
    interval) and ``overlaps`` (the other stages whose windows intersect it). ``window`` adds a
    "total" entry for the whole analysis.
    """
    import bisect

    spans: dict[str, list[float]] = {}
    for name, event, t in events:
        if event == "start":
            spans.setdefault(name, [t, t])
        else:
            spans.setdefault(name, [t, t])[1] = t
    if window is not None:
        spans["total"] = list(window)
    if not spans or not samples:
        return {}
    times = [s[0] for s in samples]
    origin = min(a for a, _ in spans.values())
    out = {}
    for name, (a, b) in spans.items():
        i = max(bisect.bisect_right(times, a) - 1, 0)
        j = bisect.bisect_right(times, b)
        inside = samples[i + 1:j] if times[i] <= a else samples[i:j]
        top = max([samples[i]] + inside, key=lambda s: s[1])
        overlaps = [o for o, (c, d) in spans.items()
                    if o not in (name, "total") and name != "total" and c < b and a < d]
        out[name] = {"start": a - origin, "end": b - origin, "start_rss": samples[i][1], "peak_rss": top[1],
                     "peak_main": top[2], "peak_others": top[1] - top[2], "rise": top[1] - samples[i][1],
                     "max_others": max(s[1] - s[2] for s in [samples[i]] + inside),
                     "samples": len(inside), "overlaps": overlaps}
    return out


# ----------------------------------------------------------------------------- cold: the two programs


def child_peer(path: str) -> dict:
    import re

    import pandas as pd
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from textblob import TextBlob

    t0 = time.perf_counter()
    c0 = time.process_time()
    df = pd.read_csv(path, keep_default_na=False)
    texts = df["text"].astype(str).tolist()
    split = re.compile(r"(?<=[.!?])\s+")
    sent, docs = [], []
    for t in texts:
        for s in split.split(t):
            sent.append(TextBlob(s).sentiment)
        docs.append(TextBlob(t).sentiment)
    t1 = time.perf_counter()
    CountVectorizer(ngram_range=(1, 2)).fit_transform(texts)
    X = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.8).fit_transform(texts)
    NMF(8, init="nndsvda", random_state=0).fit(X)
    t2 = time.perf_counter()
    return {"total": t2 - t0, "stages": {"read+textblob": t1 - t0, "count+tfidf+nmf": t2 - t1},
            "cpu_main": time.process_time() - c0, "n_sentences": len(sent), "n_docs": len(docs)}


def child_ours(path: str) -> dict:
    import resource

    # Third-party imports are not timed, as for the peer (whose TextBlob and
    # scikit-learn imports precede its clock); the worker process's imports are.
    import pandas  # noqa: F401
    import scipy.sparse  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401

    from analysis.engine.analyse import analyse
    from analysis.corpus.limits import Limits

    events = []  # (stage, "start" | "end", time.monotonic()): the parent's memory samples share the clock

    def on_stage(name: str, event: str) -> None:
        events.append((name, event, time.monotonic()))

    t0 = time.perf_counter()
    c0 = time.process_time()
    m0 = time.monotonic()
    fa = analyse([path], limits=Limits.local(), on_stage=on_stage)
    total = time.perf_counter() - t0
    window = (m0, time.monotonic())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"total": total, "stages": fa.timings, "schedule": fa.schedule, "notes": fa.notes,
            "stage_events": events, "analyse_window": window,
            "cpu_main": time.process_time() - c0, "cpu_workers": children.ru_utime + children.ru_stime,
            "n_jobs": fa.n_jobs, "n_docs": len(fa.prepared.docs), "n_sentences": len(fa.prepared.sentences),
            "n_words": int(fa.prepared.docs["n_words"].sum()), "topics_k": fa.topics.k,
            "topics_units": fa.topics.units, "topic_params": fa.topics.params,
            "n_terms": int(fa.term_index.counts.shape[1]), "n_passages": len(fa.passages)}


def _run_child(who: str, corpus: Path) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", who, str(corpus)]
    samples: list = []
    done, wall, peak, nproc = run_measured(cmd, samples=samples)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{who} failed")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r.update(peak_rss=peak, peak_processes=nproc, process_wall=wall, load_after=load_average())
    if r.get("stage_events"):
        r["stage_memory"] = stage_memory(r["stage_events"], samples, tuple(r["analyse_window"]))
        r["memory_samples"] = len(samples)
    print(f"   {who}: {r['total']:.1f} s (process wall {wall:.1f} s incl. imports), peak RSS {mb(peak)} over "
          f"{nproc} process(es); load average after: {r['load_after']}", flush=True)
    return r


def run_build(corpus: Path, jobs: int | None = None, extra: tuple = ()) -> dict:
    """``python -m analysis build CORPUS --out TMP --local-limits [--jobs N]`` in a subprocess: wall
    seconds (the whole process, imports and the Dask cluster's start included), peak RSS of the process
    tree (client, scheduler, nannies, workers), the manifest's timings and its ``engine`` (tasks, bytes
    sent to and received from the workers)."""
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix="explorer-bench-build-"))
    cmd = [sys.executable, "-m", "analysis", "build", str(corpus), "--out", str(tmp / "store"), "--local-limits",
           "--no-progress", *(["--jobs", str(jobs)] if jobs else []), *extra]
    cpu: dict = {}
    try:
        done, wall, peak, nproc = run_measured(cmd, cpu=cpu)  # cpu: the build and every process it started
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            raise SystemExit("build failed")
        summary = json.loads(done.stdout)
        size = sum(f.stat().st_size for f in (tmp / "store").rglob("*") if f.is_file())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"wall": wall, "cpu": cpu["total"], "cpu_main": cpu["main"], "peak_rss": peak, "peak_processes": nproc,
            "summary": summary,
            "store_bytes": size,
            "words_per_s": summary["n_words"] / wall if wall else float("nan"), "jobs": jobs,
            "command": " ".join(rel(Path(c)) if c.startswith("/") else c for c in cmd)}


def print_engine(label: str, b: dict) -> None:
    e = b["summary"].get("engine", {})
    t = b["summary"]["timings"]
    print(f"   {label}: {b['wall']:.1f} s wall, {b['summary']['n_words']:,} words -> THROUGHPUT "
          f"{b['words_per_s']:,.0f} words/s; peak RSS {mb(b['peak_rss'])} over {b['peak_processes']} processes; "
          f"{e.get('workers', '?')} worker(s) ({e.get('scheduler', '?')}"
          + (f", started by {e['workers_started_by']}" if e.get("workers_started_by") else "") + ")")
    print("     stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in t.items()))
    if b.get("cpu"):  # where the CPU went: the build's own process against the processes it started
        print(f"     CPU: {b['cpu']:.0f} s ({b['cpu'] / b['summary']['n_words'] * 1e6:.1f} µs a word): the build "
              f"process (reading, Dask client and scheduler, writing the store, aggregates) {b['cpu_main']:.0f} s, "
              f"the worker processes {b['cpu'] - b['cpu_main']:.0f} s")
    kinds = ", ".join(f"{k} {v}" for k, v in e.get("tasks", {}).items())
    print(f"     tasks: {e.get('tasks_total', 0)} ({kinds}); bytes to workers {mb(e.get('bytes_to_workers', 0))}, "
          f"from workers {mb(e.get('bytes_from_workers', 0))} (pickled: what would cross the network)")
    print(f"     command: {b['command']}")


def cold(corpus: Path, builds: tuple[int, ...] = (2, 1)) -> dict:
    """Peer, ours (``analyse``), the ``build`` command (default workers), peer again (ABA: the mean
    of the two peer runs cancels a load that drifts linearly), each in a fresh subprocess; then the
    build again with each other number of local workers in ``builds`` (throughput only)."""
    print(f"\n== Cold analysis of {rel(corpus)}")
    print(f"   load average before: {load_average()} (2 cores shared with other work: expect noise)", flush=True)
    peer1 = _run_child("peer", corpus)
    ours = _run_child("ours", corpus)
    build = run_build(corpus, builds[0] if builds else None)
    print(f"   build: {build['wall']:.1f} s (process wall: imports and cluster start included), peak RSS "
          f"{mb(build['peak_rss'])} over {build['peak_processes']} process(es); load average after: "
          f"{load_average()}", flush=True)
    peer2 = _run_child("peer", corpus)
    peer_mean = (peer1["total"] + peer2["total"]) / 2
    ratio = ours["total"] / peer_mean
    build_ratio = build["wall"] / peer_mean
    print(f"\n   RATIO ours/peer = {ours['total']:.1f} / {peer_mean:.1f} = {ratio:.2f}  (target <= 0.50; "
          f"peer = mean of the runs before and after ours: {peer1['total']:.1f} and {peer2['total']:.1f} s)")
    print(f"   RATIO build/peer = {build['wall']:.1f} / {peer_mean:.1f} = {build_ratio:.2f}  (target <= 0.50; the "
          f"build's whole process, with {builds[0] if builds else 'default'} workers); PEAK RSS build "
          f"{mb(build['peak_rss'])} (target <= 1,536 MB)")
    others = [run_build(corpus, j) for j in builds[1:]]
    print("   build throughput by local workers:")
    for b in [build, *others]:
        print_engine(f"--jobs {b['jobs']}", b)
    cpu_peer = (peer1["cpu_main"] + peer2["cpu_main"]) / 2
    critical = max(ours["cpu_main"], ours["cpu_workers"])
    cores = min(len(os.sched_getaffinity(0)), (builds[0] if builds else 2) + 1)  # the workers and the builder
    print(f"   CPU seconds of the build (its process and every process it started, user + system): {build['cpu']:.1f}; "
          f"on {cores} cores at this run's speed it cannot take less than {build['cpu'] / cores:.1f} s = "
          f"{build['cpu'] / cores / cpu_peer:.2f} x the peer's {cpu_peer:.1f} CPU seconds (a floor of the build's "
          "ratio; other work on the machine moves CPU seconds too, but less than it moves the wall clock)")
    print(f"   CPU seconds: peer {cpu_peer:.1f}; ours {ours['cpu_main']:.1f} (main) + {ours['cpu_workers']:.1f} "
          f"(worker) = {ours['cpu_main'] + ours['cpu_workers']:.1f}; load-independent estimate of the ratio on an "
          f"idle 2-core machine = busier process / peer = {critical:.1f} / {cpu_peer:.1f} = {critical / cpu_peer:.2f}")
    print("   our stages: seconds in the process that ran them (main and worker overlap). Memory: RSS of the")
    print(f"   whole process tree (main + worker), sampled every 20 ms ({ours.get('memory_samples', 0):,} samples): at "
          "the stage's start,")
    print("   its peak during the stage (main + worker at that peak) and the rise over the start; window: seconds")
    print("   since analyse() started; * = ran concurrently with the stages named (their memory is in each other's peaks)")
    mem = ours.get("stage_memory", {})
    print(f"     {'stage':<12} {'seconds':>7}  {'start MB':>8}  {'peak RSS MB':>11} {'(main + worker)':<17}"
          f" {'+MB over start':>14}  {'window s':<11} ran in / concurrent")
    for k, v in ours["stages"].items():
        m = mem.get(k)
        if m is None:
            print(f"     {k:<12} {v:7.2f}  {'':>8}  {'':>11} {'':<17} {'':>14}  {'':<11} {ours['schedule'].get(k, '')}")
            continue
        split = f"({m['peak_main'] / 2**20:,.0f} + {m['peak_others'] / 2**20:,.0f})"
        where = "worker" if ours["schedule"].get(k, "main").startswith("worker") else ours["schedule"].get(k, "main")
        if where == "worker":
            where += f" (worker alone peaked at {m['max_others'] / 2**20:,.0f} MB)"
        if k == "total":
            where = "whole analyse() call"
        elif k == "wait_worker":
            where = "main waits for the worker"
        if m["overlaps"]:
            where += " * with " + ", ".join(m["overlaps"])
        if m["samples"] == 0:
            where += " (shorter than a sample: peak = start)"
        print(f"     {k:<12} {v:7.2f}  {m['start_rss'] / 2**20:8,.0f}  {m['peak_rss'] / 2**20:11,.0f} {split:<17}"
              f" {'+' + format(m['rise'] / 2**20, ',.0f'):>14}  {format(m['start'], '.1f') + '-' + format(m['end'], '.1f'):<11}"
              f" {where}")
    print("   peer stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in peer1["stages"].items()))
    print(f"   ours: {ours['n_docs']} docs, {ours['n_words']:,} words, {ours['n_sentences']:,} sentences, "
          f"{ours['n_terms']:,} terms, {ours['n_passages']:,} shared passages, topics k={ours['topics_k']} "
          f"({ours['topics_units']}, automatic k, settings {ours['topic_params']}), n_jobs={ours['n_jobs']}")
    print(f"   PEAK RSS ours {mb(ours['peak_rss'])} over {ours['peak_processes']} processes (target <= 1,536 MB); "
          f"peer {mb(max(peer1['peak_rss'], peer2['peak_rss']))}")
    if ours["notes"]:
        print(f"   notes: {ours['notes']}")
    print(f"   command: {rel(Path(sys.executable))} scripts/benchmark.py --cold --corpus {rel(corpus)}")
    return {"ratio": ratio, "build_ratio": build_ratio, "peer": [peer1, peer2], "ours": ours,
            "builds": [build, *others]}


# ----------------------------------------------------------------------------- methods


def methods_speed(corpus: Path) -> dict:
    """Sentences per second of each sentiment method on every sentence of ``corpus`` (this process,
    one thread, the fast implementations the app uses): TextBlob polarity+subjectivity, VADER
    compound, the classifier (given the two lexicon scores, i.e. its own added cost: tokens, word
    and word-pair look-ups), and VADER over each whole document (``vader_doc``, per document)."""
    import pandas as pd

    from analysis.corpus import segment
    from analysis.methods import lexicons, tone_classifier

    print(f"\n== Sentiment methods on {rel(corpus)} (load average {load_average()})", flush=True)
    frame = pd.read_csv(corpus, keep_default_na=False)
    texts = frame["text"].astype(str).tolist()
    _, sents = segment.segment_texts(frame["doc_id"].astype(str), texts)
    stexts = sents["text"].astype(str).tolist()
    lexicons.textblob_sentiment("warm up")
    lexicons.vader_compound("warm up")
    model = tone_classifier.load_model()
    model.scores(["warm up"], [0.0], [0.0])
    out = {}

    def timed(name, func, n, unit="sentences"):
        t0, c0 = time.perf_counter(), time.process_time()
        value = func()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out[name] = {"seconds": wall, "cpu_seconds": cpu, "per_second": n / wall, "per_cpu_second": n / cpu,
                     "unit": unit}
        print(f"   {name:<38} {n / wall:9,.0f} {unit}/s wall, {n / cpu:9,.0f} per CPU second  ({wall:6.2f} s wall, "
              f"{cpu:6.2f} s CPU, {n:,} {unit})", flush=True)
        return value

    pol = timed("TextBlob (polarity, subjectivity)", lambda: [lexicons.textblob_sentiment(t)[0] for t in stexts],
                len(stexts))
    vad = timed("VADER compound", lambda: [lexicons.vader_compound(t) for t in stexts], len(stexts))
    timed("classifier (given the two scores)", lambda: model.scores(stexts, vad, pol), len(stexts))
    timed("VADER of whole documents (vader_doc)", lambda: [lexicons.vader_compound(t) for t in texts], len(texts),
          "documents")
    print(f"   command: {rel(Path(sys.executable))} scripts/benchmark.py --methods --corpus {rel(corpus)}")
    return out


# ----------------------------------------------------------------------------- warm


def app_pages() -> list[tuple[str, str]]:
    """``(path, title)`` of app.PAGES, read from app.py without running it."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in node.targets):
            return [(p[0], p[1]) for p in ast.literal_eval(node.value)]
    return []


def warm(corpora: list[Path]) -> dict:
    import logging

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)  # "missing ScriptRunContext" noise

    from analysis.corpus.loaders import load_paths
    from analysis.corpus.limits import Limits

    # Run switched-to pages inside app.py's frame, as the server does (see tests/test_app_terms.py).
    init = PagesManager.__init__

    def init_v2(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init_v2
    pages = [(p, t) for p, t in app_pages() if (ROOT / p).exists()]
    missing = [p for p, _ in app_pages() if not (ROOT / p).exists()]
    out = {}
    for path in corpora:
        print(f"\n== Warm reruns on {rel(path)} (load average {load_average()})")
        if missing:
            print(f"   pages not written yet, skipped: {', '.join(missing)}")
        corpus = load_paths(path, limits=Limits.local())
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
        docs = corpus.to_frame(with_text=False)
        authors = [a for a in docs["author"].value_counts().index.tolist() if a][:3]
        if len(authors) >= 2:
            filters = [("authors", authors[:2]), ("authors", [])]
            what = f"authors {authors[:2]}"
        else:  # no author metadata (BBC): the Documents filter, one category's documents
            col = next((c for c in ("category", "party", "source") if c in docs and docs[c].nunique() > 1), None)
            keep = (docs.loc[docs[col] == docs[col].iloc[0], "doc_id"] if col else docs["doc_id"].iloc[::4]).tolist()
            filters = [("docs", keep), ("docs", [])]
            what = f"documents filter ({len(keep)} documents{' of ' + col + ' ' + docs[col].iloc[0] if col else ''})"
        print(f"   filter change: {what}; phrase change: 'the people' / 'left behind'")
        rows = []
        for page, title in pages:
            at.switch_page(page)
            t0 = time.perf_counter()
            at.run()
            first = time.perf_counter() - t0
            errors = [str(e.value)[:120] for e in list(at.exception) + list(at.error)]
            view = at.session_state["view"] if "view" in at.session_state else None
            times = {}
            heading = at.title[0].value if len(at.title) else "?"
            if view is not None:
                setattr(view, *filters[0])
                t0 = time.perf_counter()
                at.run()
                times["filter"] = time.perf_counter() - t0
                view.phrases = (["the people"] if view.phrases != ["the people"] else ["left behind"])
                t0 = time.perf_counter()
                at.run()
                times["phrase"] = time.perf_counter() - t0
                setattr(view, *filters[1])
                t0 = time.perf_counter()
                at.run()
                times["clear filter"] = time.perf_counter() - t0
                errors += [str(e.value)[:120] for e in list(at.exception) + list(at.error)]
            worst = max(times.values()) if times else float("nan")
            flag = "ok" if worst <= 1.0 else "OVER 1 s"
            print(f"   {title:<16} ({heading[:18]:<18}) cold {first:7.1f} s | " + " | ".join(f"{k} {v:.2f} s" for k, v in times.items())
                  + f" | worst {worst:.2f} s {flag}" + (f" | errors: {errors[:2]}" if errors else ""))
            rows.append({"page": page, "heading": heading, "cold": first, **times, "errors": errors})
        out[str(path)] = rows
        print(f"   load average after: {load_average()}")
    print(f"   command: {rel(Path(sys.executable))} scripts/benchmark.py --warm")
    return out


# ----------------------------------------------------------------------------- 100k build


def make_big_corpus(folder: Path, n_docs: int) -> tuple[Path, int]:
    """A CSV of ``n_docs`` documents repeating the shared corpora with new ids."""
    import pandas as pd

    frames = []
    for name, path in SHARED.items():
        df = pd.read_csv(path, keep_default_na=False, dtype=str)
        keep = [c for c in ("doc_id", "author", "date", "party", "category", "title", "text") if c in df.columns]
        df = df[keep].copy()
        df["source"] = name
        frames.append(df)
    base = pd.concat(frames, ignore_index=True).fillna("")
    base = base[["doc_id", "author", "date", "party", "category", "title", "source", "text"]]
    out = folder / f"corpus_{n_docs}.csv"
    written = 0
    rep = 0
    chars = 0
    header = True
    while written < n_docs:
        take = base.iloc[: n_docs - written].copy()
        take["doc_id"] = [f"r{rep:02d}_{d}" for d in take["doc_id"]]
        take.to_csv(out, mode="w" if header else "a", header=header, index=False)
        chars += int(take["text"].str.len().sum())
        header = False
        written += len(take)
        rep += 1
    return out, chars


def build_100k(n_docs: int, keep: bool, workers: tuple[int, ...] = (2,)) -> dict:
    print(f"\n== Build of a {n_docs:,}-document corpus (load average {load_average()})")
    tmp = Path(tempfile.mkdtemp(prefix="explorer-bench-"))
    t0 = time.perf_counter()
    csv, chars = make_big_corpus(tmp, n_docs)
    print(f"   corpus: {csv} ({csv.stat().st_size / 2**20:,.0f} MB, {chars:,} characters), "
          f"made in {time.perf_counter() - t0:.0f} s")
    extra = {}
    for j in workers[1:]:  # throughput with other numbers of local workers (the store is not kept)
        b = run_build(csv, j)
        print_engine(f"--jobs {j}", b)
        extra[j] = b
    out = tmp / "store"
    cmd = [sys.executable, "-m", "analysis", "build", str(csv), "--out", str(out), "--local-limits",
           *(["--jobs", str(workers[0])] if workers else [])]
    cpu: dict = {}
    done, wall, peak, nproc = run_measured(cmd, cpu=cpu)
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit("build failed")
    summary = json.loads(done.stdout)
    print(f"   BUILD: {wall:.0f} s wall, peak RSS {mb(peak)} over {nproc} process(es) "
          f"(load average after: {load_average()}); target <= 166 s (half of the 332 s before Dask)")
    print_engine(f"--jobs {workers[0] if workers else 'default'}",
                 {"wall": wall, "cpu": cpu["total"], "cpu_main": cpu["main"], "peak_rss": peak,
                  "peak_processes": nproc, "summary": summary, "words_per_s": summary["n_words"] / wall,
                  "jobs": workers[0] if workers else None,
                  "command": " ".join(rel(Path(c)) if c.startswith("/") else c for c in cmd)})
    print(f"   {summary['n_docs']:,} docs, {summary['n_words']:,} words; stage seconds: "
          + ", ".join(f"{k} {v:.0f}" for k, v in summary["timings"].items()))
    print(f"   topics: k={summary['topics']['k']} on {summary['topics']['n_fit_docs']:,} sampled documents; "
          f"notes: {summary['notes']}")
    print(f"   command: {' '.join(rel(Path(c)) if c.startswith('/') else c for c in cmd)}")
    queries = store_queries(out)
    app = app_on_store(out)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"   store size on disk: {size / 2**20:,.0f} MB")
    if not keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"   kept: {tmp}")
    return {"wall": wall, "cpu": cpu["total"], "cpu_main": cpu["main"], "peak_rss": peak, "summary": summary,
            "queries": queries, "app": app, "store_bytes": size, "other_workers": extra}


def store_queries(path: Path) -> dict:
    """Time the aggregate queries pages of a large store make (fresh open, then warm)."""
    from analysis.engine.store import open_store

    t0 = time.perf_counter()
    st = open_store(path)
    docs = st.docs(text=False)
    timings = {"open + docs metadata": time.perf_counter() - t0}
    by = "source" if "source" in st.group_columns else st.group_columns[0]
    subset = docs.loc[docs[by] == docs[by].iloc[0], "doc_id"].tolist()[:2000]
    calls = {
        "doc_scores (all)": lambda: st.doc_scores(),
        f"group_sentiment({by})": lambda: st.group_sentiment(by),
        f"top_terms({by})": lambda: st.top_terms(by, n=30),
        f"topic_shares({by})": lambda: st.topic_shares(by),
        f"group_sentiment(author, {len(subset)} docs)": lambda: st.group_sentiment("author", doc_ids=subset),
        f"top_terms(author, {len(subset)} docs)": lambda: st.top_terms("author", n=30, doc_ids=subset),
        f"topic_shares(author, {len(subset)} docs)": lambda: st.topic_shares("author", doc_ids=subset),
        "sentences of one document": lambda: st.sentences(doc_ids=subset[:1]),
    }
    for name, fn in calls.items():
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        fn()
        timings[name] = (first, time.perf_counter() - t0)
    print("   store queries (first call, repeated call):")
    for k, v in timings.items():
        print(f"     {k:<44} " + (f"{v[0]:.2f} s, {v[1]:.2f} s" if isinstance(v, tuple) else f"{v:.2f} s"))
    return timings


def child_app_store(path: str) -> dict:
    """In a child process: the app opened on a large store (``EXPLORER_STORE``), its store overview
    run cold, then rerun after a group-by change, two filter changes (the commonest value of a
    column, and its rarest with at least 1,000 documents) and a years filter (computed, not
    precomputed), each cleared again."""
    import logging

    import pandas as pd

    from streamlit.testing.v1 import AppTest

    os.environ["EXPLORER_STORE"] = path
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
    times, errors = {}, []

    def run(label: str) -> None:
        t0 = time.perf_counter()
        at.run()
        times[label] = time.perf_counter() - t0
        errors.extend(str(e.value)[:120] for e in list(at.exception) + list(at.error))

    run("first (cold)")
    view = at.session_state["view"]
    title = at.title[0].value if len(at.title) else "?"
    from analysis.engine.store import open_store

    store = open_store(path)
    docs = store.docs(text=False)
    other = next((c for c in store.group_columns if c != view.group_by), view.group_by)
    view.group_by = other
    run(f"group by {other}")
    col, attr = next(((c, a) for c, a in (("source", "sources"), ("type", "types"), ("author", "authors"))
                      if c in docs and docs[c].nunique() > 1), ("author", "authors"))
    counts = docs[col].value_counts()
    small = counts[counts >= 1000]
    for value in dict.fromkeys([counts.index[0], small.index[-1] if len(small) else counts.index[-1]]):
        setattr(view, attr, [value])
        run(f"filter {col} = {str(value)[:30]} ({int(counts[value]):,} docs)")
        setattr(view, attr, [])
        run(f"clear filter ({str(value)[:30]})")
    years = pd.to_numeric(docs["date"].astype(str).str.slice(0, 4), errors="coerce").dropna() if "date" in docs \
        else pd.Series(dtype=float)
    if len(years):
        view.year_from = int(years.median())  # a filter the store has no precomputed cells for
        run(f"years from {view.year_from} ({int((years >= view.year_from).sum()):,} docs, computed)")
        view.year_from = None
        run("clear filter (years)")
    return {"title": title, "times": times, "errors": errors, "docs": len(docs)}


def app_on_store(path: Path) -> dict:
    """The app's page times on a large store (child process; its peak RSS too)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", "app-store", str(path)]
    done, wall, peak, _ = run_measured(cmd)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return {"error": done.returncode}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"   the app on this store (AppTest, {result['docs']:,} documents; page '{result['title']}'; "
          f"peak RSS {mb(peak)}):")
    for k, v in result["times"].items():
        flag = "" if k.startswith("first") else ("  ok" if v <= 1.0 else "  OVER 1 s")
        print(f"     {k:<44} {v:.2f} s{flag}")
    if result["errors"]:
        print(f"     errors: {result['errors'][:3]}")
    print(f"   command: {rel(Path(sys.executable))} scripts/benchmark.py --store {rel(path)}")
    return {**result, "peak_rss": peak}


# ----------------------------------------------------------------------------- topics


def topics_ready(path: Path, repeat: int = 1) -> dict:
    """Seconds until the Topics page has its topics, on ``path`` (default: the 493 UK COVID speeches).

    The corpus is loaded and prepared first (not timed, as the app has it already); then, timed:
    the automatic-k fit with the app's settings (:func:`analysis.engine.analyse.topic_params`),
    the topic names, the relevant terms, the document shares and the most typical passages of
    every topic: everything the page computes on its first visit. Wall and CPU seconds of this
    process (the fit runs in it; BLAS threads included in CPU)."""
    from analysis import load, prepare
    from analysis.engine.analyse import n_topic_units, topic_params
    from analysis.methods import topics as tp

    prep = prepare(load([path]))
    settings = topic_params(n_topic_units(prep, "auto"))
    print(f"\n== Topics on {rel(path)}: {len(prep.docs):,} documents, settings {settings} "
          f"(load average {load_average()})")
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        model = tp.TopicModel(**settings).fit(prep)
        fit_wall, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
        tp.distinctive_terms(model), tp.top_terms(model, n=15), tp.document_topics(model, wide=True)
        tp.typical_passages(model, n=3)
        runs.append({"fit_s": fit_wall, "fit_cpu_s": fit_cpu, "ready_s": time.perf_counter() - wall,
                     "ready_cpu_s": time.process_time() - cpu})
        print(f"   topics ready in {runs[-1]['ready_s']:.1f} s wall ({runs[-1]['ready_cpu_s']:.1f} s CPU); "
              f"the fit {fit_wall:.1f} s wall ({fit_cpu:.1f} s CPU); k={model.k_} of {model.units_}, "
              f"stability {model.stability_:.2f}")
    names = tp.distinctive_terms(model)
    for t, terms in tp.top_terms(model, n=10).groupby("topic"):
        print(f"   {t + 1:>2} · {', '.join(names[t])}: {', '.join(terms['term'])}")
    best = min(runs, key=lambda r: r["ready_s"])
    return {**best, "k": int(model.k_), "units": model.units_, "n_docs": len(prep.docs), "load": load_average()}


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="full analysis vs the peer")
    parser.add_argument("--warm", action="store_true", help="page rerun times (AppTest)")
    parser.add_argument("--methods", action="store_true", help="sentences per second of each sentiment method")
    parser.add_argument("--build-100k", action="store_true", help="chunked build of 100,000 documents")
    parser.add_argument("--corpus", action="append", type=Path,
                        help="corpus for --cold (default us-sotu) and --warm (default us-sotu and bbc)")
    parser.add_argument("--docs", type=int, default=100_000, help="documents for --build-100k")
    parser.add_argument("--workers", default="2,1",
                        help="local Dask workers of the builds, comma-separated: the first is the build compared "
                             "with the peer (--cold) or kept (--build-100k), the others are timed for throughput "
                             "(default 2,1)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and store")
    parser.add_argument("--store", type=Path, help="time the app on this (large) store built by `build`")
    parser.add_argument("--topics", action="store_true",
                        help="seconds until the Topics page has its topics (default corpus: UK COVID speeches)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        who, path = args._child
        result = {"peer": child_peer, "app-store": child_app_store}.get(who, child_ours)(path)
        print(json.dumps(result, default=str))
        return 0
    everything = not (args.cold or args.warm or args.methods or args.build_100k or args.store or args.topics)
    workers = tuple(int(w) for w in str(args.workers).split(",") if w.strip())
    print(f"benchmark on {os.cpu_count()} CPU(s); load average {load_average()}; python {sys.version.split()[0]}")
    report = {}
    if args.cold or everything:
        report["cold"] = cold((args.corpus or [SOTU])[0], workers)
    if args.methods or everything:
        report["methods"] = methods_speed((args.corpus or [SOTU])[0])
    if args.warm or everything:
        report["warm"] = warm(args.corpus or [SOTU, BBC])
    if args.topics or everything:
        report["topics"] = topics_ready((args.corpus or [COVID])[0] if args.topics else COVID)
    if args.build_100k or everything:
        report["build"] = build_100k(args.docs, args.keep, workers)
    if args.store:
        print(f"\n== The app on the store {rel(args.store)} (load average {load_average()})")
        report["store_app"] = app_on_store(args.store)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
