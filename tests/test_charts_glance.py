"""The Overview's Vega-Lite charts (ui.charts.glance): pure functions, checked on the spec."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from ui.charts import glance
from ui.colors import UNKNOWN_COLOUR

PAYLOAD = '<script>alert(1)</script> <img src=x onerror=alert(1)> {{7*7}} ${alert(1)}'


def layer(spec: dict, mark: str) -> dict:
    return next(l for l in spec["layer"] if (l["mark"]["type"] if isinstance(l["mark"], dict) else l["mark"]) == mark)


@pytest.fixture
def tone_table():
    return pd.DataFrame({"doc_id": ["d2", "d1", "d3"], "mean": [0.3, -0.1, float("nan")],
                         "lo": [0.1, -0.25, float("nan")], "hi": [0.45, 0.05, float("nan")],
                         "author": ["Bob", "Ann", ""], "n_docs": [1, 1, 1], "n_sentences": [12, 30, 0],
                         "interval_basis": ["sentences", "sentences", "none"]})


def test_tone_bars_rows_order_and_values(tone_table):
    spec = glance.tone_bars(tone_table, "doc_id", colour_col="author", colours={"Ann": "#111111", "Bob": "#222222"},
                            labels={"d1": "First", "d2": "Second"}, chart="t")
    rows = spec["data"]["values"]
    assert [r["key"] for r in rows] == ["d2", "d1", "d3"]
    assert [r["value"] for r in rows] == [0.3, -0.1, None]  # NaN is a gap, not a zero
    assert rows[1]["lo"] == -0.25 and rows[1]["hi"] == 0.05
    assert "30 sentences" in rows[1]["interval"] and rows[2]["interval"].startswith("no interval")
    bar = layer(spec, "bar")
    assert bar["encoding"]["y"]["sort"] == ["Second", "First", "d3"]  # top to bottom in table order
    scale = bar["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"Ann": "#111111", "Bob": "#222222", "Unknown": UNKNOWN_COLOUR}
    assert spec["usermeta"] == {"chart": "t"}
    assert bar["params"][0]["name"] == glance.PICK  # a click selects a bar by its key
    assert bar["params"][0]["select"]["fields"] == ["key"]


def test_tone_bars_axis_holds_the_whiskers(tone_table):
    spec = glance.tone_bars(tone_table, "doc_id")
    lo, hi = layer(spec, "bar")["encoding"]["x"]["scale"]["domain"]
    assert lo == -hi and hi >= 0.45  # symmetric around 0 and wide enough for the largest interval end
    flat = glance.tone_bars(tone_table.assign(mean=[0.3, 0.1, 0.2], lo=0.0, hi=0.5), "doc_id", diverging=False)
    assert layer(flat, "bar")["encoding"]["x"]["scale"]["domain"][0] == 0
    # a narrow range (one year's mean, +0.05) had 15 tick labels running into each other
    axis = layer(spec, "bar")["encoding"]["x"]["axis"]
    assert axis["labelOverlap"] and axis["tickCount"] <= 6


def test_repeated_labels_stay_apart():
    shown = glance.unique_labels(["a", "b", "c"], {"a": "Same", "b": "Same", "c": "Other"})
    assert len(set(shown.values())) == 3 and shown["c"] == "Other"
    assert shown["a"] == "Same" and shown["b"] == "Same (2)"  # a running number, never the raw id


def test_phrase_bars_counts_and_panels():
    table = pd.DataFrame({"doc_id": ["d1", "d2", "d1", "d2"], "group": ["Ann", "", "Ann", ""],
                          "phrase": ["left behind", "left behind", "single market", "single market"],
                          "count": [1, 0, 0, 2], "n_words": [500, 1000, 500, 1000],
                          "rate_per_10k": [20.0, 0.0, 0.0, 20.0]})
    spec = glance.phrase_bars(table, "doc_id", "group", {"Ann": "#111111"}, chart="p")
    rows = {(r["key"], r["phrase"]): r for r in spec["data"]["values"]}
    assert rows[("d2", "single market")]["count"] == 2 and rows[("d2", "single market")]["count_text"] == "2×"
    assert rows[("d2", "left behind")]["count_text"] == "0×"
    assert spec["facet"]["sort"] == ["left behind", "single market"] and spec["columns"] == 2


def test_topic_shares_in_percent_and_topic_colours():
    shares = pd.DataFrame({"doc_id": ["a", "a", "b", "b", "z"], "topic": [0, 1, 0, 1, 0],
                           "topic_name": ["1 · x", "2 · y", "1 · x", "2 · y", "1 · x"],
                           "share": [0.25, 0.75, 1.0, 0.0, 1.0]})
    spec = glance.topic_share_bars(shares, ["b", "a"], labels={"a": "A"}, topic_colours={0: "#111111", 1: "#222222"})
    rows = pd.DataFrame(spec["data"]["values"])
    assert set(rows["key"]) == {"a", "b"}  # only the documents asked for
    assert rows.groupby("key")["pct"].sum().to_dict() == {"a": 100.0, "b": 100.0}
    assert spec["encoding"]["y"]["sort"] == ["b", "A"]
    assert spec["encoding"]["color"]["scale"] == {"domain": ["1 · x", "2 · y"], "range": ["#111111", "#222222"]}


def test_picked_keys_reads_streamlit_selection_events():
    assert glance.picked_keys(SimpleNamespace(selection={glance.PICK: [{"key": "d1"}, {"key": "d3"}]})) == ["d1", "d3"]
    assert glance.picked_keys(SimpleNamespace(selection={glance.PICK: {"key": ["d2"]}})) == ["d2"]
    assert glance.picked_keys(SimpleNamespace(selection={})) == []
    assert glance.picked_keys(None) == []


def test_corpus_text_is_data_never_markup_or_expression(tone_table):
    """Corpus text goes only into data values, sort lists and scale domains: nothing that Vega
    evaluates (expressions) or links (href), and the HTML tooltip is escaped by vega-tooltip
    (checked in the browser test of hostile input)."""
    table = tone_table.assign(author=[PAYLOAD, PAYLOAD, ""])
    specs = [glance.tone_bars(table, "doc_id", colour_col="author", labels={"d1": PAYLOAD}, colour_labels={PAYLOAD: PAYLOAD}),
             glance.phrase_bars(pd.DataFrame({"doc_id": ["d1"], "g": [PAYLOAD], "phrase": [PAYLOAD], "count": [1],
                                              "n_words": [10], "rate_per_10k": [1000.0]}), "doc_id", "g", {},
                                labels={"d1": PAYLOAD}),
             glance.topic_share_bars(pd.DataFrame({"doc_id": ["d1"], "topic": [0], "topic_name": [PAYLOAD],
                                                   "share": [1.0]}), ["d1"], labels={"d1": PAYLOAD})]
    for spec in specs:
        text = json.dumps(spec)
        assert "<script>" in text  # shown, as text
        for risky in ('"href"', '"expr"', '"labelExpr"', '"signal"', '"url"'):
            assert risky not in text, risky
