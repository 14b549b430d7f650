"""The topic stage: NMF topic clusters fitted on a corpus (or a seeded sample of it) and collected as tables.

:func:`topic_stage` is the whole stage on a prepared corpus; a chunked or distributed build uses
its parts: :func:`topic_sample` (which documents the model is fitted on), :func:`fit_topics`,
:func:`score_documents` (documents scored by a fitted model, a batch at a time: each batch can
be a Dask task) and :func:`topic_tables` (the :class:`TopicResult`). BLAS runs on one thread, so
the results do not depend on the machine's thread settings or on where the stage ran.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.corpus.prepare import Prepared
from analysis.engine.params import AnalysisParams, topic_params
from analysis.engine.results import TopicResult

__all__ = ["topic_stage", "topic_sample", "fit_topics", "n_topic_units", "topic_tables", "score_documents",
           "shares_frame", "topic_input"]


def topic_stage(prepared: Prepared, params: AnalysisParams = AnalysisParams(),
                keep_model: bool = True, k_map=None) -> TopicResult:
    """Fit the topic model (see :func:`topic_params`) and collect its tables; ``k_map`` as in
    :meth:`analysis.methods.topics.TopicModel.fit`.

    With more than ``params.topic_sample_docs`` documents the model is fitted
    on a seeded random sample of that many documents (:func:`topic_sample`)
    and every document is then scored with it
    (:meth:`analysis.methods.topics.TopicModel.transform`). BLAS runs on one thread,
    so the result does not depend on the machine's thread settings.
    """
    docs = prepared.docs
    sample = topic_sample(len(docs), params)
    fit_on = prepared if sample is None else prepared.subset(docs["doc_id"].iloc[sample].tolist())
    model, settings, error = fit_topics(fit_on, params, k_map)
    if model is None:
        return TopicResult(error=error, params=settings)
    shares = None
    if sample is not None:
        shares = score_documents(model, ((docs["doc_id"].iloc[s:s + 2000], docs["text"].iloc[s:s + 2000])
                                         for s in range(0, len(docs), 2000)))
    return topic_tables(model, settings, len(fit_on.docs), keep_model, shares)


def topic_sample(n_docs: int, params: AnalysisParams) -> np.ndarray | None:
    """Positions of the documents the topic model is fitted on (sorted), or
    None for all of them (at most ``params.topic_sample_docs`` documents)."""
    if n_docs <= params.topic_sample_docs:
        return None
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(n_docs, size=params.topic_sample_docs, replace=False))


def fit_topics(prepared: Prepared, params: AnalysisParams, k_map=None):
    """``(model, settings, error)``: the fitted TopicModel (None and the
    reason when the text is too little) with the settings of :func:`topic_params`; ``k_map``
    as in :meth:`analysis.methods.topics.TopicModel.fit`."""
    from threadpoolctl import threadpool_limits

    from analysis.methods import topics as tp

    settings = topic_params(n_topic_units(prepared, params.topic_units))
    try:
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            model = tp.TopicModel(k=params.topic_k, units=params.topic_units, **settings).fit(prepared, k_map=k_map)
    except ValueError as err:
        return None, settings, str(err)
    return model, settings, ""


def n_topic_units(prepared: Prepared, units: str) -> int:
    """How many units the topic model will fit (for :func:`topic_params`)."""
    from analysis.methods import topics as tp

    n_docs = len(prepared.docs)
    if units == "documents" or (units == "auto" and n_docs >= tp.PARAGRAPH_BELOW_DOCS):
        return n_docs
    if units == "sentences":
        return len(prepared.sentences)
    return len(prepared.paragraphs)


def topic_tables(model, settings: dict, n_fit_docs: int, keep_model: bool = True,
                 doc_shares: pd.DataFrame | None = None) -> TopicResult:
    """A :class:`TopicResult` from a fitted model; ``doc_shares`` replaces the
    model's own document shares (documents scored after a fit on a sample)."""
    from analysis.methods import topics as tp

    units = model.unit_table_.reset_index(drop=True)
    S = model.unit_shares_
    scored = S.sum(axis=1) > 0
    table = units[["unit", "doc_id", "para", "sent", "start", "end", "n_words", "fitted"]].copy()
    table["topic"] = np.where(scored, S.argmax(axis=1), -1).astype(int)
    table["weight"] = np.where(scored, S.max(axis=1), 0.0)
    table["x"] = np.nan
    table["y"] = np.nan
    coords = tp.topic_map(model, label_chars=1)
    pos = pd.Series(np.arange(len(table)), index=table["unit"])
    at = pos.reindex(coords["unit"]).to_numpy()
    table.loc[at, "x"] = coords["x"].to_numpy()
    table.loc[at, "y"] = coords["y"].to_numpy()
    if doc_shares is None:
        doc_shares = tp.document_topics(model)
    return TopicResult(
        k=int(model.k_), units=model.units_, stability=float(model.stability_),
        stability_adjusted=float(model.stability_adjusted_), k_scores=model.k_scores_.copy(),
        terms=tp.top_terms(model, n=15, lam=0.6), doc_shares=doc_shares, units_table=table,
        passages=tp.representative_units(model, 3), params=dict(settings), n_fit_docs=int(n_fit_docs),
        model=model if keep_model else None)


def score_documents(model, batches) -> pd.DataFrame:
    """Long ``doc_id, topic, share`` for documents given as ``(doc_ids, texts)``
    batches, scored by a fitted document-unit model (:meth:`TopicModel.transform`)."""
    from threadpoolctl import threadpool_limits

    frames = []
    with threadpool_limits(1):
        for ids, texts in batches:
            frames.append(shares_frame(ids, model.transform([str(t) for t in texts])))
    if not frames:
        return pd.DataFrame({"doc_id": [], "topic": np.zeros(0, dtype=int), "share": np.zeros(0)})
    return pd.concat(frames, ignore_index=True)


def shares_frame(doc_ids, shares: np.ndarray) -> pd.DataFrame:
    """Long ``doc_id, topic, share`` from the documents' topic shares (one row per document)."""
    ids = np.asarray([str(d) for d in doc_ids], dtype=object)
    k = shares.shape[1]
    return pd.DataFrame({"doc_id": np.repeat(ids, k), "topic": np.tile(np.arange(k), len(ids)),
                         "share": shares.ravel()})


def topic_input(prepared: Prepared, units: str = "auto", terms: bool = True) -> Prepared:
    """The smallest Prepared the topic model needs (no raw text, no sentence
    texts; no paragraphs or sentences at all when the units are documents). With ``terms``, the
    documents' terms are worked out (:data:`analysis.methods.topic_units.TERMS_COLUMN`) when the
    units may be documents: the build runs this on each slice while the corpus is still being
    read, so the topic task, which waits for every slice, does not tokenise the texts itself."""
    from analysis.methods.topic_units import PARAGRAPH_BELOW_DOCS, TERMS_COLUMN, analyzed_terms

    docs = prepared.docs.drop(columns=[c for c in ("raw_text",) if c in prepared.docs.columns])
    if terms and units in ("auto", "documents") and TERMS_COLUMN not in docs.columns:
        docs = docs.assign(**{TERMS_COLUMN: analyzed_terms(docs["text"].tolist())})
    empty = pd.DataFrame()
    if units == "documents" or (units == "auto" and len(docs) >= PARAGRAPH_BELOW_DOCS):
        return Prepared(docs, empty, prepared.paragraphs.iloc[:0], prepared.sentences.iloc[:0, :5], [],
                        empty, prepared.cleaned, "")
    sentences = prepared.sentences.drop(columns=["text"]) if "text" in prepared.sentences else prepared.sentences
    return Prepared(docs, empty, prepared.paragraphs, sentences, [], empty, prepared.cleaned, "")


