"""``python -m analysis phrase-tone``: shapes, values (against the library), CSV tables, usage errors."""

from __future__ import annotations

import csv
import io
import math

import pytest

from analysis.methods import phrase_tone as pt
from analysis.methods import sentiment
from analysis.corpus.loaders import load_paths
from analysis.corpus.prepare import prepare
from tests.conftest import SEEDS
from tests.test_cli import run, run_json

ZEICHNER = "003_963148aadf6ce902"


@pytest.fixture(scope="module")
def out():
    return run_json("phrase-tone", SEEDS, "--phrase", "single market", "--phrase", "left behind", "--by", "author")


def test_json_has_every_table_and_the_window(out):
    assert set(out) == {"window", "methods", "documents", "groups", "years", "occurrences", "errors"}
    assert out["window"] == 25 and set(out["methods"]) == {"textblob", "vader", "classifier"}
    assert out["errors"] == []
    for row in out["groups"]:
        assert set(row) == set(pt.AGGREGATE_COLUMNS) | {"reading"}
    assert {(r["context"], r["method"]) for r in out["groups"]} == {(c, m) for c in pt.CONTEXTS
                                                                    for m in ("textblob", "vader", "classifier")}


def test_zeichner_single_market_figures(out):
    row = next(r for r in out["groups"] if r["group"] == "Daniel Zeichner" and r["phrase"] == "single market"
               and r["context"] == "sentence" and r["method"] == "vader")
    # VADER of the two sentences, phrase blanked: damage -2.2 + dynamic 1.6 -> -0.1531; and 0
    assert row["n"] == 2 and row["n_docs"] == 1
    assert row["mean"] == pytest.approx(round(-0.6 / math.sqrt(0.36 + 15), 4) / 2)
    prep = prepare(load_paths([SEEDS]))
    scores = sentiment.score_corpus(prep.docs, prep.sentences).documents.set_index("doc_id")
    assert row["overall"] == pytest.approx(scores.loc[ZEICHNER, "vader_mean"])
    assert "too few to be sure" in row["reading"] and row["reading"].startswith("Daniel Zeichner's sentences")
    per_doc = [r for r in out["documents"] if r["group"] == ZEICHNER and r["phrase"] == "single market"]
    assert len(per_doc) == 2 * len(pt.METHODS) and all(r["n"] == 2 for r in per_doc)


def test_occurrences_carry_scores_and_evidence(out):
    occ = [r for r in out["occurrences"] if r["phrase"] == "single market" and r["context"] == "sentence"]
    assert [r["doc_id"] for r in occ] == [ZEICHNER, ZEICHNER]
    assert occ[0]["evidence_vader"] == "damage (-0.55), dynamic (+0.40)"
    assert occ[1]["match"] == "single market" and occ[1]["left"] == "Is access to the"
    assert occ[1]["right"] == "a red line?" and occ[1]["textblob"] == 0.0


def test_window_option_changes_the_window_contexts():
    narrow = run_json("phrase-tone", SEEDS, "--phrase", "single market", "--window", "3")
    w = [r for r in narrow["occurrences"] if r["context"] == "window"]
    assert narrow["window"] == 3
    assert all(r["n_words"] <= 6 for r in w)
    assert w[1]["left"] == "access to the" and w[1]["right"] == "a red line"  # 3 words each side
    assert narrow["groups"] == []  # no --by


def test_csv_tables():
    text = run("phrase-tone", SEEDS, "--phrase", "single market", "--format", "csv", "--table",
               "occurrences").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4 and rows[0]["context"] == "sentence" and rows[1]["context"] == "window"
    docs = list(csv.DictReader(io.StringIO(run("phrase-tone", SEEDS, "--phrase", "single market",
                                               "--format", "csv").stdout)))
    assert {r["group"] for r in docs} == {ZEICHNER} and "reading" in docs[0]
    years = list(csv.DictReader(io.StringIO(run("phrase-tone", SEEDS, "--phrase", "left behind", "--format",
                                                "csv", "--table", "years").stdout)))
    assert {r["group"] for r in years} == {"2016", ""}


def test_usage_errors():
    assert "no metadata column" in run("phrase-tone", SEEDS, "--phrase", "x", "--by", "nope", check_rc=2).stderr
    assert "--window" in run("phrase-tone", SEEDS, "--phrase", "x", "--window", "0", check_rc=2).stderr
    run("phrase-tone", SEEDS, check_rc=2)  # --phrase is required
    run("phrase-tone", SEEDS, "--phrase", "a*", check_rc=2)
