"""The Reader page (AppTest) and its HTML builder (ui/reader_view.py): escaped text,
highlighted phrases, shared passages, the selected sentence and its evidence words."""

from __future__ import annotations

import re

import pandas as pd

from analysis.corpus import loaders
from tests.conftest import shared_corpus_path
from tests.test_app_overview import D000, D002, D003, open_page, table_with
from ui.reader_view import document_html, tint
from ui.state import View

READER = "pages/reader.py"
EVIL = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def text_html(at) -> str:
    """The body of the st.html element that holds the document text."""
    bodies = [h.proto.body for h in at.get("html") if "reader-text" in h.proto.body]
    assert len(bodies) == 1
    return bodies[0]


def visible_text(body: str) -> str:
    """What a reader sees: tags removed, entities decoded, sentence numbers dropped."""
    import html

    body = re.sub(r'<span class="sent-no"[^>]*>\d+</span>', "", body)
    body = re.sub(r'<span class="reuse-tag"[^>]*>.*?</span>', "", body)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_reader_on_the_seeds_highlights_left_behind():
    at = open_page(READER)
    assert at.selectbox(key="w_reader_doc").value == D000
    body = text_html(at)
    assert re.search(r'<mark class="phrase"[^>]*>left behind</mark>', body)
    assert 'class="reuse"' in body  # the column is quoted at length by the news report
    assert body.count('class="sent') >= 23
    assert "Jacqui Smith" in set(table_with(at, "field", "value")["value"])
    removed = table_with(at, "why", "text")
    assert removed["text"].str.contains("Photo").any()  # the photo credit cleaning removed
    assert any(p.proto.page.strip("/").endswith("corpus") for p in at.get("page_link"))


def test_reader_marks_a_shared_passage_in_the_news_report():
    at = open_page(READER, view=View(doc=D002))
    body = text_html(at)
    assert 'class="reuse"' in body and 'class="reuse-tag"' in body
    assert "Shared with Jacqui Smith · opinion column · 24 Jun 2016" in body and "000_bfc6cafdf39d029c" not in body
    meta = table_with(at, "field", "value")
    fields = dict(zip(meta["field"], meta["value"]))
    assert fields["author"] == "Unknown author"
    # the news report's outlet and date are not known: said so, not left out
    assert fields["source"] == "unknown" and fields["date"] == "unknown"
    passages = table_with(at, "text", "other", "n_words")
    assert len(passages) >= 1 and passages["n_words"].ge(8).all()


def test_the_note_on_phrase_words_in_scores_shows_only_for_a_text_that_has_one():
    """With tracked phrases' words counted in the scores, the Reader says so (and how to leave them
    out) only for a document that holds a tracked phrase: the column and the MP's response do, the
    news report does not; the Sentiment page only when a selected document holds one."""
    def noted(at) -> bool:
        return any("tracked phrases' own words count in the scores" in c.value for c in at.caption)

    for doc, has_phrase in ((D000, True), (D002, False), (D003, True)):
        at = open_page(READER, view=View(doc=doc))
        assert at.selectbox(key="w_reader_doc").value == doc
        assert noted(at) is has_phrase, doc
    at = open_page(READER, view=View(doc=D002, phrases=["referendum"]))  # a phrase this one does hold
    assert noted(at)
    # the Sentiment page likewise, over the selected documents
    assert noted(open_page("pages/sentiment.py"))
    assert not noted(open_page("pages/sentiment.py", view=View(phrases=["no such phrase here"])))


def test_reader_link_from_another_page_opens_that_document():
    from streamlit.testing.v1 import AppTest
    from tests.test_app_overview import APP

    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["read"] = D003
    at.switch_page(READER)
    at.run()
    assert not at.exception
    assert at.session_state["view"].doc == D003
    assert at.selectbox(key="w_reader_doc").value == D003


def test_reader_escapes_every_piece_of_text():
    text = (f"A harmless start. Then {EVIL} and {IMG} in the middle.\n\n"
            f"We were left behind by {EVIL} people & friends.")
    corpus = loaders.from_text(text, title=f"Title {EVIL}", author=f"Author {IMG}")
    at = open_page(READER, corpus=corpus, view=View(phrases=["left behind", "<script>"]))
    body = text_html(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<script" not in body.lower() and "<img" not in body.lower()
    assert "onerror=alert" not in body.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&amp; friends" in body
    for h in at.get("html"):  # the legend and every other HTML block too
        assert "<script" not in h.proto.body.lower() and "<img" not in h.proto.body.lower()
    # the reader sees the document's text as written, tags and all
    seen = visible_text(body)
    assert EVIL in seen and IMG in seen and "people & friends" in seen
    author = dict(zip(*table_with(at, "field", "value").T.values))["author"]
    assert author == f"Author {IMG}"  # shown in a table cell, as text


def test_document_html_marks_spans_and_escapes():
    text = "Good <b>news</b>. They were left behind! Bad end."
    sents = pd.DataFrame({"start": [0, 18, 41], "end": [17, 40, 50], "sent": [5, 6, 7], "position": [1, 2, 3],
                          "polarity": [0.7, -0.4, 0.0]})
    hits = pd.DataFrame({"start": [28], "end": [39], "phrase": ["left behind"]})
    passages = pd.DataFrame({"start": [23], "end": [50], "other_doc": ["d2"]})
    evidence = pd.DataFrame({"start": [33], "end": [39], "words": ["behind"], "polarity": [-0.4]})
    body = document_html(text, sents, "polarity", "polarity", hits, passages, {"d2": "Other <doc>"},
                         selected=6, evidence=evidence)
    assert "&lt;b&gt;news&lt;/b&gt;" in body and "<b>" not in body
    assert visible_text(body) == text
    assert re.search(r'<mark class="phrase"[^>]*>left </mark>', body)  # phrase split where evidence starts
    assert re.search(r'<mark class="phrase"[^>]*><span class="evidence"[^>]*>behind</span></mark>', body)
    assert 'title="Shared with Other &lt;doc&gt;"' in body
    assert body.count('class="sent selected"') == 1 and 'data-sent="6"' in body
    assert tint(0.7) in body and tint(-0.4) in body
    first = body.index('data-sent="5"')
    assert 'style=""' not in body[:first]
    # spans are balanced
    assert body.count("<span") == body.count("</span>") and body.count("<mark") == body.count("</mark>")


def test_tint():
    assert tint(0) == "" and tint(None) == "" and tint(float("nan")) == ""
    assert "26,152,80" in tint(0.3) and "215,48,39" in tint(-0.3)
    assert tint(1.0) == tint(0.9)  # capped


def test_reader_on_a_shared_corpus():
    corpus = loaders.load_paths(shared_corpus_path("covid"))
    at = open_page(READER, corpus=corpus, timeout=900)
    assert 'class="sent' in text_html(at)
    assert len(at.selectbox(key="w_reader_doc").options) == len(corpus)
