"""The "Tone around your phrases" section (Terms & phrases page, Overview), run with AppTest on the seeds."""

from __future__ import annotations

import pytest

from analysis.corpus.loaders import load_paths
from analysis.corpus.prepare import prepare
from analysis.methods import phrase_tone as pt
from analysis.methods import sentiment
from tests.conftest import SEEDS
from tests.test_app_overview import charts, open_page

TERMS, OVERVIEW = "pages/terms.py", "pages/overview.py"
D003 = "003_963148aadf6ce902"


@pytest.fixture(scope="module")
def expected():
    """The library's figures on the seeds (what the section must show)."""
    prep = prepare(load_paths([SEEDS]))
    scores = sentiment.score_corpus(prep.docs, prep.sentences).documents
    occ = pt.occurrences(prep.docs, ["single market"], sentences=prep.sentences)
    occ3 = pt.occurrences(prep.docs, ["single market"], window=3, sentences=prep.sentences)
    return {(ctx, w): pt.tone_near(o, prep.docs, scores, by="author", context=ctx).set_index("group")
            for w, o in ((25, occ), (3, occ3)) for ctx in pt.CONTEXTS}


def chart_rows(at, key: str):
    return charts(at)[f"{key}-phrase-tone"]["rows"].set_index("key")


def test_terms_tab_shows_tone_near_single_market(expected):
    at = open_page(TERMS)
    at.selectbox(key="terms_tone_phrase").set_value("single market").run()
    assert not at.exception
    rows = chart_rows(at, "terms_tone")
    want = expected[("sentence", 25)]
    assert list(rows.index) == ["Daniel Zeichner"]
    z = rows.loc["Daniel Zeichner"]
    assert z["n"] == 2
    assert z["value"] == pytest.approx(want.loc["Daniel Zeichner", "mean"])
    assert z["overall"] == pytest.approx(want.loc["Daniel Zeichner", "overall"])
    readings = [m.value for m in at.markdown if "single market" in m.value]
    assert any("Daniel Zeichner's sentences about ‘single market’ are more negative" in r and "too few to be sure" in r
               for r in readings), readings

    # the window, then a narrower one under Advanced
    at.segmented_control(key="terms_tone_context").set_value("window").run()
    z = chart_rows(at, "terms_tone").loc["Daniel Zeichner"]
    assert z["value"] == pytest.approx(expected[("window", 25)].loc["Daniel Zeichner", "mean"])
    at.slider(key="terms_tone_window").set_value(3).run()
    z = chart_rows(at, "terms_tone").loc["Daniel Zeichner"]
    assert z["value"] == pytest.approx(expected[("window", 3)].loc["Daniel Zeichner", "mean"])

    # the occurrences behind the figure
    at.selectbox(key="terms_tone_open").set_value("Daniel Zeichner").run()
    assert not at.exception
    occ = next(d.value for d in at.dataframe if "evidence" in d.value.columns)
    assert len(occ) == 2
    assert occ["right"].tolist()[1] == "a red line"  # 3 words after the second occurrence
    assert set(occ.columns) >= {"document", "left", "match", "right", "score", "evidence"}


def test_per_document_and_per_year(expected):
    at = open_page(TERMS)
    at.segmented_control(key="terms_tone_per").set_value("document").run()
    rows = chart_rows(at, "terms_tone")  # "left behind": two documents
    assert len(rows) == 2 and rows["n"].tolist() == [1, 1]
    at.segmented_control(key="terms_tone_per").set_value("year").run()
    rows = chart_rows(at, "terms_tone")
    assert set(rows.index) == {"2016", ""}


def test_overview_has_the_section():
    at = open_page(OVERVIEW)
    assert "Tone around your phrases" in [h.value for h in at.subheader]
    rows = chart_rows(at, "ov_tone")
    assert set(rows.index) == {"Daniel Zeichner", "Jacqui Smith"}  # "left behind"
    assert any("‘left behind’" in m.value for m in at.markdown)


@pytest.fixture(scope="module")
def phrase_store(tmp_path_factory):
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = tmp_path_factory.mktemp("large") / "store"
    subprocess.run([sys.executable, "-m", "analysis", "build", str(SEEDS), "--out", str(out), "--no-progress",
                    "--phrase", "single market", "--phrase", "left behind", "--window", "10"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return out


def test_large_store_overview_reads_the_stored_phrase_tone(phrase_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    from ui import data

    monkeypatch.setenv("EXPLORER_STORE", str(phrase_store))
    monkeypatch.setenv("EXPLORER_LARGE_STORE_DOCS", "2")
    monkeypatch.setattr(data, "prepare", lambda *a, **k: pytest.fail("the texts were loaded"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Tone around your phrases" in [h.value for h in at.subheader]
    prep = prepare(load_paths([SEEDS]))
    scores = sentiment.score_corpus(prep.docs, prep.sentences).documents
    occ = pt.occurrences(prep.docs, ["single market"], window=10, sentences=prep.sentences)
    want = pt.tone_near(occ, prep.docs, scores, by="author", context="window").set_index("group")
    at.selectbox(key="st_tone_phrase").set_value("single market").run()
    at.segmented_control(key="st_tone_context").set_value("window").run()
    rows = chart_rows(at, "st_tone")
    assert rows.loc["Daniel Zeichner", "value"] == pytest.approx(want.loc["Daniel Zeichner", "mean"])
    assert rows.loc["Daniel Zeichner", "overall"] == pytest.approx(want.loc["Daniel Zeichner", "overall"])
    assert any("10 words either side" in m.value for m in at.markdown)
    at.selectbox(key="st_tone_open").set_value("Daniel Zeichner").run()
    assert not at.exception
    occ_rows = next(d.value for d in at.dataframe if "evidence" in d.value.columns)
    assert len(occ_rows) == 2 and occ_rows["match"].tolist() == ["single market", "single market"]


def test_the_views_method_is_used():
    """With VADER chosen (the sidebar's method), the figures are VADER's."""
    from ui.state import View

    at = open_page(TERMS, view=View(method="vader", phrases=["single market"]))
    z = chart_rows(at, "terms_tone").loc["Daniel Zeichner"]
    prep = prepare(load_paths([SEEDS]))
    scores = sentiment.score_corpus(prep.docs, prep.sentences).documents
    occ = pt.occurrences(prep.docs, ["single market"], sentences=prep.sentences)
    want = pt.tone_near(occ, prep.docs, scores, by="author", method="vader").set_index("group")
    assert z["value"] == pytest.approx(want.loc["Daniel Zeichner", "mean"])  # (-0.1531 + 0) / 2
    assert z["overall"] == pytest.approx(scores.set_index("doc_id").loc[D003, "vader_mean"])


def test_one_sentence_says_when_no_comparison_rests_on_enough_occurrences():
    """On the seeds every author uses 'left behind' once or twice: a plain reading says so once, before
    the per-author readings (each 'too few to be sure')."""
    at = open_page(TERMS)
    rows = chart_rows(at, "terms_tone")
    assert len(rows) >= 2 and (rows["n"] < pt.MIN_SURE).all()
    readings = " ".join(h.proto.body for h in at.get("html") if "plain-reading" in h.proto.body)
    assert "No comparison here rests on 5 or more occurrences of ‘left behind’" in readings
