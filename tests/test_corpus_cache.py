"""ui/corpus_cache.py: per-corpus results are shared while any session holds the corpus and
cleared once none does."""

from __future__ import annotations

import gc

import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis.corpus.loaders import load_files
from tests.conftest import ROOT
from ui import corpus_cache, data

CALLS: list[tuple] = []


@corpus_cache.per_corpus(show_spinner=False, max_entries=8)
def _doubled(key: str, n: int, _big: list) -> int:
    CALLS.append((key, n))
    return 2 * n


def test_results_stay_while_held_and_go_when_released(monkeypatch):
    CALLS.clear()
    lease_a = corpus_cache.hold("corpus-a")
    lease_b = corpus_cache.hold("corpus-b")
    assert _doubled("corpus-a", 1, [0] * 10) == 2 and _doubled("corpus-b", 1, []) == 2
    assert _doubled("corpus-a", 1, ["not hashed"]) == 2
    assert CALLS == [("corpus-a", 1), ("corpus-b", 1)], "the second call for corpus-a was not a cache hit"
    mine = {"corpus-a", "corpus-b"}  # (other tests' corpora may be swept too)
    clock = _test_clock(monkeypatch, 1e9)
    t = clock[0]
    assert not mine & set(corpus_cache.sweep(now=t, grace=0.0))  # both held
    clock[0] = t + 100.0
    del lease_a
    gc.collect()
    assert not mine & set(corpus_cache.sweep(now=t + 100.0, grace=30.0))  # idle from now on: within the grace
    clock[0] = t + 131.0
    assert mine & set(corpus_cache.sweep(now=t + 131.0, grace=30.0)) == {"corpus-a"}
    _doubled("corpus-a", 1, [])
    _doubled("corpus-b", 1, [])
    assert CALLS[2:] == [("corpus-a", 1)], "corpus-a was recomputed, corpus-b (still held) was not"
    assert corpus_cache.held_keys().get("corpus-b") == 1
    del lease_b


def _test_clock(monkeypatch, start: float) -> list[float]:
    """Make the module's clock the test's own: ``clock[0]`` is "now".

    The server's sweeper thread (started by any AppTest of app.py in this process) may sweep between
    a test's steps. With the test's clock, whichever sweep first finds a corpus idle records the same
    moment the test does; with the real clock it recorded a moment far from the test's (one test failed so
    here, the other in CI), and the corpus never looked idle for as long as the test expected."""
    clock = [start]
    monkeypatch.setattr(corpus_cache, "time", type("Clock", (), {"monotonic": staticmethod(lambda: clock[0])}))
    return clock


FIGURES: list = []


@corpus_cache.any_corpus
@st.cache_resource(show_spinner=False, max_entries=8)
def _figure_of(values: tuple) -> dict:
    FIGURES.append(values)
    return {"data": list(values)}


def test_charts_of_any_corpus_go_when_a_corpus_is_cleared():
    """A chart cached by its inputs alone (not by corpus) stays while no corpus is cleared, and
    goes, with every other chart, when a sweep clears a departed visitor's corpus."""
    t = 2e9
    lease = corpus_cache.hold("corpus-charts")
    _doubled("corpus-charts", 3, [])
    corpus_cache.sweep(now=t, grace=0.0)  # other tests' idle corpora
    FIGURES.clear()
    _figure_of((1, 2))
    assert "corpus-charts" not in corpus_cache.sweep(now=t, grace=0.0)
    _figure_of((1, 2))
    assert FIGURES == [(1, 2)], "kept while nothing was cleared"
    del lease
    gc.collect()
    assert "corpus-charts" in corpus_cache.sweep(now=t + 1.0, grace=0.0)
    _figure_of((1, 2))
    assert FIGURES == [(1, 2), (1, 2)], "cleared with the departed corpus"


def test_pinned_corpus_is_never_cleared():
    CALLS.clear()
    corpus_cache.pin("corpus-pinned")
    _doubled("corpus-pinned", 5, [])
    corpus_cache.sweep(now=0.0, grace=0.0)
    corpus_cache.sweep(now=1e9, grace=0.0)
    _doubled("corpus-pinned", 5, [])
    assert CALLS == [("corpus-pinned", 5)]


def test_a_closed_sessions_uploads_are_cleared_but_the_seeds_stay():
    """An AppTest session loads its own corpus; once the session is gone, a sweep clears the
    prepared corpus cached for it, while the seeds' results (pinned) stay."""
    own = load_files([("mine.txt", b"My own text about the single market. It is mine alone.")])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    seeds_key = at.session_state["corpus_key"]
    at.session_state["corpus"] = own
    at.session_state["corpus_key"] = key = own.content_hash()
    at.run()
    assert not at.exception
    assert corpus_cache.held_keys().get(key) == 1
    view_clean = at.session_state["view"].clean
    mine = data._prepare(key, view_clean, own)  # a cache hit: the object the session used
    from analysis.corpus.loaders import load_seeds

    seeds = load_seeds()
    seeds_prepared = data._prepare(seeds_key, view_clean, seeds)
    del at
    gc.collect()
    cleared = corpus_cache.sweep(now=1e9, grace=0.0)
    assert key in cleared and seeds_key not in cleared
    assert key not in corpus_cache.held_keys()
    assert data._prepare(key, view_clean, own) is not mine, "the departed session's corpus is still cached"
    assert data._prepare(seeds_key, view_clean, seeds) is seeds_prepared, "the pinned seeds were cleared"


def test_a_lease_of_a_disconnected_session_does_not_keep_results(monkeypatch):
    """On a server a closed tab's session (and its lease) lingers; what counts is whether the
    session is still connected (Runtime.is_active_session)."""
    from types import SimpleNamespace

    connected = {"s1"}
    fake = SimpleNamespace(exists=lambda: True,
                           get_instance=lambda: SimpleNamespace(is_active_session=lambda sid: sid in connected))
    monkeypatch.setattr(corpus_cache, "runtime", fake)
    clock = _test_clock(monkeypatch, 0.0)
    CALLS.clear()
    lease = corpus_cache.Lease("corpus-tab", "s1")
    corpus_cache._leases["corpus-tab"].add(lease)
    _doubled("corpus-tab", 3, [])
    assert "corpus-tab" not in corpus_cache.sweep(now=0.0, grace=10.0)
    connected.clear()  # the tab was closed; the session object (and the lease) still exist
    assert corpus_cache.held_keys().get("corpus-tab") is None
    clock[0] = 5.0
    assert "corpus-tab" not in corpus_cache.sweep(now=5.0, grace=10.0)  # within the grace
    clock[0] = 16.0
    assert "corpus-tab" in corpus_cache.sweep(now=16.0, grace=10.0)
    _doubled("corpus-tab", 3, [])
    assert CALLS == [("corpus-tab", 3), ("corpus-tab", 3)]
    assert lease.key == "corpus-tab"


def test_records_are_bounded_and_none_are_kept_for_a_pinned_corpus(monkeypatch):
    monkeypatch.setattr(corpus_cache, "MAX_RECORDS", 3)
    lease = corpus_cache.hold("corpus-many")
    for n in range(10):
        _doubled("corpus-many", n, [])
    assert len(corpus_cache._calls["corpus-many"]) == 3
    corpus_cache.pin("corpus-pinned-2")
    _doubled("corpus-pinned-2", 1, [])
    assert "corpus-pinned-2" not in corpus_cache._calls
    del lease
