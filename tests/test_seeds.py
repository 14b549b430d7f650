"""The seed corpus: seeds/ holds ../shared/seeds/ byte for byte, and seeds/metadata.csv states
only what the texts support, leaving unknown fields empty with a note saying why."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import SEEDS, SHARED

SHARED_SEEDS = SHARED / "seeds"
S000, S002, S003 = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"
COLUMNS = ["doc_id", "title", "author", "source", "date", "type", "url", "subject", "party", "notes"]


def seed_texts() -> list[str]:
    return sorted(p.name for p in SEEDS.iterdir() if p.is_file() and p.name != "metadata.csv")


@pytest.fixture(scope="module")
def meta() -> dict[str, dict[str, str]]:
    with open(SEEDS / "metadata.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == COLUMNS
    return {r["doc_id"]: r for r in rows}


# ---------------------------------------------------------------------------
# The files


def test_seeds_are_the_three_texts_and_metadata():
    assert seed_texts() == [f"{S000}.txt", f"{S002}.txt", f"{S003}.txt"]


@pytest.mark.parametrize("name", [f"{S000}.txt", f"{S002}.txt", f"{S003}.txt"])
def test_seed_is_byte_identical_to_the_shared_seed(name):
    shared = SHARED_SEEDS / name
    if not shared.exists():
        pytest.skip(f"shared seed not found at {shared} (../shared is absent)")
    assert (SEEDS / name).read_bytes() == shared.read_bytes()


def test_every_shared_seed_is_in_seeds():
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"shared seeds not found at {SHARED_SEEDS} (../shared is absent)")
    assert sorted(p.name for p in SHARED_SEEDS.iterdir() if p.is_file()) == seed_texts()


# ---------------------------------------------------------------------------
# metadata.csv: the facts


def test_metadata_describes_each_seed_once(meta):
    assert sorted(meta) == [S000, S002, S003]
    assert all(f"{doc_id}.txt" in seed_texts() for doc_id in meta)


def test_000_is_jacqui_smiths_progress_column_of_24_june_2016(meta):
    row = meta[S000]
    assert row["author"] == "Jacqui Smith"
    assert row["date"] == "2016-06-24"
    assert "Progress" in row["source"] and "Monday Politics" in row["source"]
    assert row["type"] == "opinion column"
    assert "former Home Secretary" in row["notes"]


def test_002_reporter_outlet_and_date_are_unknown(meta):
    row = meta[S002]
    assert row["author"] == "" and row["source"] == "" and row["date"] == ""
    assert row["type"] == "news report" and row["subject"] == "Jacqui Smith"


def test_003_author_is_inferred_and_date_unknown(meta):
    row = meta[S003]
    assert row["author"] == "Daniel Zeichner"
    assert row["date"] == ""
    notes = row["notes"]
    assert "inferred" in notes and '"MP for Cambridge"' in notes
    assert "not written in the text" in notes


# What a note must say for each field left empty (the text gives no value for it).
NOTE_WORDS = {
    "author": ("author", "reporter"),
    "source": ("outlet", "source"),
    "date": ("date",),
    "url": ("url",),
}


@pytest.mark.parametrize("doc_id", [S000, S002, S003])
def test_unknown_fields_are_empty_with_a_note(meta, doc_id):
    row = meta[doc_id]
    notes = row["notes"].lower()
    assert notes, "every seed has a note"
    for field, words in NOTE_WORDS.items():
        if row[field] == "":
            assert any(w in notes for w in words), f"{doc_id}: {field} is empty but the notes do not say why"
    for field in COLUMNS:
        assert row[field] == row[field].strip()
        assert row[field].lower() not in {"unknown", "n/a", "na", "none", "null", "?"}, \
            f"{doc_id}: an unknown {field} is left empty, not written as {row[field]!r}"


def test_the_notes_name_each_unknown_that_the_issue_lists(meta):
    n002 = meta[S002]["notes"]
    assert "author and source are unknown" in n002 and "exact date unknown" in n002
    assert "exact date unknown" in meta[S003]["notes"]
    assert "publication date is not stated" in meta[S000]["notes"]
