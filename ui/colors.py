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


#: At most this many groups get a colour of their own (the Okabe-Ito colours; an unknown value's
#: grey counts as one); every other group is drawn in :data:`OTHERS_COLOUR` as "all others".
MAX_COLOURS = 8
#: The group key standing for "all the other groups" in charts and tables.
OTHERS = "\u2060all others"  # a word joiner first: no real value starts so, and strip() keeps it
OTHERS_COLOUR = "#cfd5dc"


def group_colour_map(values, n: int = MAX_COLOURS) -> dict[str, str]:
    """A colour per group value, none repeated: the ``n`` groups with the most documents
    (``values``: one group value per document of the whole corpus, so that colours stay put
    whatever the filters; ties in first-seen order) get a colour each (an empty or unknown value
    grey), every other value :data:`OTHERS_COLOUR`, as does :data:`OTHERS` itself.

    The dict lists the top groups by size, then :data:`OTHERS`, then the rest (legends follow
    this order)."""
    counts: dict[str, int] = {}
    for v in values:
        key = "" if v is None else str(v)
        counts[key] = counts.get(key, 0) + 1
    order = sorted(counts, key=lambda k: -counts[k])  # stable: ties keep first-seen order
    top, rest = order[:n], order[n:]
    out: dict[str, str] = {}
    i = 0
    for key in top:
        if key.strip() == "" or key.lower().startswith("unknown"):
            out[key] = UNKNOWN_COLOUR
        else:
            out[key] = PALETTE[i]
            i += 1
    out[OTHERS] = OTHERS_COLOUR
    out.update({k: OTHERS_COLOUR for k in rest})
    return out


def lump(value, colours: dict[str, str]) -> str:
    """``value`` itself when it has a colour of its own in ``colours``
    (:func:`group_colour_map`), else :data:`OTHERS`."""
    key = "" if value is None else str(value)
    return key if key in colours and colours[key] != OTHERS_COLOUR else OTHERS


def n_coloured(colours: dict[str, str]) -> int:
    """How many groups have a colour of their own (the rest are "all others")."""
    return sum(1 for k, c in colours.items() if k != OTHERS and c != OTHERS_COLOUR)


def others_name(colours: dict[str, str]) -> str:
    """The legend name of the lumped groups: "All others (125)"."""
    return f"All others ({sum(1 for k, c in colours.items() if k != OTHERS and c == OTHERS_COLOUR):,})"
