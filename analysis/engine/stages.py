"""The per-document stages of an analysis, and how results of slices of a corpus combine.

Cleaning, segmentation, sentiment and the term counts of a document depend on that document
alone, so a corpus can be cut into slices of consecutive documents (Dask partitions), each slice
analysed anywhere (:func:`analyse_documents`), and the slices' results combined in order
(:func:`merge_prepared`, :func:`merge_sentiment`, :func:`merge_term_indexes`): the combination
equals analysing the whole corpus at once (the tests check it). :func:`reuse_stage` is the
corpus-wide shared-passage and similarity stage; :func:`release_memory` hands freed heap back to
the operating system between stages; :func:`load_for_tasks` loads what the build's tasks use.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis.corpus.model import Corpus, Document
from analysis.corpus.prepare import Prepared, prepare
from analysis.engine.params import AnalysisParams

__all__ = ["analyse_documents", "prepare_documents", "prepare_and_index", "score_slice",
           "prepare_for_builder", "score_for_builder", "received_from_builder_task", "terms_stage", "merge_prepared",
           "merge_sentiment", "merge_term_indexes", "merge_slices", "reuse_stage", "slice_by_chars",
           "malloc_trim", "release_memory", "load_for_tasks"]


def prepare_documents(documents: Sequence[Document], clean: bool = True) -> Prepared:
    """Clean and segment one slice of documents (:func:`analysis.corpus.prepare.prepare`)."""
    return prepare(Corpus(list(documents)), clean=clean)


def prepare_and_index(documents: Sequence[Document], clean: bool = True, ngram_max: int = 2) -> tuple:
    """``(prepared, term_index)`` of one slice: :func:`prepare_documents` and :func:`terms_stage`,
    equal to calling both, with one pass fewer over the words. The documents' word counts
    (``docs["n_words"]``) are the term index's: it counts every word as
    :func:`analysis.corpus.segment.count_words` does (the tests check it), so the texts are not
    tokenised again only to count them (4 % of a build's work on the 100,000-document corpus)."""
    prep = prepare(Corpus(list(documents)), clean=clean, count_words=False)
    index = terms_stage(prep.docs, ngram_max)
    docs = prep.docs
    docs.insert(int(docs.columns.get_loc("n_sentences")), "n_words", index.n_words)
    return prep, replace(index, docs=_metadata(docs))


def score_slice(prepared: Prepared):
    """The sentiment tables of one prepared slice (:func:`analysis.methods.sentiment.score_corpus`,
    in this process)."""
    from analysis.methods import sentiment

    return sentiment.score_corpus(prepared.docs, prepared.sentences, n_jobs=1)


def prepare_for_builder(documents: Sequence[Document], clean: bool = True, ngram_max: int = 2) -> tuple:
    """Task: :func:`prepare_and_index`, without what the builder has already: the documents' raw
    text (it sent them; ``raw_text`` comes back empty), and the term counts as 32-bit numbers.
    :func:`received_from_builder_task` makes the result whole again."""
    prep, index = prepare_and_index(documents, clean, ngram_max)
    docs = prep.docs
    docs["raw_text"] = pd.array([""] * len(docs), dtype=docs["raw_text"].dtype)
    counts = index.counts
    if counts.nnz and counts.data.max() <= np.iinfo(np.int32).max:
        counts = sp.csr_matrix((counts.data.astype(np.int32), counts.indices, counts.indptr), shape=counts.shape)
    return prep, replace(index, counts=counts, term_n=index.term_n.astype(np.int8))


def score_for_builder(prepared_and_index: tuple):
    """Task: :func:`score_slice` of a :func:`prepare_for_builder` result, without what the builder
    gets anyway with the prepared slice: the sentences' text (the prepare task's sentence table
    has it, row for row). :func:`received_from_builder_task` puts it back."""
    tables = score_slice(prepared_and_index[0])
    return replace(tables, sentences=tables.sentences.drop(columns=["text"]))


def received_from_builder_task(documents: Sequence[Document], prepared_and_index: tuple, scored) -> tuple:
    """``(prepared, sentiment_tables, term_index)`` of the slice ``documents``, equal to
    :func:`analyse_documents`' result, from what :func:`prepare_for_builder` and
    :func:`score_for_builder` sent for it (which it changes)."""
    prepared, index = prepared_and_index
    docs = prepared.docs
    if docs["doc_id"].tolist() != [d.doc_id for d in documents]:
        raise ValueError("the prepared documents are not the slice's")
    docs["raw_text"] = pd.array([d.text for d in documents], dtype=docs["raw_text"].dtype)
    sents = scored.sentences
    own = prepared.sentences
    if len(sents) != len(own) or not (np.array_equal(sents["doc_id"].to_numpy(), own["doc_id"].to_numpy())
                                      and np.array_equal(sents["start"].to_numpy(), own["start"].to_numpy())):
        raise ValueError("the scored sentences are not the prepared slice's")
    sents = sents.copy()
    sents.insert(int(sents.columns.get_loc("end")) + 1, "text", own["text"].array)
    counts = index.counts
    counts = sp.csr_matrix((counts.data.astype(np.int64), counts.indices, counts.indptr), shape=counts.shape)
    return (prepared, replace(scored, sentences=sents),
            replace(index, counts=counts, term_n=index.term_n.astype(np.int64)))


def analyse_documents(documents: Sequence[Document], clean: bool = True, ngram_max: int = 2) -> tuple:
    """Prepare, score and index one slice of documents: ``(prepared, sentiment_tables,
    term_index)`` (:func:`prepare_and_index` then :func:`score_slice`)."""
    prep, index = prepare_and_index(documents, clean, ngram_max)
    return prep, score_slice(prep), index


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
        return replace(idx, docs=_metadata(docs))
    if any(p.min_count > 1 for p in parts):
        raise ValueError("indexes built with min_count > 1 cannot be merged exactly")
    sizes = sorted({int(n) for p in parts for n in np.unique(p.term_n)})
    terms_out, term_n_out = [], []
    col_maps = [np.zeros(p.counts.shape[1], dtype=np.int64) for p in parts]
    for n in sizes:
        # each n-gram size's terms numbered in first-seen order over the slices (factorize's order)
        cols = [np.flatnonzero(p.term_n == n) for p in parts]
        codes, uniques = pd.factorize(np.concatenate([np.asarray(p.terms, dtype=object)[c]
                                                      for p, c in zip(parts, cols)]))
        base = len(terms_out)
        terms_out.extend(uniques.tolist())
        term_n_out.extend([n] * len(uniques))
        at = 0
        for c, cmap in zip(cols, col_maps):
            cmap[c] = base + codes[at:at + len(c)]
            at += len(c)
    blocks = []
    for p, cmap in zip(parts, col_maps):
        coo = p.counts.tocoo()
        blocks.append(sp.csr_matrix((coo.data, (coo.row, cmap[coo.col])),
                                    shape=(p.counts.shape[0], len(terms_out))))
    counts = sp.vstack(blocks, format="csr").astype(np.int64)
    counts.sort_indices()
    first = parts[0]
    return TermIndex(
        docs=_metadata(docs), counts=counts, terms=np.asarray(terms_out, dtype=object),
        term_n=np.asarray(term_n_out, dtype=np.int64),
        n_words=np.concatenate([p.n_words for p in parts]).astype(np.int64),
        ngram_range=first.ngram_range, stopwords=first.stopwords, stop_ngrams=first.stop_ngrams,
        min_count=first.min_count, numbers=first.numbers)


def _metadata(docs: pd.DataFrame) -> pd.DataFrame:
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


def merge_sentiment(parts):
    """One :class:`analysis.methods.sentiment.SentimentTables` from those of consecutive slices
    (every table is per document or per sentence, so the concatenation is the whole)."""
    from analysis.methods.sentiment import SentimentTables

    cat = lambda name: pd.concat([getattr(p, name) for p in parts], ignore_index=True)  # noqa: E731
    first = parts[0]
    return SentimentTables(cat("sentences"), cat("paragraphs"), cat("documents"),
                           first.exclude_phrases, first.method, dict(first.notes))


def merge_slices(parts: Sequence[tuple], corpus: Corpus | None = None, content_hash: str = "") -> tuple:
    """``(prepared, sentiment_tables, term_index)`` of consecutive slices analysed by
    :func:`analyse_documents`, combined into those of all their documents."""
    parts = list(parts)
    prep = merge_prepared([p[0] for p in parts], corpus, content_hash)
    return prep, merge_sentiment([p[1] for p in parts]), merge_term_indexes([p[2] for p in parts], prep.docs)


def slice_by_chars(documents: Sequence[Document], max_chars: int) -> list[list[Document]]:
    """``documents`` cut into consecutive slices of at most ``max_chars`` characters of text
    (a longer document is a slice of its own). The cut depends only on the texts, never on
    where the slices will run, so any scheduler sees the same partitions."""
    out, cur, chars = [], [], 0
    for d in documents:
        n = len(d.text) + 200
        if cur and chars + n > max_chars:
            out.append(cur)
            cur, chars = [], 0
        cur.append(d)
        chars += n
    if cur:
        out.append(cur)
    return out


def reuse_stage(docs: pd.DataFrame, params: AnalysisParams = AnalysisParams()) -> tuple:
    """Shared passages and the most similar document pairs, or why they were skipped.

    Returns ``(passages, similarity_pairs, notes)``; ``notes`` maps "reuse" /
    "similarity" to the reason a part was skipped or cut.
    """
    from analysis.methods import reuse

    notes = {}
    n_words = int(docs["n_words"].sum()) if "n_words" in docs else 0
    both = n_words <= params.reuse_max_words and len(docs) <= params.similarity_max_docs
    tokens = reuse.tokenise(docs) if both else None
    if n_words <= params.reuse_max_words:
        passages = reuse.shared_passages(docs, min_words=params.reuse_min_words, tokens=tokens)
    else:
        passages = pd.DataFrame(columns=reuse.PASSAGE_COLUMNS)
        notes["reuse"] = (f"shared passages were not searched: the corpus has {n_words:,} words, more "
                          f"than the {params.reuse_max_words:,} the shingle index can hold in bounded "
                          "memory (about 60 bytes per word)")
    if len(docs) <= params.similarity_max_docs:
        sim = reuse.similarity_pairs(docs, tokens=tokens)
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


def load_for_tasks() -> None:
    """Import the modules the build's tasks run and load the tables they read (TextBlob's and
    VADER's lexicons, the tone classifier's weights), in this process: local workers forked from
    it afterwards start with all of it (:func:`analysis.engine.cluster.dask_client`)."""
    import importlib

    for name in ("analysis.engine.build", "analysis.engine.aggregates", "analysis.engine.topic_stage",
                 "analysis.methods.sentiment", "analysis.methods.terms", "analysis.methods.topics",
                 "analysis.methods.reuse", "analysis.methods.tone_groups"):
        importlib.import_module(name)
    from analysis.methods.textblob_tables import load_textblob
    from analysis.methods.tone_classifier import load_model
    from analysis.methods.vader import load_vader

    load_textblob()
    load_vader()
    load_model()
