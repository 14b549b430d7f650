"""Many texts scored at once, optionally spread over local processes with Dask.

:func:`score_texts` and :func:`score_documents` give exactly what
:func:`analysis.methods.lexicons.score_chunk` and
:func:`~analysis.methods.lexicons.score_document_chunk` give on the whole input (the tests
check it), in input order. With ``n_jobs`` > 1 the input is cut into that many consecutive
chunks of about equal text (:func:`split_evenly`) scored by Dask's local process scheduler
(``dask.compute(..., scheduler="processes")``). The default (``n_jobs=None`` or 1) scores in
this process: inside a Streamlit server a process pool would re-run the page script (Streamlit
replaces ``__main__``), and a whole corpus is analysed in parallel by the engine instead
(:mod:`analysis.engine`, on a local or a distributed Dask cluster).
"""

from __future__ import annotations

import os
from typing import Sequence

from analysis.methods.lexicons import score_chunk, score_document_chunk

__all__ = ["score_texts", "score_documents", "split_evenly", "available_cpus"]


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
