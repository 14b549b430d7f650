"""Cached tone-near-a-phrase results (:mod:`analysis.phrase_tone`) for the Overview and Terms pages.

The contexts of every occurrence are found and scored once on the WHOLE session corpus per
phrase list and window (keyed by ``corpus_key()`` + ``view.clean``; the phrase search itself is
:func:`ui.cached_terms.phrase_hits`'s), then cut to the documents the sidebar filters keep.
The comparison tables (bootstrap intervals over occurrences) are computed on the filtered
documents, cached by the kept doc_ids. Returned frames are shared: copy before changing them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.methods import phrase_tone as pt

from . import cached_sentiment as cs
from . import cached_terms as ct
from . import background, data, store_access
from .cached_store import names as store_names
from .corpus_cache import per_corpus
from .data import CACHE
from .state import View

N_BOOT = cs.N_BOOT
#: What each kind of comparison groups by: the sidebar's group-by column, each document, each year.
PER = ("group", "document", "year")


@per_corpus(show_spinner="Scoring the text around each occurrence of your phrases…", **CACHE)
def _occ_all(key: str, clean: bool, plist: tuple, window: int, _prep, _hits: pd.DataFrame) -> pd.DataFrame:
    # a large corpus's contexts are scored by a background process; until then the section says so
    return background.compute(("phrase tone", key, clean, plist, window), key,
                              "the tone around " + ", ".join(f"'{p}'" for p in plist),
                              background.words_in(_prep.docs), _occurrences, _prep.docs, list(plist), window, _prep.sentences, _hits)


def _occurrences(docs, plist, window, sentences, hits) -> pd.DataFrame:
    return pt.occurrences(docs, plist, window=window, sentences=sentences, hits=hits)


def occurrences(view: View, phrases, window: int = pt.DEFAULT_WINDOW) -> pd.DataFrame:
    """Every occurrence of ``phrases`` in the filtered documents, each with its sentence and its
    ±``window``-word context scored by every method (:func:`analysis.phrase_tone.occurrences`)."""
    key, whole = data.corpus_key(), data.prepared(view)
    plist = tuple(ct.check_phrases(phrases)[0])
    hits = ct.phrase_hits(view, list(plist), whole_corpus=True)
    occ = _occ_all(key, view.clean, plist, int(window), whole, hits)
    ids = data.kept_ids(view)
    return occ if ids is None else occ[occ["doc_id"].astype(str).isin(set(ids))].reset_index(drop=True)


def grouping(view: View, per: str) -> str | None:
    """The ``by`` of :func:`analysis.phrase_tone.tone_near` for a kind of comparison (:data:`PER`)."""
    if per == "document" or (per == "group" and view.group_by == "doc_id"):
        return None
    return "date" if per == "year" else view.group_by


@per_corpus(show_spinner="Comparing the tone near your phrases with the texts as a whole…", **CACHE)
def _table(key: str, clean: bool, excl: tuple, plist: tuple, window: int, ids: tuple | None, by: str | None,
           context: str, method: str, _occ: pd.DataFrame, _docs: pd.DataFrame, _scores: pd.DataFrame,
           _names: dict) -> pd.DataFrame:
    out = pt.tone_near(_occ, _docs, _scores, by=by, context=context, method=method, n_boot=N_BOOT)
    out["label"] = [_names.get(g, g) for g in out["group"]]
    out["reading"] = [pt.reading(r, by, r["label"], window) for _, r in out.iterrows()]
    return out


def table(view: View, phrases, per: str = "group", context: str = "sentence", window: int = pt.DEFAULT_WINDOW,
          method: str | None = None) -> pd.DataFrame:
    """:func:`analysis.phrase_tone.tone_near` of the filtered documents, with ``label`` (how
    each group is named) and ``reading`` (the plain sentence). ``per``: one of :data:`PER`;
    ``method``: default the view's (TextBlob or VADER). The whole-text figures are the
    Sentiment page's (tracked phrases masked there when the view says so)."""
    method = method or view.method
    by = grouping(view, per)
    docs = data.filtered(view).docs
    if by is not None and by not in docs:
        return pd.DataFrame(columns=pt.AGGREGATE_COLUMNS + ["label", "reading"])
    plist = tuple(ct.check_phrases(phrases)[0])
    occ = occurrences(view, plist, window)
    if by is None:
        names = ct.doc_labels(view)
    else:
        names = {g: ct.group_label(by, g) for g in set(pt.group_labels(docs, by))}
        if by == "date":
            names = {g: g or "Undated" for g in names}
    return _table(data.corpus_key(), view.clean, cs.excluded(view), plist, int(window), data.kept_ids(view), by,
                  context, method, occ, docs, cs.doc_scores(view), names)


def rows(view: View, phrase: str, group: str | None, per: str = "group", context: str = "sentence",
         window: int = pt.DEFAULT_WINDOW, method: str | None = None) -> pd.DataFrame:
    """The occurrences behind one figure of :func:`table` as KWIC rows with their score and the
    words that drove it (:func:`analysis.phrase_tone.occurrence_rows`), plus ``document``."""
    occ = occurrences(view, [phrase], window)
    docs = data.filtered(view).docs
    out = pt.occurrence_rows(occ, docs, context=context, method=method or view.method, phrase=phrase,
                             group=group, by=grouping(view, per))
    labels = ct.doc_labels(view)
    return out.assign(document=out["doc_id"].map(labels).fillna(out["doc_id"]))


# --------------------------------------------------------------------------- a large store (build --phrase)

STORE_ROWS = 500  # occurrences listed behind one figure of a store (their texts are read on request)


def _store_by(per: str, by: str) -> str | None:
    return None if per == "document" or by == "doc_id" else "date" if per == "year" else by


@st.cache_resource(show_spinner="Reading the tone near the store's phrases…", max_entries=64, ttl=3600)
def store_occurrences(path: str, key: tuple, _ids: tuple | None) -> pd.DataFrame:
    """The store's phrase-tone rows (:meth:`analysis.engine.store.StoredAnalysis.phrase_tone`) of
    the kept documents (``key``: :func:`ui.data.filter_key`; ``_ids``: their doc_ids, None = all)."""
    return store_access.cached_store(path).phrase_tone(doc_ids=None if _ids is None else list(_ids))


@st.cache_resource(show_spinner="Comparing the tone near the phrase with the texts as a whole…", max_entries=64,
                   ttl=3600)
def store_table(path: str, key: tuple, phrase: str, per: str, by: str, context: str, method: str,
                _kept: pd.DataFrame, _ids: tuple | None) -> pd.DataFrame:
    """:func:`table` for a store: the figures of one phrase over the kept documents (``_kept``: their
    metadata), the tone as a whole from the store's document scores."""
    store = store_access.cached_store(path)
    occ = store_occurrences(path, key, _ids)
    occ = occ[occ["phrase"] == phrase]
    grouping_by = _store_by(per, by)
    hit_docs = _kept[_kept["doc_id"].astype(str).isin(set(occ["doc_id"].astype(str)))]
    scores = store.doc_scores(doc_ids=None if _ids is None else list(_ids))
    out = pt.tone_near(occ, _kept, scores, by=grouping_by, context=context, method=method, n_boot=N_BOOT)
    if grouping_by is None:
        names = store_names(path)
    else:
        names = {g: ct.group_label(grouping_by, g) if grouping_by != "date" else (g or "Undated")
                 for g in set(pt.group_labels(hit_docs, grouping_by))}
    window = int((store.phrase_tone_settings or {}).get("window", pt.DEFAULT_WINDOW))
    out["label"] = [names.get(g, g) for g in out["group"]]
    out["reading"] = [pt.reading(r, grouping_by, r["label"], window) for _, r in out.iterrows()]
    return out


def store_rows(path: str, key: tuple, phrase: str, group: str, per: str, by: str, context: str, method: str,
               kept: pd.DataFrame, ids: tuple | None) -> pd.DataFrame:
    """:func:`rows` for a store: the first :data:`STORE_ROWS` occurrences behind one figure, with the
    words that drove each score (read from those documents' texts)."""
    store = store_access.cached_store(path)
    occ = store_occurrences(path, key, ids)
    occ = occ[occ["phrase"] == phrase]
    grouping_by = _store_by(per, by)
    labels = pt.group_labels(kept, grouping_by or "doc_id")
    members = set(kept["doc_id"].astype(str)[labels.to_numpy() == str(group)])
    occ = occ[occ["doc_id"].astype(str).isin(members)]
    first = occ[occ["context"] == context].head(STORE_ROWS)
    cols = [c for c in ("doc_id", "text", "title", "author", "type", "date") if c in store.manifest["doc_columns"]]
    docs = store.docs(doc_ids=sorted(set(first["doc_id"].astype(str))), columns=cols)
    out = pt.occurrence_rows(occ[occ["doc_id"].isin(set(first["doc_id"]))], docs, context=context, method=method,
                             limit=STORE_ROWS)
    return out.assign(document=out["doc_id"].map(store_names(path)).fillna(out["doc_id"]))
