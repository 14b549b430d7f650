"""Charts of terms: the most frequent terms, and distinctive terms (keyness) as diverging bars.

Pure functions ``DataFrame -> go.Figure`` (no Streamlit). The raw term goes
into ``customdata[0]`` so that a click can look the term up; labels and hover
text are escaped with :func:`ui.safe.plot_text`. Each figure names itself in
``layout.meta["chart"]``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.colors import NEGATIVE, POSITIVE
from ui.safe import plot_text

#: The keyness measures a user can sort by, with their display names.
MEASURES = {"g2": "G2 (log-likelihood)", "log_ratio": "Log Ratio", "logodds_z": "log-odds z"}

ROW_PX = 20


def top_terms_bars(table: pd.DataFrame, colour: str = "#1f5f8b", value: str = "count") -> go.Figure:
    """Horizontal bars of the most frequent terms, the most frequent at the top.

    ``table``: :func:`analysis.methods.terms.top_terms` output (``term``, ``count``,
    ``rate_per_10k``, ``doc_freq``, ``n_docs``). ``value``: ``"count"`` or
    ``"doc_freq"`` (bar length). ``customdata``: ``[term, count, rate_per_10k,
    doc_freq, n_docs]``.
    """
    terms = table["term"].astype(str).tolist()
    custom = [[t, int(c), float(r), int(f), int(n)] for t, c, r, f, n in
              zip(terms, table["count"], table["rate_per_10k"], table["doc_freq"], table["n_docs"])]
    fig = go.Figure(go.Bar(
        x=table[value].astype(float).tolist(), y=[plot_text(t) for t in terms], orientation="h",
        marker_color=colour, customdata=custom, name="",
        hovertemplate=("<b>%{y}</b><br>%{customdata[1]:,} times, %{customdata[2]:.2f} per 10,000 words"
                       "<br>in %{customdata[3]:,} of %{customdata[4]:,} documents<extra></extra>"),
    ))
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(title_text="occurrences" if value == "count" else "documents containing the term")
    fig.update_layout(height=max(220, ROW_PX * len(terms) + 80), margin=dict(l=10, r=10, t=20, b=10),
                      meta={"chart": "top-terms"}, showlegend=False, clickmode="event+select")
    return fig


def keyness_bars(table: pd.DataFrame, measure: str = "g2", n: int = 15, target_label: str = "target",
                 reference_label: str = "reference", target_colour: str = POSITIVE,
                 reference_colour: str = NEGATIVE, chart: str = "keyness") -> go.Figure:
    """Diverging bars: the ``n`` terms most over-used by the target (positive,
    top) and the ``n`` most over-used by the reference (negative, bottom).

    ``table``: :func:`analysis.methods.keyness.keyness` output. ``measure``: a key of
    :data:`MEASURES` (bar length; positive = more typical of the target).
    ``customdata``: ``[term, count_target, count_reference, rate_target,
    rate_reference, g2, log_ratio, logodds_z, p_value]``. Trace 0 is the
    target's side, trace 1 the reference's.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}")
    pos = table[table[measure] > 0].sort_values(measure, ascending=False, kind="stable").head(n)
    neg = table[table[measure] < 0].sort_values(measure, ascending=True, kind="stable").head(n)
    t_lab, r_lab = plot_text(target_label, limit=50), plot_text(reference_label, limit=50)
    hover = ("<b>%{y}</b><br>" + t_lab + ": %{customdata[1]:,} times (%{customdata[3]:.2f} per 10k words)"
             "<br>" + r_lab + ": %{customdata[2]:,} times (%{customdata[4]:.2f} per 10k words)"
             "<br>G2 %{customdata[5]:.2f} · Log Ratio %{customdata[6]:.2f} · log-odds z %{customdata[7]:.2f}"
             "<extra></extra>")
    fig = go.Figure()
    order: list[str] = []
    for part, name, colour in ((pos, f"more typical of {t_lab}", target_colour),
                               (neg, f"more typical of {r_lab}", reference_colour)):
        terms = [plot_text(t) for t in part["term"].astype(str)]
        order += terms if part is pos else terms[::-1]
        custom = [[t, int(a), int(b), float(ra), float(rb), float(g), float(lr), float(z), float(p)]
                  for t, a, b, ra, rb, g, lr, z, p in
                  zip(part["term"].astype(str), part["count_target"], part["count_reference"], part["rate_target"],
                      part["rate_reference"], part["g2"], part["log_ratio"], part["logodds_z"], part["p_value"])]
        fig.add_trace(go.Bar(x=part[measure].astype(float).tolist(), y=terms, orientation="h", name=name,
                             marker_color=colour, customdata=custom, hovertemplate=hover))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], automargin=True)
    fig.update_xaxes(title_text=f"← more typical of {r_lab}   ·   more typical of {t_lab} →",
                     zeroline=True, zerolinewidth=2, zerolinecolor="#555")
    fig.update_layout(height=max(240, ROW_PX * len(order) + 110), margin=dict(l=10, r=10, t=30, b=10),
                      barmode="overlay", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      meta={"chart": chart}, clickmode="event+select")
    return fig
