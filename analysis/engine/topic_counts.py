"""Topic shares of a large corpus's documents from the term counts its store already holds.

A topic model fitted on a sample of a large corpus (:mod:`analysis.engine.topic_stage`) must then
score every document. Tokenising every text again for it cost about 1.2 CPU-seconds per million
words, about a tenth of the whole build of a 100,000-document corpus. The store's ``term_counts``
already say how often each document uses each word, and the model's terms are words: a word counts
as at most one term of the model (:meth:`analysis.methods.topics.TopicModel.term_of`: "britain's"
as "britain"). So each part's count matrix in the model's vocabulary is the part's word counts with
the words' ids mapped to the model's columns, and its topic shares are those
:meth:`~analysis.methods.topics.TopicModel.transform` gives the texts: the same numbers, not close
ones (the tests compare them).

The counts cannot stand in for the text where the two count differently, and there the text is
read as before:

- a document with a word holding "İ" or Greek capital sigma (:data:`CONTEXT_LOWER`), whose
  lower case differs when the whole text is lower-cased (as :func:`analysis.methods.topic_units.analyze`
  does) from when one word is (as the term index does); such a document is scored from its text;
- a document that may hold a word the term index hides but the model counts ("let's", a stopword
  of the index, is "let" to the model): a search of the part's texts (:func:`may_hold`, pyarrow's
  regular expressions, no Python string per text) finds them, and they are scored from their text;
- a number the index hides that would count as one of the model's terms, or a vocabulary that
  filled up (:data:`analysis.engine.store_format.MAX_VOCABULARY`): then the counts are not used
  at all (:func:`word_columns` returns None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from scipy import sparse as sp

__all__ = ["CONTEXT_LOWER", "WordColumns", "word_columns", "hidden_pattern", "may_hold", "part_shares"]

#: Letters whose lower case inside a text is not their lower case alone: "İ" becomes two characters
#: (the second, a combining dot, is no word character), and capital sigma becomes final "ς" or "σ"
#: by what follows it. Words holding what they turn into are looked up in the text instead.
CONTEXT_LOWER = ("\u0130", "\u03a3")
_LOWERED = ("\u0307", "\u03c3", "\u03c2")  # what they become in a lower-cased word


@dataclass(frozen=True)
class WordColumns:
    """How a store's words count in a topic model (:func:`word_columns`): ``columns[term_id]`` is
    the model's vocabulary column the word counts in (-1: none, or not a word); ``lowered[term_id]``
    whether the word holds a letter of :data:`CONTEXT_LOWER` lower-cased; ``hidden``: the words
    the term index hid whose count the model needs ("let's", which counts as "let"): documents that
    may hold one (:func:`may_hold`) are read."""

    columns: np.ndarray
    lowered: np.ndarray
    hidden: tuple[str, ...]


def word_columns(model, vocabulary: Mapping[str, int], ngram: Sequence[int], stopwords: Iterable[str],
                 numbers: bool) -> WordColumns | None:
    """:class:`WordColumns` of the store's words. ``vocabulary``: the store's term -> id;
    ``ngram``: words per term, by id; ``stopwords``/``numbers``: what the term index hid.

    None when a number the index hid would count as one of the model's terms: the texts must
    be read."""
    from analysis.methods.terms import is_hidden

    stop = frozenset(stopwords)
    model_cols = model.vectorizer_.vocabulary_
    hidden = []
    for term in model_cols:
        for w in (term, term + "'s", term + "'"):
            if w in stop:
                hidden.append(w)
            elif is_hidden(w, stop, numbers):
                return None
    ngram = np.asarray(ngram)
    columns = np.full(len(vocabulary), -1, dtype=np.int64)
    lowered = np.zeros(len(vocabulary), dtype=bool)
    for word, i in vocabulary.items():
        if ngram[i] != 1:
            continue
        col = model_cols.get(model.term_of(word))
        if col is not None:
            columns[i] = col
        if any(c in word for c in _LOWERED):
            lowered[i] = True
    return WordColumns(columns, lowered, tuple(sorted(hidden)))


_JOINS = {"'": "['\u2018\u2019]", "-": "[-\u2010\u2011]"}


def hidden_pattern(words: Sequence[str]) -> str:
    """A regular expression (RE2, to search with case ignored) matching wherever one of ``words``
    (normalised words) could be a word of a text: any case, any apostrophe or hyphen the
    normalisation makes plain. It may match more (inside longer words), never less."""
    return "|".join("".join(_JOINS.get(c, re.escape(c)) for c in w) for w in words)


def may_hold(texts: pa.ChunkedArray | pa.Array, words: Sequence[str]) -> np.ndarray:
    """Positions of the ``texts`` that may hold one of ``words`` (:func:`hidden_pattern`)."""
    if not words or not len(texts):
        return np.zeros(0, dtype=np.int64)
    hit = pc.match_substring_regex(texts, hidden_pattern(words), ignore_case=True)
    return np.flatnonzero(hit.fill_null(False).to_numpy(zero_copy_only=False))


def part_shares(model, store: Path, part: Mapping, words: WordColumns) -> pd.DataFrame:
    """Long ``doc_id, topic, share`` of the documents of one store part (``part``: its manifest
    entry), as :func:`analysis.engine.topic_stage.score_documents` gives them for the part's texts:
    the part's word counts mapped by ``words`` (:func:`word_columns`); documents with a lowered word
    or that may hold a hidden one are scored from their text."""
    from threadpoolctl import threadpool_limits

    from analysis.engine.topic_stage import shares_frame

    name, start = part["file"], int(part["doc_start"])
    n = int(part["doc_end"]) - start
    docs = pq.read_table(store / "docs" / name, columns=["doc_id", "text"] if words.hidden else ["doc_id"])
    counts = pq.read_table(store / "term_counts" / name, columns=["doc_idx", "term_id", "count"])
    rows = counts.column("doc_idx").to_numpy() - start
    terms = counts.column("term_id").to_numpy()
    data = counts.column("count").to_numpy()
    cols = words.columns[terms]
    read = rows[words.lowered[terms]]
    if words.hidden:
        read = np.union1d(read, may_hold(docs.column("text"), words.hidden))
    else:
        read = np.unique(read)
    keep = cols >= 0
    V = len(model.vectorizer_.vocabulary_)
    C = sp.csr_matrix((data[keep], (rows[keep], cols[keep])), shape=(n, V))
    with threadpool_limits(1):
        X = model.tfidf_of_counts(C)
        if len(read):
            if "text" not in docs.column_names:
                docs = pq.read_table(store / "docs" / name, columns=["doc_id", "text"])
            texts = docs.column("text").take(read).to_pylist()
            from_text = sp.csr_matrix(model.vectorizer_.transform([str(t) for t in texts]))
            order = np.arange(n)
            order[read] = n + np.arange(len(read))
            X = sp.vstack([X, from_text], format="csr")[order]
        shares = model.shares_of(X)
    return shares_frame(docs.column("doc_id").to_pylist(), shares)
