"""Analysis results on disk: Parquet tables plus a manifest, keyed by corpus and parameters.

A *store* is a folder holding everything :func:`analysis.engine.analyse.analyse` (or the
chunked ``python -m analysis build``) computed for one corpus with one set of
:class:`analysis.engine.analyse.AnalysisParams`, so that a restarted server, a second
visitor or a batch job never recomputes it:

``manifest.json``
    ``format``/``format_version``; ``key`` (:func:`cache_key`: the corpus's
    content hash + the parameters); ``content_hash``; ``params``;
    ``versions`` of the packages that made it; ``stages`` (what was computed,
    in order) and ``timings``; ``notes`` (stages skipped or cut, and why);
    ``tables`` (name -> rows, columns, files); ``n_docs``, ``n_words``,
    ``group_columns``; ``complete`` (written last: a folder without it is an
    interrupted build and is never opened).

Per-document tables (written in parts of consecutive documents, one Parquet
file per part under ``<table>/``; ``doc_idx`` is the document's position in
the corpus, so a part covers a range of it, listed in the manifest):

- ``docs``: metadata, ``raw_text`` (as loaded), ``text`` (cleaned),
  ``n_words``, ``n_sentences``, ``n_paragraphs`` (:class:`analysis.corpus.prepare.Prepared`);
- ``paragraphs``, ``sentences`` (with ``polarity, subjectivity, vader,
  n_words, masked``), ``paragraph_scores``, ``doc_scores``
  (:mod:`analysis.methods.sentiment`), ``removals``, ``repairs``;
- ``term_counts``: ``doc_idx, term_id, count``, the phrase-independent term
  index (words and n-grams of :func:`analysis.methods.terms.build_index`), with the
  vocabulary in ``terms`` (``term_id, term, ngram, count, doc_freq``).

Corpus-wide tables (one file each): ``topic_k_scores``, ``topic_terms``,
``topic_doc_shares``, ``topic_units``, ``topic_passages``, ``passages``,
``similarity``, ``errors``; and the aggregates that pages of a large corpus
read instead of recomputing: ``agg_group_sentiment`` (mean document score per
group with its bootstrap interval, :func:`analysis.methods.sentiment.group_scores`,
for every group column and measure), ``agg_cell_sentiment`` (the same within
each single value of the app's filter columns :data:`FILTER_COLUMNS`, for
:data:`CELL_MEASURES`), ``agg_group_terms`` (the 50 most
frequent words per group, as :func:`analysis.methods.terms.top_terms`; n-grams per
group are computed on request from ``term_counts``)
and ``agg_group_topics`` (mean topic share per group, as
:func:`analysis.methods.topics.group_topics`). Group columns are the metadata columns
with at most :data:`MAX_GROUPS` distinct values; ``date`` is grouped by year.

:func:`open_store` gives a :class:`StoredAnalysis`, whose methods read the
tables (whole, or for some documents, or as aggregates over a subset of
documents). Nothing here imports Streamlit.

The code: :mod:`analysis.engine.store_format` (constants, keys, manifest, groups),
:mod:`analysis.engine.store_writer` (writing), :mod:`analysis.engine.store_reader` (reading),
:mod:`analysis.engine.aggregates` (the ``agg_*`` tables); this module gathers their public names.
"""

from __future__ import annotations

from analysis.engine.aggregates import group_topic_shares, rate_per_10k, tone_by_label
from analysis.engine.store_format import (CELL_MEASURES, CELL_SEP, FILTER_COLUMNS, FORMAT, FORMAT_VERSION,
                                          GROUP_TOP_TERMS, INDEX_FILES, MANIFEST, MAX_GROUPS, MAX_VOCABULARY,
                                          MEASURES, NOT_GROUPS, PART_ROW_GROUP, PER_DOC_TABLES, STAGES, cache_key,
                                          candidate_group_columns, default_cache_dir, find_store, group_values,
                                          read_manifest, rows_among, store_path)
from analysis.engine.store_reader import StoredAnalysis, open_store
from analysis.engine.store_writer import StoreWriter, save_analysis, write_indexes, write_store

__all__ = [
    "CELL_MEASURES", "CELL_SEP", "FILTER_COLUMNS", "FORMAT", "FORMAT_VERSION", "GROUP_TOP_TERMS", "INDEX_FILES",
    "MANIFEST", "MAX_GROUPS", "MAX_VOCABULARY", "MEASURES", "NOT_GROUPS", "PART_ROW_GROUP", "PER_DOC_TABLES",
    "STAGES", "StoreWriter", "StoredAnalysis", "cache_key", "candidate_group_columns", "default_cache_dir",
    "find_store", "group_topic_shares", "group_values", "open_store", "rate_per_10k", "read_manifest",
    "rows_among", "save_analysis", "store_path", "tone_by_label", "write_indexes", "write_store",
]
