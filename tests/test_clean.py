"""Tests for analysis.corpus.clean: character repairs, boilerplate rules, offset maps, and that
cleaning never drops an author's sentence (on the seeds and on every shared corpus)."""

from __future__ import annotations

import dataclasses
import difflib
import html
import json
import re
import unicodedata
from collections import Counter

import numpy as np
import pytest
from ftfy import fix_encoding
from hypothesis import HealthCheck, given, settings

from analysis.corpus.clean import (NORMALISATIONS, REPAIR_COLUMNS, RULES, Cleaned, Removal, Repair, clean_text,
                            repair_records, visible)
from analysis.corpus.segment import WORD_RE, count_words, segment_document
from tests.conftest import CORPORA, CORPUS_FILES, ROOT, SEEDS, shared_corpus_frame
from tests.test_fuzz_clean import texts as fuzz_texts

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
    removals cut out, NBSP made a space, ' -; ' and a spaced - or – between words
    made ' — ', curly quotes and apostrophes made straight."""
    kept, pos = [], 0
    for r in removals:
        kept.append(raw[pos:r.start])
        pos = r.end
    kept.append(raw[pos:])
    text = "".join(kept).replace("\u00a0", " ").replace(" -; ", " \u2014 ")
    text = re.sub(r"(?<=\w) [-\u2013] (?=\w)", " \u2014 ", text)
    return text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


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
    # Each one is recorded like a removal: rule, offsets into the text as loaded, before and after.
    dashes = [r for r in cleaned.repairs if r.rule == "dashes"]
    assert [m.start() + 1 for m in re.finditer(" -; ", raw)] == [r.start for r in dashes]
    for r in dashes:
        assert (r.end - r.start, r.original, r.replacement) == (2, "-;", "\u2014")
        assert raw[r.start:r.end] == r.original
        assert raw[r.start - 1] == " " and raw[r.end] == " "
    assert raw[dashes[0].start - 8:dashes[0].end + 6] == "the rub -; while"


def test_seed_normalisations_are_recorded():
    raw = read_seed(SEED_000)
    cleaned = clean_text(raw)
    # Four of the five no-break spaces are in the author bio, which is removed: not repairs.
    assert cleaned.normalisations == {"spaces": 1, "dashes": 1, "apostrophes": 4, "quotes": 4}
    assert "Frances O'Grady" in cleaned.text and "\u00a0" not in cleaned.text
    # Quotation marks are made straight, and recorded.
    assert "'left behind'" in cleaned.text and "\u2018" not in cleaned.text and "\u2019" not in cleaned.text
    assert "cross borders \u2014 climate change" in cleaned.text
    quotes = [(r.original, r.replacement, raw[r.start - 1:r.end + 1]) for r in cleaned.repairs if r.rule == "quotes"]
    assert quotes[2:] == [("\u2018", "'", " \u2018l"), ("\u2019", "'", "d\u2019 ")]
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
    assert cleaned.repairs == []
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
    assert cleaned.text == 'It\'s a "test" costing \u00a3350 in Z\u00fcrich'
    assert cleaned.normalisations == {"mojibake": 5, "apostrophes": 1, "quotes": 2}
    i = cleaned.text.index("'")
    assert cleaned.to_source_span(i, i + 1) == (2, 5)
    # A stretch changed twice (repaired, then straightened) has a record for each step.
    assert [(r.rule, r.start, r.end, r.original, r.replacement) for r in cleaned.repairs[:4]] == [
        ("mojibake", 2, 5, "\u00e2\u20ac\u2122", "\u2019"), ("apostrophes", 2, 5, "\u00e2\u20ac\u2122", "'"),
        ("mojibake", 9, 12, "\u00e2\u20ac\u0153", "\u201c"), ("quotes", 9, 12, "\u00e2\u20ac\u0153", '"')]
    assert [r.replacement for r in cleaned.repairs if r.rule == "mojibake"][-2:] == ["\u00a3", "\u00fc"]


def test_latin1_style_mojibake_with_c1_controls_is_repaired():
    assert clean_text("it\u00e2\x80\x99s").text == "it's"


def test_capitals_before_a_quote_are_not_taken_for_mojibake():
    # ftfy alone would turn 'IRMÃ”' into 'IRMÔ'; inside a word the pair is repaired.
    assert clean_text("\u201cIRM\u00c3\u201d disse").text == '"IRM\u00c3" disse'
    assert clean_text("C\u00c3\u201dTE and 3\u00c3\u20144").text == "C\u00d4TE and 3\u00d74"


@pytest.mark.parametrize("text", [
    "na\u00efve caf\u00e9 in Z\u00fcrich, S\u00e3o Paulo and Gda\u0144sk",
    '"Quoted" \'single\' \u2014 dash, em\u2014dash, en\u2013dash, 1990\u20132000 \u00bd \u00a9 \u00b0C \u20ac5',
    "Guillemets \u00ab bien s\u00fbr \u00bb and \u2039 this \u203a stay; so does a prime: 5\u2032 10\u2033.",
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


def test_apostrophes_inside_words_and_quotes_everywhere():
    raw = "don\u2019t, O\u2019Grady, rock \u2019n\u2019 roll, the voters\u2019 \u2018view\u2019, don`t, it\u00b4s"
    cleaned = clean_text(raw)
    assert cleaned.text == "don't, O'Grady, rock 'n' roll, the voters' 'view', don't, it's"
    # In-word apostrophes (’ ` ´) are one rule; the other curly marks, quotes or not, another.
    assert cleaned.normalisations == {"apostrophes": 4, "quotes": 5}
    assert [raw[r.start - 1:r.end + 1] for r in cleaned.repairs if r.rule == "quotes"] == \
        [" \u2019n", "n\u2019 ", "s\u2019 ", " \u2018v", "w\u2019,"]


@pytest.mark.parametrize("raw, expected", [
    ("\u201cDouble\u201d, \u201eGerman\u201c, \u201fodd\u201d, \uff02wide\uff02", '"Double", "German", "odd", "wide"'),
    ("\u2018single\u2019 and \u201alow\u2018 and \u201breversed\u2019", "'single' and 'low' and 'reversed'"),
    ("She said: \u201cIt\u2019s the voters\u2019 choice.\u201d", 'She said: "It\'s the voters\' choice."'),
])
def test_curly_quotes_become_straight(raw, expected):
    cleaned = clean_text(raw)
    assert cleaned.text == expected
    assert len(cleaned.text) == len(raw)  # one mark for one mark: offsets map one to one
    assert all(r.end - r.start == 1 and len(r.replacement) == 1 for r in cleaned.repairs)


@pytest.mark.parametrize("raw, expected", [
    ("the rub -; while", "the rub \u2014 while"),
    ("the rub -;\nwhile", "the rub \u2014\nwhile"),  # the mangled dash also at a line end
    ("a - b", "a \u2014 b"),
    ("a -- b", "a \u2014 b"),
    ("a \u2013 b", "a \u2014 b"),
    ("a \u2015 b", "a \u2014 b"),
    ("a\u00a0\u2013 b", "a \u2014 b"),  # a no-break space is a space
    ("a  -  b", "a  \u2014  b"),  # the author's spacing is kept; only the dash changes
    ("outcome - saying", "outcome \u2014 saying"),
    ("\u201cNo\u201d - he said", '"No" \u2014 he said'),
    ("revenue - 43,939", "revenue \u2014 43,939"),
])
def test_spaced_dashes_between_words_become_em_dashes(raw, expected):
    cleaned = clean_text(raw)
    assert cleaned.text == expected
    (dash,) = [r for r in cleaned.repairs if r.rule == "dashes"]
    assert raw[dash.start:dash.end] == dash.original and dash.original.strip("-;\u2013\u2015") == ""
    assert dash.replacement == "\u2014"


@pytest.mark.parametrize("keep", [
    "well-known post-Brexit left-behind",  # hyphens inside words
    "-5 degrees, x -y, a- b, a-b",  # not spaced on both sides
    "5 - 3 = 2, 1990 \u2013 2000, \u00a35 - \u00a310, 3 -- 4",  # minus signs and ranges between numbers
    "- a bullet\n- another\n  - an indented one",  # list bullets at line starts
    "Results:\n- one",
    "a --- b, 1932 - - - - 64",  # rules and fillers, not dashes
    "word -\nbehind",  # a hyphen at a line end
    "semi-;colon, x -;y",  # '-;' not between spaces
    "already \u2014 an em dash",
])
def test_other_dashes_and_hyphens_are_kept(keep):
    cleaned = clean_text(keep)
    assert cleaned.text == keep
    assert cleaned.repairs == [] and cleaned.normalisations == {}


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
# Every repair is recorded


def assert_valid_repairs(raw: str, cleaned: Cleaned) -> None:
    """Repairs are named steps, exact slices of the input, in input order, and add up to the counts."""
    for r in cleaned.repairs:
        assert r.rule in NORMALISATIONS
        assert 0 <= r.start <= r.end <= len(raw)
        assert raw[r.start:r.end] == r.original
        assert r.original != r.replacement
    assert [r.start for r in cleaned.repairs] == sorted(r.start for r in cleaned.repairs)
    assert Counter(r.rule for r in cleaned.repairs) == Counter(cleaned.normalisations)


def assert_every_change_is_recorded(raw: str, cleaned: Cleaned) -> None:
    """Each cleaned character is its input character unchanged, or comes from inside a
    recorded repair or removal, or is the line break left where removed lines were;
    each input character left out is inside a repair or a removal, or whitespace."""
    spans = [(r.start, r.end) for r in cleaned.repairs] + [(r.start, r.end) for r in cleaned.removals]
    covered = np.zeros(len(raw) + 1, dtype=bool)
    for s, e in spans:
        covered[s:e] = True
    starts, ends = cleaned.source_starts, cleaned.source_ends
    for i, ch in enumerate(cleaned.text):
        s, e = int(starts[i]), int(ends[i])
        if e - s == 1 and raw[s] == ch:
            continue
        if ch == "\n" and all(covered[j] or raw[j].isspace() for j in range(s, e)):
            continue  # the paragraph break that replaces removed lines and the breaks around them
        assert any(rs <= s and e <= re_ for rs, re_ in spans), (i, ch, raw[s:e])
    used = np.zeros(len(raw), dtype=bool)
    for s, e in zip(starts, ends):
        used[s:e] = True
    for j in np.flatnonzero(~used):
        assert covered[j] or raw[j].isspace(), (j, raw[j])


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVALS))
def test_seed_repairs_are_recorded_with_input_offsets(name):
    raw = read_seed(name)
    cleaned = clean_text(raw)
    assert cleaned.repairs and all(isinstance(r, Repair) for r in cleaned.repairs)
    assert_valid_repairs(raw, cleaned)
    assert_every_change_is_recorded(raw, cleaned)
    # No repair is inside a removal; a one-character repair that no later step changed again is
    # the cleaned text's character at that place.
    for r in cleaned.repairs:
        assert not any(m.start <= r.start and r.end <= m.end for m in cleaned.removals)
        again = [x for x in cleaned.repairs if x is not r and x.start < r.end and r.start < x.end]
        if len(r.original) == len(r.replacement) == 1 and not again:
            i = int(np.searchsorted(cleaned.source_starts, r.start))
            assert cleaned.source_starts[i] == r.start and cleaned.text[i] == r.replacement


@pytest.mark.parametrize("raw", [
    "It\u00e2\u20ac\u2122s a \u00e2\u20ac\u0153test\u00e2\u20ac\x9d",
    "Line one,  \r\nline two.\r\n\r\n\r\n\r\nLine three\u00a0 \n",
    "\ufeffAT&amp;T\u2019s soft\u00adware\x02 &#8220;quoted&#8221; -; and more",
    "Body text.\n\n\n\nPhoto: Jane Doe\n\n\n\n\u2014\u2014\u2014\n\nJohn Smith is a columnist. He tweets @js  \n",
    "  \u2018Hi\u2019 \u2013 she said \u2013 \u201cbye\u201d  ",
])
def test_repairs_cover_every_change(raw):
    cleaned = clean_text(raw)
    assert_valid_repairs(raw, cleaned)
    assert_every_change_is_recorded(raw, cleaned)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(fuzz_texts)
def test_repairs_are_valid_on_fuzzed_text(raw):
    cleaned = clean_text(raw)
    assert_valid_repairs(raw, cleaned)
    assert_every_change_is_recorded(raw, cleaned)


def test_repair_records_and_visible():
    raw = read_seed(SEED_003)
    rows = repair_records(["d3"], [raw])
    assert rows and all(len(r) == len(REPAIR_COLUMNS) == 6 and r[0] == "d3" for r in rows)
    assert all(raw[r[2]:r[3]] == r[4] for r in rows)
    assert [r[1:] for r in rows] == [(x.rule, x.start, x.end, x.original, x.replacement)
                                     for x in clean_text(raw).repairs]
    assert visible(" \u00a0\u200b\n\tx\u2014") == "\u2423\u27e8U+00A0\u27e9\u27e8U+200B\u27e9\u23ce\u21e5x\u2014"


def test_cli_cleaning_lists_repairs_on_request(capsys):
    from analysis.cli import main

    assert main(["cleaning", str(SEEDS)]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain and all(set(r) == {"doc_id", "rule", "start", "end", "text"} for r in plain)
    assert {r["rule"] for r in plain} <= set(RULES)  # without --repairs: removals only, as before

    assert main(["cleaning", str(SEEDS), "--repairs"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(set(r) == {"doc_id", "rule", "start", "end", "text", "replacement", "kind"} for r in rows)
    removals = [{k: r[k] for k in ("doc_id", "rule", "start", "end", "text")} for r in rows if r["kind"] == "removal"]
    assert removals == plain and all(r["replacement"] == "" for r in rows if r["kind"] == "removal")
    raw = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for r in rows:
        assert raw[r["doc_id"]][r["start"]:r["end"]] == r["text"]
        assert r["rule"] in (RULES if r["kind"] == "removal" else NORMALISATIONS)
    # Seed 003: seven ' -; ' made ' — ', at the offsets of the '-;'.
    d3 = SEED_003.removesuffix(".txt")
    dashes = [r for r in rows if r["doc_id"] == d3 and r["rule"] == "dashes"]
    assert len(dashes) == 7 and {(r["text"], r["replacement"]) for r in dashes} == {("-;", "\u2014")}
    assert [r["start"] for r in dashes] == [m.start() + 1 for m in re.finditer(" -; ", raw[d3])]
    # Rows follow the documents, then the text.
    order = [(r["doc_id"], r["start"]) for r in rows]
    assert order == sorted(order)

    assert main(["cleaning", str(SEEDS), "--repairs", "--no-clean"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["cleaning", str(SEEDS), "--repairs", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header == "doc_id,rule,start,end,text,replacement,kind"


def test_corpus_page_lists_repairs_in_a_table():
    """The Corpus page's Cleaning tab: a second table, one row per repair, offsets into the raw text."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/corpus.py")
    at.run()
    assert not at.exception
    tables = [df.value for df in at.dataframe]
    (repairs,) = [t for t in tables if {"original", "replacement"} <= set(t.columns)]
    assert list(repairs.columns) == [*REPAIR_COLUMNS, "why"]
    d3 = SEED_003.removesuffix(".txt")
    dashes = repairs[(repairs["doc_id"] == d3) & (repairs["rule"] == "dashes")]
    assert len(dashes) == 7 and set(dashes["original"]) == {"-;"} and set(dashes["replacement"]) == {"\u2014"}
    spaces = repairs[repairs["rule"] == "spaces"]
    assert set(spaces["original"]) == {"\u27e8U+00A0\u27e9"} and set(spaces["replacement"]) == {"\u2423"}
    assert any(b.proto.label == "Download repairs (CSV)" for b in at.get("download_button"))
    at.toggle(key="w_clean").set_value(False).run()
    assert not any({"original", "replacement"} <= set(df.value.columns) for df in at.dataframe)


# ---------------------------------------------------------------------------
# No author's sentence is ever dropped: a sentence-by-sentence check


_APOSTROPHE_LIKE = "\u2018\u2019\u201a\u201b\u02bc`\u00b4\u2032\uff07"
_FOLD = str.maketrans({**{c: "'" for c in _APOSTROPHE_LIKE},
                       **{c: '"' for c in "\u201c\u201d\u201e\u201f\u301d\u301e\u301f\uff02"}})


def comparable_words(text: str) -> list[str]:
    """The words of ``text`` after the character-level repairs cleaning may make, done here
    without clean.py: garbled UTF-8 fixed (ftfy), HTML character references decoded (also
    double-escaped ones), line-breaking controls (CR, VT, FF) made line breaks and other
    control and invisible format characters dropped, quotes and
    apostrophes folded to ' and ". Dashes and whitespace are not words, so they need no
    folding. Applied to both sides of the comparison, raw sentence and cleaned text alike.

    Meant for real text: on random bytes, ftfy's judgement of what is garbled can differ
    from clean.py's stricter one (which repairs only stretches that decode cleanly)."""
    if not text.isascii():
        text = fix_encoding(text)
    if "&" in text:
        for _ in range(3):
            text, before = html.unescape(text), text
            if text == before:
                break
    if not text.isascii() or not text.isprintable():
        text = "".join(c if c not in "\r\x0b\x0c" else "\n" for c in text
                       if c in "\n\t\r\x0b\x0c" or (unicodedata.category(c) not in ("Cc", "Cf") and c != "\ufffc"))
        text = text.translate(_FOLD)
    return WORD_RE.findall(text.replace("`", "'"))


def _outside(start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` outside the sorted, non-overlapping ``spans``."""
    parts, pos = [], start
    for s, e in spans:
        if e <= pos or s >= end:
            continue
        if s > pos:
            parts.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        parts.append((pos, end))
    return parts


def sentence_check(raw: str, cleaned: Cleaned) -> tuple[list[str], list[str]]:
    """``(lost, added)``: sentences of ``raw`` not in ``cleaned.text`` word for word, and
    words of ``cleaned.text`` that no raw sentence accounts for.

    ``raw`` is split into sentences (:func:`analysis.corpus.segment.segment_document`). A
    sentence that lies entirely inside recorded boilerplate removals is allowed to go;
    of every other sentence, each word outside the removals must be in the cleaned
    text. Words are compared after :func:`comparable_words`, and in order: the cleaned
    text's words must be exactly the raw sentences' words (outside removals), one
    sentence after another. Where they are not, :class:`difflib.SequenceMatcher` finds
    the raw sentences (or the parts of them between removals) with a word deleted,
    changed or moved -- ``lost``, as raw text -- and the cleaned words that were not in
    the raw text at that place -- ``added``.
    """
    removed = [(r.start, r.end) for r in cleaned.removals if r.rule in RULES]
    pieces, expected, owner = [], [], []
    for *_, ss, se, _text in segment_document("raw", raw)[1]:
        for ps, pe in _outside(ss, se, removed):
            words = comparable_words(raw[ps:pe])
            expected.extend(words)
            owner.extend([len(pieces)] * len(words))
            pieces.append(raw[ps:pe])
    actual = comparable_words(cleaned.text)
    if expected == actual:
        return [], []
    lost_ids, added = set(), []
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            lost_ids.update(owner[i1:i2])
            added.extend(actual[j1:j2])
    return [pieces[i] for i in sorted(lost_ids)], added


def lost_sentences(raw: str, cleaned: Cleaned) -> list[str]:
    """The raw sentences (parts outside removals) that cleaning dropped, changed or moved,
    or next to which it added words (see :func:`sentence_check`)."""
    lost, added = sentence_check(raw, cleaned)
    return lost if lost or not added else ["(words added) " + " ".join(added)]


_PLATFORMS = r"instagram|twitter|youtube|facebook|linkedin|snapchat|pinterest|whatsapp|reddit|tiktok|email|e-mail"
#: What text each boilerplate rule may remove, written independently of clean.py's classifiers
#: (looser than them: a removal that fails its pattern is certainly wrong).
RULE_PATTERNS = {
    "separator": re.compile(r"(?:[-\u2010-\u2015_*=~#\u2022\u00b7]\s*){3,}"),
    "photo_credit": re.compile(r"(?i)(?:\w+\s+)?(?:photo\w*|pic\w*|image\w*|illustration\w*|artwork|graphic|"
                               r"credit\w*)\b[^\n.!?]{0,100}"),
    "published_elsewhere": re.compile(r"(?is)[^\n]{0,40}\b(?:published|appeared|posted|ran)\b.{0,200}"),
    "read_more_link": re.compile(r"(?is)[*\u2022>\-\u2013\u2014\s]*(?:to\s+)?(?:see|read|view|watch|click|tap)\b"
                                 r"[^\n]{0,40}\b(?:whole|full|complete|entire|rest|original|here)\b[^\n]{0,120}"),
    "share_links": re.compile(rf"(?is)(?:[^\n]*\b(?:{_PLATFORMS})\b){{3,}}[^\n]*"),
    "author_bio": re.compile(r"(?s)[A-Z]\S*(?:\s+\S+){1,4}?\s+(?:is|was|has\s+been|works\s+as|writes|served\s+as)"
                             r"\b.{0,480}"),
}


def illegitimate_removals(removals: list[Removal]) -> list[Removal]:
    """Removals whose text does not match their rule's pattern in :data:`RULE_PATTERNS`."""
    return [r for r in removals
            if r.rule not in RULE_PATTERNS or not RULE_PATTERNS[r.rule].fullmatch(r.text.strip())]


@pytest.mark.parametrize("name", sorted(EXPECTED_REMOVALS))
def test_seed_sentences_all_survive_and_removals_are_legitimate(name):
    raw = read_seed(name)
    cleaned = clean_text(raw)
    assert lost_sentences(raw, cleaned) == []
    assert cleaned.removals and illegitimate_removals(cleaned.removals) == []


def test_sentence_checker_fails_when_a_sentence_is_dropped_changed_or_moved():
    """The checker itself: tampering with a correctly cleaned seed must be caught."""
    raw = read_seed(SEED_003)
    cleaned = clean_text(raw)
    assert lost_sentences(raw, cleaned) == []
    sentence = "The pound plummeted to a 31 year low."
    assert sentence in cleaned.text and sentence in raw
    dropped = dataclasses.replace(cleaned, text=cleaned.text.replace(sentence, ""))
    assert lost_sentences(raw, dropped) == [sentence]
    changed = dataclasses.replace(cleaned, text=cleaned.text.replace("plummeted", "fell"))
    assert lost_sentences(raw, changed) == [sentence]
    half = dataclasses.replace(cleaned, text=cleaned.text.replace(" to a 31 year low.", "."))
    assert lost_sentences(raw, half) == [sentence]
    moved = dataclasses.replace(cleaned, text=cleaned.text.replace(sentence, "") + " " + sentence)
    assert lost_sentences(raw, moved) == [sentence]
    added = dataclasses.replace(cleaned, text=cleaned.text.replace(sentence, sentence + " Not the author's."))
    assert sentence_check(raw, added) == ([], ["Not", "the", "author's"])
    assert lost_sentences(raw, added) == ["(words added) Not the author's"]
    # A removal recorded over an author's sentence hides it from the word check, but its
    # text does not match its rule's pattern.
    s = raw.index(sentence)
    fake = Removal("photo_credit", s, s + len(sentence), sentence)
    hidden = dataclasses.replace(dropped, removals=sorted([*cleaned.removals, fake], key=lambda r: r.start))
    assert lost_sentences(raw, hidden) == []
    assert illegitimate_removals(hidden.removals) == [fake]
    assert illegitimate_removals([Removal("author_bio", 0, 10, "x" * 600)]) != []
    # A partly removed sentence: its words outside the removal must still be there.
    assert lost_sentences("One two three.\nPhoto: Jane Doe\nFour five.",
                          Cleaned("One two three.\nFour.", [Removal("photo_credit", 15, 30, "Photo: Jane Doe")])) \
        == ["Four five."]


def test_every_shared_corpus_is_checked():
    if not CORPORA.exists():
        pytest.skip(f"shared corpora not found at {CORPORA} (../shared is absent)")
    folders = {p.name for p in CORPORA.iterdir() if p.is_dir()}
    assert folders == {path.split("/")[0] for path in CORPUS_FILES.values()}, \
        "a corpus in ../shared/corpora is not in tests/conftest.py's CORPUS_FILES"


# Documents checked sentence by sentence, per corpus: all of them (2,225 bbc, 233 us-sotu,
# 493 covid, 1,338 tweets documents: about 10 s together). Set a number to check a random
# sample of that many documents instead (random_state=0).
SHARED_SAMPLE = {"us-sotu": None, "bbc": None, "covid": None, "tweets": None}


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPUS_FILES))
def test_shared_corpus_sentences_all_survive_and_removals_are_legitimate(corpus):
    frame = shared_corpus_frame(corpus)
    if SHARED_SAMPLE[corpus] is not None and SHARED_SAMPLE[corpus] < len(frame):
        frame = frame.sample(SHARED_SAMPLE[corpus], random_state=0)
    lost, removals, n_sentences = [], [], 0
    for doc_id, raw in zip(frame["doc_id"], frame["text"]):
        cleaned = clean_text(raw)
        assert_valid_removals(raw, cleaned)
        assert_valid_repairs(raw, cleaned)
        lost.extend((doc_id, s) for s in lost_sentences(raw, cleaned))
        removals.extend((doc_id, r) for r in cleaned.removals)
        n_sentences += len(segment_document(doc_id, raw)[1])
    print(f"{corpus}: {len(frame)} documents, {n_sentences} sentences checked, {len(removals)} removals")
    for doc_id, r in removals:
        print(f"  removed {doc_id} {r.rule} [{r.start}:{r.end}] {r.text!r}")
    assert lost == [], lost[:10]
    wrong = [(doc_id, r) for doc_id, r in removals if illegitimate_removals([r])]
    assert wrong == [], wrong[:10]


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["us-sotu", "bbc", "covid", "tweets"])
def test_shared_corpus_removals_are_rare(corpus):
    frame = shared_corpus_frame(corpus)
    total_chars = removed_chars = words_in = words_out = words_removed = 0
    seen = []
    for doc_id, raw in zip(frame["doc_id"], frame["text"]):
        cleaned = clean_text(raw)
        total_chars += len(raw)
        removed_chars += cleaned.removed_chars
        words_in += count_words(html.unescape(raw))
        words_out += count_words(cleaned.text)
        words_removed += sum(count_words(r.text) for r in cleaned.removals)
        seen.extend((doc_id, r.rule, r.text) for r in cleaned.removals)
    # These corpora are clean text; at the time of writing no rule fires on them.
    assert removed_chars <= 0.0005 * total_chars, seen[:20]
    assert len(seen) <= 0.01 * len(frame), seen[:20]
    # Beyond removals, cleaning changes few words (HTML entities aside: "&amp;"
    # was a word "amp"): soft hyphens or control characters inside words.
    assert abs(words_in - words_removed - words_out) <= 0.001 * words_in
