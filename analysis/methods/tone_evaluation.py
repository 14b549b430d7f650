"""How well each tone measure ranks hand-labelled texts (ROC AUC), and the stored figures.

:func:`measure_scores` scores labelled texts with every method, each text as one document;
:func:`auc_table` turns those scores into ROC AUCs; :func:`paired_auc_difference` gives a
bootstrap interval for the difference of two measures on the same texts.
``scripts/evaluate_tone.py`` runs them on every evaluation set and writes
:data:`EVALUATION_JSON`, which the Methods page shows (:func:`stored_evaluation`).

ROC AUC = the probability that a random positive text scores above a random negative one
(ties count half): 0.5 = chance, 1 = perfect ranking. It needs no threshold, so the lexicon
scores and the classifier are compared on equal terms.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.corpus import segment
from analysis.methods import tone_classifier
from analysis.methods.sentiment import score_corpus

__all__ = ["MEASURES", "EVALUATION_JSON", "measure_scores", "auc_table", "paired_auc_difference",
           "stored_evaluation"]

#: Measure -> (short name, what is scored). Each text is one document.
MEASURES = {
    "polarity": ("TextBlob, whole text", "TextBlob polarity of the whole text"),
    "polarity_mean": ("TextBlob, sentence mean", "word-weighted mean of TextBlob polarity over its sentences"),
    "vader_doc": ("VADER, whole text", "VADER compound of the whole text"),
    "vader_mean": ("VADER, sentence mean", "word-weighted mean of VADER compound over its sentences"),
    "classifier": ("Classifier, whole text", "the trained classifier on the whole text as one unit"),
    "classifier_mean": ("Classifier, sentence mean", "word-weighted mean of the classifier over its sentences"),
}
EVALUATION_JSON = Path(__file__).with_name("tone_evaluation.json")


def measure_scores(texts: Sequence[str], model: tone_classifier.ToneClassifier | None = None) -> pd.DataFrame:
    """Every measure of :data:`MEASURES` for each text, one row per text in order.

    The texts are scored as given (no cleaning), split into sentences as the app splits
    them; a text without words scores 0. ``model``: the classifier to use (default: the
    shipped one); cross-validation passes models fitted without the texts scored.
    """
    model = model or tone_classifier.load_model()
    texts = [str(t) for t in texts]
    docs = pd.DataFrame({"doc_id": [f"t{i}" for i in range(len(texts))], "text": texts})
    _, sentences = segment.segment_texts(docs["doc_id"], texts)
    tables = score_corpus(docs, sentences, n_jobs=1)
    s = tables.sentences
    s["classifier"] = model.scores(s["text"].astype(str).tolist(), s["vader"], s["polarity"])
    w = s["n_words"].astype(float)
    g = s.assign(_w=w, _c=s["classifier"] * w).groupby("doc_id", sort=False)[["_w", "_c"]].sum()
    cmean = (g["_c"] / g["_w"]).where(g["_w"] > 0)
    d = tables.documents.set_index("doc_id")
    out = pd.DataFrame({
        "polarity": d["polarity"], "polarity_mean": d["polarity_mean"],
        "vader_doc": d["vader_doc"], "vader_mean": d["vader_mean"],
        "classifier": model.scores(texts, d["vader_doc"].to_numpy(), d["polarity"].to_numpy()),
        "classifier_mean": cmean.reindex(d.index),
    })
    return out.fillna(0.0).reset_index(drop=True)


def auc_table(labels: Sequence[int], scores: pd.DataFrame) -> dict:
    """ROC AUC of each column of ``scores`` against ``labels`` (1 positive, 0 negative), 4 places."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, dtype=int)
    return {c: round(float(roc_auc_score(y, scores[c].to_numpy(dtype=float))), 4) for c in scores.columns}


def paired_auc_difference(labels: Sequence[int], a: Sequence[float], b: Sequence[float], n_boot: int = 1000,
                          seed: int = 0) -> dict:
    """AUC(a) - AUC(b) on the same texts, with a 95% percentile bootstrap interval (texts resampled
    with replacement, the same resample for both; ``n_boot`` resamples, fixed ``seed``)."""
    from sklearn.metrics import roc_auc_score

    y, a, b = np.asarray(labels, dtype=int), np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        i = rng.integers(0, len(y), len(y))
        if y[i].min() == y[i].max():
            continue
        diffs.append(roc_auc_score(y[i], a[i]) - roc_auc_score(y[i], b[i]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return {"difference": round(float(roc_auc_score(y, a) - roc_auc_score(y, b)), 4),
            "lo": round(float(lo), 4), "hi": round(float(hi), 4), "n_boot": n_boot}


def stored_evaluation() -> dict | None:
    """The figures saved by ``scripts/evaluate_tone.py`` (None if absent or unreadable)."""
    try:
        return json.loads(EVALUATION_JSON.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
