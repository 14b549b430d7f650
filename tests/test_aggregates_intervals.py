"""analysis.engine.aggregates.draw_intervals: a store's group intervals drawn in tasks (a build's
workers) are the ones drawn in one process, each drawn once, the work shared out fairly."""

from __future__ import annotations

import numpy as np

from analysis.engine.aggregates import INTERVAL_BATCHES, draw_interval_batch, draw_intervals
from analysis.methods.tone_groups import fill_intervals, interval_key


def sample_inputs():
    rng = np.random.default_rng(7)
    out = []
    for n in (3, 3, 40, 40, 40, 500, 2_000, 2_000, 9, 17, 17, 64, 128, 256, 300, 301, 302, 303, 304, 305):
        weights = rng.integers(1, 9, size=n).astype(float) if n % 2 else None
        out.append((rng.normal(size=n), weights))
    return out


def test_intervals_drawn_in_tasks_equal_those_drawn_here():
    inputs = sample_inputs()
    inputs.append(inputs[0])  # the same input twice: drawn once
    here: dict = {}
    fill_intervals(here, inputs)
    calls = []

    def run_tasks(func, arglist):
        calls.append((func, [a[0] for a in arglist]))
        return [func(*a) for a in arglist]

    memo = {interval_key(*inputs[5]): (-1.0, 1.0)}  # already known: not drawn again
    draw_intervals(memo, inputs, run_tasks)()
    [(func, batches)] = calls
    assert func is draw_interval_batch
    assert 1 < len(batches) <= INTERVAL_BATCHES
    drawn = [interval_key(*got) for b in batches for got in b]
    assert len(drawn) == len(set(drawn)) == len(here) - 1  # each once, the known one not at all
    sizes_per_batch = [{len(v) for v, _ in b} for b in batches]
    for n in {len(v) for v, _ in inputs}:  # the inputs of one size share their draws: one batch
        assert sum(n in s for s in sizes_per_batch) <= 1
    assert memo.pop(interval_key(*inputs[5])) == (-1.0, 1.0)
    here.pop(interval_key(*inputs[5]))
    assert memo == here


def test_the_largest_inputs_go_to_different_tasks():
    rng = np.random.default_rng(0)
    inputs = [(rng.normal(size=n), None) for n in (50_000, 40_000, 30, 20, 10)]
    got = []
    draw_intervals({}, inputs, lambda func, arglist: got.extend(arglist) or [func(*a) for a in arglist])()
    big = [i for i, (b,) in enumerate(got) if any(len(v) >= 40_000 for v, _ in b)]
    assert len(big) == 2


def test_nothing_to_draw_starts_no_task():
    inputs = sample_inputs()[:3]
    memo: dict = {}
    fill_intervals(memo, inputs)
    calls = []
    draw_intervals(memo, inputs, lambda func, arglist: calls.append(arglist) or [func(*a) for a in arglist])()
    assert calls == [[]]  # asked with no task (a build queues its reuse task after the intervals')


def test_the_caller_works_while_the_tasks_draw():
    """run_tasks may hand back a function that waits for the results (a build's Dask futures):
    nothing is read into the memo until the caller waits, then all of it is."""
    inputs = sample_inputs()
    here: dict = {}
    fill_intervals(here, inputs)
    waited = []

    def run_tasks(func, arglist):
        results = [func(*a) for a in arglist]
        return lambda: waited.append(True) or results

    memo: dict = {}
    wait = draw_intervals(memo, inputs, run_tasks)
    assert memo == {} and not waited
    wait()
    assert waited == [True] and memo == here
    memo2: dict = {}
    draw_intervals(memo2, inputs)()  # in this process: drawn at once, the wait does nothing
    assert memo2 == here
