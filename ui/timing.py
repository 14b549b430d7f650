"""Server-side time of every script run, for the load test and for operators.

``app.py`` wraps each run in :func:`script_run`. When the environment variable
``EXPLORER_TIMING_LOG`` names a file, one JSON line is appended to it per run
(``{pid}`` in the name becomes the process id, so several server processes can
share one setting):

- ``page``: the page's URL path (``""`` for the default page), ``title`` its title;
- ``session``: Streamlit's session id;
- ``t0`` / ``t1``: wall-clock start and end (Unix seconds) of the run: from the
  start of ``app.py`` - right after Streamlit took the visitor's action off the
  socket and started the run - to the last element the page sent;
- ``s``: ``t1 - t0`` in seconds; ``cpu_s``: CPU seconds of the script's own thread
  in that time (``s`` well above ``cpu_s`` means the run waited: for the other
  core, for Python's lock held by other sessions, or on threads it started);
- ``waiting``: true when part of the page was still being worked out in the
  background and the page said so (``ui.background``, ``ui.waiting``);
- ``status``: ``ok``; ``error`` (the page raised; the visitor saw the guard's
  message); ``rerun`` (cut short by a newer action of the same visitor);
  ``stopped`` (cut short because the visitor disconnected or the server stopped).

Background jobs (``ui.background``) add a line each when they end, with
``kind: "job"``, ``what``, ``words``, ``t_asked``, ``t_ended``, ``s`` and ``status``;
script runs have no ``kind``.

Without the variable nothing is written and the cost is two clock reads.

With ``EXPLORER_PROFILE_DIR`` set as well, each run is profiled (``cProfile``, the
script's own thread only: work it hands to other threads shows as waiting) and
saved there as ``<page>-<session>-<start>.prof``; ``scripts/loadtest.py --profile``
sums them up. Profiling slows the runs down: use it to see where the time goes,
not to measure it.
"""

from __future__ import annotations

import cProfile
import json
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

LOG_ENV = "EXPLORER_TIMING_LOG"
PROFILE_ENV = "EXPLORER_PROFILE_DIR"

_lock = threading.Lock()
_current = threading.local()  # the Run of this script thread


@dataclass
class Run:
    """One script run being timed; the app's error guard sets ``status = "error"``."""

    page: str = ""
    title: str = ""
    status: str = "ok"
    waiting: bool = False  # the page said part of it was still being worked out (ui.background)


def log_path() -> str | None:
    """The file runs are written to (``EXPLORER_TIMING_LOG`` with ``{pid}`` filled in), or None."""
    path = os.environ.get(LOG_ENV, "").strip()
    return path.replace("{pid}", str(os.getpid())) if path else None


@contextmanager
def script_run():
    """Time the enclosed script run and append it to :func:`log_path` (when set)."""
    run = _current.run = Run()
    profile_dir = os.environ.get(PROFILE_ENV, "").strip()
    prof = cProfile.Profile() if profile_dir else None
    if prof is not None:
        try:
            prof.enable()
        except ValueError:  # Python 3.12+: one profiler at a time; this run goes unprofiled
            prof = None
    t0, c0 = time.time(), time.thread_time()
    try:
        yield run
    except StopException:
        run.status = "stopped"
        raise
    except RerunException:
        run.status = "rerun"
        raise
    except BaseException:
        run.status = "error"
        raise
    finally:
        if prof is not None:
            prof.disable()
            ctx = get_script_run_ctx(suppress_warning=True)
            sid = ctx.session_id[:8] if ctx is not None else "none"
            prof.dump_stats(os.path.join(profile_dir, f"{run.page or 'overview'}-{sid}-{t0:.3f}.prof"))
        if log_path():
            t1, c1 = time.time(), time.thread_time()
            ctx = get_script_run_ctx(suppress_warning=True)
            append_record({"page": run.page, "title": run.title,
                           "session": ctx.session_id if ctx is not None else None,
                           "t0": round(t0, 4), "t1": round(t1, 4), "s": round(t1 - t0, 4),
                           "cpu_s": round(c1 - c0, 4), "status": run.status, "pid": os.getpid(),
                           "waiting": run.waiting})


def mark_waiting() -> None:
    """The running page says part of it is still being worked out (``ui.waiting``)."""
    run = getattr(_current, "run", None)
    if run is not None:
        run.waiting = True


def append_record(record: dict) -> None:
    """One JSON line in :func:`log_path` (nothing when it is not set)."""
    path = log_path()
    if path:
        line = json.dumps(record)
        with _lock, open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def read_runs(path: str) -> list[dict]:
    """The runs recorded in a timing log (lines cut off by a crash are skipped)."""
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
    except FileNotFoundError:
        pass
    return out
