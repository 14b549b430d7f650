"""Document similarity and shared passages (text reuse).

Two questions: *how alike are two texts overall* (tf-idf cosine similarity)
and *which stretches of text does one reproduce from the other* (shared
passages with their positions in both texts).

Both work on the cleaned text of each document (``Prepared.docs`` or any
DataFrame with ``doc_id`` and ``text`` columns). Character offsets are Python
string indices into that text, half-open ``[start, end)``, as everywhere in
:mod:`analysis.corpus.segment`.

Word tokens
-----------
Texts are compared as sequences of normalised word tokens (:func:`word_spans`):
the tokens of :func:`analysis.corpus.segment.token_spans` split at internal hyphens
("left-behind" -> "left", "behind", so "left-behind", "left behind" and
"left–behind" all match), lower-cased, curly apostrophes made straight (as
:func:`analysis.corpus.segment.normalise_token` does; Greek final sigma is folded to
sigma). Punctuation, dashes, quotes and whitespace are not tokens, so they never
break a match: ``threat - when`` and ``threat; when`` are the same two words.

Shared passages
---------------
1. Every run of ``min_words`` consecutive tokens (a *shingle*) is hashed
   (64-bit polynomial hash of random per-word codes). Matches are checked word
   by word afterwards, so a hash collision cannot invent a passage.
2. An inverted index (shingle -> postings ``(document, position)``) is built by
   sorting the hashes; only shingles that occur in at least two documents give
   candidate pairs, so documents that share nothing are never compared.
   Shingles occurring in more than ``max_doc_freq`` documents are common
   phrasing or boilerplate ("fellow citizens of the senate and house of") and
   are not used as seeds (:func:`common_shingles` lists them). Default cap:
   ``max(10, 5% of the documents)``, so a small corpus ignores nothing; 12 of
   the 233 State of the Union addresses. Only the first :data:`MAX_REPEATS`
   occurrences of a shingle within one document are postings (a guard against
   a refrain repeated hundreds of times).
3. Matching postings of a document pair that lie on the same diagonal
   (same offset between the two texts) and touch or overlap are merged; each
   merged run is then extended word by word to the left and right while the
   tokens still agree (this crosses ignored common shingles), giving maximal
   aligned spans.
4. Duplicates are removed: for each pair, spans are taken longest first and a
   span is kept only if it adds at least ``min_words`` words not yet covered by
   kept spans in document a *or* in document b. So a passage quoted twice in b
   is reported twice (once per quotation), but the "shifted" alignments that
   repeated phrasing creates are not.

Rule: two documents share a passage when they have at least ``min_words``
consecutive identical normalised tokens, at least one shingle of which occurs
in no more than ``max_doc_freq`` documents. A passage that differs by one word
("is" / "was") is reported as two passages (one either side of the change), each
only if it is at least ``min_words`` long. A passage within one document
(self-repetition) is not reported.

Cost: tokenising, hashing and sorting are vectorised (numpy) over the whole
corpus; the work after that grows with the number of matching shingles, not
with the number of document pairs. The 233 State of the Union addresses
(1.8M words) take about 1.5 s on one core.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# segment.WORD_RE with hyphens as separators instead of word-internal joiners:
# exactly the pieces of segment.token_spans tokens split at their hyphens.
REUSE_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\u2018][^\W_]+)*")

# Curly apostrophes made straight; "İ" (whose lower case is two characters) made "i"
# so that normalising never moves a character; Greek sigma in all its forms made
# "σ" (lower-casing a whole text picks the final form by context).
_NORM_TABLE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u0130": "i",
                             "\u03a3": "\u03c3", "\u03c2": "\u03c3"})

PASSAGE_COLUMNS = ["doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "n_words", "text"]
PAIR_COLUMNS = ["doc_a", "doc_b", "similarity"]
DOC_PASSAGE_COLUMNS = ["doc_id", "start", "end", "other_doc", "other_start", "other_end",
                       "n_words", "text"]
COMMON_SHINGLE_COLUMNS = ["shingle", "n_docs", "n_occurrences"]

DEFAULT_MIN_WORDS = 8
# Default cap: a shingle in more than max(10, 5% of the documents) is common phrasing.
DEFAULT_MAX_DOC_FREQ_MIN = 10
DEFAULT_MAX_DOC_FREQ_FRACTION = 0.05

# At most this many occurrences of one shingle in one document seed passages.
MAX_REPEATS = 50

_HASH_SEED = 20160624
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)


# --------------------------------------------------------------------------- tokens

def word_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Normalised word tokens of ``text`` and their character spans.

    Returns ``(tokens, starts, ends)``; ``text[starts[i]:ends[i]]`` is token
    ``i`` as written, ``tokens[i]`` its normalised form (lower case, straight
    apostrophes; hyphenated words are split into their parts).
    """
    tk = Tokenised([text])
    return tk.vocab[tk.ids].tolist(), tk.char_start, tk.char_end


def normalised_words(text: str) -> list[str]:
    """The normalised word tokens of ``text`` as passages compare them."""
    return word_spans(text)[0]


def _doc_table(docs) -> pd.DataFrame:
    """``doc_id`` and ``text`` columns from a DataFrame or a :class:`Prepared`."""
    frame = getattr(docs, "docs", docs)
    if not isinstance(frame, pd.DataFrame) or not {"doc_id", "text"} <= set(frame.columns):
        raise TypeError("docs must be a DataFrame with 'doc_id' and 'text' columns "
                        "(e.g. Prepared.docs) or a Prepared")
    out = pd.DataFrame({"doc_id": frame["doc_id"].astype(str).to_numpy(),
                        "text": frame["text"].fillna("").astype(str).to_numpy()})
    if out["doc_id"].duplicated().any():
        raise ValueError("doc_id values must be unique")
    return out


# --------------------------------------------------------------------------- similarity

def similarity_matrix(docs, stop_words: str | Iterable[str] | None = "english",
                      tokens: "Tokenised | None" = None) -> pd.DataFrame:
    """Cosine similarity of every pair of documents on tf-idf word weights.

    Each document is a vector of tf-idf weights over the normalised word tokens
    of :func:`word_spans`: tf = the word's count in the document, idf =
    ``ln((1 + n_docs) / (1 + doc_freq)) + 1`` (scikit-learn's smoothed idf),
    rows L2-normalised. The similarity is the dot product of two rows: 1 when
    two texts use the same words in the same proportions, 0 when they share no
    word. English stop words (scikit-learn's list) are removed by default,
    because in a small corpus idf cannot discount "the", "of", "and", which
    would otherwise make every pair of English texts look alike; pass
    ``stop_words=None`` to keep them, or your own list.

    Returns a square DataFrame indexed and columned by ``doc_id`` in corpus
    order. The diagonal is 1.0, except for a document with no (non-stop) words,
    whose row, column and diagonal are 0.0. ``tokens``: :func:`tokenise` of the same ``docs``,
    when already made (:func:`shared_passages` reads the same tokens).
    """
    table = _doc_table(docs)
    ids = table["doc_id"].tolist()
    if not ids:
        return pd.DataFrame(index=pd.Index([], name="doc_id", dtype=str), dtype=float)
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

    if isinstance(stop_words, str) and stop_words == "english":
        stop = frozenset(ENGLISH_STOP_WORDS)
    elif stop_words is None:
        stop = frozenset()
    elif isinstance(stop_words, str):
        raise ValueError("stop_words must be 'english', None or a list of words")
    else:
        stop = frozenset(w for s in stop_words for w in normalised_words(str(s)))

    n = len(ids)
    tk = tokens if tokens is not None else Tokenised(table["text"].tolist())
    keep_word = np.array([w not in stop for w in tk.vocab.tolist()], dtype=bool)
    sel = keep_word[tk.ids] if tk.size else np.zeros(0, dtype=bool)
    counts = sparse.csr_matrix(
        (np.ones(int(sel.sum())), (tk.doc_of[sel], tk.ids[sel])), shape=(n, len(tk.vocab)))
    counts.sum_duplicates()
    nonempty = np.asarray(counts.sum(axis=1)).ravel() > 0
    if not nonempty.any():
        sim = np.zeros((n, n))
    else:
        # Same weights as TfidfVectorizer(analyzer=<our tokens>, stop_words=...) would give.
        x = TfidfTransformer().fit_transform(counts[:, np.asarray(counts.sum(axis=0)).ravel() > 0])
        sim = (x @ x.T).toarray()
        np.clip(sim, 0.0, 1.0, out=sim)
        sim[np.diag_indices(n)] = nonempty.astype(float)
    index = pd.Index(ids, name="doc_id", dtype=str)
    return pd.DataFrame(sim, index=index, columns=pd.Index(ids, dtype=str))


def similarity_pairs(docs=None, stop_words: str | Iterable[str] | None = "english",
                     matrix: pd.DataFrame | None = None, tokens: "Tokenised | None" = None) -> pd.DataFrame:
    """The similarity matrix in long form: one row per unordered pair of documents.

    Columns ``doc_a, doc_b, similarity`` (see :func:`similarity_matrix` for what
    the number means); ``doc_a`` comes before ``doc_b`` in corpus order; a
    document is not paired with itself. Sorted by similarity, highest first.
    Pass ``matrix`` to reuse an already computed :func:`similarity_matrix`, ``tokens`` to reuse
    :func:`tokenise` of ``docs``.
    """
    if matrix is None:
        if docs is None:
            raise TypeError("pass docs or matrix")
        matrix = similarity_matrix(docs, stop_words=stop_words, tokens=tokens)
    ids = matrix.index.astype(str).to_numpy()
    ia, ib = np.triu_indices(len(ids), k=1)
    out = pd.DataFrame({
        "doc_a": pd.array(ids[ia], dtype=str),
        "doc_b": pd.array(ids[ib], dtype=str),
        "similarity": matrix.to_numpy()[ia, ib].astype(float),
    })
    return out.sort_values("similarity", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- shingles

def _alnum_mask(cp: np.ndarray) -> np.ndarray:
    """``str.isalnum`` (= the regex class ``[^\\W_]``) for an array of code points."""
    mask = np.zeros(len(cp), dtype=bool)
    ascii_ = cp < 128
    table = np.array([chr(i).isalnum() for i in range(128)])
    mask[ascii_] = table[cp[ascii_]]
    other = ~ascii_
    if other.any():
        uniq, inv = np.unique(cp[other], return_inverse=True)
        flags = np.array([chr(u).isalnum() for u in uniq.tolist()], dtype=bool)
        mask[other] = flags[inv]
    return mask


class Tokenised:
    """All documents' tokens concatenated: ids, char spans and document bounds.

    Tokenisation is vectorised over the documents (the regex alone is slow
    on millions of words): a token is a run of alphanumeric characters, with a
    straight apostrophe joining two runs; the token strings come from
    ``REUSE_WORD_RE.findall`` on the same normalised text, so both agree. The
    documents are tokenised in batches of about :data:`BATCH_CHARS` characters, so
    the character arrays and token strings of one batch at a time are in memory
    (ids are numbered in order of first appearance, as for the whole at once).
    """

    #: Characters of text tokenised at once (a batch's work arrays take ~25 bytes per character).
    BATCH_CHARS = 2_000_000

    def __init__(self, texts: Sequence[str]):
        texts = list(texts)
        n_docs = len(texts)
        lens = np.array([len(t) for t in texts], dtype=np.int64)
        vocab: dict[str, int] = {}
        parts = []
        lo = 0
        while lo < n_docs:
            hi = lo + 1
            size = int(lens[lo])
            while hi < n_docs and size + lens[hi] <= self.BATCH_CHARS:
                size += int(lens[hi])
                hi += 1
            parts.append(self._batch(texts[lo:hi], lens[lo:hi], lo, vocab))
            lo = hi
        cat = (lambda i: np.concatenate([p[i] for p in parts])) if parts else (lambda i: np.zeros(0, np.int64))
        self.doc_of, self.char_start, self.char_end, self.ids = cat(0), cat(1), cat(2), cat(3)
        self.lengths = np.bincount(self.doc_of, minlength=n_docs).astype(np.int64)
        self.doc_start = (np.cumsum(self.lengths) - self.lengths).astype(np.int64)
        self.doc_end = self.doc_start + self.lengths
        self.vocab = np.asarray(list(vocab), dtype=object)
        self.size = len(self.ids)

    @staticmethod
    def _batch(texts: list[str], lens: np.ndarray, first: int, vocab: dict) -> tuple:
        """``(doc_of, char_start, char_end, ids)`` of the tokens of ``texts`` (documents ``first``
        onwards); new token strings are added to ``vocab`` (string -> id)."""
        norm = [t.translate(_NORM_TABLE).lower() for t in texts]
        # Each document starts after the previous one plus a one-character separator.
        offsets = np.concatenate([[0], np.cumsum(lens + 1)[:-1]]).astype(np.int64)
        joined = "\n".join(norm)
        del norm
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        alnum = _alnum_mask(cp)
        apostrophe = cp == 39
        del cp
        prev_al = np.zeros_like(alnum)
        prev_al[1:] = alnum[:-1]
        next_al = np.zeros_like(alnum)
        next_al[:-1] = alnum[1:]
        inword = alnum | (apostrophe & prev_al & next_al)
        del alnum, apostrophe, prev_al, next_al
        prev_in = np.zeros_like(inword)
        prev_in[1:] = inword[:-1]
        gstart = np.flatnonzero(inword & ~prev_in).astype(np.int64)
        del prev_in
        next_in = np.zeros_like(inword)
        next_in[:-1] = inword[1:]
        gend = np.flatnonzero(inword & ~next_in).astype(np.int64) + 1
        del inword, next_in
        all_tokens = REUSE_WORD_RE.findall(joined)
        if len(gstart) != len(all_tokens):  # cannot happen; keep the regex as the truth
            spans = np.array([m.span() for m in REUSE_WORD_RE.finditer(joined)],
                             dtype=np.int64).reshape(-1, 2)
            gstart, gend = spans[:, 0].copy(), spans[:, 1].copy()
        doc_of = (np.searchsorted(offsets, gstart, side="right") - 1).astype(np.int64)
        char_start = gstart - offsets[doc_of] if len(gstart) else gstart
        char_end = gend - offsets[doc_of] if len(gend) else gend
        codes, uniques = pd.factorize(np.array(all_tokens, dtype=object))
        del all_tokens
        number = np.array([vocab.setdefault(u, len(vocab)) for u in uniques.tolist()], dtype=np.int64)
        ids = number[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        return doc_of + first, char_start, char_end, ids

    def shingles(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (global token index) of every n-token shingle inside one
        document, and their 64-bit hashes."""
        rng = np.random.default_rng(_HASH_SEED)
        codes = rng.integers(0, 2**63, size=len(self.vocab), dtype=np.int64).astype(np.uint64)
        # Odd codes keep the polynomial hash well mixed.
        codes |= np.uint64(1)
        tok = codes[self.ids]
        m = self.size - n + 1
        if m <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.uint64)
        h = np.zeros(m, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k in range(n):
                h = h * _HASH_MULT + tok[k:k + m]
        pos = np.arange(m, dtype=np.int64)
        inside = pos + n <= self.doc_end[self.doc_of[:m]]
        return pos[inside], h[inside]


def tokenise(docs) -> Tokenised:
    """The tokens of ``docs`` (as :func:`shared_passages` and :func:`similarity_matrix` take them),
    made once for both: tokenising is about half of each one's work."""
    return Tokenised(_doc_table(docs)["text"].tolist())


def _resolve_cap(max_doc_freq: int | float | None, n_docs: int) -> int:
    if max_doc_freq is None:
        return max(DEFAULT_MAX_DOC_FREQ_MIN, math.ceil(DEFAULT_MAX_DOC_FREQ_FRACTION * n_docs))
    if isinstance(max_doc_freq, float) and 0 < max_doc_freq <= 1:
        return max(2, math.ceil(max_doc_freq * n_docs))
    cap = int(max_doc_freq)
    if cap < 2:
        raise ValueError("max_doc_freq must be at least 2 documents (or a fraction in (0, 1])")
    return cap


def _index(tk: Tokenised, n: int):
    """Sorted postings of shingles that occur in at least two documents.

    Returns ``(pos, doc, group_start, group_size, group_ndocs)``: postings
    sorted by (hash, doc, position), and for each shingle the slice of its
    postings and its document frequency. At most :data:`MAX_REPEATS`
    postings per shingle and document are kept.
    """
    pos, h = tk.shingles(n)
    doc = tk.doc_of[pos]
    order = np.lexsort((pos, doc, h))
    pos, doc, h = pos[order], doc[order], h[order]
    if len(h) == 0:
        e = np.zeros(0, np.int64)
        return pos, doc, e, e, e
    new_group = np.empty(len(h), dtype=bool)
    new_group[0] = True
    new_group[1:] = h[1:] != h[:-1]
    new_doc = new_group.copy()
    new_doc[1:] |= doc[1:] != doc[:-1]
    # Only the first MAX_REPEATS occurrences of a shingle in one document are
    # postings (a refrain repeated thousands of times would otherwise pair every
    # occurrence with every other); the rest are reached by extension.
    idx = np.arange(len(h))
    rank = idx - np.maximum.accumulate(np.where(new_doc, idx, 0))
    if (rank >= MAX_REPEATS).any():
        keep = rank < MAX_REPEATS
        pos, doc, h, new_group, new_doc = pos[keep], doc[keep], h[keep], new_group[keep], new_doc[keep]
    gstart = np.flatnonzero(new_group)
    gsize = np.diff(np.append(gstart, len(h)))
    gndocs = np.add.reduceat(new_doc.astype(np.int64), gstart)
    keep = gndocs >= 2
    return pos, doc, gstart[keep], gsize[keep], gndocs[keep]


def common_shingles(docs, min_words: int = DEFAULT_MIN_WORDS,
                    max_doc_freq: int | float | None = None) -> pd.DataFrame:
    """The shingles :func:`shared_passages` ignores as seeds: those in more than
    ``max_doc_freq`` documents (same rule and default as there).

    Columns ``shingle`` (the normalised words), ``n_docs`` (documents containing
    it), ``n_occurrences`` (in all documents, counting at most
    :data:`MAX_REPEATS` per document); most widespread first.
    """
    table = _doc_table(docs)
    tk = Tokenised(table["text"].tolist())
    cap = _resolve_cap(max_doc_freq, len(table))
    pos, _doc, gstart, gsize, gndocs = _index(tk, min_words)
    sel = gndocs > cap
    rows = []
    for s, size, nd in zip(gstart[sel], gsize[sel], gndocs[sel]):
        p = pos[s]
        rows.append((" ".join(tk.vocab[tk.ids[p:p + min_words]]), int(nd), int(size)))
    out = pd.DataFrame(rows, columns=COMMON_SHINGLE_COLUMNS)
    out["shingle"] = out["shingle"].astype(str)
    return out.sort_values(["n_docs", "n_occurrences", "shingle"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- passages

def _pairs_within_groups(gstart: np.ndarray, gsize: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs ``(i, j)``, ``i < j``, inside each postings group."""
    if len(gstart) == 0:
        e = np.zeros(0, np.int64)
        return e, e
    # For each posting i of a group: partners i+1 .. group end - 1.
    member = np.repeat(gstart, gsize) + (np.arange(gsize.sum()) -
                                         np.repeat(np.cumsum(gsize) - gsize, gsize))
    gend = np.repeat(gstart + gsize, gsize)
    counts = gend - member - 1
    left = np.repeat(member, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    right = left + 1 + offs
    return left, right


def _extend(tk: Tokenised, sa, ea, sb, eb, da, db):
    """Grow aligned spans (inclusive token indices) word by word while tokens agree."""
    ids = tk.ids
    lo_a, lo_b = tk.doc_start[da], tk.doc_start[db]
    active = np.arange(len(sa))
    while len(active):
        a, b = sa[active] - 1, sb[active] - 1
        ok = (a >= lo_a[active]) & (b >= lo_b[active])
        ok[ok] = ids[a[ok]] == ids[b[ok]]
        active = active[ok]
        sa[active] -= 1
        sb[active] -= 1
    hi_a, hi_b = tk.doc_end[da], tk.doc_end[db]
    active = np.arange(len(ea))
    while len(active):
        a, b = ea[active] + 1, eb[active] + 1
        ok = (a < hi_a[active]) & (b < hi_b[active])
        ok[ok] = ids[a[ok]] == ids[b[ok]]
        active = active[ok]
        ea[active] += 1
        eb[active] += 1


def _new_words(s: int, e: int, kept: list[tuple[int, int]]) -> int:
    """Words of inclusive range [s, e] not covered by the ranges in ``kept``."""
    covered = 0
    last = s - 1  # highest position already counted
    for ks, ke in sorted(kept):
        lo, hi = max(ks, last + 1), min(ke, e)
        if hi >= lo:
            covered += hi - lo + 1
            last = hi
    return (e - s + 1) - covered


def _dedupe(sa, ea, sb, eb, pair, min_words):
    """Boolean mask of the spans to keep (see the module docstring, step 4)."""
    n = len(sa)
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    # Fast path: pairs whose spans overlap nowhere need no work. Offsetting
    # positions by pair keeps the running maximum of ends inside each pair.
    big = int(max(ea.max(), eb.max())) + 2
    suspect = np.zeros(int(pair.max()) + 1, dtype=bool)
    for s, e in ((sa, ea), (sb, eb)):
        order = np.lexsort((s, pair))
        ks, ke = (pair * big + s)[order], (pair * big + e)[order]
        overlap = ks[1:] <= np.maximum.accumulate(ke)[:-1]
        suspect[pair[order][1:][overlap]] = True
    idx = np.flatnonzero(suspect[pair])
    if len(idx) == 0:
        return keep
    length = ea - sa
    groups: dict[int, list[int]] = {}
    for i in idx[np.lexsort((sb[idx], sa[idx], -length[idx], pair[idx]))]:
        groups.setdefault(int(pair[i]), []).append(int(i))
    for members in groups.values():
        kept_a: list[tuple[int, int]] = []
        kept_b: list[tuple[int, int]] = []
        for i in members:
            a = (int(sa[i]), int(ea[i]))
            b = (int(sb[i]), int(eb[i]))
            if _new_words(*a, kept_a) >= min_words or _new_words(*b, kept_b) >= min_words:
                kept_a.append(a)
                kept_b.append(b)
            else:
                keep[i] = False
    return keep


def shared_passages(docs, min_words: int = DEFAULT_MIN_WORDS,
                    max_doc_freq: int | float | None = None, tokens: "Tokenised | None" = None) -> pd.DataFrame:
    """Passages of at least ``min_words`` words that two documents share.

    ``docs``: ``Prepared.docs`` (or a :class:`Prepared`, or any DataFrame with
    ``doc_id`` and ``text``). Words are compared after normalisation (case,
    curly/straight apostrophes, hyphens; punctuation ignored), see the module
    docstring for the method.

    ``max_doc_freq``: shingles (runs of ``min_words`` words) found in more than
    this many documents are not used to find passages (common phrasing,
    boilerplate); an int is a number of documents, a float in (0, 1] a share of
    the corpus. Default: ``max(10, 5% of the documents)``, so in a small corpus
    nothing is ignored. A passage is still reported in full when it runs through
    such shingles, as long as one of its shingles is rarer than the cap.

    Returns one row per passage, columns :data:`PASSAGE_COLUMNS`:
    ``doc_a``/``doc_b`` (``doc_a`` earlier in corpus order), ``start_a``,
    ``end_a`` (character offsets in doc a's text, from the start of the first
    word to the end of the last word of the passage), ``start_b``, ``end_b``
    (the same in doc b), ``n_words`` (normalised words in the passage) and
    ``text`` (``text_a[start_a:end_a]``, as written in doc a). Sorted by
    doc_a, doc_b (corpus order), then start_a. The parameters used are in
    ``result.attrs`` (``min_words``, ``max_doc_freq``, ``n_common_shingles``). ``tokens``:
    :func:`tokenise` of the same ``docs``, when already made.
    """
    if min_words < 1:
        raise ValueError("min_words must be at least 1")
    table = _doc_table(docs)
    n_docs = len(table)
    cap = _resolve_cap(max_doc_freq, n_docs)
    tk = tokens if tokens is not None else Tokenised(table["text"].tolist())
    pos, doc, gstart, gsize, gndocs = _index(tk, min_words)

    n_common = int((gndocs > cap).sum())
    sel = gndocs <= cap
    left, right = _pairs_within_groups(gstart[sel], gsize[sel])
    cross = doc[left] != doc[right]
    left, right = left[cross], right[cross]
    # Postings are sorted by doc within a group, so doc[left] < doc[right].
    pa, pb = pos[left], pos[right]
    # Guard against hash collisions: the seed's words must really agree.
    ok = np.ones(len(pa), dtype=bool)
    for k in range(min_words):
        ok &= tk.ids[pa + k] == tk.ids[pb + k]
    pa, pb = pa[ok], pb[ok]
    da, db = tk.doc_of[pa], tk.doc_of[pb]

    # Merge seeds on one diagonal that touch or overlap (start gap <= min_words).
    diag = pb - pa
    order = np.lexsort((pa, diag, db, da))
    pa, pb, da, db, diag = pa[order], pb[order], da[order], db[order], diag[order]
    if len(pa):
        brk = np.ones(len(pa), dtype=bool)
        brk[1:] = (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (diag[1:] != diag[:-1]) | \
                  (pa[1:] - pa[:-1] > min_words)
        first = np.flatnonzero(brk)
        last = np.append(first[1:], len(pa)) - 1
        sa, sb = pa[first].copy(), pb[first].copy()
        ea, eb = pa[last] + min_words - 1, pb[last] + min_words - 1
        da, db = da[first], db[first]
    else:
        sa = sb = ea = eb = np.zeros(0, np.int64)

    _extend(tk, sa, ea, sb, eb, da, db)

    # Runs on one diagonal that extension joined are now identical.
    if len(sa):
        uniq = pd.DataFrame({"sa": sa, "ea": ea, "sb": sb, "da": da, "db": db}).duplicated()
        keep = ~uniq.to_numpy()
        sa, ea, sb, eb, da, db = sa[keep], ea[keep], sb[keep], eb[keep], da[keep], db[keep]
        pair = da * n_docs + db
        _, pair = np.unique(pair, return_inverse=True)
        keep = _dedupe(sa, ea, sb, eb, pair.astype(np.int64), min_words)
        sa, ea, sb, eb, da, db = sa[keep], ea[keep], sb[keep], eb[keep], da[keep], db[keep]

    order = np.lexsort((sb, sa, db, da))
    sa, ea, sb, eb, da, db = sa[order], ea[order], sb[order], eb[order], da[order], db[order]
    ids = table["doc_id"].to_numpy()
    texts = table["text"].tolist()
    start_a, end_a = tk.char_start[sa], tk.char_end[ea]
    start_b, end_b = tk.char_start[sb], tk.char_end[eb]
    out = pd.DataFrame({
        "doc_a": pd.array(ids[da], dtype=str),
        "doc_b": pd.array(ids[db], dtype=str),
        "start_a": start_a.astype(np.int64),
        "end_a": end_a.astype(np.int64),
        "start_b": start_b.astype(np.int64),
        "end_b": end_b.astype(np.int64),
        "n_words": (ea - sa + 1).astype(np.int64),
        "text": pd.array([texts[d][s:e] for d, s, e in zip(da, start_a, end_a)], dtype=str),
    }, columns=PASSAGE_COLUMNS)
    out.attrs.update(min_words=min_words, max_doc_freq=cap, n_common_shingles=n_common)
    return out


def passages_for(doc_id: str, passages: pd.DataFrame, docs=None) -> pd.DataFrame:
    """Every passage one document shares with any other, from its own side.

    ``passages`` is a :func:`shared_passages` result. Returns columns
    :data:`DOC_PASSAGE_COLUMNS`: ``doc_id`` (the given document), ``start``,
    ``end`` (offsets in its own cleaned text), ``other_doc``, ``other_start``,
    ``other_end`` (offsets in the other document's text), ``n_words`` and
    ``text``. ``text`` is the passage as written in this document when
    ``docs`` (its texts) is given, else as written in the pair's doc a (the
    words are the same; case and punctuation may differ). Sorted by ``start``,
    then ``other_doc``. Passages with different documents may overlap.
    """
    doc_id = str(doc_id)
    as_a = passages[passages["doc_a"] == doc_id]
    as_b = passages[passages["doc_b"] == doc_id]
    part_a = pd.DataFrame({
        "doc_id": doc_id, "start": as_a["start_a"], "end": as_a["end_a"],
        "other_doc": as_a["doc_b"], "other_start": as_a["start_b"], "other_end": as_a["end_b"],
        "n_words": as_a["n_words"], "text": as_a["text"],
    }, columns=DOC_PASSAGE_COLUMNS)
    part_b = pd.DataFrame({
        "doc_id": doc_id, "start": as_b["start_b"], "end": as_b["end_b"],
        "other_doc": as_b["doc_a"], "other_start": as_b["start_a"], "other_end": as_b["end_a"],
        "n_words": as_b["n_words"], "text": as_b["text"],
    }, columns=DOC_PASSAGE_COLUMNS)
    out = pd.concat([part_a, part_b], ignore_index=True)
    if docs is not None and len(as_b):
        table = _doc_table(docs)
        own = table.loc[table["doc_id"] == doc_id, "text"]
        if len(own):
            text = own.iloc[0]
            out["text"] = [text[s:e] for s, e in zip(out["start"], out["end"])]
    out = out.astype({"doc_id": str, "other_doc": str, "text": str,
                      "start": np.int64, "end": np.int64, "other_start": np.int64,
                      "other_end": np.int64, "n_words": np.int64})
    return out.sort_values(["start", "other_doc", "other_start"], kind="stable").reset_index(drop=True)
