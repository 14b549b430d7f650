"""Giving the server's memory back after visitors leave.

A daemon thread, started once per server process, runs every
:data:`TRIM_EVERY` seconds:

0. a full garbage collection (``.streamlit/config.toml`` turns off the one Streamlit runs
   after every script run: it stalls every session for ~0.2 s each time);
1. :func:`ui.corpus_cache.sweep` clears the cached results of corpora that no
   session holds any more (a visitor's own uploads, once their session ended);
2. glibc's ``malloc_trim`` returns free heap pages to the operating system
   (without it the allocator keeps freed memory mapped for reuse, so the
   server's resident size stays near its peak). It runs without Python's
   lock; where glibc is absent only the sweep runs.
"""

from __future__ import annotations

import gc
import logging
import threading

import streamlit as st

from analysis.engine.stages import malloc_trim

from . import corpus_cache

TRIM_EVERY = 30.0

log = logging.getLogger("explorer")


def _trim_forever(trim, every: float, sweep=corpus_cache.sweep, stop: threading.Event | None = None) -> None:
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
def keep_trimming(every: float = TRIM_EVERY) -> bool:
    """Start the thread (once per process); True when it also trims the heap (glibc)."""
    trim = malloc_trim()
    threading.Thread(target=_trim_forever, args=(trim, every), name="malloc-trim", daemon=True).start()
    return trim is not None
