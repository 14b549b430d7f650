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

    threading.Thread(target=memory._trim_forever, args=(fake_trim, 0.01), daemon=True).start()
    assert done.wait(5), "the trimmer did not call malloc_trim three times"
    assert calls[:3] == [0, 0, 0]


def test_trimmer_stops_and_logs_when_trim_fails(caplog):
    def broken(pad):
        raise OSError("no")

    with caplog.at_level("ERROR", logger="explorer"):
        t = threading.Thread(target=memory._trim_forever, args=(broken, 0.01), daemon=True)
        t.start()
        t.join(5)
    assert not t.is_alive()
    assert any("malloc_trim failed" in r.getMessage() for r in caplog.records)


def test_keep_trimming_starts_one_thread_per_process():
    memory.keep_trimming.clear()
    before = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    started = memory.keep_trimming(every=3600.0)
    again = memory.keep_trimming(every=3600.0)
    time.sleep(0.05)
    after = [t for t in threading.enumerate() if t.name == "malloc-trim"]
    assert started is again
    if memory._malloc_trim() is None:  # not glibc
        assert started is False and len(after) == len(before)
    else:
        assert started is True and len(after) == len(before) + 1
