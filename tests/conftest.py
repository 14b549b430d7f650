"""Shared test fixtures: paths to the seeds and to the corpora in ../shared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"

CORPUS_FILES = {
    "us-sotu": "us-sotu/us_sotu_1790_2021.csv.gz",
    "bbc": "bbc-news-full/bbc_news_full.csv.gz",
    "covid": "uk-covid-opposition/uk_covid_opposition_speeches.csv.gz",
    "tweets": "kavanaugh-tweets-sentiment/kavanaugh_tweets_sentiment.csv.gz",
}


def shared_corpus_path(name: str) -> Path:
    """Path of a shared corpus file; skips the test when ../shared is absent."""
    path = CORPORA / CORPUS_FILES[name]
    if not path.exists():
        pytest.skip(f"shared corpus {name!r} not found at {path} (../shared is absent)")
    return path


def shared_corpus_frame(name: str) -> pd.DataFrame:
    """A shared corpus as a DataFrame (read straight from ../shared, never copied)."""
    return pd.read_csv(shared_corpus_path(name), keep_default_na=False)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS
