"""Charts of tone (sentiment): bars with intervals, the arc through a document,
and TextBlob against VADER sentence by sentence.

Pure functions ``DataFrame -> go.Figure`` (no Streamlit). Raw ids (doc_id,
group value, sentence number) go into ``customdata`` so that a click can be
traced back to the sentences behind it; every text Plotly shows (labels,
hover) is escaped with :func:`ui.safe.plot_text`, as it comes from the corpus.
Each figure names itself in ``layout.meta["chart"]``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.corpus.labels import short_labels
from ui.colors import NEGATIVE, NEUTRAL, POSITIVE, UNKNOWN_COLOUR
from ui.safe import plot_text

ROW_PX = 34
#: more colour values than this: no legend (it would crowd the chart; the labels name the documents).
MAX_LEGEND = 10
#: above this many points scatter plots use WebGL.
WEBGL_ABOVE = 3000
BASIS_TEXT = {
    "documents": "95% interval: bootstrap over its {n_docs} documents",
    "sentences": "95% interval: bootstrap over the {n_sentences} sentences of its single document",
    "none": "no interval (too few documents or sentences)",
}


def _num(v) -> float | None:
    """A float for Plotly, or None (shown as a gap) for NaN/None."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def sign_colour(value: float | None, neutral: float = 0.0) -> str:
    """Green for a positive score, red for a negative one, grey for 0 / unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NEUTRAL
    return POSITIVE if value > neutral else NEGATIVE if value < -neutral else NEUTRAL


def _symmetric_range(values: list[float | None], pad: float = 1.15, floor: float = 0.05) -> list[float]:
    m = max([abs(v) for v in values if v is not None] + [floor]) * pad
    return [-m, m]


def tone_bars(table: pd.DataFrame, key_col: str, value_col: str = "mean", lo_col: str | None = "lo",
              hi_col: str | None = "hi", colour_col: str | None = None, colours: dict[str, str] | None = None,
              labels: dict | None = None, colour_labels: dict | None = None, value_label: str = "polarity",
              diverging: bool = True, show_legend: bool = True, chart: str = "tone-bars") -> go.Figure:
    """Horizontal bars of a tone score per document or group, with 95% intervals.

    ``table``: one row per bar, top to bottom in table order, with ``key_col``
    (doc_id or group value), ``value_col`` (the score) and optionally
    ``lo_col``/``hi_col`` (interval bounds; NaN = none), ``n_docs``,
    ``n_sentences`` and ``interval_basis`` ("documents", "sentences", "none").
    ``colour_col``: the value that picks the bar's colour (e.g. the document's
    author; default ``key_col``) looked up in ``colours`` (from
    :func:`ui.colors.colour_map` over the whole corpus). ``labels``: display
    label per key; ``colour_labels``: legend label per colour value.
    ``diverging``: a symmetric x-axis around 0 (polarity); else from 0
    (subjectivity). ``show_legend``: a legend of the colour values (when they differ from the bars and
    there are at most :data:`MAX_LEGEND` of them).

    One trace per colour value (the legend shows each once). ``customdata``
    per bar: ``[key, n_docs, n_sentences, lo, hi, basis, colour value]``
    (-1 / None where unknown).
    """
    colours = colours or {}
    colour_col = colour_col or key_col
    t = table.reset_index(drop=True)
    legend = show_legend and colour_col != key_col and t[colour_col].astype(str).nunique() <= MAX_LEGEND
    keys = t[key_col].astype(str).tolist()
    fig = go.Figure()
    all_vals: list[float | None] = []
    rank = {c: i for i, c in enumerate(colours)}  # legend in the whole corpus's order, the same in every chart
    parts = sorted(t.groupby(t[colour_col].astype(str), sort=False), key=lambda kv: rank.get(str(kv[0]), len(rank)))
    for cval, sub in parts:
        cval = str(cval)
        x = [_num(v) for v in sub[value_col]]
        lo = [_num(v) for v in sub[lo_col]] if lo_col and lo_col in sub else [None] * len(sub)
        hi = [_num(v) for v in sub[hi_col]] if hi_col and hi_col in sub else [None] * len(sub)
        all_vals += x + lo + hi
        n_docs = sub["n_docs"].tolist() if "n_docs" in sub else [-1] * len(sub)
        n_sent = sub["n_sentences"].tolist() if "n_sentences" in sub else [-1] * len(sub)
        basis = sub["interval_basis"].tolist() if "interval_basis" in sub else [
            "none" if a is None else "sentences" for a in lo]
        custom, hover = [], []
        for k, v, a, b, nd, ns, bs in zip(sub[key_col].astype(str), x, lo, hi, n_docs, n_sent, basis):
            nd = -1 if _num(nd) is None else int(nd)
            ns = -1 if _num(ns) is None else int(ns)
            custom.append([k, nd, ns, a, b, str(bs), cval])
            label = plot_text((labels or {}).get(k, k), limit=70)
            score = "no words to score" if v is None else f"{value_label} <b>{v:+.3f}</b>"
            if a is not None and b is not None:
                why = BASIS_TEXT.get(str(bs), "").format(n_docs=nd, n_sentences=ns)
                interval = f"<br>{a:+.3f} to {b:+.3f} ({why})"
            else:
                interval = "<br>" + BASIS_TEXT["none"]
            counts = (f"<br>{nd} document(s)" if nd > 1 else "") + (f", {ns:,} sentences" if ns >= 0 else "")
            hover.append(f"{label}<br>{score}{interval}{counts}")
        err_plus = [None if (b is None or v is None) else max(b - v, 0.0) for v, b in zip(x, hi)]
        err_minus = [None if (a is None or v is None) else max(v - a, 0.0) for v, a in zip(x, lo)]
        name = plot_text((colour_labels or {}).get(cval, cval or "Unknown"), limit=40)
        fig.add_trace(go.Bar(
            x=x, y=sub[key_col].astype(str).tolist(), orientation="h", name=name, legendgroup=cval, showlegend=legend,
            marker_color=colours.get(cval, UNKNOWN_COLOUR), customdata=custom, hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            error_x=dict(type="data", symmetric=False, array=err_plus, arrayminus=err_minus,
                         color="#444444", thickness=1.5, width=4, visible=True),
        ))
    ticks = short_labels({k: (labels or {}).get(k, k) for k in keys}, 45)  # the full name is in the hover
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=keys[::-1], tickmode="array",
                     tickvals=keys, ticktext=[plot_text(ticks[k]) for k in keys],
                     automargin=True)
    if diverging:
        fig.update_xaxes(range=_symmetric_range(all_vals), zeroline=True, zerolinecolor="#555555",
                         zerolinewidth=1.5)
    else:
        top = max([v for v in all_vals if v is not None] + [0.05])
        fig.update_xaxes(range=[0, min(1.0, top * 1.1) if top <= 1 else top * 1.1])
    fig.update_xaxes(title_text=value_label, gridcolor="#e5e8eb")
    fig.update_layout(height=max(220, ROW_PX * len(keys) + (130 if legend else 90)),
                      margin=dict(l=10, r=10, t=50 if legend else 20, b=10),
                      barmode="overlay", plot_bgcolor="white", legend_title_text="",
                      legend=dict(orientation="h", x=0, xref="container", y=1, yref="container", yanchor="top"),
                      meta={"chart": chart}, clickmode="event+select", hoverlabel=dict(align="left"))
    return fig


def tone_arc(sentences: pd.DataFrame, value_col: str = "polarity", window: int = 5,
             colour: str = "#1f5f8b", value_label: str = "polarity", selected: int | None = None,
             chart: str = "tone-arc") -> go.Figure:
    """The tone of one document sentence by sentence, with a rolling mean.

    ``sentences``: one document's scored sentences in text order, with
    ``doc_id``, ``sent`` (sentence number in the corpus table), ``para``,
    ``text``, ``n_words`` and ``value_col``. x = position (1 = first
    sentence), y = the sentence's score; the line is the centred rolling mean
    over ``window`` sentences (fewer at the ends). Points are green/red/grey
    by sign. ``customdata`` per point: ``[doc_id, sent, para, position]``.
    ``selected``: a ``sent`` to ring.
    """
    s = sentences.reset_index(drop=True)
    pos = list(range(1, len(s) + 1))
    y = [_num(v) for v in s[value_col]]
    roll = pd.Series([np.nan if v is None else v for v in y], dtype=float).rolling(
        max(1, int(window)), center=True, min_periods=1).mean()
    custom = [[str(d), int(n), int(p), i] for d, n, p, i in zip(s["doc_id"], s["sent"], s["para"], pos)]
    hover = [f"Sentence {i}: {value_label} <b>{'n/a' if v is None else f'{v:+.3f}'}</b><br>"
             f"{plot_text(t, limit=180)}" for i, v, t in zip(pos, y, s["text"])]
    trace = go.Scattergl if len(s) > WEBGL_ABOVE else go.Scatter
    fig = go.Figure()
    fig.add_trace(trace(
        x=pos, y=y, mode="markers", name="sentence", customdata=custom, hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(size=7, color=[sign_colour(v) for v in y], line=dict(width=0.5, color="#555555")),
        unselected=dict(marker=dict(opacity=0.6)),
    ))
    fig.add_trace(go.Scatter(
        x=pos, y=[_num(v) for v in roll], mode="lines", name=f"rolling mean ({int(window)} sentences)",
        line=dict(color=colour, width=2.5), hoverinfo="skip",
    ))
    if selected is not None:
        idx = [i for i, n in enumerate(s["sent"]) if int(n) == int(selected)]
        if idx:
            i = idx[0]
            fig.add_trace(go.Scatter(
                x=[pos[i]], y=[y[i]], mode="markers", name="selected sentence", hoverinfo="skip",
                marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color="#000000", width=2))))
    fig.update_xaxes(title_text="sentence (start of the text → end)", gridcolor="#e5e8eb",
                     range=[0.5, max(len(s), 1) + 0.5])
    fig.update_yaxes(title_text=value_label, range=_symmetric_range(y, pad=1.1, floor=0.2), zeroline=True,
                     zerolinecolor="#555555", gridcolor="#e5e8eb")
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      meta={"chart": chart}, clickmode="event+select", hoverlabel=dict(align="left"))
    return fig


def method_scatter(sentences: pd.DataFrame, colour_col: str, colours: dict[str, str] | None = None,
                   colour_labels: dict | None = None, labels: dict | None = None,
                   chart: str = "method-scatter") -> go.Figure:
    """Every sentence's TextBlob polarity (x) against its VADER compound (y).

    ``sentences``: ``doc_id``, ``sent``, ``text``, ``polarity``, ``vader`` and
    ``colour_col`` (e.g. the document's author). Points in the upper-right and
    lower-left quarters are sentences on which the two methods agree in sign.
    One trace per colour value; ``customdata`` per point: ``[doc_id, sent]``.
    """
    colours = colours or {}
    fig = go.Figure()
    trace = go.Scattergl if len(sentences) > WEBGL_ABOVE else go.Scatter
    for cval, sub in sentences.groupby(sentences[colour_col].astype(str), sort=False):
        cval = str(cval)
        hover = [f"{plot_text((labels or {}).get(d, d), limit=60)}<br>TextBlob {p:+.3f} · VADER {v:+.3f}<br>"
                 f"{plot_text(t, limit=160)}"
                 for d, p, v, t in zip(sub["doc_id"].astype(str), sub["polarity"], sub["vader"], sub["text"])]
        fig.add_trace(trace(
            x=sub["polarity"].astype(float).tolist(), y=sub["vader"].astype(float).tolist(), mode="markers",
            name=plot_text((colour_labels or {}).get(cval, cval or "Unknown"), limit=40),
            customdata=[[str(d), int(n)] for d, n in zip(sub["doc_id"], sub["sent"])], hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(size=7, opacity=0.7, color=colours.get(cval, UNKNOWN_COLOUR),
                        line=dict(width=0.4, color="white")),
            unselected=dict(marker=dict(opacity=0.35)),
        ))
    fig.update_xaxes(title_text="TextBlob polarity", range=[-1.05, 1.05], zeroline=True,
                     zerolinecolor="#555555", gridcolor="#e5e8eb")
    fig.update_yaxes(title_text="VADER compound", range=[-1.05, 1.05], zeroline=True,
                     zerolinecolor="#555555", gridcolor="#e5e8eb")
    fig.update_layout(height=440, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend_title_text="", meta={"chart": chart}, clickmode="event+select",
                      hoverlabel=dict(align="left"))
    return fig
