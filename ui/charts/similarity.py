"""Chart of document similarity: a heatmap of every pair, clickable cell by cell.

Plotly heatmaps send no selection events to Streamlit, so when the corpus is
small enough an invisible layer of square markers (one per cell, at its
centre) lies over the heatmap; the nearest marker to the pointer answers, so
clicking anywhere in a cell selects that cell's marker, whose ``customdata`` is
``[doc_a, doc_b, similarity]`` (raw doc_ids, row document first; the diagonal
has ``doc_a == doc_b``). Pure function, no Streamlit; labels escaped with :func:`ui.safe.plot_text`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.corpus.labels import short_labels
from ui.safe import plot_text

#: Above this many documents the cells are not clickable (too many markers for a browser).
CLICKABLE_MAX = 80
#: Above this many documents the axes carry no labels (hover a cell to see its pair).
MAX_TICK_LABELS = 60


def similarity_heatmap(matrix: pd.DataFrame, labels: dict | None = None,
                       clickable_max: int = CLICKABLE_MAX, blank_diagonal: bool = True,
                       chart: str = "similarity") -> go.Figure:
    """Heatmap of a square similarity matrix (index = columns = doc_ids, in drawing order).

    The diagonal (a document with itself) is left blank (NaN) so that the
    colours spread over the pairs; ``blank_diagonal=False`` keeps it (e.g. for
    the average similarity inside a group). Trace 0 is the heatmap (``z`` a
    float array); trace 1, present when there are 2 to ``clickable_max``
    documents, is the click layer described in the module docstring. ``labels``
    name the rows/columns on the axes and in the hover (escaped here).
    """
    ids = [str(d) for d in matrix.index]
    labels = labels or {}
    shown = [plot_text(d) for d in ids]
    z = matrix.to_numpy(dtype=float).copy()
    n = len(ids)
    if n and blank_diagonal:
        z[np.diag_indices(n)] = np.nan
    off = z[~np.isnan(z)]
    zmax = float(off.max()) if off.size and off.max() > 0 else 1.0
    clickable = 1 < n <= clickable_max
    full = {d: plot_text(labels.get(d, d), 60) for d in ids}
    fig = go.Figure(go.Heatmap(
        z=z.round(4), x=shown, y=shown, zmin=0.0, zmax=zmax, colorscale="Blues",
        xgap=1 if n <= MAX_TICK_LABELS else 0, ygap=1 if n <= MAX_TICK_LABELS else 0,
        colorbar=dict(title=dict(text="how alike<br>(0 … 1)"), thickness=14),
        hoverinfo="skip" if clickable else None,
        text=None if clickable else  # hover names the pair by the documents' names, never their ids
        [[f"{full[a]} ↔ {full[b]}" for b in ids] for a in ids],
        hovertemplate=None if clickable else "%{text}<br>similarity %{z:.2f}<extra></extra>",
    ))
    if clickable:
        ii, jj = np.indices((n, n)).reshape(2, -1)
        short = {d: plot_text(labels.get(d, d), limit=50) for d in ids}
        fig.add_trace(go.Scatter(
            x=[shown[j] for j in jj], y=[shown[i] for i in ii], mode="markers", name="",
            customdata=[[ids[i], ids[j], float(matrix.iat[i, j])] for i, j in zip(ii, jj)],
            hovertext=[f"{short[ids[i]]}<br>↔ {short[ids[j]]}" if i != j else
                       f"{short[ids[i]]}<br>(the same document)" for i, j in zip(ii, jj)],
            hovertemplate="%{hovertext}<br>similarity %{customdata[2]:.2f}<br>click to see shared passages"
                          "<extra></extra>",
            marker=dict(symbol="square", size=max(6, min(40, int(560 / n))), opacity=0,
                        color="rgba(0,0,0,0)", line=dict(color="#111", width=2)),
            selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0)),
            showlegend=False,
        ))
    names = short_labels({d: labels.get(d, d) for d in ids}, 34)  # the full names are in the hover
    ticks = dict(tickmode="array", tickvals=shown, ticktext=[plot_text(names[d]) for d in ids],
                 type="category", categoryorder="array", categoryarray=shown, showgrid=False)
    if n > MAX_TICK_LABELS:
        ticks["showticklabels"] = False
    fig.update_xaxes(**ticks, tickangle=-40)
    fig.update_yaxes(**ticks, autorange="reversed")
    size = max(360, min(900, 16 * n + 220))
    fig.update_layout(height=size, margin=dict(l=10, r=10, t=20, b=10), meta={"chart": chart},
                      clickmode="event+select", dragmode=False, plot_bgcolor="#ffffff",
                      hovermode="closest", hoverdistance=-1)
    return fig
