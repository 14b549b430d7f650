"""Process-wide caches of per-corpus results that let go of a corpus once no session holds it.

Results are cached across sessions by the corpus's content hash (``key``), so
two visitors with the same documents share them. Streamlit's own bounds
(entries, time to live) would keep a departed visitor's results for up to an
hour; here each session holds a :class:`Lease` on its corpus in its session
state, and when no lease on a corpus belongs to a connected session any more
(the visitor loaded another corpus, or closed the tab) for longer than
Streamlit keeps a disconnected session for a reconnect, :func:`sweep` clears
every cached result of that corpus, and the charts of any corpus
(:func:`any_corpus`). The default corpus (the seeds, or the operator's store)
is pinned and never cleared this way. ``ui.memory`` runs :func:`sweep` every 30 s.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import threading
import time
import weakref
from collections import defaultdict

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

#: Seconds a corpus may stay without a connected session before its results are cleared, beyond
#: ``server.disconnectedSessionTTL`` (the time a closed tab's session may come back).
GRACE = 30.0

#: Calls recorded per corpus at most (the rest are left to Streamlit's entry and time bounds), so
#: that a long-held corpus's record cannot grow without end; none are kept for a pinned corpus.
MAX_RECORDS = 2_000

log = logging.getLogger("explorer")

_lock = threading.Lock()
_calls: dict[str, set] = defaultdict(set)  # corpus key -> {(cached function, args, kwargs)}
_leases: dict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)
_idle_since: dict[str, float] = {}
_pinned: set[str] = set()
_any_corpus: list = []  # cached functions whose entries are not keyed by a corpus (see any_corpus)


class Lease:
    """A session's hold on a corpus's cached results (kept in its session state)."""

    __slots__ = ("key", "session_id", "__weakref__")

    def __init__(self, key: str, session_id: str | None = None) -> None:
        self.key = key
        self.session_id = session_id

    def alive(self) -> bool:
        """Its session is connected (Streamlit drops a closed tab's session only later, and lazily,
        so a lease outlives its tab); outside a server (tests), as long as the lease exists."""
        if self.session_id is None or not runtime.exists():
            return True
        try:
            return runtime.get_instance().is_active_session(self.session_id)
        except Exception:  # noqa: BLE001 - when in doubt, keep the results
            return True


def hold(key: str) -> Lease:
    """A lease on ``key``'s results for the running session; they stay cached while a lease is
    alive (:meth:`Lease.alive`)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    lease = Lease(key, ctx.session_id if ctx is not None else None)
    with _lock:
        _leases[key].add(lease)
        _idle_since.pop(key, None)
    return lease


def pin(key: str) -> None:
    """Never clear ``key``'s results by :func:`sweep` (the corpus every visitor starts on)."""
    with _lock:
        _pinned.add(key)
        _calls.pop(key, None)


def per_corpus(**cache_kwargs):
    """``st.cache_resource(**cache_kwargs)`` for a function whose first parameter is the corpus key,
    recording each call so that :func:`sweep` can clear that corpus's entries. Parameters whose
    names start with ``_`` are not hashed by Streamlit and are not kept here either."""

    def decorate(func):
        cached = st.cache_resource(**cache_kwargs)(func)
        sig = inspect.signature(func)
        unhashed = [name for name in sig.parameters if name.startswith("_")]

        @functools.wraps(func)
        def call(*args, **kwargs):
            out = cached(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            for name in unhashed:
                if name in bound.arguments:
                    bound.arguments[name] = None
            record = (cached, tuple(bound.args), tuple(sorted(bound.kwargs.items())))
            key = str(bound.args[0])
            try:
                with _lock:
                    calls = _calls[key] if key not in _pinned else None
                    if calls is not None and len(calls) < MAX_RECORDS:
                        calls.add(record)
            except TypeError:
                pass  # an unhashable argument: the entry is left to Streamlit's entry and time bounds
            return out

        call.clear = cached.clear
        return call

    return decorate


def any_corpus(cached):
    """Register ``cached`` (a ``st.cache_resource`` function) whose entries are keyed by their
    inputs, not by a corpus (a chart of any data): :func:`sweep` clears all of its entries whenever
    it clears a corpus, so that a departed visitor's charts go with their results. The default
    corpus's charts are rebuilt when next asked for. Returns ``cached``."""
    _any_corpus.append(cached)
    return cached


def _default_grace() -> float:
    try:
        return float(st.get_option("server.disconnectedSessionTTL")) + GRACE
    except Exception:  # noqa: BLE001
        return 120.0 + GRACE


def sweep(now: float | None = None, grace: float | None = None) -> list[str]:
    """Clear the cached results of every corpus no live lease has held for ``grace`` seconds
    (default: ``server.disconnectedSessionTTL`` + :data:`GRACE`); returns the keys cleared."""
    now = time.monotonic() if now is None else now
    grace = _default_grace() if grace is None else grace
    with _lock:
        unpinned = [k for k in _calls if k not in _pinned]
    if not unpinned:
        return []
    gc.collect()  # a closed session's state may sit in a reference cycle
    cleared = []
    with _lock:
        for key in unpinned:
            if any(lease.alive() for lease in list(_leases.get(key, ()))):
                _idle_since.pop(key, None)
                continue
            since = _idle_since.setdefault(key, now)
            if now - since >= grace:
                cleared.append((key, _calls.pop(key, set())))
                _idle_since.pop(key, None)
                _leases.pop(key, None)
    for _key, calls in cleared:
        for cached, args, kwargs in calls:
            cached.clear(*args, **dict(kwargs))
    if cleared:
        for cached in _any_corpus:
            cached.clear()
        log.info("cleared the cached results of %d corpus(es) no connected session holds", len(cleared))
    return [key for key, _ in cleared]


def held_keys() -> dict[str, int]:
    """Live leases per corpus key (for tests and diagnostics)."""
    with _lock:
        leases = {k: list(v) for k, v in _leases.items()}
    return {k: n for k, v in leases.items() if (n := sum(lease.alive() for lease in v))}


def wanted_keys() -> set[str]:
    """The corpora whose results are still wanted: pinned, or held by a connected session."""
    with _lock:
        pinned = set(_pinned)
    return pinned | set(held_keys())
