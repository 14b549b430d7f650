"""ROC AUC of every tone measure on every evaluation set; writes analysis/methods/tone_evaluation.json.

    .venv/bin/python scripts/evaluate_tone.py            # prints the table and writes the JSON
    .venv/bin/python scripts/evaluate_tone.py --no-write # prints only

Evaluation sets (each text scored as one document, as given, no cleaning):

- the four training sets of the classifier (Hutto & Gilbert 2014, see
  scripts/train_tone_model.py): the classifier's figures here are OUT OF FOLD, from models
  fitted without the sentences scored: "cv" = 5-fold cross-validation over all four sets
  pooled, folds grouped by source text (an editorial or a review never straddles a fold);
  "leave-one-set-out" = fitted on the other three sets only (the set is then out of domain).
  VADER's authors built these sets to test VADER, so its figures here flatter it;
- Kavanaugh tweets (Bestvater & Monroe 2023, ../shared/corpora; research use only, never trained
  on): political tweets labelled positive / negative language; the shipped model;
- UCI Sentiment Labelled Sentences (Kotzias et al. 2015), 1,000 Amazon, IMDb and Yelp sentences
  each, from the npm package ``sentiment`` 5.0.2 (MIT; test/fixtures/*.json), fetched with
  ``npm pack`` into the cache folder; never trained on; the shipped model.

For the out-of-domain sets the JSON also holds the classifier's AUC minus VADER's best, with a
95% paired bootstrap interval. Nothing here is fitted on an evaluation set.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_tone_model as training  # noqa: E402

from analysis.methods import tone_evaluation as te  # noqa: E402

KAVANAUGH = ROOT.parent / "shared" / "corpora" / "kavanaugh-tweets-sentiment" / "kavanaugh_tweets_sentiment.csv.gz"
NPM_PACKAGE = "sentiment@5.0.2"
NPM_TARBALL = "sentiment-5.0.2.tgz"
NPM_SHA256 = "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f"
N_FOLDS = 5


def uci_sentences(download: bool = True) -> pd.DataFrame | None:
    """The 3,000 UCI labelled sentences (``text, label, source``), or None when not to be had."""
    path = training.CACHE / NPM_TARBALL
    if not path.exists() and download:
        training.CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "pack", NPM_PACKAGE, "--pack-destination", str(training.CACHE)], check=True,
                           stdout=sys.stderr)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"UCI sentences unavailable: {exc}", file=sys.stderr)
    if not path.exists():
        return None
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != NPM_SHA256:
        raise ValueError(f"{path}: not the expected {NPM_PACKAGE} tarball")
    frames = []
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for name in ("amazon", "imdb", "yelp"):
            rows = json.load(tar.extractfile(f"package/test/fixtures/{name}.json"))
            f = pd.DataFrame(rows).dropna(subset=["class"])
            frames.append(pd.DataFrame({"text": f["text"].astype(str), "label": f["class"].astype(int),
                                        "source": name}))
    return pd.concat(frames, ignore_index=True)


def out_of_fold(frame: pd.DataFrame) -> tuple[dict, dict]:
    """Classifier scores of the labelled training sentences from models that did not see them:
    ``(cv, leave_one_set_out)``, each ``{set: (labels, DataFrame of classifier measures)}``."""
    from sklearn.model_selection import GroupKFold

    kept = frame[frame["label"] >= 0].reset_index(drop=True)
    cols = ["classifier", "classifier_mean"]
    cv_scores = pd.DataFrame(index=kept.index, columns=cols, dtype=float)
    for k, (tr, te_idx) in enumerate(GroupKFold(N_FOLDS).split(kept, groups=kept["group"])):
        print(f"  cv fold {k + 1}/{N_FOLDS}", file=sys.stderr, flush=True)
        model = training.train(kept.iloc[tr])
        cv_scores.iloc[te_idx] = te.measure_scores(kept["text"].iloc[te_idx], model)[cols].to_numpy()
    cv, loso = {}, {}
    for name in training.SETS:
        rows = kept["set"] == name
        cv[name] = (kept.loc[rows, "label"].to_numpy(), cv_scores[rows].reset_index(drop=True))
        print(f"  leave out {name}", file=sys.stderr, flush=True)
        model = training.train(kept[~rows])
        loso[name] = (kept.loc[rows, "label"].to_numpy(), te.measure_scores(kept.loc[rows, "text"], model)[cols])
    return cv, loso


def evaluate(sdist=None) -> dict:
    """All figures (see the module docstring) as the JSON written to tone_evaluation.json."""
    sets = []
    frame = training.read_training_sets(training.sdist_path(sdist))
    kept = frame[frame["label"] >= 0]
    cv, loso = out_of_fold(frame)
    for name in training.SETS:
        sub = kept[kept["set"] == name]
        labels = sub["label"].to_numpy()
        lex = te.measure_scores(sub["text"])[["polarity", "polarity_mean", "vader_doc", "vader_mean"]]
        auc = te.auc_table(labels, lex)
        auc.update(te.auc_table(cv[name][0], cv[name][1]))
        lo = te.auc_table(loso[name][0], loso[name][1])
        sets.append({"name": name, "title": f"Hutto & Gilbert {name.replace('_', ' ')}", "n": int(len(labels)),
                     "n_positive": int(labels.sum()), "role": "training set (classifier out of fold)",
                     "auc": auc, "auc_leave_one_set_out": {k: v for k, v in lo.items()}})
    ood = [("kavanaugh_tweets", "Kavanaugh tweets (Bestvater & Monroe 2023)",
            pd.read_csv(KAVANAUGH, keep_default_na=False) if KAVANAUGH.exists() else None)]
    uci = uci_sentences()
    ood.append(("uci_review_sentences", "UCI labelled review sentences (Kotzias et al. 2015)", uci))
    for name, title, data in ood:
        if data is None:
            print(f"skipped {name}: data not found", file=sys.stderr)
            continue
        labels = data["label"].astype(int).to_numpy()
        scores = te.measure_scores(data["text"])
        auc = te.auc_table(labels, scores)
        best_vader = max(("vader_doc", "vader_mean"), key=auc.get)
        best_cls = max(("classifier", "classifier_mean"), key=auc.get)
        sets.append({"name": name, "title": title, "n": int(len(labels)), "n_positive": int(labels.sum()),
                     "role": "out of domain (never trained on)", "auc": auc,
                     "classifier_minus_vader": {"classifier": best_cls, "vader": best_vader, **te.paired_auc_difference(
                         labels, scores[best_cls], scores[best_vader])}})
    versions = {p: metadata.version(p) for p in ("textblob", "vaderSentiment", "scikit-learn", "numpy")}
    return {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python scripts/evaluate_tone.py", "versions": versions,
            "measures": {k: {"name": v[0], "what": v[1]} for k, v in te.MEASURES.items()},
            "note": "ROC AUC, each text scored as one document. Classifier on its training sets: out of fold "
                    f"({N_FOLDS}-fold CV grouped by source text; leave-one-set-out separately). VADER's authors "
                    "built the Hutto & Gilbert sets to test VADER.",
            "sets": sets}


def table(result: dict) -> str:
    """The figures as a plain-text table (sets down, measures across)."""
    cols = list(te.MEASURES)
    head = f"{'set':32s} {'n':>6s} " + " ".join(f"{c:>16s}" for c in cols)
    lines = [head]
    for s in result["sets"]:
        lines.append(f"{s['name']:32s} {s['n']:6d} " + " ".join(f"{s['auc'].get(c, np.nan):16.3f}" for c in cols))
        if "auc_leave_one_set_out" in s:
            lo = s["auc_leave_one_set_out"]
            lines.append(f"{'  (classifier left out of set)':32s} {'':6s} "
                         + " ".join(f"{lo[c]:16.3f}" if c in lo else f"{'':16s}" for c in cols))
        if "classifier_minus_vader" in s:
            d = s["classifier_minus_vader"]
            lines.append(f"  {d['classifier']} - {d['vader']}: {d['difference']:+.3f} "
                         f"(95% interval {d['lo']:+.3f} to {d['hi']:+.3f})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sdist", help="path to the vaderSentiment 3.3.2 sdist (default: the cache)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args(argv)
    result = evaluate(args.sdist)
    print(table(result))
    if not args.no_write:
        te.EVALUATION_JSON.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {te.EVALUATION_JSON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
