"""The Corpus page (AppTest): documents, metadata editing, cleaning switch, load errors."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from analysis.corpus import load_files, load_seeds
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_corpus_page(corpus=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if corpus is not None:
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
    at.switch_page("views/corpus.py")
    at.run()
    assert not at.exception
    return at


def test_corpus_page_lists_the_seeds_and_their_removals():
    at = open_corpus_page()
    editor = at.data_editor[0].value
    assert editor["doc_id"].tolist() == [d.doc_id for d in load_seeds().documents]
    assert editor.loc[0, "author"] == "Jacqui Smith"
    assert [m.value for m in at.metric][:1] == ["3"]
    removals = [df.value for df in at.dataframe if "rule" in df.value.columns][0]
    assert set(removals["rule"]) >= {"photo_credit", "author_bio", "share_links", "published_elsewhere"}


def test_switching_cleaning_off_removes_nothing():
    at = open_corpus_page()
    at.toggle(key="w_clean").set_value(False).run()
    assert not at.exception
    assert at.session_state["view"].clean is False
    assert any("Cleaning is off" in i.value for i in at.info)


def test_saving_metadata_changes_the_session_corpus():
    at = open_corpus_page()
    corpus = at.session_state["corpus"]
    table = corpus.to_frame(with_text=False)
    table.loc[table["doc_id"].str.startswith("002"), "author"] = "A Reporter"
    at.session_state["corpus"] = corpus.with_metadata(table)
    at.session_state["corpus_key"] = at.session_state["corpus"].content_hash()
    at.run()
    assert not at.exception
    assert "A Reporter" in at.data_editor[0].value["author"].tolist()


def test_load_errors_are_listed():
    corpus = load_files([("good.txt", b"A sentence about the single market."), ("empty.txt", b""),
                         ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(200))])
    at = open_corpus_page(corpus)
    errors = [df.value for df in at.dataframe if "reason" in pd.DataFrame(df.value).columns]
    assert errors, "no load-error table"
    files = pd.DataFrame(errors[0])["file"].tolist()
    assert any("empty.txt" in f for f in files) and any("image.txt" in f for f in files)
