"""Tests of analysis.methods.sentiment and its fast engine analysis.methods.lexicons.

The fast engine must give exactly (==, not approximately) the values of the
libraries it re-implements: TextBlob(text).sentiment and VADER's compound.
That is checked on real sentences of the shared corpora, on whole documents,
on hand-made edge cases and on generated text.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import segment
from analysis.methods import sentiment as S
from analysis.methods import tone_groups as TG
from analysis.methods import lexicons as F
from analysis.methods import bulk_scoring as B
from analysis.methods import vader_batch as VB

from tests.conftest import ROOT, shared_corpus_frame

textblob = pytest.importorskip("textblob")
from textblob import TextBlob  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

VADER = SentimentIntensityAnalyzer()


def ref_tb(text: str) -> tuple[float, float]:
    s = TextBlob(text).sentiment
    return (s.polarity, s.subjectivity)


def ref_vader(text: str) -> float:
    return VADER.polarity_scores(text)["compound"]


def assert_exact(texts, label=""):
    bad_tb = [(t, ref_tb(t), F.textblob_sentiment(t)) for t in texts if ref_tb(t) != F.textblob_sentiment(t)]
    assert not bad_tb, f"{label}: {len(bad_tb)} TextBlob mismatches, e.g. {bad_tb[:3]}"
    bad_v = [(t, ref_vader(t), F.vader_compound(t)) for t in texts if ref_vader(t) != F.vader_compound(t)]
    assert not bad_v, f"{label}: {len(bad_v)} VADER mismatches, e.g. {bad_v[:3]}"
    # all at once, over arrays
    batch = VB.compounds(list(texts))
    bad_b = [(t, ref_vader(t), b) for t, b in zip(texts, batch) if ref_vader(t) != b]
    assert not bad_b, f"{label}: {len(bad_b)} VADER mismatches scored at once, e.g. {bad_b[:3]}"


# --------------------------------------------------------------------------------------
# The engine's tables are the libraries' tables
# --------------------------------------------------------------------------------------


def test_textblob_lexicon_is_textblobs():
    from textblob.en import sentiment as lib

    lib.load() if not dict.__len__(lib) else None
    tb = F.load_textblob()
    lib_words = {w: v for w, v in dict.items(lib) if None in v}
    assert set(tb.lexicon) == set(lib_words)
    for w, v in lib_words.items():
        p, s, i, is_mod, label = tb.lexicon[w]
        assert (p, s, i) == tuple(v[None])
        assert is_mod == ("RB" in v)
        assert label == lib.labeler.get(w)
    assert tb.negations == frozenset(lib.negations)


def test_vader_tables_are_vaders():
    vd = F.load_vader()
    assert vd.lexicon == VADER.lexicon
    assert all(vd.emojis[k] == VADER.emojis[k] for k in vd.emojis)
    assert not vd.emoji_ascii  # the ASCII fast path of the emoji pass relies on it


def test_split_equals_textblobs_whitespace_collapse():
    # find_tokens collapses r"\s+" and splits with r"(\S+)\s"; the engine uses str.split().
    ws_re = re.compile(r"\s")
    for c in range(0x110000):
        ch = chr(c)
        assert (ws_re.match(ch) is not None) == ch.isspace(), hex(c)


def test_fast_engine_does_not_import_textblob_or_nltk():
    code = ("import sys; import analysis.methods.lexicons as F; "
            "assert F.textblob_sentiment('a very good idea') == (0.9099999999999999, 0.7800000000000001); "
            "F.vader_compound('good'); "
            "assert 'nltk' not in sys.modules and 'textblob' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --------------------------------------------------------------------------------------
# Exactness on real sentences and documents
# --------------------------------------------------------------------------------------

SAMPLE = {"us-sotu": 6000, "covid": None, "bbc": 6000, "tweets": None}  # ~20,000 sentences


@pytest.fixture(scope="module", params=list(SAMPLE))
def corpus_sentences(request):
    name = request.param
    df = shared_corpus_frame(name)
    if name == "us-sotu":
        df = df.iloc[::4]
    elif name == "bbc":
        df = df.iloc[::4]
    paragraphs, sentences = segment.segment_texts(df["doc_id"], df["text"])
    texts = sentences["text"].tolist()
    n = SAMPLE[name]
    if n is not None and len(texts) > n:
        texts = random.Random(0).sample(texts, n)
    return name, texts


def test_sentences_equal_the_libraries(corpus_sentences):
    name, texts = corpus_sentences
    assert len(texts) > 3000
    assert_exact(texts, name)


def test_score_corpus_documents_equal_textblob_whole_text():
    frames = []
    covid = shared_corpus_frame("covid").iloc[::4]
    frames.append(covid[["doc_id", "text"]])
    tweets = shared_corpus_frame("tweets").iloc[::4]
    frames.append(tweets[["doc_id", "text"]])
    sotu = shared_corpus_frame("us-sotu")
    frames.append(sotu[sotu["doc_id"].str.startswith(("1790", "1862", "1946", "2009"))][["doc_id", "text"]])
    docs = pd.concat(frames, ignore_index=True)
    _, sentences = segment.segment_texts(docs["doc_id"], docs["text"])
    tables = S.score_corpus(docs, sentences, n_jobs=1)
    d = tables.documents.set_index("doc_id")
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        assert (d.at[doc_id, "polarity"], d.at[doc_id, "subjectivity"]) == ref_tb(text), doc_id
    # and the sentence rows of score_corpus are the per-sentence scores
    s = tables.sentences.sample(n=800, random_state=1)
    for t, p, q, v in zip(s["text"], s["polarity"], s["subjectivity"], s["vader"]):
        assert (p, q) == ref_tb(t)
        assert v == ref_vader(t)


EDGE_CASES = [
    "", " ", "\n\n", "!", "(!)", "I love it (!) really", "( ! )", "Great ( !)", "Great (! )",
    "Nice :) and :-) and : ) and :D and : D and x D and XD and 8) and (see item 8)",
    "o.O wow o . O and o. O", ":'( so sad", "<3 you", "Happy :)\n\nSad :(", "Look : )\n\n) ok",
    "They have been left behind.", "not good", "not a good idea", "not very good", "really not good",
    "never good", "no good", "I don't like it, I didn't enjoy it, it isn't good.",
    "I can't believe it's not butter!!!", "Very very very good!!!", "GREAT news, truly GREAT.",
    "Mr. Smith said the U.S. economy is strong. Dr. Who? e.g. this etc. and that...",
    "He said \u201cthis is wonderful\u201d and \u2018that\u2019s terrible\u2019.",
    "It's a 'good' \"bad\" idea''", "END-OF-SENTENCE good END-OF-SENTENCE",
    "Wait... what?! Seriously??? No!!!!", "terribly bad, simply great, happily ever after",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "At least it isn't a horrible book.", "Roger Dodger is one of the least compelling variations.",
    "The book was only kind of good.", "Sort of okay, kinda good, kind-of bad", "without a doubt, excellent",
    "Catch utf-8 emoji such as \U0001f498 and \U0001f48b and \U0001f601", "\U0001f601\U0001f601 good",
    "\u201cGood\u201d \u00a9 2016 BBC \u2014 caf\u00e9 \U0001f602 and \u2018bad\u2019\u2764",
    "It was the shit, the bomb, a bad ass ride to die for, yeah right",
    "Never so happy. Never this good. not so bad", "No, no, no or nor good",
    "damn fucking crap", "\u00e9l\u00e8ve caf\u00e9 na\u00efve \u0130stanbul \u03a3\u039f\u03a3",
    "ONE TWO three", "A.", "U.S.A.", "Mr.", "...", ". . .", "'", "''", "n't", "'s good'",
    "tab\tseparated\u00a0nbsp\u2003em-space good\r\nline", "--- *** ~~~ good_bad good-bad",
]


def test_edge_cases_equal_the_libraries():
    assert_exact(EDGE_CASES, "edge cases")
    for t in EDGE_CASES:
        lib = TextBlob(t).sentiment_assessments.assessments
        assert F.textblob_assessments(t) == [tuple(a) for a in lib], t


WORDS = ["good", "bad", "not", "no", "never", "very", "really", "terribly", "great", "but", "kind", "of",
         "least", "at", "so", "this", "without", "doubt", "the", "shit", "bomb", "ass", "yeah", "right",
         "love", "hate", "LOVE", "Good", "NOT", "isn't", "don't", "won't", "n't", "'s", "Mr.", "U.S.",
         "etc.", "x", "X", "D", "o", "O", "8", "3", "c", "s", "or", "nor", "VERY", "sort", "just",
         "enough", "kiss", "death", "to", "die", "for", "bus", "stop", "beating", "heart", "uber",
         "barely", "Really", "happily", "LOVE!", "ok?", "kinda", "(good)", "nope", "wasn't"]
PIECES = [":", ")", "(", "-", "!", "?", ".", "...", "'", '"', "\u201c", "\u201d", "\u2018", "\u2019", ";", "]",
          "[", "=", "<", ">", "^", "_", "*", "/", "\\", "\u00b0", "#", "@", ",", "\U0001f601", "\u2764"]
SEPS = [" ", "", "  ", "\n", "\n\n", "\t", " \n\n ", "\r\n\r\n"]


@st.composite
def messy_text(draw):
    n = draw(st.integers(0, 25))
    out = []
    for _ in range(n):
        out.append(draw(st.sampled_from(WORDS + PIECES)))
        out.append(draw(st.sampled_from(SEPS)))
    return "".join(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_text())
def test_generated_text_equals_the_libraries(text):
    assert F.textblob_sentiment(text) == ref_tb(text)
    assert F.vader_compound(text) == ref_vader(text)
    lib = TextBlob(text).sentiment_assessments.assessments
    assert F.textblob_assessments(text) == [tuple(a) for a in lib]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messy_text(), min_size=1, max_size=6))
def test_whole_document_from_sentences_equals_textblob(parts):
    # Documents built from sentence-like parts with varied gaps, scored through
    # the sentence-concatenation path (and its fall-backs).
    text, spans = "", []
    for k, p in enumerate(parts):
        gap = ["", " ", "\n\n", " x "][k % 4] if k else ""
        text += gap
        spans.append((len(text), len(text) + len(p)))
        text += p
    (pol, subj, rows, doc_vader), = F.score_document_chunk([(text, spans)], vader=True)
    assert (pol, subj) == ref_tb(text)
    assert doc_vader == ref_vader(text)  # from the sentences' valences where their words tile the text
    for (s, e), r in zip(spans, rows):
        assert r[:3] == ref_tb(text[s:e]) + (ref_vader(text[s:e]),)


@pytest.mark.parametrize("text, runs", [
    ("It was a good plan. The result is bad. We are not happy!", 0),
    ("They were very. Good people came.", 1),      # a modifier pending at the sentence's end
    ("I do not. Like it at all. Fine. Not. Bad.", 2),  # negations pending at the sentences' ends
    ("A great day. Hmm ! Sad news came.", 1),      # a "!" before the next sentence's first assessment
    ("Nothing here. Great !", 0),
    ("I am afraid of it. Are you there? Hmm !!!", 1),  # a "!" raising an assessment two sentences back
])
def test_whole_text_from_the_sentences_assessments(text, runs, monkeypatch):
    # the whole text's score is the sentences' assessments added up again; sentences one of whose
    # assessments could reach into the next are assessed again together; both equal TextBlob's
    spans, at = [], 0
    for part in text.split(". "):
        start = text.index(part, at)
        end = start + len(part) + (1 if text[start + len(part):start + len(part) + 1] == "." else 0)
        spans.append((start, end))
        at = end
    calls = []
    real = F._assess_stats
    monkeypatch.setattr(F, "_assess_stats", lambda *a: calls.append(1) or real(*a))
    (pol, subj, _, _), = F.score_document_chunk([(text, spans)], vader=False)
    assert (pol, subj) == ref_tb(text)
    assert len(calls) == len(spans) + runs


@pytest.mark.parametrize("text", [
    "It was not. Good at all. But we are HAPPY today!",    # a negation two words back, across a boundary
    "Kind. Of great. Very. Bad news. NO. Good!!",           # look-ahead and capitals across boundaries
    "ALL CAPS HERE. but not here, good. Never so. Bad?? Yes?",
    "The cat sat. 😀 A fine day. Not bad at all.",          # an emoji: the whole text is scored afresh
    "Without. Doubt good. At. Least bad. The. Kiss of death.",
])
def test_whole_text_vader_from_the_sentences(text, monkeypatch):
    split = []
    real = VB._Words
    monkeypatch.setattr(VB, "_Words", lambda raw, vd: split.append(len(raw)) or real(raw, vd))
    spans, at = [], 0
    for part in text.split(" "):  # every word a sentence: every valence reads across a boundary
        start = text.index(part, at)
        spans.append((start, start + len(part)))
        at = start + len(part)
    (_, _, rows, doc_vader), = F.score_document_chunk([(text, spans)], vader=True)
    assert doc_vader == ref_vader(text)
    assert [r[2] for r in rows] == [ref_vader(text[s:e]) for s, e in spans]
    sentences = [m.span() for m in re.finditer(r"\S[^.!?]*[.!?]*", text)]
    (_, _, _, doc_vader), = F.score_document_chunk([(text, sentences)], vader=True)
    assert doc_vader == ref_vader(text)
    # the sentences' words are the whole text's: split once, read with two sets of boundaries
    # (a text with an emoji is scored text by text)
    assert split == ([] if "😀" in text else [len(text.split())] * 2)


def test_whole_text_vader_when_the_sentences_do_not_tile_it(monkeypatch):
    split = []
    real = VB._Words
    monkeypatch.setattr(VB, "_Words", lambda raw, vd: split.append(len(raw)) or real(raw, vd))
    text = "Not good. (aside) Very BAD news!! but fine"
    spans = [(0, 9), (18, 32), (33, 42)]  # "(aside)" lies outside the sentences
    (sentences, whole), = VB.document_compounds([(text, spans)])
    assert whole == ref_vader(text) and sentences == [ref_vader(text[s:e]) for s, e in spans]
    assert split == [len(" ".join(text[s:e] for s, e in spans).split()) + len(text.split())]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messy_text(), min_size=0, max_size=8))
def test_many_texts_at_once_equal_the_library(texts):
    # texts side by side must not read each other's words
    assert VB.compounds(texts) == [ref_vader(t) for t in texts]


def test_emoticon_across_sentence_boundary_falls_back():
    text = "I am happy :\n) Really."
    spans = [(0, 12), (13, 22)]
    (pol, subj, _, _), = F.score_document_chunk([(text, spans)])
    assert (pol, subj) == ref_tb(text)
    assert pol != F.textblob_sentiment(text[:12])  # the ":)" only exists across the boundary


def test_parallel_equals_serial():
    df = shared_corpus_frame("covid").iloc[:40]
    _, sentences = segment.segment_texts(df["doc_id"], df["text"])
    items = [(t, [(s, e) for s, e in zip(g["start"], g["end"])])
             for t, (_, g) in zip(df["text"], sentences.groupby("doc_id", sort=False))]
    serial = B.score_documents(items, n_jobs=1, word_pattern=segment.WORD_RE.pattern)
    chunks = B.split_evenly(items, [len(t) for t, _ in items], 3)
    assert len(chunks) == 3 and [x for c in chunks for x in c] == items
    assert B.score_documents(items, n_jobs=2, word_pattern=segment.WORD_RE.pattern) == serial
    texts = sentences["text"].tolist()[:500] * 2
    assert B.score_texts(texts, n_jobs=2) == B.score_texts(texts, n_jobs=1)


# --------------------------------------------------------------------------------------
# The DataFrame API
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_tables():
    from analysis.corpus.model import Corpus, Document
    from analysis.corpus.prepare import prepare

    texts = {
        "a": "This is a wonderful day. We are happy!\n\nBut the news was terrible. Awful, really.",
        "b": "They have been left behind. Nobody cares about left-behind towns.\n\nA plain sentence.",
        "c": "Good.",
        "d": "",
    }
    meta = {"a": ("Ann", "2016-06-24"), "b": ("Ann", "2016"), "c": ("Bob", "1999-01-02"), "d": ("", "")}
    corpus = Corpus([Document(doc_id=k, text=v, author=meta[k][0], date=meta[k][1]) for k, v in texts.items()])
    return prepare(corpus)


def test_score_corpus_fast_equals_reference(seed_tables):
    p = seed_tables
    for phrases in ((), ("left behind",)):
        fast = S.score_corpus(p.docs, p.sentences, exclude_phrases=phrases)
        ref = S.score_corpus(p.docs, p.sentences, exclude_phrases=phrases, method="reference")
        pd.testing.assert_frame_equal(fast.sentences, ref.sentences, check_exact=True)
        pd.testing.assert_frame_equal(fast.paragraphs, ref.paragraphs, check_exact=True)
        pd.testing.assert_frame_equal(fast.documents, ref.documents, check_exact=True)
        # the separate functions give the same tables
        sents = S.score_sentences(p.sentences, exclude_phrases=phrases)
        pd.testing.assert_frame_equal(sents[fast.sentences.columns].reset_index(drop=True),
                                      fast.sentences, check_exact=True)
        docs = S.document_scores(p.docs, sents, exclude_phrases=phrases)
        pd.testing.assert_frame_equal(docs, fast.documents, check_exact=True)


def test_document_and_paragraph_aggregation(seed_tables):
    p = seed_tables
    t = S.score_corpus(p.docs, p.sentences)
    s, d = t.sentences, t.documents.set_index("doc_id")
    for doc_id, text in zip(p.docs["doc_id"], p.docs["text"]):
        assert (d.at[doc_id, "polarity"], d.at[doc_id, "subjectivity"]) == ref_tb(str(text))
    a = s[s["doc_id"] == "a"]
    assert list(a["n_words"]) == [segment.count_words(x) for x in a["text"]]
    w = a["n_words"].to_numpy(float)
    assert d.at["a", "polarity_mean"] == pytest.approx((a["polarity"] * w).sum() / w.sum(), abs=1e-15)
    assert d.at["a", "vader_mean"] == pytest.approx((a["vader"] * w).sum() / w.sum(), abs=1e-15)
    assert d.at["a", "n_sentences"] == len(a) and d.at["a", "n_words"] == w.sum()
    para = t.paragraphs.set_index(["doc_id", "para"])
    a1 = a[a["para"] == 1]
    w1 = a1["n_words"].to_numpy(float)
    assert para.loc[("a", 1), "polarity"] == pytest.approx((a1["polarity"] * w1).sum() / w1.sum(), abs=1e-15)
    # the empty document: whole-text 0.0 (TextBlob's value), sentence means NaN
    assert d.at["d", "polarity"] == 0.0 and np.isnan(d.at["d", "polarity_mean"]) and d.at["d", "n_sentences"] == 0


def test_excluding_a_phrase_neutralises_left_behind(seed_tables):
    sent = "They have been left behind."
    assert S.textblob_scores(sent)[0] < 0  # "behind" is -0.4 in TextBlob's lexicon
    frame = pd.DataFrame({"doc_id": ["x"] * 4, "para": 0, "sent": range(4), "start": 0, "end": 0,
                          "text": [sent, "Towns were LEFT\n behind.", "Left \u00a0behind, again.", "A good day."]})
    plain = S.score_sentences(frame)
    masked = S.score_sentences(frame, exclude_phrases=["left behind"])
    assert (plain["polarity"].iloc[:3] < 0).all()
    assert (masked["polarity"].iloc[:3] == 0.0).all() and (masked["subjectivity"].iloc[:3] == 0.0).all()
    assert list(masked["masked"]) == [True, True, True, False]
    assert masked["polarity"].iloc[3] == plain["polarity"].iloc[3]
    assert list(masked["n_words"]) == list(plain["n_words"])  # weights keep the sentence's own words
    for t, v in zip(frame["text"], masked["vader"]):
        assert v == ref_vader(S.mask_phrases(t, ["left behind"]))
    # curly and straight apostrophes alike, same length, case-insensitive
    m = S.mask_phrases("The People\u2019s Vote and the people's vote.", ["people's vote"])
    assert m == "The " + " " * 13 + " and the " + " " * 13 + "."
    # in a corpus: the sentence of doc b is neutral, its evidence is gone
    t = S.score_corpus(seed_tables.docs, seed_tables.sentences, exclude_phrases=["left behind"])
    b = t.sentences[t.sentences["doc_id"] == "b"]
    assert b["polarity"].iloc[0] == 0.0 and bool(b["masked"].iloc[0])
    assert t.documents.set_index("doc_id").at["b", "n_masked"] == 2
    assert S.sentence_evidence(sent, ["left behind"]) == []


def test_sentence_evidence():
    text = "This is not a very good idea, really not good! :) Terribly sad."
    ev = S.sentence_evidence(text)
    lib = TextBlob(text).sentiment_assessments
    assert [(e["words"].split(), e["polarity"], e["subjectivity"], e["label"]) for e in ev] == \
        [tuple(a) for a in lib.assessments]
    assert np.mean([e["polarity"] for e in ev]) == pytest.approx(lib.polarity, abs=1e-15)
    spans = [text[e["start"]:e["end"]] for e in ev]
    assert spans == ["not a very good", "really not good!", ":)", "Terribly sad"]
    assert [e["words"] for e in S.sentence_evidence(text, method="reference")] == [e["words"] for e in ev]
    p = pd.DataFrame({"doc_id": ["z", "z"], "para": [0, 0], "sent": [0, 1], "start": [0, 10],
                      "end": [9, 20], "text": ["Good job.", "Bad news."]})
    table = S.document_evidence(p, "z")
    assert list(table["words"]) == ["good", "bad"] and list(table["start"]) == [0, 10]


def test_method_agreement():
    pol = [0.5, -0.2, 0.0, 0.0, 0.3, -0.4]
    vad = [0.6, 0.1, 0.0, 0.2, 0.3, -0.9]
    df = pd.DataFrame({"doc_id": ["a"] * 6 + ["b"], "polarity": pol + [0.1], "vader": vad + [0.2]})
    r = S.method_agreement(df).set_index("doc_id")
    from scipy.stats import pearsonr, spearmanr

    assert r.at["a", "agreement_pearson"] == pytest.approx(pearsonr(pol, vad)[0])
    assert r.at["a", "agreement_spearman"] == pytest.approx(spearmanr(pol, vad)[0])
    # labels: (+,+) (-,+) (0,0) (0,+) (+,+) (-,-): agree on 4 of 6, both neutral counted as agreeing
    assert r.at["a", "agreement_sign"] == pytest.approx(4 / 6)
    assert r.at["a", "n_both_neutral"] == 1 and r.at["a", "n_polar"] == 4
    assert r.at["a", "agreement_sign_polar"] == pytest.approx(3 / 4)
    assert np.isnan(r.at["b", "agreement_pearson"])  # one sentence: no correlation


def test_date_bins():
    got = S.date_bins(["1999-05-01", "1999", "2000-12", "", None, "unknown", " 1790"], "year")
    assert list(got) == ["1999", "1999", "2000", "", "", "", "1790"]
    assert list(S.date_bins(["1999-05-01", "2001", ""], "decade")) == ["1990s", "2000s", ""]
    with pytest.raises(ValueError):
        S.date_bins(["1999"], "week")


def test_date_bins_of_repeated_and_missing_dates_keep_their_rows():
    """Each distinct date is binned once and given back to every row that has it, in order, the
    row labels kept; None, NaN and numbers are binned as before."""
    dates = pd.Series(["2016-06-24", None, "2016-06-24", float("nan"), 1999, "1999", "", "2016-06-24"],
                      index=list("abcdefgh"))
    got = S.date_bins(dates, "year")
    assert list(got) == ["2016", "", "2016", "", "1999", "1999", "", "2016"]
    assert list(got.index) == list("abcdefgh") and got.dtype == object
    assert list(S.date_bins(dates, "decade")) == ["2010s", "", "2010s", "", "1990s", "1990s", "", "2010s"]
    assert len(S.date_bins([], "year")) == 0


def test_group_scores_do_not_depend_on_the_order_of_the_score_rows():
    """Scores in the documents' own order (matched by position) and shuffled (matched by id) give
    the same table, to the bit."""
    rng = np.random.default_rng(1)
    ids = [f"d{i}" for i in range(60)]
    docs = pd.DataFrame({"doc_id": ids, "author": rng.choice(["a", "b", "c", ""], size=60)})
    scores = pd.DataFrame({"doc_id": ids, "polarity": rng.normal(size=60)})
    scores.loc[5, "polarity"] = np.nan
    in_order = S.group_scores(scores, docs, "author")
    shuffled = S.group_scores(scores.sample(frac=1.0, random_state=3), docs, "author")
    pd.testing.assert_frame_equal(in_order, shuffled, check_exact=True)
    partial = S.group_scores(scores.iloc[:50], docs, "author")  # documents without a score
    assert partial["n_docs"].sum() == 60 and not partial.equals(in_order)


def test_group_scores():
    docs = pd.DataFrame({"doc_id": list("abcdef"), "author": ["x", "x", "x", "y", "", "z"],
                         "date": ["2016-06-24", "2016", "2017-01-01", "", "1999", "2016"]})
    scores = pd.DataFrame({"doc_id": list("abcdef"), "polarity": [0.1, 0.3, 0.2, -0.5, 0.0, 0.4]})
    sents = pd.DataFrame({"doc_id": ["d", "d", "d", "e", "f"], "polarity": [-0.6, -0.4, -0.5, 0.0, 0.4],
                          "n_words": [10, 5, 8, 4, 3]})
    g = S.group_scores(scores, docs, "author", sentences=sents).set_index("group")
    assert list(g.index) == ["x", "y", "z", ""]  # empty group kept, last
    assert g.at["x", "mean"] == pytest.approx(0.2) and g.at["x", "n_docs"] == 3
    assert g.at["x", "interval_basis"] == "documents"
    assert g.at["x", "lo"] <= 0.2 <= g.at["x", "hi"]
    assert 0.1 <= g.at["x", "lo"] and g.at["x", "hi"] <= 0.3
    # the same bootstrap by hand: 2000 resamples of the documents in 8 blocks of 250, each block from
    # a stream spawned from seed 0; percentiles 2.5 / 97.5
    vals = np.array([0.1, 0.3, 0.2])
    boots = np.concatenate([vals[np.random.default_rng(s).integers(0, 3, size=(250, 3))].mean(axis=1)
                            for s in np.random.SeedSequence(0).spawn(8)])
    assert (g.at["x", "lo"], g.at["x", "hi"]) == pytest.approx(tuple(np.percentile(boots, [2.5, 97.5])))
    assert g.at["y", "interval_basis"] == "sentences" and g.at["y", "lo"] <= -0.4 <= g.at["y", "hi"]
    assert g.at["z", "interval_basis"] == "none" and np.isnan(g.at["z", "lo"])
    assert g.at["", "interval_basis"] == "none"  # one document with one sentence
    again = S.group_scores(scores, docs, "author", sentences=sents).set_index("group")
    pd.testing.assert_frame_equal(g, again)  # fixed seed
    # a group's interval does not depend on the other groups present
    only_x = S.group_scores(scores, docs[docs["author"] == "x"], "author").set_index("group")
    assert only_x.at["x", "lo"] == g.at["x", "lo"]
    no_sents = S.group_scores(scores, docs, "author").set_index("group")
    assert no_sents.at["y", "interval_basis"] == "none"
    by_year = S.group_scores(scores, docs, "date").set_index("group")
    assert list(by_year.index) == ["1999", "2016", "2017", ""]
    assert by_year.at["2016", "n_docs"] == 3
    by_decade = S.group_scores(scores, docs, "date", date_freq="decade").set_index("group")
    assert list(by_decade.index) == ["1990s", "2010s", ""]


def test_one_document_interval_weights_by_hand():
    """A one-document group's whole-text interval resamples its sentences weighted by their TextBlob
    assessments: the stored count where the sentence was scored as it is, recounted from the text
    where a phrase was masked; sentences without words are left out. Arrow-backed columns (as a
    store reads them) give the same interval."""
    docs = pd.DataFrame({"doc_id": ["d", "e"], "author": ["solo", "other"]})
    scores = pd.DataFrame({"doc_id": ["d", "e"], "polarity": [0.2, 0.1]})
    texts = ["A wonderful, happy day.", "The sad and bitter end.", "", "Left behind and very angry."]
    sents = pd.DataFrame({"doc_id": ["d"] * 4, "text": texts, "polarity": [0.9, -0.6, 0.0, -0.8],
                          "n_words": [4, 5, 0, 5], "masked": [False, False, False, True],
                          "n_assessments": [7.0, 2.0, 0.0, 9.0]})
    counted = len(F.textblob_assessments(texts[3]))
    assert counted != 9  # the stored count of the masked sentence must not be used
    values = np.array([0.9, -0.6, -0.8])
    weights = np.array([7.0, 2.0, counted], dtype=float)
    boots = []
    for s in np.random.SeedSequence(0).spawn(8):
        idx = np.random.default_rng(s).integers(0, 3, size=(250, 3))
        w = weights[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            boots.append(np.where(w.sum(axis=1) > 0, (values[idx] * w).sum(axis=1) / w.sum(axis=1), np.nan))
    want = tuple(np.nanpercentile(np.concatenate(boots), [2.5, 97.5]))
    g = S.group_scores(scores, docs, "author", sentences=sents).set_index("group")
    assert g.at["solo", "interval_basis"] == "sentences"
    assert (g.at["solo", "lo"], g.at["solo", "hi"]) == pytest.approx(want)
    arrow = sents.astype({"doc_id": "string[pyarrow]", "text": "string[pyarrow]",
                          "polarity": "double[pyarrow]", "masked": "bool[pyarrow]"})
    g2 = S.group_scores(scores, docs, "author", sentences=arrow).set_index("group")
    pd.testing.assert_frame_equal(g, g2)
    # with nothing masked the stored counts are the weights and the text is not read
    plain = sents.assign(masked=False, text=None)
    g3 = S.group_scores(scores, docs, "author", sentences=plain).set_index("group")
    assert g3.at["solo", "interval_basis"] == "sentences" and g3.at["solo", "lo"] != g.at["solo", "lo"]


def test_bootstrap_does_not_depend_on_threads(monkeypatch):
    """A large sample's blocks are drawn in threads, a small one's in the caller: the same interval."""
    vals = np.random.default_rng(3).normal(size=3_000)
    threaded = TG.bootstrap_interval(vals, None, 2000, 0, 0.95)
    monkeypatch.setattr(TG, "THREADED_DRAWS", 10**12)
    assert TG.bootstrap_interval(vals, None, 2000, 0, 0.95) == threaded
    weights = np.random.default_rng(4).integers(1, 5, size=3_000).astype(float)
    monkeypatch.setattr(TG, "THREADED_DRAWS", 1)
    weighted = TG.bootstrap_interval(vals, weights, 2000, 0, 0.95)
    monkeypatch.setattr(TG, "THREADED_DRAWS", 10**12)
    assert TG.bootstrap_interval(vals, weights, 2000, 0, 0.95) == weighted
    assert TG.bootstrap_interval(vals, None, 2001, 0, 0.95) != threaded, "a last, partial block is drawn too"


def test_bootstrap_intervals_are_the_one_at_a_time_intervals():
    """Samples drawn together (one draw of the indices per size, counted and multiplied) give each
    sample the interval of the by-hand gather bootstrap: unweighted, weighted, a NaN value (which
    counts only in the resamples that draw it), a sample with no weight at all, mixed sizes."""
    rng = np.random.default_rng(7)

    def by_hand(values, weights):
        boots = []
        for s in np.random.SeedSequence(0).spawn(8):
            idx = np.random.default_rng(s).integers(0, len(values), size=(250, len(values)))
            if weights is None:
                boots.append(values[idx].mean(axis=1))
                continue
            w = weights[idx]
            with np.errstate(invalid="ignore", divide="ignore"):
                boots.append(np.where(w.sum(axis=1) > 0, (values[idx] * w).sum(axis=1) / w.sum(axis=1), np.nan))
        stats = np.concatenate(boots)
        if np.isnan(stats).all():
            return (np.nan, np.nan)
        return tuple(np.nanpercentile(stats, [2.5, 97.5]))

    samples = []
    for n in (2, 3, 3, 40, 300):
        v = rng.normal(size=n)
        w = rng.integers(0, 4, size=n).astype(float)
        samples += [(v, None), (v, w), (rng.normal(size=n), w)]
    with_nan = rng.normal(size=40)
    with_nan[5] = np.nan
    samples += [(with_nan, None), (np.ones(4), np.zeros(4))]
    got = TG.bootstrap_intervals(samples)
    assert len(got) == len(samples)
    for (values, weights), (lo, hi) in zip(samples, got):
        want = by_hand(values, weights)
        assert (lo, hi) == pytest.approx(want, rel=1e-12, abs=1e-15, nan_ok=True)
        assert (lo, hi) == pytest.approx(TG.bootstrap_interval(values, weights), nan_ok=True)
    assert np.isnan(got[-1][0]) and np.isnan(got[-1][1])


def test_group_scores_many_is_group_scores_per_measure():
    """The measures drawn together give each measure's table of group_scores exactly."""
    rng = np.random.default_rng(2)
    n = 120
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "g": rng.integers(0, 30, n).astype(str)})
    scores = pd.DataFrame({"doc_id": docs["doc_id"], "polarity": rng.normal(size=n),
                           "vader_mean": rng.normal(size=n), "subjectivity": rng.random(n)})
    scores.loc[4, "polarity"] = np.nan
    sents = pd.DataFrame({"doc_id": np.repeat(docs["doc_id"].to_numpy(), 4), "polarity": rng.normal(size=4 * n),
                          "subjectivity": rng.random(4 * n), "vader": rng.normal(size=4 * n),
                          "n_words": rng.integers(0, 9, 4 * n), "masked": False,
                          "n_assessments": rng.integers(0, 4, 4 * n).astype(float)})
    measures = ["polarity", "vader_mean", "subjectivity"]
    many = TG.group_scores_many(scores, docs, "g", measures, sentences=sents)
    assert (many[0]["interval_basis"] == "sentences").any() and (many[0]["interval_basis"] == "documents").any()
    for m, table in zip(measures, many):
        pd.testing.assert_frame_equal(table, TG.group_scores(scores, docs, "g", m, sentences=sents))


def test_reference_method_and_bad_method():
    assert S.textblob_scores("A good day", "reference") == S.textblob_scores("A good day")
    assert S.vader_score("A good day", "reference") == S.vader_score("A good day")
    with pytest.raises(ValueError):
        S.textblob_scores("x", method="quick")
