"""Tone around a phrase, as a Vega-Lite spec: per document, group or year, the mean tone of the
text around the phrase's occurrences (a dot, with its 95% interval as a whisker) beside the tone
of the same text as a whole (a grey diamond).

A pure function ``DataFrame -> dict`` (no Streamlit), used by the Overview (which draws only
Vega-Lite, see :mod:`ui.charts.glance`) and the Terms & phrases page. Vega draws text as
SVG/canvas text, never as HTML, so corpus text needs no escaping here; it is only shortened.
A click selects a row: the selection parameter :data:`ui.charts.glance.PICK` holds its ``key``.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.methods.phrase_tone import MIN_SURE, direction
from ui.charts.glance import PICK, unique_labels
from ui.colors import NEGATIVE, NEUTRAL, POSITIVE

ROW_PX = 34
OVERALL_COLOUR = "#6b6b6b"
#: The dot of a row with fewer than MIN_SURE occurrences: hollow (white inside its outline), no direction.
TOO_FEW = f"under {MIN_SURE} occurrences: too few to tell"
TOO_FEW_COLOUR = "#ffffff"


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _short(text, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _base(chart: str, height: int, rows: list[dict]) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "usermeta": {"chart": chart},
            "data": {"values": rows}, "height": height,
            "config": {"view": {"stroke": None}, "axis": {"labelOverlap": False},
                       "legend": {"orient": "top", "labelLimit": 260}}}


def tone_near_dots(table: pd.DataFrame, labels: dict | None = None, value_label: str = "TextBlob polarity",
                   near_label: str = "the sentences about the phrase", chart: str = "phrase-tone") -> dict:
    """One row per document or group (top to bottom in ``table``'s order).

    ``table``: rows of :func:`analysis.phrase_tone.tone_near` for ONE phrase, context and
    method: ``group, n, mean, lo, hi, overall`` (and ``reading``, shown in the tooltip);
    ``labels``: group -> display name. The dot is the mean around the phrase, green when
    above the tone as a whole and red when below, hollow when it rests on fewer than
    :data:`~analysis.methods.phrase_tone.MIN_SURE` occurrences (too few to call a direction,
    as the readings say); the whisker its 95% interval over the occurrences (none for one
    occurrence); the grey diamond the tone as a whole.
    Each data row: ``key, label, name, value, lo, hi, overall, n, counts, side, reading``.
    """
    t = table.reset_index(drop=True)
    keys = t["group"].astype(str).tolist()
    named = {k: (labels or {}).get(k) or k or "Unknown" for k in keys}
    shown = unique_labels(keys, named)
    rows, extent = [], []
    for i, k in enumerate(keys):
        v, a, b, o = (_num(t.at[i, c]) for c in ("mean", "lo", "hi", "overall"))
        n = int(t.at[i, "n"])
        side = TOO_FEW if n < MIN_SURE else direction(v, o) or "about the same"
        rows.append({"key": k, "label": shown[k], "name": _short(named[k], 200), "value": v, "lo": a, "hi": b,
                     "overall": o, "n": n, "counts": f"{n} occurrence{'s' if n != 1 else ''}", "side": side,
                     "interval": f"{a:+.3f} to {b:+.3f}" if a is not None and b is not None else "none (one occurrence)",
                     "reading": _short(t.at[i, "reading"], 300) if "reading" in t else ""})
        extent += [x for x in (v, a, b, o) if x is not None]
    m = max([abs(x) for x in extent] + [0.05]) * 1.15
    x_scale = {"domain": [-m, m], "nice": False, "zero": True}
    y = {"field": "label", "type": "nominal", "sort": [shown[k] for k in keys], "title": None,
         "axis": {"labelLimit": 320}}
    # Streamlit fits the whole chart, legend (two lines) and axis (~120 px together) included, into the height.
    spec = _base(chart, ROW_PX * len(keys) + 170, rows)
    spec["width"] = "container"
    x = {"field": "value", "type": "quantitative", "title": value_label, "scale": x_scale}
    tooltip = [{"field": "name", "title": "who"}, {"field": "value", "title": "around the phrase", "format": "+.3f"},
               {"field": "interval", "title": "95% interval"}, {"field": "overall", "title": "text as a whole",
                                                                 "format": "+.3f"},
               {"field": "counts", "title": "based on"}, {"field": "reading", "title": "in words"}]
    side_scale = {"domain": ["more negative", "about the same", "more positive", TOO_FEW],
                  "range": [NEGATIVE, NEUTRAL, POSITIVE, TOO_FEW_COLOUR]}
    spec["layer"] = [
        {"mark": {"type": "rule", "color": "#999999"},
         "encoding": {"x": {"datum": 0, "type": "quantitative", "scale": x_scale}}},
        {"mark": {"type": "rule", "color": "#bbbbbb", "strokeDash": [3, 3]},
         "encoding": {"y": y, "x": {"field": "overall", "type": "quantitative", "scale": x_scale}, "x2": {"field": "value"}}},
        {"mark": {"type": "rule", "color": "#444444", "strokeWidth": 1.5},
         "encoding": {"y": y, "x": {"field": "lo", "type": "quantitative", "scale": x_scale}, "x2": {"field": "hi"}}},
        {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 90, "color": OVERALL_COLOUR},
         "encoding": {"y": y, "x": {"field": "overall", "type": "quantitative", "scale": x_scale},
                      "tooltip": tooltip}},
        {"mark": {"type": "circle", "size": 150, "cursor": "pointer", "stroke": "#333333", "strokeWidth": 0.5},
         "params": [{"name": PICK, "select": {"type": "point", "fields": ["key"]}}],
         "encoding": {"y": y, "x": x,
                      "color": {"field": "side", "type": "nominal", "scale": side_scale,
                                "legend": {"title": f"{_short(near_label, 60)}, against the text as a whole "
                                                    "(grey diamond)", "orient": "top", "titleLimit": 600}},
                      "fillOpacity": {"condition": {"param": PICK, "empty": True, "value": 1}, "value": 0.35},
                      "tooltip": tooltip}},
    ]
    return spec
