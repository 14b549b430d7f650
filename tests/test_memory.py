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
