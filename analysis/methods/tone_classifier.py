"""A trained tone classifier: a logistic regression over words, two-word phrases and the two lexicon scores.

Third sentiment method beside TextBlob and VADER (:mod:`analysis.methods.sentiment`). It was
fitted once, offline, by ``scripts/train_tone_model.py`` on sentences hand-rated for sentiment
by Hutto & Gilbert (2014) - New York Times editorials, tweets, movie-review and product-review
snippets - as shipped in the MIT-licensed ``vaderSentiment`` 3.3.2 source distribution (see
``tone_classifier_data/PROVENANCE.md``). The weights are project data
(``tone_classifier_data/weights.tsv``); nothing is downloaded at run time.

What the numbers mean, for one sentence (or any text):

- features: every distinct lower-cased word token (:data:`TOKEN_RE`: letters/digits with
  inner apostrophes or hyphens, plus ``!`` and ``?``) and every distinct pair of adjacent
  tokens ("not good"), each present (1) or absent (0); plus the sentence's VADER compound
  and its TextBlob polarity (both in [-1, 1]);
- ``logit`` = intercept + sum of the weights of the features present + w_vader x VADER +
  w_textblob x polarity: the log-odds that a human rater would call the sentence positive
  rather than negative (class-balanced training, so 0 = even odds);
- ``score`` = 2 x P(positive) - 1 = tanh(logit / 2), in (-1, 1): 0 = even odds, +0.5 = 75%
  positive, -0.5 = 75% negative. This is the ``classifier`` column of sentence tables;
- evidence (:meth:`ToneClassifier.evidence`): one row per term of that sum, so the
  contributions add up to the logit exactly (up to float rounding).

A document's score is the word-weighted mean of its sentences' scores (``classifier_mean``);
groups as for the other methods. Words the training sentences did not contain (or contained
once only) weigh nothing; the lexicon scores then carry the sentence.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.corpus.segment import count_words as _count_words

__all__ = ["TOKEN_RE", "DATA_DIR", "WEIGHTS_PATH", "ToneClassifier", "load_model", "tokens", "features",
           "read_weights", "write_weights", "fit_classifier"]

#: Word tokens as :data:`analysis.corpus.segment.WORD_RE` finds them, plus "!" and "?".
TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019\u2018\-\u2010\u2011][^\W_]+)*|[!?]")
DATA_DIR = Path(__file__).with_name("tone_classifier_data")
WEIGHTS_PATH = DATA_DIR / "weights.tsv"
#: Names of the non-word terms of the logit, as written in the weights file and in evidence.
INTERCEPT, VADER, TEXTBLOB = "<intercept>", "<vader>", "<textblob>"
#: Decimal places the weights are stored with (the shipped model is the rounded one).
DECIMALS = 4


# TOKEN_RE, or the separator of joined texts, on text whose underscores are made spaces: with ``\w``
# (faster) in place of ``[^\W_]`` it finds the same tokens (the tests compare them)
_JOINED_RE = re.compile(r"\w+(?:['\u2019\u2018\-\u2010\u2011]\w+)*|[!?]|\x00")
_SEP = "\x00"


def _normalise(text: str) -> str:
    # str.replace, not str.translate: translate with a dict walks a long text char by char in Python.
    if not text.isascii():
        text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2010", "-").replace("\u2011", "-")
    return text.lower()


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: much faster here than ``np.unique``'s hash table)."""
    k = np.sort(keys)
    return k[np.concatenate(([True], k[1:] != k[:-1]))] if len(k) else k


def _word_counts(texts: list[str], text_of_token: np.ndarray, n: int) -> np.ndarray:
    """Each text's number of :data:`~analysis.corpus.segment.WORD_RE` words, from the text number
    of each token of the joined texts (separators included, each numbered as the text after it).

    A text's tokens are its words, then one token per "!" and "?" (neither can be inside a word);
    lower-casing and :func:`_normalise` keep every character's kind (word character, joiner, other),
    so the words are the same as in the text itself, except where "\u0130" (capital I with a dot)
    becomes two characters, "i" and a combining dot: such texts are counted on their own."""
    per_text = np.bincount(text_of_token, minlength=n)[:n]
    per_text[1:] -= 1  # the separator before each text but the first
    marks = np.fromiter((t.count("!") + t.count("?") for t in texts), dtype=np.int64, count=n)
    counts = per_text - marks
    if any("\u0130" in t for t in texts):
        for i, t in enumerate(texts):
            if "\u0130" in t:
                counts[i] = _count_words(t)
    return counts


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` lower-cased, curly apostrophes and Unicode hyphens made plain."""
    return TOKEN_RE.findall(_normalise(text))


def features(text: str) -> list[str]:
    """The word and two-word features of ``text``: its tokens, then each adjacent pair joined by
    a space (repeats included; presence is what counts)."""
    t = tokens(text)
    return t + [a + " " + b for a, b in zip(t, t[1:])]


@dataclass
class ToneClassifier:
    """A fitted tone classifier (see the module docstring for what the numbers mean).

    ``weights_`` maps a feature (word or "word word") to its weight in the logit;
    ``intercept_``, ``w_vader_``, ``w_textblob_`` are the other terms; ``meta`` holds the
    header lines of the weights file (provenance, training settings).
    """

    weights_: dict
    intercept_: float
    w_vader_: float
    w_textblob_: float
    meta: dict = field(default_factory=dict)
    _arrays: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def logit(self, text: str, vader: float, polarity: float) -> float:
        """Log-odds that ``text`` reads as positive, given its VADER compound and TextBlob polarity."""
        w = self.weights_.get
        t = tokens(text)
        s = sum(w(f, 0.0) for f in set(t))
        if len(t) > 1:
            s += sum(w(f, 0.0) for f in {a + " " + b for a, b in zip(t, t[1:])})
        return self.intercept_ + s + self.w_vader_ * float(vader) + self.w_textblob_ * float(polarity)

    def _index(self) -> tuple:
        """Arrays for :meth:`logits`: word ids, unigram weights, sorted bigram keys and weights, and
        the keys as an index (a hash table, faster to look up than sorted keys)."""
        if self._arrays is None:
            words = sorted({w for f in self.weights_ for w in f.split(" ")})
            ids = {w: i for i, w in enumerate(words)}
            n = len(words)
            uni = np.zeros(n)
            pairs = []
            for f, wt in self.weights_.items():
                a, _, b = f.partition(" ")
                if b:
                    pairs.append((ids[a] * n + ids[b], wt))
                else:
                    uni[ids[a]] = wt
            pairs.sort()
            keys = np.array([k for k, _ in pairs], dtype=np.int64)
            bw = np.array([wt for _, wt in pairs], dtype=float)
            ids[_SEP] = -2
            self._arrays = (ids, n, uni, keys, bw, pd.Index(keys))
        return self._arrays

    def logits(self, texts: Sequence[str], vader: Sequence[float], polarity: Sequence[float]) -> np.ndarray:
        """:meth:`logit` of each text (``vader``, ``polarity``: its lexicon scores, same order).

        Vectorised: the texts are tokenized in one pass (joined by a separator) and each
        text's distinct features are summed with numpy; equal to :meth:`logit` up to the
        order of float additions.
        """
        return self._logits(texts, vader, polarity)[0]

    def scores_and_word_counts(self, texts: Sequence[str], vader: Sequence[float],
                               polarity: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`scores` of the texts, and each text's number of words as
        :func:`analysis.corpus.segment.count_words` counts them, from the same pass over the texts
        (the scorer of a corpus needs both; counting again costs as much as the classifier)."""
        logits, counts = self._logits(texts, vader, polarity, count_words=True)
        return np.tanh(logits / 2.0), counts

    def _logits(self, texts: Sequence[str], vader: Sequence[float], polarity: Sequence[float],
                count_words: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        texts = [str(t) for t in texts]
        n = len(texts)
        joined = _SEP.join(texts)
        counts = None
        if n == 0 or joined.count(_SEP) != n - 1:  # a text holds the separator itself: one by one
            sums = np.array([self.logit(t, 0.0, 0.0) - self.intercept_ for t in texts], dtype=float)
            if count_words:
                counts = np.array([_count_words(t) for t in texts], dtype=np.int64)
        else:
            ids, nw, uni, keys, bw, key_index = self._index()
            toks = _JOINED_RE.findall(_normalise(joined).replace("_", " "))
            tid = np.fromiter(map(ids.get, toks, repeat(-1)), dtype=np.int64, count=len(toks))
            sent = np.cumsum(tid == -2)  # text number of each token
            if count_words:
                counts = _word_counts(texts, sent, n)
            known = tid >= 0
            u = _distinct(sent[known] * nw + tid[known])  # distinct (text, word)
            sums = np.bincount(u // nw, weights=uni[u % nw], minlength=n)
            a, b = tid[:-1], tid[1:]
            ok = (a >= 0) & (b >= 0)
            if len(keys) and ok.any():
                bk = a[ok] * nw + b[ok]
                pos = key_index.get_indexer(bk)
                hit = pos >= 0
                nb = len(keys)
                u2 = _distinct(sent[:-1][ok][hit] * nb + pos[hit])  # distinct (text, word pair)
                sums += np.bincount(u2 // nb, weights=bw[u2 % nb], minlength=n)
        logits = (sums + self.intercept_ + self.w_vader_ * np.asarray(vader, dtype=float)
                  + self.w_textblob_ * np.asarray(polarity, dtype=float))
        return logits, counts

    def scores(self, texts: Sequence[str], vader: Sequence[float], polarity: Sequence[float]) -> np.ndarray:
        """Tone score of each text: 2 x P(positive) - 1 = tanh(logit / 2), in (-1, 1)."""
        return np.tanh(self.logits(texts, vader, polarity) / 2.0)

    def score(self, text: str, vader: float, polarity: float) -> float:
        """Tone score of one text (see :meth:`scores`)."""
        return math.tanh(self.logit(text, vader, polarity) / 2.0)

    def evidence(self, text: str, vader: float, polarity: float) -> list[dict]:
        """The terms of ``text``'s logit, largest effect first.

        One dict per term: ``feature`` (the word, the two words, or ``<vader>``,
        ``<textblob>``, ``<intercept>``), ``kind`` ("word", "phrase", "vader",
        "textblob", "intercept"), ``value`` (1 for a word or phrase present, else the
        lexicon score), ``weight``, ``contribution`` = weight x value (its push on the
        logit: positive = towards a positive reading), and ``start``/``end``: offsets of
        the feature's first occurrence in ``text`` (None for the non-word terms, and where
        lower-casing changed the text's length). Words
        with no weight are left out. The contributions sum to :meth:`logit`.
        """
        norm = _normalise(text)
        located = len(norm) == len(text)  # lower-casing kept every offset (nearly always)
        matches = list(TOKEN_RE.finditer(norm))
        toks = [m.group() for m in matches]
        rows, seen = [], set()
        items = [(t, m.start(), m.end(), "word") for t, m in zip(toks, matches)]
        items += [(toks[i] + " " + toks[i + 1], matches[i].start(), matches[i + 1].end(), "phrase")
                  for i in range(len(toks) - 1)]
        if not located:
            items = [(f, None, None, kind) for f, _, _, kind in items]
        for f, s, e, kind in items:
            if f in seen:
                continue
            seen.add(f)
            wt = self.weights_.get(f)
            if wt:
                rows.append({"feature": f, "kind": kind, "value": 1.0, "weight": wt, "contribution": wt,
                             "start": s, "end": e})
        rows.append({"feature": VADER, "kind": "vader", "value": float(vader), "weight": self.w_vader_,
                     "contribution": self.w_vader_ * float(vader), "start": None, "end": None})
        rows.append({"feature": TEXTBLOB, "kind": "textblob", "value": float(polarity), "weight": self.w_textblob_,
                     "contribution": self.w_textblob_ * float(polarity), "start": None, "end": None})
        rows.append({"feature": INTERCEPT, "kind": "intercept", "value": 1.0, "weight": self.intercept_,
                     "contribution": self.intercept_, "start": None, "end": None})
        rows.sort(key=lambda r: -abs(r["contribution"]))
        return rows


def read_weights(path: str | Path) -> ToneClassifier:
    """Load a weights file: ``#``-lines ``# key: value`` (metadata), then ``feature<TAB>weight``."""
    meta, weights = {}, {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#"):
                k, _, v = line[1:].partition(":")
                meta[k.strip()] = v.strip()
            elif line:
                f, _, w = line.rpartition("\t")
                weights[f] = float(w)
    special = {k: weights.pop(k) for k in (INTERCEPT, VADER, TEXTBLOB)}
    return ToneClassifier(weights, special[INTERCEPT], special[VADER], special[TEXTBLOB], meta)


def write_weights(model: ToneClassifier, path: str | Path) -> None:
    """Write ``model`` as :func:`read_weights` reads it (features sorted; weights as stored)."""
    lines = [f"# {k}: {v}" for k, v in model.meta.items()]
    lines += [f"{INTERCEPT}\t{model.intercept_!r}", f"{VADER}\t{model.w_vader_!r}",
              f"{TEXTBLOB}\t{model.w_textblob_!r}"]
    lines += [f"{f}\t{w!r}" for f, w in sorted(model.weights_.items())]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


#: Training settings of the shipped model (chosen by leave-one-set-out AUC on the training sets).
C = 0.1
MIN_DF = 2
LEXICON_SCALE = 3.0


def fit_classifier(texts: Sequence[str], labels: Sequence[int], vader: Sequence[float],
                   polarity: Sequence[float], c: float = C, min_df: int = MIN_DF,
                   lexicon_scale: float = LEXICON_SCALE, meta: dict | None = None) -> ToneClassifier:
    """Fit the classifier on labelled texts (1 = positive, 0 = negative) and their lexicon scores.

    scikit-learn ``LogisticRegression`` (L2, ``C=c``, lbfgs, ``class_weight="balanced"``) over the
    binary presence of every feature of :func:`features` found in at least ``min_df`` texts,
    plus the VADER and TextBlob scores multiplied by ``lexicon_scale`` (so they are shrunk
    less than single words). Weights are rounded to :data:`DECIMALS` places (the rounded
    model is the one that scores); zero weights are dropped. Deterministic for the same data.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer(analyzer=features, binary=True, min_df=min_df, dtype=np.float64)
    words = vec.fit_transform(list(texts))
    lex = np.column_stack([np.asarray(vader, dtype=float), np.asarray(polarity, dtype=float)]) * lexicon_scale
    x = sparse.hstack([words, sparse.csr_matrix(lex)], format="csr")
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, tol=1e-8)
    lr.fit(x, np.asarray(labels, dtype=int))
    coef = lr.coef_[0]
    names = vec.get_feature_names_out()
    weights = {str(f): round(float(w), DECIMALS) for f, w in zip(names, coef[:len(names)])}
    weights = {f: w for f, w in weights.items() if w != 0.0}
    return ToneClassifier(weights, round(float(lr.intercept_[0]), DECIMALS),
                          round(float(coef[-2] * lexicon_scale), DECIMALS),
                          round(float(coef[-1] * lexicon_scale), DECIMALS), dict(meta or {}))


@functools.lru_cache(maxsize=1)
def load_model() -> ToneClassifier:
    """The shipped classifier (read once from :data:`WEIGHTS_PATH`; no download)."""
    return read_weights(WEIGHTS_PATH)
