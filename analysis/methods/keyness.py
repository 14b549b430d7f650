"""Keyness: which terms a group of documents uses more (or less) than others.

Every measure compares, for one term, the 2 x 2 table

=================  ==================  ====================
                   target              reference
=================  ==================  ====================
the term           ``a``               ``b``
all other words    ``N_t - a``         ``N_r - b``
=================  ==================  ====================

where ``N_t`` and ``N_r`` are the word totals (all tokens, stopwords included,
as in ``docs["n_words"]``) of the target and reference documents. The same
totals are used for n-grams (the usual approximation). Sign convention for
every score: **positive = over-used in the target**, negative = under-used.

- ``g2``: log-likelihood G2 (Rayson & Garside 2000), summed over all four
  cells: ``G2 = 2 * sum(O * ln(O / E))`` with ``E`` the expected count under
  independence (row total x column total / grand total) and ``0 * ln 0 = 0``.
  G2 itself is never negative; we give it the sign of the difference between
  the relative frequencies ``a/N_t - b/N_r`` (as quanteda does), so sorting
  by ``g2`` puts the target's key terms first. ``p_value`` is the chi-squared
  (1 degree of freedom) upper tail of ``|g2|``: 3.84 -> 0.05, 6.63 -> 0.01,
  10.83 -> 0.001, 15.13 -> 0.0001. Many terms are tested at once, so treat
  p-values as a ranking aid, not as proof.
- ``log_ratio``: Log Ratio (Hardie 2014), ``log2((a / N_t) / (b / N_r))``,
  the binary log of the ratio of relative frequencies: +1 = twice as frequent
  in the target, -1 = half as frequent. A zero count (``a`` or ``b``) is
  replaced by 0.5 before dividing, the corpus totals unchanged, so the value
  stays finite (it is then a bound, not an estimate).
- ``logodds_z``: the log-odds ratio with an informative Dirichlet prior
  (Monroe, Colaresi & Quinn 2008, "Fightin' words"), as a z-score; delta and
  its variance are those of Scattertext's
  ``LogOddsRatioInformativeDirichletPrior`` (all four variance terms, where
  Monroe et al. keep the first and third). With prior pseudo-counts
  ``alpha_w`` for the term and ``alpha_0`` for all words, the same on both sides::

      delta = ln((a + alpha_w) / (N_t + alpha_0 - a - alpha_w))
            - ln((b + alpha_w) / (N_r + alpha_0 - b - alpha_w))
      var   = 1/(a + alpha_w) + 1/(N_t + alpha_0 - a - alpha_w)
            + 1/(b + alpha_w) + 1/(N_r + alpha_0 - b - alpha_w)
      z     = delta / sqrt(var)

  The prior comes from the whole corpus: ``alpha_w = prior_size * c_w / C``
  with ``c_w`` the term's count in all documents of the index and ``C`` all
  their words, so ``alpha_0 = prior_size``. ``prior_size=None`` (default)
  uses ``C`` itself, i.e. ``alpha_w = c_w``: the corpus counts as prior.
  (Scattertext instead scales the prior to each side's size; with one prior
  for both sides the score is antisymmetric: swapping target and reference
  flips its sign.)
  |z| > 1.96 is the usual threshold for a distinctive term.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import chi2

from analysis.methods.terms import TermIndex, as_index, rate_per_10k

KEYNESS_COLUMNS = ["term", "ngram", "count_target", "count_reference", "rate_target", "rate_reference",
                   "g2", "p_value", "log_ratio", "logodds_z"]


def keyness_scores(
    count_target,
    count_reference,
    n_target: float,
    n_reference: float,
    prior_counts=None,
    prior_total: float | None = None,
    prior_size: float | None = None,
) -> pd.DataFrame:
    """The keyness measures for arrays of term counts (see the module docstring).

    ``count_target``/``count_reference``: counts of each term (``a``, ``b``);
    ``n_target``/``n_reference``: word totals (``N_t``, ``N_r``).
    ``prior_counts``/``prior_total``: background counts ``c_w`` and total
    ``C`` for the log-odds prior (default: ``a + b`` and ``N_t + N_r``);
    ``prior_size``: ``alpha_0`` (default ``C``).

    Returns columns ``count_target``, ``count_reference``, ``rate_target``,
    ``rate_reference`` (per 10,000 words), ``g2`` (signed), ``p_value``,
    ``log_ratio``, ``logodds_z``, one row per term, in input order.
    """
    a = np.asarray(count_target, dtype=float)
    b = np.asarray(count_reference, dtype=float)
    nt, nr = float(n_target), float(n_reference)
    if nt <= 0 or nr <= 0:
        raise ValueError("target and reference must both contain words")
    if np.any(a > nt) or np.any(b > nr) or np.any(a < 0) or np.any(b < 0):
        raise ValueError("counts must lie between 0 and the word totals")
    n = nt + nr
    k = a + b
    observed = (a, b, nt - a, nr - b)
    expected = (nt * k / n, nr * k / n, nt * (n - k) / n, nr * (n - k) / n)
    g2 = np.zeros_like(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, e in zip(observed, expected):
            g2 += np.where(o > 0, o * np.log(o / e), 0.0)
    g2 = np.maximum(2.0 * g2, 0.0)  # clip rounding noise below zero
    diff = a / nt - b / nr
    p_value = chi2.sf(g2, 1)
    g2 = np.sign(diff) * g2

    log_ratio = np.log2((np.where(a > 0, a, 0.5) / nt) / (np.where(b > 0, b, 0.5) / nr))

    c = k if prior_counts is None else np.asarray(prior_counts, dtype=float)
    total = n if prior_total is None else float(prior_total)
    size = total if prior_size is None else float(prior_size)
    alpha_w = size * c / total
    alpha_0 = size
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((a + alpha_w) / (nt + alpha_0 - a - alpha_w))
                 - np.log((b + alpha_w) / (nr + alpha_0 - b - alpha_w)))
        var = (1 / (a + alpha_w) + 1 / (nt + alpha_0 - a - alpha_w)
               + 1 / (b + alpha_w) + 1 / (nr + alpha_0 - b - alpha_w))
        z = delta / np.sqrt(var)
    return pd.DataFrame({
        "count_target": a.astype(np.int64) if np.all(a == np.round(a)) else a,
        "count_reference": b.astype(np.int64) if np.all(b == np.round(b)) else b,
        "rate_target": rate_per_10k(a, nt),
        "rate_reference": rate_per_10k(b, nr),
        "g2": g2,
        "p_value": p_value,
        "log_ratio": log_ratio,
        "logodds_z": z,
    })


def _values(x) -> list[str]:
    if isinstance(x, str) or not isinstance(x, Iterable):
        return [str(x)]
    return [str(v) for v in x]


def _table(index: TermIndex, a, b, nt, nr, min_count, prior_size) -> pd.DataFrame:
    prior_counts = np.asarray(index.counts.sum(axis=0)).ravel()
    keep = np.flatnonzero((a + b > 0) & (a + b >= min_count))
    scores = keyness_scores(a[keep], b[keep], nt, nr, prior_counts=prior_counts[keep],
                            prior_total=float(index.n_words.sum()), prior_size=prior_size)
    scores.insert(0, "ngram", index.term_n[keep])
    scores.insert(0, "term", index.terms[keep])
    scores = scores.sort_values(["g2", "term"], ascending=[False, True], kind="stable")
    return scores.reset_index(drop=True)[KEYNESS_COLUMNS]


def keyness(
    source,
    by,
    target,
    reference=None,
    min_count: int = 3,
    prior_size: float | None = None,
    **index_kwargs,
) -> pd.DataFrame:
    """Distinctive terms of the ``target`` group against a reference.

    ``source``: a :class:`analysis.methods.terms.TermIndex`, or documents (a
    ``Prepared`` or a DataFrame), indexed with ``index_kwargs`` (see
    :func:`analysis.methods.terms.build_index`: n-grams, stopwords; stopwords are
    hidden from the table but always count in the word totals).
    ``by``: metadata column (e.g. ``"author"``, ``"party"``). ``target``: a
    value of that column, or a list of values pooled together.
    ``reference``: a value or list of values; ``None`` (default) = every
    document not in the target ("the rest", including documents with an
    empty value). The log-odds prior always comes from the whole index.
    ``min_count``: keep terms with ``count_target + count_reference >= min_count``.
    ``prior_size``: ``alpha_0`` of the log-odds prior (default: the corpus's
    word total; see the module docstring).

    Returns one row per term, columns :data:`KEYNESS_COLUMNS`: ``term``,
    ``ngram`` (words in the term), ``count_target``, ``count_reference``,
    ``rate_target``, ``rate_reference`` (per 10,000 words), ``g2`` (signed,
    positive = over-used in the target), ``p_value``, ``log_ratio``,
    ``logodds_z``; sorted by ``g2``, highest first (then term). The word
    totals are in ``result.attrs["n_target"]`` / ``["n_reference"]``.
    """
    index = as_index(source, **index_kwargs)
    labels, codes = index.group_codes(by)
    lab = labels.astype(str)
    t_rows = np.isin(lab[codes], _values(target))
    if not t_rows.any():
        raise ValueError(f"no document has {by!r} = {target!r}")
    if reference is None:
        r_rows = ~t_rows
    else:
        r_rows = np.isin(lab[codes], _values(reference)) & ~t_rows
        if not r_rows.any():
            raise ValueError(f"no document has {by!r} = {reference!r} (outside the target)")
    a = np.asarray(index.counts[t_rows].sum(axis=0)).ravel()
    b = np.asarray(index.counts[r_rows].sum(axis=0)).ravel()
    nt, nr = int(index.n_words[t_rows].sum()), int(index.n_words[r_rows].sum())
    out = _table(index, a, b, nt, nr, min_count, prior_size)
    out.attrs.update(n_target=nt, n_reference=nr)
    return out


def keyness_all(
    source,
    by,
    min_count: int = 3,
    top: int | None = None,
    prior_size: float | None = None,
    **index_kwargs,
) -> pd.DataFrame:
    """One-vs-rest keyness for every group of ``by``.

    Each group with a non-empty value is the target in turn, and all other
    documents (whatever their value) are the reference; see :func:`keyness`
    for the parameters and columns. ``top``: keep only the ``top`` rows per
    group with the highest ``g2`` (the group's most over-used terms).

    Returns the :func:`keyness` columns preceded by the ``by`` column naming
    the target group; groups in sorted order, each sorted by ``g2``.
    """
    index = as_index(source, **index_kwargs)
    g = index.group_matrix(by)
    total = np.asarray(g.counts.sum(axis=0)).ravel()
    n_all = int(g.n_words.sum())
    name = by if isinstance(by, str) else "group"
    frames = []
    for r, label in enumerate(g.labels):
        if str(label) == "" or g.n_words[r] == n_all:
            continue
        a = g.counts[r].toarray().ravel()
        t = _table(index, a, total - a, int(g.n_words[r]), n_all - int(g.n_words[r]), min_count, prior_size)
        if top is not None:
            t = t.head(top)
        t.insert(0, name, label)
        frames.append(t)
    if not frames:
        raise ValueError(f"keyness needs at least two groups of {by!r} with words")
    return pd.concat(frames, ignore_index=True)
