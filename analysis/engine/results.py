"""The results of an analysis as plain objects: the topic stage's tables and everything ``analyse`` computed.

Both are plain dataclasses of DataFrames (and the library's own table objects), so they pickle,
travel between Dask workers and the client, and are written to the store as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.corpus.prepare import Prepared
from analysis.engine.params import AnalysisParams

__all__ = ["TopicResult", "FullAnalysis"]

@dataclass
class TopicResult:
    """The topic stage's tables (plain DataFrames, so they pickle and store).

    - ``k``, ``units`` (unit kind), ``stability`` (raw, NaN when not
      measurable), ``stability_adjusted``; ``error`` is set (and the tables
      are empty) when the corpus has too little text for topics;
    - ``k_scores``: ``k, stability, baseline, adjusted`` per k tried;
    - ``terms``: :func:`analysis.methods.topics.top_terms` (15 per topic, lambda 0.6);
    - ``doc_shares``: ``doc_id, topic, share`` (each document's shares sum
      to 1, or to 0 without any topic word);
    - ``units``: one row per unit: ``unit, doc_id, para, sent, start, end,
      n_words, fitted, topic, weight, x, y`` (dominant topic, its share, map
      coordinates of :func:`analysis.methods.topics.topic_map`; NaN when the unit has
      no topic word);
    - ``passages``: :func:`analysis.methods.topics.representative_units` (3 per topic);
    - ``params``: the TopicModel settings used; ``n_fit_docs``: documents the
      model was fitted on (fewer than the corpus when sampled);
    - ``model``: the fitted :class:`analysis.methods.topics.TopicModel` when it was
      fitted in this process (None otherwise: it does not pickle).
    """

    k: int = 0
    units: str = ""
    stability: float = float("nan")
    stability_adjusted: float = float("nan")
    k_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    doc_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    units_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    passages: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: dict = field(default_factory=dict)
    n_fit_docs: int = 0
    error: str = ""
    model: object = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["model"] = None
        return state


@dataclass
class FullAnalysis:
    """Everything :func:`analyse` computed.

    - ``prepared``: the cleaned, segmented corpus (:class:`Prepared`);
    - ``sentiment``: :class:`analysis.methods.sentiment.SentimentTables` (sentences
      with ``polarity, subjectivity, vader, n_words, masked``; paragraphs;
      documents with the whole-text TextBlob ``polarity``/``subjectivity`` and
      the word-weighted sentence means);
    - ``term_index``: :class:`analysis.methods.terms.TermIndex` (1..ngram_max words,
      default stopwords hidden);
    - ``topics``: :class:`TopicResult`;
    - ``passages``: :func:`analysis.methods.reuse.shared_passages` (empty when
      skipped); ``similarity``: the most similar document pairs
      ``doc_a, doc_b, similarity`` (empty when skipped);
    - ``notes``: stage -> why it was skipped or cut short, in words;
    - ``timings``: stage -> seconds (see the module docstring), plus
      ``total``; ``schedule``: stage -> "main" or "worker";
    - ``content_hash``: :meth:`Corpus.content_hash`; ``params``.
    """

    content_hash: str
    params: AnalysisParams
    prepared: Prepared
    sentiment: object
    term_index: object
    topics: TopicResult
    passages: pd.DataFrame
    similarity: pd.DataFrame
    timings: dict = field(default_factory=dict)
    schedule: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    n_jobs: int = 1


