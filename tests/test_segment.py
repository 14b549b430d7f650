"""Tests for analysis.corpus.segment: paragraphs, sentences and tokens with offsets."""

from __future__ import annotations

import time

import pytest

from analysis.corpus.clean import clean_text
from analysis.corpus.segment import (
    PARAGRAPH_COLUMNS,
    SENTENCE_COLUMNS,
    WORD_RE,
    count_words,
    normalise_token,
    paragraph_spans,
    segment_document,
    segment_texts,
    sentence_spans,
    token_spans,
    tokens,
)
from tests.conftest import SEEDS, shared_corpus_frame


def sentences(text: str) -> list[str]:
    spans = sentence_spans(text)
    check_spans(text, spans, 0, len(text))
    return [text[s:e] for s, e in spans]


def check_spans(text: str, spans, lo: int, hi: int) -> None:
    """Sorted, non-overlapping, non-empty, stripped, inside [lo, hi], and between
    consecutive spans only whitespace (nothing of the text is lost)."""
    prev = lo
    for s, e in spans:
        assert lo <= prev <= s < e <= hi
        assert text[prev:s].strip() == ""
        assert text[s:e] == text[s:e].strip()
        prev = e
    assert text[prev:hi].strip() == ""


SENTENCE_CASES = [
    ("Mrs Smith went home. She slept.", ["Mrs Smith went home.", "She slept."]),
    ("Mr. Brown arrived. Dr. Who left. He met Dr. Jones.",
     ["Mr. Brown arrived.", "Dr. Who left.", "He met Dr. Jones."]),
    ("The U.K. voted to leave. The U.S.A. did not.", ["The U.K. voted to leave.", "The U.S.A. did not."]),
    ("He moved to the U.S. The next day he left.", ["He moved to the U.S.", "The next day he left."]),
    ("Some things, e.g. apples, are red. Others, i.e. Pears, are not.",
     ["Some things, e.g. apples, are red.", "Others, i.e. Pears, are not."]),
    ("The pledge of £350 million a week. It was false.",
     ["The pledge of £350 million a week.", "It was false."]),
    ("The pound plummeted to a 31 year low. Anecdotally, I hear.",
     ["The pound plummeted to a 31 year low.", "Anecdotally, I hear."]),
    ('She said: "It is over." Then she left.', ['She said: "It is over."', "Then she left."]),
    ("She said: \u201cIt is over.\u201d Then she left.", ["She said: \u201cIt is over.\u201d", "Then she left."]),
    ('He asked: "Is it over?" She said no.', ['He asked: "Is it over?"', "She said no."]),
    ("He shouted 'Go away!' Then he left.", ["He shouted 'Go away!'", "Then he left."]),
    ("\"Is it?\" she asked. 'No!' he said.", ["\"Is it?\" she asked.", "'No!' he said."]),
    ("He said 'no.' She said yes.", ["He said 'no.'", "She said yes."]),
    ("Well... I am not sure. Maybe\u2026 Another one.", ["Well...", "I am not sure.", "Maybe\u2026", "Another one."]),
    ("It trailed off... and then went on.", ["It trailed off... and then went on."]),
    ("He said (and I quote) that it was fine. (This is an aside.) Then more.",
     ["He said (and I quote) that it was fine.", "(This is an aside.)", "Then more."]),
    ("Growth was 3.5% last year. It fell to 2.1%. Then rose.",
     ["Growth was 3.5% last year.", "It fell to 2.1%.", "Then rose."]),
    ("See https://www.example.com/a.b.html for more. Mail john.smith@example.co.uk now. Next.",
     ["See https://www.example.com/a.b.html for more.", "Mail john.smith@example.co.uk now.", "Next."]),
    ("Visit www.bbc.co.uk. It is good.", ["Visit www.bbc.co.uk.", "It is good."]),
    ("Too   many    spaces.   Next   one.", ["Too   many    spaces.", "Next   one."]),
    ("No trailing punctuation", ["No trailing punctuation"]),
    ("", []),
    ("   \n  ", []),
    ("It was 4.30am. We wept.", ["It was 4.30am.", "We wept."]),
    ("J. K. Rowling wrote it. George W. Bush read it.", ["J. K. Rowling wrote it.", "George W. Bush read it."]),
    ("No. 10 Downing Street said no. Fine.", ["No. 10 Downing Street said no.", "Fine."]),
    ("See p. 5 and Art. 50 of the treaty. Done.", ["See p. 5 and Art. 50 of the treaty.", "Done."]),
    ("Apples, pears, etc. The next thing. Smith et al. Found it.",
     ["Apples, pears, etc.", "The next thing.", "Smith et al. Found it."]),
    ("At 3 p.m. Then at 4 p.m. we left.", ["At 3 p.m.", "Then at 4 p.m. we left."]),
    ("World War I. Then peace.", ["World War I.", "Then peace."]),
    ("Is it a red line? Or retaining the warrant? Food security?",
     ["Is it a red line?", "Or retaining the warrant?", "Food security?"]),
    ("In the 1990s. the end", ["In the 1990s. the end"]),
    ("There are 3 reasons. 1. We lost. 2. They won.", ["There are 3 reasons.", "1. We lost.", "2. They won."]),
    ("Wow! @user said so. #Brexit is bad.", ["Wow!", "@user said so.", "#Brexit is bad."]),
]


@pytest.mark.parametrize("text, expected", SENTENCE_CASES)
def test_sentences(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize("bullet", ["- ", "* ", "\u2022 ", "1. ", "2) ", "a) ", "B. "])
def test_bulleted_items_are_sentences(bullet):
    text = f"We want:\n{bullet}Housing for all\n{bullet}jobs that pay\n{bullet}Schools. And more"
    got = sentences(text)
    assert got == ["We want:", f"{bullet}Housing for all", f"{bullet}jobs that pay",
                   f"{bullet}Schools.", "And more"]


def test_numbered_list_with_capitals():
    assert sentences("Items:\n1. First item\n2. Second item") == ["Items:", "1. First item", "2. Second item"]


def test_heading_without_full_stop():
    text = "Brexit and the Left Behind\nThe vote was close. It changed everything."
    assert sentences(text) == ["Brexit and the Left Behind", "The vote was close.", "It changed everything."]


def test_hard_wrapped_prose_is_not_cut_at_line_ends():
    text = ("We have still failed to connect with the voter\nwho sees no benefit from globalisation and\n"
            "saw free movement as a threat to his\nLivelihood. Then more.")
    assert sentences(text) == [text[: text.index("Then") - 1], "Then more."]


def test_quote_closing_after_line_break():
    assert sentences('This is the end."\nNew line.') == ['This is the end."', "New line."]


def test_sentences_within_a_paragraph_range():
    text = "Intro.\n\nFirst one. Second one.\n\nOutro."
    ps = paragraph_spans(text)
    assert [text[s:e] for s, e in ps] == ["Intro.", "First one. Second one.", "Outro."]
    s, e = ps[1]
    spans = sentence_spans(text, s, e)
    check_spans(text, spans, s, e)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one."]


def test_paragraphs():
    text = "\n\n  One line\nsame para.\n \n\n\tTwo.\u00a0\n\u00a0\nThree"
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == ["One line\nsame para.", "Two.", "Three"]
    assert paragraph_spans("") == [] and paragraph_spans(" \n\n ") == []


# ---------------------------------------------------------------------------
# Tokens


@pytest.mark.parametrize("text, expected", [
    ("don't", ["don't"]),
    ("the left-behind voters", ["the", "left-behind", "voters"]),
    ("Frances O\u2019Grady", ["Frances", "O\u2019Grady"]),
    ("£350 million", ["350", "million"]),
    ("Brexit's bus", ["Brexit's", "bus"]),
    ("3.5% of U.K. voters", ["3", "5", "of", "U", "K", "voters"]),
    ("'quoted' \u2018words\u2019 \u2014 dash", ["quoted", "words", "dash"]),
    ("@Jacqui_Smith1 #Brexit", ["Jacqui", "Smith1", "Brexit"]),
    ("", []),
])
def test_token_spans(text, expected):
    spans = token_spans(text)
    assert [text[s:e] for s, e in spans] == expected
    assert all(WORD_RE.fullmatch(text[s:e]) for s, e in spans)
    assert count_words(text) == len(expected)


def test_normalise_token_and_tokens():
    assert normalise_token("O\u2019Grady") == "o'grady"
    assert normalise_token("Left\u2010Behind") == "left-behind"
    assert tokens("Don\u2019t blame the LEFT-behind") == ["don't", "blame", "the", "left-behind"]


def test_token_spans_within_a_range():
    text = "alpha beta gamma"
    assert token_spans(text, 6, 16) == [(6, 10), (11, 16)]


# ---------------------------------------------------------------------------
# Documents and tables


def seed_texts() -> dict[str, str]:
    return {p.stem: clean_text(p.read_text(encoding="utf-8")).text for p in sorted(SEEDS.glob("*.txt"))}


def test_segment_texts_tables_and_offsets():
    texts = seed_texts()
    paragraphs, sents = segment_texts(list(texts), list(texts.values()))
    assert list(paragraphs.columns) == PARAGRAPH_COLUMNS
    assert list(sents.columns) == SENTENCE_COLUMNS
    for doc_id, text in texts.items():
        paras = paragraphs[paragraphs["doc_id"] == doc_id]
        check_spans(text, list(zip(paras["start"], paras["end"])), 0, len(text))
        doc_sents = sents[sents["doc_id"] == doc_id]
        assert doc_sents["sent"].tolist() == list(range(len(doc_sents)))
        for row in doc_sents.itertuples():
            assert text[row.start:row.end] == row.text
            para = paras[paras["para"] == row.para].iloc[0]
            assert para["start"] <= row.start < row.end <= para["end"]
        check_spans(text, list(zip(doc_sents["start"], doc_sents["end"])), 0, len(text))


def test_seed_sentences_read_right():
    texts = seed_texts()
    counts = {}
    for doc_id, text in texts.items():
        _, rows = segment_document(doc_id, text)
        counts[doc_id[:3]] = len(rows)
        found = [r[5] for r in rows]
        if doc_id.startswith("000"):
            assert found[0] == ("Through bitter and angry tears at 4.30am this morning, my overriding "
                                "feeling was that I had let my children down.")
            assert "Frances O'Grady was strong on arguing for a national plan to protect jobs and " \
                   "workers this morning." in found
            assert found[-1].endswith("from the onslaught to come.")
        if doc_id.startswith("002"):
            assert found[2].startswith("Mrs Smith, who now works with the NHS")
            assert found[9].endswith('financial crises."')
            assert found[-1] == "\"The alternative is to risk our future being shaped by Farage's " \
                                "bigotry or Johnson's buffoonery.\""
        if doc_id.startswith("003"):
            assert "The pound plummeted to a 31 year low." in found
            assert "That won't change." in found
            assert ["Is access to the single market a red line?", "Or retaining the European Arrest warrant?",
                    "What about immigration?", "Food security?",
                    "How will we fund science in the future?"] == found[40:45]
    assert counts == {"000": 23, "002": 18, "003": 52}


def test_empty_and_blank_documents():
    paragraphs, sents = segment_texts(["a", "b"], ["", "  \n\n "])
    assert paragraphs.empty and sents.empty
    assert list(sents.columns) == SENTENCE_COLUMNS


# ---------------------------------------------------------------------------
# The shared corpora


@pytest.mark.slow
@pytest.mark.parametrize("corpus, low, high, one_word", [
    ("us-sotu", 15, 40, 0.02), ("bbc", 12, 30, 0.02), ("covid", 12, 35, 0.02),
    ("tweets", 5, 30, 0.05),  # a lone "#Kavanaugh" or "@handle" is a tweet's sentence
])
def test_shared_corpus_sentences_are_plausible(corpus, low, high, one_word):
    frame = shared_corpus_frame(corpus)
    frame = frame.sample(min(len(frame), 300), random_state=0)
    texts = [clean_text(t).text for t in frame["text"]]
    paragraphs, sents = segment_texts(frame["doc_id"], texts)
    assert (sents["text"].str.strip().str.len() > 0).all()
    assert (sents["end"] > sents["start"]).all()
    words = sents["text"].map(count_words)
    mean = words.sum() / len(sents)
    print(f"{corpus}: {len(sents)} sentences, mean {mean:.1f} words")
    assert low <= mean <= high
    # Few one-word "sentences" (a sign of wrong cuts).
    assert (words <= 1).mean() < one_word


@pytest.mark.slow
def test_segmenting_us_sotu_is_fast():
    frame = shared_corpus_frame("us-sotu")
    texts = frame["text"].tolist()
    t0 = time.perf_counter()
    paragraphs, sents = segment_texts(frame["doc_id"], texts)
    elapsed = time.perf_counter() - t0
    print(f"segment_texts over {len(texts)} us-sotu texts: {elapsed:.2f} s, {len(sents)} sentences")
    assert len(sents) > 50_000
    print(f"took {elapsed:.2f} s (speed is measured by scripts/benchmark.py, not asserted)")
