"""The phrase-tone table of a store (``build --phrase``): the same occurrences and scores as the library."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.corpus.loaders import load_paths
from analysis.corpus.prepare import prepare
from analysis.engine.build import build_store
from analysis.engine.store import open_store
from analysis.methods import phrase_tone as pt
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    base = tmp_path_factory.mktemp("stores")
    with_phrases = base / "with"
    build_store([SEEDS], with_phrases, phrases=["single market", "Left-behind"], phrase_window=10, chunk_size=2,
                n_jobs=1, progress=False)
    without = base / "without"
    build_store([SEEDS], without, n_jobs=1, progress=False)
    return open_store(with_phrases), open_store(without)


def test_stored_occurrences_equal_the_librarys(stores):
    store, _ = stores
    assert store.phrase_tone_settings == {"phrases": ["single market", "Left-behind"], "window": 10}
    prep = prepare(load_paths([SEEDS]))
    want = pt.occurrences(prep.docs, ["single market", "Left-behind"], window=10, sentences=prep.sentences)
    got = store.phrase_tone().drop(columns="doc_idx")
    key = ["doc_id", "start", "phrase", "context"]
    got, want = (t.sort_values(key).reset_index(drop=True) for t in (got, want))
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    assert len(got) == 2 * 4  # 2 x "single market", 2 x "left behind"; a sentence and a window each
    rows = store.phrase_tone(doc_ids=["003_963148aadf6ce902"])
    assert set(rows["doc_id"]) == {"003_963148aadf6ce902"}
    assert set(rows["doc_idx"]) == {2}  # the third seed
    assert "phrase_tone" in store.manifest["tables"]


def test_a_store_built_without_phrases_has_an_empty_table(stores):
    _, store = stores
    assert store.phrase_tone_settings is None
    assert store.phrase_tone().empty


def test_build_rejects_a_bad_phrase(tmp_path):
    from analysis.cli import main

    assert main(["build", str(SEEDS), "--out", str(tmp_path / "s"), "--phrase", "a*", "--no-progress"]) == 2
    assert not (tmp_path / "s").exists()
