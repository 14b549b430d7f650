"""Tests for analysis.corpus.loaders: every format, metadata, encodings, bad input and limits.

Binary fixtures (docx, pdf, zip, gzip) are built in the tests; none is committed.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from analysis.corpus import loaders as corpus_mod
from analysis.corpus.loaders import (
    SUPPORTED_EXTENSIONS,
    Corpus,
    Document,
    Limits,
    LoadError,
    decode_text,
    from_text,
    load_bytes,
    load_files,
    load_paths,
    load_seeds,
)
from tests.conftest import ROOT, SEEDS, SHARED, shared_corpus_frame, shared_corpus_path

CURLY = "\u201cquotes\u201d and it\u2019s \u20ac5 \u2013 said the minister\u2026"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


# ---------------------------------------------------------------------------
# Fixture builders


def make_docx(paragraphs, title="", author="", table=None) -> bytes:
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    document.core_properties.title = title
    document.core_properties.author = author  # python-docx's template says "python-docx"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(pages, password=None) -> bytes:
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.set_font("Helvetica", size=12)
            pdf.multi_cell(0, 10, text)
        else:
            pdf.rect(10, 10, 50, 50)  # a page with a drawing and no text
    return bytes(pdf.output())


def make_zip(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def texts(corpus: Corpus) -> dict[str, str]:
    return {d.doc_id: d.text for d in corpus.documents}


def reasons(corpus: Corpus) -> dict[str, str]:
    return {e.path: e.reason for e in corpus.errors}


def only_error(corpus: Corpus) -> LoadError:
    assert len(corpus.errors) == 1, corpus.errors
    return corpus.errors[0]


@pytest.fixture(autouse=True)
def _no_env_limits(monkeypatch):
    """Default limits come from the environment: keep the tests independent of it."""
    for var in ("EXPLORER_LIMITS", "EXPLORER_MAX_FILE_MB", "EXPLORER_MAX_TOTAL_CHARS", "EXPLORER_MAX_DOCUMENTS",
                "EXPLORER_MAX_ZIP_MEMBERS", "EXPLORER_MAX_UNCOMPRESSED_MB", "EXPLORER_MAX_COMPRESSION_RATIO",
                "EXPLORER_MAX_ZIP_DEPTH"):
        monkeypatch.delenv(var, raising=False)


# ---------------------------------------------------------------------------
# Re-exports and plain text


def test_model_classes_are_re_exported():
    from analysis.corpus import model

    assert (corpus_mod.Document, corpus_mod.Corpus, corpus_mod.LoadError) == (
        model.Document, model.Corpus, model.LoadError)


def test_txt_is_one_document_named_by_its_stem():
    c = load_bytes("speech one.txt", b"We will fight on.\n\nAnd win.\n")
    assert [(d.doc_id, d.text, d.origin) for d in c.documents] == [
        ("speech one", "We will fight on.\n\nAnd win.\n", "speech one.txt")]
    assert c.errors == []


def test_md_loads_as_text_unchanged():
    c = load_bytes("notes.MD", b"# Heading\n\nSome *text*.")
    assert texts(c) == {"notes": "# Heading\n\nSome *text*."}


def test_line_endings_become_newlines():
    c = load_bytes("a.txt", b"one\r\ntwo\rthree\n")
    assert texts(c) == {"a": "one\ntwo\nthree\n"}


def test_text_starting_with_FORMER_loads_as_text():
    data = b"FORMER Home Secretary Jacqui Smith has told of her tears over the EU referendum."
    c = load_bytes("002_x.txt", data)
    assert texts(c) == {"002_x": data.decode()}


def test_shared_seed_002_loads_as_text_despite_looking_like_iff():
    path = SHARED / "seeds" / "002_27ba5fbbf84c96f5.txt"
    if not path.exists():
        pytest.skip("../shared/seeds is absent")
    c = load_paths(path)
    assert c.errors == []
    assert c.documents[0].text == path.read_bytes().decode("utf-8")


def test_unknown_extension_loads_when_it_is_clean_text():
    c = load_bytes("README", b"Plain words.")
    assert texts(c) == {"README": "Plain words."}
    c = load_bytes("speech.text", "caf\u00e9".encode("utf-8"))
    assert texts(c) == {"speech": "caf\u00e9"}


def test_unknown_extension_that_is_not_text_is_unsupported():
    c = load_bytes("photo.png", PNG)
    assert only_error(c) == LoadError("photo.png", "unsupported file type (.png)")


def test_supported_extensions_are_listed():
    assert set(SUPPORTED_EXTENSIONS) == {".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".docx", ".pdf",
                                         ".html", ".htm", ".zip", ".gz"}


# ---------------------------------------------------------------------------
# Tables: CSV, TSV, JSON, JSONL

CSV = (
    "doc_id,Title,author,party,text,date\n"
    "a1,First,Ann Smith,Labour,\"Hello, world.\",2020-01-01\n"
    "a2,Second,Bob Jones,Green,\"Multi\nline\",2020-02-02\n"
)


def test_csv_rows_become_documents_with_metadata():
    c = load_bytes("speeches.csv", CSV.encode())
    assert c.errors == []
    first, second = c.documents
    assert (first.doc_id, first.text, first.title, first.author, first.date) == (
        "a1", "Hello, world.", "First", "Ann Smith", "2020-01-01")
    assert first.extra == {"party": "Labour"}
    assert second.text == "Multi\nline"
    assert first.origin == "speeches.csv"


@pytest.mark.parametrize("columns,chosen", [
    (("speech", "Body", "notes"), "Body"),
    (("article", "content"), "content"),
    (("Speech", "article"), "Speech"),
])
def test_csv_text_column_default_order(columns, chosen):
    header = ",".join(columns)
    row = ",".join(f"{c} value" for c in columns)
    c = load_bytes("t.csv", f"{header}\n{row}\n".encode())
    assert c.documents[0].text == f"{chosen} value"
    assert chosen not in c.documents[0].extra


def test_csv_text_column_falls_back_to_longest_strings():
    data = "name,remarks,score\nAnn,A long remark about the economy.,3\nBob,Another long remark.,4\n"
    c = load_bytes("t.csv", data.encode())
    assert [d.text for d in c.documents] == ["A long remark about the economy.", "Another long remark."]
    assert c.documents[0].extra == {"name": "Ann", "score": "3"}


def test_csv_without_id_column_numbers_rows_from_one():
    c = load_bytes("tweets.csv", b"text\nfirst\nsecond\n")
    assert list(texts(c)) == ["tweets_1", "tweets_2"]


def test_csv_id_column_named_id_is_used():
    c = load_bytes("t.csv", b"ID,text\nx9,hello\n,empty id\n")
    assert list(texts(c)) == ["x9", "t_2"]


def test_csv_columns_chosen_by_name():
    data = "name,remarks,speech,doc_id\nAnn,Long remark one.,Hi,d1\nBob,Long remark two.,Yo,d2\n"
    c = load_bytes("t.csv", data.encode(), text_column="remarks", id_column="name")
    assert texts(c) == {"Ann": "Long remark one.", "Bob": "Long remark two."}
    # The unused doc_id column is kept, renamed so it cannot shadow the real doc_id.
    assert c.documents[0].extra == {"speech": "Hi", "doc_id_2": "d1"}


def test_csv_named_column_matches_case_insensitively():
    c = load_bytes("t.csv", b"Remarks,x\nhello,1\n", text_column="remarks")
    assert texts(c) == {"t_1": "hello"}


@pytest.mark.parametrize("option", ["text_column", "id_column"])
def test_csv_missing_named_column_is_an_error_listing_the_columns(option):
    c = load_bytes("t.csv", b"alpha,beta\n1,2\n", **{option: "gamma"})
    role = option.split("_")[0]
    assert only_error(c) == LoadError("t.csv", f"no {role} column 'gamma'; the columns are: alpha, beta")
    assert len(c) == 0


def test_csv_rows_with_empty_text_are_reported_once():
    c = load_bytes("t.csv", b"text,n\nhello,1\n ,2\nworld,3\n,4\n")
    assert [d.text for d in c.documents] == ["hello", "world"]
    assert only_error(c) == LoadError("t.csv", "2 rows skipped, empty text in column 'text' (rows 2, 4)")


def test_csv_with_only_a_header_is_an_error():
    assert only_error(load_bytes("t.csv", b"text,author\n")).reason == "no rows with data"


def test_csv_duplicate_ids_are_made_unique():
    c = load_bytes("t.csv", b"id,text\nx,one\nx,two\n")
    assert list(texts(c)) == ["x", "x_2"]


def test_tsv_and_semicolon_csv():
    c = load_bytes("t.tsv", b"doc_id\ttext\nk\tcomma, inside\n")
    assert texts(c) == {"k": "comma, inside"}
    c = load_bytes("t.csv", b"doc_id;text;author\nk;hello, world;Ann\n")
    assert texts(c) == {"k": "hello, world"} and c.documents[0].author == "Ann"


def test_csv_short_rows_fill_empty_cells():
    c = load_bytes("t.csv", b"text,author,party\nhello,Ann\n")
    assert c.documents[0].author == "Ann" and c.documents[0].extra == {"party": ""}


@pytest.mark.parametrize("payload", [
    [{"id": "j1", "text": "one", "author": "Ann"}, {"id": "j2", "text": "two"}],
    {"documents": [{"id": "j1", "text": "one", "author": "Ann"}, {"id": "j2", "text": "two"}]},
])
def test_json_list_and_documents_key(payload):
    c = load_bytes("d.json", json.dumps(payload).encode())
    assert texts(c) == {"j1": "one", "j2": "two"}
    assert [d.author for d in c.documents] == ["Ann", ""]


def test_json_single_object_and_non_string_values():
    data = {"content": "The text.", "year": 2016, "tags": ["eu", "vote"], "missing": None, "ok": True}
    c = load_bytes("one.json", json.dumps(data).encode())
    (doc,) = c.documents
    assert (doc.doc_id, doc.text) == ("one_1", "The text.")
    assert doc.extra == {"year": "2016", "tags": '["eu", "vote"]', "missing": "", "ok": "true"}


def test_json_items_that_are_not_objects_are_reported():
    c = load_bytes("d.json", b'[{"text": "fine"}, 3, "x"]')
    assert texts(c) == {"d_1": "fine"}
    assert only_error(c).reason == "2 items skipped, not a JSON object (or invalid JSON) (items 2, 3)"


def test_jsonl_lines_with_a_bad_line():
    data = b'{"id": "l1", "body": "first"}\n\n{not json}\n{"id": "l2", "body": "second"}\n'
    c = load_bytes("d.jsonl", data)
    assert texts(c) == {"l1": "first", "l2": "second"}
    assert only_error(c).reason == "1 line skipped, not a JSON object (or invalid JSON) (line 3)"


def test_json_lines_saved_as_json_are_read_as_lines():
    c = load_bytes("d.json", b'{"text": "a"}\n{"text": "b"}\n')
    assert [d.text for d in c.documents] == ["a", "b"]


@pytest.mark.parametrize("data,reason", [
    (b'{"text": "unterminated', "invalid JSON (line 1, column 10: Unterminated string starting at)"),
    (b'"just a string"', "JSON holds a str, not an object or a list of objects"),
    (b"[1, 2]", "no JSON objects to load (2 other values)"),
    (b"[]", "no JSON objects to load"),
    (b"[{}, {}]", "no columns: the items hold no fields"),
    (b"[" * 100_000 + b"]" * 100_000, None),
])
def test_bad_json_is_an_error(data, reason):
    error = only_error(load_bytes("bad.json", data))
    assert error.path == "bad.json"
    if reason:
        assert error.reason == reason
    else:
        assert error.reason.startswith("invalid JSON")


def test_json_text_column_option_applies():
    c = load_bytes("d.json", b'[{"a": "x", "b": "longer text"}]', text_column="a")
    assert c.documents[0].text == "x" and c.documents[0].extra == {"b": "longer text"}


# ---------------------------------------------------------------------------
# DOCX, PDF, HTML


def test_docx_paragraphs_tables_and_core_properties():
    data = make_docx(["First paragraph.", "", "Second paragraph."], title="The Title", author="Ann Smith",
                     table=[["Party", "Seats"], ["Labour", "232"]])
    (doc,) = load_bytes("column.docx", data).documents
    assert doc.doc_id == "column"
    assert doc.text == "First paragraph.\n\nSecond paragraph.\n\nParty | Seats\nLabour | 232"
    assert (doc.title, doc.author) == ("The Title", "Ann Smith")


def test_docx_without_core_title_leaves_title_empty():
    (doc,) = load_bytes("x.docx", make_docx(["Text."], title="", author="")).documents
    assert (doc.title, doc.author) == ("", "")


def test_docx_with_no_text_is_an_error():
    assert only_error(load_bytes("x.docx", make_docx([]))).reason == "no text in the document"


@pytest.mark.parametrize("data,start", [
    (b"This is plain text, not a docx.", "corrupt .docx: not a zip package"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "a legacy Word .doc file"),
    (make_zip({"hello.txt": "not a word document"}), "corrupt .docx (KeyError"),
    (b"PK\x03\x04" + bytes(100), "corrupt .docx (BadZipFile"),
], ids=["text", "legacy-doc", "zip-not-docx", "truncated"])
def test_corrupt_docx_is_an_error(data, start):
    error = only_error(load_bytes("bad.docx", data))
    assert error.path == "bad.docx" and error.reason.startswith(start), error.reason


def test_word_and_pdf_readers_are_imported_only_to_read_such_a_file():
    # every process of a build imports the loaders; python-docx and pypdf cost a few tenths of a second
    code = ("import sys; from analysis.corpus.loaders import load_bytes; "
            "assert 'docx' not in sys.modules and 'pypdf' not in sys.modules; "
            "load_bytes('a.txt', b'Some text.'); assert 'pypdf' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_pdf_text_layer_pages_separated_by_blank_line():
    (doc,) = load_bytes("report.pdf", make_pdf(["Hello world.", "Page two."])).documents
    assert (doc.doc_id, doc.text) == ("report", "Hello world.\n\nPage two.")


def test_pdf_without_text_layer_is_refused():
    error = only_error(load_bytes("scan.pdf", make_pdf([""])))
    assert error.reason.startswith("no text layer (scanned?)")


def test_encrypted_pdf_is_refused():
    error = only_error(load_bytes("locked.pdf", make_pdf(["secret"], password="pw")))
    assert error.reason.startswith("encrypted PDF") or error.reason.startswith("corrupt or unreadable PDF")


@pytest.mark.parametrize("data,start", [
    (b"Not a PDF at all", "corrupt PDF: no %PDF header"),
    (b"%PDF-1.4\n1 0 obj garbage", "corrupt or unreadable PDF"),
])
def test_corrupt_pdf_is_an_error(data, start):
    assert only_error(load_bytes("bad.pdf", data)).reason.startswith(start)


def test_truncated_pdf_is_an_error_or_partial_but_never_raises():
    data = make_pdf(["Hello world."])
    c = load_bytes("cut.pdf", data[: len(data) // 2])
    assert len(c.documents) + len(c.errors) == 1


HTML = b"""<!doctype html><html><head><title> The  Page </title>
<style>p { color: red }</style><script>var hidden = "no";</script></head>
<body><nav>Home</nav><h1>Headline</h1><p>First   para with <b>bold</b>
text.</p><p>Line one<br>Line two</p><noscript>Enable JS</noscript><template>tpl</template>
<ul><li>Item &amp; one</li><li>Item two</li></ul><!-- a comment --></body></html>"""


def test_html_visible_text_as_paragraphs_and_title():
    (doc,) = load_bytes("page.html", HTML).documents
    assert doc.title == "The Page"
    assert doc.text == ("Home\n\nHeadline\n\nFirst para with bold text.\n\nLine one\nLine two\n\n"
                        "Item & one\n\nItem two")


def test_html_with_unclosed_head_keeps_the_body():
    (doc,) = load_bytes("p.htm", b"<html><head><title>T</title><body><p>Body text</p>").documents
    assert (doc.title, doc.text) == ("T", "Body text")


def test_html_with_no_visible_text_is_an_error():
    error = only_error(load_bytes("p.html", b"<html><script>x()</script></html>"))
    assert error.reason == "no visible text in the page"


# ---------------------------------------------------------------------------
# gzip and zip


@pytest.mark.parametrize("name,data,expected", [
    ("a.txt.gz", b"Some text.", {"a": "Some text."}),
    ("t.csv.gz", b"id,text\nr1,row text\n", {"r1": "row text"}),
    ("p.html.gz", b"<p>Para</p>", {"p": "Para"}),
])
def test_gzip_compressed_formats(name, data, expected):
    assert texts(load_bytes(name, gzip.compress(data))) == expected


def test_corrupt_and_nested_gzip_are_errors():
    assert only_error(load_bytes("a.txt.gz", b"\x1f\x8b\x08garbage")).reason.startswith("corrupt gzip data")
    assert only_error(load_bytes("a.txt.gz", gzip.compress(b"x")[:12])).reason.startswith("corrupt gzip data")
    nested = gzip.compress(gzip.compress(b"x"))
    assert only_error(load_bytes("a.txt.gz.gz", nested)).reason == "gzip inside gzip is not supported"


def test_gzip_of_an_empty_file_is_empty():
    assert only_error(load_bytes("a.txt.gz", gzip.compress(b""))).reason == "empty file (0 bytes)"


def test_zip_members_load_by_name_and_junk_is_skipped():
    data = make_zip({
        "corpus/one.txt": "One.",
        "corpus/two.md": "Two.",
        "corpus/sub/three.csv": "id,text\nt3,Three.\n",
        "__MACOSX/corpus/._one.txt": b"\x00\x05\x16\x07junk",
        "corpus/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "corpus/": "",
    })
    c = load_bytes("archive.zip", data)
    assert c.errors == []
    assert texts(c) == {"one": "One.", "two": "Two.", "t3": "Three."}
    assert [d.origin for d in c.documents] == [
        "archive.zip!corpus/one.txt", "archive.zip!corpus/two.md", "archive.zip!corpus/sub/three.csv"]


def test_zip_holding_docx_pdf_and_gzip():
    data = make_zip({"a.docx": make_docx(["Word text."]), "b.pdf": make_pdf(["PDF text."]),
                     "c.txt.gz": gzip.compress(b"Gzip text.")})
    assert texts(load_bytes("mixed.zip", data)) == {"a": "Word text.", "b": "PDF text.", "c": "Gzip text."}


@pytest.mark.parametrize("data", [b"PK\x03\x04 truncated", b"not a zip at all", b"PK\x05\x06" + bytes(18)[:10]])
def test_corrupt_zip_is_one_error(data):
    error = only_error(load_bytes("broken.zip", data))
    assert error.path == "broken.zip" and error.reason.startswith("corrupt zip archive")


def test_truncated_zip_is_an_error():
    data = make_zip({"a.txt": "x" * 1000, "b.txt": "y" * 1000})
    c = load_bytes("cut.zip", data[:-30])
    assert c.documents == [] and only_error(c).reason.startswith("corrupt zip archive")


def test_zip_member_with_bad_crc_is_an_error_and_others_load():
    data = bytearray(make_zip({"a.txt": "Alpha text.", "b.txt": "Beta text."}, zipfile.ZIP_STORED))
    at = data.index(b"Alpha")
    data[at] = ord("X")  # stored data no longer matches its CRC
    c = load_bytes("crc.zip", bytes(data))
    assert texts(c) == {"b": "Beta text."}
    assert only_error(c).path == "crc.zip!a.txt"
    assert only_error(c).reason.startswith("corrupt zip member (BadZipFile: Bad CRC-32")


def test_encrypted_zip_member_is_refused():
    data = bytearray(make_zip({"a.txt": "Secret."}, zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local header and in the central directory.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    error = only_error(load_bytes("locked.zip", bytes(data)))
    assert error == LoadError("locked.zip!a.txt", "encrypted member (a password is needed to read it)")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd.txt", "a/../../b.txt", "C:\\evil.txt",
                                  "..\\evil.txt", "../.hidden"])
def test_zip_slip_names_are_refused(name):
    c = load_bytes("slip.zip", make_zip({name: "payload", "safe.txt": "Safe."}))
    assert texts(c) == {"safe": "Safe."}
    error = only_error(c)
    assert error.path == f"slip.zip!{name}"
    assert error.reason.startswith("unsafe member name")


def test_nested_zip_one_level_loads_and_deeper_is_refused():
    inner = make_zip({"inner.txt": "Inner."})
    middle = make_zip({"middle.txt": "Middle.", "inner.zip": inner})
    outer = make_zip({"outer.txt": "Outer.", "middle.zip": middle})
    c = load_bytes("outer.zip", outer)
    assert texts(c) == {"outer": "Outer.", "middle": "Middle."}
    error = only_error(c)
    assert error.path == "outer.zip!middle.zip!inner.zip"
    assert error.reason.startswith("a zip nested 2 levels deep inside other zips; the limit is max_zip_depth = 1")
    c = load_bytes("middle.zip", middle)
    assert texts(c) == {"middle": "Middle.", "inner": "Inner."}
    assert c.documents[1].origin == "middle.zip!inner.zip!inner.txt"


def test_nested_zip_refused_at_depth_zero():
    c = load_bytes("o.zip", make_zip({"i.zip": make_zip({"a.txt": "A."})}), limits=Limits(max_zip_depth=0))
    assert c.documents == []
    assert only_error(c).reason.startswith("a zip nested 1 level deep")


# ---------------------------------------------------------------------------
# metadata.csv


def test_metadata_csv_beside_files_in_a_folder(tmp_path):
    (tmp_path / "a.txt").write_text("Text A.")
    (tmp_path / "b.txt").write_text("Text B.")
    (tmp_path / "table.csv").write_text("text,author\nRow text,Row Author\n")
    (tmp_path / "metadata.csv").write_text(
        "doc_id,author,party,title\na,Ann Smith,Labour,\nb.txt,Bob Jones,,Bee\ntable,Nobody,X,\n")
    c = load_paths(tmp_path)
    assert c.errors == []
    a, b, row = c.documents
    assert (a.doc_id, a.author, a.title, a.extra) == ("a", "Ann Smith", "", {"party": "Labour"})
    assert (b.author, b.title, b.extra) == ("Bob Jones", "Bee", {"party": ""})
    # Tables carry their own metadata; metadata.csv does not describe their rows.
    assert (row.author, row.extra) == ("Row Author", {})


def test_metadata_csv_is_found_for_a_single_file_path(tmp_path):
    (tmp_path / "a.txt").write_text("Text A.")
    (tmp_path / "Metadata.CSV").write_text("doc_id,author\na,Ann\n")
    assert load_paths(tmp_path / "a.txt").documents[0].author == "Ann"


def test_metadata_csv_by_file_column_can_set_doc_id():
    meta = b"filename,doc_id,source\nspeech.txt,s-001,Hansard\n"
    c = load_files([("metadata.csv", meta), ("speech.txt", b"Mr Speaker.")])
    (doc,) = c.documents
    assert (doc.doc_id, doc.source) == ("s-001", "Hansard")


def test_metadata_among_uploads_and_in_zip_folders():
    meta = b"file,author\none.txt,Ann\ntwo.txt,Bob\n"
    c = load_files([("one.txt", b"One."), ("metadata.csv", meta), ("two.docx", make_docx(["Two."]))])
    assert [(d.doc_id, d.author) for d in c.documents] == [("one", "Ann"), ("two", "")]
    zipped = make_zip({"x/metadata.csv": meta, "x/one.txt": "One.", "y/two.txt": "Two."})
    c = load_bytes("m.zip", zipped)
    assert [(d.doc_id, d.author) for d in c.documents] == [("one", "Ann"), ("two", "")]


def test_metadata_csv_does_not_override_with_empty_values():
    data = make_docx(["Body."], title="Docx Title", author="Docx Author")
    c = load_files([("metadata.csv", b"doc_id,title,author\nd,,Meta Author\n"), ("d.docx", data)])
    assert (c.documents[0].title, c.documents[0].author) == ("Docx Title", "Meta Author")


def test_unusable_metadata_csv_is_reported_and_files_still_load():
    c = load_files([("metadata.csv", b"name,author\na,Ann\n"), ("a.txt", b"A.")])
    assert texts(c) == {"a": "A."}
    assert only_error(c) == LoadError(
        "metadata.csv", "metadata not attached: needs a doc_id, file or filename column; the columns are: name, author")


def test_metadata_csv_alone_is_reported():
    error = only_error(load_bytes("metadata.csv", b"doc_id,author\na,Ann\n"))
    assert error.reason.startswith("not used: metadata.csv describes the other files")


# ---------------------------------------------------------------------------
# Seeds and folders


def test_seeds_load_with_metadata():
    c = load_seeds()
    assert c.errors == []
    assert [d.doc_id for d in c.documents] == ["000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"]
    by_id = {d.doc_id[:3]: d for d in c.documents}
    assert by_id["000"].author == "Jacqui Smith"
    assert by_id["003"].author == "Daniel Zeichner"
    assert by_id["002"].author == ""
    assert by_id["002"].type == "news report"
    assert by_id["000"].extra == {"subject": "EU referendum result", "party": "Labour"}
    assert by_id["002"].text == (SEEDS / "002_27ba5fbbf84c96f5.txt").read_bytes().decode("utf-8")
    assert by_id["000"].date == "2016-06-24"


def test_folder_is_sorted_recursive_and_skips_hidden(tmp_path):
    (tmp_path / "b.txt").write_text("B.")
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / ".hidden.txt").write_text("H.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.txt").write_text("G.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Sub A.")
    c = load_paths([tmp_path])
    assert [(d.doc_id, d.text) for d in c.documents] == [("a", "A."), ("b", "B."), ("a_2", "Sub A.")]
    assert [d.origin for d in c.documents][-1] == str(tmp_path / "sub" / "a.txt")
    assert texts(load_paths(tmp_path, recursive=False)) == {"a": "A.", "b": "B."}


def test_folder_reports_unsupported_files(tmp_path):
    (tmp_path / "a.txt").write_text("A.")
    (tmp_path / "logo.png").write_bytes(PNG)
    c = load_paths(str(tmp_path))
    assert texts(c) == {"a": "A."}
    assert only_error(c) == LoadError(str(tmp_path / "logo.png"), "unsupported file type (.png)")


def test_doc_ids_are_unique_across_uploads():
    c = load_files([("a.txt", b"1"), ("x/a.txt", b"2"), ("a.md", b"3")])
    assert list(texts(c)) == ["a", "a_2", "a_3"]


def test_documents_keep_no_bytes():
    c = load_files([("a.txt", b"One."), ("b.docx", make_docx(["Two."])), ("c.zip", make_zip({"d.txt": "Three."}))])
    for doc in c.documents:
        for f in dataclasses.fields(Document):
            assert not isinstance(getattr(doc, f.name), (bytes, bytearray, memoryview))


def test_load_files_rejects_non_bytes_content():
    with pytest.raises(TypeError):
        load_files([("a.txt", "a str, not bytes")])


# ---------------------------------------------------------------------------
# from_text


def test_from_text_with_title_and_metadata():
    c = from_text("Pasted words.", "My Column!", author="Ann", party="Labour")
    (doc,) = c.documents
    assert (doc.doc_id, doc.title, doc.author, doc.extra, doc.origin) == (
        "my_column", "My Column!", "Ann", {"party": "Labour"}, "pasted text")


def test_from_text_defaults_and_empty():
    assert from_text("x").documents[0].doc_id == "pasted"
    assert from_text("x", doc_id="d9").documents[0].doc_id == "d9"
    c = from_text("   \n")
    assert c.documents == [] and only_error(c) == LoadError("pasted text", "empty text")


def test_from_text_respects_max_total_chars():
    c = from_text("x" * 11, limits=Limits(max_total_chars=10))
    assert c.documents == [] and "max_total_chars = 10" in only_error(c).reason


# ---------------------------------------------------------------------------
# Encodings


@pytest.mark.parametrize("text,codec,expected", [
    (CURLY, "cp1252", "cp1252"),
    ("Caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade, \u00a3100.", "latin-1", "latin-1"),
    ("\u00a9 caf\u00e9", "latin-1", "latin-1"),
    (CURLY, "utf-16", "utf-16"),
    (CURLY, "utf-32", "utf-32"),
    (CURLY, "utf-8-sig", "utf-8-sig"),
    (CURLY, "utf-8", "utf-8"),
    ("Die Regierung hat \u201egro\u00dfe\u201c Pl\u00e4ne f\u00fcr \u00d6sterreich.", "cp1252", "cp1252"),
    ("\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430? "
     "\u042d\u0442\u043e \u0442\u0435\u043a\u0441\u0442 \u043d\u0430 \u0440\u0443\u0441\u0441\u043a\u043e\u043c.",
     "cp1251", "cp1251"),
])
def test_decode_text_detects_the_encoding(text, codec, expected):
    assert decode_text(text.encode(codec)) == (text, expected)


def test_utf8_with_stray_cp1252_bytes_keeps_both():
    data = "\u201cSmart\u201d quotes \u2014 caf\u00e9".encode("utf-8") + b" and a stray \x92 and \xa3"
    assert decode_text(data) == ("\u201cSmart\u201d quotes \u2014 caf\u00e9 and a stray \u2019 and \u00a3",
                                 "utf-8+cp1252")


def test_cp1252_with_an_accidental_utf8_pair_stays_cp1252():
    text = "CAF\u00c9\u2019S caf\u00e9s na\u00efve"  # "\u00c9\u2019" is C9 92: valid UTF-8 by accident
    assert decode_text(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize("text,codec", [
    ("\u65e5\u672c\u56fd\u6c11\u306f\u3001\u6b63\u5f53\u306b\u9078\u6319\u3055\u308c\u305f"
     "\u56fd\u4f1a\u306b\u304a\u3051\u308b\u4ee3\u8868\u8005\u3092\u901a\u3058\u3066\u884c\u52d5\u3057",
     "shift_jis"),
    ("\u4e2d\u534e\u4eba\u6c11\u5171\u548c\u56fd\u662f\u5de5\u4eba\u9636\u7ea7\u9886\u5bfc\u7684"
     "\u3001\u4ee5\u5de5\u519c\u8054\u76df\u4e3a\u57fa\u7840\u7684\u4eba\u6c11\u6c11\u4e3b", "gbk"),
])
def test_other_legacy_encodings_fall_to_charset_normalizer(text, codec):
    assert decode_text(text.encode(codec))[0] == text


@pytest.mark.parametrize("codec", ["cp1252", "latin-1", "utf-16", "utf-8-sig", "utf-32"])
def test_encoded_files_load_with_the_right_text(codec):
    text = CURLY if codec != "latin-1" else "Caf\u00e9 \u00a3100, na\u00efve."
    assert texts(load_bytes("t.txt", text.encode(codec))) == {"t": text}


def test_csv_in_cp1252_and_utf16():
    data = f"text,author\n{CURLY},Zo\u00eb\n"
    for codec in ("cp1252", "utf-16"):
        (doc,) = load_bytes("t.csv", data.encode(codec)).documents
        assert (doc.text, doc.author) == (CURLY, "Zo\u00eb")


@pytest.mark.parametrize("data,reason", [
    (b"text\x00with NUL", "binary file (contains NUL bytes), not text"),
    (PNG, "binary file (a PNG image), not text"),
    (b"\x7fELF\x02\x01\x01" + bytes(50), "binary file (a program (ELF executable)), not text"),
    (b"\xff\xfeA", "binary or undecodable: not valid utf-16 after its byte-order mark"),
    (b"\x01\x02\x03\x04\x05 mostly control \x06\x07\x08", None),
])
def test_decode_text_refuses_binary(data, reason):
    with pytest.raises(ValueError) as info:
        decode_text(data)
    if reason:
        assert str(info.value) == reason
    else:
        assert str(info.value).startswith("binary or undecodable: ")


# ---------------------------------------------------------------------------
# Bad input never raises


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file (0 bytes)"),
    ("blank.txt", b"  \n\t \r\n", "empty file (only whitespace)"),
    ("blank.csv", b"\n\n", "empty file (only whitespace)"),
    ("blank.unknown", b"   ", "empty file (only whitespace)"),
    ("nul.txt", b"abc\x00def", "binary file (contains NUL bytes), not text"),
    ("image.txt", PNG, "binary file (a PNG image), not text"),
    ("zipped.txt", make_zip({"a.txt": "x"}), "binary file (a zip archive or Office file), not text"),
    ("ctrl.txt", b"a\x01b\x02c", "binary or undecodable: 2 control characters among 5 characters"),
    ("bad.csv", b'text,author\n"unclosed quote,Ann\n', "corrupt CSV (ParserError: "),
    ("bad.html", b"<![foo x]>text", "corrupt HTML (AssertionError: "),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None)
def test_bad_files_are_named_with_a_reason(name, data, reason):
    error = only_error(load_bytes(name, data))
    assert error.path == name
    assert error.reason == reason or (reason.endswith(": ") and error.reason.startswith(reason)), error.reason


def test_missing_path_is_an_error(tmp_path):
    c = load_paths([tmp_path / "nope.txt"])
    assert only_error(c) == LoadError(str(tmp_path / "nope.txt"), "not found")


def test_unreadable_file_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("secret")

    def deny(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    assert only_error(load_paths(path)) == LoadError(str(path), "cannot read: permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_on_disk_is_an_error(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("secret")
    path.chmod(0)
    try:
        assert only_error(load_paths(path)).reason == "cannot read: permission denied"
    finally:
        path.chmod(0o600)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("A.")
    c = load_paths(tmp_path)
    assert texts(c) == {"a": "A."}
    assert only_error(c) == LoadError(str(tmp_path / "pipe.txt"), "not a regular file")


def test_one_bad_file_does_not_stop_the_others():
    c = load_files([("good1.txt", b"One."), ("bad.pdf", b"junk"), ("empty.md", b""), ("good2.txt", b"Two.")])
    assert texts(c) == {"good1": "One.", "good2": "Two."}
    assert list(reasons(c)) == ["bad.pdf", "empty.md"]


def test_acceptance_zip_with_utf8_cp1252_empty_and_binary_files():
    utf8_text = "UTF-8 text: \u201cBrexit\u201d means Brexit \u2013 caf\u00e9."
    cp1252_text = "The minister said \u201cno\u201d; it\u2019s \u20ac350m \u2013 a \u2018bold\u2019 plan\u2026"
    archive = make_zip({
        "corpus/utf8.txt": utf8_text.encode("utf-8"),
        "corpus/windows.txt": cp1252_text.encode("cp1252"),
        "corpus/empty.txt": b"",
        "corpus/binary.txt": PNG,
    })
    c = load_bytes("upload.zip", archive)
    assert texts(c) == {"utf8": utf8_text, "windows": cp1252_text}
    assert reasons(c) == {
        "upload.zip!corpus/empty.txt": "empty file (0 bytes)",
        "upload.zip!corpus/binary.txt": "binary file (a PNG image), not text",
    }


# ---------------------------------------------------------------------------
# Limits


def test_max_file_bytes_for_uploads_and_disk(tmp_path):
    limits = Limits(max_file_bytes=10)
    error = only_error(load_bytes("big.txt", b"x" * 11, limits=limits))
    assert error.reason == ("the file is 11 bytes; the limit is max_file_bytes = 10 bytes "
                            "(set EXPLORER_MAX_FILE_MB to change it)")
    (tmp_path / "big.txt").write_bytes(b"y" * 11)
    (tmp_path / "ok.txt").write_bytes(b"y" * 10)
    c = load_paths(tmp_path, limits=limits)
    assert texts(c) == {"ok": "y" * 10}
    assert only_error(c).path == str(tmp_path / "big.txt")


def test_max_documents_caps_and_reports_the_rest_once():
    rows = "".join(f"r{i},text {i}\n" for i in range(10))
    c = load_files([("t.csv", f"id,text\n{rows}".encode()), ("more.txt", b"More.")],
                   limits=Limits(max_documents=3))
    assert list(texts(c)) == ["r0", "r1", "r2"]
    error = only_error(c)
    assert error.path == "t.csv"
    assert error.reason == ("the corpus is full - not loaded from here on: 7 documents and 1 file; "
                            "the limit is max_documents = 3 (set EXPLORER_MAX_DOCUMENTS to change it)")


def test_max_documents_counts_rows_past_the_cap_without_losing_room_to_empty_rows():
    rows = "".join(f"r{i},text {i}\n" for i in range(1, 10))
    c = load_bytes("t.csv", f"id,text\nr0,\n{rows}".encode(), limits=Limits(max_documents=3))
    assert list(texts(c)) == ["r1", "r2", "r3"]
    assert [(e.path, e.reason.split(";")[0]) for e in c.errors] == [
        ("t.csv", "1 row skipped, empty text in column 'text' (row 1)"),
        ("t.csv", "the corpus is full - not loaded from here on: 6 documents")]


def test_max_columns_for_csv_json_and_metadata():
    limits = Limits(max_columns=3)
    error = only_error(load_bytes("wide.csv", b"a,b,c,text\n1,2,3,x\n", limits=limits))
    assert error.reason == ("the table has 4 columns; the limit is max_columns = 3 "
                            "(set EXPLORER_MAX_COLUMNS to change it)")
    data = json.dumps([{"text": "x", "a": 1}, {"text": "y", "b": 2}, {"text": "z", "c": 3}]).encode()
    error = only_error(load_bytes("wide.json", data, limits=limits))
    assert error.reason.startswith("the objects have over 3 keys; the limit is max_columns = 3")
    c = load_files([("metadata.csv", b"doc_id,a,b,c\nx,1,2,3\n"), ("x.txt", b"X.")], limits=limits)
    assert texts(c) == {"x": "X."} and "max_columns = 3" in only_error(c).reason
    assert len(load_bytes("ok.csv", b"a,b,text\n1,2,x\n", limits=limits)) == 1


def test_json_objects_with_different_keys():
    c = load_bytes("d.json", json.dumps([{"text": "x", "a": "1"}, {"text": "y", "b": "2"}]).encode())
    assert [d.extra for d in c.documents] == [{"a": "1"}, {"b": "2"}]
    frame = c.to_frame()
    assert frame["a"].tolist() == ["1", ""] and frame["b"].tolist() == ["", "2"]


def test_max_total_chars_stops_the_corpus():
    files = [("a.txt", b"a" * 6), ("b.txt", b"b" * 6), ("c.txt", b"c")]
    c = load_files(files, limits=Limits(max_total_chars=10))
    assert texts(c) == {"a": "a" * 6}
    error = only_error(c)
    assert error.path == "b.txt"
    assert error.reason.startswith("the corpus is full - not loaded from here on: 1 document and 1 file; "
                                   "the limit is max_total_chars = 10")


def test_max_zip_members():
    data = make_zip({f"m{i}.txt": f"Member {i}." for i in range(5)})
    c = load_bytes("many.zip", data, limits=Limits(max_zip_members=4))
    assert c.documents == []
    assert only_error(c).reason.startswith("the archive holds 5 files; the limit is max_zip_members = 4")
    assert len(load_bytes("many.zip", data, limits=Limits(max_zip_members=5))) == 5


def test_max_zip_members_is_shared_by_nested_archives():
    inner = make_zip({"i1.txt": "I1.", "i2.txt": "I2."})
    c = load_bytes("o.zip", make_zip({"a.txt": "A.", "inner.zip": inner}), limits=Limits(max_zip_members=3))
    assert texts(c) == {"a": "A."}
    assert only_error(c).reason.startswith(
        "the archive holds 2 files and 2 were already read from other archives; the limit is max_zip_members = 3")


def test_max_uncompressed_bytes_for_zip_and_gzip():
    limits = Limits(max_uncompressed_bytes=100)
    c = load_bytes("z.zip", make_zip({"a.txt": "a" * 60, "b.txt": "b" * 60}), limits=limits)
    assert texts(c) == {"a": "a" * 60}
    assert only_error(c).reason.startswith(
        "it decompresses to 60 bytes, more than the 40 bytes left of the decompression budget; "
        "the limit is max_uncompressed_bytes = 100 bytes")
    error = only_error(load_bytes("g.txt.gz", gzip.compress(b"g" * 101), limits=limits))
    assert error.reason.startswith("it decompresses to over 101 bytes, more than the 100 bytes left")


def test_zip_bomb_member_is_refused_by_declared_ratio():
    bomb = make_zip({"bomb.txt": b"0" * (5 * 2**20), "ok.txt": "Fine."})
    c = load_bytes("bomb.zip", bomb)
    assert texts(c) == {"ok": "Fine."}
    error = only_error(c)
    assert error.path == "bomb.zip!bomb.txt"
    assert "like a zip bomb; the limit is max_compression_ratio = 100" in error.reason
    assert error.reason.startswith("it expands ")


def test_gzip_bomb_is_refused_while_streaming():
    bomb = gzip.compress(b"\x00" * (20 * 2**20))
    error = only_error(load_bytes("bomb.txt.gz", bomb))
    assert error.reason.startswith("it expands at least ")
    assert "max_compression_ratio = 100" in error.reason


def test_zip_with_lying_sizes_is_refused():
    data = bytearray(make_zip({"lie.txt": b"A" * (3 * 2**20)}))
    # Declare a 100-byte member in the central directory: zipfile reads no more
    # than declared, so the CRC check fails instead of the bomb expanding.
    at = data.index(b"PK\x01\x02") + 24
    data[at:at + 4] = (100).to_bytes(4, "little")
    error = only_error(load_bytes("lie.zip", bytes(data)))
    assert error.path == "lie.zip!lie.txt" and error.reason.startswith("corrupt zip member")


def test_docx_bomb_is_refused():
    data = make_zip({"[Content_Types].xml": b"<a/>", "word/document.xml": b" " * (5 * 2**20)})
    assert "max_compression_ratio" in only_error(load_bytes("bomb.docx", data)).reason


def test_limits_default_to_the_environment(monkeypatch):
    monkeypatch.setenv("EXPLORER_MAX_DOCUMENTS", "1")
    c = load_files([("a.txt", b"A."), ("b.txt", b"B.")])
    assert len(c) == 1 and "EXPLORER_MAX_DOCUMENTS" in only_error(c).reason


# ---------------------------------------------------------------------------
# The shared corpora (skipped when ../shared is absent)


@pytest.mark.parametrize("name,rows", [("us-sotu", 233), ("bbc", 2225), ("covid", 493), ("tweets", 1338)])
def test_shared_corpus_csv_loads_with_default_columns(name, rows):
    c = load_paths(shared_corpus_path(name))
    assert c.errors == []
    assert len(c) == rows
    frame = shared_corpus_frame(name)
    assert [d.text for d in c.documents[:20]] == frame["text"].head(20).tolist()
    assert [d.doc_id for d in c.documents] == frame["doc_id"].tolist()
    assert "text" not in c.documents[0].extra and "category" in c.documents[0].extra


def test_extend_with_limits_stops_at_the_corpus_limits():
    """Corpus.extend with limits behaves like one load call: documents past max_documents or
    max_total_chars are left out and one error names the limit."""
    from analysis.corpus.limits import Limits

    base = load_files([("a.txt", b"First text."), ("b.txt", b"Second text.")])
    more = load_files([(f"m{i}.txt", b"Another text here.") for i in range(5)])
    grown = base.extend(more, limits=Limits(max_documents=4))
    assert [d.doc_id for d in grown.documents] == ["a", "b", "m0", "m1"]
    assert len(grown.errors) == 1 and "max_documents" in grown.errors[0].reason
    assert "3 added documents left out" in grown.errors[0].reason
    by_chars = base.extend(more, limits=Limits(max_total_chars=len("First text.Second text.") + 20))
    assert len(by_chars.documents) == 3 and "max_total_chars" in by_chars.errors[0].reason
    assert len(base.extend(more).documents) == 7, "without limits nothing is left out"
