"""Term frequencies: a reusable document x term index, counts, rates and top terms.

Words are the tokens of :mod:`analysis.corpus.segment` (``WORD_RE``) normalised with
:func:`analysis.corpus.segment.normalise_token` (lower case, curly apostrophes and
Unicode hyphens made plain), so a document's word total here is exactly
``docs["n_words"]`` of :func:`analysis.corpus.prepare.prepare` and every rate agrees
with it. Hyphenated compounds ("left-behind", "post-Brexit") stay one token,
as they are one word in ``n_words``; phrase tracking (:mod:`analysis.methods.phrases`)
is where "left-behind" and "left behind" are treated alike.

Numbers that appear in the tables:

- ``count``: raw number of occurrences of a term.
- ``n_words``: all word tokens of the document or group, stopwords included
  (stopwords are hidden from the vocabulary, never from the denominators).
- ``rate_per_10k``: ``count / n_words * 10_000``.
- ``doc_freq``: number of documents (of the group) in which the term occurs at
  least once; ``n_docs``: number of documents in the group.

N-grams of 2 or 3 words are runs of consecutive words that do not cross
punctuation that separates phrases (``. ! ? ; : … ,``, brackets, double
quotes, a dash or hyphen standing alone), a blank line, or a document
boundary ("borders, climate" gives no bigram). Single quotes and apostrophes
do not break them (they are too often apostrophes). By default an n-gram
whose first or last word is a stopword is left out (``stop_ngrams="edge"``;
"house of commons" stays, "of the" goes; so does "left behind", as "behind"
is a stopword: track such phrases with :mod:`analysis.methods.phrases`, or remove the
word from the list).

Build an index once with :func:`build_index` (the US State of the Union
corpus, 1.8M words, takes about 1-1.5 s for unigrams and 2-2.5 s for 1-3-grams on
one core) and derive tables from it
with :func:`term_counts` and :func:`top_terms`. Keyness lives in
:mod:`analysis.methods.keyness`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.corpus.segment import WORD_RE, count_words, normalise_token

# ---------------------------------------------------------------------------
# Stopwords


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's ``ENGLISH_STOP_WORDS``, read from its own file
    (``sklearn/feature_extraction/_stop_words.py``, which defines the list and nothing else)
    without importing scikit-learn: its import pulls in scipy.stats, about a second, in every
    process that needs only the word list (the build's own process)."""
    module = sys.modules.get("sklearn.feature_extraction._stop_words")
    if module is None:
        spec = importlib.util.find_spec("sklearn")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("scikit-learn is not installed")
        path = os.path.join(list(spec.submodule_search_locations)[0], "feature_extraction", "_stop_words.py")
        module = importlib.util.module_from_spec(
            importlib.util.spec_from_file_location("analysis._sklearn_stop_words", path))
        module.__spec__.loader.exec_module(module)
    return frozenset(module.ENGLISH_STOP_WORDS)


#: scikit-learn's English stop word list (see :func:`_english_stop_words`).
ENGLISH_STOP_WORDS = _english_stop_words()

#: Words of scikit-learn's list that carry content in political text (a bill, an
#: interest, the tax system, "UN", "Con") or are plain content words; they are
#: not stopwords here.
_NOT_STOPWORDS = frozenset(
    """
    amount bill bottom call con cry de describe detail empty fill find fire found front
    full give interest keep mill move name part serious show side sincere system take
    thick thin top un
    """.split()
)

#: Contractions (our tokenizer keeps "don't" as one word; scikit-learn's list has none).
_CONTRACTIONS = frozenset(
    """
    ain't aren't can't couldn't didn't doesn't don't hadn't hasn't haven't he'd he'll he's
    here's how's i'd i'll i'm i've isn't it'd it'll it's let's mightn't mustn't needn't
    shan't she'd she'll she's shouldn't that'll that's there'd there'll there's they'd
    they'll they're they've wasn't we'd we'll we're we've weren't what's where's who'd
    who'll who's won't wouldn't you'd you'll you're you've
    """.split()
)

#: The default English stopword list: scikit-learn's ``ENGLISH_STOP_WORDS``
#: minus the content words in ``_NOT_STOPWORDS`` plus common contractions.
#: Entries are normalised like tokens (lower case, straight apostrophes). Note
#: that "us" is a stopword, so the country written "US" is hidden too (tokens
#: are lower-cased); remove it with ``make_stopwords(remove=["us"])`` if needed.
DEFAULT_STOPWORDS: frozenset[str] = frozenset(
    (set(ENGLISH_STOP_WORDS) - _NOT_STOPWORDS) | _CONTRACTIONS
)


def make_stopwords(
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    base: Iterable[str] | None = DEFAULT_STOPWORDS,
) -> frozenset[str]:
    """A stopword set: ``base`` (the default list unless given; ``None`` = empty)
    plus ``add`` minus ``remove``.

    Entries are normalised like tokens ("Don’t" -> "don't"); blank entries are
    ignored. Removal wins over addition.
    """
    norm = lambda words: {normalise_token(w.strip()) for w in words if w and w.strip()}  # noqa: E731
    return frozenset((norm(base or ()) | norm(add)) - norm(remove))


def normalise_term(term: str) -> str:
    """A term as the index spells it: tokens normalised and joined by one space.

    "Left  Behind" -> "left behind"; "Don’t" -> "don't". Hyphenated words stay
    one token ("Left-Behind" -> "left-behind").
    """
    return " ".join(normalise_token(t) for t in WORD_RE.findall(str(term)))


# ---------------------------------------------------------------------------
# Tokenising many documents at once

# Word tokens or a mark that ends a sentence or clause (a comma, bracket,
# double quote or a dash standing alone included), or a blank line. The
# word part is WORD_RE with ``\w`` in place of ``[^\W_]`` (faster), applied
# to text whose underscores are made spaces: that finds exactly WORD_RE's
# tokens (tests check it). The marks are never part of a word.
_BREAK_CHARS = ".!?;:\u2026,()[]{}\"\u201c\u201d\u2013\u2014-"
_SCAN_RE = re.compile(
    r"\w+(?:['\u2019\u2018\-\u2010\u2011]\w+)*"
    r"|[" + re.escape(_BREAK_CHARS) + r"]|\n[ \t\u00a0]*\n"
)
_DOC_SEP = "\n\n"


def _is_break(token: str) -> bool:
    return token[:1] in _BREAK_CHARS or token[:1] == "\n"


def _is_number(word: str) -> bool:
    return word.replace("-", "").replace("'", "").isdigit()


def is_hidden(word: str, stopwords, numbers: bool = False) -> bool:
    """Whether :func:`build_index` leaves the (normalised) word out of the vocabulary: a stopword of
    ``stopwords`` (normalised), or, unless ``numbers``, a word made of digits."""
    return word in stopwords or (not numbers and _is_number(word))


def docs_frame(docs) -> pd.DataFrame:
    """Accept a ``Prepared`` (use its ``docs``) or a DataFrame with ``doc_id`` and ``text``."""
    frame = getattr(docs, "docs", docs)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("expected a DataFrame of documents or a Prepared corpus")
    missing = {"doc_id", "text"} - set(frame.columns)
    if missing:
        raise ValueError(f"documents table lacks column(s): {sorted(missing)}")
    return frame


def doc_word_counts(docs) -> np.ndarray:
    """Words per document: ``docs["n_words"]`` when present (as
    :func:`analysis.corpus.prepare.prepare` computes it), else counted with
    :func:`analysis.corpus.segment.count_words`."""
    frame = docs_frame(docs)
    if "n_words" in frame.columns:
        return frame["n_words"].to_numpy(dtype=np.int64)
    return np.array([count_words(t) for t in frame["text"].fillna("").astype(str)], dtype=np.int64)


def _scan(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All documents' tokens as codes: ``(word_id, doc_of_token, words)``.

    ``word_id`` is -1 at a break (sentence mark, blank line, document end),
    else an index into ``words`` (normalised word types, first-seen order).
    """
    toks: list[str] = []
    lens = np.empty(len(texts), dtype=np.int64)
    for i, text in enumerate(texts):
        found = _SCAN_RE.findall(text.replace("_", " "))
        found.append(_DOC_SEP)
        lens[i] = len(found)
        toks.extend(found)
    # Factorise the raw tokens, then normalise only the distinct ones.
    raw_codes, raw_uniques = pd.factorize(np.array(toks, dtype=object))
    normed = [normalise_token(u) for u in raw_uniques]
    norm_codes, uniques = pd.factorize(np.array(normed, dtype=object))
    codes = norm_codes[raw_codes]
    uniques = np.asarray(uniques, dtype=object)
    breaks = np.fromiter((_is_break(u) for u in uniques), dtype=bool, count=len(uniques))
    remap = np.full(len(uniques), -1, dtype=np.int64)
    remap[~breaks] = np.arange(int((~breaks).sum()))
    word_id = remap[codes]
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
    return word_id, doc, uniques[~breaks]


# ---------------------------------------------------------------------------
# The index


@dataclass
class TermIndex:
    """A document x term count matrix with its vocabulary and word totals.

    - ``docs``: the documents' metadata (the input table without ``text`` and
      ``raw_text``), one row per matrix row, in input order, index 0..n-1.
    - ``counts``: ``scipy.sparse.csr_matrix`` (n_docs x n_terms, int64);
      ``counts[i, j]`` is how often term j occurs in document i.
    - ``terms``: the vocabulary (normalised words, n-grams joined by one space).
    - ``term_n``: words per term (1, 2 or 3).
    - ``n_words``: word tokens per document, stopwords included (the
      denominator of every rate; equals ``docs["n_words"]`` of a prepared corpus).
    - ``ngram_range``, ``stopwords``, ``stop_ngrams``, ``min_count``,
      ``numbers``: how it was built (see :func:`build_index`).
    """

    docs: pd.DataFrame
    counts: sp.csr_matrix
    terms: np.ndarray
    term_n: np.ndarray
    n_words: np.ndarray
    ngram_range: tuple[int, int] = (1, 1)
    stopwords: frozenset[str] = field(default_factory=frozenset)
    stop_ngrams: str = "edge"
    min_count: int = 1
    numbers: bool = False

    @property
    def doc_ids(self) -> list[str]:
        return self.docs["doc_id"].astype(str).tolist()

    @property
    def n_docs(self) -> int:
        return self.counts.shape[0]

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        """Term -> column number."""
        return {t: i for i, t in enumerate(self.terms)}

    def column(self, term: str) -> np.ndarray:
        """Counts of one term per document (zeros if it is not in the vocabulary).

        The term is normalised first (:func:`normalise_term`).
        """
        j = self.vocabulary.get(normalise_term(term))
        if j is None:
            return np.zeros(self.n_docs, dtype=np.int64)
        return self.counts[:, j].toarray().ravel()

    def group_codes(self, by) -> tuple[np.ndarray, np.ndarray]:
        """``(labels, code per document)`` for a metadata column name (or a
        sequence of values aligned with the documents). Values are compared as
        strings; missing values become ``""``. Labels are sorted."""
        if isinstance(by, str) and by not in self.docs.columns:
            raise ValueError(f"no metadata column {by!r} (columns: {list(self.docs.columns)})")
        values = self.docs[by] if isinstance(by, str) else pd.Series(list(by))
        if len(values) != self.n_docs:
            raise ValueError("grouping values must have one entry per document")
        values = values.astype(object).where(values.notna(), "").astype(str)
        codes, labels = pd.factorize(values, sort=True)
        return np.asarray(labels, dtype=object), codes.astype(np.int64)

    def group_matrix(self, by) -> "GroupCounts":
        """Counts summed per group of documents (see :class:`GroupCounts`)."""
        labels, codes = self.group_codes(by)
        ind = sp.csr_matrix(
            (np.ones(self.n_docs, dtype=np.int64), (codes, np.arange(self.n_docs))),
            shape=(len(labels), self.n_docs),
        )
        present = self.counts.copy()
        present.data = np.ones_like(present.data)
        return GroupCounts(
            labels=labels,
            counts=(ind @ self.counts).tocsr(),
            doc_freq=(ind @ present).tocsr(),
            n_words=np.bincount(codes, weights=self.n_words, minlength=len(labels)).astype(np.int64),
            n_docs=np.bincount(codes, minlength=len(labels)).astype(np.int64),
        )


@dataclass
class GroupCounts:
    """Term counts per group: ``counts`` and ``doc_freq`` are groups x terms
    sparse matrices (occurrences; documents with at least one occurrence);
    ``n_words`` and ``n_docs`` per group; ``labels`` name the rows."""

    labels: np.ndarray
    counts: sp.csr_matrix
    doc_freq: sp.csr_matrix
    n_words: np.ndarray
    n_docs: np.ndarray


_STOP_NGRAM_RULES = ("edge", "any", "all", "none")


def build_index(
    docs,
    ngram_range: tuple[int, int] = (1, 1),
    stopwords: Iterable[str] | None = DEFAULT_STOPWORDS,
    stop_ngrams: str = "edge",
    min_count: int = 1,
    numbers: bool = False,
) -> TermIndex:
    """Count every term (word or n-gram) in every document.

    ``docs``: a ``Prepared`` corpus or a DataFrame with ``doc_id`` and
    ``text`` (the cleaned text) and any metadata columns.
    ``ngram_range``: ``(min_n, max_n)`` with 1 <= min_n <= max_n <= 3.
    ``stopwords``: words hidden from the vocabulary (default
    :data:`DEFAULT_STOPWORDS`; ``None`` or empty = keep every word); they still
    count in ``n_words``. Entries are normalised like tokens.
    ``stop_ngrams``: which n-grams (n >= 2) a stopword removes: ``"edge"``
    (first or last word is a stopword; the default), ``"any"`` (any word),
    ``"all"`` (every word), ``"none"``. Unigram stopwords are always removed.
    ``min_count``: drop terms with fewer occurrences in the whole corpus.
    ``numbers``: keep words made only of digits ("2016", "000" from
    "1,000,000")? By default they are treated like stopwords (hidden, still
    counted in ``n_words``).

    Returns a :class:`TermIndex`.
    """
    frame = docs_frame(docs)
    lo, hi = ngram_range
    if not (1 <= lo <= hi <= 3):
        raise ValueError("ngram_range must satisfy 1 <= min_n <= max_n <= 3")
    if stop_ngrams not in _STOP_NGRAM_RULES:
        raise ValueError(f"stop_ngrams must be one of {_STOP_NGRAM_RULES}")
    stops = make_stopwords(base=stopwords) if stopwords else frozenset()
    texts = frame["text"].fillna("").astype(str).tolist()
    word_id, doc, words = _scan(texts)
    n_docs = len(texts)
    V = len(words)
    is_word = word_id >= 0
    n_words = np.bincount(doc[is_word], minlength=n_docs).astype(np.int64)
    is_stop = np.fromiter((is_hidden(w, stops, numbers) for w in words),
                          dtype=bool, count=V)

    mats, vocab, term_n = [], [], []
    # gram_id[i]: id of the n-gram starting at token i (or -1); comps: its word ids.
    gram_id = word_id
    comps = np.arange(V, dtype=np.int64)[:, None]
    for n in range(1, hi + 1):
        if n > 1:
            L = max(len(word_id) - (n - 1), 0)
            prev, last = gram_id[:L], word_id[n - 1:]
            valid = (prev >= 0) & (last >= 0)
            keys = prev[valid] * V + last[valid]
            ids, ukeys = pd.factorize(keys)
            new = np.full(L, -1, dtype=np.int64)
            new[valid] = ids
            ukeys = np.asarray(ukeys, dtype=np.int64)
            comps = np.column_stack([comps[ukeys // V], ukeys % V])
            gram_id = new
        if n < lo:
            continue
        valid = gram_id >= 0
        g, d = gram_id[valid], doc[: len(gram_id)][valid]
        n_types = comps.shape[0]
        total = np.bincount(g, minlength=n_types)
        keep = total >= max(min_count, 1)
        if n == 1 or stop_ngrams != "none":
            s = is_stop[comps]
            if n == 1 or stop_ngrams == "any":
                drop = s.any(axis=1)
            elif stop_ngrams == "edge":
                drop = s[:, 0] | s[:, -1]
            else:
                drop = s.all(axis=1)
            keep &= ~drop
        new_col = np.full(n_types, -1, dtype=np.int64)
        new_col[keep] = np.arange(int(keep.sum()))
        cols = new_col[g]
        ok = cols >= 0
        mat = sp.csr_matrix(
            (np.ones(int(ok.sum()), dtype=np.int64), (d[ok], cols[ok])),
            shape=(n_docs, int(keep.sum())),
        )
        mat.sum_duplicates()
        mats.append(mat)
        kept = comps[keep]
        if n == 1:
            vocab.append(words[kept[:, 0]])
        else:
            parts = [words[kept[:, k]].astype(str) for k in range(n)]
            joined = parts[0]
            for p in parts[1:]:
                joined = np.char.add(np.char.add(joined, " "), p)
            vocab.append(joined.astype(object))
        term_n.append(np.full(int(keep.sum()), n, dtype=np.int64))

    counts = sp.hstack(mats, format="csr") if len(mats) > 1 else mats[0]
    meta = frame.drop(columns=[c for c in ("text", "raw_text") if c in frame.columns])
    return TermIndex(
        docs=meta.reset_index(drop=True),
        counts=counts.astype(np.int64),
        terms=np.concatenate(vocab).astype(object),
        term_n=np.concatenate(term_n),
        n_words=n_words,
        ngram_range=(lo, hi),
        stopwords=stops,
        stop_ngrams=stop_ngrams,
        min_count=min_count,
        numbers=numbers,
    )


def as_index(source, **index_kwargs) -> TermIndex:
    """``source`` itself when it is a :class:`TermIndex`, else the index built from those documents."""
    if isinstance(source, TermIndex):
        return source
    return build_index(source, **index_kwargs)


def rate_per_10k(count, n_words):
    """Occurrences per 10,000 words: ``count / n_words * 10,000`` (0 where there are no words)."""
    count = np.asarray(count, dtype=float)
    n_words = np.asarray(n_words, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_words > 0, count / n_words * 10_000.0, 0.0)


def term_counts(index, terms: Iterable[str] | None = None, by=None, **index_kwargs) -> pd.DataFrame:
    """Long table of term counts per document (``by=None``) or per group.

    ``index``: a :class:`TermIndex` (or documents, indexed with ``index_kwargs``).
    ``terms``: restrict to these terms (normalised; terms not in the
    vocabulary get zero counts) and keep zero rows, so every document/group x
    term pair appears; without ``terms`` only non-zero pairs are listed.
    ``by``: a metadata column; groups of documents are summed.

    Columns: ``doc_id`` (or the ``by`` column), ``term``, ``count``,
    ``n_words``, ``rate_per_10k``, and for groups also ``doc_freq`` and ``n_docs``.
    Sorted by document/group order, then by count (descending) and term.
    """
    index = as_index(index, **index_kwargs)
    if by is None:
        labels = np.asarray(index.doc_ids, dtype=object)
        mat, n_words, dfreq, n_docs = index.counts, index.n_words, None, None
        key = "doc_id"
    else:
        g = index.group_matrix(by)
        labels, mat, n_words, dfreq, n_docs = g.labels, g.counts, g.n_words, g.doc_freq, g.n_docs
        key = by if isinstance(by, str) else "group"
    if terms is not None:
        wanted = list(dict.fromkeys(normalise_term(t) for t in terms))
        cols = np.array([index.vocabulary.get(t, -1) for t in wanted], dtype=np.int64)
        safe = np.where(cols >= 0, cols, 0)
        sub = mat[:, safe].toarray()
        sub[:, cols < 0] = 0
        rows = np.repeat(np.arange(len(labels)), len(wanted))
        out = pd.DataFrame({key: labels[rows], "term": np.tile(np.array(wanted, dtype=object), len(labels)),
                            "count": sub.ravel()})
        if dfreq is not None:
            dsub = dfreq[:, safe].toarray()
            dsub[:, cols < 0] = 0
            out["doc_freq"] = dsub.ravel()
    else:
        coo = mat.tocoo()
        rows = coo.row.astype(np.int64)
        out = pd.DataFrame({key: labels[rows], "term": index.terms[coo.col], "count": coo.data})
        if dfreq is not None:
            out["doc_freq"] = (np.asarray(dfreq[coo.row, coo.col]).ravel() if coo.nnz
                               else np.zeros(0, dtype=np.int64))
    out["n_words"] = n_words[rows]
    out["rate_per_10k"] = rate_per_10k(out["count"], out["n_words"])
    if n_docs is not None:
        out["n_docs"] = n_docs[rows]
    out["_row"] = rows
    out = out.sort_values(["_row", "count", "term"], ascending=[True, False, True], kind="stable")
    cols = [key, "term", "count", "n_words", "rate_per_10k"]
    if by is not None:
        cols += ["doc_freq", "n_docs"]
    out["count"] = out["count"].astype(np.int64)
    return out[cols].reset_index(drop=True)


def top_terms(
    index,
    n: int = 30,
    by=None,
    ngram: int | None = None,
    sort_by: str = "count",
    **index_kwargs,
) -> pd.DataFrame:
    """The ``n`` most frequent terms of the corpus, or of each group (``by``).

    ``index``: a :class:`TermIndex` (or documents, indexed with ``index_kwargs``).
    ``ngram``: only terms of this many words (e.g. 2 for bigrams).
    ``sort_by``: ``"count"`` (occurrences) or ``"doc_freq"`` (documents
    containing the term); ties are broken by the other, then alphabetically.

    Columns: (the ``by`` column when grouping), ``rank`` (1 = most frequent),
    ``term``, ``ngram`` (words in the term), ``count``, ``rate_per_10k``
    (per 10,000 words of the corpus/group), ``doc_freq``, ``n_docs``,
    ``doc_share`` (``doc_freq / n_docs``).
    """
    if sort_by not in ("count", "doc_freq"):
        raise ValueError('sort_by must be "count" or "doc_freq"')
    index = as_index(index, **index_kwargs)
    group = by if by is not None else [""] * index.n_docs
    g = index.group_matrix(group)
    col_ok = np.ones(len(index.terms), dtype=bool) if ngram is None else index.term_n == ngram
    frames = []
    for r, label in enumerate(g.labels):
        c = g.counts[r].toarray().ravel()
        f = g.doc_freq[r].toarray().ravel()
        idx = np.flatnonzero((c > 0) & col_ok)
        primary, secondary = (c, f) if sort_by == "count" else (f, c)
        # lexsort: last key is primary; terms ascending breaks remaining ties.
        order = np.lexsort((index.terms[idx].astype(str), -secondary[idx], -primary[idx]))[:n]
        idx = idx[order]
        frames.append(pd.DataFrame({
            "group": label,
            "rank": np.arange(1, len(idx) + 1),
            "term": index.terms[idx],
            "ngram": index.term_n[idx],
            "count": c[idx],
            "rate_per_10k": rate_per_10k(c[idx], g.n_words[r]),
            "doc_freq": f[idx],
            "n_docs": g.n_docs[r],
        }))
    cols = ["group", "rank", "term", "ngram", "count", "rate_per_10k", "doc_freq", "n_docs"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out["doc_share"] = out["doc_freq"] / out["n_docs"]
    if by is None:
        return out.drop(columns="group")
    return out.rename(columns={"group": by if isinstance(by, str) else "group"})
