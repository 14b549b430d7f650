"""The whole analysis of a corpus in one call, with the time each stage took.

:func:`analyse` runs, on a loaded :class:`~analysis.corpus.model.Corpus` (or on paths
it loads itself):

1. ``load``: the loaders of :mod:`analysis.corpus.loaders` (only when given paths);
2. ``prepare``: cleaning and segmentation (:func:`analysis.corpus.prepare.prepare`);
3. ``sentiment``: every sentence scored by TextBlob and VADER, and every
   document's whole text by TextBlob (:func:`analysis.methods.sentiment.score_corpus`:
   the exact fast re-implementation, values equal to the libraries');
4. ``terms``: the phrase-independent document x term count index of
   :func:`analysis.methods.terms.build_index`, words and 2-word n-grams (``ngram_max``);
5. ``topics``: NMF topic clusters with the number of topics chosen
   automatically by stability (:func:`analysis.engine.topic_stage.topic_stage`);
6. ``reuse``: shared passages and the document similarity pairs
   (:func:`analysis.engine.stages.reuse_stage`), skipped with a stated reason on corpora
   too large for them (see :class:`AnalysisParams`).

With ``n_jobs=2`` (the default on a machine with two or more cores and a corpus of at least
:data:`PARALLEL_MIN_CHARS` characters) the topics - the longest stage, about as long as all the
others together - are one Dask task on a local worker process (``distributed.LocalCluster``,
started while this process loads and prepares the corpus), while this process scores the
sentiment, builds the term index and finds the shared passages; ``scheduler`` (an address such as
``tcp://host:8786``) sends that task to a running Dask cluster instead. The results are identical
whatever ``n_jobs`` is (the tests check it); if the task fails, this process computes the topics
itself. For corpora of any size, use :func:`analysis.engine.build.build_store`, which spreads
every stage over the workers.

Timings (:attr:`FullAnalysis.timings`) are wall-clock seconds of each stage in the process that
ran it; with a worker, stages in different processes overlap, so they add up to more than
``total``. :attr:`FullAnalysis.schedule` says which process ran what. ``on_stage`` (an optional
callback) is told when each stage's window starts and ends in this process, e.g. for measuring
memory per stage (``scripts/benchmark.py``).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from analysis.corpus.model import Corpus
from analysis.engine.params import ANALYSIS_VERSION, STAGES, AnalysisParams, topic_params, versions
from analysis.engine.results import FullAnalysis, TopicResult
from analysis.engine.stages import (malloc_trim, merge_prepared, merge_term_indexes, prepare_documents,
                                    release_memory, reuse_stage, terms_stage)
from analysis.engine.topic_stage import n_topic_units, topic_input, topic_stage

__all__ = [
    "STAGES",
    "ANALYSIS_VERSION",
    "PARALLEL_MIN_CHARS",
    "AnalysisParams",
    "TopicResult",
    "FullAnalysis",
    "analyse",
    "topic_params",
    "topic_stage",
    "n_topic_units",
    "reuse_stage",
    "terms_stage",
    "merge_prepared",
    "merge_term_indexes",
    "malloc_trim",
    "versions",
]

#: Below this many characters of text :func:`analyse` stays in one process
#: (starting a worker costs a second or two).
PARALLEL_MIN_CHARS = 1_000_000


def _timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def _timed_topic_stage(prepared, params):
    """The topic stage as a Dask task: ``(TopicResult without the model, seconds)``."""
    return _timed(topic_stage, prepared, params, keep_model=False)


class _TopicWorker:
    """A Dask client (local cluster of one worker process, or ``scheduler``) started in a thread,
    so that its start-up overlaps loading and preparing; :meth:`result` waits for the topics task
    and returns None on any failure (the caller then computes the topics itself)."""

    def __init__(self, scheduler: str | None):
        from contextlib import ExitStack

        self._stack = ExitStack()
        self._client = None
        self._future = None
        self.error = ""
        self._thread = threading.Thread(target=self._start, args=(scheduler,), daemon=True)
        self._thread.start()

    def _start(self, scheduler):
        try:
            from analysis.engine.cluster import dask_client

            self._client = self._stack.enter_context(dask_client(scheduler, n_workers=1, processes=True))
        except Exception as e:  # noqa: BLE001 - reported, computed here
            self.error = f"{type(e).__name__}: {e}"

    def submit(self, prepared, params) -> None:
        self._thread.join()
        if self._client is not None:
            self._future = self._client.submit(_timed_topic_stage, prepared, params, pure=False)

    def result(self):
        if self._future is None:
            return None
        try:
            return self._future.result()
        except Exception as e:  # noqa: BLE001
            self.error = f"{type(e).__name__}: {e}"
            return None

    def close(self) -> None:
        self._thread.join()
        self._stack.close()


def analyse(source, params: AnalysisParams | None = None, n_jobs: int | None = None,
            limits=None, progress: Callable[[str], None] | None = None,
            on_stage: Callable[[str, str], None] | None = None, scheduler: str | None = None) -> FullAnalysis:
    """Run every stage on ``source`` and time each (see the module docstring).

    ``source``: a :class:`Corpus`, or paths for :func:`analysis.corpus.loaders.load_paths`
    (``limits`` applies then). ``params``: :class:`AnalysisParams`.
    ``n_jobs``: 1 = this process only; 2 = the topics in a Dask worker process too; None =
    2 when the machine has two cores and the corpus at least :data:`PARALLEL_MIN_CHARS`
    characters. ``scheduler``: a Dask scheduler's address for that task (implies ``n_jobs=2``).
    ``progress``: called with each stage's name as it starts. ``on_stage``: called as
    ``on_stage(name, "start")`` and ``on_stage(name, "end")`` around each timed stage, in this
    process (the names of :attr:`FullAnalysis.timings` but ``total``); with a worker, the
    ``topics`` window runs from submitting the task to receiving its result, so it overlaps
    ``sentiment``, ``terms``, ``reuse`` and contains ``wait_worker``.
    """
    from analysis.methods.bulk_scoring import available_cpus

    params = params or AnalysisParams()
    say = progress or (lambda s: None)
    mark = on_stage or (lambda name, event: None)

    def timed(name, func, *args):
        mark(name, "start")
        try:
            return _timed(func, *args)
        finally:
            mark(name, "end")

    timings: dict[str, float] = {}
    schedule: dict[str, str] = {}
    t_start = time.perf_counter()
    want = 2 if scheduler else (int(n_jobs) if n_jobs is not None else (2 if available_cpus() >= 2 else 1))
    worker = None
    try:
        if isinstance(source, Corpus):
            corpus = source
        else:
            from analysis.corpus.loaders import load_paths

            if want > 1:
                worker = _TopicWorker(scheduler)  # started first: it overlaps loading
            say("load")
            corpus, timings["load"] = timed("load", lambda: load_paths(source, limits=limits))
            schedule["load"] = "main"
        documents = list(corpus.documents)
        if n_jobs is None and not scheduler and sum(len(d.text) for d in documents) < PARALLEL_MIN_CHARS:
            want = 1
        if want < 2 or len(documents) < 2:
            if worker is not None:
                worker.close()
            worker = None
        elif worker is None:
            worker = _TopicWorker(scheduler)
        content_hash, timings["hash"] = timed("hash", corpus.content_hash)

        # -- cleaning and segmentation here (meanwhile the worker starts)
        say("prepare")
        prepared, timings["prepare"] = timed("prepare", prepare_documents, documents, params.clean)
        prepared = merge_prepared([prepared], corpus, content_hash)
        schedule["prepare"] = "main"

        # -- topics in the worker (the longest stage), everything else here
        if worker is not None:
            mark("topics", "start")
            # the texts are tokenised in the worker, not here
            worker.submit(topic_input(prepared, params.topic_units, terms=False), params)
        say("sentiment")
        from analysis.methods import sentiment

        sentiment_tables, timings["sentiment"] = timed(
            "sentiment", lambda: sentiment.score_corpus(prepared.docs, prepared.sentences, n_jobs=1))
        schedule["sentiment"] = "main"
        say("terms")
        term_index, timings["terms"] = timed("terms", terms_stage, prepared.docs, params.ngram_max)
        schedule["terms"] = "main"
        release_memory()
        say("reuse")
        (passages, similarity, notes), timings["reuse"] = timed("reuse", reuse_stage, prepared.docs, params)
        schedule["reuse"] = "main"
        release_memory()
        got = None
        if worker is not None:
            say("topics")
            got, timings["wait_worker"] = timed("wait_worker", worker.result)
        if got is not None:
            topics, timings["topics"] = got
            schedule["topics"] = "worker (Dask task, while main ran sentiment, terms, reuse)"
        else:
            say("topics")
            if worker is None:
                mark("topics", "start")
            topics, timings["topics"] = _timed(topic_stage, prepared, params)
            schedule["topics"] = "main"
        mark("topics", "end")
        if topics.error:
            notes["topics"] = topics.error
        n_used = 2 if got is not None else 1
        if worker is not None and worker.error:
            notes["worker"] = "the Dask worker failed; its share was computed here: " + worker.error[:300]
    finally:
        if worker is not None:
            worker.close()
    timings["total"] = time.perf_counter() - t_start
    return FullAnalysis(content_hash=content_hash, params=params, prepared=prepared,
                        sentiment=sentiment_tables, term_index=term_index, topics=topics,
                        passages=passages, similarity=similarity, timings=timings, schedule=schedule,
                        notes=notes, n_jobs=n_used)
