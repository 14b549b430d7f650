"""Charts of the Topics page: pure ``DataFrame -> go.Figure`` builders.

Every piece of text that comes from the corpus (terms, document titles,
authors, excerpts) goes through :func:`ui.safe.plot_text`, because Plotly
renders a few HTML tags in labels and hover text. Nothing here imports
Streamlit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.methods.topic_readings import describe_term
from ui.colors import NEUTRAL
from ui.safe import plot_text

FONT = dict(size=13)
SHARE_SCALE = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
AUTO_COLOUR = "#1f5f8b"
CHOSEN_COLOUR = "#D55E00"
ADJUSTED_COLOUR = "#009E73"
#: above this many points the map uses WebGL (Scattergl) to stay fast.
WEBGL_ABOVE = 3000


def _wrap(text, width: int = 70, limit: int = 200) -> str:
    """Escaped text broken into lines of about ``width`` characters for hover boxes."""
    words, lines, line = str(text)[:limit].split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return "<br>".join(plot_text(x) for x in lines)


def _base(fig: go.Figure, height: int, name: str) -> go.Figure:
    """Shared layout; ``meta.chart`` names the figure (tests find charts by it)."""
    fig.update_layout(meta={"chart": name}, height=height, margin=dict(l=10, r=10, t=30, b=10), font=FONT,
                      plot_bgcolor="white", hoverlabel=dict(align="left"))
    return fig


# --------------------------------------------------------------------- stability curve

def stability_curve(k_scores: pd.DataFrame, auto_k: int, current_k: int | None = None,
                    current_stability: float | None = None, considered_from: int | None = None) -> go.Figure:
    """Stability of each number of topics tried, with the automatic choice marked.

    ``k_scores``: columns ``k`` and ``stability`` (0..1), optionally
    ``adjusted`` (stability above the chance baseline; drawn when any value is
    known). ``auto_k``: the automatically chosen k. ``current_k``: the k in
    use when the user overrode it (``current_stability`` its stability, used
    when that k is not in ``k_scores``). ``considered_from``: the smallest k
    the automatic choice could pick; smaller k are shaded ("too broad").
    """
    ks = k_scores.sort_values("k")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=ks["k"].tolist(), y=ks["stability"].tolist(), mode="lines+markers", name="Stability",
        line=dict(color=AUTO_COLOUR, width=2), marker=dict(size=8),
        hovertemplate="%{x} topics: stability %{y:.2f}<extra></extra>"))
    if "adjusted" in ks and ks["adjusted"].notna().any():
        fig.add_trace(go.Scatter(
            x=ks["k"].tolist(), y=ks["adjusted"].tolist(), mode="lines+markers", name="Above chance",
            line=dict(color=ADJUSTED_COLOUR, width=2, dash="dash"), marker=dict(size=7, symbol="diamond"),
            hovertemplate="%{x} topics: %{y:.2f} above chance<extra></extra>"))
    auto_row = ks[ks["k"] == auto_k]
    if not auto_row.empty:
        fig.add_trace(go.Scatter(
            x=[auto_k], y=[float(auto_row["stability"].iloc[0])], mode="markers", name="Automatic choice",
            marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color=AUTO_COLOUR, width=3)),
            hovertemplate="Automatic choice: %{x} topics<extra></extra>"))
    if current_k is not None and current_k != auto_k:
        row = ks[ks["k"] == current_k]
        y = float(row["stability"].iloc[0]) if not row.empty else current_stability
        if y is not None and math.isfinite(y):
            fig.add_trace(go.Scatter(
                x=[current_k], y=[y], mode="markers", name="Your choice",
                marker=dict(size=14, color=CHOSEN_COLOUR, symbol="star"),
                hovertemplate="Your choice: %{x} topics, stability %{y:.2f}<extra></extra>"))
    if considered_from is not None and len(ks) and considered_from > int(ks["k"].min()):
        fig.add_vrect(x0=int(ks["k"].min()) - 0.5, x1=considered_from - 0.5, fillcolor=NEUTRAL, opacity=0.15,
                      line_width=0, annotation_text="too broad to be chosen", annotation_position="top left",
                      annotation_font=dict(size=11))
    lo = min([0.0] + [v for v in ks.get("adjusted", pd.Series(dtype=float)).dropna().tolist() if v < 0])
    fig.update_xaxes(title="Number of topics", dtick=1, showgrid=False)
    fig.update_yaxes(title="Score (1 = fully stable)", range=[lo - 0.02, 1.02], gridcolor="#e5e8eb")
    fig.update_layout(legend=dict(orientation="h", y=1.12, x=0))
    return _base(fig, 340, "topic-stability")


# --------------------------------------------------------------------- terms of a topic

def term_bars(terms: pd.DataFrame, colour: str = AUTO_COLOUR) -> go.Figure:
    """The most relevant terms of one topic, pyLDAvis-style.

    ``terms``: rows in rank order (most relevant first) with ``term``,
    ``weight`` (p(w|t): the term's share of the topic) and ``lift``
    (p(w|t) / p(w)). Two bars per term: its share of this topic and its share
    of all texts (p(w) = weight / lift); a long coloured bar next to a short
    grey one marks a term typical of the topic.
    """
    t = terms.reset_index(drop=True)
    labels = [plot_text(x, 40) for x in t["term"]]
    in_topic = (t["weight"] * 100).tolist()
    lift = t["lift"].replace(0, np.nan)
    overall = (t["weight"] / lift * 100).fillna(0.0).tolist()
    hover = [_wrap(describe_term(term, w, lf), 60, 300)
             for term, w, lf in zip(t["term"], t["weight"], t["lift"].fillna(0.0))]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=overall, orientation="h", name="Share of all texts", marker_color=NEUTRAL,
                         hovertext=hover, hoverinfo="text"))
    fig.add_trace(go.Bar(y=labels, x=in_topic, orientation="h", name="Share of this topic", marker_color=colour,
                         hovertext=hover, hoverinfo="text"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="% of the weight of all terms", gridcolor="#e5e8eb", rangemode="tozero")
    fig.update_layout(barmode="group", bargap=0.25, legend=dict(orientation="h", y=1.08, x=0, traceorder="reversed"))
    return _base(fig, 90 + 34 * max(len(t), 1), "topic-terms")


# --------------------------------------------------------------------- shares heatmap

def share_heatmap(shares: pd.DataFrame, row_labels: list[str], topic_names: dict[int, str],
                  row_counts: list[int] | None = None) -> go.Figure:
    """Topic shares per document or group as a heatmap; every cell is clickable.

    ``shares``: one row per document/group (index = its key: doc_id or group
    value), one column per topic number, values in [0, 1] (each row sums to 1,
    or 0 for a text with no topic word). ``row_labels``: the rows' display
    names (same order). ``topic_names``: topic number -> name. ``row_counts``:
    documents behind each row (shown on hover for groups).

    Trace 0 is the heatmap (one z row per row of ``shares``); trace 1 an
    invisible marker on every cell centre that carries the hover text and
    ``customdata = [row key, topic]``, because Streamlit's chart selections
    only report scatter points, not heatmap cells.
    """
    topics = list(shares.columns)
    keys = [str(k) for k in shares.index]
    z = shares.to_numpy(dtype=float) * 100 if len(shares) else np.zeros((0, len(topics)))
    ylab = [plot_text(x, 45) for x in row_labels]
    xlab = [plot_text(topic_names.get(t, str(t)), 32) for t in topics]
    n_rows, n_cols = len(keys), len(topics)
    show_text = n_rows * n_cols <= 600
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=z.tolist(), x=list(range(n_cols)), y=list(range(n_rows)), zmin=0,
        zmax=max(1.0, float(z.max()) if z.size else 1.0), colorscale=SHARE_SCALE, hoverinfo="skip",
        colorbar=dict(title=dict(text="% of text"), thickness=12),
        texttemplate="%{z:.0f}" if show_text else None, textfont=dict(size=11), xgap=1, ygap=1))
    xs, ys, cd, hover = [], [], [], []
    for i, key in enumerate(keys):
        for j, t in enumerate(topics):
            xs.append(j)
            ys.append(i)
            cd.append([key, int(t)])
            extra = f"<br>{row_counts[i]} document(s)" if row_counts is not None else ""
            hover.append(f"{ylab[i]}<br>{xlab[j]}<br><b>{z[i, j]:.1f}%</b> of the text{extra}")
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", customdata=cd, hovertext=hover, hoverinfo="text", showlegend=False,
        marker=dict(size=18, opacity=0, color="#000000"),
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0))))
    fig.update_xaxes(tickvals=list(range(n_cols)), ticktext=xlab, tickangle=-35, side="top", showgrid=False,
                     zeroline=False, range=[-0.5, n_cols - 0.5])
    fig.update_yaxes(tickvals=list(range(n_rows)), ticktext=ylab, autorange="reversed", showgrid=False,
                     zeroline=False)
    fig = _base(fig, 170 + 26 * max(n_rows, 1), "topic-heatmap")
    fig.update_layout(margin=dict(l=10, r=10, t=10, b=10))
    return fig


# --------------------------------------------------------------------- 2-D map

def topic_map(points: pd.DataFrame, topic_names: dict[int, str], colours: dict[int, str]) -> go.Figure:
    """A 2-D map of text units (paragraphs or documents), coloured by dominant topic.

    ``points``: ``x``, ``y``, ``topic`` (dominant topic number), ``weight``
    (its share, 0..1), ``unit`` (id, returned as ``customdata``), ``doc``
    (document label) and ``excerpt`` (a short start of the text). One trace
    per topic, so the legend can hide topics. Units close together mix the
    same topics.
    """
    fig = go.Figure()
    trace = go.Scattergl if len(points) > WEBGL_ABOVE else go.Scatter
    for t in sorted(points["topic"].unique()) if len(points) else []:
        p = points[points["topic"] == t]
        name = plot_text(topic_names.get(int(t), str(t)), 40)
        hover = [f"<b>{plot_text(d, 60)}</b><br>{name} ({w:.0%})<br>{_wrap(e)}"
                 for d, w, e in zip(p["doc"], p["weight"], p["excerpt"])]
        fig.add_trace(trace(
            x=p["x"].tolist(), y=p["y"].tolist(), mode="markers", name=name,
            customdata=[[u] for u in p["unit"]], hovertext=hover, hoverinfo="text",
            marker=dict(size=9, color=colours.get(int(t), NEUTRAL), opacity=0.8,
                        line=dict(width=0.5, color="white"))))
    fig.update_xaxes(showticklabels=False, title=None, zeroline=False, gridcolor="#eef0f2")
    fig.update_yaxes(showticklabels=False, title=None, zeroline=False, gridcolor="#eef0f2")
    fig.update_layout(legend=dict(title=dict(text="Dominant topic")))
    return _base(fig, 520, "topic-map")
