"""Giving the server's freed memory back to the operating system.

When a visitor's session ends, Python frees their corpus and results, but
glibc's allocator keeps much of the freed heap mapped for reuse, so the
server's resident size stays near its peak. A daemon thread, started once per
server process, asks glibc to return free heap pages every
:data:`TRIM_EVERY` seconds (``malloc_trim``, which runs without Python's lock;
a no-op where glibc is absent).
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time

import streamlit as st

TRIM_EVERY = 30.0

log = logging.getLogger("explorer")


def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _trim_forever(trim, every: float) -> None:
    while True:
        time.sleep(every)
        try:
            trim(0)
        except Exception:  # noqa: BLE001 - never let the trimmer die silently in a loop
            log.exception("malloc_trim failed; memory trimming stops")
            return


@st.cache_resource(show_spinner=False)
def keep_trimming(every: float = TRIM_EVERY) -> bool:
    """Start the trimming thread (once per process); False where there is no glibc."""
    trim = _malloc_trim()
    if trim is None:
        return False
    threading.Thread(target=_trim_forever, args=(trim, every), name="malloc-trim", daemon=True).start()
    return True
