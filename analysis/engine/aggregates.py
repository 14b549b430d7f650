"""The aggregates a store precomputes for the whole corpus, and the tone of any set of groups.

:func:`compute_aggregates` makes the ``agg_*`` tables of :mod:`analysis.engine.store` from a store
being written: tone per group of every group column (:func:`analysis.methods.sentiment.group_scores`,
mean document score and 95% bootstrap interval), the same within each value of the app's filter
columns ("cells"), the most frequent words per group and the mean topic share per group.
:func:`tone_by_label` and :class:`ToneCache` compute tone for any grouping of documents (the
reader uses them for filtered views); :func:`group_topic_shares` the topic shares per group.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from analysis.engine.store_format import (CELL_MEASURES, CELL_SEP, FILTER_COLUMNS, GROUP_TOP_TERMS, MAX_GROUPS,
                                          MEASURES, candidate_group_columns, group_values)

__all__ = ["compute_aggregates", "cell_sentiment", "ToneCache", "tone_by_label", "rate_per_10k",
           "group_topic_shares", "INTERVAL_BATCHES",
           "plan_tone_by_label", "draw_intervals", "draw_interval_batch"]

#: The groups' and cells' bootstrap intervals are drawn in at most this many tasks.
INTERVAL_BATCHES = 16


class ToneCache:
    """What several :func:`tone_by_label` calls over one store share: the bootstrap intervals
    already drawn (``memo`` of :func:`analysis.methods.sentiment.group_scores`) and the sentences of
    the one-document groups already read."""

    def __init__(self, store):
        self.store = store
        self.memo: dict = {}
        self._sentences: dict[str, pd.DataFrame] = {}

    def sentences(self, doc_ids: list[str]) -> pd.DataFrame:
        missing = [d for d in dict.fromkeys(doc_ids) if d not in self._sentences]
        if missing:
            got = interval_sentences(self.store, missing)
            for d, g in got.groupby(got["doc_id"].astype(str), sort=False):
                self._sentences[d] = g
            empty = got.iloc[:0]
            for d in missing:
                self._sentences.setdefault(d, empty)
        frames = [self._sentences[d] for d in doc_ids]
        return pd.concat(frames, ignore_index=True) if frames else None


def tone_by_label(store, scores: pd.DataFrame, doc_ids, labels,
                  measures, cache: ToneCache | None = None) -> list[tuple[str, pd.DataFrame]]:
    """``(measure, group_scores)`` for each of ``measures``, the documents ``doc_ids`` grouped by
    ``labels`` (:func:`analysis.methods.sentiment.group_scores`); the sentences of one-document groups are
    read from ``store`` once, for their sentence intervals (through ``cache`` when given)."""
    from analysis.methods.tone_groups import fill_intervals

    sentences = cache.sentences if cache is not None else (lambda ids: store.sentences(doc_ids=ids))
    memo = cache.memo if cache is not None else {}
    plan = plan_tone_by_label(scores, doc_ids, labels, measures, sentences)
    fill_intervals(memo, plan.inputs)
    return list(zip(measures, plan.tables(memo)))


def plan_tone_by_label(scores: pd.DataFrame, doc_ids, labels, measures, sentences):
    """The :class:`analysis.methods.tone_groups.GroupScorePlan` of :func:`tone_by_label` (its
    intervals not yet drawn); ``sentences(doc_ids)`` reads the sentences of one-document groups
    (:meth:`ToneCache.sentences`)."""
    from analysis.methods.tone_groups import plan_group_scores

    meta = pd.DataFrame({"doc_id": pd.Series(doc_ids).astype(str).to_numpy(), "_g": labels})
    codes, _ = pd.factorize(meta["_g"], use_na_sentinel=False)
    alone = np.bincount(codes)[codes] == 1 if len(codes) else np.zeros(0, dtype=bool)
    single = meta["doc_id"].to_numpy()[alone].tolist()
    sents = sentences(single) if single else None
    return plan_group_scores(scores, meta, "_g", list(measures), sentences=sents)


def draw_interval_batch(inputs: list[tuple]) -> dict:
    """Task: the bootstrap intervals of ``inputs`` (``(values, weights)`` each), as a ``memo``
    (:func:`analysis.methods.tone_groups.fill_intervals`): the same numbers wherever it runs."""
    from analysis.methods.tone_groups import fill_intervals

    memo: dict = {}
    fill_intervals(memo, inputs)
    return memo


def draw_intervals(memo: dict, inputs: list[tuple], run_tasks=None) -> Callable[[], None]:
    """Draw into ``memo`` the intervals of ``inputs`` it lacks: here, or through
    ``run_tasks(func, [args, ...])`` in up to :data:`INTERVAL_BATCHES` tasks of about equal work
    (the inputs of one size share their draws, so they stay together). Returns a function that
    waits until they are in ``memo``: ``run_tasks`` may return the results, or a function that
    waits for them (the caller works meanwhile)."""
    from analysis.methods.tone_groups import fill_intervals, interval_key

    missing: dict = {}
    for got in inputs:
        key = interval_key(*got)
        if key not in memo:
            missing.setdefault(key, got)
    if run_tasks is None:
        fill_intervals(memo, list(missing.values()))
        return lambda: None
    by_size: dict[int, list] = {}
    for got in missing.values():
        by_size.setdefault(len(got[0]), []).append(got)
    # the longest first, each to the lightest batch; drawing the indices costs about as much as
    # resampling two inputs with them
    units = sorted(by_size.items(), key=lambda kv: -kv[0] * (2 + len(kv[1])))
    batches: list[list] = [[] for _ in range(min(INTERVAL_BATCHES, len(units)))]
    load = np.zeros(len(batches))
    for n, unit in units:
        b = int(np.argmin(load))
        batches[b].extend(unit)
        load[b] += n * (2 + len(unit))
    got = run_tasks(draw_interval_batch, [(b,) for b in batches if b])  # (a build starts its reuse task after them)

    def wait() -> None:
        for m in (got() if callable(got) else got):
            memo.update(m)

    return wait


def rate_per_10k(count, n_words):
    """``count`` per 10,000 of ``n_words`` words (0 where there are no words)."""
    count = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_words > 0, count / max(n_words, 1) * 10_000.0, 0.0)


def group_topic_shares(doc_shares: pd.DataFrame, docs: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean topic share per group of ``column`` (as :func:`analysis.methods.topics.group_topics`:
    each document with any topic weight counts once). ``doc_shares``: long
    ``doc_id, topic, share``. Columns ``column, group, topic, share, n_docs``.

    A topic's mean is over the group's documents that have a share for it (all of
    them when, as stored, every document has a row per topic); ``n_docs`` counts the
    group's documents with any topic weight. Sums are taken with numpy over
    factorised ids (a pivot table took ~0.2 s for 40,000 documents)."""
    cols = ["column", "group", "topic", "share", "n_docs"]
    if doc_shares is None or doc_shares.empty:
        return pd.DataFrame(columns=cols)
    d_codes, d_ids = pd.factorize(doc_shares["doc_id"].astype(str), sort=False)
    topics, t_codes = np.unique(doc_shares["topic"].to_numpy(dtype=np.int64), return_inverse=True)
    n_d, n_t = len(d_ids), len(topics)
    share = doc_shares["share"].to_numpy(dtype=float)
    has = ~np.isnan(share)
    flat = (d_codes * n_t + t_codes)[has]
    sums = np.bincount(flat, weights=share[has], minlength=n_d * n_t).reshape(n_d, n_t)
    present = np.bincount(flat, minlength=n_d * n_t).reshape(n_d, n_t) > 0
    keep = sums.sum(axis=1) > 0
    labels = pd.Series(group_values(docs, column), index=docs["doc_id"].astype(str).to_numpy())
    labels = labels[~labels.index.duplicated()].reindex(np.asarray(d_ids)[keep]).fillna("").astype(str)
    g_codes, groups = pd.factorize(labels.to_numpy(), sort=True)
    n_g = len(groups)
    sums, present = sums[keep], present[keep]
    cell = (g_codes[:, None] * n_t + np.arange(n_t)[None, :]).ravel()
    g_sum = np.bincount(cell, weights=np.where(present, sums, 0.0).ravel(), minlength=n_g * n_t)
    g_cnt = np.bincount(cell, weights=present.ravel().astype(float), minlength=n_g * n_t)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(g_cnt > 0, g_sum / np.maximum(g_cnt, 1.0), np.nan)
    size = np.bincount(g_codes, minlength=n_g).astype(np.int64)
    return pd.DataFrame({"column": pd.array([column] * (n_g * n_t), dtype="string"),
                         "group": pd.array(np.repeat(np.asarray(groups, dtype=object), n_t), dtype="string"),
                         "topic": np.tile(topics, n_g), "share": mean, "n_docs": np.repeat(size, n_t)})[cols]




#: The sentence columns the intervals of one-document groups read.
INTERVAL_COLUMNS = ["doc_id", "polarity", "subjectivity", "vader", "classifier", "n_words", "masked", "n_assessments"]


def interval_sentences(store, doc_ids: list[str]) -> pd.DataFrame:
    """The sentences of ``doc_ids`` in ``store``, only the columns their intervals read (the text
    only from a store written before the assessment counts were kept), ``doc_id`` as numpy strings."""
    sents = store.sentences(doc_ids=doc_ids, columns=INTERVAL_COLUMNS)
    if "n_assessments" not in sents.columns:
        sents = store.sentences(doc_ids=doc_ids, columns=INTERVAL_COLUMNS[:-1] + ["text"])
    return sents.assign(doc_id=sents["doc_id"].astype(str).to_numpy(dtype=object))


def compute_aggregates(store, doc_columns: list[str], groups: dict, terms: pd.DataFrame, run_tasks=None,
                       wait_for_topics=None) -> tuple:
    """``(tables, group_columns, notes)``: the ``agg_*`` tables of the store being written at
    ``store`` (a reader on its per-document tables), whose documents have ``doc_columns`` and whose
    words per group were summed in ``groups`` (column -> :class:`analysis.engine.store_writer.GroupTermTotals`);
    ``terms`` is its vocabulary. Group columns with more than :data:`MAX_GROUPS` values get none
    (``notes`` says so). The bootstrap intervals of every group and cell (the bulk of the work) are
    planned first and drawn together by :func:`draw_intervals`: through ``run_tasks`` (Dask tasks
    in a build) when given, while this process sums the words per group.
    ``wait_for_topics()``, when given, is called before the store's topic shares are read, last
    (a build's topic model is still being fitted while the rest is computed)."""
    notes = {}
    docs = store.docs(columns=[c for c in doc_columns if c not in ("raw_text", "text")])
    scores = store.doc_scores()
    cache = ToneCache(store)
    columns = []
    for c in candidate_group_columns(docs):
        acc = groups.get(c)
        values = group_values(docs, c)
        n_groups = len(set(values.tolist()))
        if acc is None or acc.too_many or n_groups > MAX_GROUPS:
            notes[f"groups:{c}"] = f"no aggregates by {c!r}: more than {MAX_GROUPS:,} distinct values"
            continue
        if n_groups < 1:
            continue
        columns.append(c)
    # tone per group and per cell: every interval planned, then drawn all at once (in tasks in a
    # build, while this process sums the words per group)
    plans = [(c, plan_tone_by_label(scores, docs["doc_id"], group_values(docs, c), MEASURES, cache.sentences))
             for c in columns]
    cell_plans = _cell_plans(docs, scores, columns, cache.sentences)
    drawn = draw_intervals(cache.memo, [got for _, p in plans + cell_plans for got in p.inputs], run_tasks)
    # top terms per group (columns gathered as arrays: one frame, not one per group)
    tcols = ["column", "group", "ngram", "rank", "term", "count", "rate_per_10k", "doc_freq", "n_docs",
             "n_words"]
    tparts: dict[str, list] = {k: [] for k in tcols}
    term_arr = terms["term"].to_numpy(dtype=object)
    ngram_arr = terms["ngram"].to_numpy()
    for c in columns:
        acc = groups[c]
        for label, r in sorted(acc.labels.items()):  # labels sorted, as terms.top_terms does
            cnt = acc.counts[r].toarray().ravel() if acc.counts is not None else np.zeros(0)
            dfr = acc.doc_freq[r].toarray().ravel() if acc.doc_freq is not None else np.zeros(0)
            for n in (1,):
                idx = np.flatnonzero((cnt > 0) & (ngram_arr[: len(cnt)] == n))
                order = np.lexsort((term_arr[idx].astype(str), -dfr[idx], -cnt[idx]))[:GROUP_TOP_TERMS]
                idx = idx[order]
                m = len(idx)
                for k, v in (("column", np.full(m, c, dtype=object)), ("group", np.full(m, label, dtype=object)),
                             ("ngram", np.full(m, n, dtype=np.int64)), ("rank", np.arange(1, m + 1)),
                             ("term", term_arr[idx]), ("count", cnt[idx].astype(np.int64)),
                             ("rate_per_10k", rate_per_10k(cnt[idx], acc.n_words[r])),
                             ("doc_freq", dfr[idx].astype(np.int64)), ("n_docs", np.full(m, acc.n_docs[r])),
                             ("n_words", np.full(m, acc.n_words[r]))):
                    tparts[k].append(v)
    gterms = pd.DataFrame({k: np.concatenate(v) for k, v in tparts.items()}) if tparts["term"] else \
        pd.DataFrame(columns=tcols)
    gterms["term"] = gterms["term"].astype("string")
    gterms["group"] = gterms["group"].astype("string")
    gterms["column"] = gterms["column"].astype("string")
    drawn()
    frames = []
    for c, plan in plans:
        for m, g in zip(MEASURES, plan.tables(cache.memo)):
            g.insert(0, "measure", m)
            g.insert(0, "column", c)
            frames.append(g)
    cols = ["column", "measure", "group", "n_docs", "n_sentences", "mean", "lo", "hi", "interval_basis"]
    sent = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
    sent["n_sentences"] = sent["n_sentences"].astype("float64")
    cells = _cell_tables(cell_plans, cache.memo)
    if wait_for_topics is not None:
        wait_for_topics()
    shares = store.table("topic_doc_shares")
    gtopics = [group_topic_shares(shares, docs, c) for c in columns]
    gcols = ["column", "group", "topic", "share", "n_docs"]
    gtop = pd.concat(gtopics, ignore_index=True).reindex(columns=gcols) if gtopics else \
        pd.DataFrame(columns=gcols)
    return ({"agg_group_sentiment": sent, "agg_cell_sentiment": cells, "agg_group_terms": gterms,
             "agg_group_topics": gtop}, columns, notes)

def cell_sentiment(store, docs: pd.DataFrame, scores: pd.DataFrame, columns: list[str],
                   cache: "ToneCache | None" = None) -> pd.DataFrame:
    """Tone per group of each column, within each value of each filter column: rows
    ``filter_column, filter_value, column, measure`` + :func:`group_scores`' columns."""
    sentences = cache.sentences if cache is not None else (lambda ids: store.sentences(doc_ids=ids))
    memo = cache.memo if cache is not None else {}
    plans = _cell_plans(docs, scores, columns, sentences)
    draw_intervals(memo, [got for _, p in plans for got in p.inputs])
    return _cell_tables(plans, memo)


def _cell_plans(docs: pd.DataFrame, scores: pd.DataFrame, columns: list[str], sentences) -> list:
    plans = []
    for f in [c for c in FILTER_COLUMNS if c in columns]:
        fvals = pd.Series(group_values(docs, f))
        for c in columns:
            if c == f:
                continue  # one value of the group-by column itself: its row of agg_group_sentiment
            key = (fvals + CELL_SEP + pd.Series(group_values(docs, c))).to_numpy(dtype=object)
            plans.append(((f, c), plan_tone_by_label(scores, docs["doc_id"], key, CELL_MEASURES, sentences)))
    return plans


def _cell_tables(plans: list, memo: dict) -> pd.DataFrame:
    frames = []
    for (f, c), plan in plans:
        for m, g in zip(CELL_MEASURES, plan.tables(memo)):
            parts = g["group"].astype(str).str.split(CELL_SEP, n=1, expand=True)
            g = g.assign(filter_column=f, filter_value=parts[0], column=c, measure=m, group=parts[1])
            frames.append(g)
    cols = ["filter_column", "filter_value", "column", "measure", "group", "n_docs", "n_sentences", "mean", "lo",
            "hi", "interval_basis"]
    out = pd.concat(frames, ignore_index=True).reindex(columns=cols) if frames else pd.DataFrame(columns=cols)
    out["n_sentences"] = out["n_sentences"].astype("float64")
    return out
