"""Showing plain readings (:mod:`analysis.plain`) beside a number or chart.

A reading is one sentence in everyday English; it may quote corpus text (names, terms),
so it is shown escaped inside ``st.html``, never as Markdown. Each reading carries the
class ``plain-reading`` (tests and the browser find it by that)."""

from __future__ import annotations

import streamlit as st

from .safe import html_text

STYLE = ("margin:0.25em 0 0.6em 0;padding:0.35em 0.7em;border-left:3px solid #0072B2;background:#f3f7fb;"
         "color:#1f2a33;font-size:0.95rem;line-height:1.5")


def reading_html(*sentences: str) -> str:
    """The sentences as one escaped HTML paragraph (empty ones left out)."""
    text = " ".join(s for s in sentences if s)
    return f'<p class="plain-reading" style="{STYLE}">{html_text(text)}</p>'


def reading(*sentences: str, where=None) -> None:
    """Draw the sentences as a plain reading (in ``where``, a container or column, if given)."""
    if not any(sentences):
        return
    (where or st).html(reading_html(*sentences))
