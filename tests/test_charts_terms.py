"""The term, phrase, keyness and similarity charts: pure functions, checked on fig.to_dict()."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from ui.charts.keyness import keyness_bars, top_terms_bars
from ui.charts.phrases import dispersion, phrase_bars, phrase_timeline
from ui.charts.similarity import similarity_heatmap
from ui.colors import colour_map


def values(v):
    """A trace array as a list (Plotly stores numpy arrays as base64 typed arrays)."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = [int(s) for s in str(v.get("shape", len(arr))).split(",")]
        return arr.reshape(shape).tolist()
    return list(v)


@pytest.fixture
def per_doc():
    rows = []
    for doc, author, words, counts in (("d1", "Ann", 1000, (2, 0)), ("d2", "Bob", 500, (1, 3)),
                                       ("d3", "Ann", 2000, (0, 1))):
        for phrase, c in zip(("left behind", "single market"), counts):
            rows.append({"doc_id": doc, "author": author, "phrase": phrase, "count": c, "n_words": words,
                         "rate_per_10k": c / words * 10_000})
    return pd.DataFrame(rows)


def test_phrase_bars_rates_counts_and_customdata(per_doc):
    colours = colour_map(["Ann", "Bob"])
    fig = phrase_bars(per_doc, "doc_id", "author", colours, labels={"d1": "First", "d2": "Second", "d3": "Third"})
    d = fig.to_dict()
    assert d["layout"]["meta"] == {"chart": "phrase-bars"}
    bars = {}
    for tr in d["data"]:
        for x, y, cd in zip(tr["x"], tr["y"], tr["customdata"]):
            bars[(cd[1], y)] = (x, cd)
    assert bars[("single market", "d2")][0] == pytest.approx(60.0)
    assert bars[("single market", "d2")][1][:4] == ["d2", "single market", 3, 500]
    assert bars[("left behind", "d1")][1][2] == 2
    assert bars[("left behind", "d3")][1][2] == 0
    assert len(bars) == 6  # every document x phrase, zeros included
    # y labels are the human labels, in table order top to bottom
    assert d["layout"]["yaxis"]["ticktext"] == ["First", "Second", "Third"]
    assert d["layout"]["yaxis"]["categoryarray"] == ["d3", "d2", "d1"]


def test_phrase_bars_same_author_same_colour_in_every_panel(per_doc):
    colours = colour_map(["Bob", "Ann"])  # whole-corpus order decides the colours
    d = phrase_bars(per_doc, "doc_id", "author", colours).to_dict()
    by_author: dict[str, set] = {}
    for tr in d["data"]:
        by_author.setdefault(tr["customdata"][0][6], set()).add(tr["marker"]["color"])
    assert by_author == {"Ann": {colours["Ann"]}, "Bob": {colours["Bob"]}}
    assert colours["Ann"] != colours["Bob"]
    # one legend entry per author, not per panel
    assert sorted(tr["name"] for tr in d["data"] if tr.get("showlegend")) == ["Ann", "Bob"]
    # two panels, one per phrase, titled with the phrases
    titles = [a["text"] for a in d["layout"]["annotations"]]
    assert titles == ["left behind", "single market"]


def test_phrase_bars_groups_and_escaping():
    table = pd.DataFrame({"party": ["<b>Lab</b>", ""], "phrase": ["x", "x"], "count": [4, 0],
                          "n_words": [100, 50], "rate_per_10k": [400.0, 0.0], "n_docs": [3, 1], "doc_freq": [2, 0]})
    colours = colour_map(table["party"])
    fig = phrase_bars(table, "party", "party", colours, labels={"": "Unknown party"},
                      colour_labels={"": "Unknown party"}, chart="phrase-groups")
    d = fig.to_dict()
    assert d["layout"]["meta"]["chart"] == "phrase-groups"
    names = [tr["name"] for tr in d["data"]]
    assert "&lt;b&gt;Lab&lt;/b&gt;" in names and "Unknown party" in names
    assert "<b>Lab</b>" not in str(d["layout"]["yaxis"]["ticktext"])
    lab = next(tr for tr in d["data"] if tr["customdata"][0][0] == "<b>Lab</b>")  # raw value kept for clicks
    assert lab["customdata"][0][4:6] == [2, 3]
    unknown = next(tr for tr in d["data"] if tr["customdata"][0][0] == "")
    assert unknown["marker"]["color"] == colours[""]


def test_phrase_timeline_lines_per_phrase():
    tl = pd.DataFrame({"period": ["2017", "2016", "2016", "2017"], "phrase": ["a", "a", "b", "b"],
                       "count": [1, 2, 0, 5], "n_words": [1000, 1000, 1000, 1000],
                       "rate_per_10k": [10.0, 20.0, 0.0, 50.0], "n_docs": [4, 4, 4, 4], "doc_freq": [1, 1, 0, 1]})
    colours = {"a": "#111111", "b": "#222222"}
    d = phrase_timeline(tl, colours).to_dict()
    assert [tr["name"] for tr in d["data"][:2]] == ["a", "b"]
    a = d["data"][0]
    assert a["x"] == ["2016-01-01", "2017-01-01"] and a["y"] == [20.0, 10.0]  # real dates
    assert a["customdata"][0][:3] == ["2016", "a", 2]
    assert a["line"]["color"] == "#111111"
    assert d["layout"]["meta"]["chart"] == "phrase-timeline"


def test_phrase_timeline_one_tick_per_year_gaps_and_thin_points():
    """A real date axis: each year once; a year with no documents is a gap (not bridged); a point
    resting on fewer than 3 documents is hollow and said so; documents per year shown below."""
    tl = pd.DataFrame({"period": ["2010", "2011", "2014"], "phrase": ["p"] * 3, "count": [3, 1, 4],
                       "n_words": [3000, 1000, 5000], "rate_per_10k": [10.0, 10.0, 8.0], "n_docs": [5, 2, 6],
                       "doc_freq": [3, 1, 4]})
    d = phrase_timeline(tl).to_dict()
    line = d["data"][0]
    assert line["x"] == [f"{y}-01-01" for y in range(2010, 2015)]
    assert line["y"] == [10.0, 10.0, None, None, 8.0] and line["connectgaps"] is False
    symbols = dict(zip(line["x"], line["marker"]["symbol"]))
    assert symbols["2011-01-01"] == "circle-open" and symbols["2010-01-01"] == "circle"
    assert "fewer than 3 documents" in line["hovertext"][1] and line["hovertext"][2] == "2012: no documents"
    assert any(tr["name"] == "fewer than 3 documents" for tr in d["data"])
    bars = next(tr for tr in d["data"] if tr["type"] == "bar")
    assert bars["y"] == [5, 2, 0, 0, 6]
    x = d["layout"]["xaxis"]
    assert x["type"] == "date" and x["dtick"] == "M12" and x["tickformat"] == "%Y"


def test_phrase_timeline_months_on_a_date_axis():
    tl = pd.DataFrame({"period": ["2020-03", "2020-01"], "phrase": ["a", "a"], "count": [1, 0],
                       "n_words": [100, 100], "rate_per_10k": [100.0, 0.0], "n_docs": [1, 1], "doc_freq": [1, 0]})
    d = phrase_timeline(tl).to_dict()
    assert d["data"][0]["x"] == ["2020-01-01", "2020-02-01", "2020-03-01"]
    assert d["data"][0]["y"] == [0.0, None, 100.0]
    assert d["layout"]["xaxis"]["dtick"] == "M1" and d["layout"]["xaxis"]["tickformat"] == "%b %Y"


def test_dispersion_one_row_per_document_and_tick_per_hit():
    hits = pd.DataFrame({"doc_id": ["d1", "d1", "d3"], "phrase": ["p", "q", "p"], "start": [10, 500, 40],
                         "end": [15, 505, 45], "rel_pos": [0.01, 0.5, 0.9],
                         "context": ["a [p] b", "c [q] d", "<i>x</i> [p]"]})
    d = dispersion(hits, ["d1", "d2", "d3"], labels={"d1": "One", "d2": "Two", "d3": "Three"}).to_dict()
    p = next(tr for tr in d["data"] if tr["name"] == "p")
    assert p["x"] == [0.01, 0.9] and p["y"] == ["d1", "d3"]
    assert p["customdata"] == [["d1", "p", 10, 15], ["d3", "p", 40, 45]]
    assert "&lt;i&gt;" in p["hovertext"][1] and "<i>" not in p["hovertext"][1]
    # a document without hits keeps its row
    assert d["layout"]["yaxis"]["categoryarray"] == ["d3", "d2", "d1"]
    assert d["layout"]["yaxis"]["ticktext"] == ["One", "Two", "Three"]
    assert d["layout"]["xaxis"]["range"] == [-0.01, 1.01]


def test_top_terms_bars():
    top = pd.DataFrame({"rank": [1, 2], "term": ["market", "single market"], "ngram": [1, 2], "count": [9, 4],
                        "rate_per_10k": [9.0, 4.0], "doc_freq": [3, 1], "n_docs": [3, 3], "doc_share": [1.0, 1 / 3]})
    d = top_terms_bars(top).to_dict()
    tr = d["data"][0]
    assert tr["x"] == [9.0, 4.0] and tr["y"] == ["market", "single market"]
    assert tr["customdata"][1] == ["single market", 4, 4.0, 1, 3]
    d2 = top_terms_bars(top, value="doc_freq").to_dict()
    assert d2["data"][0]["x"] == [3.0, 1.0]


@pytest.fixture
def key_table():
    return pd.DataFrame({
        "term": ["brexit", "market", "jobs", "nhs", "the"], "ngram": [1] * 5,
        "count_target": [10, 6, 3, 0, 50], "count_reference": [1, 2, 3, 9, 50],
        "rate_target": [10.0, 6.0, 3.0, 0.0, 50.0], "rate_reference": [1.0, 2.0, 3.0, 9.0, 50.0],
        "g2": [12.0, 3.0, 0.0, -11.0, 0.0], "p_value": [0.0005, 0.08, 1.0, 0.0009, 1.0],
        "log_ratio": [3.3, 1.6, 0.0, -4.2, 0.0], "logodds_z": [2.5, 1.1, 0.0, -2.4, 0.0]})


def test_keyness_bars_diverge(key_table):
    fig = keyness_bars(key_table, "g2", n=5, target_label="Ann", reference_label="Bob",
                       target_colour="#0000ff", reference_colour="#ff0000")
    d = fig.to_dict()
    pos, neg = d["data"]
    assert pos["y"] == ["brexit", "market"] and pos["x"] == [12.0, 3.0]
    assert neg["y"] == ["nhs"] and neg["x"] == [-11.0]
    assert pos["marker"]["color"] == "#0000ff" and neg["marker"]["color"] == "#ff0000"
    assert pos["customdata"][0][:3] == ["brexit", 10, 1]
    assert neg["customdata"][0][6] == pytest.approx(-4.2)  # log ratio rides along for the hover
    assert "Ann" in pos["name"] and "Bob" in neg["name"]
    # most positive at the top, most negative at the bottom
    assert d["layout"]["yaxis"]["categoryarray"] == ["nhs", "market", "brexit"]
    d1 = keyness_bars(key_table, "log_ratio", n=1).to_dict()
    assert d1["data"][0]["y"] == ["brexit"] and d1["data"][1]["y"] == ["nhs"]
    with pytest.raises(ValueError):
        keyness_bars(key_table, "nonsense")


def test_similarity_heatmap_and_click_layer():
    ids = ["a", "b", "c"]
    m = pd.DataFrame([[1.0, 0.6, 0.1], [0.6, 1.0, 0.0], [0.1, 0.0, 1.0]], index=ids, columns=ids)
    d = similarity_heatmap(m, labels={"a": "Doc A", "b": "Doc <B>", "c": "Doc C"}).to_dict()
    heat, layer = d["data"]
    z = values(heat["z"])
    assert np.isnan(z[0][0]) and z[0][1] == pytest.approx(0.6) and z[2][1] == pytest.approx(0.0)
    assert heat["zmin"] == 0.0 and heat["zmax"] == pytest.approx(0.6)
    assert len(layer["customdata"]) == 9  # every cell is clickable (the nearest marker answers)
    assert ["a", "b", 0.6] in layer["customdata"] and ["b", "a", 0.6] in layer["customdata"]
    assert d["layout"]["hoverdistance"] == -1
    assert "Doc &lt;B&gt;" in d["layout"]["xaxis"]["ticktext"]
    assert d["layout"]["meta"]["chart"] == "similarity"
    # big corpora: no click layer, still a heatmap
    d2 = similarity_heatmap(m, clickable_max=2).to_dict()
    assert [tr["type"] for tr in d2["data"]] == ["heatmap"]
    # group averages keep their diagonal
    d3 = similarity_heatmap(m, {"a": "<A>"}, blank_diagonal=False, clickable_max=0).to_dict()
    assert values(d3["data"][0]["z"])[0][0] == pytest.approx(1.0)
    assert d3["data"][0]["text"][0][1] == "&lt;A&gt; ↔ b"  # hover names the pair, escaped


