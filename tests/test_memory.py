"""ui/memory.py: the thread that hands freed heap memory back to the operating system."""

from __future__ import annotations

import threading
import time

from ui import memory


def test_trimmer_calls_malloc_trim_repeatedly():
    calls = []
    done = threading.Event()

    def fake_trim(pad):
        calls.append(pad)
        if len(calls) == 3:
            done.set()
        return 1

    sweeps = []
    stop = threading.Event()
    t = threading.Thread(target=memory._trim_forever, args=(fake_trim, 0.01, lambda: sweeps.append(1), stop),
                         daemon=True)
    t.start()
    try:
        assert done.wait(5), "the trimmer did not call malloc_trim three times"
        assert calls[:3] == [0, 0, 0] and len(sweeps) >= 3
    finally:
        stop.set()
        t.join(5)
    # a trimmer left running would collect garbage every 10 ms for the rest of the test session
    assert not t.is_alive(), "the trimmer did not stop"


def test_a_failing_trim_stops_trimming_but_not_sweeping(caplog):
    trims, sweeps = [], []
    enough = threading.Event()

    def broken(pad):
        trims.append(pad)
        raise OSError("no")

    def sweep():
        sweeps.append(1)
        if len(sweeps) == 4:
            enough.set()

    stop = threading.Event()
    with caplog.at_level("ERROR", logger="explorer"):
        t = threading.Thread(target=memory._trim_forever, args=(broken, 0.01, sweep, stop), daemon=True)
        t.start()
        try:
            assert enough.wait(5)
        finally:
            stop.set()
            t.join(5)
    assert not t.is_alive()
    assert len(trims) == 1, "malloc_trim is not retried after it failed"
    assert any("malloc_trim failed" in r.getMessage() for r in caplog.records)


def test_keep_trimming_starts_one_thread_per_process():
    memory.keep_trimming.clear()
    before = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    started = memory.keep_trimming(every=3600.0)
    again = memory.keep_trimming(every=3600.0)
    time.sleep(0.05)
    after = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    assert started is again
    assert len(after) == len(before) + 1
    assert started is (memory.malloc_trim() is not None)


class _Session:
    def __init__(self, sid):
        self.id = sid
        self.shut = 0
        self.session_state = {"corpus": "a visitor's texts"}

    def shutdown(self):
        self.shut += 1


def _runtime_with_storage(ttl: float):
    """A stand-in for Streamlit's runtime around its real session storage, on a real event loop."""
    import asyncio
    from types import SimpleNamespace

    from streamlit.runtime.memory_session_storage import MemorySessionStorage

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    storage = MemorySessionStorage(ttl_seconds=ttl)
    rt = SimpleNamespace(_session_mgr=SimpleNamespace(_session_storage=storage),
                         _get_async_objs=lambda: SimpleNamespace(eventloop=loop))
    return rt, storage, loop


def test_closed_tabs_sessions_are_shut_down_once_their_time_is_up():
    """Streamlit keeps a closed tab's session for server.disconnectedSessionTTL and reaps it only
    when it stores another: forget_closed_tabs shuts down the expired ones (on the event loop) and
    leaves the ones a reconnecting tab may still claim."""
    from streamlit.runtime.session_manager import SessionInfo

    rt, storage, loop = _runtime_with_storage(ttl=0.3)
    try:
        old = [_Session(f"old{i}") for i in range(3)]
        for s in old:
            storage.save(SessionInfo(client=None, session=s))
        assert memory.forget_closed_tabs(rt) == 0  # not expired yet: kept for a reconnect
        assert storage.get("old0") is not None
        time.sleep(0.4)
        fresh = _Session("fresh")
        assert len(storage._cache._data) == 3  # expired, yet still held: Streamlit's lazy expiry
        assert memory.forget_closed_tabs(rt) == 3
        assert [s.shut for s in old] == [1, 1, 1]
        assert all(not s.session_state for s in old)  # emptied: something may still point at the session
        assert len(storage._cache._data) == 0
        storage.save(SessionInfo(client=None, session=fresh))
        assert memory.forget_closed_tabs(rt) == 0 and fresh.shut == 0 and storage.get("fresh").session is fresh
        assert fresh.session_state == {"corpus": "a visitor's texts"}
    finally:
        loop.call_soon_threadsafe(loop.stop)


def test_forget_closed_tabs_without_a_runtime_or_its_internals_does_nothing():
    from types import SimpleNamespace

    assert memory.forget_closed_tabs() == 0  # no Streamlit server in this process
    assert memory.forget_closed_tabs(SimpleNamespace()) == 0
