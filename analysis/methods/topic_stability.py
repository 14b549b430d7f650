"""How many topics: stability of the topics under resampling, and the rule that picks k.

Stability (Greene, O'Callaghan & Cunningham 2014, "How many topics? Stability
analysis for topic models")
---------------------------------------------------------------------------
NMF is fitted on all fitting units (the reference) and on ``n_resamples``
random subsamples holding ``sample_frac`` (80 %) of them. Two fits are compared
by pairing their topics one to one (Hungarian algorithm) so as to maximise the
agreement of their top 20 term lists, measured by *average Jaccard* (the
Jaccard overlap of the top-1, top-2, ..., top-20 lists, averaged, so the order
of the leading terms counts), and averaging over the pairs
(:func:`ranking_agreement`). The stability of k is the mean agreement over all
pairs among the reference and the subsample fits (Greene et al. compare each
subsample with the reference only; the subsample-subsample pairs lower the
variance for the same number of fits). It lies in [0, 1]: 1 means the same
leading terms every time.

Baseline. Raw stability favours k = 2 or 3: with so few topics each topic's
leading terms are simply the corpus's heaviest terms, which come back in every
subsample whatever the structure. So the same procedure is run on a
structureless copy of the data (:func:`null_matrix`: each term's weights moved
to random units), giving the stability expected by chance, ``baseline``, and
``adjusted = (stability - baseline) / (1 - baseline)`` (the share of the
attainable agreement above chance, as in Cohen's kappa).

Distinct topics. For each k the reference fit's top 10 terms per topic (by
relevance, lambda 0.6, as the pages show them) are compared: ``max_topics_per_term``
is the largest number of topics sharing one of their top 10 terms,
``max_shared_terms`` the most top-10 terms two topics have in common. The
topics of k are *distinct* when no term is among the top 10 of more than 2
topics and no two topics share more than 3 of their top 10 (:func:`distinctness`).

The rule (:func:`choose_k`), in order
-------------------------------------
1. Candidates: the k whose topics are distinct and whose adjusted stability is
   at least ``min_adjusted`` (0.15: clearly more stable than chance).
2. Readable range: when there are at least ``units_per_topic`` (30) fitting
   units per topic for ``min_readable_k`` (5) topics, i.e. 150 units or more,
   only candidates with k >= 5 are kept, as long as the best of them reaches
   ``readable_ratio`` (half) of the best candidate's adjusted stability. Below
   5 topics a corpus of hundreds of texts gets topics that each lump several
   themes together (the 493 UK COVID speeches at k = 3: "support, work,
   measures, businesses, advice, home, scheme"), and stability favours such
   coarse splits because they come back in any sample; the half-of-the-best
   guard keeps a corpus that truly has 2 to 4 themes at its own k.
3. Among the candidates, the highest adjusted stability wins; scores within
   ``choice_tol`` (0.05) count as ties and go to the smaller k: scores of one k move by about
   that much between runs on different resamples, so smaller differences are noise.
4. No candidate at all (a tiny corpus): the smallest k, with the reason saying
   that these topics are tentative.

With ``criterion="stability"`` the same rule ranks by raw stability (no
baseline). In one sentence, for the Methods page: *the number of topics is the
one, among those giving distinct topics, whose topics come back most reliably
(beyond chance) when the model is refitted on resampled text, looking at 5 to
12 topics when the corpus is large enough to read that many*.
Nothing here imports Streamlit.
"""

from __future__ import annotations

import warnings
from collections import Counter
from functools import partial
from typing import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from analysis.methods.topic_views import term_relevance

#: Columns of ``TopicModel.k_scores_``.
SCORE_COLUMNS = ["k", "stability", "baseline", "adjusted", "max_topics_per_term", "max_shared_terms",
                 "distinct"]
#: Leading terms compared for distinctness, and the relevance lambda they are ranked by.
DISTINCT_TERMS = 10
DISTINCT_LAMBDA = 0.6
#: At most this many topics may share one leading term, and two topics this many leading terms.
MAX_TOPICS_PER_TERM = 2
MAX_SHARED_TERMS = 3


def average_jaccard(a, b) -> float:
    """Average Jaccard of two ranked lists: mean over depths d=1..t of
    |a[:d] ∩ b[:d]| / |a[:d] ∪ b[:d]| (t = the shorter length). 1 = identical."""
    t = min(len(a), len(b))
    if t == 0:
        return 0.0
    sa, sb, total = set(), set(), 0.0
    for d in range(t):
        sa.add(a[d])
        sb.add(b[d])
        inter = len(sa & sb)
        total += inter / (2 * (d + 1) - inter)
    return total / t


def ranking_agreement(ref: list[list], other: list[list]) -> float:
    """Agreement of two sets of topic term rankings (Greene et al. 2014).

    Topics are paired one to one by the Hungarian algorithm to maximise the
    summed :func:`average_jaccard`; the result is the mean over the pairs.
    """
    sim = np.array([[average_jaccard(r, o) for o in other] for r in ref])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def distinctness(lists: list[list]) -> tuple[int, int]:
    """``(max_topics_per_term, max_shared_terms)`` of the topics' leading-term lists:
    the largest number of lists one term is in, and the most terms two lists share
    (0 for a single list)."""
    counts = Counter(w for terms in lists for w in set(terms))
    per_term = max(counts.values(), default=0)
    sets = [set(x) for x in lists]
    shared = max((len(a & b) for i, a in enumerate(sets) for b in sets[i + 1:]), default=0)
    return int(per_term), int(shared)


def is_distinct(per_term: int, shared: int) -> bool:
    """Whether topics with these :func:`distinctness` figures count as distinct."""
    return per_term <= MAX_TOPICS_PER_TERM and shared <= MAX_SHARED_TERMS


# ----------------------------------------------------------------------- fitting

#: A sparse matrix with at least this share of non-zero cells and at most :data:`DENSE_MAX_CELLS` cells
#: is fitted as a dense array: the same factorisation up to rounding, with BLAS products instead of
#: sparse ones (the topic stage of us-sotu, 233 documents x 3,000 terms at 23% non-zero, 88 fits:
#: 11.6 -> 8.2 CPU-s; the same k, terms and topics, shares within 3e-15, one stability score 6.5e-5
#: apart where two terms nearly tie in a refit).
DENSE_MIN_SHARE = 0.05
DENSE_MAX_CELLS = 6_000_000


def as_fitted(X):
    """``X`` as :func:`fit_nmf` fits it: dense when it is small and dense enough (see
    :data:`DENSE_MIN_SHARE`), else as it is."""
    if sparse.issparse(X):
        cells = X.shape[0] * X.shape[1]
        if 0 < cells <= DENSE_MAX_CELLS and X.nnz >= DENSE_MIN_SHARE * cells:
            return X.toarray()
    return X


def fit_nmf(X, k: int, random_state: int, max_iter: int, tol: float) -> tuple[NMF, np.ndarray]:
    """NMF with the model's settings (Frobenius loss, coordinate descent,
    ``init="nndsvda"``) fitted to ``X`` (:func:`as_fitted`); returns ``(nmf, W)``. Hitting
    ``max_iter`` is not warned about: the caps are deliberate."""
    X = as_fitted(X)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # errstate: sklearn's loss takes sqrt of a rounding-negative 0 on tiny data
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        nmf = NMF(n_components=k, init="nndsvda", solver="cd", beta_loss="frobenius",
                  max_iter=max_iter, tol=tol, random_state=random_state)
        W = nmf.fit_transform(X)
    return nmf, W


def top_indices(H: np.ndarray, n: int) -> list[list[int]]:
    """The ``n`` heaviest term columns of each topic row of ``H`` (ties by column: deterministic)."""
    return [list(np.argsort(-row, kind="stable")[:n]) for row in H]


def leading_terms(H: np.ndarray, W: np.ndarray, n: int = DISTINCT_TERMS, lam: float = DISTINCT_LAMBDA) -> list[list[int]]:
    """The ``n`` most relevant term columns of each topic of a fit ``(W, H)``
    (the ranking :func:`analysis.methods.topic_views.top_terms` shows)."""
    p_wt, _, rel = term_relevance(H, W.sum(axis=0), lam)
    out = []
    for t in range(H.shape[0]):
        r = np.where(p_wt[t] > 0, rel[t], -np.inf)
        idx = np.argsort(-r, kind="stable")[:n]
        out.append([int(i) for i in idx if np.isfinite(r[i])])
    return out


def stability_of_k(X, k: int, samples, n_terms: int, random_state: int, max_iter: int, tol: float,
                   ) -> tuple[float, list[list[int]]]:
    """Stability of k topics on ``X`` and the reference fit's leading terms.

    Returns ``(stability, leading)``: the mean :func:`ranking_agreement` of the
    top-``n_terms`` lists over all pairs among the reference fit (all rows) and
    the fits on each subsample of rows (NaN if no subsample has more rows than
    k), and :func:`leading_terms` of the reference fit.
    """
    X = as_fitted(X)  # once, not for every subsample
    nmf, W = fit_nmf(X, k, random_state, max_iter, tol)
    leading = leading_terms(nmf.components_, W)
    lists = [top_indices(nmf.components_, n_terms)]
    for idx in samples:
        if len(idx) > k:
            sub, _ = fit_nmf(X[idx], k, random_state, max_iter, tol)
            lists.append(top_indices(sub.components_, n_terms))
    if len(lists) < 2:
        return float("nan"), leading
    score = float(np.mean([ranking_agreement(lists[i], lists[j])
                           for i in range(len(lists)) for j in range(i + 1, len(lists))]))
    return score, leading


def null_matrix(X, random_state: int = 0):
    """A structureless copy of the tf-idf matrix ``X`` (units x terms).

    Each term's non-zero weights are moved to randomly chosen units (so every
    term keeps its number of units and its weights, and the corpus its size),
    then rows are scaled to unit length again. Co-occurrence, the thing topics
    are made of, is destroyed. Used as the chance baseline of stability.
    """
    rng = np.random.default_rng(random_state)
    n = X.shape[0]
    Xc = sparse.csc_matrix(X, copy=True)
    for j in range(Xc.shape[1]):
        s, e = Xc.indptr[j], Xc.indptr[j + 1]
        Xc.indices[s:e] = np.sort(rng.choice(n, e - s, replace=False))
    Xr = sparse.csr_matrix(Xc)
    Xr.sum_duplicates()
    norms = np.sqrt(np.asarray(Xr.multiply(Xr).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    Xr = sparse.csr_matrix(sparse.diags(1.0 / norms) @ Xr)
    Xr.sort_indices()
    return Xr


def score_k(k: int, X, X_null, samples, *, n_terms: int, random_state: int, max_iter: int,
            null_max_iter: int, tol: float) -> dict:
    """The :data:`SCORE_COLUMNS` row of one k (see :func:`score_ks`); ``X_null`` is
    :func:`null_matrix` of ``X``, or None for no baseline."""
    s, leading = stability_of_k(X, k, samples, n_terms, random_state, max_iter, tol)
    b = adj = float("nan")
    if X_null is not None:
        b, _ = stability_of_k(X_null, k, samples, n_terms, random_state, null_max_iter, tol)
        if np.isfinite(s) and np.isfinite(b):
            adj = (s - b) / (1.0 - b) if b < 1.0 else 0.0
    per_term, shared = distinctness(leading)
    return {"k": int(k), "stability": s, "baseline": b, "adjusted": adj, "max_topics_per_term": per_term,
            "max_shared_terms": shared, "distinct": is_distinct(per_term, shared)}


def score_ks(X, ks, samples, *, adjust: bool, n_terms: int, random_state: int, max_iter: int,
             null_max_iter: int, tol: float, k_map: Callable | None = None) -> pd.DataFrame:
    """One row per k of ``ks``: :data:`SCORE_COLUMNS`.

    ``stability`` and (when ``adjust``) ``baseline`` and ``adjusted`` as in the
    module docstring (NaN when not computed); ``max_topics_per_term``,
    ``max_shared_terms`` and ``distinct`` from :func:`distinctness` of the
    reference fit's top 10 terms.

    Each k is scored on its own (:func:`score_k`, with its own seeds), so the k's can be scored
    side by side: ``k_map(func, ks)``, like the built-in ``map`` (the default), returns
    ``func(k)`` for each k, in order (the build passes one that runs each k as a Dask task). The
    largest k, the slowest, are handed to it first.
    """
    X_null = null_matrix(X, random_state) if adjust else None
    one = partial(score_k, X=X, X_null=X_null, samples=samples, n_terms=n_terms, random_state=random_state,
                  max_iter=max_iter, null_max_iter=null_max_iter, tol=tol)
    order = sorted((int(k) for k in ks), reverse=True)
    rows = {row["k"]: row for row in (k_map or map)(one, order)}
    return pd.DataFrame([rows[int(k)] for k in ks], columns=SCORE_COLUMNS)


def choose_k(k_scores: pd.DataFrame, n_units: int, *, criterion: str = "adjusted", min_adjusted: float = 0.15,
             choice_tol: float = 0.05, min_readable_k: int = 5, units_per_topic: int = 30,
             readable_ratio: float = 0.5) -> tuple[int, str]:
    """The number of topics by the rule of the module docstring, and why, in words.

    ``k_scores``: :func:`score_ks`'s table; ``n_units``: the fitting units.
    Returns ``(k, reason)``; the reason is a plain sentence such as "8 topics:
    of the numbers from 5 to 12 that give distinct topics, 8 gives the topics
    that come back most reliably when the model is refitted on resampled text".
    """
    ks = k_scores["k"].astype(int).tolist()
    if len(ks) == 1:
        return ks[0], f"{ks[0]} topics: the only number of topics these texts allow"
    col = "adjusted" if criterion == "adjusted" else "stability"
    vals = k_scores[col].astype(float).fillna(-np.inf).to_numpy()
    ok = _candidates(k_scores, col, min_adjusted)
    if not ok.any():
        top = float(np.max(vals))
        return ks[0], (f"{ks[0]} topics, the fewest tried: no number of topics from {ks[0]} to {ks[-1]} gave "
                       f"distinct topics that come back clearly more reliably than chance when the model is "
                       f"refitted on resampled text (best {top:.2f} above chance), so treat these topics as tentative")
    arr = np.asarray(ks)
    lo = smallest_considered(k_scores, n_units, criterion=criterion, min_adjusted=min_adjusted,
                             min_readable_k=min_readable_k, units_per_topic=units_per_topic,
                             readable_ratio=readable_ratio)
    ok &= arr >= lo
    top = float(vals[ok].max())
    best = int(arr[ok & (vals >= top - choice_tol)].min())
    score = float(vals[arr == best][0])
    what = "above chance " if col == "adjusted" else ""
    return best, (f"{best} topics: of the numbers from {lo} to {ks[-1]} that give distinct topics (no leading "
                  f"word shared by more than {MAX_TOPICS_PER_TERM} topics), {best} gives the topics that come back "
                  f"most reliably when the model is refitted on resampled text ({score:.2f} {what}on a scale to 1; "
                  f"scores within {choice_tol:g} of the best count as ties and go to fewer topics)")


def _candidates(k_scores: pd.DataFrame, col: str, min_adjusted: float) -> np.ndarray:
    vals = k_scores[col].astype(float).fillna(-np.inf).to_numpy()
    distinct = k_scores["distinct"].astype(bool).to_numpy() if "distinct" in k_scores else np.ones(len(vals), bool)
    floor = min_adjusted if col == "adjusted" else -np.inf
    return distinct & (vals >= floor) & np.isfinite(vals)


def smallest_considered(k_scores: pd.DataFrame, n_units: int, *, criterion: str = "adjusted",
                        min_adjusted: float = 0.15, min_readable_k: int = 5, units_per_topic: int = 30,
                        readable_ratio: float = 0.5, **_) -> int:
    """The smallest k the rule of :func:`choose_k` may pick (step 2 of the module docstring):
    ``min_readable_k`` on a corpus large enough to read that many topics, when those are at
    least ``readable_ratio`` times as reliable as the best; else the smallest k scored."""
    ks = np.asarray(k_scores["k"].astype(int).tolist())
    if len(ks) == 0:
        return 0
    col = "adjusted" if criterion == "adjusted" else "stability"
    vals = k_scores[col].astype(float).fillna(-np.inf).to_numpy()
    ok = _candidates(k_scores, col, min_adjusted)
    readable = ok & (ks >= min_readable_k)
    if (ok.any() and n_units >= units_per_topic * min_readable_k and readable.any()
            and float(vals[readable].max()) >= readable_ratio * float(vals[ok].max())):
        return int(max(ks.min(), min_readable_k))
    return int(ks.min())
