"""Showing untrusted text safely.

Document text, titles, authors and file names come from strangers on the
hosted demo. They are shown as text, never as HTML or Markdown: these helpers
escape them for the two places where we build markup ourselves.
"""

from __future__ import annotations

import html


def html_text(value) -> str:
    """``value`` as text that is safe inside HTML we write (``st.html``)."""
    return html.escape("" if value is None else str(value), quote=True)


def plot_text(value, limit: int | None = None) -> str:
    """``value`` safe for Plotly labels and hover text.

    Plotly renders a few tags (``<b>``, ``<br>``, ``<a href>``) in text, so
    angle brackets and ampersands are escaped; Plotly shows the entities as
    the characters themselves. ``limit`` shortens long text with an ellipsis.
    """
    s = "" if value is None else str(value)
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return html.escape(s, quote=False)
