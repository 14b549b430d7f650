"""The Corpus page (AppTest): documents, metadata editing, cleaning switch, load errors."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from analysis.corpus.loaders import load_files, load_seeds
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_corpus_page(corpus=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if corpus is not None:
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
    at.switch_page("pages/corpus.py")
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


def test_pasting_text_again_and_again_stops_at_the_document_limit(monkeypatch):
    """Adding to the corpus obeys the corpus limits: a visitor cannot grow a session corpus past
    ``max_documents`` batch by batch; the refused text is reported as a load error."""
    monkeypatch.setenv("EXPLORER_MAX_DOCUMENTS", "4")
    at = open_corpus_page()
    at.radio(key="w_upload_mode").set_value("add").run()
    for i in range(3):
        at.text_area[0].set_value(f"Pasted text number {i} about the single market.")
        next(b for b in at.button if b.label == "Add text").click()
        at.run()
        assert not at.exception
    corpus = at.session_state["corpus"]
    assert len(corpus.documents) == 4, "the seeds plus one pasted text fit under a limit of 4"
    assert any("max_documents" in e.reason for e in corpus.errors)
    assert [m.value for m in at.metric][:1] == ["4"]


def test_uploaded_bytes_are_dropped_from_the_server_once_read():
    """Streamlit keeps uploads until the session ends; the Corpus page removes them as soon as it has
    read them (ui.uploads.read_and_forget)."""
    from unittest import mock

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    from ui import uploads

    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    recs = [UploadedFileRec(file_id=f"id{i}", name=f"f{i}.txt", type="text/plain", data=b"Some text. " * 100)
            for i in range(2)]
    for r in recs:
        mgr.add_file("session-a", r)
    mgr.add_file("session-b", UploadedFileRec(file_id="other", name="o.txt", type="text/plain", data=b"x"))
    files = [UploadedFile(r, None) for r in mgr.get_files("session-a", ["id0", "id1"])]
    ctx = mock.Mock(uploaded_file_mgr=mgr, session_id="session-a")
    with mock.patch.object(uploads, "get_script_run_ctx", return_value=ctx):
        batch = uploads.read_and_forget(files)
    assert batch == [("f0.txt", recs[0].data), ("f1.txt", recs[1].data)]
    assert mgr.get_files("session-a", ["id0", "id1"]) == []
    assert [r.file_id for r in mgr.get_files("session-b", ["other"])] == ["other"], "another session's file kept"
    assert mgr._total_bytes == 1, "the session's bytes are no longer counted"


# --------------------------------------------------------------------------- uploads replace the seeds (issue 10.1)

SEED_MARKS = ("Jacqui Smith", "Daniel Zeichner", "000_bfc6cafdf39d029c", "referendum")
PAGES = ["pages/overview.py", "pages/reader.py", "pages/terms.py", "pages/sentiment.py", "pages/topics.py",
         "pages/compare.py", "pages/corpus.py"]
SPEECH = (b"doc_id,author,date,text\n"
          b"s1,Ann Example,2020-03-01,The hospitals need more masks now. Nurses are tired and frightened.\n"
          b"s2,Bob Example,2020-04-02,Testing has improved. We welcome the new plan for care homes today.\n")


def everything_shown(at) -> str:
    """Every element's content on the page (text, tables, charts, widget options), as one string."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def test_uploading_files_replaces_the_seeds_on_every_page():
    at = open_corpus_page()
    assert at.radio(key="w_upload_mode").value == "replace"  # replacing is the default
    assert any(b.label == "Back to the example texts" and b.disabled for b in at.button)
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("speeches.csv", SPEECH, "text/csv"))
    at.run()
    assert not at.exception
    corpus = at.session_state["corpus"]
    assert [d.doc_id for d in corpus.documents] == ["s1", "s2"], "the seeds are gone"
    assert any("Loaded 2 document(s)" in s.value for s in at.success)
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, page
        shown = everything_shown(at)
        assert "Ann Example" in shown or page == "pages/topics.py", page
        for mark in SEED_MARKS:
            if page == "pages/corpus.py" and mark == "Jacqui Smith":
                continue  # the cleaning rules' own example ("Jacqui Smith is a former home secretary …")
            assert mark not in shown, (page, mark)


def test_adding_keeps_the_seeds_and_back_to_the_examples_is_one_click():
    at = open_corpus_page()
    at.radio(key="w_upload_mode").set_value("add").run()
    at.get("file_uploader")[0].set_value(("speeches.csv", SPEECH, "text/csv"))
    at.run()
    ids = [d.doc_id for d in at.session_state["corpus"].documents]
    assert len(ids) == 5 and {"s1", "s2"} <= set(ids)
    back = next(b for b in at.button if b.label == "Back to the example texts")
    assert not back.disabled
    back.click()
    at.run()
    assert [d.doc_id for d in at.session_state["corpus"].documents] == [d.doc_id for d in load_seeds().documents]


def test_replacing_clears_filters_that_named_the_old_texts():
    from ui.state import View

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["view"] = View(authors=["Jacqui Smith"], doc="000_bfc6cafdf39d029c")
    at.switch_page("pages/corpus.py")
    at.run()
    at.get("file_uploader")[0].set_value(("speeches.csv", SPEECH, "text/csv"))
    at.run()
    view = at.session_state["view"]
    assert view.authors == [] and view.doc == ""
    assert [m.value for m in at.metric][:1] == ["2"]
