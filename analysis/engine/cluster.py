"""Where the engine's Dask tasks run: a local cluster started for one call, or a running Dask scheduler.

:func:`dask_client` yields a ``distributed.Client``:

- with ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``) or, when that is None, the
  environment variable :data:`SCHEDULER_ENV` (``EXPLORER_DASK_SCHEDULER``): connected to that
  scheduler, whose workers (on any number of machines) run the tasks; nothing is started here;
- otherwise a ``distributed.LocalCluster`` started for the call and closed after it: ``n_workers``
  worker processes of one thread each (the sentiment scorers are pure Python, so threads would
  share one core), BLAS limited to one thread per worker; with ``n_workers=1`` one worker thread
  inside this process (nothing to start, nothing to pickle). Worker processes are spawned (and
  restarted) without re-running this process's ``__main__``
  (:func:`analysis.methods.bulk_scoring.children_skip_main`), or, with ``fork_after`` on Linux,
  forked from this process once it has loaded what the tasks use. Dask's nanny does not set
  ``MALLOC_TRIM_THRESHOLD_`` in them and puts each on one heap (``MALLOC_ARENA_MAX=1``,
  ``ARROW_DEFAULT_MEMORY_POOL=system``: see :func:`one_heap` and ``docs/DEPLOY.md``, "More than
  one machine").

:class:`TaskLog` counts what the engine sends: tasks submitted, bytes sent to the workers (the
pickled arguments) and bytes received back (the pickled results) - what would cross the network
on a cluster of several machines.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import sys
import time
import weakref
from typing import Callable, Iterator

__all__ = ["SCHEDULER_ENV", "dask_client", "can_fork", "workers_started_by", "default_workers", "one_heap",
           "TaskLog", "payload_bytes"]

SCHEDULER_ENV = "EXPLORER_DASK_SCHEDULER"


def default_workers() -> int:
    """Local worker processes by default: 2 on a machine with two or more usable cores, else 1."""
    from analysis.methods.bulk_scoring import available_cpus

    return 2 if available_cpus() >= 2 else 1


def can_fork() -> bool:
    """Whether local workers may be forked: on Linux (elsewhere, system libraries such as macOS's
    are not safe to use in a forked child, and Windows cannot fork)."""
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None,
                processes: bool | None = None, fork_after: Callable[[], None] | None = None) -> Iterator:
    """A ``distributed.Client`` for the duration of the block (see the module docstring);
    ``processes`` forces worker processes (True) or threads in this process (False) for a local
    cluster (default: processes when ``n_workers`` > 1).

    ``fork_after``: for a process that does nothing but one job (``python -m analysis build``),
    a function that imports the modules the tasks run and loads what they read. It is called
    here, then the local worker processes are forked from this process, BLAS set to one thread
    (:func:`can_fork`; else they are spawned as usual). Each starts with all of it loaded instead
    of starting a Python of its own and importing it all again: us-sotu's build, 4 alternating
    pairs of runs, took 39.7-45.9 CPU-s and 23.4-27.1 s spawned, 33.5-35.7 CPU-s and 20.4-21.5 s
    forked. What this process holds then is frozen (``gc.freeze``: the cycle collector skips it
    from then on, here and in the workers). Not for a process with other work in its threads (the
    app's server): a forked child inherits their locks as they were. Workers Dask restarts are
    forked from this process too."""
    import dask
    from distributed import Client, LocalCluster
    from threadpoolctl import threadpool_limits

    from analysis.methods.bulk_scoring import children_skip_main

    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        client = Client(address, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
        return
    n = int(n_workers) if n_workers else default_workers()
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    kwargs = dict(n_workers=max(1, n), threads_per_worker=1, dashboard_address=":0",
                  silence_logs=logging.ERROR, memory_limit=0)
    in_processes = processes if processes is not None else n > 1
    if in_processes:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.environ.get("PYTHONPATH")
        env["PYTHONPATH"] = root + (os.pathsep + path if path else "")
        kwargs["env"] = env
    # the worker processes, and any restart of them, start without re-running __main__; a worker
    # is given one task at a time (the others wait at the scheduler for whichever worker is free
    # first, not behind a long task such as the topic fit)
    config = {"distributed.scheduler.worker-saturation": 1.0,
              # Dask sets it to 64 kB by default, which also fixes glibc's mmap threshold at 128 kB:
              # every larger array was then mapped and unmapped afresh (a page fault per 4 kB; the
              # build of us-sotu spent 6.4 of its 46 CPU-s in the kernel, 2.8 without it)
              "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
              # each worker on one heap, as the build's own process (see one_heap)
              "distributed.nanny.pre-spawn-environ.MALLOC_ARENA_MAX": 1,
              "distributed.nanny.pre-spawn-environ.ARROW_DEFAULT_MEMORY_POOL": "system",
              # Dask's timers for its own diagnostics wake each process's event loop, which then takes
              # the interpreter lock from the task's thread: the workers' statistical profiler (for the
              # dashboard, which no one here reads) 100 times a second, the event loop's health check
              # 50 times. us-sotu's build, means of alternating runs: 40.7 CPU-s and 23.4 s with the
              # profiler, 37.4 and 21.7 s without it (5 pairs); then 36.4 and 21.2 s with the health
              # check every 20 ms, 35.3 and 20.6 s with it every second (3 pairs)
              "distributed.worker.profile.enabled": False,
              "distributed.admin.tick.interval": "1s"}
    fork = in_processes and fork_after is not None and can_fork()
    if fork:
        fork_after()
        # what is loaded now lives as long as the process: the cycle collector need not walk it again,
        # here or in the workers (Python's advice before a fork; us-sotu's build, 2 runs each: 0.85 ->
        # 0.33 s collecting, over the three processes)
        gc.freeze()
        config["distributed.worker.multiprocessing-method"] = "fork"
    # BLAS on one thread while forked workers start: they keep it (the variables the nanny sets for
    # them, OPENBLAS_NUM_THREADS and the like, are read only when BLAS loads, which they never do)
    with children_skip_main() if in_processes else contextlib.nullcontext(), dask.config.set(config), \
            threadpool_limits(1) if fork else contextlib.nullcontext():
        cluster = LocalCluster(processes=in_processes, **kwargs)
        client = Client(cluster, set_as_default=False)
        _STARTED_BY[client] = ("fork" if fork else "spawn") if in_processes else "thread"
        try:
            yield client
        finally:
            client.close()
            cluster.close()


_STARTED_BY: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def workers_started_by(client) -> str | None:
    """How :func:`dask_client` started ``client``'s local workers: ``"fork"`` or ``"spawn"``
    (processes), ``"thread"`` (in this process); None for a cluster it did not start."""
    return _STARTED_BY.get(client)


def one_heap() -> bool:
    """Make this process allocate from one heap: every thread from glibc's main heap
    (``mallopt(M_ARENA_MAX, 1)``, what ``MALLOC_ARENA_MAX=1`` does at start-up) and Arrow's
    buffers (Parquet, pandas' Arrow strings) from it too (``pyarrow.system_memory_pool``, what
    ``ARROW_DEFAULT_MEMORY_POOL=system`` does), instead of heaps that each keep their own free
    memory. True if glibc's setting took (False without glibc).

    By default glibc gives threads heaps of their own: in the build's process, results arrive on
    Dask's event-loop thread and are used on the main thread. Arrow's own allocator (mimalloc)
    keeps what the Parquet tables freed. On us-sotu (``build --jobs 2``) the peak of all the
    build's processes was 1,575-1,617 MB with neither, 1,495-1,585 MB with one glibc heap alone
    and 1,402-1,457 MB with Arrow on it as well, at the same speed. Call it before the process starts
    threads (threads that already have a heap keep it). Not for the app's server, whose many
    session threads would then wait on one lock.
    """
    try:
        import ctypes

        glibc = bool(ctypes.CDLL("libc.so.6").mallopt(-8, 1))  # M_ARENA_MAX in glibc's malloc.h
    except (OSError, AttributeError):
        glibc = False
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except ImportError:
        pass
    return glibc


def payload_bytes(obj) -> int:
    """Bytes of ``obj`` pickled (what Dask sends for it, up to framing and compression). Large
    buffers (numpy and Arrow data) are counted, not copied: pickled out of band, as Dask sends them."""
    buffers = 0

    def count(buffer: pickle.PickleBuffer) -> None:
        nonlocal buffers
        buffers += memoryview(buffer).nbytes

    try:
        return len(pickle.dumps(obj, protocol=5, buffer_callback=count)) + buffers
    except Exception:  # noqa: BLE001 - unpicklable here: Dask would use cloudpickle
        return 0


class TaskLog:
    """Tasks submitted and bytes sent to / received from the workers, by kind of task."""

    def __init__(self):
        self.tasks: dict[str, int] = {}
        self.sent: dict[str, int] = {}
        self.received: dict[str, int] = {}
        self.started = time.perf_counter()

    def submit(self, client, kind: str, func, *args, measure=None, **kwargs):
        """``client.submit(func, *args, **kwargs)``, counted under ``kind``; ``measure``: the
        arguments' pickled size when already known (else measured here, futures excluded)."""
        from distributed import Future

        if measure is None:
            measure = sum(payload_bytes(a) for a in args if not isinstance(a, (Future, list, tuple))
                          or (isinstance(a, (list, tuple)) and not any(isinstance(x, Future) for x in a)))
        self._count(kind, measure)
        kwargs.setdefault("pure", False)
        return client.submit(func, *args, **kwargs)

    def _count(self, kind: str, sent_bytes: int) -> None:
        self.add(kind, 1, sent_bytes, 0)

    def add(self, kind: str, tasks: int, sent_bytes: int, received_bytes: int) -> None:
        """Count ``tasks`` submitted elsewhere (by a task, on a worker) under ``kind``."""
        self.tasks[kind] = self.tasks.get(kind, 0) + int(tasks)
        self.sent[kind] = self.sent.get(kind, 0) + int(sent_bytes)
        self.received[kind] = self.received.get(kind, 0) + int(received_bytes)

    def map(self, client, kind: str, func, arglist: list[tuple], **kwargs) -> list:
        """:meth:`submit` of ``func(*args)`` for each of ``arglist``, as one batch (``client.map``: the
        scheduler sees them as one group and hands them to the workers as they become free)."""
        for args in arglist:
            self._count(kind, sum(payload_bytes(a) for a in args))
        kwargs.setdefault("pure", False)
        return client.map(func, *zip(*arglist), **kwargs) if arglist else []

    def got(self, kind: str, result) -> None:
        self.received[kind] = self.received.get(kind, 0) + payload_bytes(result)

    def summary(self) -> dict:
        return {"tasks": dict(self.tasks), "tasks_total": sum(self.tasks.values()),
                "bytes_to_workers": sum(self.sent.values()), "bytes_from_workers": sum(self.received.values()),
                "bytes_by_kind": {k: {"to_workers": self.sent.get(k, 0), "from_workers": self.received.get(k, 0)}
                                  for k in self.tasks}}
