"""Showing plain readings (:mod:`analysis.plain`) beside a number or chart.

A reading is one sentence in everyday English; it may quote corpus text (names, terms),
so it is shown escaped inside ``st.html``, never as Markdown. Each reading carries the
class ``plain-reading`` (tests and the browser find it by that)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import plain

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


def highest_rate(table: pd.DataFrame, key: str, who, after: str = "") -> list[str]:
    """The readings of a phrase-rate table (rows ``key, phrase, count, n_words, rate_per_10k``): the
    row with the highest rate in words (:func:`analysis.plain.rate`), then ``after``, then
    :func:`analysis.plain.rate_caution` when that rate rests on a use or two in a short text, naming
    the row with the most uses. ``who(value of key)`` names a row's text or group."""
    top = table.sort_values("rate_per_10k", ascending=False, kind="stable").iloc[0]
    most = table.sort_values(["count", "rate_per_10k"], ascending=False, kind="stable").iloc[0]
    used = (who(most[key]), most["phrase"], most["count"], most["n_words"])
    return [plain.rate(top["phrase"], top["count"], top["n_words"], who(top[key])), after,
            plain.rate_caution(top["count"], top["n_words"], used)]
