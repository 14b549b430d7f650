"""Tests for analysis.clean: character repairs, boilerplate rules, offset maps."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from analysis.clean import NORMALISATIONS, RULES, Cleaned, Removal, clean_text
from analysis.segment import count_words, segment_document
from tests.conftest import SEEDS, shared_corpus_frame

SEED_000 = "000_bfc6cafdf39d029c.txt"
SEED_002 = "002_27ba5fbbf84c96f5.txt"
SEED_003 = "003_963148aadf6ce902.txt"
RULE_LINE = "\u2014" * 11

EXPECTED_REMOVALS = {
    SEED_000: [
        ("separator", RULE_LINE),
        ("author_bio", "Jacqui Smith\u00a0is a former home secretary and former chief whip. She writes "
                       "the\u00a0Monday Politics\u00a0column for Progress, and tweets\u00a0@Jacqui_Smith1"),
        ("separator", RULE_LINE),
        ("photo_credit", "Photo: Fernando Butcher"),
    ],
    SEED_002: [("read_more_link", "* To see the whole piece go HERE.")],
    SEED_003: [
        ("published_elsewhere", "This article was first published at:"),
        ("share_links", "Link to Instagram Link to Twitter Link to YouTube Link to Facebook Link to "
                        "LinkedIn Link to Snapchat Close Fax Website Location Phone Email Calendar "
                        "Building Search"),
    ],
}


def read_seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def assert_valid_removals(raw: str, cleaned: Cleaned) -> None:
    """Removals are in order, non-overlapping, named rules, exact slices of the input."""
    prev_end = 0
    for r in cleaned.removals:
        assert r.rule in RULES
        assert prev_end <= r.start < r.end <= len(raw)
        assert raw[r.start:r.end] == r.text
        prev_end = r.end


def independently_normalised(raw: str, removals: list[Removal]) -> str:
    """The seed as the tests expect it after cleaning, built without clean.py:
    removals cut out, NBSP made a space, ' -; ' made ' — ', in-word ’ made '."""
    kept, pos = [], 0
    for r in removals:
        kept.append(raw[pos:r.start])
        pos = r.end
    kept.append(raw[pos:])
    text = "".join(kept).replace("\u00a0", " ").replace(" -; ", " \u2014 ")
    return re.sub(r"(?<=\w)\u2019(?=\w)", "'", text)


# ---------------------------------------------------------------------------
# Seeds


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVALS))
def test_seed_removals_are_exactly_the_boilerplate(name):
    raw = read_seed(name)
    cleaned = clean_text(raw)
    assert [(r.rule, r.text) for r in cleaned.removals] == EXPECTED_REMOVALS[name]
    assert_valid_removals(raw, cleaned)
    for r in cleaned.removals:
        if r.rule != "separator":
            assert r.text.replace("\u00a0", " ") not in cleaned.text


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVALS))
def test_every_author_sentence_survives_verbatim(name):
    raw = read_seed(name)
    cleaned = clean_text(raw)
    expected = independently_normalised(raw, cleaned.removals)
    _, sentences = segment_document(name, expected)
    assert len(sentences) >= 17
    for row in sentences:
        # Runs of spaces are the author's; compare sentence by sentence.
        assert row[5].strip() in cleaned.text, row[5]
    # ... and nothing but those sentences is left.
    assert count_words(cleaned.text) == count_words(expected)


def test_seed_003_mangled_dashes_become_em_dashes():
    raw = read_seed(SEED_003)
    cleaned = clean_text(raw)
    assert raw.count(" -; ") == 7
    assert " -; " not in cleaned.text and "-;" not in cleaned.text
    assert cleaned.text.count(" \u2014 ") == 7
    assert "And there is the rub \u2014 while some have prospered" in cleaned.text
    assert cleaned.normalisations["dashes"] == 7


def test_seed_normalisations_are_recorded():
    cleaned = clean_text(read_seed(SEED_000))
    assert cleaned.normalisations == {"spaces": 5, "apostrophes": 4}
    assert "Frances O'Grady" in cleaned.text and "\u00a0" not in cleaned.text
    # Quotation marks stay as the author wrote them.
    assert "\u2018left behind\u2019" in cleaned.text
    assert set(clean_text(read_seed(SEED_003)).normalisations) <= set(NORMALISATIONS)


def test_seed_cleaned_text_has_no_edge_or_trailing_whitespace():
    for name in EXPECTED_REMOVALS:
        text = clean_text(read_seed(name)).text
        assert text == text.strip()
        assert not re.search(r"[ \t]\n|\n{3,}", text)
        assert text.startswith(("Through", "FORMER", "Friday"))


def test_seed_offsets_map_back_to_the_input():
    raw = read_seed(SEED_003)
    cleaned = clean_text(raw)
    for word in ["Friday 24 June", "won't change", "Britain's post-Brexit", "fabric of our divided"]:
        i = cleaned.text.index(word)
        s, e = cleaned.to_source_span(i, i + len(word))
        assert independently_normalised(raw[s:e], []) == word
    rub = cleaned.text.index("rub \u2014 while")
    s, e = cleaned.to_source_span(rub, rub + len("rub \u2014 while"))
    assert raw[s:e] == "rub -; while"
    offsets = cleaned.source_offsets
    assert len(offsets) == len(cleaned.text) + 1 and offsets[-1] == len(raw)
    assert np.all(np.diff(offsets) >= 0)
    assert cleaned.to_source(0) == raw.index("Friday")


# ---------------------------------------------------------------------------
# Switching cleaning off; the Cleaned API


def test_disabled_returns_the_text_unchanged():
    raw = read_seed(SEED_000)
    cleaned = clean_text(raw, enabled=False)
    assert cleaned.text == raw and cleaned.removals == [] and cleaned.normalisations == {}
    assert cleaned.to_source(10) == 10 and cleaned.to_source_span(3, 9) == (3, 9)


@pytest.mark.parametrize("text", ["", " ", "\n\n", "plain text"])
def test_trivial_inputs(text):
    cleaned = clean_text(text)
    assert cleaned.text == text.strip()
    assert cleaned.removals == []
    assert len(cleaned.source_offsets) == len(cleaned.text) + 1


def test_to_source_rejects_offsets_outside_the_text():
    cleaned = clean_text("abc")
    assert cleaned.to_source(3) == 3
    with pytest.raises(IndexError):
        cleaned.to_source(4)
    with pytest.raises(IndexError):
        cleaned.to_source_span(2, 1)


def test_rules_and_normalisations_are_described():
    assert set(RULES) == {"share_links", "published_elsewhere", "read_more_link", "photo_credit",
                          "separator", "author_bio"}
    assert all(isinstance(v, str) and len(v) > 20 for v in {**RULES, **NORMALISATIONS}.values())


# ---------------------------------------------------------------------------
# Character repairs


def test_mojibake_is_repaired_and_mapped_to_the_garbled_stretch():
    raw = "It\u00e2\u20ac\u2122s a \u00e2\u20ac\u0153test\u00e2\u20ac\x9d costing \u00c2\u00a3350 in Z\u00c3\u00bcrich"
    cleaned = clean_text(raw)
    assert cleaned.text == "It's a \u201ctest\u201d costing \u00a3350 in Z\u00fcrich"
    assert cleaned.normalisations["mojibake"] == 5
    i = cleaned.text.index("'")
    assert cleaned.to_source_span(i, i + 1) == (2, 5)


def test_latin1_style_mojibake_with_c1_controls_is_repaired():
    assert clean_text("it\u00e2\x80\x99s").text == "it's"


def test_capitals_before_a_quote_are_not_taken_for_mojibake():
    # ftfy alone would turn 'IRMÃ”' into 'IRMÔ'; inside a word the pair is repaired.
    assert clean_text("\u201cIRM\u00c3\u201d disse").text == "\u201cIRM\u00c3\u201d disse"
    assert clean_text("C\u00c3\u201dTE and 3\u00c3\u20144").text == "C\u00d4TE and 3\u00d74"


@pytest.mark.parametrize("text", [
    "na\u00efve caf\u00e9 in Z\u00fcrich, S\u00e3o Paulo and Gda\u0144sk",
    "\u201cQuoted\u201d \u2018single\u2019 \u2014 dash \u2013 \u00bd \u00a9 \u00b0C \u20ac5",
    "\u00c9cole, \u00c0 bient\u00f4t, \u00d6sterreich, \u00c5land, \u00d8resund",
    "\u00c3 la carte? \u00c2ge? \u00e2me",
    "Greek \u0391\u03b8\u03ae\u03bd\u03b1, Russian \u041c\u043e\u0441\u043a\u0432\u0430, \u65e5\u672c, emoji \U0001f1fa\U0001f1f8 \U0001f926\u200d\u2642\ufe0f",
])
def test_correct_text_is_never_changed(text):
    cleaned = clean_text(text)
    assert cleaned.text == text
    assert cleaned.normalisations == {}


def test_whitespace_is_normalised():
    raw = "One\u00a0two\u2009three  \r\nfour\t\n\n\n\n\nfive\u2028six\n"
    cleaned = clean_text(raw)
    assert cleaned.text == "One two three\nfour\n\nfive\nsix"
    assert cleaned.normalisations == {"line_endings": 2, "spaces": 2, "trailing_spaces": 2,
                                      "blank_lines": 1, "edge_whitespace": 1}


def test_invisible_characters_and_entities():
    raw = "\ufeffAT&amp;T\u2019s communiqu&#233; soft\u00adware\x02 and \u2066@user\u2069 &notanentity;"
    cleaned = clean_text(raw)
    assert cleaned.text == "AT&T's communiqu\u00e9 software and @user &notanentity;"
    i = cleaned.text.index("\u00e9")
    assert raw[slice(*cleaned.to_source_span(i, i + 1))] == "&#233;"


def test_apostrophes_only_inside_words():
    raw = "don\u2019t, O\u2019Grady, rock \u2019n\u2019 roll, the voters\u2019 \u2018view\u2019, don`t, it\u00b4s"
    assert clean_text(raw).text == "don't, O'Grady, rock \u2019n\u2019 roll, the voters\u2019 \u2018view\u2019, don't, it's"


def test_dashes_only_when_mangled():
    assert clean_text("the rub -; while").text == "the rub \u2014 while"
    for keep in ["a - b", "a -- b", "semi-;colon", "x -;y"]:
        assert clean_text(keep).text == keep


# ---------------------------------------------------------------------------
# Boilerplate rules: what they take, and what they must leave alone


@pytest.mark.parametrize("raw, rule, removed", [
    ("Body text.\n\nPhoto: Fernando Butcher", "photo_credit", "Photo: Fernando Butcher"),
    ("Body text.\n\nPicture: PA Wire/PA Images", "photo_credit", "Picture: PA Wire/PA Images"),
    ("Image credit: Getty Images\n\nBody text.", "photo_credit", "Image credit: Getty Images"),
    ("Body text.\n\nFirst published: 24 June 2016", "published_elsewhere", "First published: 24 June 2016"),
    ("This piece originally appeared on Progress Online.\n\nBody text.", "published_elsewhere",
     "This piece originally appeared on Progress Online."),
    ("Body text.\n\nClick here to read the full article", "read_more_link", "Click here to read the full article"),
    ("Body text.\n\nTo read the full story, go here.", "read_more_link", "To read the full story, go here."),
    ("Share on Facebook Share on Twitter Share via Email\n\nBody text.", "share_links",
     "Share on Facebook Share on Twitter Share via Email"),
    ("Body text.\n\n- - - - -\n\nMore text.", "separator", "- - - - -"),
    ("Body text.\n\n______\n\nMore text.", "separator", "______"),
])
def test_rule_catches_its_boilerplate(raw, rule, removed):
    cleaned = clean_text(raw)
    assert [(r.rule, r.text) for r in cleaned.removals] == [(rule, removed)]
    assert_valid_removals(raw, cleaned)
    assert removed not in cleaned.text


def test_published_note_takes_the_bare_link_under_it():
    raw = "This article was first published at:\nhttps://example.org/a-piece\n\nBody text here."
    cleaned = clean_text(raw)
    assert cleaned.text == "Body text here."
    assert [r.rule for r in cleaned.removals] == ["published_elsewhere"]
    assert cleaned.removals[0].text.endswith("a-piece")


def test_author_bio_needs_a_rule_above_and_nothing_but_boilerplate_after():
    bio = "John Smith is a columnist for the Times. Follow him @jsmith"
    assert clean_text(f"Body.\n\n***\n\n{bio}\n\n***").text == "Body."
    assert clean_text(f"Body.\n\n***\n\n{bio}").text == "Body."
    # No rule above: the author's last paragraph, kept.
    assert clean_text(f"Body.\n\n{bio}").text == f"Body.\n\n{bio}"
    # Text after it: not an end note, kept.
    kept = clean_text(f"Body.\n\n***\n\n{bio}\n\nMore of the article.")
    assert bio in kept.text
    # No role or handle: an ordinary closing sentence after a section break.
    closing = "Great Britain is a former empire that must find its role."
    assert closing in clean_text(f"Body.\n\n* * *\n\n{closing}").text


@pytest.mark.parametrize("raw", [
    "Photo: Kavanaugh smirking at the hearing. Disgusting!",
    "Photo: my dog at the rally\n\nWhat a day.",
    "He said the Photo: John Smith caption was wrong.",
    "First published in 1952, the book sold millions.\n\nMore.",
    "This article was first published in 1952, and the book sold millions.\n\nMore text.",
    "We must read the full report here and now, before we vote.",
    "To see the whole piece go here, you would need a subscription that nobody in this House has.",
    "a --- b and *** inside a line",
    "Link to Twitter, link to Facebook and link to YouTube are what the minister promised us.",
    "I asked him to follow us on Twitter, Facebook, Instagram and YouTube, and he did.",
])
def test_author_text_that_looks_like_boilerplate_is_kept(raw):
    cleaned = clean_text(raw)
    assert cleaned.removals == []
    assert cleaned.text == raw


def test_boilerplate_in_the_middle_of_a_long_text_is_only_taken_by_anywhere_rules():
    paras = [f"Paragraph {i} of the speech." for i in range(12)]
    middle = paras[:6] + ["First published: 24 June 2016", "Photo: Jane Doe"] + paras[6:]
    cleaned = clean_text("\n\n".join(middle))
    assert [r.rule for r in cleaned.removals] == ["photo_credit"]
    assert "First published: 24 June 2016" in cleaned.text


def test_a_text_that_is_only_boilerplate_keeps_its_words():
    for raw in ["Photo: Fernando Butcher", "Photo: Jane Doe\n\n---\n\nClick here to read the full article"]:
        cleaned = clean_text(raw)
        assert count_words(cleaned.text) == count_words(raw)


def test_single_line_breaks_around_a_removed_line_are_kept_single():
    cleaned = clean_text("First line.\nPhoto: Jane Doe\nSecond line.")
    assert cleaned.text == "First line.\nSecond line."
    cleaned = clean_text("First para.\n\nPhoto: Jane Doe\n\nSecond para.")
    assert cleaned.text == "First para.\n\nSecond para."
    assert cleaned.normalisations == {}


# ---------------------------------------------------------------------------
# The shared corpora: removals must be rare and each one legitimate


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["us-sotu", "bbc", "covid", "tweets"])
def test_shared_corpus_removals_are_rare_and_legitimate(corpus):
    frame = shared_corpus_frame(corpus)
    total_chars = removed_chars = words_in = words_out = words_removed = 0
    seen = []
    for doc_id, raw in zip(frame["doc_id"], frame["text"]):
        cleaned = clean_text(raw)
        assert_valid_removals(raw, cleaned)
        total_chars += len(raw)
        removed_chars += cleaned.removed_chars
        words_in += count_words(html.unescape(raw))
        words_out += count_words(cleaned.text)
        words_removed += sum(count_words(r.text) for r in cleaned.removals)
        seen.extend((doc_id, r.rule, r.text) for r in cleaned.removals)
    for hit in seen:
        print(corpus, *hit)
    # These corpora are clean text; at the time of writing no rule fires on them.
    assert removed_chars <= 0.0005 * total_chars, seen[:20]
    assert len(seen) <= 0.01 * len(frame), seen[:20]
    # Beyond removals, cleaning changes few words (HTML entities aside: "&amp;"
    # was a word "amp"): soft hyphens or control characters inside words.
    assert abs(words_in - words_removed - words_out) <= 0.001 * words_in
