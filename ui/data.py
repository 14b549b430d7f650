"""The session's corpus and cached access to everything derived from it.

The corpus belongs to the visitor's session (``st.session_state``); derived
results are cached process-wide with ``st.cache_resource`` keyed by the
corpus's content hash plus the parameters, so a rerun or a second visitor with
the same corpus never recomputes them, while nobody can reach a corpus they
did not load themselves (the hash is only known to a session holding it).
Cached objects are shared: treat them as read-only.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import corpus as corpus_mod
from analysis.model import Corpus
from analysis.pipeline import Prepared, prepare

from . import store_access
from .state import View

CACHE = dict(max_entries=24, ttl=3600)


@st.cache_resource(show_spinner=False, **CACHE)
def _seeds() -> Corpus:
    return corpus_mod.load_seeds()


def session_corpus() -> Corpus:
    """The visitor's corpus: the seeds (or the operator's ``EXPLORER_STORE``
    corpus) until they load their own."""
    if "corpus" not in st.session_state:
        set_corpus(store_access.default_corpus() or _seeds())
    return st.session_state["corpus"]


def corpus_key() -> str:
    """Content hash of the session's corpus."""
    session_corpus()
    return st.session_state["corpus_key"]


def set_corpus(corpus: Corpus) -> None:
    """Replace the session's corpus (its hash is computed once, here)."""
    st.session_state["corpus"] = corpus
    st.session_state["corpus_key"] = corpus.content_hash()


@st.cache_resource(show_spinner="Cleaning and splitting the texts…", **CACHE)
def _prepare(key: str, clean: bool, _corpus: Corpus) -> Prepared:
    stored = store_access.stored_prepared(key, clean)  # persisted by `build` or a previous run
    return stored if stored is not None else prepare(_corpus, clean=clean)


def prepared(view: View) -> Prepared:
    """The whole session corpus, cleaned (unless switched off) and segmented."""
    return _prepare(corpus_key(), view.clean, session_corpus())


def year_of(dates: pd.Series) -> pd.Series:
    """The year of each date string ("2016", "2016-06-24"), or <NA> when unknown."""
    return pd.to_numeric(dates.astype(str).str.extract(r"^\s*(\d{4})")[0], errors="coerce").astype("Int64")


def filter_mask(docs: pd.DataFrame, view: View) -> pd.Series:
    """Which documents pass the sidebar filters."""
    mask = pd.Series(True, index=docs.index)
    for attr, column in (("authors", "author"), ("sources", "source"), ("types", "type")):
        chosen = getattr(view, attr)
        if chosen and column in docs:
            mask &= docs[column].fillna("").isin(chosen)
    if view.docs:
        mask &= docs["doc_id"].isin(view.docs)
    if view.year_from is not None or view.year_to is not None:
        years = year_of(docs["date"])
        lo = view.year_from if view.year_from is not None else -10**6
        hi = view.year_to if view.year_to is not None else 10**6
        mask &= years.between(lo, hi).fillna(False).astype(bool)
    return mask


def filtered(view: View) -> Prepared:
    """The session corpus restricted to the documents the sidebar filters keep."""
    prep = prepared(view)
    mask = filter_mask(prep.docs, view)
    if mask.all():
        return prep
    return _subset(corpus_key(), view.clean, tuple(prep.docs.loc[mask, "doc_id"]), prep)


@st.cache_resource(show_spinner=False, **CACHE)
def _subset(key: str, clean: bool, doc_ids: tuple, _prep: Prepared) -> Prepared:
    return _prep.subset(doc_ids)
