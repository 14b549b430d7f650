"""Consistent colours: one colour per author, document or group across every chart."""

from __future__ import annotations

# Okabe-Ito (colour-blind safe) followed by Plotly's D3-like qualitative set.
PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
]
UNKNOWN_COLOUR = "#9aa5b1"
POSITIVE = "#1a9850"
NEGATIVE = "#d73027"
NEUTRAL = "#bdbdbd"
# Diverging scale for polarity in [-1, 1].
POLARITY_SCALE = [[0.0, NEGATIVE], [0.5, "#f7f7f7"], [1.0, POSITIVE]]


def colour_map(values) -> dict[str, str]:
    """A colour for each distinct value, in first-seen order; empty/unknown values are grey.

    Pass the values of the whole corpus (not a filtered part) so that an
    author keeps the same colour whatever the filters.
    """
    out: dict[str, str] = {}
    i = 0
    for v in values:
        key = "" if v is None else str(v)
        if key in out:
            continue
        if key.strip() == "" or key.lower().startswith("unknown"):
            out[key] = UNKNOWN_COLOUR
        else:
            out[key] = PALETTE[i % len(PALETTE)]
            i += 1
    return out
