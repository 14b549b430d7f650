"""Charts of the Overview page that no other page draws: topic shares per document.

Pure ``DataFrame -> go.Figure`` builders; corpus text is escaped with
:func:`ui.safe.plot_text`. The figure names itself in ``layout.meta["chart"]``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.colors import UNKNOWN_COLOUR
from ui.safe import plot_text

ROW_PX = 34


def topic_share_bars(shares: pd.DataFrame, doc_order: list[str], labels: dict | None = None,
                     topic_colours: dict[int, str] | None = None, chart: str = "topic-shares") -> go.Figure:
    """Stacked horizontal bars: each document's text split into topics (100% per row).

    ``shares``: long form ``doc_id, topic (number), topic_name, share (0..1)``
    (as :func:`ui.cached_topics.filtered_doc_shares` returns it).
    ``doc_order``: documents top to bottom. ``topic_colours``: colour per
    topic number (the Topics page's colours). One trace per topic;
    ``customdata`` per bar segment: ``[doc_id, topic]``.
    """
    order = [str(d) for d in doc_order]
    fig = go.Figure()
    for topic, sub in shares.groupby("topic", sort=True):
        sub = sub.set_index(sub["doc_id"].astype(str)).reindex(order)
        name = plot_text(sub["topic_name"].dropna().iloc[0] if sub["topic_name"].notna().any() else topic, 40)
        pct = (sub["share"].fillna(0.0).astype(float) * 100).tolist()
        hover = [f"{plot_text((labels or {}).get(d, d), limit=60)}<br>{name}: <b>{p:.0f}%</b> of the text"
                 for d, p in zip(order, pct)]
        fig.add_trace(go.Bar(
            x=pct, y=order, orientation="h", name=name,
            marker_color=(topic_colours or {}).get(int(topic), UNKNOWN_COLOUR),
            customdata=[[d, int(topic)] for d in order], hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], tickmode="array",
                     tickvals=order, ticktext=[plot_text((labels or {}).get(d, d), limit=45) for d in order],
                     automargin=True)
    fig.update_xaxes(title_text="% of the text", range=[0, 100], gridcolor="#e5e8eb")
    fig.update_layout(barmode="stack", height=max(240, ROW_PX * len(order) + 170),
                      margin=dict(l=10, r=10, t=80, b=10), plot_bgcolor="white", legend_title_text="",
                      legend=dict(orientation="h", x=0, xref="container", y=1, yref="container", yanchor="top",
                                  traceorder="normal"),
                      meta={"chart": chart}, clickmode="event+select", hoverlabel=dict(align="left"))
    return fig
