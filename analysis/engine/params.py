"""What decides an analysis's results besides the corpus: the parameters, their key, the versions.

:class:`AnalysisParams` is part of every store's key (:func:`analysis.engine.store.cache_key`);
:data:`ANALYSIS_VERSION` is bumped whenever a change in the engine changes stored results;
:func:`topic_params` gives the topic model's size-dependent settings that the app, ``analyse``,
``build`` and the benchmark all use.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass

__all__ = ["ANALYSIS_VERSION", "STAGES", "AnalysisParams", "topic_params", "versions"]

STAGES = ("load", "prepare", "sentiment", "terms", "topics", "reuse")

ANALYSIS_VERSION = 3  # 2: quotes and spaced dashes normalised; bootstrap in seeded blocks; 3: NMF on dense arrays
"""Bumped whenever a change here changes stored results (part of the cache key)."""


@dataclass(frozen=True)
class AnalysisParams:
    """Everything that decides the results, besides the corpus itself.

    - ``clean``: clean the texts (:mod:`analysis.corpus.clean`) before segmenting;
    - ``ngram_max``: the term index counts terms of 1..``ngram_max`` words;
    - ``topic_k``: number of topics (None = chosen automatically);
    - ``topic_units``: "auto", "documents", "paragraphs" or "sentences";
    - ``topic_sample_docs``: the topic model is fitted on at most this many
      documents (a seeded random sample beyond it; the other documents are
      then scored with the fitted model);
    - ``reuse_min_words``: shortest shared passage, in words;
    - ``reuse_max_words``: shared passages are searched only in corpora of at
      most this many words (the shingle index takes about 60 bytes per word);
    - ``similarity_max_docs``: document similarity is computed only for
      corpora of at most this many documents (it is a documents x documents
      matrix); ``similarity_max_pairs``: the most similar pairs kept.
    """

    clean: bool = True
    ngram_max: int = 2
    topic_k: int | None = None
    topic_units: str = "auto"
    topic_sample_docs: int = 5000
    reuse_min_words: int = 8
    reuse_max_words: int = 10_000_000
    similarity_max_docs: int = 5000
    similarity_max_pairs: int = 200_000

    def to_dict(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """A short hash of the parameters and :data:`ANALYSIS_VERSION`."""
        blob = json.dumps({"params": self.to_dict(), "analysis_version": ANALYSIS_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def topic_params(n_units: int) -> dict:
    """TopicModel settings by the number of fitting units (documents or paragraphs).

    Up to 150 units: the model's defaults. Above, the stability analysis is
    the cost (11 values of k, each fitted on all units and on every resample,
    and again on the chance baseline), so it uses 3 resamples per k, a
    vocabulary of the 3,000 most frequent terms (after the min_df/max_df
    filters) and at most 1,500 units (a seeded sample; the final model is
    still fitted on every unit). The app, ``build`` and the benchmark all fit
    with these settings, and ``tests/test_topics.py`` checks that they still
    recover the BBC categories (NMI >= 0.80).
    """
    if n_units <= 150:
        return {}
    return {"n_resamples": 3, "max_features": 3000, "max_stability_units": 1500}


def versions() -> dict:
    """Versions of the packages whose behaviour the results depend on."""
    from importlib import metadata

    from analysis import __version__

    out = {"analysis": __version__, "analysis_format": ANALYSIS_VERSION,
           "python": ".".join(map(str, sys.version_info[:3]))}
    for pkg in ("pandas", "numpy", "scipy", "scikit-learn", "textblob", "vaderSentiment", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out
