"""Tone of groups of documents (author, party, year, ...) with bootstrap intervals, and date bins.

:func:`group_scores` is the mean document score per group with a 95% percentile
bootstrap interval (over documents; over sentences for a one-document group);
:func:`date_bins` turns dates into year or decade labels. Used by every sentiment
method alike (the measure is a column of the document table).
"""

from __future__ import annotations

import math
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

import numpy as np
import pandas as pd

from analysis.methods import lexicons as fast

__all__ = ["MEASURE_TO_SENTENCE", "DATE_FREQS", "BOOT_BLOCK", "date_bins", "bootstrap_interval", "bootstrap_intervals",
           "group_scores", "group_scores_many", "document_interval_inputs", "interval_columns", "interval_inputs_at",
           "interval_key", "fill_intervals", "GroupScorePlan", "plan_group_scores"]

#: The sentence column behind each document measure (a one-document group's interval re-draws it).
MEASURE_TO_SENTENCE = {
    "polarity": "polarity", "polarity_mean": "polarity",
    "subjectivity": "subjectivity", "subjectivity_mean": "subjectivity",
    "vader_mean": "vader", "vader": "vader", "vader_doc": "vader",
    "classifier_mean": "classifier", "classifier": "classifier",
}


_YEAR_RE = re.compile(r"^\s*(\d{4})(?:$|[-/.\s])")
DATE_FREQS = ("year", "decade")


def date_bins(dates: Iterable, freq: str = "year") -> pd.Series:
    """Date strings to bin labels: ``"1995"`` (year) or ``"1990s"`` (decade).

    Accepts "YYYY", "YYYY-MM" and "YYYY-MM-DD" (anything starting with a
    four-digit year); empty or unparseable dates give ``""`` (shown as
    "Unknown date" by the UI). Labels sort chronologically as strings.
    """
    if freq not in DATE_FREQS:
        raise ValueError(f"freq must be one of {DATE_FREQS}, not {freq!r}")
    index = dates.index if isinstance(dates, pd.Series) else None
    values = list(dates)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)  # each date once
    out = []
    for d in uniques:
        m = _YEAR_RE.match("" if d is None or (isinstance(d, float) and math.isnan(d)) else str(d))
        if not m:
            out.append("")
            continue
        y = int(m.group(1))
        out.append(str(y) if freq == "year" else f"{y - y % 10}s")
    return pd.Series(np.asarray(out, dtype=object)[codes] if len(values) else [], dtype=object, index=index)


#: Resamples are drawn in blocks of this size, each from its own random stream spawned from the seed
#: (numpy ``SeedSequence.spawn``), so an interval does not depend on how many threads draw the blocks.
BOOT_BLOCK = 250
#: Below this many drawn values (resamples x sample size) the blocks are drawn in the calling thread.
THREADED_DRAWS = 2_000_000
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                       thread_name_prefix="bootstrap")
        return _POOL


def _bootstrap_block(samples: list[tuple[np.ndarray, np.ndarray | None]], n_resamples: int,
                     seed: np.random.SeedSequence) -> list[np.ndarray]:
    """``n_resamples`` (weighted) means of resamples of each ``(values, weights)`` of ``samples``
    (all of one size), drawn from one stream. The draws are shared by all the samples: each
    resample is counted (how often it took each row), and a sample's resampled (weighted) mean is
    its values summed with those counts (a matrix product, not a gather per sample)."""
    n = len(samples[0][0])
    rng = np.random.default_rng(seed)
    stats = [np.empty(n_resamples) for _ in samples]
    plain = [(np.asarray(v, dtype=float), None if w is None else np.asarray(w, dtype=float)) for v, w in samples]
    finite = [bool(np.isfinite(v).all() and (w is None or np.isfinite(w).all())) for v, w in plain]
    rows = max(1, min(n_resamples, 500_000 // max(n, 1)))  # one draw: ~4 MB of indices (cache-sized; faster)
    done = 0
    while done < n_resamples:
        r = min(rows, n_resamples - done)
        idx = rng.integers(0, n, size=(r, n))
        counts = None
        if any(finite):
            counts = np.bincount((idx + (np.arange(r) * n)[:, None]).ravel(), minlength=r * n)
            counts = counts.reshape(r, n).astype(float)
        for (values, weights), ok, out in zip(plain, finite, stats):
            with np.errstate(invalid="ignore", divide="ignore"):
                if ok and weights is None:
                    out[done:done + r] = (counts @ values) / n
                elif ok:
                    tot = counts @ weights
                    out[done:done + r] = np.where(tot > 0, (counts @ (values * weights)) / tot, np.nan)
                elif weights is None:  # a NaN or infinity counts only in the resamples that draw it
                    out[done:done + r] = values[idx].mean(axis=1)
                else:
                    w = weights[idx]
                    tot = w.sum(axis=1)
                    out[done:done + r] = np.where(tot > 0, (values[idx] * w).sum(axis=1) / tot, np.nan)
        done += r
    return stats


def bootstrap_interval(values: np.ndarray, weights: np.ndarray | None, n_boot: int = 2000, seed: int = 0,
                       ci: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the (weighted) mean of ``values``: ``n_boot`` resamples
    with replacement, drawn in blocks of :data:`BOOT_BLOCK` from streams spawned from ``seed``
    (large samples draw the blocks in parallel threads; the result is the same)."""
    return bootstrap_intervals([(values, weights)], n_boot, seed, ci)[0]


def bootstrap_intervals(samples: list[tuple[np.ndarray, np.ndarray | None]], n_boot: int = 2000, seed: int = 0,
                        ci: float = 0.95) -> list[tuple[float, float]]:
    """:func:`bootstrap_interval` of each ``(values, weights)`` of ``samples``: the same numbers,
    cheaper. Which rows a resample takes depends only on the sample's size and ``seed``, so the
    samples of one size (the measures of one document, groups of equal size) share one draw of
    the indices; drawing them is most of a bootstrap's work."""
    out: list = [None] * len(samples)
    by_size: dict[int, list[int]] = {}
    for i, (values, _) in enumerate(samples):
        by_size.setdefault(len(values), []).append(i)
    sizes = [min(BOOT_BLOCK, n_boot - start) for start in range(0, n_boot, BOOT_BLOCK)]
    alpha = (1.0 - ci) / 2.0
    for n, at in by_size.items():
        group = [samples[i] for i in at]
        jobs = list(zip(sizes, np.random.SeedSequence(seed).spawn(len(sizes))))
        if len(jobs) > 1 and n * n_boot >= THREADED_DRAWS:
            parts = list(_pool().map(lambda job: _bootstrap_block(group, *job), jobs))
        else:
            parts = [_bootstrap_block(group, *job) for job in jobs]
        for k, i in enumerate(at):
            stats = np.concatenate([p[k] for p in parts]) if parts else np.empty(0)
            if np.isnan(stats).all():  # no resample had any weight (e.g. no sentiment word at all)
                out[i] = (math.nan, math.nan)
                continue
            lo, hi = np.nanpercentile(stats, [100 * alpha, 100 * (1 - alpha)])
            out[i] = (float(lo), float(hi))
    return out


def interval_columns(sentences: pd.DataFrame, measure: str) -> dict[str, np.ndarray]:
    """The columns of ``sentences`` that one-document intervals of ``measure`` read, as numpy
    arrays (``n_words``, the measure's sentence column, ``masked``, ``n_assessments`` and, only
    when the weights need it, ``text``): a group's rows are then taken cheaply (a take from the
    Arrow strings of a store's table costs about a millisecond)."""
    col = MEASURE_TO_SENTENCE.get(measure, measure)
    have = sentences.columns
    out = {"n_words": sentences["n_words"].to_numpy(dtype=float)}
    if col in have:  # (read only by one-document groups, as before)
        out[col] = sentences[col].to_numpy(dtype=float)
    if "masked" in have:
        out["masked"] = sentences["masked"].fillna(False).to_numpy(dtype=bool)
    if "n_assessments" in have:
        out["n_assessments"] = sentences["n_assessments"].to_numpy(dtype=float)
    if measure in ("polarity", "subjectivity") and "text" in have and (
            "n_assessments" not in have or ("masked" in out and out["masked"].any())):
        out["text"] = sentences["text"].astype(str).to_numpy(dtype=object)
    return out


def _sentence_weights(cols: dict[str, np.ndarray], rows: np.ndarray, measure: str) -> np.ndarray:
    """Bootstrap weights for one document's sentences at ``rows`` of ``cols``
    (:func:`interval_columns`; see :func:`group_scores`): for the whole-text measures the number of
    TextBlob assessments of each sentence's own text (read from ``n_assessments`` where the sentence
    was scored unmasked, else counted from its ``text``), else word counts."""
    if measure in ("polarity", "subjectivity"):
        masked = cols["masked"][rows] if "masked" in cols else np.zeros(len(rows), dtype=bool)
        if "n_assessments" in cols and not masked.any():
            return cols["n_assessments"][rows]
        if "text" in cols:
            texts = cols["text"][rows]
            if "n_assessments" in cols:
                stored = cols["n_assessments"][rows]
                return np.array([len(fast.textblob_assessments(t)) if m else w
                                 for t, m, w in zip(texts, masked, stored)], dtype=float)
            return np.array([len(fast.textblob_assessments(t)) for t in texts], dtype=float)
    return cols["n_words"][rows]


def interval_inputs_at(cols: dict[str, np.ndarray], rows: np.ndarray, measure: str) -> tuple | None:
    """:func:`document_interval_inputs` of the document whose sentences are ``rows`` of ``cols``
    (:func:`interval_columns` of a table of many documents' sentences)."""
    rows = rows[cols["n_words"][rows] > 0]
    if len(rows) < 2:
        return None
    return cols[MEASURE_TO_SENTENCE.get(measure, measure)][rows], _sentence_weights(cols, rows, measure)


def document_interval_inputs(sentences: pd.DataFrame, measure: str) -> tuple | None:
    """``(values, weights)`` that :func:`group_scores` resamples for a group of one document
    whose scored sentences are ``sentences`` (that document's rows only), or None when it has
    fewer than two sentences with words (then the group gets no interval)."""
    return interval_inputs_at(interval_columns(sentences, measure), np.arange(len(sentences)), measure)


def interval_key(values: np.ndarray, weights: np.ndarray | None, n_boot: int = 2000, seed: int = 0,
                 ci: float = 0.95) -> tuple:
    """The key of a bootstrap interval in a ``memo`` of :func:`group_scores`: its exact inputs."""
    return (values.tobytes(), None if weights is None else weights.tobytes(), n_boot, seed, ci)


def fill_intervals(memo: dict, inputs: list[tuple], n_boot: int = 2000, seed: int = 0, ci: float = 0.95) -> list:
    """The :func:`interval_key` of each ``(values, weights)`` of ``inputs``, after drawing into
    ``memo`` (key -> ``(lo, hi)``) the intervals it lacks, all at once (:func:`bootstrap_intervals`)."""
    keys = [interval_key(*got, n_boot, seed, ci) for got in inputs]
    missing = {}
    for key, got in zip(keys, inputs):
        if key not in memo:
            missing.setdefault(key, got)
    memo.update(zip(missing, bootstrap_intervals(list(missing.values()), n_boot, seed, ci)))
    return keys


def group_scores(doc_scores: pd.DataFrame, docs: pd.DataFrame, by: str, measure: str = "polarity",
                 n_boot: int = 2000, seed: int = 0, sentences: pd.DataFrame | None = None,
                 date_freq: str | None = None, ci: float = 0.95, memo: dict | None = None) -> pd.DataFrame:
    """Mean document score per group of a metadata column, with a bootstrap interval.

    ``by`` is a column of ``docs`` (author, source, party, type, ...). With
    ``date_freq`` ("year" or "decade") the column's values are dates and are
    binned by :func:`date_bins`; ``by="date"`` without ``date_freq`` bins by
    year. Empty values form their own group ``""`` (not dropped; the UI shows
    it as "Unknown ...").

    ``measure`` is a column of ``doc_scores`` (:func:`document_scores`):
    ``polarity``/``subjectivity`` (TextBlob, whole text), ``polarity_mean``,
    ``subjectivity_mean`` or ``vader_mean`` (word-weighted sentence means).

    Returns one row per group, sorted by group label (``""`` last):
    ``group, n_docs, n_sentences, mean, lo, hi, interval_basis``
    (``n_sentences`` only when ``sentences`` are given) where

    - ``mean`` = unweighted mean of the group's document scores (each document
      counts once, whatever its length);
    - ``lo``/``hi`` = ``ci`` (95%) percentile bootstrap interval: ``n_boot``
      resamples of the group's documents with replacement (fixed ``seed``;
      each group's resamples are drawn in blocks of :data:`BOOT_BLOCK` from
      streams spawned from that seed, alike for every group, so a group's
      interval does not depend on which other groups are present or on how
      many threads drew the blocks);
      ``interval_basis="documents"``;
    - for a group with a single document, when ``sentences`` (scored, see
      :func:`score_sentences`) are given: resamples of that document's
      sentences; ``interval_basis="sentences"``. For the whole-text measures
      (``polarity``, ``subjectivity``) each resample's statistic is the mean
      of its sentences' scores weighted by their number of TextBlob
      assessments, which on the full sample is (up to chunks that straddle a
      sentence break) the whole-text score itself, so the interval is centred
      on ``mean``; for the sentence-mean measures the weights are word counts;
    - otherwise (one document with one sentence, or no sentences given)
      ``lo``/``hi`` are NaN and ``interval_basis="none"``.
    Documents whose score is NaN (no words) are left out of ``mean`` and the
    interval but counted in ``n_docs``. ``memo``: a dict shared by several calls (e.g. every
    column's groups of one corpus) so that an interval drawn from the same values is drawn once;
    the results are the same with or without it.
    """
    return group_scores_many(doc_scores, docs, by, [measure], n_boot, seed, sentences, date_freq, ci, memo)[0]


def group_scores_many(doc_scores: pd.DataFrame, docs: pd.DataFrame, by: str, measures: list[str],
                      n_boot: int = 2000, seed: int = 0, sentences: pd.DataFrame | None = None,
                      date_freq: str | None = None, ci: float = 0.95, memo: dict | None = None
                      ) -> list[pd.DataFrame]:
    """:func:`group_scores` for each of ``measures``, the same tables: the intervals of all of them
    are drawn together (:func:`bootstrap_intervals`), so the measures of a group share their
    resample indices."""
    plan = plan_group_scores(doc_scores, docs, by, measures, sentences, date_freq)
    memo = {} if memo is None else memo
    fill_intervals(memo, plan.inputs, n_boot, seed, ci)
    return plan.tables(memo, n_boot, seed, ci)


class GroupScorePlan:
    """The tables of :func:`group_scores_many` before their intervals are drawn: ``inputs`` are the
    ``(values, weights)`` to resample (:func:`fill_intervals` draws them into a memo, anywhere: the
    draws depend only on the inputs and the seed); :meth:`tables` then reads them from the memo."""

    def __init__(self, labels: list, planned: list, with_sentences: bool):
        self.labels, self.planned, self.with_sentences = labels, planned, with_sentences
        self.inputs = [row[4] for rows in planned for row in rows if row[4] is not None]

    def tables(self, memo: dict, n_boot: int = 2000, seed: int = 0, ci: float = 0.95) -> list[pd.DataFrame]:
        """One table per measure (:func:`group_scores`' columns); every interval must be in ``memo``."""
        columns = ["group", "n_docs", "n_sentences", "mean", "lo", "hi", "interval_basis"]
        labels = self.labels  # every measure's rows are in this order
        order = sorted(range(len(labels)), key=lambda i: (labels[i] == "", labels[i]))  # "" last
        out = []
        for rows in self.planned:
            bounds = [memo[interval_key(*row[4], n_boot, seed, ci)] if row[4] is not None else (np.nan, np.nan)
                      for row in rows]
            if rows:
                table = pd.DataFrame({"group": [labels[i] for i in order],
                                      "n_docs": [rows[i][1] for i in order],
                                      "n_sentences": [rows[i][2] for i in order],
                                      "mean": [rows[i][3] for i in order],
                                      "lo": [bounds[i][0] for i in order], "hi": [bounds[i][1] for i in order],
                                      "interval_basis": [rows[i][5] for i in order]})
            else:
                table = pd.DataFrame([], columns=columns)
            if not self.with_sentences:
                table = table.drop(columns="n_sentences")
            out.append(table)
        return out


def plan_group_scores(doc_scores: pd.DataFrame, docs: pd.DataFrame, by: str, measures: list[str],
                      sentences: pd.DataFrame | None = None, date_freq: str | None = None) -> GroupScorePlan:
    """The :class:`GroupScorePlan` of :func:`group_scores_many`: groups, counts, means and the
    inputs of the intervals still to draw."""
    for measure in measures:
        if measure not in doc_scores.columns:
            raise ValueError(f"unknown measure {measure!r}; expected a column of doc_scores")
    if by not in docs.columns:
        raise ValueError(f"unknown column {by!r}; docs has {list(docs.columns)}")
    if by == "date" and date_freq is None:
        date_freq = "year"
    meta = docs[["doc_id", by]].copy()
    meta["doc_id"] = meta["doc_id"].astype(str)
    if date_freq is not None:
        meta["group"] = date_bins(meta[by].tolist(), date_freq).to_numpy()
    else:
        meta["group"] = meta[by].fillna("").astype(str).str.strip().to_numpy()
    scores = doc_scores[["doc_id", *dict.fromkeys(measures)]].copy()
    scores["doc_id"] = scores["doc_id"].astype(str)
    ids = meta["doc_id"].to_numpy(dtype=object)
    if len(ids) == len(scores) and np.array_equal(ids, scores["doc_id"].to_numpy(dtype=object)) \
            and meta["doc_id"].is_unique:  # as a left merge gives, without matching the ids again
        df = pd.concat([meta.reset_index(drop=True), scores.drop(columns="doc_id").reset_index(drop=True)], axis=1)
    else:
        df = meta.merge(scores, on="doc_id", how="left")
    groups = df.groupby("group", sort=False).indices
    doc_ids = df["doc_id"].to_numpy()
    sent_groups = n_sent_of = None
    if sentences is not None:
        sent_ids = sentences["doc_id"].astype(str).to_numpy()
        sent_groups = pd.Series(sent_ids).groupby(sent_ids, sort=False).indices  # doc -> sentence positions
        n_sent = {d: len(pos) for d, pos in sent_groups.items()}
        n_sent_of = np.array([n_sent.get(d, 0) for d in df["doc_id"].tolist()], dtype=np.int64)
    planned = []  # per measure: (label, n_docs, n_sentences, mean, interval inputs or None, basis)
    for measure in measures:
        cols = interval_columns(sentences, measure) if sentences is not None else None
        doc_vals = df[measure].to_numpy(dtype=float)
        rows = []
        for label, at in groups.items():
            vals_all = doc_vals[at]
            has = ~np.isnan(vals_all)
            vals = vals_all[has]
            n_sentences = int(n_sent_of[at].sum()) if sent_groups is not None else np.nan
            mean = float(vals.mean()) if len(vals) else np.nan
            inputs, basis = None, "none"
            if len(vals) >= 2:
                inputs, basis = (vals, None), "documents"
            elif len(vals) == 1 and sent_groups is not None:
                pos = sent_groups.get(doc_ids[at][has][0])
                if pos is not None and (cols["n_words"][pos] > 0).sum() >= 2:
                    inputs, basis = interval_inputs_at(cols, pos, measure), "sentences"
            rows.append((label, len(at), n_sentences, mean, inputs, basis))
        planned.append(rows)
    return GroupScorePlan(list(groups), planned, sent_groups is not None)
