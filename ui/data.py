"""The session's corpus and cached access to everything derived from it.

The corpus belongs to the visitor's session (``st.session_state``); derived
results are cached process-wide with ``st.cache_resource`` keyed by the
corpus's content hash plus the parameters, so a rerun or a second visitor with
the same corpus never recomputes them, while nobody can reach a corpus they
did not load themselves (the hash is only known to a session holding it).
Cached objects are shared: treat them as read-only.
"""

from __future__ import annotations

import hashlib
import pickle

import pandas as pd
import streamlit as st

from analysis.corpus import loaders as corpus_mod
from analysis.corpus.model import Corpus
from analysis.corpus.prepare import Prepared, prepare
from analysis.engine.store import rows_among

from . import corpus_cache, store_access
from .corpus_cache import per_corpus
from .state import View


class DocIds(tuple):
    """The doc_ids a filter keeps: a tuple that cached functions hash by a digest made once,
    not element by element (thousands of ids, hashed by a dozen caches per rerun)."""

    def __new__(cls, ids):
        self = super().__new__(cls, (str(i) for i in ids))
        self.digest = hashlib.blake2b("\x1f".join(self).encode(), digest_size=16).hexdigest()
        return self


def dict_digest(d: dict) -> str:
    """A digest of a dict of plain values (labels, colours: thousands of entries on a large
    corpus), made in one go instead of Streamlit's entry-by-entry hashing."""
    return hashlib.blake2b(pickle.dumps(d, protocol=5), digest_size=16).hexdigest()


#: Shared settings of the process-wide caches (bounded: the hosted demo has many visitors).
CACHE = dict(max_entries=24, ttl=3600, hash_funcs={DocIds: lambda ids: ids.digest})
#: For caches of charts, whose inputs include label and colour dicts.
CHART_HASH = {DocIds: lambda ids: ids.digest, dict: dict_digest}


@st.cache_resource(show_spinner=False, **CACHE)
def _seeds() -> Corpus:
    return corpus_mod.load_seeds()


def session_corpus() -> Corpus:
    """The visitor's corpus: the seeds (or the operator's ``EXPLORER_STORE``
    corpus) until they load their own."""
    if "corpus" not in st.session_state:
        set_corpus(store_access.default_corpus() or _seeds())
        corpus_cache.pin(st.session_state["corpus_key"])  # every visitor starts on it: always kept
    return st.session_state["corpus"]


def corpus_key() -> str:
    """Content hash of the session's corpus (the session holds a lease on its cached results,
    :mod:`ui.corpus_cache`)."""
    session_corpus()
    key = st.session_state["corpus_key"]
    lease = st.session_state.get("_corpus_lease")
    if lease is None or lease.key != key:
        st.session_state["_corpus_lease"] = corpus_cache.hold(key)
    return key


def set_corpus(corpus: Corpus) -> None:
    """Replace the session's corpus (its hash is computed once, here); the results cached for the
    previous one are let go once no session holds that corpus (:func:`ui.corpus_cache.sweep`)."""
    st.session_state["corpus"] = corpus
    st.session_state["corpus_key"] = key = corpus.content_hash()
    st.session_state["_corpus_lease"] = corpus_cache.hold(key)


@per_corpus(show_spinner="Cleaning and splitting the texts…", **CACHE)
def _prepare(key: str, clean: bool, _corpus: Corpus) -> Prepared:
    stored = store_access.stored_prepared(key, clean)  # persisted by `build` or a previous run
    return stored if stored is not None else prepare(_corpus, clean=clean)


def prepared(view: View) -> Prepared:
    """The whole session corpus, cleaned (unless switched off) and segmented."""
    return _prepare(corpus_key(), view.clean, session_corpus())


@per_corpus(show_spinner="Listing the character repairs…", **CACHE)
def repair_rows(key: str, max_docs: int, _prep: Prepared) -> list[dict]:
    """Every character repair cleaning made in the first ``max_docs`` documents that have any
    (:data:`analysis.corpus.clean.REPAIR_COLUMNS`: rule, where in the text as loaded, what it was and became).
    ``key``: the corpus's content hash. Listed by cleaning those texts again, once per corpus."""
    from analysis.corpus.clean import REPAIR_COLUMNS, repair_records

    ids = _prep.repairs["doc_id"].drop_duplicates().tolist()[:max_docs] if len(_prep.repairs) else []
    raw_of = dict(zip(_prep.docs["doc_id"], _prep.docs["raw_text"]))
    return [dict(zip(REPAIR_COLUMNS, r)) for r in repair_records(ids, [raw_of[d] for d in ids])]


def year_of(dates: pd.Series) -> pd.Series:
    """The year of each date string ("2016", "2016-06-24"), or <NA> when unknown."""
    head = dates.astype(str).str.lstrip().str.slice(0, 4)  # vectorised (a regex extract goes row by row)
    head = head.where(head.str.fullmatch(r"\d{4}").fillna(False).astype(bool))
    return pd.to_numeric(head, errors="coerce").astype("Int64")


def filter_key(view: View) -> tuple:
    """What the sidebar filters say, as a short hashable key."""
    return (tuple(view.authors), tuple(view.sources), tuple(view.types), tuple(view.docs), view.year_from,
            view.year_to)


def filter_mask(docs: pd.DataFrame, view: View) -> pd.Series:
    """Which documents pass the sidebar filters."""
    mask = pd.Series(True, index=docs.index)
    for attr, column in (("authors", "author"), ("sources", "source"), ("types", "type")):
        chosen = getattr(view, attr)
        if chosen and column in docs:
            mask &= rows_among(docs[column].fillna(""), chosen)
    if view.docs:
        mask &= rows_among(docs["doc_id"], view.docs)
    if view.year_from is not None or view.year_to is not None:
        years = year_of(docs["date"])
        lo = view.year_from if view.year_from is not None else -10**6
        hi = view.year_to if view.year_to is not None else 10**6
        mask &= years.between(lo, hi).fillna(False).astype(bool)
    return mask


def kept_ids(view: View) -> DocIds | None:
    """The doc_ids the sidebar filters keep, or None when they keep every document. Worked out
    once per corpus and filter (pages ask a dozen times per rerun)."""
    prep = prepared(view)
    memo_key = (corpus_key(), view.clean, filter_key(view))
    memo = st.session_state.get("_kept_ids")
    if memo is not None and memo[0] == memo_key:
        return memo[1]
    mask = filter_mask(prep.docs, view)
    ids = None if bool(mask.all()) else DocIds(prep.docs.loc[mask, "doc_id"])
    st.session_state["_kept_ids"] = (memo_key, ids)
    return ids


def filtered(view: View) -> Prepared:
    """The session corpus restricted to the documents the sidebar filters keep."""
    prep = prepared(view)
    ids = kept_ids(view)
    if ids is None:
        return prep
    return _subset(corpus_key(), view.clean, ids, prep)


@per_corpus(show_spinner=False, **CACHE)
def _subset(key: str, clean: bool, doc_ids: tuple, _prep: Prepared) -> Prepared:
    return _prep.subset(doc_ids)



def seeds() -> Corpus:
    """The three example texts (one shared, read-only corpus per process)."""
    return _seeds()


def on_seeds() -> bool:
    """Whether the session's corpus is the three example texts (the seeds)."""
    session_corpus()
    return st.session_state["corpus_key"] == _seeds_key()


@st.cache_resource(show_spinner=False)
def _seeds_key() -> str:
    return _seeds().content_hash()
