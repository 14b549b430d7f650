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
   automatically by stability (:class:`analysis.methods.topics.TopicModel`, with the
   size-dependent settings of :func:`topic_params`);
6. ``reuse``: shared passages and the document similarity pairs
   (:mod:`analysis.methods.reuse`), skipped with a stated reason on corpora too large
   for them (see :class:`AnalysisParams`).

Cleaning, segmentation and sentiment work on each document on its own; the
term index, topics and reuse on the whole corpus. With ``n_jobs=2`` (the
default on a machine with two or more cores and a corpus of at least
:data:`PARALLEL_MIN_CHARS` characters) one worker process fits the topics -
the longest stage, about as long as all the others together - while this
process scores the sentiment, builds the term index and finds the shared
passages. (The chunked ``build`` splits every chunk between the two
processes instead: see :mod:`analysis.engine.build`.) The results are
identical whatever ``n_jobs`` is (the tests check it). The worker is a plain
``python -c`` subprocess exchanging pickles over pipes (started before
loading, so that its imports overlap with it), so this works the same from a
script, a notebook or a Streamlit server; if it fails, this process computes
its share itself.

Timings (:attr:`FullAnalysis.timings`) are wall-clock seconds of each stage in
the process that ran it; with a worker, stages in different processes overlap,
so they add up to more than ``total`` (the wall-clock time of the call).
:attr:`FullAnalysis.schedule` says which process ran what. ``on_stage`` (an
optional callback of :func:`analyse`, None by default) is told when each
stage's window starts and ends in this process, e.g. for measuring memory per
stage (``scripts/benchmark.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from analysis.corpus.model import Corpus, Document
from analysis.corpus.prepare import Prepared, prepare

__all__ = [
    "STAGES",
    "AnalysisParams",
    "TopicResult",
    "FullAnalysis",
    "analyse",
    "topic_params",
    "topic_stage",
    "fit_topics",
    "topic_tables",
    "score_documents",
    "reuse_stage",
    "terms_stage",
    "merge_prepared",
    "merge_term_indexes",
    "versions",
]

STAGES = ("load", "prepare", "sentiment", "terms", "topics", "reuse")

#: Below this many characters of text :func:`analyse` stays in one process
#: (starting a worker costs about a second of imports).
PARALLEL_MIN_CHARS = 1_000_000

ANALYSIS_VERSION = 2  # 2: quotes and spaced dashes normalised; bootstrap in seeded blocks
"""Bumped whenever a change here changes stored results (part of the cache key)."""


# ----------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class AnalysisParams:
    """Everything that decides the results, besides the corpus itself.

    - ``clean``: clean the texts (:mod:`analysis.corpus.clean`) before segmenting;
    - ``ngram_max``: the term index counts terms of 1..``ngram_max`` words;
    - ``topic_k``: number of topics (None = chosen automatically);
    - ``topic_units``: "auto", "documents", "paragraphs" or "sentences";
    - ``topic_sample_docs``: the topic model is fitted on at most this many
      documents (a seeded random sample beyond it; the other documents are
      then scored with the fitted model);
    - ``reuse_min_words``: shortest shared passage, in words;
    - ``reuse_max_words``: shared passages are searched only in corpora of at
      most this many words (the shingle index takes about 60 bytes per word);
    - ``similarity_max_docs``: document similarity is computed only for
      corpora of at most this many documents (it is a documents x documents
      matrix); ``similarity_max_pairs``: the most similar pairs kept.
    """

    clean: bool = True
    ngram_max: int = 2
    topic_k: int | None = None
    topic_units: str = "auto"
    topic_sample_docs: int = 5000
    reuse_min_words: int = 8
    reuse_max_words: int = 10_000_000
    similarity_max_docs: int = 5000
    similarity_max_pairs: int = 200_000

    def to_dict(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """A short hash of the parameters and :data:`ANALYSIS_VERSION`."""
        blob = json.dumps({"params": self.to_dict(), "analysis_version": ANALYSIS_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def topic_params(n_units: int) -> dict:
    """TopicModel settings by the number of fitting units (documents or paragraphs).

    Up to 150 units: the model's defaults. Above, the stability analysis is
    the cost (11 values of k, each fitted on all units and on every resample,
    and again on the chance baseline), so it uses 3 resamples per k, a
    vocabulary of the 3,000 most frequent terms (after the min_df/max_df
    filters) and at most 1,500 units (a seeded sample; the final model is
    still fitted on every unit). The app, ``build`` and the benchmark all fit
    with these settings, and ``tests/test_topics.py`` checks that they still
    recover the BBC categories (NMI >= 0.80).
    """
    if n_units <= 150:
        return {}
    return {"n_resamples": 3, "max_features": 3000, "max_stability_units": 1500}


def versions() -> dict:
    """Versions of the packages whose behaviour the results depend on."""
    from importlib import metadata

    from analysis import __version__

    out = {"analysis": __version__, "analysis_format": ANALYSIS_VERSION,
           "python": ".".join(map(str, sys.version_info[:3]))}
    for pkg in ("pandas", "numpy", "scipy", "scikit-learn", "textblob", "vaderSentiment", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


# ----------------------------------------------------------------------------- results


@dataclass
class TopicResult:
    """The topic stage's tables (plain DataFrames, so they pickle and store).

    - ``k``, ``units`` (unit kind), ``stability`` (raw, NaN when not
      measurable), ``stability_adjusted``; ``error`` is set (and the tables
      are empty) when the corpus has too little text for topics;
    - ``k_scores``: ``k, stability, baseline, adjusted`` per k tried;
    - ``terms``: :func:`analysis.methods.topics.top_terms` (15 per topic, lambda 0.6);
    - ``doc_shares``: ``doc_id, topic, share`` (each document's shares sum
      to 1, or to 0 without any topic word);
    - ``units``: one row per unit: ``unit, doc_id, para, sent, start, end,
      n_words, fitted, topic, weight, x, y`` (dominant topic, its share, map
      coordinates of :func:`analysis.methods.topics.topic_map`; NaN when the unit has
      no topic word);
    - ``passages``: :func:`analysis.methods.topics.representative_units` (3 per topic);
    - ``params``: the TopicModel settings used; ``n_fit_docs``: documents the
      model was fitted on (fewer than the corpus when sampled);
    - ``model``: the fitted :class:`analysis.methods.topics.TopicModel` when it was
      fitted in this process (None otherwise: it does not pickle).
    """

    k: int = 0
    units: str = ""
    stability: float = float("nan")
    stability_adjusted: float = float("nan")
    k_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    doc_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    units_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    passages: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: dict = field(default_factory=dict)
    n_fit_docs: int = 0
    error: str = ""
    model: object = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["model"] = None
        return state


@dataclass
class FullAnalysis:
    """Everything :func:`analyse` computed.

    - ``prepared``: the cleaned, segmented corpus (:class:`Prepared`);
    - ``sentiment``: :class:`analysis.methods.sentiment.SentimentTables` (sentences
      with ``polarity, subjectivity, vader, n_words, masked``; paragraphs;
      documents with the whole-text TextBlob ``polarity``/``subjectivity`` and
      the word-weighted sentence means);
    - ``term_index``: :class:`analysis.methods.terms.TermIndex` (1..ngram_max words,
      default stopwords hidden);
    - ``topics``: :class:`TopicResult`;
    - ``passages``: :func:`analysis.methods.reuse.shared_passages` (empty when
      skipped); ``similarity``: the most similar document pairs
      ``doc_a, doc_b, similarity`` (empty when skipped);
    - ``notes``: stage -> why it was skipped or cut short, in words;
    - ``timings``: stage -> seconds (see the module docstring), plus
      ``total``; ``schedule``: stage -> "main" or "worker";
    - ``content_hash``: :meth:`Corpus.content_hash`; ``params``.
    """

    content_hash: str
    params: AnalysisParams
    prepared: Prepared
    sentiment: object
    term_index: object
    topics: TopicResult
    passages: pd.DataFrame
    similarity: pd.DataFrame
    timings: dict = field(default_factory=dict)
    schedule: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    n_jobs: int = 1


# ----------------------------------------------------------------------------- stages


def _prepare_score_index(documents: list[Document], clean: bool, ngram_max: int) -> tuple:
    """Prepare, score and index one slice of documents (run in either process).

    Returns ``(prepared, sentiment_tables, term_index, timings)``. The
    sentiment scorer stays in this process (the slices are the parallelism).
    """
    from analysis.methods import sentiment, terms

    t = {}
    t0 = time.perf_counter()
    prep = prepare(Corpus(list(documents)), clean=clean)
    t1 = time.perf_counter()
    t["prepare"] = t1 - t0
    tables = sentiment.score_corpus(prep.docs, prep.sentences, n_jobs=1)
    t2 = time.perf_counter()
    t["sentiment"] = t2 - t1
    index = terms_stage(prep.docs, ngram_max)
    t["terms"] = time.perf_counter() - t2
    return prep, tables, index, t


def _prepare_slice(documents: list[Document], clean: bool) -> Prepared:
    return prepare(Corpus(list(documents)), clean=clean)


def _sentiment_stage(prepared: Prepared):
    """Sentence and whole-document scores, in this process (n_jobs=1: the
    worker, if any, is busy with the topics)."""
    from analysis.methods import sentiment

    return sentiment.score_corpus(prepared.docs, prepared.sentences, n_jobs=1)


def terms_stage(docs: pd.DataFrame, ngram_max: int = 2):
    """The phrase-independent term index: :func:`analysis.methods.terms.build_index`
    with terms of 1..``ngram_max`` words and the default stopwords."""
    from analysis.methods import terms

    return terms.build_index(docs, ngram_range=(1, int(ngram_max)))


def merge_term_indexes(parts: Sequence, docs: pd.DataFrame):
    """One :class:`analysis.methods.terms.TermIndex` from indexes of consecutive slices
    of the documents, equal to building it on all of them at once.

    The index lists terms by n-gram size, each in first-seen order, and keeps
    a term when it is no stopword n-gram and occurs at least ``min_count``
    times; with ``min_count=1`` (the default here) both are per-term rules, so
    a slice's new terms can be appended in the slice's order.
    """
    from scipy import sparse as sp

    from analysis.methods.terms import TermIndex

    parts = list(parts)
    if len(parts) == 1:
        idx = parts[0]
        return replace(idx, docs=_meta(docs))
    if any(p.min_count > 1 for p in parts):
        raise ValueError("indexes built with min_count > 1 cannot be merged exactly")
    sizes = sorted({int(n) for p in parts for n in np.unique(p.term_n)})
    terms_out, term_n_out, col_maps = [], [], [dict() for _ in parts]
    for n in sizes:
        seen: dict[str, int] = {}
        for p, cmap in zip(parts, col_maps):
            cols = np.flatnonzero(p.term_n == n)
            for j, term in zip(cols, p.terms[cols]):
                k = seen.get(term)
                if k is None:
                    k = seen[term] = len(terms_out)
                    terms_out.append(term)
                    term_n_out.append(n)
                cmap[j] = k
    blocks = []
    for p, cmap in zip(parts, col_maps):
        coo = p.counts.tocoo()
        new_cols = np.fromiter((cmap[j] for j in range(p.counts.shape[1])), dtype=np.int64,
                               count=p.counts.shape[1])
        blocks.append(sp.csr_matrix((coo.data, (coo.row, new_cols[coo.col])),
                                    shape=(p.counts.shape[0], len(terms_out))))
    counts = sp.vstack(blocks, format="csr").astype(np.int64)
    counts.sort_indices()
    first = parts[0]
    return TermIndex(
        docs=_meta(docs), counts=counts, terms=np.asarray(terms_out, dtype=object),
        term_n=np.asarray(term_n_out, dtype=np.int64),
        n_words=np.concatenate([p.n_words for p in parts]).astype(np.int64),
        ngram_range=first.ngram_range, stopwords=first.stopwords, stop_ngrams=first.stop_ngrams,
        min_count=first.min_count, numbers=first.numbers)


def _meta(docs: pd.DataFrame) -> pd.DataFrame:
    return docs.drop(columns=[c for c in ("text", "raw_text") if c in docs.columns]).reset_index(drop=True)


def merge_prepared(parts: Sequence[Prepared], corpus: Corpus | None = None,
                   content_hash: str = "") -> Prepared:
    """One :class:`Prepared` from the preparations of consecutive slices of a corpus.

    Every table of :class:`Prepared` is per document, so the concatenation
    equals preparing the whole corpus at once. ``corpus`` gives the load
    errors; ``content_hash`` the whole corpus's hash.
    """
    parts = list(parts)
    cat = lambda name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)  # noqa: E731
    docs = cat("docs")
    for c in ("n_words", "n_sentences", "n_paragraphs"):
        if c in docs:
            docs[c] = docs[c].astype(int)
    return Prepared(docs, cat("removals"), cat("paragraphs"), cat("sentences"),
                    list(corpus.errors) if corpus is not None else [], cat("repairs"),
                    parts[0].cleaned if parts else True, content_hash)


def _merge_sentiment(parts):
    from analysis.methods.sentiment import SentimentTables

    cat = lambda name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)  # noqa: E731
    first = parts[0]
    return SentimentTables(cat("sentences"), cat("paragraphs"), cat("documents"),
                           first.exclude_phrases, first.method, dict(first.notes))


def topic_stage(prepared: Prepared, params: AnalysisParams = AnalysisParams(),
                keep_model: bool = True) -> TopicResult:
    """Fit the topic model (see :func:`topic_params`) and collect its tables.

    With more than ``params.topic_sample_docs`` documents the model is fitted
    on a seeded random sample of that many documents (:func:`topic_sample`)
    and every document is then scored with it
    (:meth:`analysis.methods.topics.TopicModel.transform`). BLAS runs on one thread,
    so the result does not depend on the machine's thread settings.
    """
    docs = prepared.docs
    sample = topic_sample(len(docs), params)
    fit_on = prepared if sample is None else prepared.subset(docs["doc_id"].iloc[sample].tolist())
    model, settings, error = fit_topics(fit_on, params)
    if model is None:
        return TopicResult(error=error, params=settings)
    shares = None
    if sample is not None:
        shares = score_documents(model, ((docs["doc_id"].iloc[s:s + 2000], docs["text"].iloc[s:s + 2000])
                                         for s in range(0, len(docs), 2000)))
    return topic_tables(model, settings, len(fit_on.docs), keep_model, shares)


def topic_sample(n_docs: int, params: AnalysisParams) -> np.ndarray | None:
    """Positions of the documents the topic model is fitted on (sorted), or
    None for all of them (at most ``params.topic_sample_docs`` documents)."""
    if n_docs <= params.topic_sample_docs:
        return None
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(n_docs, size=params.topic_sample_docs, replace=False))


def fit_topics(prepared: Prepared, params: AnalysisParams):
    """``(model, settings, error)``: the fitted TopicModel (None and the
    reason when the text is too little) with the settings of :func:`topic_params`."""
    from threadpoolctl import threadpool_limits

    from analysis.methods import topics as tp

    settings = topic_params(n_topic_units(prepared, params.topic_units))
    try:
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            model = tp.TopicModel(k=params.topic_k, units=params.topic_units, **settings).fit(prepared)
    except ValueError as err:
        return None, settings, str(err)
    return model, settings, ""


def n_topic_units(prepared: Prepared, units: str) -> int:
    """How many units the topic model will fit (for :func:`topic_params`)."""
    from analysis.methods import topics as tp

    n_docs = len(prepared.docs)
    if units == "documents" or (units == "auto" and n_docs >= tp.PARAGRAPH_BELOW_DOCS):
        return n_docs
    if units == "sentences":
        return len(prepared.sentences)
    return len(prepared.paragraphs)


def topic_tables(model, settings: dict, n_fit_docs: int, keep_model: bool = True,
                 doc_shares: pd.DataFrame | None = None) -> TopicResult:
    """A :class:`TopicResult` from a fitted model; ``doc_shares`` replaces the
    model's own document shares (documents scored after a fit on a sample)."""
    from analysis.methods import topics as tp

    units = model.unit_table_.reset_index(drop=True)
    S = model.unit_shares_
    scored = S.sum(axis=1) > 0
    table = units[["unit", "doc_id", "para", "sent", "start", "end", "n_words", "fitted"]].copy()
    table["topic"] = np.where(scored, S.argmax(axis=1), -1).astype(int)
    table["weight"] = np.where(scored, S.max(axis=1), 0.0)
    table["x"] = np.nan
    table["y"] = np.nan
    coords = tp.topic_map(model, label_chars=1)
    pos = pd.Series(np.arange(len(table)), index=table["unit"])
    at = pos.reindex(coords["unit"]).to_numpy()
    table.loc[at, "x"] = coords["x"].to_numpy()
    table.loc[at, "y"] = coords["y"].to_numpy()
    if doc_shares is None:
        doc_shares = tp.document_topics(model)
    return TopicResult(
        k=int(model.k_), units=model.units_, stability=float(model.stability_),
        stability_adjusted=float(model.stability_adjusted_), k_scores=model.k_scores_.copy(),
        terms=tp.top_terms(model, n=15, lam=0.6), doc_shares=doc_shares, units_table=table,
        passages=tp.representative_units(model, 3), params=dict(settings), n_fit_docs=int(n_fit_docs),
        model=model if keep_model else None)


def score_documents(model, batches) -> pd.DataFrame:
    """Long ``doc_id, topic, share`` for documents given as ``(doc_ids, texts)``
    batches, scored by a fitted document-unit model (:meth:`TopicModel.transform`)."""
    from threadpoolctl import threadpool_limits

    frames = []
    with threadpool_limits(1):
        for ids, texts in batches:
            ids = np.asarray([str(d) for d in ids], dtype=object)
            shares = model.transform([str(t) for t in texts])
            k = shares.shape[1]
            frames.append(pd.DataFrame({"doc_id": np.repeat(ids, k), "topic": np.tile(np.arange(k), len(ids)),
                                        "share": shares.ravel()}))
    if not frames:
        return pd.DataFrame({"doc_id": [], "topic": np.zeros(0, dtype=int), "share": np.zeros(0)})
    return pd.concat(frames, ignore_index=True)


def reuse_stage(docs: pd.DataFrame, params: AnalysisParams = AnalysisParams()) -> tuple:
    """Shared passages and the most similar document pairs, or why they were skipped.

    Returns ``(passages, similarity_pairs, notes)``; ``notes`` maps "reuse" /
    "similarity" to the reason a part was skipped or cut.
    """
    from analysis.methods import reuse

    notes = {}
    n_words = int(docs["n_words"].sum()) if "n_words" in docs else 0
    if n_words <= params.reuse_max_words:
        passages = reuse.shared_passages(docs, min_words=params.reuse_min_words)
    else:
        passages = pd.DataFrame(columns=reuse.PASSAGE_COLUMNS)
        notes["reuse"] = (f"shared passages were not searched: the corpus has {n_words:,} words, more "
                          f"than the {params.reuse_max_words:,} the shingle index can hold in bounded "
                          "memory (about 60 bytes per word)")
    if len(docs) <= params.similarity_max_docs:
        sim = reuse.similarity_pairs(docs)
        if len(sim) > params.similarity_max_pairs:
            notes["similarity"] = (f"only the {params.similarity_max_pairs:,} most similar of "
                                   f"{len(sim):,} document pairs are kept")
            sim = sim.head(params.similarity_max_pairs).reset_index(drop=True)
    else:
        sim = pd.DataFrame({"doc_a": pd.array([], dtype=str), "doc_b": pd.array([], dtype=str),
                            "similarity": np.zeros(0)})
        notes["similarity"] = (f"document similarity was not computed: {len(docs):,} documents, more "
                               f"than {params.similarity_max_docs:,} (it compares every pair)")
    return passages, sim, notes


def _topic_input(prepared: Prepared, units: str = "auto") -> Prepared:
    """The smallest Prepared the topic model needs (no raw text, no sentence
    texts; no paragraphs or sentences at all when the units are documents)."""
    from analysis.methods.topics import PARAGRAPH_BELOW_DOCS

    docs = prepared.docs.drop(columns=[c for c in ("raw_text",) if c in prepared.docs.columns])
    empty = pd.DataFrame()
    if units == "documents" or (units == "auto" and len(docs) >= PARAGRAPH_BELOW_DOCS):
        return Prepared(docs, empty, prepared.paragraphs.iloc[:0], prepared.sentences.iloc[:0, :5], [],
                        empty, prepared.cleaned, "")
    sentences = prepared.sentences.drop(columns=["text"]) if "text" in prepared.sentences else prepared.sentences
    return Prepared(docs, empty, prepared.paragraphs, sentences, [], empty, prepared.cleaned, "")


# ----------------------------------------------------------------------------- the worker


_FUNCS: dict[str, Callable] = {
    "prepare_score_index": _prepare_score_index,
    "topic_stage": lambda prep, params: _timed(topic_stage, prep, params, keep_model=False),
    "build_topics": lambda *args: __import__("analysis.engine.build", fromlist=["_timed_topics"])._timed_topics(*args),
}


def malloc_trim():
    """glibc's ``malloc_trim`` (call it with 0 to return free heap pages to the
    operating system), or None where there is no glibc."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    return _MALLOC_TRIM or None


def release_memory() -> None:
    """Give freed heap memory back to the operating system (glibc's
    ``malloc_trim``; a no-op elsewhere), so that a stage's transient peak does
    not stay in the process's resident size while the other process peaks."""
    trim = malloc_trim()
    if trim:
        import gc

        gc.collect()
        trim(0)


_MALLOC_TRIM = None


def _timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def _worker_main() -> None:
    """A worker's loop: ``(name, args)`` pickles in, ``("ok", result)`` or
    ``("error", message)`` pickles out, until stdin closes."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # two processes on two cores: no BLAS threads on top
    except Exception:  # noqa: BLE001 - optional
        pass
    # imported now, while the caller is still loading the corpus (the topics
    # are this worker's job in analyse(); build also sends it chunks to prepare)
    from analysis.methods import topics  # noqa: F401

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            name, args = pickle.load(stdin)
        except EOFError:
            return
        try:
            out = ("ok", _FUNCS[name](*args))
        except Exception as e:  # noqa: BLE001 - reported to the caller, who computes it itself
            import traceback

            out = ("error", f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
        pickle.dump(out, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
        del out
        release_memory()


class _Worker:
    """One worker subprocess (``python -c``) running :func:`_worker_main`.

    :meth:`submit` sends a job from a thread (so a large payload never blocks
    the caller) and :meth:`result` waits for the answer. Any failure makes
    :meth:`result` return None: the caller then computes the job itself.
    """

    def __init__(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self.proc = subprocess.Popen([sys.executable, "-c", "from analysis.engine.analyse import _worker_main; _worker_main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, cwd=root)
        self._thread: threading.Thread | None = None
        self._answer = None
        self.error = ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def submit(self, name: str, *args) -> None:
        payload = pickle.dumps((name, args), protocol=pickle.HIGHEST_PROTOCOL)

        def talk():
            try:
                self.proc.stdin.write(payload)
                self.proc.stdin.flush()
                self._answer = pickle.load(self.proc.stdout)
            except Exception as e:  # noqa: BLE001
                self._answer = ("error", f"{type(e).__name__}: {e}")

        self._answer = None
        self._thread = threading.Thread(target=talk, daemon=True)
        self._thread.start()

    def result(self):
        if self._thread is None:
            return None
        self._thread.join()
        self._thread = None
        status, value = self._answer or ("error", "no answer")
        if status != "ok":
            self.error = str(value)
            return None
        return value

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except Exception:  # noqa: BLE001
            pass
        try:
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()


def _split(documents: list[Document]) -> int:
    """Where to cut the documents into two slices of about equal text."""
    sizes = np.cumsum([len(d.text) + 200 for d in documents])
    if len(sizes) < 2:
        return len(documents)
    cut = int(np.searchsorted(sizes, sizes[-1] / 2)) + 1
    return min(max(cut, 1), len(documents) - 1)


# ----------------------------------------------------------------------------- the analysis


def analyse(source, params: AnalysisParams | None = None, n_jobs: int | None = None,
            limits=None, progress: Callable[[str], None] | None = None,
            on_stage: Callable[[str, str], None] | None = None) -> FullAnalysis:
    """Run every stage on ``source`` and time each (see the module docstring).

    ``source``: a :class:`Corpus`, or paths for :func:`analysis.corpus.loaders.load_paths`
    (``limits`` applies then). ``params``: :class:`AnalysisParams`.
    ``n_jobs``: 1 = this process only; 2 = one worker process too; None =
    2 when the machine has two cores and the corpus at least
    :data:`PARALLEL_MIN_CHARS` characters. ``progress``: called with each
    stage's name as it starts. ``on_stage``: called as ``on_stage(name,
    "start")`` and ``on_stage(name, "end")`` around each timed stage, in this
    process (the names of :attr:`FullAnalysis.timings` but ``total``); with a
    worker, the ``topics`` window runs from submitting the job to receiving
    its result, so it overlaps ``sentiment``, ``terms``, ``reuse`` and
    contains ``wait_worker``.
    """
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
    cpus = os.cpu_count() or 1
    want = int(n_jobs) if n_jobs is not None else (2 if cpus >= 2 else 1)
    worker = None
    try:
        if isinstance(source, Corpus):
            corpus = source
        else:
            from analysis.corpus.loaders import load_paths

            if want > 1:
                worker = _Worker()  # started first: its imports overlap with loading
            say("load")
            corpus, timings["load"] = timed("load", lambda: load_paths(source, limits=limits))
            schedule["load"] = "main"
        documents = list(corpus.documents)
        if n_jobs is None and sum(len(d.text) for d in documents) < PARALLEL_MIN_CHARS:
            want = 1
        if want < 2 or len(documents) < 2:
            if worker is not None:
                worker.close()
            worker = None
        elif worker is None:
            worker = _Worker()
        content_hash, timings["hash"] = timed("hash", corpus.content_hash)

        # -- cleaning and segmentation here (meanwhile the worker finishes its imports)
        say("prepare")
        prepared, timings["prepare"] = timed("prepare", _prepare_slice, documents, params.clean)
        prepared = merge_prepared([prepared], corpus, content_hash)
        schedule["prepare"] = "main"

        # -- topics in the worker (the longest stage), everything else here
        if worker is not None:
            mark("topics", "start")
            worker.submit("topic_stage", _topic_input(prepared, params.topic_units), params)
        say("sentiment")
        sentiment_tables, timings["sentiment"] = timed("sentiment", _sentiment_stage, prepared)
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
            schedule["topics"] = "worker (while main ran sentiment, terms, reuse)"
        else:
            say("topics")
            if worker is None:
                mark("topics", "start")
            topics, timings["topics"] = _timed(topic_stage, prepared, params)
            schedule["topics"] = "main"
        mark("topics", "end")
        if topics.error:
            notes["topics"] = topics.error
        n_used = 2 if worker is not None else 1
        if worker is not None and worker.error:
            notes["worker"] = "the worker process failed; its share was computed here: " + worker.error[:300]
    finally:
        if worker is not None:
            worker.close()
    timings["total"] = time.perf_counter() - t_start
    return FullAnalysis(content_hash=content_hash, params=params, prepared=prepared,
                        sentiment=sentiment_tables, term_index=term_index, topics=topics,
                        passages=passages, similarity=similarity, timings=timings, schedule=schedule,
                        notes=notes, n_jobs=n_used)
