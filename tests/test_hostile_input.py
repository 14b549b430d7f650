"""Hostile input at unit level (issue "hosted demo").

On the shared demo, document text, titles, authors and file names come from
strangers. These tests check, without a server, that:

- CSV downloads cannot carry spreadsheet formulas (``analysis.export.safe_csv``)
  while numbers stay numbers;
- the HTML and Plotly helpers escape what they are given (``ui.safe``), and the
  places that build HTML or chart labels from corpus text (the Reader's text,
  the Overview's summary, the chart builders) show a hostile payload as text;
- the production config (``.streamlit/config.toml``) has the settings the
  hosted demo relies on.

The browser-level counterpart is ``tests/browser/test_hosted_demo.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.export import FORMULA_STARTS, neutralise_cell, neutralise_formulas, safe_csv

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = ('<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) '
           '![x](http://example.invalid/x.png)')


def read_csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# --------------------------------------------------------------------------- CSV: no formulas

@pytest.mark.parametrize("cell", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"y\")",
                                  "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_formula_cells_are_neutralised(cell):
    df = pd.DataFrame({"text": [cell], "n": [1]})
    rows = read_csv_cells(safe_csv(df))
    assert rows[1][0] == "'" + cell
    assert rows[1][1] == "1"


def test_numbers_are_left_intact():
    df = pd.DataFrame({
        "int": [-5, 0, 7],
        "float": [-0.25, 1.5, np.nan],
        "nullable": pd.array([-3, None, 4], dtype="Int64"),
        "text": ["plain", "-", "a=b"],
    })
    rows = read_csv_cells(safe_csv(df))
    assert rows[0] == ["int", "float", "nullable", "text"]
    assert [r[0] for r in rows[1:]] == ["-5", "0", "7"]
    assert [r[1] for r in rows[1:]] == ["-0.25", "1.5", ""]
    assert [r[2] for r in rows[1:]] == ["-3", "", "4"]
    # A text cell that is only a dash is still text a spreadsheet could read as a formula start.
    assert [r[3] for r in rows[1:]] == ["plain", "'-", "a=b"]
    back = pd.read_csv(io.StringIO(safe_csv(df)))
    assert back["int"].tolist() == [-5, 0, 7]
    assert back["float"].iloc[0] == -0.25


def test_non_string_objects_and_column_names():
    df = pd.DataFrame({"=evil": ["ok"], "mixed": [-1]}).astype({"mixed": object})
    out = neutralise_formulas(df)
    assert list(out.columns) == ["'=evil", "mixed"]
    assert out["mixed"].iloc[0] == -1  # a number stored in an object column is not text
    assert neutralise_cell(None) is None and neutralise_cell(3.5) == 3.5
    assert df.columns[0] == "=evil", "the input frame must not be changed"


def test_string_dtype_columns_are_neutralised():
    df = pd.DataFrame({"t": pd.array(["=1", "x", None], dtype="string")})
    rows = read_csv_cells(safe_csv(df))
    assert rows[1][0] == "'=1" and rows[2][0] == "x"


def test_hostile_payload_survives_as_text():
    df = pd.DataFrame({"title": [PAYLOAD], "author": ["=" + PAYLOAD]})
    rows = read_csv_cells(safe_csv(df))
    assert rows[1] == [PAYLOAD, "'=" + PAYLOAD]


def spreadsheet_rows(text: str) -> list[list[str]]:
    """Rows as a spreadsheet reads a CSV: a bare CR or LF outside quotes ends a row."""
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("cell", ["note\r=1+1", "note\n=1+1", "note\r\n@SUM(A1)", "x\r-2+3"])
def test_line_breaks_cannot_start_a_formula_row(cell):
    """A line break inside a text cell must stay inside the (quoted) cell: otherwise what follows
    it starts a new row, and a new row's first cell may be a formula (``=1+1``)."""
    df = pd.DataFrame({"text": [cell], "n": [1]})
    rows = spreadsheet_rows(safe_csv(df))
    assert rows == [["text", "n"], [cell, "1"]], rows


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab =+-@\t\r\n,\"'1"), max_size=12), min_size=1, max_size=6),
       st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=6))
def test_no_cell_starts_a_formula(texts, numbers):
    n = min(len(texts), len(numbers))
    df = pd.DataFrame({"text": texts[:n], "number": numbers[:n]})
    rows = spreadsheet_rows(safe_csv(df))
    assert len(rows) == n + 1, "a line break in a cell split a row"
    for original, (cell, number) in zip(df["text"], rows[1:]):
        assert not cell.startswith(FORMULA_STARTS)
        assert cell == ("'" + original if original.startswith(FORMULA_STARTS) else original)
    assert [int(r[1]) for r in rows[1:]] == df["number"].tolist()


# --------------------------------------------------------------------------- HTML and Plotly escaping

class _Markup(HTMLParser):
    """What a browser would make of an HTML string: its elements, attributes and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def markup(html_string: str) -> _Markup:
    p = _Markup()
    p.feed(html_string)
    p.close()
    return p


def assert_inert(html_string: str, must_show: str | None = PAYLOAD) -> None:
    """No element or attribute came from the payload, and (if given) its text reads as written."""
    m = markup(html_string)
    assert "script" not in m.tags and "img" not in m.tags and "iframe" not in m.tags, m.tags
    assert not [k for k, _ in m.attrs if k.startswith("on")], m.attrs
    assert not [v for k, v in m.attrs if k in ("href", "src") and re.match(r"\s*(javascript:|http://example)", v)]
    if must_show is not None:
        assert must_show in "".join(m.text)


def test_html_text_escapes():
    from ui.safe import html_text

    out = html_text(PAYLOAD + ' "quoted" \'single\' & amp')
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert_inert(f"<p title=\"{html_text(PAYLOAD)}\">{out}</p>", PAYLOAD)
    assert html_text(None) == ""


def test_plot_text_escapes_and_shortens():
    from ui.safe import plot_text

    out = plot_text(PAYLOAD)
    assert "<" not in out and ">" not in out
    assert plot_text("a & b") == "a &amp; b"
    short = plot_text(PAYLOAD, limit=20)
    assert len(short) <= 20 + 3 * 4 and short.endswith("…")  # escaped entities may lengthen it a little
    assert plot_text(None) == ""


def test_reader_document_html_is_inert():
    from ui.reader_view import document_html

    text = f"Some towns were left behind. {PAYLOAD} They felt left behind again."
    first = len("Some towns were left behind.")
    sentences = pd.DataFrame({"start": [0, first + 1], "end": [first, len(text)], "sent": [0, 1],
                              "position": [1, 2], "polarity": [-0.2, 0.1]})
    hits = pd.DataFrame({"start": [16], "end": [27], "phrase": [PAYLOAD]})
    passages = pd.DataFrame({"start": [0], "end": [len(text)], "other_doc": ["d2"]})
    out = document_html(text, sentences, hits=hits, passages=passages, labels={"d2": PAYLOAD})
    assert_inert(out, None)
    shown = "".join(markup(out).text)
    assert PAYLOAD in shown and "Some towns were left behind." in shown


def test_overview_summary_html_is_inert():
    from ui.tone_sections import summary_html

    table = pd.DataFrame({
        "doc_id": ["a", "b"], "document": [PAYLOAD, PAYLOAD + " 2"], "author": [PAYLOAD, ""],
        "group": [PAYLOAD, ""], "words": [10, 12], "polarity": [0.2, -0.3], "subjectivity": [0.5, 0.4],
        "vader_mean": [0.1, -0.1], "polarity_mean": [0.2, -0.3], "“left behind”": [1, 0],
    })
    out = summary_html(table, "polarity", "textblob", ["left behind"], {PAYLOAD: "#000000"})
    assert_inert(out, PAYLOAD)


#: Trace/layout keys whose strings Plotly does not draw as text (raw ids for click-through, data).
NOT_DRAWN = {"customdata", "meta", "ids", "x", "y", "z", "tickvals", "legendgroup", "uid", "hovertemplate",
             "texttemplate", "colorscale", "color", "bgcolor", "bordercolor", "type", "mode", "xaxis", "yaxis"}


def fig_strings(fig) -> list[str]:
    """Every string Plotly may draw as (pseudo-HTML) text: labels, names, titles, hover texts,
    and the customdata fields a hover/text template pulls in."""
    out = []

    def walk(x, key=None):
        if key in NOT_DRAWN:
            return
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, (list, tuple)):
            for v in x:
                walk(v, key)

    spec = json.loads(fig.to_json())
    walk(spec.get("layout", {}))
    for trace in spec.get("data", []):
        walk(trace)
        templates = " ".join(str(trace.get(k, "")) for k in ("hovertemplate", "texttemplate"))
        out.append(re.sub(r"%\{[^}]*\}", "", templates))  # the template's own text
        used = {int(i) for i in re.findall(r"%\{customdata\[(\d+)\]", templates)}
        for row in trace.get("customdata") or []:
            row = row if isinstance(row, list) else [row]
            out += [str(row[i]) for i in used if i < len(row)]
    return out


def assert_fig_inert(fig) -> None:
    bad = [s for s in fig_strings(fig) if re.search(r"<\s*(script|img|a\s|iframe)", s, re.I)]
    assert not bad, bad[:5]


def test_phrase_charts_escape_labels():
    from ui.charts.phrases import dispersion, phrase_bars

    table = pd.DataFrame({"doc_id": ["d1", "d2"], "author": [PAYLOAD, ""], "phrase": [PAYLOAD, PAYLOAD],
                          "count": [2, 0], "n_words": [100, 50], "rate_per_10k": [200.0, 0.0]})
    fig = phrase_bars(table, "doc_id", "author", {PAYLOAD: "#000000"}, labels={"d1": PAYLOAD, "d2": PAYLOAD},
                      colour_labels={PAYLOAD: PAYLOAD})
    assert_fig_inert(fig)
    assert any("&lt;script&gt;" in s for s in fig_strings(fig)), "the label is not shown (escaped) at all"
    hits = pd.DataFrame({"doc_id": ["d1"], "phrase": [PAYLOAD], "start": [0], "end": [5], "rel_pos": [0.1],
                         "context": [PAYLOAD]})
    assert_fig_inert(dispersion(hits, ["d1", "d2"], labels={"d1": PAYLOAD}))


def test_tone_and_other_charts_escape_labels():
    charts = pytest.importorskip("ui.charts.tone")
    table = pd.DataFrame({"key": ["d1", "d2"], "mean": [0.2, -0.1], "lo": [0.1, -0.2], "hi": [0.3, 0.0],
                          "colour": [PAYLOAD, ""]})
    fig = charts.tone_bars(table, "key", colour_col="colour", colours={PAYLOAD: "#000000"},
                           labels={"d1": PAYLOAD, "d2": PAYLOAD}, colour_labels={PAYLOAD: PAYLOAD})
    assert_fig_inert(fig)
    from ui.charts.similarity import similarity_heatmap

    m = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["d1", "d2"], columns=["d1", "d2"])
    assert_fig_inert(similarity_heatmap(m, labels={"d1": PAYLOAD, "d2": PAYLOAD}))


def test_no_unsafe_html_switches_in_the_app():
    """Untrusted text reaches HTML only through helpers that escape it: nobody turns on
    ``unsafe_allow_html`` or embeds raw HTML components."""
    offenders = []
    files = [ROOT / "app.py"] + [f for d in ("pages", "ui") for f in sorted((ROOT / d).rglob("*.py"))]
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"unsafe_allow_html\s*=\s*True|components\.html\(|components\.v1", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# --------------------------------------------------------------------------- loaders keep the text as written

def test_loaders_keep_hostile_metadata_verbatim():
    """A payload in a text and its metadata.csv is kept exactly (shown as text later, never stripped
    into something else)."""
    from analysis.corpus.loaders import load_files

    meta = io.StringIO()
    csv.writer(meta).writerows([["file", "title", "author"], ["h.txt", PAYLOAD, PAYLOAD]])
    corpus = load_files([("h.txt", f"Left behind. {PAYLOAD}".encode()), ("metadata.csv", meta.getvalue().encode())])
    row = corpus.to_frame().iloc[0]
    assert row["title"] == PAYLOAD and row["author"] == PAYLOAD
    assert row["text"].endswith(PAYLOAD)


def test_bogus_url_parameters_are_ignored():
    from ui.state import View

    class Params(dict):
        def get_all(self, key):
            v = self.get(key)
            return v if isinstance(v, list) else [v]

    view = View.from_query(Params(k="abc", doc="nonexistent", year_from="x", year_to="1e999", method="evil",
                                  clean="maybe", phrases=["<script>alert(1)</script>", "x" * 500]))
    assert view.k is None and view.year_from is None and view.year_to is None
    assert view.method == "textblob"
    assert all(len(p) <= 80 for p in view.phrases)


# --------------------------------------------------------------------------- production config

@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_config_is_safe_for_a_hosted_demo(config):
    server, client = config.get("server", {}), config.get("client", {})
    assert server.get("headless") is True
    assert server.get("enableXsrfProtection") is True, "XSRF protection must be on (uploads are POSTs)"
    assert server.get("enableCORS") is True, "CORS protection must be on"
    assert client.get("showErrorDetails") == "none", "tracebacks must go to the server log only"
    # Tables' built-in CSV export writes formulas as they are; the app's own downloads neutralise them.
    assert client.get("disableDataExport") is True
    assert config.get("browser", {}).get("gatherUsageStats") is False
    # Magic would st.write() bare expressions, i.e. render strings as Markdown.
    assert config.get("runner", {}).get("magicEnabled") is False
    assert server.get("enableStaticServing", False) is False
    assert config.get("global", {}).get("developmentMode", False) is False


def test_upload_limit_matches_the_loader_limit(config):
    """Streamlit's per-file upload limit (MB) equals the loaders' default max_file_bytes, so a file
    the uploader accepts is not then refused for its size (and vice versa)."""
    from analysis.corpus.limits import MB, Limits

    size = config["server"]["maxUploadSize"]
    assert isinstance(size, int) and 1 <= size <= 200
    assert Limits.from_env({}).max_file_bytes == size * MB


def test_a_failing_page_shows_a_message_not_a_traceback(monkeypatch, caplog):
    """When a page raises, the visitor sees a plain message and the sidebar; the traceback goes to the
    server log (app.main), never to the page."""
    from streamlit.testing.v1 import AppTest

    from ui import overview_sections

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /srv/app/analysis")

    monkeypatch.setattr(overview_sections, "headline", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    with caplog.at_level("ERROR", logger="explorer"):
        at.run()
    assert not at.exception, "the exception reached Streamlit (it would show a traceback)"
    errors = [e.value for e in at.error]
    assert any("Something went wrong" in e for e in errors), errors
    shown = " ".join(errors + [m.value for m in at.markdown])
    assert "secret internal detail" not in shown and "Traceback" not in shown
    assert any("secret internal detail" in r.getMessage() or (r.exc_info and "secret" in str(r.exc_info[1]))
               for r in caplog.records), "the traceback is not logged"
