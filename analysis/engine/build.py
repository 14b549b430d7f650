"""``python -m analysis build PATH... --out DIR``: precompute a store, in bounded memory, with Dask.

The corpus is read as a stream of chunks (:func:`analysis.engine.streaming.iter_documents`: at most
``chunk_size`` documents or ``chunk_chars`` characters each); each chunk becomes one part of the
store. The per-document stages run as Dask tasks on slices of at most :data:`TASK_CHARS`
characters of a chunk (the partitions: cut by the texts alone, so the same whatever runs them):
a ``prepare+index`` task cleans and segments a slice and counts its terms (the word counts come
with the term counts: :func:`analysis.engine.stages.prepare_for_builder`), a ``score`` task scores
its sentences and documents (TextBlob, VADER, the classifier) and sends back only what the client
does not get with the prepared slice (:func:`analysis.engine.stages.score_for_builder`). The client
combines a chunk's slices in order (:func:`analysis.engine.stages.merge_slices`) and appends them
to the store's Parquet parts;
corpus-wide totals (vocabulary, term counts per group) are summed as chunks pass. At most
:data:`CHUNKS_AHEAD` chunks are in flight, so memory stays bounded whatever the corpus's size.
Then the corpus-wide stages, combined from the partitions:

- topics: on a corpus of at most ``topic_sample_docs`` (5,000) documents one task fits them on the
  prepared slices as soon as these exist (it runs while the other workers still score sentiment);
  on a larger one a task fits them on a seeded random sample read back from the parts (by the task
  itself when the workers run on this machine, so the builder goes on at once), and one
  task per part, queued behind the fit, scores the part's documents with the fitted model from the
  part's term counts (:mod:`analysis.engine.topic_counts`), reading them from the store being
  written (a worker on a machine that cannot see it leaves its part to this process); where the
  counts cannot say it, one task per part reads the texts;
- reuse: shared passages when the corpus has at most ``reuse_max_words`` words (10 million),
  document similarity up to ``similarity_max_docs`` documents (5,000), one task; otherwise
  skipped, the reason written to the manifest. On a corpus of at most :data:`REUSE_SLICE_CHARS`
  characters the workers keep each slice's cleaned texts and the task starts from them as soon as
  the last slice is prepared (a worker free while the client still writes the last chunks runs
  it); on a larger one it reads the texts back from the parts, queued after the aggregates' own
  tasks;
- the group aggregates of :mod:`analysis.engine.aggregates`, in this process, every group's and
  cell's bootstrap interval drawn as tasks in batches of about equal work
  (:func:`analysis.engine.aggregates.draw_intervals`) while the builder sums the words per group,
  and while the topics and the reuse task run: the builder waits for the topics only for the
  topic shares per group, and for reuse at the very end.

Where the tasks run (:func:`analysis.engine.cluster.dask_client`): a local cluster of ``n_jobs``
worker processes started for the build (default 2 on a 2+ core machine; ``n_jobs=1``: one worker
thread in this process), or the running Dask scheduler at ``scheduler`` (or
``$EXPLORER_DASK_SCHEDULER``), whose workers may be on other machines: they need this project's
code and packages, not the corpus's files (documents travel in the tasks). Dask reruns the tasks of
a worker that dies. The store is identical table by table whichever scheduler ran it (the tests
check it) and, on a small corpus, equal to what :func:`analysis.engine.store.write_store` writes
for :func:`analysis.engine.analyse.analyse`.

The store is written into a temporary folder beside ``out`` (``.NAME.building-PID``) and renamed
to ``out`` only when complete: an interrupted build leaves the previous store (if any) untouched,
and the next build removes the leftovers of builds whose process is gone. A progress bar goes to
stderr (tqdm); the manifest is printed as JSON to stdout, with the tasks run and the bytes sent to
and from the workers under ``engine``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from collections import deque
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.corpus.limits import Limits
from analysis.corpus.model import LoadError
from analysis.corpus.prepare import Prepared
from analysis.engine.cluster import SCHEDULER_ENV, TaskLog, dask_client, default_workers, one_heap, \
    payload_bytes, workers_started_by
from analysis.engine.params import AnalysisParams
from analysis.engine.results import TopicResult
from analysis.engine.stages import load_for_tasks, merge_prepared, merge_slices, prepare_for_builder, \
    received_from_builder_task, reuse_stage, score_for_builder, slice_by_chars
from analysis.engine.streaming import DEFAULT_CHUNK_CHARS, DEFAULT_CHUNK_SIZE, DocumentHasher, iter_documents
from analysis.engine.topic_counts import part_shares, word_columns
from analysis.engine.topic_stage import fit_topics, score_documents, topic_input, topic_sample, topic_stage, \
    topic_tables

__all__ = ["build_store", "cmd_build", "add_build_parser", "iter_documents", "DocumentHasher", "TASK_CHARS",
           "CHUNKS_AHEAD"]

#: A per-document task analyses at most this many characters (a longer document is a task of its own).
TASK_CHARS = 1_000_000
#: Chunks whose tasks may be submitted before the oldest one is written.
CHUNKS_AHEAD = 2
#: While no more characters than this have been read, the workers keep each slice's documents
#: (id, cleaned text, word count) for the shared-passage search, which can then start as soon as
#: the last slice is prepared (the search is skipped above 10 million words, about 60 million
#: characters); a larger corpus that is searched all the same (few long documents) is read back
#: from the store instead.
REUSE_SLICE_CHARS = 60_000_000
#: Dask priority of the per-document tasks: above the topic fit's (10), which is submitted once the
#: last chunk is and would otherwise run first on the worker that holds a slice still to be scored
#: (every chunk waits for its slices before it is written, and the aggregates for every chunk).
PER_DOCUMENT_PRIORITY = 20
#: Dask priority of the aggregates' interval tasks (the builder waits for them) and of the topic
#: model's k's (:class:`KTasks`), which run once nothing else is waiting.
INTERVALS_PRIORITY = 15
K_PRIORITY = 10
#: Dask's advice on stderr when a task carries more than 10 MB, not for the build's user: the tasks
#: carry their texts (the fit's sample, a part's documents, the corpus for the shared passages),
#: not scattered data, because a task can be run again elsewhere when its worker is lost and
#: data scattered to that worker cannot.
LARGE_GRAPH = "Sending large graph"


# ----------------------------------------------------------------------------- tasks


def _identity(x):
    return x


def _score_one_k(func, k: int):
    """Task: ``func(k)`` with BLAS on one thread (as the topic stage runs it)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return func(k)


class KTasks:
    """A ``k_map`` for the topic model fitted inside a Dask task: each candidate k is scored as a
    task of its own, launched from that task (``distributed.worker_client``, which frees the
    task's thread while it waits), so every worker takes part in the stability fits (88 NMF fits
    on us-sotu) instead of one. Counts what it sends, as :class:`TaskLog` does."""

    def __init__(self):
        self.tasks = self.sent = self.received = 0

    def __call__(self, func, ks) -> list:
        from distributed import worker_client

        ks = list(ks)
        with worker_client() as client, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=LARGE_GRAPH)
            # sent once, as a task's result (which is computed again if its worker is lost; data
            # scattered to a lost worker would be gone)
            func_f = client.submit(_identity, func, pure=False, priority=K_PRIORITY)
            futures = client.map(_score_one_k, [func_f] * len(ks), ks, pure=False, priority=K_PRIORITY)
            out = client.gather(futures)
        self.tasks += len(ks)
        self.sent += payload_bytes(func)
        self.received += sum(payload_bytes(r) for r in out)
        return out

    def log_to(self, log: TaskLog) -> None:
        """Add these tasks to ``log`` (kind "topics:k")."""
        if self.tasks:
            log.add("topics:k", self.tasks, self.sent, self.received)


def topics_from_slices(params: AnalysisParams, *prepared: Prepared):
    """Task: the topic stage on every document, from the prepared slices (in order; each may be
    reduced to its :func:`topic_input`), its k's scored as tasks (:class:`KTasks`):
    ``(TopicResult without the model, seconds, KTasks)``."""
    t0 = time.perf_counter()
    whole = merge_prepared(prepared)
    k_tasks = KTasks()
    out = topic_stage(topic_input(whole, params.topic_units), params, keep_model=False, k_map=k_tasks)
    return out, time.perf_counter() - t0, k_tasks


def fit_topic_sample(prepared: Prepared, params: AnalysisParams):
    """Task: ``(model, settings, error, KTasks)``: :func:`analysis.engine.topic_stage.fit_topics`,
    its k's scored as tasks (:class:`KTasks`)."""
    k_tasks = KTasks()
    return (*fit_topics(prepared, params, k_tasks), k_tasks)


def score_topic_part(model, doc_ids: list, texts: list) -> pd.DataFrame:
    """Task: one part's documents scored by the fitted topic model (long ``doc_id, topic, share``)."""
    return score_documents(model, [(doc_ids, texts)])


# ----------------------------------------------------------------------------- the folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_target(out: Path) -> None:
    from analysis.engine.store_format import MANIFEST

    if out.exists() and not ((out / MANIFEST).exists() or any(out.glob("*/part-*.parquet"))) \
            and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an analysis store: not overwritten")


def _remove_leftovers(out: Path) -> list[str]:
    """Remove the temporary folders of earlier builds of ``out`` whose process is gone."""
    removed = []
    for tmp in out.parent.glob(f".{out.name}.building-*"):
        try:
            pid = int(tmp.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp.name)
    return removed


def _move_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished store ``tmp`` to ``out``, replacing a store there."""
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


# ----------------------------------------------------------------------------- building


class _Chunks:
    """The chunks in flight: their tasks submitted, written to the store oldest first."""

    def __init__(self, client, log: TaskLog, writer, params: AnalysisParams, bar, on_chunk):
        self.client, self.log, self.writer, self.params = client, log, writer, params
        self.bar, self.on_chunk = bar, on_chunk
        self.pending: deque = deque()
        self.topic_slices: list | None = []  # prepare futures, while the corpus is small enough
        self.reuse_slices: list | None = []  # reuse_input futures, likewise
        self.n_submitted = 0
        self.chars_submitted = 0
        self.write_seconds = 0.0

    def submit(self, chunk) -> None:
        futures = []
        for part in slice_by_chars(chunk, TASK_CHARS):
            prep = self.log.submit(self.client, "prepare+index", prepare_for_builder, part, self.params.clean,
                                   self.params.ngram_max, priority=PER_DOCUMENT_PRIORITY)
            scored = self.log.submit(self.client, "score", score_for_builder, prep, measure=0,
                                     priority=PER_DOCUMENT_PRIORITY)
            futures.append((prep, scored, part))
        self.n_submitted += len(chunk)
        self.chars_submitted += sum(len(d.text) for d in chunk)
        if self.topic_slices is not None:
            if self.n_submitted <= self.params.topic_sample_docs:
                # the workers keep only what the topic model reads (not the raw text, not the
                # sentences' text) until the topic task runs
                self.topic_slices.extend(
                    self.log.submit(self.client, "topics:input", topic_input_of_slice, p, self.params.topic_units,
                                    measure=0, priority=PER_DOCUMENT_PRIORITY) for p, _, _ in futures)
            else:
                self.topic_slices = None
        if self.reuse_slices is not None:  # after the topic inputs: the topic fit comes first
            if self.chars_submitted <= REUSE_SLICE_CHARS:
                self.reuse_slices.extend(self.log.submit(self.client, "reuse:input", reuse_input, p, measure=0,
                                                         priority=PER_DOCUMENT_PRIORITY) for p, _, _ in futures)
            else:
                self.reuse_slices = None
        self.pending.append((len(chunk), futures))
        while len(self.pending) > CHUNKS_AHEAD:
            self.write_oldest()

    def write_oldest(self) -> None:
        n, futures = self.pending.popleft()
        preps = self.client.gather([p for p, _, _ in futures])
        scores = self.client.gather([s for _, s, _ in futures])
        for p, s in zip(preps, scores):
            self.log.got("prepare+index", p)
            self.log.got("score", s)
        t0 = time.perf_counter()
        prep, sent, index = merge_slices([received_from_builder_task(part, p, s)
                                          for (_, _, part), p, s in zip(futures, preps, scores)])
        self.writer.add_chunk(prep, sent, index)
        self.write_seconds += time.perf_counter() - t0
        self.bar.update(n)
        if self.on_chunk is not None:
            self.on_chunk(self.writer.n_docs)

    def drain(self) -> None:
        while self.pending:
            self.write_oldest()


def topic_sample_prepared(path: str, manifest: dict, params: AnalysisParams) -> Prepared:
    """The tables of the documents the topic model of a large corpus is fitted on
    (:func:`analysis.engine.topic_stage.topic_sample`: a seeded sample; all of them when it is
    None), read from the store being written at ``path`` (``manifest``: its manifest so far)."""
    from analysis.engine.store_reader import StoredAnalysis

    store = StoredAnalysis(Path(path), manifest)
    sample = topic_sample(store.n_docs, params)
    all_ids = store.docs(columns=["doc_id"])["doc_id"].astype(str)
    ids = None if sample is None else all_ids.iloc[sample].tolist()
    docs = store.docs(doc_ids=ids).drop(columns=["doc_idx", "raw_text"], errors="ignore")
    return Prepared(docs, pd.DataFrame(), store.paragraphs(doc_ids=ids),
                    store.sentences(doc_ids=ids, columns=["doc_id", "para", "sent", "start", "end"]),
                    [], pd.DataFrame(), params.clean, "")


def fit_topic_sample_in_store(path: str, manifest: dict, params: AnalysisParams):
    """Task: :func:`fit_topic_sample` of the sample this worker reads from the store being written
    (:func:`topic_sample_prepared`), for a cluster on the builder's machine: the builder goes on
    with the aggregates at once, and the sample is neither pickled nor sent."""
    return fit_topic_sample(topic_sample_prepared(path, manifest, params), params)


def _topics_on_sample(client, log: TaskLog, writer, manifest: dict,
                      params: AnalysisParams) -> Callable[[], TopicResult]:
    """The topic stage of a large corpus: a task fits the model on a seeded sample of documents
    read back from the parts (by the task itself when its workers run on this machine, else by the
    builder, who sends it); each part's documents are then scored with it from the part's term
    counts (:mod:`analysis.engine.topic_counts`), by one task per part queued behind the fit (a
    worker that cannot see the store being written leaves its part to the builder), or, where the
    counts cannot say it, by one task per part reading the texts. Returns once the tasks are
    submitted: the function it returns waits for them (the builder works out the tone and term
    aggregates meanwhile)."""
    path = writer.path
    sample = topic_sample(int(manifest["n_docs"]), params)
    if workers_started_by(client) is not None:  # workers this build started, on this machine
        fitted = log.submit(client, "topics:fit", fit_topic_sample_in_store, str(path), manifest, params,
                            priority=10)
    else:
        fitted = log.submit(client, "topics:fit", fit_topic_sample, topic_sample_prepared(str(path), manifest, params),
                            params, priority=10)
    from_counts = sample is not None and not writer.dropped_occurrences
    part_fs = []
    if from_counts:
        words_f = log.submit(client, "topics:words", words_of_fit, fitted, writer.vocab, writer.term_n,
                             writer.index_meta.get("stopwords", ()), bool(writer.index_meta.get("numbers", False)),
                             priority=10)
        part_fs = [log.submit(client, "topics:shares", part_shares_task, fitted, str(path), p, words_f,
                              measure=0, priority=10) for p in manifest["parts"]]

    def scored() -> TopicResult:
        model, settings, error, k_tasks = fitted.result()
        log.got("topics:fit", (model, settings, error))
        k_tasks.log_to(log)
        if model is None:
            return TopicResult(error=error, params=settings)
        shares = None
        mapped = words_f.result() if from_counts else None
        if mapped is not None:  # from the term counts already written (analysis.engine.topic_counts)
            frames = client.gather(part_fs)
            for i, (f, p) in enumerate(zip(frames, manifest["parts"])):
                log.got("topics:shares", f)
                if f is None:  # the worker could not read the part: the builder scores it
                    frames[i] = part_shares(model, path, p, mapped)
            shares = pd.concat(frames, ignore_index=True) if frames else None
        elif sample is not None:
            [model_f] = client.scatter([model], broadcast=True, hash=False)
            futures = []
            for p in manifest["parts"]:
                d = pd.read_parquet(path / "docs" / p["file"], columns=["doc_id", "text"])
                futures.append(log.submit(client, "topics:score", score_topic_part, model_f,
                                          d["doc_id"].tolist(), d["text"].tolist()))
            frames = client.gather(futures)
            for f in frames:
                log.got("topics:score", f)
            shares = pd.concat(frames, ignore_index=True) if frames else None
        return topic_tables(model, settings, len(model.docs_), keep_model=False, doc_shares=shares)

    return scored


def words_of_fit(fit: tuple, vocabulary: dict, ngram: list, stopwords, numbers: bool):
    """Task: the :func:`analysis.engine.topic_counts.word_columns` of the model of ``fit``
    (:func:`fit_topic_sample`'s result; None when it fitted none)."""
    model = fit[0]
    return None if model is None else word_columns(model, vocabulary, ngram, stopwords, numbers)


def part_shares_task(fit: tuple, store: str, part: dict, words) -> pd.DataFrame | None:
    """Task: :func:`analysis.engine.topic_counts.part_shares` of one part of the store being written
    at ``store``; None when there is no model or this worker cannot see the part (another machine)."""
    model = fit[0]
    folder = Path(store)
    if model is None or words is None or not (folder / "term_counts" / part["file"]).is_file():
        return None
    return part_shares(model, folder, part, words)


def reuse_task(docs: pd.DataFrame, params: AnalysisParams) -> tuple:
    """Task: :func:`analysis.engine.stages.reuse_stage` on ``docs`` (``doc_id, text, n_words``):
    ``(passages, similarity, notes, seconds)``."""
    t0 = time.perf_counter()
    return (*reuse_stage(docs, params), time.perf_counter() - t0)


def topic_input_of_slice(prepared_and_index: tuple, units: str) -> Prepared:
    """Task: :func:`analysis.engine.topic_stage.topic_input` of a prepared slice
    (:func:`analysis.engine.stages.prepare_for_builder`'s result)."""
    return topic_input(prepared_and_index[0], units)


def reuse_input(prepared_and_index: tuple) -> pd.DataFrame:
    """Task: what the shared-passage search reads of a prepared slice
    (:func:`analysis.engine.stages.prepare_for_builder`'s result): ``doc_id, text, n_words``, the
    cleaned text, as the store keeps it."""
    return prepared_and_index[0].docs[["doc_id", "text", "n_words"]].reset_index(drop=True)


def reuse_from_slices(params: AnalysisParams, *slices: pd.DataFrame) -> tuple:
    """Task: :func:`reuse_task` on the slices' :func:`reuse_input`, in order (the documents the
    store holds, as it holds them)."""
    return reuse_task(pd.concat(slices, ignore_index=True), params)


class _ReuseJob:
    """Shared passages and similarity as a task that runs while the aggregates are computed:
    ``early``, the task that searches the slices the workers kept (:func:`reuse_from_slices`,
    submitted once the corpus was read: it runs as soon as a worker is free, while this process
    still writes the last chunks); else :meth:`start` submits a task reading the documents back from
    the store (the engine does so once the aggregates' own tasks are queued, so they come first);
    :meth:`result` waits for ``(passages, similarity, notes, seconds)``."""

    def __init__(self, client, log: TaskLog, writer, partial: dict, params: AnalysisParams, early=None):
        self.client, self.log, self.writer, self.partial, self.params = client, log, writer, partial, params
        self.future = None
        self.searched = bool(writer.n_docs) and (writer.n_words <= params.reuse_max_words
                                                 or writer.n_docs <= params.similarity_max_docs)
        if early is not None:  # the task of reuse_from_slices, submitted once the corpus was read
            if self.searched:
                self.future = early
            else:
                early.cancel()

    def start(self) -> None:
        from analysis.engine.store_reader import StoredAnalysis

        if self.searched and self.future is None:
            docs = StoredAnalysis(self.writer.path, self.partial).docs(columns=["doc_id", "text", "n_words"])
            self.future = self.log.submit(self.client, "reuse", reuse_task, docs, self.params)

    def result(self) -> tuple:
        if self.searched:
            self.start()
            got = self.future.result()
            self.log.got("reuse", got)
            return got
        from analysis.methods.reuse import PASSAGE_COLUMNS

        writer, params = self.writer, self.params
        passages = pd.DataFrame(columns=PASSAGE_COLUMNS)
        similarity = pd.DataFrame({"doc_a": pd.array([], dtype=str), "doc_b": pd.array([], dtype=str),
                                   "similarity": np.zeros(0)})
        notes = {}
        if writer.n_docs:
            notes["reuse"] = (f"shared passages were not searched: the corpus has {writer.n_words:,} words, "
                              f"more than the {params.reuse_max_words:,} the shingle index can hold in "
                              "bounded memory (about 60 bytes per word)")
            notes["similarity"] = (f"document similarity was not computed: {writer.n_docs:,} documents, "
                                   f"more than {params.similarity_max_docs:,} (it compares every pair)")
        return passages, similarity, notes, 0.0


def build_store(paths, out, params: AnalysisParams | None = None, *, chunk_size: int = DEFAULT_CHUNK_SIZE,
                chunk_chars: int = DEFAULT_CHUNK_CHARS, n_jobs: int | None = None, limits: Limits | None = None,
                text_column: str | None = None, id_column: str | None = None, progress: bool = True,
                scheduler: str | None = None, client=None,
                on_chunk: Callable[[int], None] | None = None, phrases: Sequence[str] = (),
                phrase_window: int = 25, fork_workers: bool = False) -> dict:
    """Build the store of ``paths`` at ``out`` (see the module docstring) and return its manifest.

    ``n_jobs``: local worker processes (None = 2 on a 2+ core machine; 1 = one worker thread in
    this process); ``scheduler``: a running Dask scheduler's address instead (default:
    ``$EXPLORER_DASK_SCHEDULER``); ``client``: an already connected ``distributed.Client`` to use
    (neither is started then). ``on_chunk``: called with the number of documents written after
    each chunk (the tests interrupt a build with it). ``phrases``: also keep the tone near them
    (table ``phrase_tone``, :meth:`analysis.engine.store_writer.StoreWriter.track_phrases`), with
    ``phrase_window`` words either side. ``fork_workers``: the local worker processes are forked
    from this process once it has loaded what the tasks use (:func:`analysis.engine.cluster.dask_client`'s
    ``fork_after``): for a process that does nothing but this build, as the command's.
    """
    import contextlib

    from tqdm import tqdm

    from analysis.engine.store_writer import StoreWriter

    params = params or AnalysisParams()
    out = Path(out)
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    leftovers = _remove_leftovers(out)
    tmp = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    t_start = time.perf_counter()
    timings = {"load": 0.0}
    errors: list[LoadError] = []
    hasher = DocumentHasher()
    log = TaskLog()
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    bar = tqdm(desc="build", unit="doc", file=sys.stderr, disable=not progress, dynamic_ncols=True)
    try:
        writer = StoreWriter(tmp, params)
        if phrases:
            writer.track_phrases(phrases, phrase_window)
        with contextlib.ExitStack() as stack:
            stack.enter_context(warnings.catch_warnings())
            warnings.filterwarnings("ignore", message=LARGE_GRAPH)
            if client is None:
                client = stack.enter_context(dask_client(address, n_jobs,
                                                         fork_after=load_for_tasks if fork_workers else None))
            t0 = time.perf_counter()
            timings["start_workers"] = t0 - t_start
            chunks = _Chunks(client, log, writer, params, bar, on_chunk)
            stream = iter_documents(paths, chunk_size, chunk_chars, text_column=text_column, id_column=id_column,
                                    limits=limits, errors=errors)
            while True:
                t1 = time.perf_counter()
                chunk = next(stream, None)
                timings["load"] += time.perf_counter() - t1
                if chunk is None:
                    break
                for d in chunk:
                    hasher.update(d)
                chunks.submit(chunk)
            topics_f = None
            if chunks.topic_slices:
                topics_f = log.submit(client, "topics", topics_from_slices, params, *chunks.topic_slices,
                                      measure=0, priority=10)
            chunks.topic_slices = None
            early_reuse = None
            if chunks.reuse_slices:
                early_reuse = log.submit(client, "reuse", reuse_from_slices, params, *chunks.reuse_slices,
                                         measure=0, priority=10)
            chunks.reuse_slices = None
            chunks.drain()
            timings["prepare+sentiment+terms"] = time.perf_counter() - t0
            timings["write"] = chunks.write_seconds
            content_hash = hasher.hexdigest()
            bar.set_description("aggregates, topics, reuse")
            partial = writer.partial_manifest(content_hash)
            reuse = _ReuseJob(client, log, writer, partial, params, early_reuse)  # beside the topics and aggregates
            del early_reuse
            notes = {}
            if not writer.n_docs:
                topics = TopicResult(error="no documents")
            elif topics_f is not None:
                def topics():  # waited for once the tone and term aggregates are done
                    result, timings["topics"], k_tasks = topics_f.result()
                    log.got("topics", result)
                    k_tasks.log_to(log)
                    return result
            else:
                t_topics = time.perf_counter()
                scored_topics = _topics_on_sample(client, log, writer, partial, params)

                def topics():  # likewise: the fit runs on a worker while the builder aggregates
                    result = scored_topics()
                    timings["topics"] = time.perf_counter() - t_topics
                    return result

            def run_tasks(func, arglist):
                # before the topic model's k's: the aggregates, in this process, wait for them
                futures = log.map(client, "aggregates:intervals", func, arglist, priority=INTERVALS_PRIORITY)
                reuse.start()  # queued after them: the aggregates wait for the intervals, the reuse only at the end

                def results() -> list:  # the aggregates work on meanwhile
                    got = client.gather(futures)
                    for r in got:
                        log.got("aggregates:intervals", r)
                    return got

                return results

            if not callable(topics) and topics.error:
                notes["topics"] = topics.error
            timings["total_before_aggregates"] = time.perf_counter() - t_start

            def reuse_result() -> tuple:
                passages, similarity, reuse_notes, timings["reuse"] = reuse.result()
                return passages, similarity, reuse_notes

            manifest = writer.finish(content_hash, errors, topics, None, None, notes, timings,
                                     run_tasks=run_tasks, reuse=reuse_result)
            workers = len(client.scheduler_info().get("workers", {}))
            worker_start = workers_started_by(client)
        manifest["timings"]["total"] = time.perf_counter() - t_start
        manifest["engine"] = {"scheduler": address or ("local threads" if (n_jobs or default_workers()) <= 1
                                                       else "local processes"),
                              "workers": workers, "workers_started_by": worker_start, "task_chars": TASK_CHARS,
                              "leftovers_removed": leftovers,
                              **log.summary()}
        from analysis.engine.store_format import MANIFEST, json_default

        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=json_default),
                                    encoding="utf-8")
        _move_into_place(tmp, out)
        return manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        bar.close()


# ----------------------------------------------------------------------------- the command


def add_build_parser(sub, common=None) -> argparse.ArgumentParser:
    """Add the ``build`` subcommand to an ``argparse`` subparsers object."""
    p = sub.add_parser("build", help="precompute an analysis store (Parquet) for the app, in chunks",
                       description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, zips or tables")
    p.add_argument("--out", required=True, help="the store's folder (replaced if it holds a store)")
    p.add_argument("--text-column", help="text column of CSV/TSV/JSON tables (default: detected)")
    p.add_argument("--id-column", help="id column of tables (default: doc_id/id, else row number)")
    p.add_argument("--no-clean", action="store_true", help="skip normalisation and boilerplate removal")
    p.add_argument("--local-limits", action="store_true",
                   help="use the generous limits for a local machine instead of the hosted-demo ones")
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="documents per chunk")
    p.add_argument("--chunk-chars", type=int, default=DEFAULT_CHUNK_CHARS, help="characters per chunk at most")
    p.add_argument("--jobs", type=int, default=None,
                   help="local Dask worker processes (default: 2 on a 2+ core machine; 1 = this process only)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help=f"run the tasks on this running Dask scheduler's workers (default: ${SCHEDULER_ENV}, "
                        "else a local cluster started for the build)")
    p.add_argument("--k", type=int, help="number of topics (default: chosen automatically)")
    p.add_argument("--phrase", action="append", default=[],
                   help="a phrase whose surroundings' tone the store keeps (repeatable; table phrase_tone)")
    p.add_argument("--window", type=int, default=25, help="with --phrase: words either side (default 25)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=cmd_build)
    return p


def cmd_build(args) -> int:
    """Run ``build`` from parsed arguments: prints the manifest (JSON) to stdout,
    load errors to stderr; returns the exit status (1 when nothing loaded)."""
    from analysis.methods.phrases import compile_phrase

    try:
        for phrase in getattr(args, "phrase", []):
            compile_phrase(phrase)
        if getattr(args, "window", 25) < 1:
            raise ValueError("--window must be at least 1")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    one_heap()  # this process does nothing but the build (and its local workers are forked from it)
    limits = Limits.from_env(preset="local" if getattr(args, "local_limits", False) else None)
    params = AnalysisParams(clean=not getattr(args, "no_clean", False), topic_k=getattr(args, "k", None))
    manifest = build_store(args.paths, args.out, params, chunk_size=args.chunk_size, chunk_chars=args.chunk_chars,
                           n_jobs=args.jobs, limits=limits, text_column=args.text_column,
                           id_column=args.id_column, progress=not getattr(args, "no_progress", False),
                           scheduler=getattr(args, "scheduler", None), phrases=getattr(args, "phrase", []),
                           phrase_window=getattr(args, "window", 25), fork_workers=True)
    from analysis.engine.store import open_store

    for e in open_store(args.out).errors():
        print(f"error: {e.path}: {e.reason}", file=sys.stderr)
    summary = {k: manifest[k] for k in ("key", "content_hash", "n_docs", "n_words", "stages", "timings",
                                        "notes", "group_columns", "topics", "engine")}
    summary["out"] = str(args.out)
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    if manifest["n_docs"] == 0:
        print("error: nothing could be loaded", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.engine.build PATH... --out DIR`` (the same as ``python -m analysis build``)."""
    parser = argparse.ArgumentParser(prog="python -m analysis.engine.build")
    sub = parser.add_subparsers(dest="command")
    add_build_parser(sub)
    args = parser.parse_args(["build", *(sys.argv[1:] if argv is None else argv)])
    return cmd_build(args)


if __name__ == "__main__":
    sys.exit(main())
