"""Giving the server's memory back after visitors leave.

A daemon thread, started once per server process, runs every
:data:`TRIM_EVERY` seconds:

0. a full garbage collection (``.streamlit/config.toml`` turns off the one Streamlit runs
   after every script run: it stalls every session for ~0.2 s each time);
1. :func:`ui.corpus_cache.sweep` clears the cached results of corpora that no
   session holds any more (a visitor's own uploads, once their session ended);
   and cancels their background jobs (:func:`ui.background.drop_unheld`);
2. glibc's ``malloc_trim`` returns free heap pages to the operating system
   (without it the allocator keeps freed memory mapped for reuse, so the
   server's resident size stays near its peak). It runs without Python's
   lock; where glibc is absent only the sweep runs.
"""

from __future__ import annotations

import gc
import logging
import os
import threading

import streamlit as st

from analysis.engine.stages import malloc_trim

from . import background, corpus_cache

TRIM_EVERY = 30.0
#: Seconds between sweeps instead of :data:`TRIM_EVERY` (tests).
EVERY_ENV = "EXPLORER_TRIM_EVERY"

log = logging.getLogger("explorer")


def let_go() -> None:
    """Clear the results of corpora no session holds, and cancel their background jobs."""
    corpus_cache.sweep()
    background.drop_unheld(corpus_cache.wanted_keys())


def use_system_allocator() -> bool:
    """Arrow's buffers (pandas' text columns) from the C library's allocator, which
    ``malloc_trim`` can shrink, instead of Arrow's bundled mimalloc, which keeps freed pages:
    after five 1 MB corpora were analysed and dropped in one process, RSS stayed 21% above
    where it started with mimalloc and 6% with the system allocator (``docs/DEPLOY.md``)."""
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
        return True
    except Exception:  # noqa: BLE001 - only a memory setting
        return False


def _trim_forever(trim, every: float, sweep=let_go, stop: threading.Event | None = None) -> None:
    """Every ``every`` seconds until ``stop`` is set (never, for the server's own thread)."""
    stop = stop or threading.Event()
    while not stop.wait(every):
        gc.collect()  # instead of Streamlit's collection after every run (runner.postScriptGC = false)
        try:
            sweep()
        except Exception:  # noqa: BLE001 - a failed sweep leaves entries to the caches' own bounds
            log.exception("clearing departed visitors' results failed")
        if trim is None:
            continue
        try:
            trim(0)
        except Exception:  # noqa: BLE001 - never let the trimmer die silently in a loop
            log.exception("malloc_trim failed; memory trimming stops")
            trim = None


@st.cache_resource(show_spinner=False)
def keep_trimming(every: float | None = None) -> bool:
    """Start the thread (once per process); True when it also trims the heap (glibc)."""
    if every is None:
        try:
            every = float(os.environ.get(EVERY_ENV, "") or TRIM_EVERY)
        except ValueError:
            every = TRIM_EVERY
    trim = malloc_trim()
    use_system_allocator()
    threading.Thread(target=_trim_forever, args=(trim, every), name="malloc-trim", daemon=True).start()
    return trim is not None
