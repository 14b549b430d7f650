"""The command line on the seeds: shapes, values, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import pytest
from textblob import TextBlob

from tests.conftest import ROOT, SEEDS

SEED_000 = "000_bfc6cafdf39d029c"
SEED_002 = "002_27ba5fbbf84c96f5"
SEED_003 = "003_963148aadf6ce902"


def run(*args, check_rc=0):
    proc = subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == check_rc, proc.stderr
    return proc


def run_json(*args):
    return json.loads(run(*args).stdout)


@pytest.fixture(scope="module")
def report():
    return run_json("report", SEEDS, "--phrase", "left behind", "--phrase", "single market",
                    "--by", "author", "--format", "json")


def test_report_lists_seeds_with_known_authors(report):
    docs = {d["doc_id"]: d for d in report["documents"]}
    assert list(docs) == [SEED_000, SEED_002, SEED_003]
    assert docs[SEED_000]["author"] == "Jacqui Smith"
    assert docs[SEED_003]["author"] == "Daniel Zeichner"
    assert docs[SEED_002]["author"] == ""
    assert set(docs[SEED_000]) >= {"doc_id", "title", "author", "source", "date", "n_words", "n_sentences",
                                   "polarity", "subjectivity", "phrases"}
    assert report["errors"] == []


def test_report_phrase_counts_match_seed_facts(report):
    docs = {d["doc_id"]: d["phrases"] for d in report["documents"]}
    assert docs[SEED_000] == {"left behind": 1, "single market": 0}
    assert docs[SEED_002] == {"left behind": 0, "single market": 0}
    assert docs[SEED_003] == {"left behind": 1, "single market": 2}


def test_report_polarity_is_textblob_of_cleaned_text(report):
    from analysis.corpus import load_seeds
    from analysis.pipeline import prepare

    prep = prepare(load_seeds())
    for doc in report["documents"]:
        text = prep.text_of(doc["doc_id"])
        assert doc["polarity"] == TextBlob(text).sentiment.polarity
        assert doc["subjectivity"] == TextBlob(text).sentiment.subjectivity


def test_report_groups(report):
    groups = {g["group"]: g for g in report["groups"]}
    assert set(groups) == {"Jacqui Smith", "Daniel Zeichner", ""}
    assert groups["Daniel Zeichner"]["count:single market"] == 2
    assert groups["Jacqui Smith"]["n_docs"] == 1


def test_sentences_shape_and_offsets():
    rows = run_json("sentences", SEEDS)
    assert rows and set(rows[0]) == {"doc_id", "para", "sent", "start", "end", "text", "polarity",
                                     "subjectivity", "vader"}
    from analysis.corpus import load_seeds
    from analysis.pipeline import prepare

    prep = prepare(load_seeds())
    for r in rows[:60]:
        assert prep.text_of(r["doc_id"])[r["start"]:r["end"]] == r["text"]
        assert r["polarity"] == TextBlob(r["text"]).sentiment.polarity


def test_cleaning_lists_removals_with_raw_offsets():
    rows = run_json("cleaning", SEEDS)
    rules = {(r["doc_id"], r["rule"]) for r in rows}
    assert (SEED_000, "photo_credit") in rules and (SEED_003, "share_links") in rules
    raw = (SEEDS / f"{SEED_000}.txt").read_text(encoding="utf-8")
    for r in rows:
        if r["doc_id"] == SEED_000:
            assert raw[r["start"]:r["end"]] == r["text"]


def test_csv_format_has_phrase_columns():
    out = run("report", SEEDS, "--phrase", "single market", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["phrase:single market"] for r in rows] == ["0", "0", "2"]


def test_phrases_kwic_keyness_topics_reuse():
    phrases = run_json("phrases", SEEDS, "--phrase", "left-behind")
    assert {(p["doc_id"], p["count"]) for p in phrases} == {(SEED_000, 1), (SEED_002, 0), (SEED_003, 1)}
    kwic = run_json("kwic", SEEDS, "--phrase", "single market", "--window", "3")
    assert [k["match"] for k in kwic] == ["single market", "single market"]
    assert all(set(k) == {"doc_id", "start", "end", "left", "match", "right"} for k in kwic)
    key = run_json("keyness", SEEDS, "--by", "author", "--group", "Daniel Zeichner", "--top", "5")
    assert len(key) == 5 and all(k["g2"] > 0 for k in key)
    topics = run_json("topics", SEEDS, "--k", "3")
    assert topics["k"] == 3 and topics["units"] == "paragraphs" and len(topics["topics"]) == 3
    reuse = run_json("reuse", SEEDS)
    pairs = {(p["doc_a"], p["doc_b"]) for p in reuse["passages"]}
    assert pairs == {(SEED_000, SEED_002)}


def test_bad_inputs_exit_codes(tmp_path):
    proc = run("report", tmp_path / "missing.txt", check_rc=1)
    assert "missing.txt" in proc.stderr and "nothing could be loaded" in proc.stderr
    proc = run("kwic", SEEDS, "--phrase", "single*market", check_rc=2)
    assert "'*'" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("report", SEEDS, "--by", "party_colour", check_rc=2)
    assert "party_colour" in proc.stderr


def test_partial_failure_still_reports(tmp_path):
    """A zip with a UTF-8, a cp1252, an empty and a binary file: two load, two are named."""
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("utf8.txt", "Left behind by the single market.".encode("utf-8"))
        z.writestr("cp1252.txt", "\u201cLeft behind\u201d \u2013 it\u2019s \u20ac350.".encode("cp1252"))
        z.writestr("empty.txt", b"")
        z.writestr("binary.txt", bytes(range(256)) * 4)
    proc = run("report", archive, "--phrase", "left behind")
    out = json.loads(proc.stdout)
    texts = {d["doc_id"]: d for d in out["documents"]}
    assert set(texts) == {"utf8", "cp1252"}
    assert {d["phrases"]["left behind"] for d in texts.values()} == {1}
    failed = {e["path"]: e["reason"] for e in out["errors"]}
    assert any("empty.txt" in p for p in failed) and any("binary.txt" in p for p in failed)
    assert "empty.txt" in proc.stderr and "binary.txt" in proc.stderr
