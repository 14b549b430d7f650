"""A visitor's first heavy analyses, worked out away from the pages.

Scoring the tone of every sentence and finding the topics of a visitor's own
corpus of a megabyte takes several CPU-seconds. Done inside the page's script
run, it held the visitor's page for that long, and on a shared server (one
Python process serves many sessions, and Python's lock lets one of them run at
a time) it made every other visitor's page wait too.

So on a running server a cached function whose work is large hands it to
:func:`compute`: the work runs in a separate process of lower priority (a
``concurrent.futures.ProcessPoolExecutor`` of at most :func:`workers`
processes, started when needed and shut down once idle for :data:`IDLE_S`, so
its memory goes back to the system), and until it is done :func:`compute`
raises :class:`Pending`. The page then shows what it can, says in words what
is still being worked out (``ui.waiting``) and refreshes itself when the result
is in; the result is then returned to the cached function and cached like any
other. Small work (fewer than :data:`MIN_WORDS` words), runs outside a server
(AppTest, scripts) and ``EXPLORER_BACKGROUND=0`` compute in place, as before.

A job belongs to a corpus (its content hash). :func:`drop_unheld` (run by the
sweeper, ``ui.memory``) cancels the jobs of corpora no connected session holds
any more: one not yet started never starts, and the result of one running is
dropped. Every job is logged to the timing log (``ui.timing``) when it ends:
``kind: "job"``, what it was, when it was asked for, started and ended.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

log = logging.getLogger("explorer")

ENV = "EXPLORER_BACKGROUND"
#: Below this many words the work is done in the page's own run (a fraction of a second).
MIN_WORDS = 20_000
#: Seconds without a job after which the worker processes are shut down.
IDLE_S = 60.0
#: Seconds a finished job's result is kept for a visitor who has not fetched it yet (the page
#: that needs it not opened again); Streamlit's caches keep it from then on.
KEEP_S = 3600.0
#: How much lower the workers' priority is than the server's (``os.nice``).
NICENESS = 10


class Pending(Exception):
    """Raised by :func:`compute` while the work runs: ``job`` says what and since when."""

    def __init__(self, job: "Job"):
        super().__init__(job.what)
        self.job = job


@dataclass
class Job:
    """One piece of work handed to the background (read-only outside this module)."""

    key: tuple
    corpus: str
    what: str  # in words, for the visitor: "the tone of every sentence"
    words: int
    asked: float  # time.time() when it was first asked for
    future: Future = field(default_factory=Future)  # done when the work is (or it was cancelled)
    task: tuple | None = None  # (fn, args) until a worker takes it
    started: float | None = None
    ended: float | None = None
    priority: int = 0  # lower first: the tone (most pages need it) before the topics (two pages)
    dropped: bool = False  # no session wants it any more: its result is thrown away

    def elapsed(self, now: float | None = None) -> float:
        return (now if now is not None else time.time()) - self.asked


_lock = threading.RLock()
_jobs: dict[tuple, Job] = {}
_dropped: list[Job] = []  # dropped while running: they still hold a worker until they end
_pool: ProcessPoolExecutor | None = None
_last_busy = time.monotonic()
_retired: list = []  # weak references to a shut-down pool's queues (see _stop_tracker_once_gone)


def words_in(docs) -> int:
    """The words of a document table (its ``n_words`` column; 0 without one): the size
    :func:`compute` compares with :data:`MIN_WORDS`."""
    return int(docs["n_words"].sum()) if "n_words" in docs else 0


def enabled() -> bool:
    """Whether work may go to the background: on a running Streamlit server (not under AppTest),
    unless ``EXPLORER_BACKGROUND=0``."""
    if os.environ.get(ENV, "").strip() in ("0", "false", "no", "off"):
        return False
    try:
        from streamlit import runtime
        from streamlit.runtime import Runtime

        # AppTest installs a mock runtime (it passes isinstance checks, not this one)
        return runtime.exists() and type(Runtime.instance()) is Runtime
    except Exception:  # noqa: BLE001
        return False


def workers() -> int:
    """Worker processes per server process: ``EXPLORER_BACKGROUND_WORKERS``, else 2 (1 on one core)."""
    from analysis.methods.bulk_scoring import available_cpus

    try:
        n = int(os.environ.get(ENV + "_WORKERS", "") or 0)
    except ValueError:
        n = 0
    return max(1, n or min(2, available_cpus()))


def _start_worker() -> None:
    """Each worker: lower priority than the server, one BLAS thread (the server's cores are shared)."""
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except Exception:  # noqa: BLE001 - only a speed setting
        pass


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        import multiprocessing

        _pool = ProcessPoolExecutor(workers(), mp_context=multiprocessing.get_context("spawn"),
                                    initializer=_start_worker)
    return _pool


def _submit(fn, args) -> Future:
    """Submit to the pool; its processes are started here, within the submitting thread, and
    without re-running the server's ``__main__`` (the running page script)."""
    from analysis.methods.bulk_scoring import children_skip_main

    global _pool
    with children_skip_main():
        try:
            return _executor().submit(fn, *args)
        except (BrokenProcessPool, RuntimeError):  # a worker died (e.g. out of memory): a new pool
            _pool = None
            return _executor().submit(fn, *args)


def _dispatch() -> None:
    """Hand waiting jobs to the pool, oldest first, while fewer than :func:`workers` run (the
    pool gets no more than it can start at once, so a job still waiting can be cancelled)."""
    global _pool
    with _lock:
        _dropped[:] = [j for j in _dropped if not j.future.done()]
        running = len(_dropped) + sum(1 for j in _jobs.values() if j.started is not None and not j.future.done())
        for job in sorted((j for j in _jobs.values() if j.task is not None), key=lambda j: (j.priority, j.asked)):
            if running >= workers():
                return
            (fn, args), job.task, job.started = job.task, None, time.time()
            try:
                inner = _submit(fn, args)
            except Exception as err:  # noqa: BLE001 - the page computes it itself (compute)
                job.future.set_exception(BrokenProcessPool(str(err)))
                continue
            inner.add_done_callback(lambda f, j=job: _finish(j, f))
            running += 1


def _finish(job: Job, inner: Future) -> None:
    global _pool
    err = inner.exception()
    if isinstance(err, BrokenProcessPool):
        with _lock:
            _pool = None
    if not job.future.done():
        if err is not None:
            job.future.set_exception(err)
        else:
            job.future.set_result(inner.result())
    _dispatch()


def compute(key: tuple, corpus: str, what: str, words: int, fn, *args, priority: int = 0):
    """``fn(*args)``: computed here when the work is small or there is no server; otherwise in a
    background process - the result once it is done, :class:`Pending` until then. ``key``
    identifies the work (corpus and parameters); ``what`` names it for the visitor; waiting work
    starts by ``priority`` (lower first), then in the order it was asked for."""
    global _last_busy
    if words < MIN_WORDS or not enabled():
        return fn(*args)
    with _lock:
        job = _jobs.get(key)
        if job is None or job.future.cancelled():
            job = _jobs[key] = Job(key, corpus, what, int(words), time.time(), task=(fn, args),
                                   priority=priority)
            job.future.add_done_callback(lambda _f, j=job: _ended(j))
            _dispatch()
        _last_busy = time.monotonic()
        future = job.future
    if not future.done():
        raise Pending(job)
    try:
        return future.result()
    except BrokenProcessPool:
        log.warning("a background worker died during %s; computing it in the page instead", what)
        with _lock:
            _jobs.pop(key, None)
        return fn(*args)


def _ended(job: Job) -> None:
    """The job's future is done (its one callback): note when, and log it."""
    from .timing import append_record

    job.ended = time.time()
    status = ("cancelled" if job.future.cancelled() else "dropped" if job.dropped else
              "error" if job.future.exception() is not None else "ok")
    append_record({"kind": "job", "what": job.what, "corpus": job.corpus[:12], "words": job.words,
                   "t_asked": round(job.asked, 4),
                   "t_started": None if job.started is None else round(job.started, 4),
                   "t_ended": round(job.ended, 4), "s": round(job.ended - job.asked, 4), "status": status,
                   "pid": os.getpid()})


def pending_for(keys) -> list[Job]:
    """The jobs among ``keys`` not yet done."""
    with _lock:
        return [j for k in keys if (j := _jobs.get(k)) is not None and not j.future.done()]


def queued_before(job: Job) -> int:
    """0 once ``job`` is being worked on; until then, how many jobs are ahead of it: those being
    worked on and those waiting that start before it (by priority, then order)."""
    with _lock:
        if job.started is not None:
            return 0
        return sum(1 for j in _jobs.values() if j is not job and not j.future.done() and
                   (j.started is not None or (j.priority, j.asked) < (job.priority, job.asked)))


def drop_unheld(held: set[str], now: float | None = None) -> list[tuple]:
    """Cancel the jobs of corpora not in ``held`` (a job not started never starts; a running
    one's result is dropped), forget finished jobs of those corpora (and any after
    :data:`KEEP_S`), and shut the worker processes down once idle for :data:`IDLE_S`. Returns
    the keys of the jobs cancelled."""
    global _pool
    now_wall = time.time() if now is None else now
    dropped = []
    with _lock:
        for key, job in list(_jobs.items()):
            done = job.future.done()
            if job.corpus not in held and not done:
                job.dropped = True
                job.task = None
                if job.started is None:
                    job.future.cancel()  # never handed to a worker
                else:
                    _dropped.append(job)
                dropped.append(key)
                del _jobs[key]
            elif done and job.ended is not None and (job.corpus not in held or now_wall - job.ended > KEEP_S):
                del _jobs[key]  # (a result its visitor has not fetched yet is kept while they are here)
        busy = any(not j.future.done() for j in (*_jobs.values(), *_dropped))  # a dropped job still runs
        pool = None
        if not busy and _pool is not None and time.monotonic() - _last_busy > IDLE_S:
            pool, _pool = _pool, None
            _retired[:] = [weakref.ref(q) for q in (pool._call_queue, pool._result_queue)]
        elif _pool is None and _retired:
            _stop_tracker_once_gone()
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
    if dropped:
        log.info("dropped %d background job(s) no connected session waits for", len(dropped))
    return dropped


def _stop_tracker_once_gone() -> bool:
    """Stop multiprocessing's resource tracker, the helper process (14 MB in one run) the first pool
    started and that otherwise stays for the server's life, once the retired pool's queues (whose
    semaphores it tracks) are gone; the next pool starts a new one. Called under ``_lock``, which
    every pool start holds too, and only on a real server (the test process runs Dask clusters,
    whose semaphores the same tracker may hold). True when it was stopped."""
    if any(ref() is not None for ref in _retired) or not enabled():
        return False
    _retired.clear()
    try:
        from multiprocessing import resource_tracker

        stop = getattr(resource_tracker._resource_tracker, "_stop", None)
        if stop is None:
            return False
        stop()
        return True
    except Exception:  # noqa: BLE001 - the tracker only stays
        log.debug("stopping the resource tracker failed", exc_info=True)
        return False


def shutdown() -> None:
    """Stop the worker processes now (tests; a server stopping)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
        _jobs.clear()
        _dropped.clear()
        _retired.clear()
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["Pending", "Job", "compute", "enabled", "workers", "pending_for", "queued_before",
           "drop_unheld", "shutdown", "words_in", "MIN_WORDS"]
