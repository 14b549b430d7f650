"""Topic clusters: NMF on tf-idf, with the number of topics chosen by stability.

What is fitted
--------------
Each *unit* of text (a document, a paragraph or a sentence, see "Units") becomes
a row of a tf-idf matrix built from our own tokenizer
(:data:`analysis.corpus.segment.WORD_RE` + :func:`analysis.corpus.segment.normalise_token`,
possessive ``'s`` stripped, English stopwords, numbers and one-letter tokens
dropped), with sublinear term frequency (``1 + log tf``), smoothed idf and
rows scaled to unit length (l2). Terms in fewer than ``min_df`` units or in
more than ``max_df`` of them are dropped, and at most ``max_features`` of the
most frequent remaining terms are kept.

Non-negative matrix factorisation (scikit-learn :class:`~sklearn.decomposition.NMF`,
Frobenius loss, coordinate descent, ``init="nndsvda"``, fixed ``random_state``)
approximates that matrix as ``W @ H``: ``H`` (``components_``, topics x terms)
says which terms make up each topic, ``W`` (``unit_topics_``, units x topics)
how strongly each unit expresses each topic. The same data and parameters
always give the same topics. Topics are numbered from 0 in decreasing order of
their total weight in the corpus (topic 0 is the most prominent).

Units
-----
With ``units="auto"``: a corpus of fewer than :data:`PARAGRAPH_BELOW_DOCS` (30)
documents is clustered by paragraph (a handful of texts would otherwise give
topics that merely repeat the documents); if it also has fewer than
:data:`SENTENCE_BELOW_PARAGRAPHS` (30) paragraphs of at least ``min_unit_words``
words, by sentence; otherwise by document. ``units="documents"``,
``"paragraphs"`` or ``"sentences"`` forces a level. Paragraph and sentence
units keep ``doc_id``, ``para`` (and ``sent``), ``start`` and ``end``
(character offsets into the document's cleaned text).

Units with fewer than ``min_unit_words`` words do not take part in fitting
(a two-word heading would otherwise make a topic of its own) but are still
scored against the fitted topics.

Number of topics: the criterion
-------------------------------
Unless ``k`` is given, every k in ``k_range`` (2..12) is scored by *topic
stability* adjusted for chance (Greene, O'Callaghan & Cunningham 2014) and by
whether its topics are distinct; :mod:`analysis.methods.topic_stability` has the
details. In short: **the number of topics is the one, among those whose topics
do not share their leading words (no term among the top 10 of more than two
topics, no two topics sharing more than 3 of their top 10), whose topics come
back most reliably, beyond chance, when the model is refitted on resampled
text; on a corpus of 150 fitting units or more only 5 to 12 topics are
considered (fewer lump several themes together), unless those are less than
half as reliable as the best smaller number.** Near-ties (within
``choice_tol``) go to fewer topics. ``k_scores_`` holds the curve (``k,
stability, baseline, adjusted, max_topics_per_term, max_shared_terms,
distinct``), ``k_reason_`` the choice in a sentence.

The analysis uses at most ``max_stability_units`` units and costs
``2 * (1 + n_resamples)`` NMF fits per candidate k (capped at
``stability_max_iter`` / ``null_max_iter`` iterations). ``scripts/benchmark.py
--topics`` prints how long it takes on the UK COVID speeches.

Plain meaning of ``stability_`` (the raw score of the chosen k): the share of
each topic's 20 leading terms, weighted towards the top ones, that come back
when the topics are recomputed on a different 80 % of the texts. 1 means the
same topics with the same leading terms every time; around 0.5 means about
half of them change; see
:func:`analysis.methods.topic_readings.describe_stability`.

Stopwords
---------
The vocabulary leaves out :data:`STOPWORDS`: English function words, reporting
and light verbs, and parliamentary / speech boilerplate
(:data:`analysis.methods.topic_units.SPEECH_STOPWORDS`: "hon", "minister",
"does", "right", "people", ...). Pass ``stopwords=stopword_set(add, remove)``
to change it.

Outputs
-------
:func:`top_terms` (pyLDAvis relevance), :func:`topic_labels` (each topic named by
its distinctive terms), :func:`typical_passages` (the passages most typical of each
topic), :func:`representative_units`,
:func:`document_topics` (shares per document, summing to 1),
:func:`group_topics` (shares per value of a metadata column),
:func:`topic_map` (2-D coordinates of the units), :meth:`TopicModel.to_dict`
(the command line's JSON shape); these live in
:mod:`analysis.methods.topic_views` and are importable from here. The modules:
``topic_units`` (units and terms), ``topic_stability`` (how many topics),
``topics`` (the model), ``topic_views`` (what it says), ``topic_readings`` (plain
sentences). Nothing here imports Streamlit.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from analysis.corpus.segment import normalise_token
from analysis.methods.topic_readings import describe_stability
from analysis.methods.topic_stability import (SCORE_COLUMNS, average_jaccard, choose_k, fit_nmf, null_matrix,
                                              ranking_agreement, score_ks, smallest_considered)
from analysis.methods.topic_units import (EXTRA_STOPWORDS, PARAGRAPH_BELOW_DOCS, SENTENCE_BELOW_PARAGRAPHS,
                                          SPEECH_STOPWORDS, STOPWORDS, TERMS_COLUMN, UNIT_COLUMNS, UNIT_KINDS,
                                          analyze, as_is, build_units, stopword_set, term_of)
from analysis.methods.topic_views import (PASSAGE_COLUMNS, TopicSummary, distinctive_terms, document_topics,
                                          group_topics, representative_units, summarize, term_relevance,
                                          top_terms, topic_labels, topic_map, typical_passages)


class TopicModel:
    """Topic clusters of a corpus: NMF on tf-idf (see the module docstring).

    Parameters
    ----------
    k : int or None
        Number of topics; ``None`` chooses it over ``k_range`` by ``criterion``.
    units : "auto", "documents", "paragraphs" or "sentences"
        Text unit to cluster ("auto": paragraphs below 30 documents, sentences
        if there are also fewer than 30 paragraphs, else documents).
    k_range : (int, int)
        Smallest and largest k tried (inclusive), clipped to what the data allow.
    criterion : "adjusted" or "stability"
        How k is chosen: the highest chance-adjusted stability (default) or
        the highest raw stability (Greene et al. 2014, no baseline, cheaper,
        but prone to pick k=2: see the module docstring).
    max_features, min_df, max_df, sublinear_tf
        Vocabulary and weighting of the tf-idf matrix (sklearn meanings:
        ``min_df`` an int count of units, ``max_df`` a proportion). When they
        leave fewer than 2 terms (very small corpora) they are relaxed to 1
        and 1.0.
    n_resamples, sample_frac, n_stability_terms, choice_tol
        Stability: subsamples per k, share of units in each, length of the
        compared term lists, and the tolerance within which two k's scores
        count as tied (the smaller k wins).
    min_adjusted : float
        If no k with distinct topics reaches this chance-adjusted stability
        (tiny or uniform corpora, where every k is about as stable as shuffled
        data), the smallest k of ``k_range`` is used and ``k_reason_`` says so.
    min_readable_k, units_per_topic, readable_ratio
        With at least ``units_per_topic * min_readable_k`` fitting units, only
        k >= ``min_readable_k`` are considered, unless the best of them is
        less than ``readable_ratio`` times as stable (above chance) as the best
        k overall (see :func:`analysis.methods.topic_stability.choose_k`).
    max_stability_units : int
        The stability analysis uses at most this many fitting units (a random
        subset, for speed on large corpora); the final model uses all.
    stability_max_iter, null_max_iter : int
        Iteration caps of the NMF fits of the stability analysis (the leading
        terms settle long before the loss does) and of those on the
        structureless baseline. The final model uses ``max_iter``.
    min_unit_words : int
        Units with fewer words do not take part in fitting (they are scored).
    max_iter, tol, random_state
        NMF settings; ``random_state`` also seeds subsampling and the baseline.
    stopwords : iterable of str or None
        Terms to drop; ``None`` means :data:`STOPWORDS`, which includes the
        parliamentary boilerplate of :data:`SPEECH_STOPWORDS` (pass e.g.
        ``stopword_set(add=["brexit"], remove=["minister"])`` to change it).

    The fitted model can be pickled (e.g. for a cache).

    Learned attributes
    ------------------
    k_ : int, the number of topics used.
    units_ : str, the unit kind ("documents", "paragraphs", "sentences", "custom").
    unit_table_ : DataFrame, one row per unit (:data:`UNIT_COLUMNS` plus
        ``fitted``: took part in fitting).
    docs_ : DataFrame, the documents' metadata (doc_id + metadata columns).
    vocabulary_ : ndarray of str, the terms (columns of ``components_``).
    components_ : ndarray (k_, n_terms), topic-term weights H.
    unit_topics_ : ndarray (n_units, k_), unit-topic weights W (rows of
        ``unit_table_``). ``unit_shares_`` is W with rows scaled to sum to 1
        (zero rows stay zero: the unit has no vocabulary term).
    stability_ : float in [0, 1], raw stability of the chosen k (NaN when the
        units are too few to resample); :attr:`stability_text_` says it in words.
    stability_adjusted_ : float, chance-adjusted stability of the chosen k
        (NaN when ``k`` was given or ``criterion="stability"``).
    k_scores_ : DataFrame ``k, stability, baseline, adjusted,
        max_topics_per_term, max_shared_terms, distinct`` for every k scored
        (``baseline``/``adjusted`` NaN when not computed; the last three say
        how much the reference fit's top-10 term lists overlap).
    k_reason_ : str, in plain words, why ``k_`` was used.
    k_considered_from_ : int, the smallest k the automatic choice could pick
        (5 on a corpus of 150 fitting units or more, see ``min_readable_k``).
    reconstruction_err_ : float, the NMF's Frobenius reconstruction error.
    vectorizer_, nmf_ : the fitted sklearn objects (for :meth:`transform`).
    """

    def __init__(self, k=None, units="auto", k_range=(2, 12), criterion="adjusted",
                 max_features=10000, min_df=2, max_df=0.5, sublinear_tf=True,
                 n_resamples=5, sample_frac=0.8, n_stability_terms=20, choice_tol=0.05,
                 min_adjusted=0.15, min_readable_k=5, units_per_topic=30, readable_ratio=0.5,
                 max_stability_units=2500, stability_max_iter=50, null_max_iter=30, min_unit_words=5,
                 max_iter=300, tol=1e-3, random_state=0, stopwords=None):
        self.k = k
        self.units = units
        self.k_range = k_range
        self.criterion = criterion
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.n_resamples = n_resamples
        self.sample_frac = sample_frac
        self.n_stability_terms = n_stability_terms
        self.choice_tol = choice_tol
        self.min_adjusted = min_adjusted
        self.min_readable_k = min_readable_k
        self.units_per_topic = units_per_topic
        self.readable_ratio = readable_ratio
        self.max_stability_units = max_stability_units
        self.stability_max_iter = stability_max_iter
        self.null_max_iter = null_max_iter
        self.min_unit_words = min_unit_words
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.stopwords = stopwords

    _PARAMS = ("k", "units", "k_range", "criterion", "max_features", "min_df", "max_df",
               "sublinear_tf", "n_resamples", "sample_frac", "n_stability_terms", "choice_tol",
               "min_adjusted", "min_readable_k", "units_per_topic", "readable_ratio", "max_stability_units",
               "stability_max_iter", "null_max_iter", "min_unit_words", "max_iter", "tol", "random_state", "stopwords")

    # sklearn-style parameter access
    def get_params(self, deep=True) -> dict:
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params) -> "TopicModel":
        for key, value in params.items():
            if key not in self._PARAMS:
                raise ValueError(f"invalid parameter {key!r} for TopicModel")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        default = TopicModel().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != default[k]}
        return "TopicModel(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    # ------------------------------------------------------------------ fitting

    def _stopwords(self) -> frozenset:
        return STOPWORDS if self.stopwords is None else frozenset(normalise_token(w) for w in self.stopwords)

    def _vectorizer(self, min_df, max_df) -> TfidfVectorizer:
        # fitted on token lists (each text is tokenized once); the analyzer is
        # switched to :func:`analyze` after fitting so transform() takes text
        return TfidfVectorizer(analyzer=as_is, lowercase=False, min_df=min_df, max_df=max_df,
                               max_features=self.max_features, sublinear_tf=self.sublinear_tf,
                               norm="l2", dtype=np.float64)

    def fit(self, data, y=None, k_map=None) -> "TopicModel":
        """Fit topics to ``data`` (a Prepared corpus, a docs DataFrame with a
        ``text`` column, a ready-made units DataFrame, or a list of strings).
        ``k_map``: how the candidate k's are scored, the built-in ``map`` by default
        (:func:`analysis.methods.topic_stability.score_ks`; the result does not depend on it)."""
        if self.criterion not in ("adjusted", "stability"):
            raise ValueError(f"criterion must be 'adjusted' or 'stability', not {self.criterion!r}")
        table, docs, kind = build_units(data, self.units, self.min_unit_words)
        fit_mask = (table["n_words"] >= self.min_unit_words).to_numpy()
        if fit_mask.sum() < 2:
            fit_mask = (table["n_words"] > 0).to_numpy()
        stop = self._stopwords()
        if TERMS_COLUMN in table.columns and stop == STOPWORDS:
            tokens = [str(t).split() for t in table[TERMS_COLUMN].tolist()]
        else:
            tokens = [analyze(str(t), stop) for t in table["text"]]
        table = table.drop(columns=[TERMS_COLUMN], errors="ignore")
        fit_tokens = [toks for toks, f in zip(tokens, fit_mask) if f]
        if len(fit_tokens) < 2:
            raise ValueError(f"too few {kind} with words to find topics ({len(fit_tokens)})")

        try:
            vec = self._vectorizer(self.min_df, self.max_df)
            X_fit = vec.fit_transform(fit_tokens)
        except ValueError:  # "After pruning, no terms remain" / max_df < min_df
            vec = None
        if vec is None or X_fit.shape[1] < 2:
            vec = self._vectorizer(1, 1.0)
            try:
                X_fit = vec.fit_transform(fit_tokens)
            except ValueError:
                raise ValueError(f"no words left in the {kind} once stopwords and numbers "
                                 "are removed: cannot find topics") from None
        X_fit = sparse.csr_matrix(X_fit)
        nonempty = np.asarray(X_fit.getnnz(axis=1) > 0)
        X_nz = X_fit[nonempty]
        n_units, n_terms = X_nz.shape
        if n_units < 2 or n_terms < 2:
            raise ValueError(f"too few {kind} ({n_units}) or terms ({n_terms}) to find topics")

        rng = np.random.default_rng(self.random_state)
        # the stability analysis works on at most max_stability_units units
        if n_units > self.max_stability_units:
            pool = np.sort(rng.choice(n_units, size=self.max_stability_units, replace=False))
            X_stab = X_nz[pool]
        else:
            X_stab = X_nz
        X_stab = X_stab.astype(np.float32)  # single precision: faster, same top terms
        n_stab = X_stab.shape[0]
        n_sample = int(round(self.sample_frac * n_stab))
        samples = [np.sort(rng.choice(n_stab, size=n_sample, replace=False))
                   for _ in range(self.n_resamples)]

        k_hi = min(int(self.k_range[1]), n_units - 1, n_terms - 1)
        k_lo = max(2, min(int(self.k_range[0]), k_hi))
        if self.k is not None:
            ks = [int(self.k)]
            if not 1 <= ks[0] <= min(n_units, n_terms):
                raise ValueError(f"k={self.k} is out of range: {n_units} units, {n_terms} terms")
        else:
            ks = list(range(k_lo, max(k_lo, k_hi) + 1))
        adjust = self.k is None and self.criterion == "adjusted" and len(ks) > 1
        k_scores = score_ks(X_stab, ks, samples, adjust=adjust, n_terms=self.n_stability_terms,
                            random_state=self.random_state, max_iter=self.stability_max_iter,
                            null_max_iter=self.null_max_iter, tol=self.tol, k_map=k_map)
        rule = dict(criterion="adjusted" if adjust else "stability", min_adjusted=self.min_adjusted,
                    min_readable_k=self.min_readable_k, units_per_topic=self.units_per_topic,
                    readable_ratio=self.readable_ratio)
        if self.k is not None:
            best, reason = ks[0], f"{ks[0]} topics: the number set by the user"
        else:
            best, reason = choose_k(k_scores, n_units, choice_tol=self.choice_tol, **rule)
        self.k_considered_from_ = smallest_considered(k_scores, n_units, **rule)
        nmf, _ = fit_nmf(X_nz, best, self.random_state, self.max_iter, self.tol)

        # score every unit (including the short ones left out of fitting)
        W_all = np.zeros((len(table), best))
        X_all = sparse.csr_matrix(vec.transform(tokens))
        vec.set_params(analyzer=partial(analyze, stopwords=stop))
        has_terms = np.asarray(X_all.getnnz(axis=1) > 0)
        if has_terms.any():
            with np.errstate(invalid="ignore"):
                W_all[has_terms] = nmf.transform(X_all[has_terms])
        # number topics by total weight, largest first
        order = np.argsort(-W_all[fit_mask].sum(axis=0), kind="stable")
        nmf.components_ = nmf.components_[order]
        W_all = W_all[:, order]

        table = table.copy()
        table["fitted"] = fit_mask
        sums = W_all.sum(axis=1, keepdims=True)
        chosen = k_scores.loc[k_scores["k"] == best].iloc[0]
        self.k_ = best
        self.units_ = kind
        self.unit_table_ = table
        self.docs_ = docs
        self.vectorizer_ = vec
        self.nmf_ = nmf
        self.vocabulary_ = np.asarray(vec.get_feature_names_out(), dtype=object)
        self.components_ = nmf.components_
        self.unit_topics_ = W_all
        self.unit_shares_ = np.divide(W_all, sums, out=np.zeros_like(W_all), where=sums > 0)
        self.stability_ = float(chosen["stability"])
        self.stability_adjusted_ = float(chosen["adjusted"])
        self.k_scores_ = k_scores
        self.k_reason_ = reason
        self.reconstruction_err_ = float(nmf.reconstruction_err_)
        self.n_fit_units_ = int(n_units)
        return self

    def transform(self, texts) -> np.ndarray:
        """Topic shares (rows summing to 1; zero rows for texts without any
        vocabulary term) of new ``texts`` under the fitted topics."""
        self._check()
        return self.shares_of(self.vectorizer_.transform(list(texts)))

    def term_of(self, token: str) -> str:
        """The term a (normalised) word token counts as in :meth:`transform` ("britain" for
        "britain's"), or "" when it is dropped (a stopword, a number, a single character)."""
        return term_of(token, self._stopwords())

    def tfidf_of_counts(self, counts) -> sparse.csr_matrix:
        """The rows :meth:`transform` weighs for texts whose vocabulary terms occur ``counts``
        times (sparse, one row per text, one column per term of :attr:`vocabulary_`): the same
        tf-idf values, for texts already counted (a store's term counts)."""
        self._check()
        vec = self.vectorizer_
        tfidf = TfidfTransformer(norm=vec.norm, use_idf=vec.use_idf, smooth_idf=vec.smooth_idf,
                                 sublinear_tf=vec.sublinear_tf)
        tfidf.idf_ = vec.idf_
        tfidf.n_features_in_ = len(vec.idf_)
        X = sparse.csr_matrix(counts, dtype=np.float64)
        X.sum_duplicates()
        X.sort_indices()
        return sparse.csr_matrix(tfidf.transform(X, copy=False))

    def shares_of(self, X) -> np.ndarray:
        """Topic shares of texts from their tf-idf rows (:meth:`transform` once the texts are
        weighed; a batch's rows are solved together, so the same rows give the same shares)."""
        self._check()
        X = sparse.csr_matrix(X)
        W = np.zeros((X.shape[0], self.k_))
        ok = np.asarray(X.getnnz(axis=1) > 0)
        if ok.any():
            W[ok] = self.nmf_.transform(X[ok])
        s = W.sum(axis=1, keepdims=True)
        return np.divide(W, s, out=np.zeros_like(W), where=s > 0)

    def _check(self):
        if not hasattr(self, "k_"):
            raise RuntimeError("this TopicModel is not fitted yet: call fit() first")

    # ------------------------------------------------------------------ views

    @property
    def stability_text_(self) -> str:
        """:func:`describe_stability` of ``stability_``."""
        self._check()
        return describe_stability(self.stability_)

    def assignments(self) -> pd.DataFrame:
        """One row per unit: ``unit, doc_id, para, sent, start, end, topic, weight``.

        ``topic`` is the dominant topic (-1 when the unit has no vocabulary
        term); ``weight`` its share of the unit's topic weights (0..1).
        """
        self._check()
        S = self.unit_shares_
        topic = np.where(S.sum(axis=1) > 0, S.argmax(axis=1), -1)
        weight = np.where(topic >= 0, S.max(axis=1), 0.0)
        out = self.unit_table_[["unit", "doc_id", "para", "sent", "start", "end"]].copy()
        out["topic"] = topic.astype(int)
        out["weight"] = weight
        return out.reset_index(drop=True)

    def top_terms(self, n=10, lam=0.6) -> pd.DataFrame:
        """See :func:`top_terms`."""
        return top_terms(self, n=n, lam=lam)

    def to_dict(self, n_terms=10, lam=0.6) -> dict:
        """The command line's JSON shape::

            {"k", "units", "stability",
             "topics": [{"topic", "terms"}],
             "assignments": [{"doc_id", "unit", "topic", "weight"}]}

        ``terms`` are the top ``n_terms`` by relevance (``lam``, see
        :func:`top_terms`); ``assignments`` has one entry per unit with its
        dominant topic and that topic's share (see :meth:`assignments`).
        ``stability`` is ``None`` when it could not be measured.
        """
        self._check()
        tt = top_terms(self, n=n_terms, lam=lam)
        terms = {int(t): g.sort_values("rank")["term"].tolist() for t, g in tt.groupby("topic")}
        topics = [{"topic": t, "terms": terms.get(t, [])} for t in range(self.k_)]
        a = self.assignments()
        assignments = [{"doc_id": str(d), "unit": str(u), "topic": int(t), "weight": round(float(w), 6)}
                       for d, u, t, w in zip(a["doc_id"], a["unit"], a["topic"], a["weight"])]
        stab = self.stability_ if np.isfinite(self.stability_) else None
        return {"k": int(self.k_), "units": self.units_,
                "stability": None if stab is None else round(float(stab), 6),
                "topics": topics, "assignments": assignments}


__all__ = [
    "TopicModel", "TopicSummary", "analyze", "build_units", "stopword_set", "average_jaccard",
    "ranking_agreement", "null_matrix", "describe_stability", "top_terms", "term_relevance",
    "distinctive_terms", "topic_labels", "typical_passages", "representative_units", "document_topics",
    "group_topics", "topic_map", "summarize", "STOPWORDS", "EXTRA_STOPWORDS", "SPEECH_STOPWORDS",
    "PARAGRAPH_BELOW_DOCS", "SENTENCE_BELOW_PARAGRAPHS", "UNIT_COLUMNS", "UNIT_KINDS", "PASSAGE_COLUMNS",
    "SCORE_COLUMNS",
]
