"""A large store (EXPLORER_STORE above the "large" threshold) is explored through its aggregates:
the app shows the store overview, whose figures are the store's own, and never loads the texts.

The threshold is lowered with EXPLORER_LARGE_STORE_DOCS so that a store of the seeds counts as large."""

from __future__ import annotations

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from analysis.engine import store as store_mod
from tests.conftest import ROOT, SEEDS

D000, D003 = "000_bfc6cafdf39d029c", "003_963148aadf6ce902"


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("large") / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(SEEDS), "--out", str(out), "--no-progress"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return out


@pytest.fixture
def large_app(seed_store, monkeypatch):
    monkeypatch.setenv("EXPLORER_STORE", str(seed_store))
    monkeypatch.setenv("EXPLORER_LARGE_STORE_DOCS", "2")
    from ui import data

    loaded = []
    monkeypatch.setattr(data, "prepare", lambda *a, **k: loaded.append(1) or pytest.fail("the texts were loaded"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not loaded, "a corpus was prepared (pytest.fail in the script's thread only warns)"
    return at


def rows_of(at: AppTest, chart: str):
    import json

    import pyarrow as pa

    for c in at.get("vega_lite_chart"):
        if json.loads(c.proto.spec).get("usermeta", {}).get("chart") == chart:
            return pa.ipc.open_stream(c.proto.data.data).read_all().to_pandas()
    raise AssertionError(f"no chart {chart}")


def test_store_overview_shows_the_stores_figures(large_app, seed_store):
    at = large_app
    store = store_mod.open_store(seed_store)
    assert at.title[0].value == "Overview"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "3" and metrics["Words"] == f"{int(store.docs(text=False)['n_words'].sum()):,}"
    tone = rows_of(at, "store-tone-groups").set_index("key")["value"]
    expected = store.group_sentiment("author", "polarity").set_index("group")["mean"]
    assert tone.to_dict() == pytest.approx({str(k): v for k, v in expected.items()})
    shares = rows_of(at, "store-topics")
    assert shares.groupby("key")["pct"].sum().round(1).eq(100).all()
    docs = next(d.value for d in at.dataframe if "polarity" in d.value.columns and "doc_id" in d.value.columns)
    assert dict(zip(docs["doc_id"], docs["author"]))["002_27ba5fbbf84c96f5"] == "Unknown author"
    words = next(d.value for d in at.dataframe if "commonest words (stopwords left out)" in d.value.columns)
    assert "country" in words.set_index("author").loc["Daniel Zeichner", "commonest words (stopwords left out)"]


def test_store_overview_follows_the_filters(large_app):
    at = large_app
    view = at.session_state["view"]
    view.authors = ["Jacqui Smith"]
    at.run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Documents") == "1"
    docs = next(d.value for d in at.dataframe if "polarity" in d.value.columns and "doc_id" in d.value.columns)
    assert docs["doc_id"].tolist() == [D000]
    assert rows_of(at, "store-tone-groups")["key"].tolist() == ["Jacqui Smith"]
    view.authors = ["Nobody at all"]
    at.run()
    assert any("leave no documents" in i.value for i in at.info)
    assert not at.exception and not at.error


def test_group_by_another_column(large_app):
    at = large_app
    at.session_state["view"].group_by = "type"
    at.run()
    assert not at.exception
    assert set(rows_of(at, "store-tone-groups")["key"]) == {"opinion column", "news report", "article"}


def test_methods_page_and_one_documents_sentences(large_app, seed_store):
    large_app.switch_page("pages/methods.py")
    large_app.run()
    assert not large_app.exception
    from ui import cached_store

    sents = cached_store.sentences(str(seed_store.resolve()), D003)
    assert len(sents) == 52 and {"text", "polarity", "vader"} <= set(sents.columns)


def test_a_one_value_filter_reads_the_precomputed_cells(large_app, seed_store, monkeypatch):
    """With one author chosen, tone per type comes from the store's cells, not a bootstrap at run time;
    and it is what computing it would give."""
    from analysis.engine import store as store_mod
    from ui import cached_store

    at = large_app
    computed = []
    real = store_mod.StoredAnalysis.group_sentiment
    monkeypatch.setattr(store_mod.StoredAnalysis, "group_sentiment",
                        lambda self, by, measure="polarity", doc_ids=None: computed.append(doc_ids) or
                        real(self, by, measure, doc_ids))
    cached_store.group_tone.clear()
    view = at.session_state["view"]
    view.group_by, view.authors = "type", ["Daniel Zeichner"]
    at.run()
    assert not at.exception
    assert [d for d in computed if d is not None] == []
    rows = rows_of(at, "store-tone-groups")
    direct = store_mod.open_store(seed_store).group_sentiment("type", "polarity", doc_ids=[D003])
    assert rows["key"].tolist() == ["article"] and rows["value"].tolist() == pytest.approx(direct["mean"].tolist())
    view.authors = ["Daniel Zeichner", "Jacqui Smith"]  # two values: computed for the documents kept
    at.run()
    assert any(d is not None and len(d) == 2 for d in computed)


def test_store_overview_reads_its_numbers_in_plain_words(large_app, seed_store):
    """The large-store Overview says in words what the tone chart shows (highest and lowest group, how
    sure the largest group's score is), names documents in words, and keeps its topic legend in one
    column (two overflow half the page)."""
    import json

    from analysis import plain
    from analysis.corpus.labels import doc_labels

    at = large_app
    store = store_mod.open_store(seed_store)
    readings = " ".join(h.proto.body for h in at.get("html") if "plain-reading" in h.proto.body)
    groups = store.group_sentiment("author", "polarity")
    top = groups.loc[groups["mean"].idxmax()]
    assert f"Most positive of these: {top['group']} ({plain.signed(top['mean'])}" in readings
    assert "would probably lie between" in readings
    docs = next(d.value for d in at.dataframe if "polarity" in d.value.columns and "doc_id" in d.value.columns)
    names = doc_labels(store.docs(text=False))
    assert docs.columns[0] == "document" and docs.set_index("doc_id")["document"].to_dict() == names
    legend = next(json.loads(c.proto.spec) for c in at.get("vega_lite_chart")
                  if json.loads(c.proto.spec).get("usermeta", {}).get("chart") == "store-topics")
    assert legend["encoding"]["color"]["legend"]["columns"] == 1


def test_group_readings_of_a_stores_groups_whose_intervals_rest_on_documents():
    """A store's group table leaves ``n_sentences`` empty (NaN) where a group's interval rests on its
    documents (the 100,000-document store's largest group): the reading says so, it does not fail."""
    import numpy as np
    import pandas as pd

    from ui.tone_sections import group_reading_sentences

    groups = pd.DataFrame({"group": ["", "Louise Haigh"], "label": ["Unknown author", "Louise Haigh"],
                           "n_docs": [83302, 23], "n_sentences": [np.nan, np.nan], "mean": [0.07, 0.6],
                           "lo": [0.068, 0.6], "hi": [0.072, 0.6], "interval_basis": ["documents", "documents"]})
    first, second = group_reading_sentences(groups, "textblob")
    assert first.startswith("Most positive of these: Louise Haigh (+0.60")
    assert second.startswith("Unknown author's score would probably lie between +0.07 and +0.07 with other texts "
                             "like these (from its 83,302 documents)")


def test_a_document_keeps_its_name_whatever_the_filters_keep(tmp_path, monkeypatch):
    """Two speeches by one MP on one day are "Ann Lee · 23 Jan 2020" and "… (2)"; with a filter that
    keeps only the second, it is still "(2)" (names are the store's, not counted again within the
    kept documents), in the documents table as in the tone-near-a-phrase rows."""
    import pandas as pd

    csv = tmp_path / "speeches.csv"
    pd.DataFrame({"doc_id": ["a", "b", "c"], "author": ["Ann Lee", "Ann Lee", "Bo Ray"],
                  "source": ["x", "y", "y"], "date": ["2020-01-23"] * 3,
                  "text": ["We must not leave the towns left behind. They deserve better.",
                           "The towns left behind need investment. That is the point.",
                           "Nobody should be left behind by this government. Not one town."]}).to_csv(csv, index=False)
    out = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(csv), "--out", str(out), "--no-progress",
                    "--phrase", "left behind"], cwd=ROOT, check=True, capture_output=True, timeout=300)
    monkeypatch.setenv("EXPLORER_STORE", str(out))
    monkeypatch.setenv("EXPLORER_LARGE_STORE_DOCS", "2")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()

    def names() -> dict:
        docs = next(d.value for d in at.dataframe if "polarity" in d.value.columns and "doc_id" in d.value.columns)
        return docs.set_index("doc_id")["document"].to_dict()

    assert names() == {"a": "Ann Lee · 23 Jan 2020", "b": "Ann Lee · 23 Jan 2020 (2)", "c": "Bo Ray · 23 Jan 2020"}
    at.session_state["view"].sources = ["y"]
    at.run()
    assert not at.exception and not at.error
    assert names() == {"b": "Ann Lee · 23 Jan 2020 (2)", "c": "Bo Ray · 23 Jan 2020"}
    from ui import cached_phrase_tone

    kept = pd.DataFrame({"doc_id": ["b", "c"], "author": ["Ann Lee", "Bo Ray"], "source": ["y", "y"],
                         "date": ["2020-01-23"] * 2})
    table = cached_phrase_tone.store_table(str(out), ("k",), "left behind", "document", "author", "sentence",
                                           "textblob", kept, ("b", "c"))
    assert dict(zip(table["group"], table["label"])) == {"b": "Ann Lee · 23 Jan 2020 (2)", "c": "Bo Ray · 23 Jan 2020"}
