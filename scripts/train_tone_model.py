"""Rebuild the tone classifier's weights from its training data.

    .venv/bin/python scripts/train_tone_model.py            # writes analysis/methods/tone_classifier_data/weights.tsv
    .venv/bin/python scripts/train_tone_model.py --check    # rebuilds and compares with the shipped file (exit 1 if not equal)

Training data (licence and provenance: analysis/methods/tone_classifier_data/PROVENANCE.md):
the four sets of sentences hand-rated for sentiment by Hutto & Gilbert (2014, "VADER: A
Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM-14) -
5,190 sentences of New York Times opinion editorials, 4,200 tweets, 10,605 movie-review and
3,708 product-review snippets, each rated -4..+4 by about 20 people. They ship inside the
source distribution of ``vaderSentiment`` 3.3.2 on PyPI (MIT licence), as
``additional_resources/hutto_ICWSM_2014.tar.gz``. The script reads that archive from
``--sdist`` or from the cache folder (``$EXPLORER_TRAINING_CACHE``, default
``~/.cache/political-text-explorer``), fetching it there with ``pip download`` when it is
missing (at training time only; the app never downloads anything). The archive's SHA-256 is
checked. The texts are not copied into the project: only the fitted weights are.

The tweets carry the placeholders "@anonymous" and "http://url_removed" where the raters saw a
user name or a link; they are removed before training (else the placeholder itself would be
learnt as a positive word).

Labels: a sentence whose mean rating is >= +0.5 is positive (1), <= -0.5 negative (0); the
ones in between (near neutral or disputed) are left out.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.methods import lexicons  # noqa: E402
from analysis.methods import tone_classifier as tc  # noqa: E402

PACKAGE = "vaderSentiment==3.3.2"
SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
INNER_SHA256 = "d5bb07d87474b3eb8d30b4deccbc23f19d742a6c5718fbacc65485b70b95c5fa"
#: Short name of each training set -> its file stem in the archive.
SETS = {"nyt_editorials": "nytEditorialSnippets", "tweets": "tweets", "movie_reviews": "movieReviewSnippets",
        "product_reviews": "amazonReviewSnippets"}
THRESHOLD = 0.5
CACHE = Path(os.environ.get("EXPLORER_TRAINING_CACHE", Path.home() / ".cache" / "political-text-explorer"))


def sdist_path(path: str | Path | None = None, download: bool = True) -> Path | None:
    """The vaderSentiment 3.3.2 sdist: ``path`` if given, else the cached copy, fetched with
    ``pip download`` when ``download`` (None when absent and not fetched)."""
    if path is not None:
        return Path(path)
    cached = CACHE / SDIST_NAME
    if not cached.exists() and download:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        PACKAGE, "-d", str(CACHE)], check=True, stdout=sys.stderr)
    return cached if cached.exists() else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_training_sets(sdist: str | Path) -> pd.DataFrame:
    """The rated sentences of the four sets, one row each: ``set, id, group, rating, label, text``.

    ``rating`` is the mean human rating (-4..+4); ``label`` 1 / 0 / -1 (positive, negative,
    left out as within +-0.5 of neutral); ``group`` the source text a sentence came from where
    the id says it (editorial or review number ``N`` of ids ``N_k``), else the id itself.
    Raises ``ValueError`` when the archive is not the expected one.
    """
    raw = Path(sdist).read_bytes()
    if _sha256(raw) != SDIST_SHA256:
        raise ValueError(f"{sdist}: not the vaderSentiment 3.3.2 sdist (SHA-256 {_sha256(raw)})")
    with tarfile.open(fileobj=io.BytesIO(raw)) as outer:
        inner = outer.extractfile(INNER).read()
    if _sha256(inner) != INNER_SHA256:
        raise ValueError(f"{INNER}: unexpected content")
    rows = []
    with tarfile.open(fileobj=io.BytesIO(inner)) as tar:
        for name, stem in SETS.items():
            data = tar.extractfile(f"hutto_ICWSM_2014/{stem}_GroundTruth.txt").read().decode("utf-8", "replace")
            for line in data.splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                sid, rating, text = parts[0].strip(), float(parts[1]), "\t".join(parts[2:])
                text = " ".join(text.replace("@anonymous", " ").replace("http://url_removed", " ").split())
                label = 1 if rating >= THRESHOLD else 0 if rating <= -THRESHOLD else -1
                rows.append((name, sid, f"{name}:{sid.split('_')[0]}", rating, label, text))
    return pd.DataFrame(rows, columns=["set", "id", "group", "rating", "label", "text"])


def lexicon_scores(texts) -> tuple[np.ndarray, np.ndarray]:
    """VADER compound and TextBlob polarity of each text (the project's fast, float-identical versions)."""
    texts = list(texts)
    vader = np.array([lexicons.vader_compound(t) for t in texts])
    polarity = np.array([lexicons.textblob_sentiment(t)[0] for t in texts])
    return vader, polarity


def train(frame: pd.DataFrame, meta: dict | None = None) -> tc.ToneClassifier:
    """Fit :func:`analysis.methods.tone_classifier.fit_classifier` on the labelled rows of ``frame``."""
    kept = frame[frame["label"] >= 0]
    vader, polarity = lexicon_scores(kept["text"])
    return tc.fit_classifier(kept["text"].tolist(), kept["label"].to_numpy(), vader, polarity, meta=meta)


def shipped_meta(frame: pd.DataFrame) -> dict:
    """The header lines of the weights file: what it was fitted on and how."""
    kept = frame[frame["label"] >= 0]
    counts = ", ".join(f"{s} {n}" for s, n in kept.groupby("set", sort=False).size().items())
    import sklearn

    return {
        "model": "logistic regression over word and two-word presence + VADER compound + TextBlob polarity",
        "score": "logit = intercept + sum of weights present; tone = tanh(logit / 2) = 2 P(positive) - 1",
        "training data": f"Hutto & Gilbert (2014) rated sentences from {PACKAGE} sdist ({SDIST_NAME}, "
                         f"sha256 {SDIST_SHA256}), {INNER.split('/', 1)[1]}; MIT licence",
        "sentences": f"{len(kept)} ({counts}); positive {int(kept['label'].sum())}; "
                     f"rating >= {THRESHOLD} positive, <= -{THRESHOLD} negative, others left out",
        "settings": f"C={tc.C}, min_df={tc.MIN_DF}, lexicon_scale={tc.LEXICON_SCALE}, class_weight=balanced, "
                    f"lbfgs tol=1e-8; weights rounded to {tc.DECIMALS} places",
        "built with": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "rebuild": "python scripts/train_tone_model.py",
    }


def compare(a: tc.ToneClassifier, b: tc.ToneClassifier, tol: float = 0.0) -> list[str]:
    """Differences between two models' weights beyond ``tol`` (empty list: the same model)."""
    out = []
    if set(a.weights_) != set(b.weights_):
        out.append(f"features differ: {len(set(a.weights_) ^ set(b.weights_))} not in both")
    diffs = [abs(a.weights_[f] - b.weights_[f]) for f in set(a.weights_) & set(b.weights_)]
    diffs += [abs(a.intercept_ - b.intercept_), abs(a.w_vader_ - b.w_vader_), abs(a.w_textblob_ - b.w_textblob_)]
    if max(diffs) > tol:
        out.append(f"{sum(d > tol for d in diffs)} weights differ, by up to {max(diffs):.2g}")
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sdist", help=f"path to {SDIST_NAME} (default: the cache, fetched if missing)")
    ap.add_argument("--out", default=str(tc.WEIGHTS_PATH), help="weights file to write")
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = ap.parse_args(argv)
    frame = read_training_sets(sdist_path(args.sdist))
    model = train(frame, meta=shipped_meta(frame))
    if args.check:
        problems = compare(model, tc.read_weights(args.out))
        print("\n".join(problems) if problems else f"{args.out}: reproduced exactly ({len(model.weights_)} features)")
        return 1 if problems else 0
    tc.write_weights(model, args.out)
    print(f"wrote {args.out}: {len(model.weights_)} features, intercept {model.intercept_:+.4f}, "
          f"VADER {model.w_vader_:+.4f}, TextBlob {model.w_textblob_:+.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
