"""The Overview's charts, as Vega-Lite specs: tone bars with intervals, phrase rates, topic shares.

Why Vega-Lite here and Plotly elsewhere: the Overview is the first screen. A page with any
Plotly chart makes a fresh browser load and run Plotly's 4.7 MB bundle (about 0.9 s of
blocked main thread on a 2-core machine, before a chart is drawn); Vega-Lite's is a
fraction of that. The detail pages keep Plotly (PNG export, richer hover).

Pure functions ``DataFrame -> dict`` (a Vega-Lite spec with its data inline; no
Streamlit). Vega draws text as SVG/canvas text, never as HTML, and its tooltips are
escaped, so corpus text needs no escaping here; it is only shortened. Each spec names
itself in ``usermeta["chart"]`` (tests and pages find it there). A click selects a
bar: the selection parameter :data:`PICK` holds the bar's ``key`` (doc_id or group value).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.corpus.labels import short_labels
from ui.charts.tone import BASIS_TEXT, _num
from ui.colors import UNKNOWN_COLOUR

PICK = "pick"
ROW_PX = 30
FACETS_PER_ROW = 3


def _short(text, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unique_labels(keys: list[str], labels: dict | None, limit: int = 45) -> dict[str, str]:
    """A short display label per key (:func:`analysis.corpus.labels.short_labels`), made unique with a
    running number, never with the raw key, since a bar's axis position is its label."""
    return short_labels({k: (labels or {}).get(k, k) or "(untitled)" for k in keys}, limit)


def _colour_scale(values: list[str], colours: dict[str, str], names: dict[str, str]) -> dict:
    """Legend names in the whole corpus's colour order, each with its colour."""
    rank = {c: i for i, c in enumerate(colours)}
    order = sorted(dict.fromkeys(values), key=lambda v: rank.get(v, len(rank)))
    return {"domain": [names[v] for v in order], "range": [colours.get(v, UNKNOWN_COLOUR) for v in order]}


def _base(chart: str, height: int, rows: list[dict]) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "usermeta": {"chart": chart},
            "data": {"values": rows}, "height": height,
            "config": {"view": {"stroke": None}, "axis": {"labelOverlap": False},
                       "legend": {"orient": "top", "title": None, "labelLimit": 260}}}


def tone_bars(table: pd.DataFrame, key_col: str, value_col: str = "mean", lo_col: str = "lo", hi_col: str = "hi",
              colour_col: str | None = None, colours: dict[str, str] | None = None, labels: dict | None = None,
              colour_labels: dict | None = None, value_label: str = "polarity", diverging: bool = True,
              show_legend: bool = True, chart: str = "tone-bars") -> dict:
    """Horizontal bars of a tone score per document or group, with 95% intervals as whiskers.

    ``table``: one row per bar, top to bottom in table order, with ``key_col`` (doc_id or
    group value), ``value_col`` (the score), ``lo_col``/``hi_col`` (interval; NaN = none)
    and optionally ``n_docs``, ``n_sentences``, ``interval_basis``. ``colour_col`` picks
    the bar's colour from ``colours`` (default: the key itself); ``labels`` names the keys,
    ``colour_labels`` the colour values. ``diverging``: an axis symmetric around 0.
    Each data row: ``key, label`` (short, unique: the axis), ``name`` (in full: the tooltip),
    ``value, lo, hi, colour, interval, counts``.
    """
    colours = colours or {}
    t = table.reset_index(drop=True)
    colour_col = colour_col or key_col
    keys = t[key_col].astype(str).tolist()
    shown = unique_labels(keys, labels)
    cvals = t[colour_col].astype(str).tolist()
    names = {c: _short((colour_labels or {}).get(c, c) or "Unknown", 40) for c in cvals}
    rows, extent = [], []
    for i, (k, c) in enumerate(zip(keys, cvals)):
        v, a, b = (_num(t.at[i, col]) if col and col in t else None for col in (value_col, lo_col, hi_col))
        nd = _num(t.at[i, "n_docs"]) if "n_docs" in t else None
        ns = _num(t.at[i, "n_sentences"]) if "n_sentences" in t else None
        basis = str(t.at[i, "interval_basis"]) if "interval_basis" in t else ("none" if a is None else "sentences")
        interval = (f"{a:+.3f} to {b:+.3f} ({BASIS_TEXT.get(basis, '').format(n_docs=int(nd or 0), n_sentences=int(ns or 0))})"
                    if a is not None and b is not None else BASIS_TEXT["none"])
        counts = ((f"{int(nd)} document(s), " if nd and nd > 1 else "") + (f"{int(ns):,} sentences" if ns is not None
                                                                             else "")).strip(", ")
        rows.append({"key": k, "label": shown[k], "name": _short((labels or {}).get(k, k), 200), "value": v, "lo": a, "hi": b, "colour": names[c],
                     "interval": interval, "counts": counts})
        extent += [x for x in (v, a, b) if x is not None]
    if diverging:
        m = max([abs(x) for x in extent] + [0.05]) * 1.15
        domain = [-m, m]
    else:
        top = max(extent + [0.05])
        domain = [0, min(1.0, top * 1.1) if top <= 1 else top * 1.1]
    legend = show_legend and colour_col != key_col and len(set(cvals)) <= 10
    y = {"field": "label", "type": "nominal", "sort": [shown[k] for k in keys], "title": None,
         "axis": {"labelLimit": 320}}
    x_scale = {"domain": domain, "nice": False, "zero": True}
    # The height includes the axis (Streamlit fits the whole chart into it): 60 px, and 30 for a legend.
    spec = _base(chart, ROW_PX * len(keys) + 60 + (30 if legend else 0), rows)
    spec["width"] = "container"
    spec["layer"] = [
        {"mark": {"type": "bar", "cursor": "pointer", "height": {"band": 0.7}},
         "params": [{"name": PICK, "select": {"type": "point", "fields": ["key"]}}],
         "encoding": {
             "y": y, "x": {"field": "value", "type": "quantitative", "title": value_label, "scale": x_scale,
                           "axis": {"labelOverlap": "greedy", "tickCount": 6}},  # a short bar: ticks apart
             "color": {"field": "colour", "type": "nominal", "scale": _colour_scale(cvals, colours, names),
                       "legend": {} if legend else None},
             "fillOpacity": {"condition": {"param": PICK, "empty": True, "value": 1}, "value": 0.4},
             "tooltip": [{"field": "name", "title": "document" if key_col == "doc_id" else "group"},
                         {"field": "value", "title": value_label, "format": "+.3f"},
                         {"field": "interval", "title": "interval"}, {"field": "counts", "title": "based on"}]}},
        {"mark": {"type": "rule", "color": "#444444", "strokeWidth": 1.5},
         "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative", "scale": x_scale}, "x2": {"field": "hi"}}},
    ]
    if diverging:
        spec["layer"].insert(0, {"mark": {"type": "rule", "color": "#555555"},
                                 "encoding": {"x": {"datum": 0, "type": "quantitative", "scale": x_scale}}})
    return spec


def phrase_bars(table: pd.DataFrame, key_col: str, colour_col: str, colours: dict[str, str],
                labels: dict | None = None, colour_labels: dict | None = None, chart: str = "phrase-bars",
                width: int = 230) -> dict:
    """Each tracked phrase's rate per 10,000 words per document (or group), one panel per phrase,
    with the raw count at the end of each bar ("2×"; "0×" says a text never uses it).

    ``table``: one row per item x phrase with ``key_col``, ``colour_col``, ``phrase``,
    ``count``, ``n_words``, ``rate_per_10k``. Items keep the order of ``table``.
    Each data row: ``key, label, phrase, count, n_words, rate, colour, count_text``.
    """
    keys = list(dict.fromkeys(table[key_col].astype(str)))
    shown = unique_labels(keys, labels)
    cvals = table[colour_col].astype(str).tolist()
    names = {c: _short((colour_labels or {}).get(c, c) or "Unknown", 40) for c in cvals}
    rows = [{"key": str(k), "label": shown[str(k)], "phrase": _short(p, 40), "count": int(c), "n_words": int(w),
             "rate": float(r), "colour": names[cv], "count_text": f"{int(c)}×"}
            for k, p, c, w, r, cv in zip(table[key_col].astype(str), table["phrase"], table["count"],
                                         table["n_words"], table["rate_per_10k"], cvals)]
    n_phrases = max(table["phrase"].nunique(), 1)
    y = {"field": "label", "type": "nominal", "sort": [shown[k] for k in keys], "title": None,
         "axis": {"labelLimit": 260}}
    x = {"field": "rate", "type": "quantitative", "title": "per 10,000 words", "scale": {"zero": True}}
    spec = _base(chart, max(60, 24 * len(keys)), rows)
    spec.pop("height")
    spec["facet"] = {"field": "phrase", "type": "nominal", "title": None, "sort": list(dict.fromkeys(r["phrase"] for r in rows)),
                     "header": {"labelFontSize": 13, "labelFontWeight": "bold", "labelLimit": 260}}
    spec["columns"] = min(n_phrases, FACETS_PER_ROW)
    spec["resolve"] = {"scale": {"x": "independent"}}
    spec["spec"] = {"width": width, "height": max(60, 24 * len(keys)), "encoding": {"y": y}, "layer": [
        {"mark": {"type": "bar", "height": {"band": 0.7}},
         "encoding": {"x": x, "color": {"field": "colour", "type": "nominal",
                                        "scale": _colour_scale(cvals, colours, names),
                                        "legend": {} if key_col != colour_col else None},
                      "tooltip": [{"field": "label", "title": "document"}, {"field": "phrase"},
                                  {"field": "count", "title": "times"}, {"field": "n_words", "title": "words",
                                                                         "format": ","},
                                  {"field": "rate", "title": "per 10,000 words", "format": ".2f"}]}},
        {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11, "color": "#444444"},
         "encoding": {"x": x, "text": {"field": "count_text"}}},
    ]}
    return spec


def topic_share_bars(shares: pd.DataFrame, doc_order: list[str], labels: dict | None = None,
                     topic_colours: dict[int, str] | None = None, chart: str = "topic-shares",
                     legend_columns: int = 2) -> dict:
    """Stacked bars: each document's text split into topics (100% per row).

    ``shares``: long form ``doc_id, topic (number), topic_name, share (0..1)``;
    ``doc_order``: documents top to bottom; ``topic_colours``: colour per topic number;
    ``legend_columns``: 1 for a chart in half the page's width (two columns of names overflow it).
    Each data row: ``key, label, topic, topic_name, pct``.
    """
    order = [str(d) for d in doc_order]
    shown = unique_labels(order, labels)
    s = shares[shares["doc_id"].astype(str).isin(set(order))]
    topics = sorted(int(t) for t in s["topic"].unique())
    tname = {int(t): _short(n if isinstance(n, str) and n else f"Topic {t}", 40)
             for t, n in zip(s["topic"], s["topic_name"])}
    rows = [{"key": str(d), "label": shown[str(d)], "topic": int(t), "topic_name": tname[int(t)],
             "pct": round(float(v) * 100, 2)}
            for d, t, v in zip(s["doc_id"], s["topic"], s["share"].fillna(0.0))]
    spec = _base(chart, ROW_PX * len(order) + 80 + 24 * math.ceil(len(topics) / max(1, legend_columns)), rows)
    spec["width"] = "container"
    spec["mark"] = {"type": "bar", "height": {"band": 0.7}}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": [shown[d] for d in order], "title": None,
              "axis": {"labelLimit": 320}},
        "x": {"field": "pct", "type": "quantitative", "stack": "zero", "title": "% of the text",
              "scale": {"domain": [0, 100], "nice": False}, "axis": {"values": [0, 25, 50, 75, 100]}},
        "color": {"field": "topic_name", "type": "nominal",
                  "scale": {"domain": [tname[t] for t in topics],
                            "range": [(topic_colours or {}).get(t, UNKNOWN_COLOUR) for t in topics]},
                  "legend": {"columns": legend_columns, "labelLimit": 200}},
        "order": {"field": "topic", "type": "quantitative"},
        "tooltip": [{"field": "label", "title": "document"}, {"field": "topic_name", "title": "topic"},
                    {"field": "pct", "title": "% of the text", "format": ".0f"}],
    }
    return spec


def picked_keys(event) -> list[str]:
    """The ``key`` of each bar selected in a ``st.vega_lite_chart`` selection event."""
    try:
        points = event.selection[PICK]
    except (AttributeError, KeyError, TypeError):
        return []
    if isinstance(points, dict):
        points = points.get("key", [])
        return [str(k) for k in (points if isinstance(points, list) else [points])]
    return [str(p["key"]) for p in points or [] if isinstance(p, dict) and "key" in p]
