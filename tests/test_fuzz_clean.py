"""Property tests: cleaning and segmenting never fail and keep their offsets honest."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus.clean import RULES, clean_text
from analysis.corpus.segment import WORD_RE, paragraph_spans, sentence_spans, token_spans

FRAGMENTS = [
    "\n", "\n\n", "\n\n\n\n", "\r\n", "\r", " ", "  ", "\t", "\u00a0", "\u2009", "\u2028", "\u2029",
    "\x00", "\x02", "\x0b", "\x0c", "\x85", "\x9d", "\ufeff", "\u200b", "\u00ad", "\u2066", "\ufffd",
    "it\u00e2\u20ac\u2122s", "\u00e2\u20ac\u0153", "\u00e2\u20ac\x9d", "\u00e2\u20ac", "\u00c2\u00a3",
    "\u00c3\u00a9", "\u00c3", "\u00c2", "\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2", "\u00e2\x80\x99",
    "&amp;", "&#233;", "&#0;", "&#x110000;", "&not", "&notin;", "&;",
    " -; ", "-;", "don\u2019t", "O\u2019Grady", "\u2018", "\u2019", "`", "\u00b4",
    "\u2014" * 11, "---", "* * *", "___", "===",
    "Photo: Fernando Butcher", "Picture: ", "Image credit: Getty Images",
    "This article was first published at:", "First published: ", "https://example.org/x",
    "* To see the whole piece go HERE.", "Click here to read the full article",
    "Link to Instagram Link to Twitter Link to YouTube Close Fax Website Search",
    "Jacqui Smith is a former home secretary. She tweets @Jacqui_Smith1",
    "Mr. ", "Mrs ", "Dr.", "U.K.", "e.g.", "etc.", "No. 10", "3.5%", "£350", "1. ", "- ", "\u2022 ",
    ". ", "? ", "! ", "\u2026", ".\" ", "?\u201d ", "!' ", "(", ")", "A", "a", "The", "x.y@z.com",
    "\U0001f926\u200d\u2642\ufe0f", "\ud800",
]

texts = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(max_size=12),
        st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=12),
    ),
    max_size=30,
).map("".join)

FUZZ = settings(max_examples=300, deadline=timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(texts)
def test_clean_text_offsets_are_valid(raw):
    cleaned = clean_text(raw)
    prev_end = 0
    for r in cleaned.removals:
        assert r.rule in RULES
        assert prev_end <= r.start < r.end <= len(raw)
        assert raw[r.start:r.end] == r.text
        prev_end = r.end
    offsets = cleaned.source_offsets
    assert len(offsets) == len(cleaned.text) + 1
    assert offsets[-1] == len(raw)
    assert np.all(np.diff(offsets) >= 0) and (len(raw) == 0 or offsets.min() >= 0)
    starts, ends = cleaned.source_starts, cleaned.source_ends
    assert np.all(ends > starts) and (len(ends) == 0 or ends.max() <= len(raw))
    for i, ch in enumerate(cleaned.text):
        # A letter or digit that came from one input character is that character
        # (the modifier-letter apostrophe is a "letter" that becomes ').
        if ends[i] - starts[i] == 1 and raw[starts[i]].isalnum() and raw[starts[i]] != "\u02bc":
            assert ch == raw[starts[i]]
    assert cleaned.text == cleaned.text.strip()
    for r in cleaned.removals:
        # Nothing of the cleaned text comes from inside a removal.
        assert not np.any((starts >= r.start) & (starts < r.end))


@FUZZ
@given(texts)
def test_disabled_cleaning_is_the_identity(raw):
    cleaned = clean_text(raw, enabled=False)
    assert cleaned.text == raw and not cleaned.removals and not cleaned.normalisations


@FUZZ
@given(texts, st.booleans())
def test_segment_offsets_are_valid(raw, clean):
    text = clean_text(raw).text if clean else raw
    prev = 0
    for ps, pe in paragraph_spans(text):
        assert prev <= ps < pe <= len(text)
        assert text[ps:pe] == text[ps:pe].strip()
        sprev = ps
        for ss, se in sentence_spans(text, ps, pe):
            assert sprev <= ss < se <= pe
            assert text[sprev:ss].strip() == ""  # nothing between sentences but space
            assert text[ss:se] == text[ss:se].strip()
            sprev = se
        assert text[sprev:pe].strip() == ""
        prev = pe
    tprev = 0
    for ts, te in token_spans(text):
        assert tprev <= ts < te <= len(text)
        assert WORD_RE.fullmatch(text[ts:te])
        tprev = te
