"""The tone charts: pure functions, checked on fig.to_dict()."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from ui.charts.tone import method_scatter, sign_colour, tone_arc, tone_bars
from ui.colors import NEGATIVE, NEUTRAL, POSITIVE, UNKNOWN_COLOUR, colour_map


def values(v):
    """A trace array as a list (Plotly may store numpy arrays as base64 typed arrays)."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return arr.tolist()
    return list(v)


def bars_of(fig_dict) -> dict[str, dict]:
    """key -> {x, plus, minus, colour, custom, trace name} for every bar of a tone_bars figure."""
    out = {}
    for tr in fig_dict["data"]:
        plus, minus = values(tr["error_x"]["array"]), values(tr["error_x"]["arrayminus"])
        for i, (x, y, cd) in enumerate(zip(values(tr["x"]), values(tr["y"]), tr["customdata"])):
            out[y] = dict(x=x, plus=plus[i], minus=minus[i], colour=tr["marker"]["color"], custom=cd,
                          name=tr["name"], hover=tr["hovertext"][i])
    return out


@pytest.fixture
def per_doc():
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d4"],
        "author": ["Ann", "Bob", "Ann", ""],
        "n_docs": [1, 1, 1, 1], "n_sentences": [20, 5, 12, 1],
        "mean": [0.10, -0.20, 0.05, float("nan")],
        "lo": [0.02, -0.35, -0.01, float("nan")],
        "hi": [0.15, -0.05, 0.12, float("nan")],
        "interval_basis": ["sentences", "sentences", "sentences", "none"],
    })


def test_tone_bars_values_intervals_and_customdata(per_doc):
    colours = colour_map(["Ann", "Bob", ""])
    d = tone_bars(per_doc, "doc_id", colour_col="author", colours=colours,
                  labels={"d1": "First", "d2": "Second"}, chart="t").to_dict()
    assert d["layout"]["meta"] == {"chart": "t"}
    bars = bars_of(d)
    assert set(bars) == {"d1", "d2", "d3", "d4"}  # one bar per document
    assert bars["d1"]["x"] == pytest.approx(0.10)
    assert bars["d1"]["plus"] == pytest.approx(0.05) and bars["d1"]["minus"] == pytest.approx(0.08)
    assert bars["d2"]["x"] == pytest.approx(-0.20)
    assert bars["d2"]["plus"] == pytest.approx(0.15) and bars["d2"]["minus"] == pytest.approx(0.15)
    assert bars["d4"]["x"] is None and bars["d4"]["plus"] is None  # no words: a gap, not a zero
    assert bars["d1"]["custom"][:6] == ["d1", 1, 20, 0.02, 0.15, "sentences"]
    assert "sentences of its single document" in bars["d1"]["hover"]
    assert "no words to score" in bars["d4"]["hover"]
    # rows keep the table's order from top to bottom; labels replace ids
    assert d["layout"]["yaxis"]["categoryarray"] == ["d4", "d3", "d2", "d1"]
    assert d["layout"]["yaxis"]["ticktext"][:2] == ["First", "Second"]
    # polarity axis is symmetric around 0 and covers every interval
    lo, hi = d["layout"]["xaxis"]["range"]
    assert lo == pytest.approx(-hi) and hi >= 0.35


def test_tone_bars_same_author_same_colour(per_doc):
    colours = colour_map(["Bob", "Ann", ""])  # whole-corpus order decides the colours
    bars = bars_of(tone_bars(per_doc, "doc_id", colour_col="author", colours=colours).to_dict())
    assert bars["d1"]["colour"] == bars["d3"]["colour"] == colours["Ann"]
    assert bars["d2"]["colour"] == colours["Bob"] != colours["Ann"]
    assert bars["d4"]["colour"] == UNKNOWN_COLOUR
    # one trace (legend entry) per author, in the whole corpus's order whatever the bar order
    d = tone_bars(per_doc, "doc_id", colour_col="author", colours=colours).to_dict()
    assert [tr["name"] for tr in d["data"]] == ["Bob", "Ann", "Unknown"]
    # the same author keeps the colour in a second chart built from a filtered table
    again = bars_of(tone_bars(per_doc[per_doc["author"] == "Ann"], "doc_id", colour_col="author",
                              colours=colours).to_dict())
    assert again["d3"]["colour"] == colours["Ann"]


def test_tone_bars_groups_with_document_intervals():
    groups = pd.DataFrame({"group": ["Labour", "Green"], "n_docs": [4, 1], "n_sentences": [80, 30],
                           "mean": [0.2, 0.1], "lo": [0.1, 0.0], "hi": [0.3, 0.25],
                           "interval_basis": ["documents", "sentences"]})
    d = tone_bars(groups, "group", colours={"Labour": "#ff0000", "Green": "#00ff00"},
                  value_label="subjectivity", diverging=False).to_dict()
    bars = bars_of(d)
    assert bars["Labour"]["colour"] == "#ff0000"
    assert "bootstrap over its 4 documents" in bars["Labour"]["hover"]
    assert "sentences of its single document" in bars["Green"]["hover"]
    assert not any(tr.get("showlegend", True) for tr in d["data"])  # the axis already names the groups
    assert d["layout"]["xaxis"]["range"][0] == 0  # subjectivity starts at 0


def test_tone_bars_escape_labels():
    t = pd.DataFrame({"doc_id": ["x"], "mean": [0.1], "lo": [0.0], "hi": [0.2], "author": ["<b>Eve</b>"]})
    d = tone_bars(t, "doc_id", colour_col="author", labels={"x": "<script>alert(1)</script>"}).to_dict()
    assert d["layout"]["yaxis"]["ticktext"] == ["&lt;script&gt;alert(1)&lt;/script&gt;"]
    assert d["data"][0]["name"] == "&lt;b&gt;Eve&lt;/b&gt;"
    assert "<script>" not in d["data"][0]["hovertext"][0]


def test_tone_arc_rolling_mean_and_customdata():
    s = pd.DataFrame({"doc_id": ["d"] * 5, "sent": [10, 11, 12, 13, 14], "para": [0, 0, 1, 1, 1],
                      "text": ["a", "b", "c", "d", "<i>e</i>"], "n_words": [3] * 5,
                      "polarity": [0.5, -0.5, 0.0, 0.3, 0.3]})
    d = tone_arc(s, "polarity", window=3, colour="#123456", selected=12).to_dict()
    assert d["layout"]["meta"] == {"chart": "tone-arc"}
    pts, line = d["data"][0], d["data"][1]
    assert values(pts["x"]) == [1, 2, 3, 4, 5]
    assert values(pts["y"]) == pytest.approx([0.5, -0.5, 0.0, 0.3, 0.3])
    assert pts["customdata"][2] == ["d", 12, 1, 3]
    assert pts["marker"]["color"] == [POSITIVE, NEGATIVE, NEUTRAL, POSITIVE, POSITIVE]
    assert values(line["y"]) == pytest.approx([0.0, 0.0, -0.2 / 3, 0.2, 0.3])
    assert line["line"]["color"] == "#123456"
    assert "&lt;i&gt;e&lt;/i&gt;" in pts["hovertext"][4]
    ring = d["data"][2]
    assert values(ring["x"]) == [3]


def test_method_scatter_points_and_colours():
    s = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent": [0, 1, 0], "text": ["x", "y", "z"],
                      "polarity": [0.2, -0.1, 0.0], "vader": [0.5, -0.3, 0.1], "author": ["Ann", "Ann", "Bob"]})
    colours = colour_map(["Ann", "Bob"])
    d = method_scatter(s, "author", colours).to_dict()
    by_name = {tr["name"]: tr for tr in d["data"]}
    assert values(by_name["Ann"]["x"]) == pytest.approx([0.2, -0.1])
    assert values(by_name["Ann"]["y"]) == pytest.approx([0.5, -0.3])
    assert by_name["Ann"]["marker"]["color"] == colours["Ann"]
    assert by_name["Bob"]["customdata"] == [["b", 0]]
    assert d["layout"]["xaxis"]["range"] == [-1.05, 1.05]


def test_sign_colour():
    assert sign_colour(0.1) == POSITIVE and sign_colour(-0.1) == NEGATIVE
    assert sign_colour(0.0) == NEUTRAL and sign_colour(None) == NEUTRAL and sign_colour(float("nan")) == NEUTRAL
