"""The build on Dask: the same store whichever scheduler runs it, a lost worker, an interrupted build.

A ``distributed.LocalCluster`` of two worker processes runs in the test process; its stores are
compared table by table (every table the manifest lists, values and dtypes) with the build that
runs every task in this process (``n_jobs=1``). The corpus is small (40 documents cut into 6
chunks, and each chunk into several tasks) and the topic model is fitted on a sample of 15
documents with k fixed, so that both the small-corpus and the sampled topic paths run quickly.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.engine import build as build_mod
from analysis.engine.build import build_store
from analysis.engine.cluster import SCHEDULER_ENV
from analysis.engine.params import AnalysisParams
from analysis.engine.store import open_store
from analysis.methods.bulk_scoring import children_skip_main
from tests.test_store import small_csv_text

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SAMPLED = AnalysisParams(topic_k=2, topic_sample_docs=15)  # 40 documents: fitted on a sample
WHOLE = AnalysisParams(topic_k=2)  # fitted on every document, from the prepared slices
CHUNK = 7


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "small.csv"
    path.write_text(small_csv_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module", autouse=True)
def small_tasks():
    """Several tasks per chunk (about 3 documents each), as a large corpus has."""
    before = build_mod.TASK_CHARS
    build_mod.TASK_CHARS = 5_000
    yield
    build_mod.TASK_CHARS = before


@pytest.fixture(scope="module")
def cluster():
    # as a cluster started by `dask scheduler` / `dask worker` would: its processes never run
    # this process's __main__ (an AppTest earlier in the session leaves a page script there)
    with children_skip_main(), distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR, memory_limit=0) as c:
        with distributed.Client(c, set_as_default=False) as client:
            yield c, client


@pytest.fixture(scope="module")
def local_stores(csv_path, tmp_path_factory):
    """The reference: every task in this process (no worker process)."""
    base = tmp_path_factory.mktemp("local")
    out = {}
    for name, params in (("sampled", SAMPLED), ("whole", WHOLE)):
        build_store([csv_path], base / name, params, chunk_size=CHUNK, n_jobs=1, progress=False)
        out[name] = base / name
    return out


def assert_same_store(a: Path, b: Path) -> None:
    """Every table of the two stores, as the manifest lists them, holds the same values and dtypes."""
    sa, sb = open_store(a), open_store(b)
    names = set(sa.manifest["tables"])
    assert names == set(sb.manifest["tables"])
    assert len(names) >= 20
    for name in sorted(names):
        pd.testing.assert_frame_equal(sa.table(name), sb.table(name), check_exact=True, obj=name)
    for key in ("content_hash", "key", "n_docs", "n_words", "group_columns", "topics", "notes", "parts"):
        assert sa.manifest[key] == sb.manifest[key], key


def test_the_cluster_writes_the_local_store(cluster, csv_path, local_stores, tmp_path):
    c, client = cluster
    manifest = build_store([csv_path], tmp_path / "sampled", SAMPLED, chunk_size=CHUNK,
                           scheduler=c.scheduler_address, progress=False)
    engine = manifest["engine"]
    assert engine["scheduler"] == c.scheduler_address and engine["workers"] == 2
    # the documents' topic shares come from the parts' term counts (analysis.engine.topic_counts)
    assert engine["tasks"]["prepare+index"] > 6 and "topics:score" not in engine["tasks"]
    assert engine["tasks"]["topics:k"] == 1  # k is set: one k scored, by a task the fit's task started
    assert engine["bytes_to_workers"] > 0 and engine["bytes_from_workers"] > 0
    assert len(manifest["parts"]) == 6
    assert_same_store(tmp_path / "sampled", local_stores["sampled"])


def test_the_scheduler_from_the_environment(cluster, csv_path, local_stores, tmp_path, monkeypatch):
    c, _ = cluster
    monkeypatch.setenv(SCHEDULER_ENV, c.scheduler_address)
    manifest = build_store([csv_path], tmp_path / "whole", WHOLE, chunk_size=CHUNK, progress=False)
    assert manifest["engine"]["scheduler"] == c.scheduler_address
    assert manifest["engine"]["tasks"]["topics"] == 1  # fitted on the prepared slices
    assert_same_store(tmp_path / "whole", local_stores["whole"])


def test_a_killed_worker_changes_nothing(cluster, csv_path, local_stores, tmp_path):
    """One worker process is killed after the first chunk is written, with later chunks' tasks
    queued or running and their results held by the workers: Dask reruns what was lost."""
    c, client = cluster
    pids = client.run(os.getpid)
    killed = []

    def kill_one(n_docs: int) -> None:
        if not killed:
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append(victim)

    build_store([csv_path], tmp_path / "whole", WHOLE, chunk_size=CHUNK, client=client, progress=False,
                on_chunk=kill_one)
    assert killed
    assert_same_store(tmp_path / "whole", local_stores["whole"])
    deadline = time.time() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.time() < deadline:
        time.sleep(0.5)  # the nanny restarts the worker, for the tests after this one


def test_the_passage_search_reads_the_kept_slices_or_the_store_alike(cluster, csv_path, local_stores, tmp_path,
                                                                   monkeypatch):
    """The shared-passage search starts from the slices the workers kept while the corpus was read
    (so it can run while this process still writes); a corpus that outgrows REUSE_SLICE_CHARS is
    read back from the store instead. Either way the store is the one every task in this process
    writes."""
    _, client = cluster
    early = build_store([csv_path], tmp_path / "early", WHOLE, chunk_size=CHUNK, client=client, progress=False)
    tasks = early["engine"]["tasks"]
    assert tasks["reuse:input"] == tasks["prepare+index"] and tasks["reuse"] == 1
    assert len(open_store(tmp_path / "early").table("passages")) > 10
    monkeypatch.setattr(build_mod, "REUSE_SLICE_CHARS", 20_000)  # kept for the first chunks, then dropped
    late = build_store([csv_path], tmp_path / "late", WHOLE, chunk_size=CHUNK, client=client, progress=False)
    assert 0 < late["engine"]["tasks"]["reuse:input"] < tasks["reuse:input"]
    assert_same_store(tmp_path / "early", local_stores["whole"])
    assert_same_store(tmp_path / "late", local_stores["whole"])


def test_a_worker_killed_while_the_topic_ks_run_changes_nothing(cluster, csv_path, tmp_path):
    """With k chosen automatically the topic task launches a task per candidate k
    (:class:`analysis.engine.build.KTasks`). The worker that starts the first of them is killed
    at that moment: Dask runs again what was lost (the k's, what they read, the topic task if it
    was there) and the store is the one built in this process."""
    from distributed.diagnostics.plugin import SchedulerPlugin

    auto = AnalysisParams(topic_sample_docs=15)  # sampled: the fit's own task launches the k's
    build_store([csv_path], tmp_path / "local", auto, chunk_size=CHUNK, n_jobs=1, progress=False)
    c, client = cluster
    pids = client.run(os.getpid)
    killed = []

    class KillOnFirstK(SchedulerPlugin):
        def transition(self, key, start, finish, *args, **kwargs):
            name = str(key[0] if isinstance(key, tuple) else key)
            if finish == "processing" and name.startswith("_score_one_k") and not killed:
                address = c.scheduler.tasks[key].processing_on.address
                os.kill(pids[address], signal.SIGKILL)
                killed.append(address)

    plugin = KillOnFirstK()
    c.scheduler.add_plugin(plugin, name="kill-on-first-k")
    try:
        manifest = build_store([csv_path], tmp_path / "cluster", auto, chunk_size=CHUNK, client=client,
                               progress=False)
    finally:
        c.scheduler.remove_plugin(name="kill-on-first-k")
    assert killed
    assert manifest["engine"]["tasks"]["topics:k"] >= 2
    assert_same_store(tmp_path / "cluster", tmp_path / "local")
    deadline = time.time() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.time() < deadline:
        time.sleep(0.5)  # the nanny restarts the worker, for the tests after this one


def test_an_interrupted_build_leaves_the_previous_store(csv_path, local_stores, tmp_path):
    out = tmp_path / "store"
    build_store([ROOT / "seeds"], out, WHOLE, n_jobs=1, progress=False)
    before = open_store(out).manifest["content_hash"]

    def interrupt(n_docs: int) -> None:
        if n_docs >= 2 * CHUNK:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_store([csv_path], out, WHOLE, chunk_size=CHUNK, n_jobs=1, progress=False, on_chunk=interrupt)
    assert open_store(out).manifest["content_hash"] == before  # untouched, complete
    assert not list(tmp_path.glob(".store.*"))  # no half-written folder left behind
    build_store([csv_path], out, WHOLE, chunk_size=CHUNK, n_jobs=1, progress=False)
    assert_same_store(out, local_stores["whole"])


def test_a_killed_build_process_is_cleaned_up_by_the_rerun(csv_path, local_stores, tmp_path):
    """A build killed outright (SIGKILL, no clean-up) leaves its temporary folder and no store;
    the next build removes the folder and writes the whole store."""
    out = tmp_path / "store"
    cmd = [sys.executable, "-c",
           "import sys; from analysis.engine import build; build.TASK_CHARS = 5000; "
           "build.build_store([sys.argv[1]], sys.argv[2], build.AnalysisParams(topic_k=2), chunk_size=7, "
           "n_jobs=1, progress=False, on_chunk=lambda n: __import__('time').sleep(30) if n >= 14 else None)",
           str(csv_path), str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 240
        parts = []
        while time.time() < deadline and len(parts) < 2 and proc.poll() is None:
            time.sleep(0.2)
            parts = list(tmp_path.glob(".store.building-*/docs/part-*.parquet"))
        assert len(parts) >= 2, "the build did not get going"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not out.exists()
    leftovers = [p.name for p in tmp_path.glob(".store.building-*")]
    assert leftovers
    manifest = build_store([csv_path], out, WHOLE, chunk_size=CHUNK, n_jobs=1, progress=False)
    assert sorted(manifest["engine"]["leftovers_removed"]) == sorted(leftovers)
    assert not list(tmp_path.glob(".store.building-*"))
    assert_same_store(out, local_stores["whole"])


def test_what_the_builders_tasks_send_is_a_slice_analysed_again():
    """The builder gets a slice's sentence text from the prepare task only, the raw texts from
    nowhere (it has them), and the term counts in 32 bits; what the two tasks send is made equal to
    preparing, scoring and indexing the slice (:func:`prepare_documents`, :func:`score_slice`,
    :func:`terms_stage`), values and dtypes, word counts included, and results of another slice
    are refused."""
    import numpy as np

    from analysis.corpus.loaders import load_seeds
    from analysis.engine.stages import prepare_documents, prepare_for_builder, received_from_builder_task, \
        score_for_builder, score_slice, terms_stage

    docs = load_seeds().documents
    want_prep = prepare_documents(docs)
    want_tables, want_index = score_slice(want_prep), terms_stage(want_prep.docs)
    prepared = prepare_for_builder(docs)
    scored = score_for_builder(prepared)
    assert "text" not in scored.sentences.columns and prepared[1].counts.dtype == np.int32
    assert (prepared[0].docs["raw_text"] == "").all()
    prep, tables, index = received_from_builder_task(docs, prepared, scored)
    pd.testing.assert_frame_equal(prep.docs, want_prep.docs)
    pd.testing.assert_frame_equal(prep.sentences, want_prep.sentences)
    pd.testing.assert_frame_equal(tables.sentences, want_tables.sentences)
    pd.testing.assert_frame_equal(tables.documents, want_tables.documents)
    pd.testing.assert_frame_equal(index.docs, want_index.docs)
    assert index.counts.dtype == want_index.counts.dtype and index.term_n.dtype == want_index.term_n.dtype
    assert (index.counts != want_index.counts).nnz == 0 and np.array_equal(index.term_n, want_index.term_n)
    assert np.array_equal(index.terms, want_index.terms)
    other = prepare_for_builder(docs[:2])
    with pytest.raises(ValueError, match="not the prepared slice's"):
        received_from_builder_task(docs[:2], other, scored)
    with pytest.raises(ValueError, match="not the slice's"):
        received_from_builder_task(docs[1:], prepare_for_builder(docs), scored)


def test_a_slice_prepared_with_its_terms_counts_its_words_as_count_words_does():
    """:func:`prepare_and_index` takes the documents' word counts from the term index, not from
    :func:`count_words`: the same numbers, on texts where the two tokenisers could part (underscores,
    joiners, digits, marks that end sentences, non-Latin scripts, blank lines)."""
    from analysis.corpus.model import Document
    from analysis.corpus.segment import count_words
    from analysis.engine.stages import prepare_and_index, prepare_documents

    texts = ["snake_case and__double under_ _scores", "rock-'n'-roll don't \u2018quoted\u2019 co\u2010op -x- y-",
             "1,000,000 people; 3.5% (of them) \u2014 said: \u201cno!\u201d?", "\u0395\u03bb\u03bb\u03ac\u03b4\u03b1 "
             "\u6771\u4eac \u0905\u0928\u0941 caf\u00e9 na\u0131ve \u0130stanbul", "one\n\n\ntwo\n \t\nthree",
             "", "   ", "x" * 3 + "_" * 3, "\u00b2\u00b3 \u2160\u2161 \u0663\u0664 \uff11\uff12"]
    docs = [Document(doc_id=f"d{i}", text=t) for i, t in enumerate(texts)]
    prep, index = prepare_and_index(docs)
    want = [count_words(t) for t in prep.docs["text"]]
    assert prep.docs["n_words"].tolist() == want == index.n_words.tolist()
    assert list(prep.docs.columns) == list(prepare_documents(docs).docs.columns)


def test_local_workers_start_with_one_heap_and_glibcs_own_mmap_threshold(monkeypatch):
    """The local cluster's nanny puts each worker on one heap (``MALLOC_ARENA_MAX=1``, Arrow on
    the system allocator) and does not set ``MALLOC_TRIM_THRESHOLD_`` (which would also fix
    glibc's mmap threshold at 128 kB)."""
    from analysis.engine.cluster import dask_client

    # as in a fresh `build` process (a nanny started with Dask's defaults, such as this module's
    # cluster, leaves the variable in the environment of the process that started it)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    names = ("MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "ARROW_DEFAULT_MEMORY_POOL")
    with children_skip_main(), dask_client(None, n_workers=2) as client:
        seen = client.run(lambda: {k: os.environ.get(k) for k in names})
    assert len(seen) == 2
    want = {"MALLOC_ARENA_MAX": "1", "MALLOC_TRIM_THRESHOLD_": None, "ARROW_DEFAULT_MEMORY_POOL": "system"}
    assert all(env == want for env in seen.values()), seen


def test_local_workers_run_without_dasks_profiler_and_check_their_loop_once_a_second():
    """The workers' statistical profiler (for the dashboard) is off and their event loop's health
    check runs once a second, not every 20 ms: each takes the interpreter lock from the task's
    thread. A cluster started with Dask's defaults has both."""
    from distributed import LocalCluster

    from analysis.engine.cluster import dask_client

    def profiling(dask_worker):
        return "profile" in dask_worker.periodic_callbacks, dask_worker._tick_interval

    with children_skip_main(), dask_client(None, n_workers=2) as client:
        ours = client.run(profiling)
    with children_skip_main(), LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0",
                                            processes=True) as cluster, cluster.get_client() as client:
        defaults = client.run(profiling)
    assert list(ours.values()) == [(False, 1.0)] * 2 and list(defaults.values()) == [(True, 0.02)]


_HEAPS = r"""
import ctypes, sys, tempfile, threading
sys.path.insert(0, sys.argv[2])
from analysis.engine.cluster import one_heap
if sys.argv[1] == "one":
    assert one_heap()
together, keep = threading.Barrier(4), []
def allocate():
    together.wait()  # all four threads alive at once: none can take over another's heap
    keep.append([bytearray(5000) for _ in range(100)])
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
import pyarrow as pa
print(pa.default_memory_pool().backend_name)
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as f:
    fp = ctypes.c_void_p(libc.fopen(f.name.encode(), b"w"))
    libc.malloc_info(0, fp)
    libc.fclose(fp)
    print(open(f.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_one_heap_keeps_every_thread_and_arrow_on_one_heap():
    """``build``'s process allocates from one glibc heap whatever thread allocates (by default
    glibc gives four threads allocating at once heaps of their own), Arrow included."""
    def heaps(mode: str) -> tuple[str, int]:
        # (a local cluster started earlier in this process leaves its nannies' settings in the
        # environment)
        env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "ARROW_DEFAULT_MEMORY_POOL")}
        done = subprocess.run([sys.executable, "-c", _HEAPS, mode, str(ROOT)], capture_output=True, text=True,
                              env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        pool, n = done.stdout.split()
        return pool, int(n)

    pool, n = heaps("default")
    assert pool != "system" and n >= 3
    assert heaps("one") == ("system", 1)


def test_dasks_large_task_advice_is_not_shown_to_the_user(csv_path, tmp_path, recwarn):
    """The build's tasks carry their texts (so that a lost worker's tasks can run again): Dask's
    advice about tasks of more than 10 MB (here 1 kB, so that this small corpus trips it) is
    not printed, and the warning filter does not outlive the build."""
    import warnings

    import dask

    warnings.simplefilter("always")
    with dask.config.set({"distributed.admin.large-graph-warning-threshold": "1kB"}):
        build_store([csv_path], tmp_path / "store", WHOLE, chunk_size=CHUNK, n_jobs=1, progress=False)
        assert not [w for w in recwarn if "large graph" in str(w.message)]
        from distributed import Client, LocalCluster

        with LocalCluster(processes=False, n_workers=1, dashboard_address=":0") as lc, \
                Client(lc, set_as_default=False) as client:
            client.submit(len, "x" * 5000).result()  # the same advice, outside a build
    assert [w for w in recwarn if "large graph" in str(w.message)]


def test_payload_bytes_counts_the_buffers_it_does_not_copy():
    """The engine's byte counts: a frame's numpy and Arrow buffers are counted (pickled out of
    band, as Dask sends them), so the count is the in-band pickle's size, within its framing."""
    import pickle

    import numpy as np

    from analysis.engine.cluster import payload_bytes

    frame = pd.DataFrame({"x": np.arange(200_000, dtype=np.float64),
                          "s": pd.array([f"word {i}" for i in range(200_000)], dtype="string[pyarrow]")})
    in_band = len(pickle.dumps(frame, protocol=5))
    got = payload_bytes(frame)
    assert got > 1_600_000  # the float column alone is 1.6 MB
    assert abs(got - in_band) <= 0.01 * in_band, (got, in_band)
    assert payload_bytes(lambda: 0) == 0  # what plain pickle cannot send is not counted


_FORKED = r"""
import gc, json, os, sys
sys.path.insert(0, sys.argv[1])
from analysis.engine import cluster
from analysis.methods.bulk_scoring import children_skip_main

def load():
    import analysis.methods.topics  # scikit-learn, which this script has not imported
    cluster.LOADED_BY = os.getpid()

def seen():
    from threadpoolctl import threadpool_info
    mod = sys.modules.get("analysis.engine.cluster")
    return [getattr(mod, "LOADED_BY", None), "sklearn" in sys.modules,
            max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"), default=None),
            gc.get_freeze_count() > 0]

out = {}
for name, after in (("forked", load), ("spawned", None)):
    with children_skip_main(), cluster.dask_client(None, n_workers=2, fork_after=after) as client:
        out[name] = list(client.run(seen).values())
    cluster.__dict__.pop("LOADED_BY", None)
print(json.dumps({"pid": os.getpid(), **out}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_local_workers_forked_after_loading_start_with_what_was_loaded():
    """With ``fork_after`` the local workers are forked from the process once it has run it: each
    starts with its modules and tables (here scikit-learn, and a mark the function set), frozen
    for the cycle collector, and BLAS on one thread; without it they are spawned and start with
    none of it."""
    import json

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", _FORKED, str(ROOT)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["forked"] == [[got["pid"], True, 1, True]] * 2
    assert [w[:2] + w[3:] for w in got["spawned"]] == [[None, False, False]] * 2


def test_the_build_command_forks_its_workers_and_writes_the_local_store(csv_path, local_stores, tmp_path):
    """``python -m analysis build --jobs 2`` forks its two local workers from the process that
    loaded what the tasks use (on Linux) and writes the store the build in one process writes."""
    import json

    out = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "analysis", "build", str(csv_path), "--out", str(out), "--jobs", "2",
                           "--chunk-size", str(CHUNK), "--k", "2", "--no-progress"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    engine = json.loads(done.stdout)["engine"]
    assert engine["workers"] == 2 and engine["scheduler"] == "local processes"
    assert engine["workers_started_by"] == ("fork" if sys.platform.startswith("linux") else "spawn")
    assert_same_store(out, local_stores["whole"])


_KILL_A_FORKED_WORKER = r"""
import json, os, signal, sys
sys.path.insert(0, sys.argv[1])
import psutil
from analysis.engine.build import AnalysisParams, build_store

me = psutil.Process()
killed = []

def kill_one(n_docs):
    # the forked workers run this script's command line; Python's helpers (the resource tracker) do not
    workers = [p for p in me.children() if p.cmdline() == me.cmdline()]
    if not killed and workers:
        os.kill(workers[0].pid, signal.SIGKILL)
        killed.append(workers[0].pid)

manifest = build_store([sys.argv[2]], sys.argv[3], AnalysisParams(topic_k=2), chunk_size=int(sys.argv[4]), n_jobs=2,
                       progress=False, fork_workers=True, on_chunk=kill_one)
print(json.dumps({"killed": killed, "started_by": manifest["engine"]["workers_started_by"]}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_a_killed_forked_worker_changes_nothing(csv_path, local_stores, tmp_path):
    """In the command's cluster (workers forked from the build's process) one worker is killed
    after the first chunk is written: Dask forks a new one from the busy build process and reruns
    what was lost, and the store is the one every task in one process writes."""
    import json

    out = tmp_path / "store"
    done = subprocess.run([sys.executable, "-c", _KILL_A_FORKED_WORKER, str(ROOT), str(csv_path), str(out),
                           str(CHUNK)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["started_by"] == "fork" and len(got["killed"]) == 1
    assert_same_store(out, local_stores["whole"])
