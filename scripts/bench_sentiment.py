"""Speed and exactness of the sentiment engine against the libraries it re-implements.

    .venv/bin/python scripts/bench_sentiment.py                 # speed on us-sotu (sample of reference)
    .venv/bin/python scripts/bench_sentiment.py --sample 0      # reference timed on every sentence
    .venv/bin/python scripts/bench_sentiment.py --verify us-sotu covid bbc tweets
                                                                # exactness on every sentence and document
    .venv/bin/python scripts/bench_sentiment.py --peer          # the naive peer's time, for comparison

Speed: sentences/second for TextBlob and VADER, reference (the libraries,
called naively per sentence) vs fast (analysis.methods.lexicons), in one
process; then analysis.methods.sentiment.score_corpus (sentences + whole documents +
paragraphs + agreement) with n_jobs=1 and with all cores. Reference timings on
a sample are per-sentence rates extrapolated to the corpus.

Verify: every sentence's TextBlob (polarity, subjectivity) and VADER compound
from score_corpus compared with TextBlob(text).sentiment and
SentimentIntensityAnalyzer().polarity_scores(text)["compound"] for exact float
equality, and every document's whole-text TextBlob scores likewise.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from analysis.methods import sentiment as S  # noqa: E402
from analysis.methods import lexicons as F  # noqa: E402
from analysis.methods import bulk_scoring as B  # noqa: E402
from analysis.corpus.model import Corpus  # noqa: E402
from analysis.corpus.prepare import prepare  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
FILES = {
    "us-sotu": "us-sotu/us_sotu_1790_2021.csv.gz",
    "bbc": "bbc-news-full/bbc_news_full.csv.gz",
    "covid": "uk-covid-opposition/uk_covid_opposition_speeches.csv.gz",
    "tweets": "kavanaugh-tweets-sentiment/kavanaugh_tweets_sentiment.csv.gz",
}


def load(name: str):
    df = pd.read_csv(CORPORA / FILES[name], keep_default_na=False)
    keep = [c for c in df.columns if c not in ("n_words",)]
    return prepare(Corpus.from_frame(df[keep]))


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def bench(name: str, sample: int) -> None:
    prep, wall, _ = timed(lambda: load(name))
    texts = prep.sentences["text"].tolist()
    n = len(texts)
    print(f"{name}: {len(prep.docs)} documents, {n} sentences, {prep.docs['n_words'].sum()} words "
          f"(prepare {wall:.1f} s)")
    sub = texts if sample <= 0 or sample >= n else texts[:: max(1, n // sample)][:sample]
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    va = SentimentIntensityAnalyzer()
    F.load_textblob()
    F.load_vader()
    rows = []
    _, w, c = timed(lambda: [TextBlob(t).sentiment for t in sub])
    rows.append(("TextBlob reference (TextBlob(s).sentiment)", len(sub), w, c))
    _, w, c = timed(lambda: [F.textblob_sentiment(t) for t in sub])
    rows.append(("TextBlob fast", len(sub), w, c))
    _, w, c = timed(lambda: [va.polarity_scores(t)["compound"] for t in sub])
    rows.append(("VADER reference (polarity_scores)", len(sub), w, c))
    _, w, c = timed(lambda: [F.vader_compound(t) for t in sub])
    rows.append(("VADER fast", len(sub), w, c))
    print(f"  per sentence, one process ({len(sub)} sentences):")
    for label, k, w, c in rows:
        print(f"    {label:45s} {k / w:9.0f} sent/s wall  {k / c:9.0f} sent/s cpu  "
              f"({1e6 * c / k:6.1f} us/sent cpu)")
    docs_text = prep.docs["text"].tolist()
    _, w, c = timed(lambda: [TextBlob(t).sentiment for t in docs_text[:20]])
    print(f"    TextBlob reference, whole documents (first 20): {w:.1f} s wall, {c:.1f} s cpu")
    for nj in sorted({1, B.available_cpus()}):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, w, c = timed(lambda: S.score_corpus(prep.docs, prep.sentences, n_jobs=nj))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        print(f"  score_corpus(n_jobs={nj}): {w:.2f} s wall ({n / w:.0f} sent/s); cpu {c:.2f} s in this "
              f"process + {child:.2f} s in workers")


def peer(name: str) -> None:
    """The naive peer of the speed requirement, timed: TextBlob per sentence and
    per document, then a CountVectorizer and an NMF (10 topics)."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer
    from textblob import TextBlob

    prep = load(name)
    texts = prep.sentences["text"].tolist()
    docs = prep.docs["text"].tolist()
    _, w1, c1 = timed(lambda: [TextBlob(t).sentiment for t in texts])
    _, w2, c2 = timed(lambda: [TextBlob(t).sentiment for t in docs])
    _, w3, c3 = timed(lambda: NMF(n_components=10, random_state=0).fit(CountVectorizer().fit_transform(docs)))
    print(f"peer on {name}: TextBlob per sentence {c1:.1f} s cpu ({w1:.1f} wall), per document {c2:.1f} s cpu "
          f"({w2:.1f} wall), CountVectorizer+NMF {c3:.1f} s cpu ({w3:.1f} wall); "
          f"total {c1 + c2 + c3:.1f} s cpu")


def verify(name: str) -> None:
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    va = SentimentIntensityAnalyzer()
    prep = load(name)
    tabs = S.score_corpus(prep.docs, prep.sentences, n_jobs=1)
    s = tabs.sentences
    bad_tb = bad_v = 0
    for t, p, q, v in zip(s["text"], s["polarity"], s["subjectivity"], s["vader"]):
        r = TextBlob(t).sentiment
        if (r.polarity, r.subjectivity) != (p, q):
            bad_tb += 1
            if bad_tb <= 3:
                print("  TextBlob mismatch:", repr(t[:120]), tuple(r), (p, q))
        if va.polarity_scores(t)["compound"] != v:
            bad_v += 1
            if bad_v <= 3:
                print("  VADER mismatch:", repr(t[:120]), va.polarity_scores(t)["compound"], v)
    bad_doc = 0
    d = tabs.documents.set_index("doc_id")
    for doc_id, text in zip(prep.docs["doc_id"], prep.docs["text"]):
        r = TextBlob(text).sentiment
        if (r.polarity, r.subjectivity) != (d.at[doc_id, "polarity"], d.at[doc_id, "subjectivity"]):
            bad_doc += 1
            if bad_doc <= 3:
                print("  document mismatch:", doc_id, tuple(r))
    print(f"{name}: {len(s)} sentences: {bad_tb} TextBlob and {bad_v} VADER mismatches; "
          f"{len(d)} documents: {bad_doc} whole-text TextBlob mismatches")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="us-sotu", choices=sorted(FILES))
    ap.add_argument("--sample", type=int, default=5000,
                    help="sentences for the per-sentence timings (0 = all)")
    ap.add_argument("--verify", nargs="*", metavar="CORPUS",
                    help="check exact equality on every sentence and document of these corpora")
    ap.add_argument("--peer", action="store_true", help="time the naive peer (slow)")
    args = ap.parse_args(argv)
    if args.peer:
        peer(args.corpus)
        return 0
    if args.verify is not None:
        for name in args.verify or sorted(FILES):
            verify(name)
        return 0
    bench(args.corpus, args.sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
