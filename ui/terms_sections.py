"""Pieces of the Terms & phrases and Compare pages: the phrase editor, drill-down
tables, term settings and the keyness view.

Streamlit code, kept out of the pages so they stay short. Untrusted text
(document text, titles, phrases from the URL) is shown only in tables,
``st.text`` and widget options; messages quote a phrase with :func:`md_code`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import plain
from analysis.corpus.labels import format_date

from . import cached_terms as ct
from . import corpus_cache
from . import data
from .charts import keyness as keyness_charts
from .charts import phrases as phrase_charts
from .charts import similarity as similarity_charts
from .charts.keyness import MEASURES
from .colors import NEGATIVE, OTHERS, POSITIVE, lump  # noqa: F401 - OTHERS for the pages
from .data import CHART_HASH
from .downloads import download_button
from .readings import reading
from .sidebar import widget
from .state import MAX_PHRASE_CHARS, MAX_PHRASES, View, clean_phrases

#: Plain-language explanations for the jargon (widget and column tooltips).
GLOSSARY = {
    "rate": "Occurrences per 10,000 words of text, so that long and short texts can be compared.",
    "doc_freq": "Document frequency: in how many documents the term occurs at least once.",
    "g2": "Log-likelihood G2: how sure we can be that the difference in frequency is not chance, given how "
          "much text there is. 3.84 ≈ p < 0.05, 10.83 ≈ p < 0.001. Shown with a sign: positive = more typical "
          "of the first side, negative = of the second.",
    "log_ratio": "Log Ratio: how many times more often one side uses the term, as a power of 2. +1 = twice as "
                 "often on the first side, +2 = four times, −1 = half as often. It measures how big the "
                 "difference is, not how sure it is.",
    "logodds_z": "Log-odds z (Monroe, Colaresi & Quinn's 'fightin' words'): the difference in use of the term, "
                 "shrunk towards the corpus average so that rare words do not dominate, divided by its "
                 "uncertainty. Beyond ±1.96 counts as distinctive.",
    "p_value": "Chance of a G2 this large if both sides used the term equally often. Many terms are tested "
               "at once, so read it as a ranking aid, not as proof.",
    "cosine": "Cosine similarity of the texts' word weights (tf-idf): 1 = the same words in the same "
              "proportions, 0 = no word in common. Words used in every text count less.",
}


class Scope(NamedTuple):
    """What the Terms and Compare pages start from: the filtered documents and how they group."""

    docs: pd.DataFrame
    by: str            # the group-by column
    by_md: str         # its name, safe inside Markdown
    labels: dict       # doc_id -> display label
    colours: dict      # group value -> colour, fixed over the whole corpus
    group_of: dict     # doc_id -> group value
    group_names: dict  # group value -> display name ("Unknown author" for ""; OTHERS: "All other authors (125)")
    colour_of: dict    # doc_id -> the group value when it has a colour of its own, else ui.colors.OTHERS


def scope(view: View) -> Scope:
    docs = data.filtered(view).docs
    by = view.group_by
    colours = ct.group_colours(view)
    group_of = dict(zip(docs["doc_id"], ct.group_values(docs, by)))
    names = {v: ct.group_label(by, v) for v in set(group_of.values())}
    n_other = sum(1 for g in names if lump(g, colours) == OTHERS)
    names[OTHERS] = f"All others ({n_other:,})"
    return Scope(docs, by, md_name(by), ct.doc_labels(view), colours, group_of, names,
                 {d: lump(g, colours) for d, g in group_of.items()})


_BUILDERS = {
    "phrase_bars": phrase_charts.phrase_bars,
    "phrase_timeline": phrase_charts.phrase_timeline,
    "dispersion": phrase_charts.dispersion,
    "top_terms_bars": keyness_charts.top_terms_bars,
    "keyness_bars": keyness_charts.keyness_bars,
    "similarity_heatmap": similarity_charts.similarity_heatmap,
}


@corpus_cache.any_corpus
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600, hash_funcs=CHART_HASH)
def chart(builder: str, *args, **kwargs) -> go.Figure:
    """A chart of ``ui/charts`` built once per distinct input (Plotly figures are
    slow to build). ``builder`` names the function, e.g. ``"phrase_bars"``. The
    figure is shared: never change it."""
    return _BUILDERS[builder](*args, **kwargs)


@corpus_cache.any_corpus
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600)
def _chart_keyed(builder: str, cache_key: tuple, _args: tuple, _kwargs: dict) -> go.Figure:
    return _BUILDERS[builder](*_args, **_kwargs)


def chart_keyed(builder: str, cache_key: tuple, *args, **kwargs) -> go.Figure:
    """Like :func:`chart`, but cached by ``cache_key`` alone (which must say everything
    the inputs depend on): for inputs too big to hash on every rerun."""
    return _chart_keyed(builder, cache_key, args, kwargs)


def md_code(text: str) -> str:
    """Untrusted text quoted as inline code in a Markdown message (shown literally)."""
    s = " ".join(str(text).replace("`", "'").split())
    return f"`{s}`"


def md_name(name: str) -> str:
    """A column name (from the user's metadata) safe inside Markdown: plain when it is
    only letters, digits, spaces and underscores, else quoted as code."""
    s = str(name)
    if re.fullmatch(r"[A-Za-z0-9 _]{1,40}", s):
        return s.replace("_", "\\_")
    return md_code(s)


def selected_points(event) -> list[list]:
    """The ``customdata`` of the points selected in a ``st.plotly_chart`` event."""
    try:
        points = event.selection.points
    except AttributeError:
        return []
    return [p["customdata"] for p in points if p.get("customdata") is not None]


# --------------------------------------------------------------------------- phrases

def _add_phrase() -> None:
    view: View = st.session_state["view"]
    new = st.session_state.get("w_new_phrase", "")
    ok, bad = ct.check_phrases([new])
    if bad:
        st.session_state["terms_add_msg"] = ("error", bad[0][1])
    elif ok:
        current = clean_phrases(view.phrases)
        if len(current) >= MAX_PHRASES:
            st.session_state["terms_add_msg"] = ("error", f"At most {MAX_PHRASES} phrases can be tracked.")
        else:
            view.phrases = clean_phrases(current + ok)
    st.session_state["w_new_phrase"] = ""


def phrase_editor(view: View) -> list[str]:
    """The tracked phrases: a list to remove from and a box to add to. Returns the usable phrases."""
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c1:
        st.multiselect("Tracked phrases", view.phrases, key="w_phrases", placeholder="No phrase tracked",
                       on_change=widget("w_phrases", view, "phrases"),
                       help="Remove a phrase with its ×. Tracked phrases are part of the page's link.")
    with c2, st.form("add_phrase_form", border=False, enter_to_submit=True):
        a, b = st.columns([4, 1], vertical_alignment="bottom")
        a.text_input("Add a phrase", key="w_new_phrase", max_chars=MAX_PHRASE_CHARS,
                     placeholder="e.g. take back control",
                     help="Case does not matter; 'left-behind' finds 'left behind' too; * stands for any one "
                          "word ('left * behind').")
        b.form_submit_button("Add", on_click=_add_phrase, type="primary")
    msg = st.session_state.pop("terms_add_msg", None)
    if msg:
        st.error(f"That phrase was not added: {md_code(msg[1])}")
    ok, bad = ct.check_phrases(view.phrases)
    for phrase, why in bad:
        st.warning(f"{md_code(phrase)} cannot be searched for ({md_code(why)}); remove it.")
    return ok


def never_found(counts: pd.DataFrame, plist: list[str], n_docs: int) -> list[str]:
    """Say plainly which phrases never occur in the filtered documents; returns those that do."""
    totals = counts.groupby("phrase")["count"].sum() if len(counts) else pd.Series(dtype=int)
    found = []
    for p in plist:
        if int(totals.get(p, 0)) == 0:
            st.info(f"{md_code(p)} never occurs in the {n_docs:,} selected document(s).",
                    icon=":material/search_off:")
        else:
            found.append(p)
    return found


def busiest(table: pd.DataFrame, key: str, limit: int, what: str) -> pd.DataFrame:
    """Rows of the ``limit`` items (documents, groups) with the highest total rate, when
    there are more items than that (items with no hit at all are left out); says so in a caption."""
    totals = table.groupby(key, sort=False)["rate_per_10k"].sum()
    if len(totals) <= limit:
        return table
    keep = totals[totals > 0].nlargest(limit).index
    st.caption(f"Showing the {len(keep):,} {what} with the highest rates, of {len(totals):,} "
               f"({int((totals == 0).sum()):,} never use these phrases); the CSV has them all.")
    return table[table[key].isin(keep)]


def kwic_table(lines: pd.DataFrame, labels: dict, key: str, height: int | str = "auto",
               limit: int = 5000) -> None:
    """Keyword-in-context lines as a table (document, offsets, left | match | right) with a CSV button."""
    shown = lines.assign(document=lines["doc_id"].map(labels).fillna(lines["doc_id"]))
    shown = shown[["left", "match", "right", "document", "doc_id", "start", "end", "phrase"]]
    if height == "auto" or len(shown) <= 12:
        height = "auto"
    if len(shown) > limit:
        st.caption(f"Showing the first {limit:,} of {len(shown):,} lines; the CSV has them all.")
    st.dataframe(shown.head(limit), hide_index=True, width="stretch", height=height, key=f"{key}_table",
                 column_config={
                     "left": st.column_config.TextColumn("left context", alignment="right", width="large"),
                     "match": st.column_config.TextColumn("match", width="medium"),
                     "document": st.column_config.TextColumn("document", width="medium"),
                     "right": st.column_config.TextColumn("right context", width="large"),
                     "start": st.column_config.NumberColumn("start", help="Character offset of the match "
                                                            "in the cleaned text."),
                     "end": st.column_config.NumberColumn("end", help="Character offset where the match ends."),
                 })
    download_button("Download these lines (CSV)", shown, f"{key}.csv", key=f"{key}_dl")


def hits_in_context(view: View, picks: list[tuple[str, str, int | None]], labels: dict, key: str,
                    window: int = 10) -> None:
    """Drill-down: the KWIC lines behind selected bars/points. ``picks``: ``(doc_id or None, phrase,
    start or None)``; None matches anything."""
    plist = list(dict.fromkeys(p for _, p, _ in picks))
    lines = ct.kwic_lines(view, plist, window=window)
    mask = pd.Series(False, index=lines.index)
    for doc, phrase, start in picks:
        m = lines["phrase"] == phrase
        if doc is not None:
            m &= lines["doc_id"] == doc
        if start is not None:
            m &= lines["start"] == start
        mask |= m
    sel = lines[mask]
    if sel.empty:
        st.info("No occurrence behind this selection.")
    else:
        st.markdown(f"**{len(sel):,} occurrence(s) behind your selection:**")
        kwic_table(sel, labels, key=key)


def timeline_section(view: View, found: list[str], docs: pd.DataFrame, labels: dict, colours: dict) -> None:
    """Rates per year (per month when every dated document falls in one year) of the phrases that
    occur, with documents per period and drill-down to the lines of a clicked period; or a plain
    reason why there is no timeline."""
    st.subheader("Over time", help=GLOSSARY["rate"])
    tl = ct.phrase_timeline(view, found)
    undated = tl.attrs.get("undated_docs", 0)
    if tl["period"].nunique() == 1:
        monthly = ct.phrase_timeline(view, found, freq="month")
        if monthly["period"].nunique() >= 2:
            tl = monthly
    if tl["period"].nunique() >= 2:
        ev = st.plotly_chart(chart("phrase_timeline", tl, colours), key="terms_timeline", on_select="rerun",
                             selection_mode="points", config={"displaylogo": False})
        reading(*timeline_readings(tl))
        st.caption("Each point: the phrase's rate per 10,000 words over all documents of that "
                   + ("month" if len(str(tl["period"].iloc[0])) > 4 else "year")
                   + "; the bars below count the documents behind it. A hollow point rests on fewer than "
                   f"{phrase_charts.MIN_DOCS} documents; a break in the line is a period with no documents."
                   + (f" {undated:,} undated document(s) are left out." if undated else ""))
        periods = {c[0]: c[1] for c in selected_points(ev) if c and c[0]}
        picks = [(d, p, None) for y, p in periods.items() for d, dt in zip(docs["doc_id"], docs["date"])
                 if str(dt).strip().startswith(y)]
        if picks:
            hits_in_context(view, picks, labels, key="drill_years")
        download_button("Download rates per period (CSV)", tl, "phrases_per_period.csv", key="dl_phrase_years")
    elif len(docs) - undated == 0:
        st.info("No timeline: none of the selected documents has a date.")
    else:
        st.info(f"No timeline: the {len(docs) - undated:,} dated document(s) all fall in "
                f"{tl['period'].iloc[0]}; a timeline needs dates in at least two years or months"
                + (f" ({undated:,} document(s) have no date)." if undated else "."))


def timeline_readings(tl: pd.DataFrame) -> list[str]:
    """Plain readings of a timeline: each phrase's highest period, and how many periods rest on
    fewer than :data:`ui.charts.phrases.MIN_DOCS` documents."""
    out = []
    for phrase, sub in tl.groupby("phrase", sort=False):
        top = sub.loc[sub["rate_per_10k"].idxmax()]
        when = format_date(top["period"])
        out.append(f"'{phrase}' is used most in {when}: about {top['rate_per_10k']:,.1f} times per "
                   f"10,000 words ({plain.time_point(when, int(top['n_docs']))}).")
    periods = tl.drop_duplicates("period")
    thin = periods[periods["n_docs"] < phrase_charts.MIN_DOCS]
    if len(thin):
        out.append(f"{len(thin)} of the {len(periods)} periods rest on fewer than {phrase_charts.MIN_DOCS} "
                   "documents (hollow points): too few to read much into.")
    return out


# --------------------------------------------------------------------------- terms

TABLE_SIDE = 500
NGRAM_LABELS = {1: "single words", 2: "2-word phrases", 3: "3-word phrases"}


def _words(text: str) -> list[str]:
    return [w.strip() for w in str(text or "").replace("\n", ",").split(",") if w.strip()]


def term_settings(key: str = "terms") -> tuple[int, list[str], list[str]]:
    """N-gram size and stopword edits (kept for the session). Returns ``(ngram, add, remove)``."""
    with st.expander("Advanced: which words count (single words or phrases, stopwords)", icon=":material/tune:"):
        ngram = st.segmented_control("Terms made of", list(NGRAM_LABELS), format_func=NGRAM_LABELS.get,
                                     default=1, key=f"w_{key}_ngram", required=True, persist_state="session",
                                     help="Single words, or runs of 2 or 3 words that do not cross punctuation.")
        st.caption("Stopwords: common words left out of the lists.")
        c1, c2 = st.columns(2)
        add = _words(c1.text_area("Also leave out (comma-separated)", key="w_stop_add", height=80,
                                  persist_state="session", placeholder="e.g. government, people"))
        remove = _words(c2.text_area("Keep these after all (comma-separated)", key="w_stop_remove", height=80,
                                     persist_state="session", placeholder="e.g. us, against",
                                     help="Words to take off the default list (scikit-learn's English "
                                          "stopwords, with a few content words kept)."))
        words = ct.stopword_list(add, remove)
        st.caption(f"{len(words):,} stopwords in use. They still count in the word totals behind every "
                   "rate; a 2- or 3-word term is left out when it starts or ends with one.")
        st.text(", ".join(words))
    return int(ngram or 1), add, remove


def keyness_view(table: pd.DataFrame, target_label: str, reference_label: str, key: str,
                 target_colour: str = POSITIVE, reference_colour: str = NEGATIVE,
                 sides: tuple[str, str] | None = None) -> None:
    """Diverging bars and the full table of distinctive terms, with plain readings of the top term
    on each side, tooltips and CSV. ``sides``: the two sides as they read after "in" ("the texts of
    Labour", "the other texts"; default the labels)."""
    with st.expander("Advanced: how terms are ranked", icon=":material/tune:"):
        c1, c2 = st.columns(2)
        measure = c1.selectbox("Rank terms by", list(MEASURES), format_func=MEASURES.get, key=f"w_{key}_measure",
                               persist_state="session",
                               help=" · ".join(f"{MEASURES[m]}: {GLOSSARY[m]}" for m in MEASURES))
        n = c2.slider("Terms on each side", 5, 40, 10, key=f"w_{key}_n", persist_state="session")
    if table.empty:
        st.info("No term is frequent enough on either side to compare. Lower the minimum count or pick "
                "larger groups.")
        return
    a, b = sides or (target_label, reference_label)
    if not (table["g2"].abs() > 0).any():  # no bar to draw: an empty chart would say nothing
        reading(plain.no_distinctive_term(len(table), a, b))
        return
    if not (table["p_value"] < 0.05).any():  # said first, so that no bar below reads as a finding
        reading(plain.no_clear_difference(len(table), a, b))
    for part in (table[table["g2"] > 0].nlargest(1, "g2"), table[table["g2"] < 0].nsmallest(1, "g2")):
        for r in part.itertuples(index=False):
            reading(plain.keyness(r.term, r.rate_target, r.rate_reference, r.count_target, r.count_reference,
                                  r.p_value, a, b))
    fig = chart("keyness_bars", table, measure=measure, n=n, target_label=target_label, reference_label=reference_label,
                       target_colour=target_colour, reference_colour=reference_colour, chart=key)
    st.plotly_chart(fig, key=f"{key}_chart", config={"displaylogo": False})
    st.caption("Bars to the right: words the first side uses more than the second; to the left: words the "
               "second side uses more. Hover a bar for the counts.")
    shown = table if len(table) <= 2 * TABLE_SIDE else pd.concat([table.head(TABLE_SIDE), table.tail(TABLE_SIDE)])
    box = st.expander(f"Every term compared: counts and measures ({len(table):,} terms)", icon=":material/table:")
    if len(shown) < len(table):
        box.caption(f"The table shows the {TABLE_SIDE} most distinctive terms of each side, of {len(table):,}; "
                    "the CSV has them all.")
    box.dataframe(shown, hide_index=True, width="stretch", height=320, key=f"{key}_table", column_config={
        "ngram": st.column_config.NumberColumn("words", help="Words in the term."),
        "count_target": st.column_config.NumberColumn("count (1st)", help="Occurrences on the first side."),
        "count_reference": st.column_config.NumberColumn("count (2nd)", help="Occurrences on the second side."),
        "rate_target": st.column_config.NumberColumn("per 10k (1st)", help=GLOSSARY["rate"], format="%.2f"),
        "rate_reference": st.column_config.NumberColumn("per 10k (2nd)", help=GLOSSARY["rate"], format="%.2f"),
        "g2": st.column_config.NumberColumn("G2", help=GLOSSARY["g2"], format="%.2f"),
        "p_value": st.column_config.NumberColumn("p", help=GLOSSARY["p_value"], format="%.4f"),
        "log_ratio": st.column_config.NumberColumn("Log Ratio", help=GLOSSARY["log_ratio"], format="%.2f"),
        "logodds_z": st.column_config.NumberColumn("log-odds z", help=GLOSSARY["logodds_z"], format="%.2f"),
    })
    with box:
        download_button("Download distinctive terms (CSV)", table, f"{key}.csv", key=f"{key}_dl")


def phrases_of(view: View) -> list[str]:
    """The usable tracked phrases (normalised), without drawing anything."""
    return ct.check_phrases(view.phrases)[0]



def closest_pair(matrix: pd.DataFrame, labels: dict) -> str:
    """The plain reading of a similarity matrix: the most alike pair of different rows."""
    import numpy as np

    z = matrix.to_numpy(dtype=float).copy()
    if z.shape[0] < 2:
        return ""
    np.fill_diagonal(z, np.nan)
    if np.isnan(z).all():
        return ""
    i, j = np.unravel_index(np.nanargmax(z), z.shape)
    a, b = str(matrix.index[i]), str(matrix.columns[j])
    reading = plain.similarity(z[i, j], labels.get(a, a), labels.get(b, b))
    if z[i, j] < plain.SIMILARITY_LITTLE:  # "most alike" would suggest they are alike
        return "No two of these share much vocabulary. Even the closest pair: " + reading
    return "Most alike: " + reading
