"""Many texts scored at once, optionally spread over local processes with Dask.

:func:`score_texts` and :func:`score_documents` give exactly what
:func:`analysis.methods.lexicons.score_chunk` and
:func:`~analysis.methods.lexicons.score_document_chunk` give on the whole input (the tests
check it), in input order. With ``n_jobs`` > 1 the input is cut into that many consecutive
chunks of about equal text (:func:`split_evenly`) scored by Dask's local process scheduler
(``dask.compute(..., scheduler="processes")``). The default (``n_jobs=None`` or 1) scores in
this process; a whole corpus is analysed in parallel by the engine instead (:mod:`analysis.engine`,
on a local or a distributed Dask cluster).

:func:`children_skip_main` is how every local worker process of the project is started: a
spawned child re-imports its parent's ``__main__``, and under Streamlit (the app, AppTest)
``__main__`` is the page script itself, which each child would then run as the app.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import types
from typing import Iterator, Sequence

from analysis.methods.lexicons import score_chunk, score_document_chunk

__all__ = ["score_texts", "score_documents", "split_evenly", "available_cpus", "children_skip_main"]

_MAIN_LOCK = threading.Lock()
_MAIN_SAVED: list = []  # [the real __main__, blocks open] while a children_skip_main block runs


@contextlib.contextmanager
def children_skip_main() -> Iterator[None]:
    """Within the block, processes started by ``multiprocessing`` (Dask's local workers and
    nannies, its process scheduler) do not import this process's ``__main__``.

    ``multiprocessing``'s spawn start method runs the parent's main script again in every child
    (as ``__mp_main__``). Streamlit installs each page run's script as ``__main__``, so a worker
    started from the app, or from a test after an AppTest run, would draw the whole dashboard
    before doing any work, and fail or hang. The project's tasks are functions of
    :mod:`analysis`, which the children import by name, so a bare ``__main__`` stands in while
    the block runs (nested and concurrent blocks share one swap; the last to leave restores it).
    """
    with _MAIN_LOCK:
        if _MAIN_SAVED:
            _MAIN_SAVED[1] += 1
        else:
            _MAIN_SAVED[:] = [sys.modules.get("__main__"), 1]
            sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        with _MAIN_LOCK:
            _MAIN_SAVED[1] -= 1
            if _MAIN_SAVED[1] == 0:
                real = _MAIN_SAVED[0]
                _MAIN_SAVED.clear()
                if real is not None:
                    sys.modules["__main__"] = real


def available_cpus() -> int:
    """CPUs this process may really use: the affinity mask, capped by a cgroup
    CPU quota when there is one (containers often report the host's count)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    for quota_file, period_file in (("/sys/fs/cgroup/cpu.max", None),
                                    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                                     "/sys/fs/cgroup/cpu/cpu.cfs_period_us")):
        try:
            with open(quota_file) as f:
                fields = f.read().split()
            if period_file is None:
                quota, period = fields[0], fields[1]
            else:
                with open(period_file) as f:
                    quota, period = fields[0], f.read().split()[0]
            if quota not in ("max", "-1") and int(period) > 0:
                n = min(n, max(1, int(int(quota) / int(period))))
            break
        except (OSError, ValueError, IndexError):
            continue
    return max(1, n)


def split_evenly(items: list, sizes: list[int], n: int) -> list[list]:
    """``items`` cut into at most ``n`` consecutive chunks of roughly equal total ``sizes``."""
    total = sum(sizes)
    if n <= 1:
        return [list(items)] if items else []
    bounds = [total * (j + 1) / n for j in range(n - 1)]
    chunks, cur, done = [], [], 0
    for item, k in zip(items, sizes):
        cur.append(item)
        done += k
        if len(chunks) < n - 1 and done >= bounds[len(chunks)]:
            chunks.append(cur)
            cur = []
    if cur:
        chunks.append(cur)
    return chunks


def _in_processes(func, chunks: list[list], *args) -> list:
    import dask

    tasks = [dask.delayed(func, pure=True)(chunk, *args) for chunk in chunks]
    with children_skip_main():
        return list(dask.compute(*tasks, scheduler="processes", num_workers=len(chunks)))


def _workers(n_jobs: int | None, n_items: int) -> int:
    if n_jobs is None or n_items < 2:
        return 1
    return max(1, min(int(n_jobs), available_cpus(), n_items))


def score_texts(texts: Sequence[str], vader: bool = True, n_jobs: int | None = None,
                word_pattern: str | None = None) -> list[tuple]:
    """:func:`~analysis.methods.lexicons.score_chunk` over many texts: per text
    ``(polarity, subjectivity, vader_compound, n_words, n_assessments)``.

    Repeated texts are scored once. ``n_jobs``: None or 1 = in this process, k = up to k local
    processes (Dask). Results are in input order and identical however computed.
    """
    texts = list(texts)
    index: dict[str, int] = {}
    uniq: list[str] = []
    for t in texts:
        if t not in index:
            index[t] = len(uniq)
            uniq.append(t)
    n = _workers(n_jobs, len(uniq))
    if n > 1:
        parts = _in_processes(score_chunk, split_evenly(uniq, [len(t) + 20 for t in uniq], n), vader, word_pattern)
        out = [r for part in parts for r in part]
    else:
        out = score_chunk(uniq, vader, word_pattern)
    return [out[index[t]] for t in texts]


def score_documents(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], vader: bool = True,
                    n_jobs: int | None = None, word_pattern: str | None = None) -> list[tuple]:
    """:func:`~analysis.methods.lexicons.score_document_chunk` over many ``(text, sentence_spans)``:
    per document ``(polarity, subjectivity, rows)``; ``n_jobs`` as in :func:`score_texts`."""
    items = list(items)
    n = _workers(n_jobs, len(items))
    if n > 1:
        sizes = [len(t) + 20 * len(sp) + 20 for t, sp in items]
        parts = _in_processes(score_document_chunk, split_evenly(items, sizes, n), vader, word_pattern)
        return [r for part in parts for r in part]
    return score_document_chunk(items, vader, word_pattern)
