"""Charts of tracked phrases: rate bars, lines over time, dispersion.

Pure functions ``DataFrame -> go.Figure`` (no Streamlit). Raw ids (doc_id,
phrase, group value) go into ``customdata`` so that a click can be traced back
to the documents behind it; every text shown by Plotly (labels, hover) is
escaped with :func:`ui.safe.plot_text`, as it may come from the corpus or the URL.
Each figure names itself in ``layout.meta["chart"]`` (tests and pages find it there).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.corpus.labels import format_date, short_labels
from ui.colors import UNKNOWN_COLOUR, colour_map
from ui.safe import plot_text

FACETS_PER_ROW = 3
ROW_PX = 22


def _label(labels: dict | None, key) -> str:
    """A document's full name for the hover (escaped)."""
    return plot_text((labels or {}).get(key, key), limit=120)


def phrase_bars(table: pd.DataFrame, key_col: str, colour_col: str, colours: dict[str, str],
                labels: dict | None = None, colour_labels: dict | None = None,
                chart: str = "phrase-bars") -> go.Figure:
    """Horizontal bars of each phrase's rate per 10,000 words, one panel per phrase.

    ``table``: one row per item x phrase with columns ``key_col`` (a doc_id or a
    group value: one bar row each), ``colour_col`` (the value that picks the bar's
    colour, e.g. the document's author), ``phrase``, ``count``, ``n_words``,
    ``rate_per_10k`` and optionally ``n_docs``/``doc_freq`` (groups).
    ``colours``: colour per ``colour_col`` value (from :func:`ui.colors.colour_map`
    over the whole corpus, so an author keeps their colour). ``labels``: display
    label per key; ``colour_labels``: legend label per colour value.

    One trace per (phrase, colour value); bars of one colour value share a
    legend entry (no legend when the bars are the colour values themselves,
    ``key_col == colour_col``: their labels say it). Each bar is labelled with its raw count ("2×"; "0×" says plainly
    that a document never uses the phrase). ``customdata`` per bar: ``[key, phrase, count, n_words,
    doc_freq, n_docs, colour value]`` (doc_freq/n_docs are -1 for documents).
    Items keep the order of ``table`` (top to bottom).
    """
    phrases = list(dict.fromkeys(table["phrase"]))
    n = max(len(phrases), 1)
    ncols = min(n, FACETS_PER_ROW)
    nrows = math.ceil(n / ncols)
    keys = list(dict.fromkeys(table[key_col].astype(str)))
    fig = make_subplots(rows=nrows, cols=ncols, shared_xaxes=False, horizontal_spacing=0.04,
                        vertical_spacing=min(0.12, 0.3 / nrows) if nrows > 1 else 0.0,
                        subplot_titles=[plot_text(p, limit=40) for p in phrases])
    ticks = short_labels({k: (labels or {}).get(k, k) for k in keys}, 48)  # the full name is in the hover
    ticktext = [plot_text(ticks[k]) for k in keys]
    shown: set[str] = set()
    has_groups = "n_docs" in table.columns
    for i, phrase in enumerate(phrases):
        row, col = i // ncols + 1, i % ncols + 1
        part = table[table["phrase"] == phrase]
        for cval, sub in part.groupby(part[colour_col].astype(str), sort=False):
            cval = str(cval)
            name = plot_text((colour_labels or {}).get(cval, cval or "Unknown"), limit=40)
            custom = [[str(k), phrase, int(c), int(w),
                       int(sub["doc_freq"].iloc[j]) if has_groups else -1,
                       int(sub["n_docs"].iloc[j]) if has_groups else -1, cval]
                      for j, (k, c, w) in enumerate(zip(sub[key_col].astype(str), sub["count"],
                                                        sub["n_words"]))]
            hover_docs = ("<br>in %{customdata[4]} of %{customdata[5]} documents" if has_groups else "")
            fig.add_trace(go.Bar(
                x=sub["rate_per_10k"].astype(float).tolist(), y=sub[key_col].astype(str).tolist(),
                orientation="h", name=name, legendgroup=cval, showlegend=key_col != colour_col and cval not in shown,
                marker_color=colours.get(cval, UNKNOWN_COLOUR), customdata=custom,
                text=[f"{int(c)}×" for c in sub["count"]], textposition="outside", cliponaxis=False,
                textfont=dict(size=11, color="#444"),
                hovertext=[_label(labels, k) for k in sub[key_col].astype(str)],
                hovertemplate=("%{hovertext}<br>" + plot_text(phrase) + ": <b>%{customdata[2]}</b> times in "
                               "%{customdata[3]:,} words<br>%{x:.2f} per 10,000 words" + hover_docs
                               + "<extra>%{fullData.name}</extra>"),
            ), row=row, col=col)
            shown.add(cval)
    height = max(220, ROW_PX * len(keys) * nrows + 90 * nrows + 40)
    fig.update_yaxes(categoryorder="array", categoryarray=keys[::-1], tickmode="array",
                     tickvals=keys, ticktext=ticktext, automargin=True)
    for i in range(n):
        if i % ncols:
            fig.update_yaxes(showticklabels=False, row=i // ncols + 1, col=i % ncols + 1)
    fig.update_xaxes(title_text="per 10,000 words", rangemode="tozero")
    fig.update_layout(barmode="overlay", height=height, margin=dict(l=10, r=10, t=40, b=10),
                      legend_title_text="", meta={"chart": chart}, clickmode="event+select",
                      hoverlabel=dict(align="left"))
    return fig


#: A point resting on fewer documents than this is marked (hollow) as too thin to read much into.
MIN_DOCS = 3


def _period_start(period: str) -> str:
    """"2016" -> "2016-01-01", "2016-06" -> "2016-06-01" (a real date for a date axis)."""
    p = str(period)
    return f"{p}-01-01" if len(p) == 4 else f"{p}-01"


def all_periods(periods, monthly: bool) -> list[str]:
    """Every year (or month) from the first to the last of ``periods``, gaps included."""
    ps = sorted(set(str(p) for p in periods))
    if not ps:
        return []
    if not monthly:
        return [str(y) for y in range(int(ps[0]), int(ps[-1]) + 1)]
    y0, m0 = map(int, ps[0].split("-"))
    y1, m1 = map(int, ps[-1].split("-"))
    out = []
    while (y0, m0) <= (y1, m1):
        out.append(f"{y0}-{m0:02d}")
        y0, m0 = (y0 + 1, 1) if m0 == 12 else (y0, m0 + 1)
    return out


def phrase_timeline(table: pd.DataFrame, colours: dict[str, str] | None = None, min_docs: int = MIN_DOCS) -> go.Figure:
    """Each phrase's rate per 10,000 words per year (or month) on a real date axis, with how many
    documents each point rests on.

    ``table``: :func:`analysis.methods.phrases.phrase_by_date` output (``period`` "YYYY" or
    "YYYY-MM", ``phrase``, ``count``, ``n_words``, ``rate_per_10k``, ``n_docs``, ``doc_freq``).
    Top panel: one line per phrase; every period from the first to the last is on the axis, and a
    period without documents is a gap in the line (``y`` None), never bridged. A point resting on
    fewer than ``min_docs`` documents is drawn hollow (legend: "fewer than 3 documents"). Bottom
    panel: documents per period (grey bars). The date axis has one tick per year (``dtick``
    "M12", ``tickformat`` "%Y"), or per month for monthly periods.
    ``customdata`` per point: ``[period, phrase, count, n_words, n_docs, doc_freq]`` (None in gaps).
    """
    colours = colours or colour_map(dict.fromkeys(table["phrase"]))
    monthly = not table["period"].astype(str).str.fullmatch(r"\d{4}").all()
    periods = all_periods(table["period"], monthly)
    x = [_period_start(p) for p in periods]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.76, 0.24], vertical_spacing=0.06)
    per_period = table.drop_duplicates("period").set_index(table.drop_duplicates("period")["period"].astype(str))
    n_docs = [int(per_period.at[p, "n_docs"]) if p in per_period.index else 0 for p in periods]
    for phrase, sub in table.groupby("phrase", sort=False):
        rows = sub.set_index(sub["period"].astype(str))
        y, custom, thin, hover = [], [], [], []
        for p in periods:
            if p not in rows.index:
                y.append(None)
                custom.append([p, phrase, None, None, 0, None])
                thin.append(False)
                hover.append(f"{format_date(p)}: no documents")
                continue
            r = rows.loc[p]
            nd = int(r["n_docs"])
            y.append(float(r["rate_per_10k"]))
            custom.append([p, phrase, int(r["count"]), int(r["n_words"]), nd, int(r["doc_freq"])])
            thin.append(nd < min_docs)
            hover.append(f"{format_date(p)}: {float(r['rate_per_10k']):.2f} per 10,000 words<br>{int(r['count'])} times in "
                         f"{int(r['n_words']):,} words<br>from {nd} document{'s' if nd != 1 else ''}"
                         f" ({int(r['doc_freq'])} use it)" + ("<br><b>fewer than 3 documents: read with care</b>"
                                                              if nd < min_docs else ""))
        colour = colours.get(phrase, UNKNOWN_COLOUR)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines+markers", name=plot_text(phrase, limit=40), customdata=custom, connectgaps=False,
            line_color=colour, hovertext=hover, hovertemplate="%{hovertext}<extra>%{fullData.name}</extra>",
            marker=dict(size=[11 if t else (5 if len(x) > 60 else 8) for t in thin],
                        symbol=["circle-open" if t else "circle" for t in thin], line=dict(width=2, color=colour),
                        color=colour),
        ), row=1, col=1)
    if any(n and n < min_docs for n in n_docs):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"fewer than {min_docs} documents",
                                 marker=dict(size=11, symbol="circle-open", color="#555555", line=dict(width=2)),
                                 hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=n_docs, name="documents", marker_color="#b8c0c8", showlegend=False,
                         customdata=[[p] for p in periods],
                         hovertemplate="%{customdata[0]}: %{y} document(s)<extra></extra>"), row=2, col=1)
    ticks = dict(type="date", dtick="M1" if monthly else "M12", tickformat="%b %Y" if monthly else "%Y",
                 showgrid=True, gridcolor="#eef0f2")
    fig.update_xaxes(**ticks)
    fig.update_xaxes(title_text="month" if monthly else "year", row=2, col=1)
    fig.update_yaxes(title_text="per 10,000 words", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="documents", rangemode="tozero", row=2, col=1)
    fig.update_layout(height=440, margin=dict(l=10, r=10, t=20, b=10), legend_title_text="",
                      meta={"chart": "phrase-timeline", "monthly": monthly}, hoverlabel=dict(align="left"),
                      legend=dict(orientation="h", y=1.04, yanchor="bottom", x=0))
    return fig


def dispersion(hits: pd.DataFrame, doc_order: list[str], labels: dict | None = None,
               colours: dict[str, str] | None = None) -> go.Figure:
    """Where each phrase falls in each text: one row per document, a tick per hit.

    ``hits``: ``doc_id``, ``phrase``, ``start``, ``end``, ``rel_pos`` (0 = start of
    the text, 1 = its end) and ``context`` (a short snippet for the hover).
    ``doc_order``: the documents to draw, top to bottom (rows without hits stay
    empty). ``customdata`` per tick: ``[doc_id, phrase, start, end]``.
    """
    colours = colours or colour_map(dict.fromkeys(hits["phrase"]))
    fig = go.Figure()
    for phrase, sub in hits.groupby("phrase", sort=False):
        fig.add_trace(go.Scatter(
            x=sub["rel_pos"].astype(float).tolist(), y=sub["doc_id"].astype(str).tolist(), mode="markers",
            name=plot_text(phrase, limit=40),
            marker=dict(symbol="line-ns-open", size=16, line=dict(width=2.5),
                        color=colours.get(phrase, UNKNOWN_COLOUR)),
            customdata=[[str(d), phrase, int(s), int(e)] for d, s, e in
                        zip(sub["doc_id"], sub["start"], sub["end"])],
            hovertext=[f"{_label(labels, d)}<br>{plot_text(c, limit=160)}" for d, c in
                       zip(sub["doc_id"], sub["context"])],
            hovertemplate="%{hovertext}<br>at %{x:.0%} of the text, characters %{customdata[2]}–%{customdata[3]}"
                          "<extra>%{fullData.name}</extra>",
        ))
    order = [str(d) for d in doc_order]
    ticks = short_labels({d: (labels or {}).get(d, d) for d in order}, 48)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], range=[-0.5, len(order) - 0.5],
                     tickmode="array", tickvals=order, ticktext=[plot_text(ticks[d]) for d in order],
                     automargin=True, showgrid=True)
    fig.update_xaxes(range=[-0.01, 1.01], tickformat=".0%", title_text="position in the text (start → end)")
    fig.update_layout(height=max(200, ROW_PX * len(order) + 110), margin=dict(l=10, r=10, t=20, b=10),
                      legend_title_text="", meta={"chart": "dispersion"}, clickmode="event+select",
                      hoverlabel=dict(align="left"))
    return fig
