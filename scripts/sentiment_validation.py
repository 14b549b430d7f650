"""Write analysis/methods/sentiment_validation.json: ROC AUC of each sentiment measure on hand-labelled tweets.

    .venv/bin/python scripts/sentiment_validation.py [path/to/labelled.csv.gz]

The Methods page reads the JSON (analysis.methods.sentiment.stored_validation) so it
need not recompute; the data set itself (research use only) is not shipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.methods.sentiment import VALIDATION_JSON, validation_scores  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpora" / "kavanaugh-tweets-sentiment" / "kavanaugh_tweets_sentiment.csv.gz"


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    result = validation_scores(path)
    result["source"] = ("Bestvater & Monroe (2023), 'Sentiment is Not Stance', Political Analysis: "
                        "tweets on the 2018 Kavanaugh confirmation hand-coded for positive (1) / "
                        "negative (0) language")
    result["note"] = ("ROC AUC of each score against the hand labels, each tweet scored as one "
                      "document, texts as given; nothing fitted or tuned on these labels.")
    VALIDATION_JSON.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
