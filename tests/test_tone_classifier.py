"""The trained tone classifier: shipped weights, exact arithmetic, evidence, reproducible training,
and VADER's whole-document score (with its linear-time 'but' rule)."""

from __future__ import annotations

import math
import random
import socket
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.corpus import segment
from analysis.methods import lexicons
from analysis.methods import sentiment as S
from analysis.methods import tone_classifier as tc
from analysis.methods import tone_evaluation as te
from tests.conftest import ROOT, SEEDS, shared_corpus_path

sys.path.insert(0, str(ROOT / "scripts"))
import train_tone_model as training  # noqa: E402


def seed_tables():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    _, sents = segment.segment_texts(docs["doc_id"], texts)
    return docs, sents


def toy() -> tc.ToneClassifier:
    return tc.ToneClassifier({"good": 1.0, "not": -0.25, "not good": -2.0, "!": 0.5}, intercept_=0.5,
                             w_vader_=2.0, w_textblob_=-1.0)


def test_logit_by_hand():
    m = toy()
    # words present once each however often they occur: good 1.0, not -0.25, "not good" -2.0;
    # "good good" is no feature; 0.5 + 1.0 - 0.25 - 2.0 + 2.0 * 0.5 - 1.0 * 0.2 = 0.05
    assert m.logit("Not good, good good.", vader=0.5, polarity=0.2) == pytest.approx(0.05, abs=1e-12)
    assert m.score("Not good, good good.", 0.5, 0.2) == pytest.approx(math.tanh(0.025), abs=1e-12)
    assert m.logit("Nothing known here", 0.0, 0.0) == 0.5  # intercept only
    # curly apostrophes, case and "!" as a token
    m2 = tc.ToneClassifier({"don't": 0.3, "!": 0.5}, 0.0, 0.0, 0.0)
    assert m2.logit("DON\u2019T!", 0, 0) == pytest.approx(0.8)
    # the vectorised path gives the same numbers, text by text
    texts = ["Not good, good good.", "Nothing known here", "good! not", "", "good\x00not good"]
    vals = m.logits(texts, [0.5, 0, 0.1, 0, 0], [0.2, 0, 0, 0, 0])
    assert vals[0] == pytest.approx(0.05, abs=1e-12)
    assert vals[1] == 0.5 and vals[3] == 0.5
    assert vals[2] == pytest.approx(0.5 + 1.0 + 0.5 - 0.25 + 0.2, abs=1e-12)
    assert vals[4] == pytest.approx(m.logit("good\x00not good", 0, 0), abs=1e-12)
    # underscores part words on both paths ("not_good" is "not", "good" and the pair "not good")
    tricky = ["not_good", "__not__ good_", "NOT\u2011good!?", "\u0130 not good"]
    assert np.allclose(m.logits(tricky, [0.0] * 4, [0.0] * 4), [m.logit(t, 0, 0) for t in tricky], rtol=0, atol=1e-12)
    assert m.logit("not_good", 0, 0) == pytest.approx(0.5 + 1.0 - 0.25 - 2.0)


def test_word_counts_from_the_classifiers_pass_are_count_words():
    """The scorer of a corpus takes each sentence's word count from the classifier's pass over the
    sentences: it must be what segment.count_words counts, text by text, whatever the text holds."""
    m = toy()
    texts = ["", "Not good, good good.", "Why?! Really?? Yes!", "DON\u2019T well\u2010known \u2018quoted\u2019 o'clock",
             "\u0130stanbul \u0130zmir", "snake_case __init__ 3.14 \u00c9t\u00e9 \u0391\u0398\u0397\u039d\u0391",
             "!", "?!?", "good", "  \n\t ", "\u00df STRASSE \u212a\u0131 \ufb01ne \u2160\u2161"]
    for batch in (texts, texts[1:], texts[:1], list(reversed(texts)), texts + ["good\x00not good"]):
        scores, counts = m.scores_and_word_counts(batch, [0.0] * len(batch), [0.0] * len(batch))
        assert counts.tolist() == [segment.count_words(t) for t in batch], batch
        assert np.allclose(scores, m.scores(batch, [0.0] * len(batch), [0.0] * len(batch)), rtol=0, atol=1e-12)
    assert m.scores_and_word_counts([], [], [])[1].tolist() == []
    # "\u0130" lower-cases to two characters, "i" and a combining dot, which splits the word
    assert len(tc.tokens("\u0130stanbul")) == 2 and segment.count_words("\u0130stanbul") == 1


def test_sentence_word_counts_of_real_sentences(us_sotu_sentences):
    """Every sentence of a real corpus: the counts from the classifier's pass equal count_words."""
    texts = us_sotu_sentences
    _, counts = tc.load_model().scores_and_word_counts(texts, np.zeros(len(texts)), np.zeros(len(texts)))
    assert counts.tolist() == [segment.count_words(t) for t in texts]


@pytest.fixture(scope="module")
def us_sotu_sentences() -> list[str]:
    from analysis.corpus.prepare import prepare
    from analysis.corpus.loaders import load_paths

    prepared = prepare(load_paths([shared_corpus_path("us-sotu")]))
    return prepared.sentences["text"].astype(str).tolist()


def test_shipped_model_loads_offline(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("the classifier tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    tc.load_model.cache_clear()
    m = tc.load_model()
    assert tc.WEIGHTS_PATH.is_relative_to(ROOT / "analysis")
    assert len(m.weights_) > 10_000
    assert m.w_vader_ > 0 and m.w_textblob_ > 0, "both lexicon scores push towards their own sign"
    assert "vaderSentiment" in m.meta["training data"] and "MIT" in m.meta["training data"]
    assert m.weights_["excellent"] > 0 and m.weights_["worst"] < 0
    assert (tc.DATA_DIR / "PROVENANCE.md").exists()


def test_scores_are_deterministic_and_match_the_scalar_path():
    docs, sents = seed_tables()
    a = S.score_corpus(docs, sents, n_jobs=1).sentences["classifier"].to_numpy()
    tc.load_model.cache_clear()
    b = S.score_corpus(docs, sents, n_jobs=1).sentences["classifier"].to_numpy()
    assert np.array_equal(a, b)
    assert ((a > -1) & (a < 1)).all() and a.std() > 0.1
    m = tc.load_model()
    texts = sents["text"].tolist()
    one = np.array([S.classifier_score(t) for t in texts])
    assert np.allclose(a, one, rtol=0, atol=1e-12)
    # score_sentences (the other entry point) agrees
    c = S.score_sentences(sents, n_jobs=1)["classifier"].to_numpy()
    assert np.allclose(a, c, rtol=0, atol=1e-12)
    assert m.logits([], [], []).shape == (0,)


def test_evidence_sums_to_the_logit():
    docs, sents = seed_tables()
    m = tc.load_model()
    for text in sents["text"].tolist()[:80]:
        vader, pol = lexicons.vader_compound(text), lexicons.textblob_sentiment(text)[0]
        ev = S.classifier_evidence(text)
        logit = m.logit(text, vader, pol)
        assert math.fsum(r["contribution"] for r in ev) == pytest.approx(logit, abs=1e-9)
        assert math.tanh(logit / 2) == pytest.approx(S.classifier_score(text), abs=1e-12)
        assert [abs(r["contribution"]) for r in ev] == sorted((abs(r["contribution"]) for r in ev), reverse=True)
        for r in ev:
            if r["kind"] == "word":
                assert text[r["start"]:r["end"]].lower().replace("\u2019", "'") == r["feature"]
            elif r["kind"] == "phrase":
                first, second = r["feature"].split(" ")
                span = text[r["start"]:r["end"]].lower().replace("\u2019", "'")
                assert span.startswith(first) and span.endswith(second)
            else:
                assert r["start"] is None
    # masking a phrase removes its words from the evidence
    ev = S.classifier_evidence("They have been left behind.", exclude_phrases=["left behind"])
    assert not {"left", "behind", "left behind"} & {r["feature"] for r in ev}


def test_document_and_paragraph_columns():
    docs, sents = seed_tables()
    t = S.score_corpus(docs, sents, n_jobs=1)
    s = t.sentences
    for d, g in s.groupby("doc_id"):
        w = g["n_words"].to_numpy(float)
        row = t.documents.set_index("doc_id").loc[d]
        assert row["classifier_mean"] == pytest.approx((g["classifier"] * w).sum() / w.sum(), abs=1e-12)
        text = docs.set_index("doc_id").loc[d, "text"]
        assert row["vader_doc"] == S.vader_score(text, "reference")
    assert "classifier" in t.paragraphs.columns
    ref = S.score_corpus(docs, sents, method="reference", n_jobs=1)
    assert np.allclose(ref.sentences["classifier"], s["classifier"], atol=1e-12)
    assert (ref.documents["vader_doc"].to_numpy() == t.documents["vader_doc"].to_numpy()).all()
    for m in ("classifier_mean", "vader_doc"):
        g = S.group_scores(t.documents, docs.assign(author=["a", "a", "b"]), "author", m, sentences=s)
        assert g["interval_basis"].tolist() == ["documents", "sentences"] and g["lo"].notna().all()


def test_vader_but_rule_is_vaders_on_long_texts():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    ref = SentimentIntensityAnalyzer()
    rng = random.Random(3)
    words = ["good", "bad", "but", "great", "not", "very", "happy", "sad", "BUT", "love", "hate", "ok", "the",
             "good!", "kind", "of"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 80))) for _ in range(1500)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for t in texts:
        assert lexicons.vader_compound(t) == ref.polarity_scores(t)["compound"], t


def test_training_reproduces_the_shipped_weights():
    sdist = training.sdist_path(download=False)
    if sdist is None:
        pytest.skip(f"training data not cached ({training.CACHE / training.SDIST_NAME}); "
                    "run scripts/train_tone_model.py once to fetch it")
    frame = training.read_training_sets(sdist)
    assert frame.groupby("set").size().to_dict() == {"movie_reviews": 10605, "nyt_editorials": 5190,
                                                     "product_reviews": 3708, "tweets": 4200}
    assert not frame["text"].str.contains("@anonymous|url_removed").any()
    model = training.train(frame)
    assert training.compare(model, tc.read_weights(tc.WEIGHTS_PATH)) == []
    bad = training.compare(model, tc.ToneClassifier(dict(model.weights_, good=9.0), model.intercept_,
                                                    model.w_vader_, model.w_textblob_))
    assert bad, "a changed weight is noticed"


def test_evaluation_figures_are_what_the_code_gives():
    stored = te.stored_evaluation()
    assert stored is not None, "run scripts/evaluate_tone.py"
    kav = next(s for s in stored["sets"] if s["name"] == "kavanaugh_tweets")
    path = shared_corpus_path("tweets")
    frame = pd.read_csv(path, keep_default_na=False)
    scores = te.measure_scores(frame["text"])
    auc = te.auc_table(frame["label"], scores)
    assert auc == kav["auc"], "tone_evaluation.json is stale: run scripts/evaluate_tone.py"
    assert auc["vader_doc"] > auc["polarity"] + 0.1
    assert set(stored["measures"]) == set(te.MEASURES) and stored["date"] and stored["command"]
