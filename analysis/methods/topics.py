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
stability* (Greene, O'Callaghan & Cunningham 2014, "How many topics?
Stability analysis for topic models") adjusted for chance:

1. Stability. NMF is fitted on all fitting units (the reference) and on
   ``n_resamples`` (5) random subsamples holding ``sample_frac`` (80 %) of
   them. Two fits are compared by pairing their topics one to one (Hungarian
   algorithm) so as to maximise the agreement of their top
   ``n_stability_terms`` (20) term lists, measured by *average Jaccard* (the
   Jaccard overlap of the top-1, top-2, ..., top-20 lists, averaged, so the
   order of the leading terms counts), and averaging over the pairs. The
   stability of k is the mean agreement over all pairs among the reference
   and the subsample fits (Greene et al. compare each subsample with the
   reference only; adding the subsample-subsample pairs lowers the variance
   for the same number of fits). It lies in [0, 1].
2. Baseline. Raw stability favours k = 2 or 3: with so few topics each topic's
   leading terms are simply the corpus's heaviest terms, which come back in
   every subsample whatever the structure (the BBC News corpus with its
   co-occurrences shuffled away scores 0.6-0.8 at k = 2 but 0.3-0.45 at
   k = 5; ranked by raw stability that corpus gets k = 2, NMI 0.46 against
   its 5 categories, ranked as below k = 5, NMI 0.86). So the same
   procedure is run on a structureless copy of the data
   (:func:`null_matrix`: each term's weights moved to random units), giving
   the stability expected by chance, ``baseline``.
3. Choice. ``adjusted = (stability - baseline) / (1 - baseline)`` (the share
   of the attainable agreement above chance, as in Cohen's kappa; at most
   ``stability``). The k with the highest adjusted stability wins; scores
   within ``choice_tol`` (0.005) of the best count as ties and go to the
   smaller k. If even the best is below ``min_adjusted`` (0.1), no k is
   distinguishable from chance (typically a tiny corpus) and the smallest k
   is used, with ``k_reason_`` saying so. ``criterion="stability"`` ranks by
   raw stability instead.

The per-k scores are in ``k_scores_`` (columns ``k, stability, baseline,
adjusted``) for a curve; when ``k`` is given only that k's stability is
measured. The analysis uses at most ``max_stability_units`` units and costs
``2 * (1 + n_resamples)`` NMF fits per candidate k (capped at
``stability_max_iter`` / ``null_max_iter`` iterations): for k = 2..12, about
20 s on one core for the BBC News corpus (2,127 documents) and for the US
State of the Union addresses (233 long documents).

Plain meaning of ``stability_`` (the raw score of the chosen k): the share of
each topic's 20 leading terms, weighted towards the top ones, that come back
when the topics are recomputed on a different 80 % of the texts. 1 means the
same topics with the same leading terms every time; around 0.5 means about
half of them change, so the topics depend on which texts happen to be in the
corpus; see :func:`describe_stability`.

Outputs
-------
:func:`top_terms` (pyLDAvis relevance), :func:`representative_units`,
:func:`document_topics` (shares per document, summing to 1),
:func:`group_topics` (shares per value of a metadata column),
:func:`topic_map` (2-D coordinates of the units), :meth:`TopicModel.to_dict`
(the command line's JSON shape). Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
import warnings
from functools import partial
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from analysis.corpus.model import unique_id
from analysis.corpus.segment import WORD_RE, normalise_token, segment_texts

#: ``units="auto"``: fewer documents than this -> paragraph units.
PARAGRAPH_BELOW_DOCS = 30
#: ``units="auto"``: a paragraph-level corpus with fewer fitting paragraphs than
#: this -> sentence units.
SENTENCE_BELOW_PARAGRAPHS = 30

UNIT_KINDS = ("documents", "paragraphs", "sentences")

#: Words that carry no topic on top of the project's stopword list:
#: reporting verbs, titles, modal and light verbs, counting and time words.
EXTRA_STOPWORDS = frozenset(
    """
    said says say saying told tell according mr mrs ms dr
    also just like really actually going get got make made way lot lots
    would could should might must shall will can may
    find take give keep show call move put
    one two three first new year years time times day days
    """.split()
)

try:  # the project's list (analysis.methods.terms), so topics and term tables agree
    from analysis.methods.terms import DEFAULT_STOPWORDS as _BASE_STOPWORDS
except ImportError:  # pragma: no cover - terms.py absent: scikit-learn's list + contractions
    _BASE_STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
        """
        don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
        shouldn't haven't hasn't hadn't it's i'm i've i'd i'll we're we've we'd we'll
        you're you've you'd you'll they're they've they'd they'll he's she's that's
        there's what's who's let's here's
        """.split()
    )

#: The stopwords of the topic vocabulary: :data:`analysis.methods.terms.DEFAULT_STOPWORDS`
#: (scikit-learn's English list, a few content words removed, contractions
#: added) plus :data:`EXTRA_STOPWORDS`.
STOPWORDS = frozenset(_BASE_STOPWORDS) | EXTRA_STOPWORDS


def analyze(text: str, stopwords=STOPWORDS) -> list[str]:
    """The terms of ``text`` that enter the tf-idf matrix.

    Tokens as :data:`analysis.corpus.segment.WORD_RE` finds them, normalised as
    :func:`analysis.corpus.segment.normalise_token` does (lower case, plain
    apostrophes and hyphens), a final possessive ``'s`` (or ``'``) removed
    ("Britain's" -> "britain"), then dropped if a stopword, shorter than 2
    characters or without a letter ("2016", "10-12").
    """
    # normalising the whole text first equals normalising each token, and is faster
    out = []
    for t in WORD_RE.findall(normalise_token(text)):
        if t.endswith("'s"):
            t = t[:-2]
        elif t.endswith("'"):
            t = t[:-1]
        if len(t) < 2 or t in stopwords:
            continue
        if t.isdigit() or not _HAS_LETTER(t):
            continue
        out.append(t)
    return out


_HAS_LETTER = re.compile(r"[^\W\d_]").search


def _as_is(tokens):
    return tokens


# --------------------------------------------------------------------------- units

UNIT_COLUMNS = ["unit", "doc_id", "para", "sent", "start", "end", "n_words", "text"]


def _docs_frame(data) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(docs, paragraphs, sentences) from a Prepared, a docs frame or a list of strings."""
    if hasattr(data, "docs") and hasattr(data, "paragraphs"):
        return data.docs, data.paragraphs, getattr(data, "sentences", None)
    if isinstance(data, pd.DataFrame):
        if "text" not in data.columns:
            raise ValueError("a DataFrame passed to TopicModel.fit needs a 'text' column")
        df = data.reset_index(drop=True)
        if "doc_id" not in df.columns:
            df = df.assign(doc_id=[f"doc{i:05d}" for i in range(len(df))])
        if df["doc_id"].astype(str).duplicated().any():  # units are keyed by doc_id
            seen: set[str] = set()
            ids = []
            for d in df["doc_id"].astype(str):
                ids.append(unique_id(d, seen))
                seen.add(ids[-1])
            df = df.assign(doc_id=ids)
        return df, None, None
    texts = list(data)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("fit() takes a Prepared corpus, a DataFrame with a 'text' column "
                        "or a list of strings")
    df = pd.DataFrame({"doc_id": [f"doc{i:05d}" for i in range(len(texts))], "text": texts})
    return df, None, None


def _count(text: str) -> int:
    return len(WORD_RE.findall(text))


def build_units(data, units: str = "auto", min_unit_words: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The units to cluster, the documents' metadata and the unit kind chosen.

    ``data`` is a :class:`analysis.corpus.prepare.Prepared`, a DataFrame with a
    ``text`` column (one row per document; ``doc_id`` and metadata columns
    optional) or a list of strings. A DataFrame that already has ``start`` and
    ``end`` columns is taken as ready-made units (``units`` is then ignored;
    the kind is reported as ``"custom"``).

    Returns ``(units, docs, kind)``: ``units`` has columns :data:`UNIT_COLUMNS`
    (``unit`` is an id: the doc_id for documents, ``"<doc_id>#p<para>"`` for
    paragraphs, ``"<doc_id>#s<sent>"`` for sentences; ``para``/``sent`` are
    ``<NA>`` where they do not apply; ``start``/``end`` index the document's
    text); ``docs`` is the documents' metadata (no text columns).
    """
    if units not in ("auto",) + UNIT_KINDS:
        raise ValueError(f"units must be 'auto' or one of {UNIT_KINDS}, not {units!r}")
    if isinstance(data, pd.DataFrame) and {"start", "end", "text"} <= set(data.columns):
        u = data.reset_index(drop=True).copy()
        if "doc_id" not in u.columns:
            u["doc_id"] = [f"doc{i:05d}" for i in range(len(u))]
        u["doc_id"] = u["doc_id"].astype(str)
        for c in ("para", "sent"):
            u[c] = u[c].astype("Int64") if c in u.columns else pd.array([pd.NA] * len(u), dtype="Int64")
        if "unit" not in u.columns:
            u["unit"] = [f"{d}#u{i}" for i, d in enumerate(u["doc_id"])]
        u["n_words"] = [_count(str(t)) for t in u["text"]]
        docs = u[["doc_id"]].drop_duplicates().reset_index(drop=True)
        return u[UNIT_COLUMNS], docs, "custom"

    docs, paragraphs, sentences = _docs_frame(data)
    docs = docs.reset_index(drop=True)
    doc_ids = docs["doc_id"].astype(str).tolist()
    texts = [str(t) for t in docs["text"].tolist()]
    text_of = dict(zip(doc_ids, texts))
    meta = docs.drop(columns=[c for c in ("text", "raw_text") if c in docs.columns]).copy()
    meta["doc_id"] = meta["doc_id"].astype(str)

    kind = units
    if kind == "auto":
        kind = "paragraphs" if len(doc_ids) < PARAGRAPH_BELOW_DOCS else "documents"
    if kind in ("paragraphs", "sentences") and (paragraphs is None or sentences is None):
        paragraphs, sentences = segment_texts(doc_ids, texts)

    def para_units() -> pd.DataFrame:
        p = paragraphs.copy()
        p["doc_id"] = p["doc_id"].astype(str)
        p["text"] = [text_of[d][s:e] for d, s, e in zip(p["doc_id"], p["start"], p["end"])]
        p["unit"] = [f"{d}#p{i}" for d, i in zip(p["doc_id"], p["para"])]
        p["sent"] = pd.array([pd.NA] * len(p), dtype="Int64")
        return p

    if kind == "paragraphs":
        u = para_units()
        if units == "auto":
            n_fit = sum(_count(t) >= min_unit_words for t in u["text"])
            if n_fit < SENTENCE_BELOW_PARAGRAPHS:
                kind = "sentences"
    if kind == "sentences":
        u = sentences.copy()
        u["doc_id"] = u["doc_id"].astype(str)
        u["text"] = [text_of[d][s:e] for d, s, e in zip(u["doc_id"], u["start"], u["end"])]
        u["unit"] = [f"{d}#s{i}" for d, i in zip(u["doc_id"], u["sent"])]
    elif kind == "documents":
        u = pd.DataFrame({"doc_id": doc_ids, "unit": doc_ids, "text": texts,
                          "start": 0, "end": [len(t) for t in texts]})
        u["para"] = pd.array([pd.NA] * len(u), dtype="Int64")
        u["sent"] = pd.array([pd.NA] * len(u), dtype="Int64")
    u = u.reset_index(drop=True)
    u["para"] = u["para"].astype("Int64")
    u["sent"] = u["sent"].astype("Int64")
    u["start"] = u["start"].astype(int)
    u["end"] = u["end"].astype(int)
    u["n_words"] = [_count(t) for t in u["text"]]
    return u[UNIT_COLUMNS], meta, kind


# ----------------------------------------------------------------------- stability

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


def describe_stability(score: float) -> str:
    """A plain-language reading of a stability score in [0, 1]."""
    if score is None or not np.isfinite(score):
        return "Stability could not be measured (too few texts to resample)."
    pct = round(100 * score)
    if score >= 0.8:
        verdict = "stable: recomputing on different samples gives essentially the same topics"
    elif score >= 0.6:
        verdict = "fairly stable: the main topics come back, their lesser terms shift"
    elif score >= 0.4:
        verdict = "unstable: some topics change with the sample of texts, read them with care"
    else:
        verdict = "very unstable: the topics depend on which texts are included"
    return (f"{pct}% agreement of each topic's leading terms when recomputed on 80% of the "
            f"texts - {verdict}.")


# ----------------------------------------------------------------------- the model

def _nmf(k: int, random_state: int, max_iter: int, tol: float) -> NMF:
    return NMF(n_components=k, init="nndsvda", solver="cd", beta_loss="frobenius",
               max_iter=max_iter, tol=tol, random_state=random_state)


def _fit_nmf(X, k: int, random_state: int, max_iter: int, tol: float) -> tuple[NMF, np.ndarray]:
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # capped iterations are a deliberate speed/accuracy trade-off here;
        # errstate: sklearn's loss takes sqrt of a rounding-negative 0 on tiny data
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        nmf = _nmf(k, random_state, max_iter, tol)
        W = nmf.fit_transform(X)
    return nmf, W


def _top_indices(H: np.ndarray, n: int) -> list[list[int]]:
    # stable sort on -weight, ties by column (term) index: deterministic
    return [list(np.argsort(-row, kind="stable")[:n]) for row in H]


def _stability(X, k: int, samples, n_terms: int, random_state: int, max_iter: int, tol: float) -> float:
    """Stability of k topics on ``X``: the mean :func:`ranking_agreement` of
    the top-``n_terms`` lists over all pairs among the reference fit (all rows)
    and the fits on each subsample of rows. NaN if no subsample has more rows
    than k."""
    nmf, _ = _fit_nmf(X, k, random_state, max_iter, tol)
    lists = [_top_indices(nmf.components_, n_terms)]
    for idx in samples:
        if len(idx) > k:
            sub, _ = _fit_nmf(X[idx], k, random_state, max_iter, tol)
            lists.append(_top_indices(sub.components_, n_terms))
    if len(lists) < 2:
        return float("nan")
    return float(np.mean([ranking_agreement(lists[i], lists[j])
                          for i in range(len(lists)) for j in range(i + 1, len(lists))]))


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
        If no k reaches this chance-adjusted stability (tiny or uniform
        corpora, where every k is about as stable as shuffled data), the
        smallest k of ``k_range`` is used and ``k_reason_`` says so.
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
        Terms to drop; ``None`` means :data:`STOPWORDS` (pass e.g.
        ``STOPWORDS | {"brexit"}`` to extend it).

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
    k_scores_ : DataFrame ``k, stability, baseline, adjusted`` for every k
        scored (``baseline``/``adjusted`` NaN when not computed).
    k_reason_ : str, in plain words, why ``k_`` was used.
    reconstruction_err_ : float, the NMF's Frobenius reconstruction error.
    vectorizer_, nmf_ : the fitted sklearn objects (for :meth:`transform`).
    """

    def __init__(self, k=None, units="auto", k_range=(2, 12), criterion="adjusted",
                 max_features=10000, min_df=2, max_df=0.5, sublinear_tf=True,
                 n_resamples=5, sample_frac=0.8, n_stability_terms=20, choice_tol=0.005,
                 min_adjusted=0.1,
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
               "min_adjusted", "max_stability_units", "stability_max_iter", "null_max_iter",
               "min_unit_words", "max_iter", "tol", "random_state", "stopwords")

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
        return TfidfVectorizer(analyzer=_as_is, lowercase=False, min_df=min_df, max_df=max_df,
                               max_features=self.max_features, sublinear_tf=self.sublinear_tf,
                               norm="l2", dtype=np.float64)

    def fit(self, data, y=None) -> "TopicModel":
        """Fit topics to ``data`` (a Prepared corpus, a docs DataFrame with a
        ``text`` column, a ready-made units DataFrame, or a list of strings)."""
        if self.criterion not in ("adjusted", "stability"):
            raise ValueError(f"criterion must be 'adjusted' or 'stability', not {self.criterion!r}")
        table, docs, kind = build_units(data, self.units, self.min_unit_words)
        fit_mask = (table["n_words"] >= self.min_unit_words).to_numpy()
        if fit_mask.sum() < 2:
            fit_mask = (table["n_words"] > 0).to_numpy()
        stop = self._stopwords()
        tokens = [analyze(str(t), stop) for t in table["text"]]
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
        X_null = null_matrix(X_stab, self.random_state) if adjust else None

        t = self.n_stability_terms
        rows = []
        for k in ks:
            s = _stability(X_stab, k, samples, t, self.random_state, self.stability_max_iter, self.tol)
            b = adj = float("nan")
            if adjust:
                b = _stability(X_null, k, samples, t, self.random_state, self.null_max_iter, self.tol)
                if np.isfinite(s) and np.isfinite(b):
                    adj = (s - b) / (1.0 - b) if b < 1.0 else 0.0
            rows.append({"k": k, "stability": s, "baseline": b, "adjusted": adj})
        k_scores = pd.DataFrame(rows, columns=["k", "stability", "baseline", "adjusted"])

        span = f"k = {ks[0]}..{ks[-1]}"
        if self.k is not None:
            best, reason = ks[0], f"k = {ks[0]} was set by the user"
        elif len(ks) == 1:
            best, reason = ks[0], f"k = {ks[0]} is the only number of topics these units allow"
        else:
            col = "adjusted" if adjust else "stability"
            vals = k_scores[col].fillna(-np.inf)
            best = int(k_scores.loc[vals >= vals.max() - self.choice_tol, "k"].min())
            top = float(vals.max())
            if adjust and not top >= self.min_adjusted:
                best = ks[0]
                reason = (f"no number of topics in {span} is clearly more stable than chance "
                          f"(best adjusted stability {top:.2f} < {self.min_adjusted}), so the "
                          f"smallest, k = {best}, is used: treat these topics as tentative")
            elif adjust:
                reason = f"k = {best} has the highest chance-adjusted stability ({top:.2f}) of {span}"
            else:
                reason = f"k = {best} has the highest stability ({top:.2f}) of {span}"
        nmf, _ = _fit_nmf(X_nz, best, self.random_state, self.max_iter, self.tol)

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
        X = sparse.csr_matrix(self.vectorizer_.transform(list(texts)))
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


# ------------------------------------------------------------------ analysis views

def _topic_term_probabilities(model: TopicModel) -> tuple[np.ndarray, np.ndarray]:
    """p(w|t) and p(w) from the fitted factorisation.

    The corpus's tf-idf mass attributed to topic t and term w is
    ``M[t, w] = (sum over fitting units of W[u, t]) * H[t, w]``;
    p(w|t) = M[t, w] / sum_w M[t, w] and p(w) = sum_t M[t, w] / sum M.
    """
    H = model.components_
    topic_mass = model.unit_topics_[model.unit_table_["fitted"].to_numpy()].sum(axis=0)
    M = H * topic_mass[:, None]
    row = M.sum(axis=1, keepdims=True)
    p_wt = np.divide(M, row, out=np.zeros_like(M), where=row > 0)
    total = M.sum()
    p_w = M.sum(axis=0) / total if total > 0 else np.full(M.shape[1], 1.0 / M.shape[1])
    return p_wt, p_w


def top_terms(model: TopicModel, n: int = 10, lam: float = 0.6) -> pd.DataFrame:
    """The ``n`` most relevant terms of each topic (Sievert & Shirley 2014, pyLDAvis).

    relevance(w, t) = lam * log p(w|t) + (1 - lam) * log(p(w|t) / p(w)),
    ``lam`` in [0, 1]: 1 ranks by the term's weight within the topic, 0 by lift
    (how much more the term weighs in the topic than in the corpus, which
    favours rare, exclusive terms); 0.6 is the value Sievert & Shirley found
    easiest to interpret. See :func:`_topic_term_probabilities` for p(w|t), p(w).

    Returns a long DataFrame ``topic, rank, term, weight (= p(w|t)), lift
    (= p(w|t)/p(w)), relevance``, ranks from 1. Terms with p(w|t) = 0 are never
    listed.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], not {lam}")
    model._check()
    p_wt, p_w = _topic_term_probabilities(model)
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pwt = np.log(p_wt)
        lift = p_wt / p_w[None, :]
        rel = lam * log_pwt + (1 - lam) * np.log(lift)
    for t in range(model.k_):
        r = np.where(p_wt[t] > 0, rel[t], -np.inf)
        idx = np.argsort(-r, kind="stable")[:n]
        for rank, j in enumerate(i for i in idx if np.isfinite(r[i])):
            rows.append((t, rank + 1, model.vocabulary_[j], float(p_wt[t, j]), float(lift[t, j]),
                         float(r[j])))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight", "lift", "relevance"])


def topic_labels(model: TopicModel, n: int = 3, lam: float = 0.6) -> dict[int, str]:
    """A short name per topic: its number and top ``n`` relevant terms, e.g.
    ``"0: brexit, vote, leave"``."""
    tt = top_terms(model, n=n, lam=lam)
    terms = {int(t): ", ".join(g.sort_values("rank")["term"]) for t, g in tt.groupby("topic")}
    return {t: f"{t}: {terms.get(t, '')}" for t in range(model.k_)}


def representative_units(model: TopicModel, n: int = 3, max_chars: int | None = 300) -> pd.DataFrame:
    """The ``n`` units that express each topic most strongly.

    Ranked by the unit's raw NMF weight W[u, t] (tf-idf rows have unit length,
    so weights are comparable between units; a long unit mostly about the topic
    ranks above a two-word one), among units whose dominant topic it is, then
    any unit if there are too few. Columns ``topic, rank, unit, doc_id, para,
    sent, start, end, weight (W), share (of the unit's weights), text``
    (``text`` cut to ``max_chars`` with "…" unless ``None``); ``start``/``end``
    index the document's text, so the UI can highlight the passage.
    """
    model._check()
    W, S = model.unit_topics_, model.unit_shares_
    dominant = np.where(S.sum(axis=1) > 0, S.argmax(axis=1), -1)
    tab = model.unit_table_.reset_index(drop=True)
    rows = []
    for t in range(model.k_):
        score = W[:, t]
        own = np.flatnonzero((dominant == t) & (score > 0))
        own = own[np.argsort(-score[own], kind="stable")]
        rest = np.flatnonzero((dominant != t) & (score > 0))
        rest = rest[np.argsort(-score[rest], kind="stable")]
        for rank, i in enumerate(list(own[:n]) + list(rest[: max(0, n - len(own))])):
            text = str(tab.at[i, "text"])
            if max_chars is not None and len(text) > max_chars:
                text = text[: max_chars - 1].rstrip() + "…"
            rows.append((t, rank + 1, tab.at[i, "unit"], tab.at[i, "doc_id"], tab.at[i, "para"],
                         tab.at[i, "sent"], int(tab.at[i, "start"]), int(tab.at[i, "end"]),
                         float(W[i, t]), float(S[i, t]), text))
    out = pd.DataFrame(rows, columns=["topic", "rank", "unit", "doc_id", "para", "sent", "start",
                                      "end", "weight", "share", "text"])
    out["para"] = out["para"].astype("Int64")
    out["sent"] = out["sent"].astype("Int64")
    return out


def document_topics(model: TopicModel, wide: bool = False) -> pd.DataFrame:
    """Topic shares per document; each document's shares sum to 1.

    For document units these are the units' shares (W rows scaled to sum to
    1). For paragraph or sentence units a document's share of topic t is the
    word-weighted mean of its units' shares:
    ``sum_u n_words[u] * share[u, t] / sum_u n_words[u]`` over the units that
    have any topic weight, so a long paragraph counts more than a short one.
    A document with no scored unit gets shares of 0 (sum 0).

    Long form ``doc_id, topic, share`` (default), or wide (``wide=True``): one
    row per doc_id (index, in the corpus's order), one column per topic.
    """
    model._check()
    S = model.unit_shares_
    tab = model.unit_table_
    w = tab["n_words"].to_numpy(dtype=float) * (S.sum(axis=1) > 0)
    weighted = pd.DataFrame(S * w[:, None], columns=range(model.k_))
    weighted["_w"] = w
    agg = weighted.groupby(tab["doc_id"].to_numpy(), sort=False).sum()
    totals = agg.pop("_w").to_numpy()[:, None]
    shares = pd.DataFrame(np.divide(agg.to_numpy(), totals, out=np.zeros(agg.shape), where=totals > 0),
                          index=agg.index, columns=range(model.k_))
    order = list(dict.fromkeys(list(model.docs_["doc_id"].astype(str)) + list(shares.index)))
    shares = shares.reindex(order, fill_value=0.0)
    shares.index.name = "doc_id"
    shares.columns.name = "topic"
    if wide:
        return shares
    long = shares.reset_index().melt(id_vars="doc_id", var_name="topic", value_name="share")
    long["topic"] = long["topic"].astype(int)
    return long.sort_values(["doc_id", "topic"], kind="stable").reset_index(drop=True)


def group_topics(model: TopicModel, column: str, docs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Topic shares per value of a metadata ``column`` (author, party, category...).

    A group's share of topic t is the mean of its documents' shares
    (:func:`document_topics`), each document counting equally; documents
    without any scored unit are left out. Empty values form the group "".
    ``docs`` supplies the metadata (default: the metadata seen by ``fit``).
    Long form ``<column>, topic, share, n_docs``; shares of a group sum to 1.
    """
    model._check()
    meta = model.docs_ if docs is None else docs
    if column not in meta.columns:
        raise KeyError(f"no metadata column {column!r}; have {list(meta.columns)}")
    shares = document_topics(model, wide=True)
    shares = shares[shares.sum(axis=1) > 0]
    groups = meta.assign(doc_id=meta["doc_id"].astype(str)).set_index("doc_id")[column]
    groups = groups.reindex(shares.index).fillna("").astype(str)
    g = shares.groupby(groups.to_numpy(), sort=True)
    mean = g.mean()
    n_docs = g.size()
    out = mean.reset_index(names=column).melt(id_vars=column, var_name="topic", value_name="share")
    out["topic"] = out["topic"].astype(int)
    out["n_docs"] = out[column].map(n_docs).astype(int)
    return out.sort_values([column, "topic"], kind="stable").reset_index(drop=True)


def topic_map(model: TopicModel, label_chars: int = 60) -> pd.DataFrame:
    """2-D coordinates of the units for a scatter map.

    The units' topic shares (rows summing to 1) are square-rooted (Hellinger
    geometry, so small shares still separate units) and projected on their
    first two principal components (PCA by SVD of the centred matrix, signs
    fixed so each axis's largest loading is positive: deterministic). Units
    near each other mix the same topics; units of one dominant topic form a
    cloud. Units with no topic weight are left out.

    Columns ``unit, doc_id, para, sent, start, end, x, y, topic (dominant),
    weight (its share), label`` (the unit id and the start of its text).
    """
    model._check()
    S = model.unit_shares_
    keep = S.sum(axis=1) > 0
    Z = np.sqrt(S[keep])
    Zc = Z - Z.mean(axis=0)
    xy = np.zeros((Z.shape[0], 2))
    if Z.shape[0] > 1 and Z.shape[1] > 1:
        U, sv, Vt = np.linalg.svd(Zc, full_matrices=False)
        m = min(2, len(sv))
        for c in range(m):
            j = np.argmax(np.abs(Vt[c]))
            sign = 1.0 if Vt[c, j] >= 0 else -1.0
            xy[:, c] = sign * U[:, c] * sv[c]
    tab = model.unit_table_[keep].reset_index(drop=True)
    out = tab[["unit", "doc_id", "para", "sent", "start", "end"]].copy()
    out["x"] = xy[:, 0]
    out["y"] = xy[:, 1]
    out["topic"] = S[keep].argmax(axis=1).astype(int)
    out["weight"] = S[keep].max(axis=1)
    snippets = [" ".join(str(t).split())[:label_chars] for t in tab["text"]]
    out["label"] = [f"{u}: {s}" + ("…" if len(" ".join(str(t).split())) > label_chars else "")
                    for u, s, t in zip(tab["unit"], snippets, tab["text"])]
    return out


@dataclass
class TopicSummary:
    """Everything a topics page needs, from one fitted model."""

    k: int
    units: str
    stability: float
    stability_text: str
    k_scores: pd.DataFrame
    terms: pd.DataFrame
    passages: pd.DataFrame
    doc_shares: pd.DataFrame
    map: pd.DataFrame


def summarize(model: TopicModel, n_terms: int = 10, lam: float = 0.6, n_passages: int = 3) -> TopicSummary:
    """Collect the model's views (:func:`top_terms`, :func:`representative_units`,
    :func:`document_topics`, :func:`topic_map`) in one :class:`TopicSummary`."""
    model._check()
    return TopicSummary(model.k_, model.units_, model.stability_, describe_stability(model.stability_),
                        model.k_scores_.copy(), top_terms(model, n_terms, lam),
                        representative_units(model, n_passages), document_topics(model),
                        topic_map(model))


__all__ = [
    "TopicModel", "TopicSummary", "analyze", "build_units", "average_jaccard", "ranking_agreement",
    "describe_stability", "top_terms", "topic_labels", "representative_units", "document_topics",
    "group_topics", "topic_map", "summarize", "STOPWORDS", "EXTRA_STOPWORDS",
    "PARAGRAPH_BELOW_DOCS", "SENTENCE_BELOW_PARAGRAPHS",
]
