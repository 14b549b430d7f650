"""ui.background: large work goes to a low-priority worker process, the page is told to wait
(Pending) until it is done, and work nobody waits for any more is cancelled or dropped."""

from __future__ import annotations

import json
import os
import time

import pytest

from ui import background


def square_slowly(x: int, seconds: float = 0.0) -> int:
    time.sleep(seconds)
    return x * x


def niceness_and_pid(_x: int = 0) -> tuple[int, int]:
    return os.nice(0), os.getpid()


def fails(_x: int = 0) -> int:
    raise ValueError("too little text")


@pytest.fixture()
def bg(monkeypatch, tmp_path):
    """Background work on (as on a server), one worker, a timing log in ``tmp_path``."""
    monkeypatch.setattr(background, "enabled", lambda: True)
    monkeypatch.setenv("EXPLORER_BACKGROUND_WORKERS", "1")
    log = tmp_path / "timing.jsonl"
    monkeypatch.setenv("EXPLORER_TIMING_LOG", str(log))
    background.shutdown()
    yield log
    background.shutdown()


def wait_for(key, fn, *args, corpus="c1", words=10**6, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return background.compute(key, corpus, "a test", words, fn, *args)
        except background.Pending:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def jobs_logged(log) -> list[dict]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        if rows:
            return rows
        time.sleep(0.05)
    return []


def test_small_work_is_done_in_place(bg):
    assert background.compute(("k",), "c1", "a test", background.MIN_WORDS - 1, niceness_and_pid)[1] == os.getpid()


def test_work_outside_a_server_is_done_in_place(monkeypatch):
    monkeypatch.delenv(background.ENV, raising=False)
    assert not background.enabled()  # no Streamlit runtime in this process
    assert background.compute(("k",), "c1", "a test", 10**9, niceness_and_pid)[1] == os.getpid()


def test_large_work_waits_then_returns_the_result(bg):
    with pytest.raises(background.Pending) as first:
        background.compute(("sq", 7), "c1", "the squares", 10**6, square_slowly, 7, 0.5)
    job = first.value.job
    assert job.what == "the squares" and job.words == 10**6 and job.corpus == "c1"
    assert background.pending_for([("sq", 7)]) == [job]
    assert wait_for(("sq", 7), square_slowly, 7, 0.5) == 49
    assert background.pending_for([("sq", 7)]) == []
    rows = jobs_logged(bg)
    assert [(r["kind"], r["what"], r["status"], r["words"]) for r in rows] == [("job", "the squares", "ok", 10**6)]
    assert rows[0]["s"] >= 0.5


def test_the_worker_is_another_process_of_lower_priority(bg):
    mine = os.nice(0)
    niceness, pid = wait_for(("nice",), niceness_and_pid)
    assert pid != os.getpid()
    assert niceness == min(19, mine + background.NICENESS)


def test_an_error_in_the_work_reaches_the_caller(bg):
    with pytest.raises(ValueError, match="too little text"):
        wait_for(("fails",), fails)
    assert jobs_logged(bg)[0]["status"] == "error"


def test_same_work_asked_twice_runs_once(bg):
    for _ in range(2):
        with pytest.raises(background.Pending):
            background.compute(("sq", 3), "c1", "a test", 10**6, square_slowly, 3, 0.3)
    assert wait_for(("sq", 3), square_slowly, 3, 0.3) == 9
    assert len(jobs_logged(bg)) == 1


def test_work_of_a_corpus_nobody_holds_is_cancelled_or_dropped(bg):
    """One worker: the first job runs, the second waits for it. The visitor of corpus "gone" leaves:
    the job not started is cancelled; when its visitor leaves too, the running one is dropped."""
    with pytest.raises(background.Pending):
        # long enough that the test's own steps, however slow on a busy machine, end before it
        background.compute(("run",), "kept", "a test", 10**6, square_slowly, 2, 6.0)
    with pytest.raises(background.Pending):
        background.compute(("queued",), "gone", "a test", 10**6, square_slowly, 3, 0.0)
    time.sleep(0.5)  # the first is now running
    assert background.drop_unheld({"kept"}) == [("queued",)]
    assert background.pending_for([("queued",)]) == []
    assert [j.key for j in background.pending_for([("run",), ("queued",)])] == [("run",)]
    assert background.drop_unheld(set()) == [("run",)]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = [json.loads(line) for line in bg.read_text().splitlines()] if bg.exists() else []
        if len(rows) == 2:
            break
        time.sleep(0.1)
    assert sorted(r["status"] for r in rows) == ["cancelled", "dropped"]


def test_idle_workers_are_shut_down(bg, monkeypatch):
    assert wait_for(("sq", 4), square_slowly, 4) == 16
    pool = background._pool
    assert pool is not None
    background.drop_unheld({"c1"})
    assert background._pool is pool  # busy a moment ago
    monkeypatch.setattr(background, "IDLE_S", 0.0)
    background.drop_unheld({"c1"})
    assert background._pool is None
    assert wait_for(("sq", 5), square_slowly, 5) == 25  # a new pool when work comes again


def test_the_resource_tracker_goes_with_the_idle_workers(bg, monkeypatch):
    """multiprocessing's resource tracker, started with the first pool, is stopped once an idle
    pool's queues are gone, and a new pool starts a new one."""
    import gc
    from multiprocessing import resource_tracker

    tracker = resource_tracker._resource_tracker
    assert wait_for(("sq", 6), square_slowly, 6) == 36
    first = tracker._pid
    assert first is not None
    monkeypatch.setattr(background, "IDLE_S", 0.0)
    background.drop_unheld({"c1"})
    assert background._pool is None
    deadline = time.monotonic() + 30
    while tracker._pid is not None and time.monotonic() < deadline:
        gc.collect()
        background.drop_unheld({"c1"})  # the next sweeps, once the pool's queues are gone
        time.sleep(0.2)
    assert tracker._pid is None, "the tracker stayed"
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)
    assert wait_for(("sq", 7), square_slowly, 7) == 49
    assert tracker._pid is not None and tracker._pid != first


def test_waiting_sentence_is_plain():
    from ui.waiting import describe

    job = background.Job(("t",), "c1", "the topics", 166_121, time.time() - 4.2)
    text = describe(job, 0)
    assert text.startswith("Still working out the topics of your 166,121 words: 4 s so far.")
    assert "appears by itself" in text and "waiting for" not in text
    assert "waiting for 2 other analyses" in describe(job, 2)
    assert "waiting for 1 other analysis " in describe(job, 1)


def test_waiting_work_starts_by_priority_then_order(bg):
    """One worker, busy: of the two jobs waiting, the one of lower priority number starts first
    even though it was asked for later."""
    with pytest.raises(background.Pending):
        background.compute(("busy",), "c1", "a test", 10**6, square_slowly, 1, 1.0)
    with pytest.raises(background.Pending):
        background.compute(("later",), "c1", "topics", 10**6, niceness_and_pid, priority=1)
    with pytest.raises(background.Pending):
        background.compute(("sooner",), "c1", "tone", 10**6, niceness_and_pid, priority=0)
    (sooner,) = background.pending_for([("sooner",)])
    (later,) = background.pending_for([("later",)])
    assert background.queued_before(later) == 2 and background.queued_before(sooner) == 1
    wait_for(("later",), niceness_and_pid)
    assert sooner.started is not None and later.started is not None and sooner.started < later.started
    assert background.queued_before(sooner) == 0


def test_a_result_not_fetched_yet_is_kept_while_its_visitor_is_here(bg, monkeypatch):
    """The visitor is on another page when their topics are ready: the result waits for them
    (the work is not done twice), and goes once they have left."""
    with pytest.raises(background.Pending):
        background.compute(("sq", 6), "c1", "a test", 10**6, square_slowly, 6)
    deadline = time.monotonic() + 60
    while background.pending_for([("sq", 6)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    monkeypatch.setattr(background, "IDLE_S", 0.0)
    background.drop_unheld({"c1"})
    assert background.compute(("sq", 6), "c1", "a test", 10**6, square_slowly, 6) == 36  # no Pending: kept
    assert len(jobs_logged(bg)) == 1
    background.drop_unheld(set())
    with pytest.raises(background.Pending):  # forgotten once nobody holds the corpus
        background.compute(("sq", 6), "c1", "a test", 10**6, square_slowly, 6)


def test_a_dropped_job_holds_its_worker_until_it_ends(bg):
    """One worker runs a job whose visitor left (dropped): the next job waits for the worker instead
    of being queued inside the pool, where it could no longer be cancelled."""
    with pytest.raises(background.Pending):
        background.compute(("gone",), "c0", "a test", 10**6, square_slowly, 2, 1.5)
    time.sleep(0.5)
    assert background.drop_unheld({"c1"}) == [("gone",)]
    with pytest.raises(background.Pending) as nxt:
        background.compute(("next",), "c1", "a test", 10**6, square_slowly, 3)
    assert nxt.value.job.started is None  # the worker is still busy with the dropped job
    assert wait_for(("next",), square_slowly, 3) == 9


def test_a_dropped_job_still_running_keeps_the_workers_up(bg, monkeypatch):
    """Idle means nothing running, dropped jobs included: the pool is not shut down under one."""
    with pytest.raises(background.Pending):
        background.compute(("gone",), "c0", "a test", 10**6, square_slowly, 2, 1.5)
    time.sleep(0.5)
    monkeypatch.setattr(background, "IDLE_S", 0.0)
    pool = background._pool
    assert background.drop_unheld({"c1"}) == [("gone",)]
    assert background._pool is pool and pool is not None, "shut down while the dropped job ran"
    deadline = time.monotonic() + 30
    while background._dropped and not background._dropped[0].future.done() and time.monotonic() < deadline:
        time.sleep(0.1)
    background.drop_unheld({"c1"})
    assert background._pool is None  # once it has ended
