"""Process-wide caches of per-corpus results that let go of a corpus once no session holds it.

Results are cached across sessions by the corpus's content hash (``key``), so
two visitors with the same documents share them. Streamlit's own bounds
(entries, time to live) would keep a departed visitor's results for up to an
hour; here each session holds a :class:`Lease` on its corpus in its session
state, and when the last lease on a corpus is gone (the visitor loaded another
corpus, or their session ended) :func:`sweep` clears every cached result of
that corpus. The default corpus (the seeds, or the operator's store) is pinned
and never cleared this way. ``ui.memory`` runs :func:`sweep` every 30 s.
"""

from __future__ import annotations

import functools
import gc
import inspect
import threading
import time
import weakref
from collections import defaultdict

import streamlit as st

#: Seconds a corpus may stay without a lease before its results are cleared.
GRACE = 30.0

_lock = threading.Lock()
_calls: dict[str, set] = defaultdict(set)  # corpus key -> {(cached function, args, kwargs)}
_leases: dict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)
_idle_since: dict[str, float] = {}
_pinned: set[str] = set()


class Lease:
    """A session's hold on a corpus's cached results (kept in its session state)."""

    __slots__ = ("key", "__weakref__")

    def __init__(self, key: str) -> None:
        self.key = key


def hold(key: str) -> Lease:
    """A lease on ``key``'s results; they stay cached while any lease is alive."""
    lease = Lease(key)
    with _lock:
        _leases[key].add(lease)
        _idle_since.pop(key, None)
    return lease


def pin(key: str) -> None:
    """Never clear ``key``'s results by :func:`sweep` (the corpus every visitor starts on)."""
    with _lock:
        _pinned.add(key)


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
            try:
                with _lock:
                    _calls[str(bound.args[0])].add(record)
            except TypeError:
                pass  # an unhashable argument: the entry is left to Streamlit's entry and time bounds
            return out

        call.clear = cached.clear
        return call

    return decorate


def sweep(now: float | None = None, grace: float = GRACE) -> list[str]:
    """Clear the cached results of every corpus no live session has held for ``grace`` seconds;
    returns the keys cleared."""
    now = time.monotonic() if now is None else now
    with _lock:
        unpinned = [k for k in _calls if k not in _pinned]
    if not unpinned:
        return []
    gc.collect()  # a closed session's state may sit in a reference cycle
    cleared = []
    with _lock:
        for key in unpinned:
            if len(_leases.get(key, ())):
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
    return [key for key, _ in cleared]


def held_keys() -> dict[str, int]:
    """Live leases per corpus key (for tests and diagnostics)."""
    with _lock:
        return {k: len(v) for k, v in _leases.items() if len(v)}
