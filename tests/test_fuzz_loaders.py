"""Fuzzing the loaders: whatever the bytes, loading returns a Corpus and never raises.

Random bytes under every extension, damaged copies of valid files, random text
in random encodings, random zip archives (traversal names, nested zips,
truncation) and random upload batches with a metadata.csv. Each test is bounded
in examples and time per example so the file runs in well under a minute.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.corpus.loaders import SUPPORTED_EXTENSIONS, Corpus, Limits, LoadError, decode_text, load_bytes, load_files
from tests.test_corpus import make_docx, make_pdf, make_zip

# FUZZ_EXAMPLES=5000 runs a deeper search than the default, which keeps the file quick.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
pytestmark = [pytest.mark.timeout(120 * max(1, EXAMPLES // 200)), pytest.mark.filterwarnings("ignore")]

LIMITS = Limits(max_file_bytes=256 * 1024, max_total_chars=50_000, max_documents=25, max_zip_members=40,
                max_uncompressed_bytes=2 * 2**20, max_compression_ratio=100, max_zip_depth=1)
EXTENSIONS = sorted(SUPPORTED_EXTENSIONS) + [".txt.gz", ".csv.gz", ".json.gz", ".zip.gz", ".bin", ""]

VALID = {
    ".txt": "Plain \u201ctext\u201d.\n\nSecond paragraph.".encode("cp1252"),
    ".csv": b"doc_id,author,text\na,Ann,First text.\nb,Bob,\"Second, text.\"\n",
    ".tsv": b"id\ttext\nt1\tTab text.\n",
    ".json": json.dumps([{"id": "j", "text": "JSON text.", "n": 3}]).encode(),
    ".jsonl": b'{"text": "one"}\n{"text": "two"}\n',
    ".html": b"<html><head><title>T</title></head><body><p>Para</p><script>x</script></body></html>",
    ".docx": make_docx(["Word text.", "More."], title="T", author="A", table=[["a", "b"]]),
    ".pdf": make_pdf(["PDF text.", "Page two."]),
    ".zip": make_zip({"a.txt": "Zip text.", "metadata.csv": "doc_id,author\na,Ann\n", "b.csv": "text\nrow\n"}),
    ".txt.gz": gzip.compress(b"Gzip text."),
}

FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check(corpus: Corpus, prefix: str = "") -> None:
    """What every load result must satisfy, whatever went in."""
    assert isinstance(corpus, Corpus)
    for error in corpus.errors:
        assert isinstance(error, LoadError)
        assert isinstance(error.path, str) and error.path.startswith(prefix)
        assert isinstance(error.reason, str) and error.reason.strip()
    ids = [d.doc_id for d in corpus.documents]
    assert len(ids) == len(set(ids))
    assert len(corpus.documents) <= LIMITS.max_documents
    assert sum(len(d.text) for d in corpus.documents) <= LIMITS.max_total_chars
    for doc in corpus.documents:
        assert isinstance(doc.text, str) and doc.text.strip()
        assert "\r" not in doc.text
        assert doc.origin.startswith(prefix)
        assert all(isinstance(v, str) for v in doc.extra.values())


@FUZZ
@given(st.sampled_from(EXTENSIONS), st.binary(max_size=3000))
def test_random_bytes_under_every_extension(extension, data):
    check(load_bytes(f"file{extension}", data, limits=LIMITS), f"file{extension}")


@st.composite
def damaged(draw):
    """A valid file of some format with bytes overwritten, inserted or cut off."""
    extension = draw(st.sampled_from(sorted(VALID)))
    data = bytearray(VALID[extension])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["overwrite", "insert", "cut"]))
        chunk = draw(st.binary(min_size=1, max_size=8))
        if edit == "overwrite":
            data[at:at + len(chunk)] = chunk
        elif edit == "insert":
            data[at:at] = chunk
        else:
            del data[at:]
    return extension, bytes(data)


@FUZZ
@given(damaged())
def test_damaged_valid_files(case):
    extension, data = case
    check(load_bytes(f"file{extension}", data, limits=LIMITS), f"file{extension}")


def _printable(text: str) -> bool:
    """No control characters but the ordinary whitespace ones."""
    return all(unicodedata.category(c) != "Cc" or c in "\t\n\x0b\x0c\r" for c in text)


UNICODE_CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252", "latin-1", "cp1251",
                  "cp1250", "shift_jis", "gb18030", "mac_roman"]


@FUZZ
@given(st.text(max_size=400), st.sampled_from(UNICODE_CODECS))
def test_random_text_in_random_encodings_never_raises(text, codec):
    data = text.encode(codec, errors="replace")
    check(load_bytes("t.txt", data, limits=LIMITS), "t.txt")
    check(load_bytes("t.csv", b"text\n" + data, limits=LIMITS), "t.csv")


@FUZZ
@given(st.text(min_size=1, max_size=400).filter(_printable), st.sampled_from(["utf-8-sig", "utf-16", "utf-32"]))
def test_unicode_with_byte_order_mark_round_trips(text, codec):
    assert decode_text(text.encode(codec)) == (text, codec)


@FUZZ
@given(st.text(min_size=1, max_size=400).filter(lambda t: _printable(t) and not t.startswith("\ufeff")))
def test_utf8_round_trips_and_loads_exactly(text):
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    corpus = load_bytes("t.txt", text.encode("utf-8"), limits=LIMITS)
    if text.strip():
        assert [d.text for d in corpus.documents] == [text.replace("\r\n", "\n").replace("\r", "\n")]
    else:
        assert corpus.documents == [] and corpus.errors[0].reason == "empty file (only whitespace)"


SPECIAL_NAMES = ["../evil.txt", "/abs.txt", "a/../../b.txt", "C:\\win.txt", "..\\x.txt", "__MACOSX/._a.txt",
                 ".hidden.txt", "dir/.DS_Store", "metadata.csv", "dir/metadata.csv", "dir/", "a.txt", "a.txt"]
NAME_PARTS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)
COMPRESSIONS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def _build_zip(members: list[tuple[str, bytes, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, compression in members:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return out.getvalue()


member_content = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.sampled_from(sorted(VALID.values())),
    st.just(b""),
)
member_name = st.one_of(
    st.sampled_from(SPECIAL_NAMES),
    st.tuples(NAME_PARTS, st.sampled_from(EXTENSIONS)).map("".join),
)
zip_archive = st.deferred(lambda: st.lists(
    st.tuples(
        st.one_of(member_name, NAME_PARTS.map(lambda n: n + ".zip")),
        st.one_of(member_content, zip_archive),
        st.sampled_from(COMPRESSIONS),
    ),
    max_size=6,
).map(_build_zip))


@st.composite
def damaged_zip(draw):
    data = draw(zip_archive)
    if data and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@FUZZ
@given(damaged_zip())
def test_random_zip_structures(data):
    corpus = load_bytes("z.zip", data, limits=LIMITS)
    check(corpus, "z.zip")
    for doc in corpus.documents:
        member = doc.origin.split("!")[-1].replace("\\", "/")
        assert ".." not in member.split("/") and not member.startswith("/")
        assert not member.startswith("__MACOSX") and not member.split("/")[-1].startswith(".")


@FUZZ
@given(
    st.lists(st.tuples(member_name, member_content), max_size=6),
    st.one_of(st.none(), st.binary(max_size=200), st.text(max_size=200).map(str.encode),
              st.just(b"file,author,party,doc_id\na.txt,Ann,X,new\nb,Bob,,\n")),
    st.one_of(st.none(), st.sampled_from(["text", "author", "nope", "doc_id", ""])),
)
def test_random_upload_batches_with_metadata(files, metadata, text_column):
    batch = list(files) + ([("metadata.csv", metadata)] if metadata is not None else [])
    check(load_files(batch, limits=LIMITS, text_column=text_column, id_column=text_column))


@FUZZ
@given(st.lists(st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=40), st.integers(), st.none(),
                                                                 st.booleans(), st.lists(st.integers(), max_size=3)),
                                max_size=5), max_size=8),
       st.sampled_from([".json", ".jsonl", ".csv", ".tsv"]),
       st.one_of(st.none(), st.text(max_size=8)))
@example(rows=[{}], extension=".json", text_column=None)  # found by a deep run: objects without keys
def test_random_tables(rows, extension, text_column):
    if extension == ".json":
        data = json.dumps(rows).encode()
    elif extension == ".jsonl":
        data = "\n".join(json.dumps(r) for r in rows).encode()
    else:
        sep = "," if extension == ".csv" else "\t"
        columns = sorted({k for r in rows for k in r})
        lines = [sep.join(json.dumps(c) for c in columns)]
        lines += [sep.join(json.dumps(str(r.get(c, ""))) for c in columns) for r in rows]
        data = "\n".join(lines).encode()
    check(load_bytes(f"t{extension}", data, limits=LIMITS, text_column=text_column), f"t{extension}")
