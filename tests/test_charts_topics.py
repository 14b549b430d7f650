"""The Topics page's chart builders, on small hand-made frames (no server, no model)."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.charts import topics as charts

NAMES = {0: "1 · brexit, vote", 1: "2 · nhs, <b>care</b>", 2: "3 · city, cambridge"}


def test_stability_curve_marks_automatic_and_chosen_k():
    scores = pd.DataFrame({"k": [2, 3, 4, 5], "stability": [0.7, 0.9, 0.6, 0.5],
                           "baseline": [0.6, 0.4, 0.3, 0.3], "adjusted": [0.25, 0.83, 0.43, 0.29]})
    d = charts.stability_curve(scores, auto_k=3, current_k=5).to_dict()
    by_name = {t["name"]: t for t in d["data"]}
    assert list(by_name["Stability"]["x"]) == [2, 3, 4, 5]
    assert list(by_name["Stability"]["y"]) == [0.7, 0.9, 0.6, 0.5]
    assert list(by_name["Above chance"]["y"]) == [0.25, 0.83, 0.43, 0.29]
    assert list(by_name["Automatic choice"]["x"]) == [3] and list(by_name["Automatic choice"]["y"]) == [0.9]
    assert list(by_name["Your choice"]["x"]) == [5] and list(by_name["Your choice"]["y"]) == [0.5]
    assert d["layout"]["xaxis"]["title"]["text"] == "Number of topics"


def test_stability_curve_without_adjusted_and_k_outside_the_range():
    scores = pd.DataFrame({"k": [2, 3], "stability": [0.8, 0.6], "adjusted": [float("nan")] * 2})
    d = charts.stability_curve(scores, auto_k=2, current_k=20, current_stability=0.45).to_dict()
    names = [t["name"] for t in d["data"]]
    assert "Above chance" not in names  # nothing to draw
    chosen = next(t for t in d["data"] if t["name"] == "Your choice")
    assert list(chosen["x"]) == [20] and list(chosen["y"]) == [0.45]
    # same k as automatic: no separate "your choice" marker
    d = charts.stability_curve(scores, auto_k=2, current_k=2).to_dict()
    assert "Your choice" not in [t["name"] for t in d["data"]]


def test_term_bars_show_topic_and_corpus_shares_escaped():
    terms = pd.DataFrame({"term": ["brexit", "<script>x", "vote"], "weight": [0.10, 0.05, 0.02],
                          "lift": [10.0, 5.0, 1.0], "relevance": [-1, -2, -3]})
    d = charts.term_bars(terms, colour="#123456").to_dict()
    overall, topic = d["data"]
    assert topic["name"] == "Share of this topic" and overall["name"] == "Share of all texts"
    assert list(topic["y"]) == ["brexit", "&lt;script&gt;x", "vote"]  # rank order, escaped
    assert list(topic["x"]) == pytest.approx([10.0, 5.0, 2.0])
    assert list(overall["x"]) == pytest.approx([1.0, 1.0, 2.0])  # p(w) = weight / lift
    assert topic["marker"]["color"] == "#123456"
    assert topic["hovertext"][0] == ("'brexit' makes up 10.0% of this topic and is 10.0 times as<br>common in it "
                                     "as in all the texts.")  # a plain sentence
    assert "'&lt;script&gt;x' makes up 5.0%" in topic["hovertext"][1]
    assert d["layout"]["yaxis"]["autorange"] == "reversed"
    assert "<script>" not in str(d)


def test_share_heatmap_one_row_per_document_and_clickable_cells():
    shares = pd.DataFrame([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7]], index=pd.Index(["d1", "d2"], name="doc_id"),
                          columns=[0, 1, 2])
    d = charts.share_heatmap(shares, ["First <i>doc</i>", "Second"], NAMES).to_dict()
    heat, cells = d["data"]
    assert heat["type"] == "heatmap"
    assert len(heat["z"]) == 2 and len(heat["z"][0]) == 3
    assert heat["z"][1] == pytest.approx([10.0, 20.0, 70.0])  # percentages
    assert cells["type"] == "scatter" and len(cells["x"]) == 6
    assert [list(c) for c in cells["customdata"]][:3] == [["d1", 0], ["d1", 1], ["d1", 2]]
    assert cells["marker"]["opacity"] == 0
    assert list(d["layout"]["yaxis"]["ticktext"]) == ["First &lt;i&gt;doc&lt;/i&gt;", "Second"]
    assert "2 · nhs, &lt;b&gt;care&lt;/b&gt;" in list(d["layout"]["xaxis"]["ticktext"])
    assert "<i>" not in str(d["layout"]) and "<b>care" not in str(d)


def test_share_heatmap_groups_show_document_counts():
    shares = pd.DataFrame([[0.3, 0.7]], index=["Labour"], columns=[0, 1])
    d = charts.share_heatmap(shares, ["Labour"], NAMES, row_counts=[4]).to_dict()
    assert "4 document(s)" in d["data"][1]["hovertext"][0]
    assert "70.0%" in d["data"][1]["hovertext"][1]


def test_share_heatmap_empty():
    shares = pd.DataFrame(columns=[0, 1], dtype=float)
    d = charts.share_heatmap(shares, [], NAMES).to_dict()
    assert d["data"][0]["z"] == [] and len(d["data"][1]["x"]) == 0


def test_topic_map_one_trace_per_topic_with_escaped_hover():
    pts = pd.DataFrame({"x": [0.1, 0.2, -0.3], "y": [0.0, 0.5, -0.1], "topic": [0, 2, 0],
                        "weight": [0.9, 0.6, 0.5], "unit": ["d1#p0", "d2#p3", "d1#p1"],
                        "doc": ["Doc <one>", "Doc two", "Doc <one>"],
                        "excerpt": ["It was <a href='x'>a</a> night", "b", "c"]})
    colours = {0: "#111111", 1: "#222222", 2: "#333333"}
    d = charts.topic_map(pts, NAMES, colours).to_dict()
    assert [t["name"] for t in d["data"]] == ["1 · brexit, vote", "3 · city, cambridge"]
    first = d["data"][0]
    assert list(first["x"]) == [0.1, -0.3]
    assert [list(c) for c in first["customdata"]] == [["d1#p0"], ["d1#p1"]]
    assert first["marker"]["color"] == "#111111"
    assert "Doc &lt;one&gt;" in first["hovertext"][0] and "&lt;a href=" in first["hovertext"][0]
    assert "<a href" not in str(d)


def test_topic_map_uses_webgl_for_many_points():
    n = charts.WEBGL_ABOVE + 1
    pts = pd.DataFrame({"x": [0.0] * n, "y": [0.0] * n, "topic": [0] * n, "weight": [1.0] * n,
                        "unit": [f"u{i}" for i in range(n)], "doc": ["d"] * n, "excerpt": ["e"] * n})
    d = charts.topic_map(pts, NAMES, {0: "#000000"}).to_dict()
    assert d["data"][0]["type"] == "scattergl"
    assert len(charts.topic_map(pts.head(0), NAMES, {}).to_dict()["data"]) == 0
