"""Cached phrase, term, keyness and text-reuse results for the pages.

The Terms & phrases and Compare pages use these, and so may any other page
(Overview, Reader): call them instead of the engines so that one visitor's
results serve every rerun and every visitor with the same corpus.

How the caching works (see docs/PAGE_GUIDE.md): the expensive part is done
once on the WHOLE session corpus, keyed by ``corpus_key()`` + ``view.clean`` +
the parameters (phrase hits per phrase, the term index per n-gram size and
stopword list, the similarity matrix, the shared passages); results for the
documents the sidebar filters keep are then cut out of it, cached by the
tuple of kept doc_ids. Every public function takes the :class:`ui.state.View`
and returns plain DataFrames restricted to the filtered documents (unless
it says otherwise). Returned frames are shared between sessions: copy before
changing them.

Main entry points:

- phrases: :func:`check_phrases`, :func:`phrase_hits` (one row per hit, with
  offsets), :func:`phrase_table` (counts/rates per document or group),
  :func:`phrase_timeline`, :func:`kwic_lines`;
- terms: :func:`term_index`, :func:`top_terms_table`, :func:`keyness_table`,
  :func:`stopword_list`;
- reuse: :func:`similarity`, :func:`shared_passages` (all pairs),
  :func:`pair_passages` (one pair, side by side), :func:`doc_passages` (one
  document against all others), :func:`reuse_pairs` (one row per pair);
- labels and colours: :func:`doc_labels`, :func:`group_label`, :func:`group_colours`.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from analysis.methods import keyness as keyness_mod
from analysis.corpus import labels as labelling
from analysis.methods import phrases as phrases_mod
from analysis.methods import reuse
from analysis.methods import terms as terms_mod
from analysis.corpus.model import display_author
from analysis.corpus.prepare import Prepared

from . import data
from .colors import OTHERS, group_colour_map, lump
from .corpus_cache import per_corpus
from .data import CACHE
from .state import View

DEFAULT_MIN_WORDS = reuse.DEFAULT_MIN_WORDS


# --------------------------------------------------------------------------- scope

def _scope(view: View) -> tuple[str, Prepared, Prepared, tuple | None]:
    """``(corpus key, whole prepared corpus, filtered corpus, kept doc_ids or None = all)``."""
    whole = data.prepared(view)
    sub = data.filtered(view)
    ids = data.kept_ids(view)
    return data.corpus_key(), whole, sub, ids


def _keep(frame: pd.DataFrame, ids: tuple | None, *cols: str) -> pd.DataFrame:
    if ids is None:
        return frame
    keep = set(ids)
    mask = np.ones(len(frame), dtype=bool)
    for c in cols or ("doc_id",):
        mask &= frame[c].isin(keep).to_numpy()
    return frame[mask].reset_index(drop=True)


# --------------------------------------------------------------------------- labels, colours

def group_label(by: str, value) -> str:
    """How a group value is shown: "Unknown author" / "Unknown party" for an empty value."""
    v = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if v == OTHERS:
        return "All others"
    if by == "author":
        return display_author(v)
    return v.strip() or f"Unknown {by.replace('_', ' ')}"


def group_values(docs: pd.DataFrame, by: str) -> pd.Series:
    """The ``by`` column as strings ("" when missing), aligned with ``docs``."""
    if by not in docs:
        return pd.Series([""] * len(docs), index=docs.index, dtype=object)
    col = docs[by]
    return col.astype(object).where(col.notna(), "").astype(str)


def group_colours(view: View, by: str | None = None) -> dict[str, str]:
    """A colour per value of ``by`` (default the sidebar's group-by), fixed over the whole corpus."""
    by = by or view.group_by
    return group_colour_map(group_values(data.prepared(view).docs, by))


@per_corpus(show_spinner=False, **CACHE)
def _doc_labels(key: str, clean: bool, _docs: pd.DataFrame) -> dict[str, str]:
    return labelling.doc_labels(_docs)


def doc_labels(view: View) -> dict[str, str]:
    """doc_id -> a unique human name for every document of the corpus: its title, else
    "author · type · date" (:func:`analysis.corpus.labels.doc_labels`; never the raw id)."""
    return _doc_labels(data.corpus_key(), view.clean, data.prepared(view).docs)


# --------------------------------------------------------------------------- phrases

def check_phrases(phrases: Iterable[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split phrases into usable ones (normalised, de-duplicated case-insensitively)
    and rejected ones with the reason (e.g. a ``*`` glued to a word)."""
    ok, bad, seen = [], [], set()
    for p in phrases:
        n = phrases_mod.normalise_phrase(p)
        if not n or n.lower() in seen:
            continue
        try:
            phrases_mod.compile_phrase(n)
        except ValueError as err:
            bad.append((str(p), str(err)))
            continue
        seen.add(n.lower())
        ok.append(n)
    return ok, bad


@per_corpus(show_spinner="Finding the phrase in every text…", **CACHE)
def _hits_one(key: str, clean: bool, phrase: str, _prep: Prepared) -> pd.DataFrame:
    return phrases_mod.find_phrases(_prep.docs, [phrase])


@per_corpus(show_spinner=False, **CACHE)
def _hits_all(key: str, clean: bool, plist: tuple, _prep: Prepared) -> pd.DataFrame:
    frames = [_hits_one(key, clean, p, _prep) for p in plist]
    if not frames:
        return phrases_mod.find_phrases(_prep.docs.iloc[:0], ["x"])
    hits = pd.concat(frames, ignore_index=True)
    order = {d: i for i, d in enumerate(_prep.docs["doc_id"].astype(str))}
    rank = {p: i for i, p in enumerate(plist)}
    return (hits.assign(_d=hits["doc_id"].map(order), _k=hits["phrase"].map(rank))
            .sort_values(["_d", "start", "_k"], kind="stable").drop(columns=["_d", "_k"]).reset_index(drop=True))


@per_corpus(show_spinner=False, **CACHE)
def _hits_sub(key: str, clean: bool, plist: tuple, ids: tuple | None, _hits: pd.DataFrame) -> pd.DataFrame:
    return _keep(_hits, ids)


def _plist(view: View, phrases) -> tuple:
    return tuple(check_phrases(view.phrases if phrases is None else phrases)[0])


def phrase_hits(view: View, phrases: Iterable[str] | None = None, whole_corpus: bool = False) -> pd.DataFrame:
    """Every occurrence of the phrases (default: the tracked ``view.phrases``).

    One row per hit, columns of :data:`analysis.methods.phrases.HIT_COLUMNS`: ``doc_id``,
    ``phrase`` (normalised as typed), ``start``/``end`` (character offsets into the
    cleaned text, ``text[start:end]`` is the hit), ``rel_pos`` (0 = start of the
    text, 1 = its end), ``match`` (as written). Filtered documents only, unless
    ``whole_corpus``. Invalid phrases are skipped (see :func:`check_phrases`).
    Each phrase is searched once per corpus; adding a phrase searches only it.
    """
    key, whole, _sub, ids = _scope(view)
    plist = _plist(view, phrases)
    hits = _hits_all(key, view.clean, plist, whole)
    return hits if whole_corpus else _hits_sub(key, view.clean, plist, ids, hits)


@per_corpus(show_spinner="Counting phrases…", **CACHE)
def _phrase_table(key: str, clean: bool, plist: tuple, ids: tuple | None, by: str | None,
                  _docs: pd.DataFrame, _hits: pd.DataFrame) -> pd.DataFrame:
    docs = _docs
    if by is not None and by not in docs:
        by = None
    return phrases_mod.phrase_counts(docs, list(plist), by=by, hits=_hits)


def phrase_table(view: View, phrases: Iterable[str] | None = None, by: str | None = None) -> pd.DataFrame:
    """Counts and rates per 10,000 words of each phrase per document (``by=None``)
    or per group of documents (``by`` = a metadata column; pooled rate).

    See :func:`analysis.methods.phrases.phrase_counts` for the columns (``count``,
    ``n_words``, ``rate_per_10k``, ``positions``; groups also ``n_docs``,
    ``doc_freq``). Every document/group x phrase pair appears, zeros included.
    """
    key, whole, sub, ids = _scope(view)
    plist = _plist(view, phrases)
    if not plist:
        return pd.DataFrame(columns=[by or "doc_id", "phrase", "count", "n_words", "rate_per_10k"])
    hits = phrase_hits(view, plist)
    return _phrase_table(key, view.clean, plist, ids, by, sub.docs, hits)


@per_corpus(show_spinner=False, **CACHE)
def _timeline(key: str, clean: bool, plist: tuple, ids: tuple | None, freq: str,
              _docs: pd.DataFrame, _hits: pd.DataFrame) -> pd.DataFrame:
    return phrases_mod.phrase_by_date(_docs, list(plist), freq=freq, hits=_hits)


def phrase_timeline(view: View, phrases: Iterable[str] | None = None, freq: str = "year") -> pd.DataFrame:
    """Pooled rate per 10,000 words of each phrase per year (``freq="month"``: per
    month) over the filtered documents with a date; see
    :func:`analysis.methods.phrases.phrase_by_date`. ``attrs["undated_docs"]``: documents left out."""
    key, whole, sub, ids = _scope(view)
    plist = _plist(view, phrases)
    if not plist or "date" not in sub.docs:
        out = pd.DataFrame(columns=["period", "phrase", "count", "n_words", "rate_per_10k", "n_docs", "doc_freq"])
        out.attrs["undated_docs"] = len(sub.docs)
        return out
    return _timeline(key, view.clean, plist, ids, freq, sub.docs, phrase_hits(view, plist))


@per_corpus(show_spinner="Collecting the lines in context…", **CACHE)
def _kwic_all(key: str, clean: bool, plist: tuple, window: int, sort: str | None,
              _prep: Prepared, _hits: pd.DataFrame) -> pd.DataFrame:
    return phrases_mod.kwic(_prep.docs, list(plist), window=window, sort=sort, hits=_hits)


@per_corpus(show_spinner=False, **CACHE)
def _kwic_sub(key: str, clean: bool, plist: tuple, window: int, sort: str | None, ids: tuple | None,
              _kwic: pd.DataFrame) -> pd.DataFrame:
    return _keep(_kwic, ids)


def kwic_lines(view: View, phrases: Iterable[str] | None = None, window: int = 7,
               sort: str | None = None) -> pd.DataFrame:
    """Keyword-in-context lines of the phrases in the filtered documents.

    Columns of :data:`analysis.methods.phrases.KWIC_COLUMNS`: ``doc_id``, ``phrase``,
    ``start``, ``end`` (offsets of the hit), ``left``, ``match``, ``right``
    (``window`` words either side). ``sort``: ``None`` (document order), ``"left"``
    (by the words just before the hit, nearest first) or ``"right"``.
    """
    key, whole, _sub, ids = _scope(view)
    plist = _plist(view, phrases)
    hits = phrase_hits(view, plist, whole_corpus=True)
    lines = _kwic_all(key, view.clean, plist, int(window), sort, whole, hits)
    return _kwic_sub(key, view.clean, plist, int(window), sort, ids, lines)


# --------------------------------------------------------------------------- terms

def stopword_key(add: Iterable[str] = (), remove: Iterable[str] = ()) -> tuple[tuple, tuple]:
    """Normalised, sorted ``(add, remove)`` word tuples (a cache key)."""
    norm = lambda ws: tuple(sorted({terms_mod.normalise_term(w) for w in ws if w and w.strip()} - {""}))  # noqa: E731
    return norm(add), norm(remove)


def stopword_list(add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    """The stopwords in use: the default list plus ``add`` minus ``remove``, sorted."""
    a, r = stopword_key(add, remove)
    return sorted(terms_mod.make_stopwords(add=a, remove=r))


@per_corpus(show_spinner="Counting every word in every text…", **CACHE)
def _index_all(key: str, clean: bool, ngram: int, add: tuple, remove: tuple,
               _prep: Prepared) -> terms_mod.TermIndex:
    return terms_mod.build_index(_prep.docs, ngram_range=(ngram, ngram),
                                 stopwords=terms_mod.make_stopwords(add=add, remove=remove))


@per_corpus(show_spinner=False, **CACHE)
def _index_sub(key: str, clean: bool, ngram: int, add: tuple, remove: tuple, ids: tuple | None,
               _idx: terms_mod.TermIndex) -> terms_mod.TermIndex:
    if ids is None:
        return _idx
    rows = np.flatnonzero(_idx.docs["doc_id"].astype(str).isin(set(ids)).to_numpy())
    return terms_mod.TermIndex(
        docs=_idx.docs.iloc[rows].reset_index(drop=True), counts=_idx.counts[rows], terms=_idx.terms,
        term_n=_idx.term_n, n_words=_idx.n_words[rows], ngram_range=_idx.ngram_range,
        stopwords=_idx.stopwords, stop_ngrams=_idx.stop_ngrams, min_count=_idx.min_count,
        numbers=_idx.numbers)


def term_index(view: View, ngram: int = 1, add: Iterable[str] = (),
               remove: Iterable[str] = ()) -> terms_mod.TermIndex:
    """The document x term count index of the filtered documents.

    ``ngram``: terms of 1, 2 or 3 words. ``add``/``remove``: words added to /
    taken from the default stopword list (stopwords are hidden from the terms but
    still count in the word totals). Built once per corpus and setting.
    """
    key, whole, _sub, ids = _scope(view)
    a, r = stopword_key(add, remove)
    idx = _index_all(key, view.clean, int(ngram), a, r, whole)
    return _index_sub(key, view.clean, int(ngram), a, r, ids, idx)


@per_corpus(show_spinner=False, **CACHE)
def _top(key: str, clean: bool, ngram: int, add: tuple, remove: tuple, ids: tuple | None, n: int,
         sort_by: str, _idx: terms_mod.TermIndex) -> pd.DataFrame:
    return terms_mod.top_terms(_idx, n=n, sort_by=sort_by)


def top_terms_table(view: View, ngram: int = 1, n: int = 30, sort_by: str = "count",
                    add: Iterable[str] = (), remove: Iterable[str] = ()) -> pd.DataFrame:
    """The ``n`` most frequent terms of the filtered documents; columns of
    :func:`analysis.methods.terms.top_terms` (``rank``, ``term``, ``count``,
    ``rate_per_10k``, ``doc_freq``, ``n_docs``, ``doc_share``)."""
    key, _whole, _sub, ids = _scope(view)
    a, r = stopword_key(add, remove)
    idx = term_index(view, ngram, a, r)
    return _top(key, view.clean, int(ngram), a, r, ids, int(n), sort_by, idx)


@per_corpus(show_spinner="Finding distinctive terms…", **CACHE)
def _keyness(key: str, clean: bool, ngram: int, add: tuple, remove: tuple, ids: tuple | None, by: str,
             target: tuple, reference: tuple | None, min_count: int, _idx: terms_mod.TermIndex) -> pd.DataFrame:
    return keyness_mod.keyness(_idx, by, list(target), None if reference is None else list(reference),
                               min_count=min_count)


def keyness_table(view: View, by: str, target, reference=None, ngram: int = 1, add: Iterable[str] = (),
                  remove: Iterable[str] = (), min_count: int = 3) -> pd.DataFrame:
    """Distinctive terms of the documents whose ``by`` column is ``target`` (a value
    or a list) against ``reference`` (a value or list; ``None`` = all other filtered
    documents). ``by="doc_id"`` compares documents. Columns of
    :func:`analysis.methods.keyness.keyness` (``g2``, ``log_ratio``, ``logodds_z`` signed:
    positive = typical of the target). Raises ``ValueError`` when a side is empty.
    """
    key, _whole, _sub, ids = _scope(view)
    a, r = stopword_key(add, remove)
    idx = term_index(view, ngram, a, r)
    tup = lambda v: tuple(str(x) for x in ([v] if isinstance(v, str) else v))  # noqa: E731
    return _keyness(key, view.clean, int(ngram), a, r, ids, by, tup(target),
                    None if reference is None else tup(reference), int(min_count), idx)


# --------------------------------------------------------------------------- reuse

@per_corpus(show_spinner="Comparing every pair of documents…", **CACHE)
def _similarity_all(key: str, clean: bool, _prep: Prepared) -> pd.DataFrame:
    return reuse.similarity_matrix(_prep.docs)


def similarity(view: View) -> pd.DataFrame:
    """Cosine similarity on tf-idf word weights of every pair of filtered documents
    (square, indexed by doc_id in corpus order; 1 = same words in the same
    proportions, 0 = no word in common). Idf weights come from the whole corpus."""
    key, whole, _sub, ids = _scope(view)
    matrix = _similarity_all(key, view.clean, whole)
    return matrix if ids is None else matrix.loc[list(ids), list(ids)]


@per_corpus(show_spinner="Looking for passages the texts share…", **CACHE)
def _passages_all(key: str, clean: bool, min_words: int, _prep: Prepared) -> pd.DataFrame:
    return reuse.shared_passages(_prep.docs, min_words=min_words)


def shared_passages(view: View, min_words: int = DEFAULT_MIN_WORDS) -> pd.DataFrame:
    """Passages of at least ``min_words`` words shared by two filtered documents,
    one row per passage (columns of :data:`analysis.methods.reuse.PASSAGE_COLUMNS`:
    ``doc_a``, ``doc_b``, ``start_a``/``end_a``, ``start_b``/``end_b`` offsets in
    each cleaned text, ``n_words``, ``text`` as written in doc a)."""
    key, whole, _sub, ids = _scope(view)
    return _keep(_passages_all(key, view.clean, int(min_words), whole), ids, "doc_a", "doc_b")


def pair_passages(view: View, doc_a: str, doc_b: str, min_words: int = DEFAULT_MIN_WORDS) -> pd.DataFrame:
    """The passages two documents share, side by side, ``doc_a`` first as given.

    Columns: ``start_a``, ``end_a``, ``text_a`` (the passage as written in
    doc_a), ``start_b``, ``end_b``, ``text_b`` (as written in doc_b),
    ``n_words``; sorted by ``start_a``. Empty when they share nothing.
    """
    cols = ["start_a", "end_a", "text_a", "start_b", "end_b", "text_b", "n_words"]
    p = shared_passages(view, min_words)
    doc_a, doc_b = str(doc_a), str(doc_b)
    fwd = p[(p["doc_a"] == doc_a) & (p["doc_b"] == doc_b)]
    back = p[(p["doc_a"] == doc_b) & (p["doc_b"] == doc_a)].rename(columns={
        "start_a": "start_b", "end_a": "end_b", "start_b": "start_a", "end_b": "end_a"})
    both = pd.concat([fwd, back], ignore_index=True)
    if both.empty:
        return pd.DataFrame(columns=cols)
    docs = data.prepared(view).docs
    text = dict(zip(docs["doc_id"].astype(str), docs["text"].astype(str)))
    ta, tb = text.get(doc_a, ""), text.get(doc_b, "")
    both["text_a"] = [ta[s:e] for s, e in zip(both["start_a"], both["end_a"])]
    both["text_b"] = [tb[s:e] for s, e in zip(both["start_b"], both["end_b"])]
    return both.sort_values(["start_a", "start_b"], kind="stable")[cols].reset_index(drop=True)


def doc_passages(view: View, doc_id: str, min_words: int = DEFAULT_MIN_WORDS) -> pd.DataFrame:
    """Every passage one document shares with another filtered document, from its
    own side (columns of :data:`analysis.methods.reuse.DOC_PASSAGE_COLUMNS`: ``start``,
    ``end`` in this document, ``other_doc``, ``other_start``, ``other_end``,
    ``n_words``, ``text`` as written in this document). For the Reader."""
    return reuse.passages_for(str(doc_id), shared_passages(view, min_words), docs=data.prepared(view).docs)


@per_corpus(show_spinner=False, **CACHE)
def _reuse_pairs(key: str, clean: bool, ids: tuple | None, min_words: int, _passages: pd.DataFrame,
                 _sim: pd.DataFrame) -> pd.DataFrame:
    cols = ["doc_a", "doc_b", "passages", "shared_words", "longest", "similarity"]
    if _passages.empty:
        return pd.DataFrame(columns=cols)
    out = (_passages.groupby(["doc_a", "doc_b"], sort=False)["n_words"]
           .agg(passages="size", shared_words="sum", longest="max").reset_index())
    pos = {d: i for i, d in enumerate(_sim.index.astype(str))}
    ia = out["doc_a"].map(pos).to_numpy()
    ib = out["doc_b"].map(pos).to_numpy()
    out["similarity"] = _sim.to_numpy(dtype=float)[ia.astype(int), ib.astype(int)]
    return out.sort_values(["shared_words", "passages"], ascending=False, kind="stable")[cols].reset_index(drop=True)


def reuse_pairs(view: View, min_words: int = DEFAULT_MIN_WORDS) -> pd.DataFrame:
    """One row per pair of filtered documents that share passages: ``doc_a``,
    ``doc_b``, ``passages``, ``shared_words`` (sum of passage lengths in words),
    ``longest`` (words), ``similarity`` (cosine, see :func:`similarity`); most shared first."""
    key, _whole, _sub, ids = _scope(view)
    return _reuse_pairs(key, view.clean, ids, int(min_words), shared_passages(view, min_words), similarity(view))


@per_corpus(show_spinner=False, **CACHE)
def _similarity_pairs(key: str, clean: bool, ids: tuple | None, limit: int, _matrix: pd.DataFrame) -> pd.DataFrame:
    return reuse.similarity_pairs(matrix=_matrix).head(limit)


def similarity_pairs_table(view: View, limit: int = 200_000) -> pd.DataFrame:
    """The most similar ``limit`` pairs of filtered documents in long form
    (``doc_a``, ``doc_b``, ``similarity``), highest first."""
    key, _whole, _sub, ids = _scope(view)
    return _similarity_pairs(key, view.clean, ids, int(limit), similarity(view))


@per_corpus(show_spinner=False, **CACHE)
def _group_similarity(key: str, clean: bool, ids: tuple | None, by: str, _matrix: pd.DataFrame,
                      _groups: pd.Series) -> pd.DataFrame:
    values = _groups.reindex(_matrix.index).fillna("").astype(str).to_numpy()
    labels = sorted(set(values))
    m = _matrix.to_numpy(dtype=float)
    out = np.zeros((len(labels), len(labels)))
    for i, gi in enumerate(labels):
        ri = values == gi
        for j, gj in enumerate(labels):
            block = m[np.ix_(ri, values == gj)]
            if i == j:
                n = block.shape[0]
                out[i, j] = (block.sum() - np.trace(block)) / (n * (n - 1)) if n > 1 else np.nan
            else:
                out[i, j] = block.mean()
    return pd.DataFrame(out, index=pd.Index(labels, dtype=str), columns=pd.Index(labels, dtype=str))


def group_similarity(view: View, by: str | None = None, lumped: bool = False) -> pd.DataFrame:
    """Average cosine similarity between the documents of each pair of groups of
    ``by`` (default the sidebar's group-by): square, indexed by group value; the
    diagonal is the average over pairs inside one group (NaN for a one-document group).
    ``lumped``: only the groups with a colour of their own (the largest, :func:`group_colours`),
    every other document pooled into :data:`ui.colors.OTHERS`."""
    by = by or view.group_by
    key, _whole, sub, ids = _scope(view)
    values = group_values(sub.docs, by)
    if lumped:
        colours = group_colours(view, by)
        values = values.map(lambda v: lump(v, colours))
    groups = pd.Series(values.to_numpy(), index=sub.docs["doc_id"].astype(str))
    return _group_similarity(key, view.clean, ids, by + ("|lumped" if lumped else ""), similarity(view), groups)
