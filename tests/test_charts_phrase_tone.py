"""The tone-near-a-phrase chart (ui/charts/phrase_tone.py): a pure function, checked on its spec."""

from __future__ import annotations

import math

import pandas as pd

from ui.charts.glance import PICK
from ui.charts.phrase_tone import TOO_FEW, TOO_FEW_COLOUR, tone_near_dots
from ui.colors import NEGATIVE, POSITIVE


def table():
    return pd.DataFrame({
        "group": ["Daniel Zeichner", "", "Jacqui Smith"],
        "n": [2, 1, 12],
        "mean": [-0.12, 0.3, 0.2],
        "lo": [-0.2, math.nan, 0.1],
        "hi": [-0.05, math.nan, 0.3],
        "overall": [0.10, 0.3, 0.05],
        "reading": ["Daniel Zeichner's sentences ...", "x", "y"],
    })


def test_rows_keep_order_values_and_sides():
    spec = tone_near_dots(table(), {"": "Unknown author"}, chart="t-phrase-tone")
    rows = spec["data"]["values"]
    assert spec["usermeta"]["chart"] == "t-phrase-tone"
    assert [r["key"] for r in rows] == ["Daniel Zeichner", "", "Jacqui Smith"]
    assert [r["label"] for r in rows] == ["Daniel Zeichner", "Unknown author", "Jacqui Smith"]
    # 2 and 1 occurrences: too few to call a direction (a hollow dot); 12: above the text as a whole
    assert [r["side"] for r in rows] == [TOO_FEW, TOO_FEW, "more positive"]
    assert rows[0]["value"] == -0.12 and rows[0]["overall"] == 0.10 and rows[0]["n"] == 2
    assert rows[1]["lo"] is None and rows[1]["interval"].startswith("none")
    assert rows[0]["counts"] == "2 occurrences" and rows[1]["counts"] == "1 occurrence"


def test_the_direction_is_coloured_only_from_five_occurrences_on():
    sure = table().assign(n=[5, 9, 12])
    rows = tone_near_dots(sure)["data"]["values"]
    assert [r["side"] for r in rows] == ["more negative", "about the same", "more positive"]
    rows = tone_near_dots(sure.assign(n=[4, 9, 12]))["data"]["values"]
    assert rows[0]["side"] == TOO_FEW
    scale = tone_near_dots(sure)["layer"][-1]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))[TOO_FEW] == TOO_FEW_COLOUR


def test_layers_axis_and_selection():
    spec = tone_near_dots(table())
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rule", "rule", "rule", "point", "circle"]
    dots = spec["layer"][-1]
    assert dots["params"][0]["name"] == PICK
    scale = dots["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))["more negative"] == NEGATIVE
    assert dict(zip(scale["domain"], scale["range"]))["more positive"] == POSITIVE
    lo, hi = dots["encoding"]["x"]["scale"]["domain"]
    assert lo == -hi and hi >= 0.3  # symmetric around 0, wide enough for every value
    assert spec["layer"][0]["encoding"]["x"]["datum"] == 0
    assert spec["height"] == 3 * 34 + 170  # rows + legend + axis


def test_the_dot_and_its_reading_name_the_same_direction():
    """The chart's colour and the plain reading beside it come from one rule
    (analysis.methods.phrase_tone.direction): the same two-decimal rounding, the same words."""
    from analysis.methods.phrase_tone import direction, reading

    t = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [6, 7, 8, 9],
                      "mean": [0.104, -0.2, 0.31, 0.0], "overall": [0.096, 0.1, 0.1, math.nan],
                      "lo": [0.0, -0.3, 0.2, math.nan], "hi": [0.2, -0.1, 0.4, math.nan],
                      "phrase": "left behind", "context": "sentence"})
    rows = tone_near_dots(t)["data"]["values"]
    assert [r["side"] for r in rows] == ["about the same", "more negative", "more positive", "about the same"]
    words = {"about the same": "about as positive as", "more negative": "more negative than",
             "more positive": "more positive than"}
    for i, r in enumerate(rows[:3]):
        assert words[r["side"]] in reading(t.iloc[i], by="author")
    assert "no tone to compare" in reading(t.iloc[3], by="author")
    assert direction(0.104, 0.096) == "about the same" and direction(0.106, 0.094) == "more positive"
    assert direction(None, 0.1) is None and direction(0.1, math.nan) is None
