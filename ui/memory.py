"""Giving the server's memory back after visitors leave.

A daemon thread, started once per server process, runs every
:data:`TRIM_EVERY` seconds:

0. a full garbage collection (``.streamlit/config.toml`` turns off the one Streamlit runs
   after every script run: it stalls every session for ~0.2 s each time);
1. :func:`forget_closed_tabs` shuts down the sessions of tabs closed longer ago than
   ``server.disconnectedSessionTTL`` (Streamlit keeps them that long for a tab that reconnects,
   but removes them only when it next stores another one: until then a departed visitor's
   state, corpus and last run stayed in memory);
2. :func:`ui.corpus_cache.sweep` clears the cached results of corpora that no
   session holds any more (a visitor's own uploads, once their session ended);
   and cancels their background jobs (:func:`ui.background.drop_unheld`);
3. glibc's ``malloc_trim`` returns free heap pages to the operating system
   (without it the allocator keeps freed memory mapped for reuse, so the
   server's resident size stays near its peak). It runs without Python's
   lock; where glibc is absent only the sweep runs. Under jemalloc
   (:func:`server_environment`) it has only glibc's own, unused heap to trim: jemalloc's own
   background thread returns free pages.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time

import streamlit as st

from analysis.engine.stages import malloc_trim

from . import background, corpus_cache

TRIM_EVERY = 30.0
#: Seconds between sweeps instead of :data:`TRIM_EVERY` (tests).
EVERY_ENV = "EXPLORER_TRIM_EVERY"
#: jemalloc's settings for the server (``docs/DEPLOY.md``): a background thread gives freed pages
#: back to the system a second after they are freed (``dirty_decay_ms``), at once from there on
#: (``muzzy_decay_ms``), and two arenas serve all threads.
JEMALLOC_CONF = "background_thread:true,narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0"

log = logging.getLogger("explorer")


def let_go() -> None:
    """Shut down closed tabs' sessions, clear the results of corpora no session holds, and cancel
    their background jobs; a line in the timing log says what went (``kind: "let_go"``)."""
    from . import timing

    tabs = forget_closed_tabs()
    corpora = corpus_cache.sweep()
    background.drop_unheld(corpus_cache.wanted_keys())
    if tabs or corpora:
        timing.append_record({"kind": "let_go", "t": time.time(), "closed_tabs": tabs, "corpora": len(corpora)})


def forget_closed_tabs(rt=None, timeout: float = 10.0) -> int:
    """Shut down the stored sessions of tabs closed longer ago than ``server.disconnectedSessionTTL``
    (their state emptied) and return how many. Streamlit keeps a closed tab's session for a while
    so that a tab that reconnects gets its state back; expired ones are removed only when another
    session is stored (``streamlit.runtime.caching.ttl_cache``: "only actually removed by a write,
    by expire(), or by a length query"), so a departed visitor's state (their corpus, their
    widgets' callbacks and through them the page's last variables) stayed in memory until someone
    else left. The storage is not thread-safe: this runs on Streamlit's event loop. ``rt``: the
    runtime (default: the running one); nothing happens without one or when its internals differ."""
    import concurrent.futures

    from streamlit import runtime

    if rt is None:
        if not runtime.exists():
            return 0
        rt = runtime.get_instance()
    try:
        cache = rt._session_mgr._session_storage._cache
        expire = cache.expire
        loop = rt._get_async_objs().eventloop
    except Exception:  # noqa: BLE001 - another Streamlit: its own expiry only
        return 0
    done: concurrent.futures.Future = concurrent.futures.Future()

    def reap() -> None:
        try:
            removed = expire()
            for _sid, info in removed:
                try:
                    info.session.shutdown()
                    # and its state emptied: Streamlit's main loop keeps the last session it sent
                    # messages to in a loop variable (Runtime._loop_coroutine) while it waits
                    info.session.session_state.clear()
                except Exception:  # noqa: BLE001 - gone either way
                    log.debug("shutting down a closed tab's session failed", exc_info=True)
            done.set_result(len(removed))
        except Exception as err:  # noqa: BLE001
            done.set_exception(err)

    try:
        if loop.is_closed() or not loop.is_running():
            return 0
        loop.call_soon_threadsafe(reap)
        return done.result(timeout)
    except (RuntimeError, concurrent.futures.TimeoutError):
        return 0
    except Exception:  # noqa: BLE001 - the caches' own bounds remain
        log.exception("letting go of closed tabs' sessions failed")
        return 0


def jemalloc_library() -> str | None:
    """Debian's jemalloc (package ``libjemalloc2``), if installed."""
    import glob

    found = sorted(glob.glob("/usr/lib/*/libjemalloc.so.2") + glob.glob("/usr/lib/libjemalloc.so.2"))
    return found[0] if found else None


def server_environment() -> dict[str, str]:
    """The allocator settings of the documented server (``docs/DEPLOY.md``'s systemd unit; the load
    test starts its servers with them). Python's objects go to the C library's allocator
    (``PYTHONMALLOC=malloc``), and that is jemalloc where it is installed: glibc's heap keeps the
    freed memory of a peak scattered among live objects (after five uploaders left, 173 MB free in
    80,000 pieces, 54 MB of it resident, which ``malloc_trim`` cannot return), jemalloc returns
    its free pages. Without jemalloc, glibc with two arenas."""
    env = {"MALLOC_ARENA_MAX": "2", "PYTHONMALLOC": "malloc"}
    lib = jemalloc_library()
    if lib:
        env.update(LD_PRELOAD=lib, MALLOC_CONF=JEMALLOC_CONF)
    return env


def allocator_of(pid: int | None = None) -> str:
    """``"jemalloc"`` when that library is loaded in process ``pid`` (default: this one), else
    ``"glibc"`` (Linux; ``"unknown"`` where ``/proc`` cannot say)."""
    try:
        with open(f"/proc/{pid or 'self'}/maps", encoding="utf-8", errors="replace") as f:
            return "jemalloc" if any("libjemalloc" in line for line in f) else "glibc"
    except OSError:
        return "unknown"


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
