"""Issue 10, a non-programmer's first hour (AppTest): documents named for people on every chart,
plain readings beside the statistics, at most N+1 colours with 134 authors, honest time axes,
downloads named in words."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analysis.corpus.loaders import load_files
from tests.test_app_overview import charts, open_page, plotly_charts
from ui.colors import MAX_COLOURS, OTHERS_COLOUR
from ui.downloads import column_help, export_frame

PAGES = ["pages/overview.py", "pages/sentiment.py", "pages/terms.py", "pages/compare.py", "pages/reader.py"]
WORDS = ["masks", "hospitals", "nurses", "testing", "care homes", "schools", "furlough", "borders"]


def many_authors(n_authors: int = 134) -> object:
    """A corpus of speeches by ``n_authors`` MPs (1-3 each, so groups differ in size), no titles,
    dated 2010, 2011 and 2014 (no documents in 2012-2013)."""
    rows = []
    years = [2010, 2011, 2014]
    for i in range(n_authors):
        for j in range(1 + (i % 3 == 0) + (i % 7 == 0)):
            year = years[(i + j) % 3] if i != 5 else 2011
            rows.append({"doc_id": f"sp{i:03d}_{j}", "author": f"MP Number {i:03d}", "party": f"Party {i % 5}",
                         "date": f"{year}-0{1 + j}-1{j}",
                         "text": f"The {WORDS[i % 8]} were left behind again. We need a good plan for the "
                                 f"{WORDS[(i + 3) % 8]} now, and the minister must act. It is a sad and bitter day "
                                 f"for {WORDS[(i + j) % 8]}."})
    # 2011 rests on few documents: move all but two of them to 2010
    frame = pd.DataFrame(rows)
    in_2011 = frame.index[frame["date"].str.startswith("2011")]
    frame.loc[in_2011[2:], "date"] = frame.loc[in_2011[2:], "date"].str.replace("2011", "2010")
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return load_files([("speeches.csv", buf.getvalue().encode())])


@pytest.fixture(scope="module")
def corpus():
    return many_authors()


def _vega_colours(spec: dict) -> tuple[list, list]:
    enc = next((layer["encoding"] for layer in spec.get("layer", [spec.get("spec", spec)])
                if "color" in layer.get("encoding", {})), None)
    if enc is None:
        enc = next(layer["encoding"] for layer in spec["spec"]["layer"] if "color" in layer.get("encoding", {}))
    scale = enc["color"]["scale"]
    return scale["domain"], scale["range"]


def _plotly_colours(fig: dict) -> dict[str, str]:
    """legend name -> colour of every trace that has a single colour."""
    out = {}
    for tr in fig["data"]:
        colour = (tr.get("marker") or {}).get("color")
        if isinstance(colour, str):
            out.setdefault(tr.get("name", ""), set()).add(colour)
    return out


def test_134_authors_show_at_most_n_plus_1_colours_none_repeated(corpus):
    assert len({d.author for d in corpus.documents}) == 134
    at = open_page("pages/overview.py", corpus, timeout=600)
    for name in ("overview-tone-docs", "overview-tone-groups", "overview-phrases"):
        domain, colours = _vega_colours(charts(at)[name]["spec"])
        used = [c for c in colours]
        assert len(set(used)) <= MAX_COLOURS + 1, name
        assert len(set(used)) == len(used), f"{name}: a colour stands for two names"
        assert len(domain) == len(set(domain))
    groups = charts(at)["overview-tone-groups"]["rows"]
    assert len(groups) == MAX_COLOURS + 1 and groups["label"].iloc[-1].startswith("All others (126")
    at = open_page("pages/sentiment.py", corpus, timeout=600)
    for name, fig in plotly_charts(at).items():
        by_name = _plotly_colours(fig)
        flat = [c for cs in by_name.values() for c in cs]
        if name in ("sentiment-docs-tone", "sentiment-groups", "method-scatter"):
            assert len(set(flat)) <= MAX_COLOURS + 1, name
            owners = {}
            for n, cs in by_name.items():
                for c in cs:
                    owners.setdefault(c, set()).add(n)
            assert all(len(v) == 1 for v in owners.values()), f"{name}: {owners}"
    assert any(OTHERS_COLOUR in c for c in _plotly_colours(plotly_charts(at)["sentiment-groups"]).values())


def _axis_texts(at) -> list[str]:
    texts = []
    for fig in plotly_charts(at).values():
        for key, axis in fig["layout"].items():
            if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
                texts += [str(t) for t in axis.get("ticktext") or []]
        for tr in fig["data"]:  # what a hover shows
            texts += [str(t) for t in (tr.get("hovertext") or []) if isinstance(t, str)]
            if tr.get("type") == "heatmap" and tr.get("text"):
                texts += [str(t) for row in tr["text"] for t in row]
    for c in charts(at).values():
        rows = c["rows"]
        for col in ("label", "colour", "topic_name"):
            if rows is not None and col in rows:
                texts += rows[col].astype(str).tolist()
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_no_chart_axis_or_selector_shows_a_raw_id(page, corpus):
    at = open_page(page, corpus, timeout=600)
    ids = {d.doc_id for d in corpus.documents}
    shown = _axis_texts(at)
    assert not [t for t in shown if any(i in t for i in ids)], page
    for box in at.selectbox:  # AppTest gives the options as the visitor reads them
        assert not [o for o in box.options if any(i in str(o) for i in ids)], f"{page}: {box.label}"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_gives_plain_readings(page):
    at = open_page(page)
    readings = [h.proto.body for h in at.get("html") if "plain-reading" in h.proto.body]
    assert readings, page
    text = " ".join(readings)
    assert "G2" not in text and "bootstrap" not in text and "cosine" not in text


def test_terms_timeline_one_tick_per_year_gap_and_thin_points(corpus):
    at = open_page("pages/terms.py", corpus, timeout=600)
    fig = plotly_charts(at)["phrase-timeline"]
    line = fig["data"][0]
    assert line["x"] == [f"{y}-01-01" for y in range(2010, 2015)]
    assert line["y"][2] is None and line["y"][3] is None and line["connectgaps"] is False
    assert dict(zip(line["x"], line["marker"]["symbol"]))["2011-01-01"] == "circle-open"  # 2 documents only
    assert fig["layout"]["xaxis"]["dtick"] == "M12" and fig["layout"]["xaxis"]["tickformat"] == "%Y"
    readings = " ".join(h.proto.body for h in at.get("html") if "plain-reading" in h.proto.body)
    assert "1 of the 3 periods rest on fewer than 3 documents" in readings


def test_downloads_name_columns_in_words_and_keep_ids():
    table = pd.DataFrame({"doc_id": ["a"], "mean": [0.1], "lo": [0.0], "hi": [0.2], "interval_basis": ["sentences"],
                          "n_docs": [1], "colour": ["x"], "rate_per_10k": [3.0], "g2": [4.2], "p_value": [0.04]})
    out = export_frame(table, {"a": "Ann · speech"})
    assert list(out.columns) == ["document", "doc_id", "score", "low_95", "high_95", "interval_from", "documents",
                                 "per_10k_words", "log_likelihood", "p_chance"]
    assert out.loc[0, "document"] == "Ann · speech" and out.loc[0, "doc_id"] == "a"
    help_text = column_help(out.columns)
    assert all(f"**{c}**" in help_text for c in out.columns)


def test_download_buttons_say_what_each_column_is():
    at = open_page("pages/overview.py")
    helps = [b.proto.help for b in at.get("download_button")]
    assert helps and all("Columns:" in h for h in helps)


def test_a_top_rate_from_one_use_in_a_short_text_is_flagged_and_the_most_use_named():
    """Issue 10's plain readings: the document with the highest rate of 'left behind' is a short one
    that uses it once; the reading says so and names the long speech that uses it most often."""
    long_speech = " ".join(["The towns were left behind by the markets, and the people there know it."]
                           + ["We need schools, hospitals and jobs in every region of the country."] * 40
                           + ["Communities left behind need more than words; they need a plan that works."])
    frame = pd.DataFrame([
        {"doc_id": "short", "author": "Ann Short", "title": "A short reply", "text": "They are left behind. Act now."},
        {"doc_id": "long", "author": "Bob Long", "title": "A long speech", "text": long_speech},
        {"doc_id": "none", "author": "Cy None", "title": "Another speech", "text": "Nothing to see here today."},
    ])
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    corpus = load_files([("speeches.csv", buf.getvalue().encode())])
    for page in ("pages/terms.py", "pages/overview.py"):
        at = open_page(page, corpus)
        readings = " ".join(h.proto.body for h in at.get("html") if "plain-reading" in h.proto.body)
        assert "occurs 1 time in the 6 words of A short reply" in readings, page
        assert "That rate rests on 1 use in only 6 words, so it says little" in readings, page
        assert "The most uses of &#x27;left behind&#x27;: A long speech, 2 times in" in readings, page
        assert "uses a tracked phrase as often" not in readings
