"""Precomputed analysis stores (:mod:`analysis.engine.store`) for the app.

A store is opened once per server process (``st.cache_resource``) and shared,
read-only, by every session. Three ways a store comes into play:

1. The operator points the app at one: ``EXPLORER_STORE=DIR streamlit run app.py``
   (a folder written by ``python -m analysis build PATH... --out DIR``).
   :func:`env_store` opens it; :func:`default_corpus` is its corpus, for the
   session to start with instead of the seeds (small and medium stores;
   :func:`is_large` says when pages should query the store's aggregates
   instead of loading the corpus).
2. Results persisted for a corpus: :func:`store_for` finds a store whose
   content hash and cleaning match the session corpus (``EXPLORER_STORE``
   first, then the cache folder ``EXPLORER_CACHE_DIR``), and
   :func:`stored_prepared` gives its :class:`~analysis.corpus.prepare.Prepared`,
   so ``ui.data.prepared`` needs no recomputation after a restart.
3. :func:`persist_in_background` computes and saves the whole analysis of a
   corpus into the cache folder, once per corpus, in a background thread.
   Only when the operator sets ``EXPLORER_CACHE_DIR`` (uploads are private to
   a session; writing them to the server's disk must be a deliberate choice).

Nothing here changes the session state; ``ui.data`` decides what to use.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import streamlit as st

from analysis.engine import store as store_mod
from analysis.engine.analyse import AnalysisParams
from analysis.corpus.model import Corpus
from analysis.corpus.prepare import Prepared

log = logging.getLogger("explorer.store")

ENV_STORE = "EXPLORER_STORE"
ENV_CACHE = "EXPLORER_CACHE_DIR"
#: Above this many documents a store is "large": pages should read its
#: aggregates (StoredAnalysis.group_sentiment, top_terms, topic_shares,
#: doc_scores) rather than load the whole corpus into the session.
LARGE_DOCS = 20_000

_PERSISTING: set[tuple[str, bool]] = set()
_LOCK = threading.Lock()


@st.cache_resource(show_spinner="Opening the precomputed analysis…", max_entries=8)
def cached_store(path: str) -> store_mod.StoredAnalysis:
    """The store at ``path``, opened once per server process (raises
    ``OSError``/``ValueError`` when it is missing, incomplete or not a store)."""
    return store_mod.open_store(path)


def env_store() -> store_mod.StoredAnalysis | None:
    """The store named by ``EXPLORER_STORE``, or None (unset, or unusable: logged)."""
    path = os.environ.get(ENV_STORE, "").strip()
    if not path:
        return None
    try:
        return cached_store(str(Path(path).resolve()))
    except (OSError, ValueError) as err:
        log.warning("EXPLORER_STORE=%s cannot be opened: %s", path, err)
        return None


ENV_LARGE = "EXPLORER_LARGE_STORE_DOCS"


def large_docs() -> int:
    """The "large" threshold: :data:`LARGE_DOCS`, or ``EXPLORER_LARGE_STORE_DOCS`` when set."""
    try:
        return int(os.environ.get(ENV_LARGE, "") or LARGE_DOCS)
    except ValueError:
        return LARGE_DOCS


def is_large(store: store_mod.StoredAnalysis | None) -> bool:
    """Whether pages should query ``store``'s aggregates instead of loading its corpus (the app
    then shows ``pages/store_overview.py``)."""
    return store is not None and store.n_docs > large_docs()


@st.cache_resource(show_spinner="Loading the corpus of the precomputed analysis…", max_entries=4)
def _store_corpus(path: str) -> Corpus:
    return cached_store(path).corpus()


def default_corpus() -> Corpus | None:
    """The ``EXPLORER_STORE`` corpus to start sessions with (None: no store, or a
    large one). Its content hash equals the store's, so :func:`stored_prepared`
    then finds every precomputed table."""
    store = env_store()
    if store is None or is_large(store):
        return None
    return _store_corpus(str(store.path))


def corpus_from_store(path: str) -> Corpus:
    """The corpus of the store at ``path`` (for a Corpus-page "open a store"
    option: ``data.set_corpus(store_access.corpus_from_store(path))``; offer it
    on a local server only, as it reads a server-side folder). Raises
    ``OSError``/``ValueError`` for a missing, incomplete or large store (a
    large one is opened with ``EXPLORER_STORE`` and read through its
    aggregates)."""
    store = cached_store(str(Path(path).resolve()))
    if is_large(store):
        raise ValueError(f"the store holds {store.n_docs:,} documents, too many to load into a session; "
                         f"start the app with {ENV_STORE}={path} instead")
    return _store_corpus(str(store.path))


def _cache_dir() -> Path | None:
    env = os.environ.get(ENV_CACHE, "").strip()
    return Path(env) if env else None


def store_for(key: str, clean: bool = True) -> store_mod.StoredAnalysis | None:
    """A store holding the results of the corpus whose content hash is ``key``,
    cleaned or not: ``EXPLORER_STORE`` if it matches, else one in the cache
    folder (``EXPLORER_CACHE_DIR``), else None."""
    params = AnalysisParams(clean=bool(clean))
    store = env_store()
    if store is not None and store.matches(key) and bool(store.params.clean) == bool(clean):
        return store
    folder = _cache_dir()
    if folder is None:
        return None
    path = store_mod.find_store(key, params, folder)
    if path is None:
        return None
    try:
        return cached_store(str(path))
    except (OSError, ValueError):
        return None


@st.cache_resource(show_spinner="Reading the precomputed analysis…", max_entries=8)
def _prepared(path: str) -> Prepared:
    return cached_store(path).prepared()


def stored_prepared(key: str, clean: bool = True) -> Prepared | None:
    """The stored :class:`Prepared` of the corpus with content hash ``key`` (None
    when no store holds it). Call it first in ``ui.data._prepare``::

        stored = store_access.stored_prepared(key, clean)
        if stored is not None:
            return stored
        return prepare(_corpus, clean=clean)
    """
    store = store_for(key, clean)
    if store is None or is_large(store):
        return None
    return _prepared(str(store.path))


@st.cache_resource(show_spinner=False, max_entries=8)
def _sentiment(path: str):
    return cached_store(path).sentiment_tables()


def stored_sentiment(key: str, clean: bool = True):
    """The stored :class:`analysis.methods.sentiment.SentimentTables` (no phrases
    excluded) of that corpus, or None."""
    store = store_for(key, clean)
    if store is None or is_large(store):
        return None
    return _sentiment(str(store.path))


def persist_in_background(key: str, clean: bool, corpus: Corpus) -> bool:
    """Compute and save the whole analysis of ``corpus`` into the cache folder
    in a background thread, once per corpus and server process. Does nothing
    (returns False) unless ``EXPLORER_CACHE_DIR`` is set, or when a store
    already exists. Sessions keep working meanwhile; after a restart,
    :func:`stored_prepared` finds the result."""
    folder = _cache_dir()
    if folder is None or store_for(key, clean) is not None:
        return False
    with _LOCK:
        if (key, clean) in _PERSISTING:
            return False
        _PERSISTING.add((key, clean))

    def run():
        from analysis.engine.analyse import analyse

        try:
            store_mod.save_analysis(analyse(corpus, AnalysisParams(clean=bool(clean))), folder)
        except Exception:  # noqa: BLE001 - a failed background save only costs a recomputation later
            log.exception("saving the analysis of corpus %s failed", key[:12])
        finally:
            with _LOCK:
                _PERSISTING.discard((key, clean))

    threading.Thread(target=run, name=f"persist-{key[:8]}", daemon=True).start()
    return True
