"""Sections of the Topics page: the Advanced settings, the plain summary, one topic read closely.

Every number the page shows comes with one plain sentence
(:mod:`analysis.methods.topic_readings`); the technical names (NMF, relevance λ,
average Jaccard) are in help icons and on the Methods page.
"""

from __future__ import annotations

import streamlit as st

from analysis.methods import topic_readings as readings
from analysis.methods.topics import SPEECH_STOPWORDS

from . import cached_topics as ct
from .charts import topics as charts
from .downloads import download_button
from .readings import reading

PLAIN = dict(config={"displaylogo": False})
UNIT_NAMES = {"auto": "Automatic", "documents": "Documents", "paragraphs": "Paragraphs", "sentences": "Sentences"}
LAMBDA_DEFAULT = 0.6
HELP = {
    "k": "How many topics to look for. Automatic tries 2 to 12 and keeps the number whose topics do not share "
         "their leading words and come back most reliably when the model is refitted on resampled text "
         "(tab 'How many topics?'; Methods page).",
    "units": "What counts as one piece of text. Automatic: whole documents for 30 documents or more, else "
             "paragraphs (or sentences if there are few paragraphs).",
    "lambda": "Relevance λ (Sievert & Shirley 2014, as in pyLDAvis). 1 ranks a topic's words by how much they "
              "weigh in it, so common words come first; 0 by how exclusive they are to it, so rare, specific "
              "words come first. 0.6 is usually easiest to read. Moving it never recomputes the topics.",
    "stability": "Stability: the topics are recomputed on {n_res} random samples of {frac:.0%} of the texts and "
                 "each topic's {n} leading words compared with the originals (average Jaccard, Greene et al. "
                 "2014). 1 = always the same words, 0 = never.",
    "stop": "Common words are left out before topics are found: English function words and, for speeches, "
            "parliamentary formulas (forms of address, offices, the verbs of asking and thanking). Changing "
            "them recomputes the topics.",
    "passages": "For each topic: the passages (a few sentences) whose words express it most strongly, one per "
                "document, among the documents the sidebar filters keep.",
}


def advanced():
    """The Advanced expander (units, relevance λ, left-out words); returns ``(box, k_column, units, lam)``.
    The number of topics goes into ``k_column`` (:func:`k_control`) once the automatic choice is known."""
    box = st.expander("Advanced: number of topics, text units, word ranking, left-out words")
    c1, c2, c3 = box.columns(3)
    units = c2.selectbox("Text units", list(UNIT_NAMES), key="w_topic_units", help=HELP["units"],
                         format_func=UNIT_NAMES.get)
    lam = c3.slider("Word ranking (relevance λ)", 0.0, 1.0, LAMBDA_DEFAULT, 0.1, key="w_topic_lambda",
                    help=HELP["lambda"])
    s1, s2 = box.columns(2)
    s1.text_area("Also leave out these words (comma-separated)", key=ct.STOP_ADD, height=68,
                 placeholder="e.g. covid, coronavirus", help=HELP["stop"])
    s2.text_area("Keep these words after all (comma-separated)", key=ct.STOP_REMOVE, height=68,
                 placeholder="e.g. minister, state", help=HELP["stop"])
    box.caption("Left out for speeches by default: " + ", ".join(sorted(SPEECH_STOPWORDS)) + ".")
    return box, c1, units, lam


def summary(topics, n_docs: int, n_filtered: int, units: str) -> None:
    """The plain sentences above the tabs: how many topics and why, how stable, what a unit is."""
    model, auto = topics.model, topics.auto
    n_units = int(model.unit_table_["fitted"].sum())
    resampling = dict(n_res=model.n_resamples, frac=model.sample_frac, n=model.n_stability_terms)
    reading(readings.describe_k(model.k_, auto.k_, user=model is not auto, tentative="tentative" in auto.k_reason_),
            readings.describe_stability(model.stability_))
    st.caption("How the number of topics and their stability are worked out: tab 'How many topics?' and the "
               "Methods page.", help=HELP["stability"].format(**resampling))
    if model.units_ != "documents":
        why = ("With so few documents, topics found per document would only repeat the documents, so "
               if units == "auto" else "As you chose, ")
        st.caption(f"{why}topics are found among the {n_units:,} {model.units_} of at least {model.min_unit_words} "
                   f"words in the {n_docs:,} documents; a document's share of a topic is the word-weighted mean "
                   f"over its {model.units_}.")
    if n_filtered < n_docs:
        st.caption(f"Topics are found on the whole corpus ({n_docs:,} documents), so they do not change when you "
                   f"filter; the shares and passages show the {n_filtered:,} document(s) the sidebar keeps.")


def k_control(box, column, view, topics, bind) -> None:
    """The number-of-topics select box in the Advanced expander (0 = automatic)."""
    options = [0] + list(range(2, topics.k_max + 1))
    if view.k not in options:
        view.k = None
    st.session_state["w_topic_k"] = view.k or 0
    column.selectbox("Number of topics", options, key="w_topic_k", help=HELP["k"],
                     on_change=bind("w_topic_k", "k", lambda k: k or None),
                     format_func=lambda k: f"Automatic ({topics.auto.k_})" if not k else str(k))


def overview(topics, ids, terms, model) -> None:
    """One row per topic: its name, leading words, weight and the weight's plain reading (a table
    that wraps its text, so every word and sentence can be read without hovering)."""
    table = ct.topic_overview(topics, ids, terms).drop(columns=["passages"])
    table = table.rename(columns={"topic": "Topic", "terms": "Most relevant words", "share": "% of the text",
                                  "reading": "What this means"}).set_index("Topic")
    table["% of the text"] = [f"{v:.1f}" for v in table["% of the text"]]
    st.table(table)
    st.caption("Each topic is named by its most distinctive words: words more typical of it than of any other "
               "topic. The words are listed by relevance (see 'Advanced').", help=HELP["lambda"])
    download_button("Download topic words (CSV)", terms.assign(topic=terms["topic"] + 1), "topic_terms.csv",
                    key="dl_topic_terms")


def one_topic(view, topics, ids, terms, lam, labels, pick: int) -> None:
    """A topic read closely: its weight in a sentence, its words as bars, its most typical passages."""
    row = ct.topic_overview(topics, ids, terms).iloc[pick]
    reading(row["reading"])
    words = terms[terms["topic"] == pick].head(10)
    st.plotly_chart(charts.term_bars(words, topics.colours[pick]), key="topic_terms", **PLAIN)
    reading(readings.describe_relevance(lam))
    st.caption("Coloured bar: the word's share of this topic; grey bar: its share of all texts. Hover a bar for "
               "what it means.", help=HELP["lambda"])
    st.subheader("Most typical passages", help=HELP["passages"])
    passages = ct.typical_passages(view, topics, ids, pick)
    if passages.empty:
        st.info("None of the filtered documents expresses this topic.")
    for _, r in passages.iterrows():
        with st.container(border=True):
            st.text(f"{labels.get(r['doc_id'], r['doc_id'])}  ·  {r['share']:.0%} of this passage is on this topic")
            st.text(r["text"])


# --------------------------------------------------------------------------- secondary tabs

SELECT = dict(on_select="rerun", selection_mode=("points", "box", "lasso"), config={"displaylogo": False})
#: Above this many heat-map rows the chart sits in a scrolling box, so the page stays short.
SCROLL_ROWS = 20


def picked(event) -> list:
    """customdata of the points selected in a chart."""
    return [p["customdata"] for p in (event.selection.points if event else []) if p.get("customdata")]


def show_units(rows, labels: dict, names: dict, key: str) -> None:
    """A drill-down table of passages (text shown as data, never as Markdown) with its download."""
    if rows.empty:
        st.info("No passage of this selection has a noticeable share (5% or more) of this topic.")
        return
    table = rows.assign(document=rows["doc_id"].map(labels), topic=rows["topic"].map(names),
                        share=(rows["weight"] * 100).round(1))[["document", "topic", "share", "n_words", "text"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "share": st.column_config.NumberColumn("% on the topic", help="How much of the passage's topic mix is this topic"),
        "n_words": st.column_config.NumberColumn("words"),
        "text": st.column_config.TextColumn("passage", width="large")})
    download_button("Download these passages (CSV)", table, "topic_passages.csv", key=f"dl_{key}", labels=labels)


def who_writes(view, topics, docs, ids, labels) -> None:
    """The heat map of topic shares per document or per group, with drill-down."""
    model, names = topics.model, topics.names
    by = view.group_by
    row_opts = ["document"] + (["group"] if by in docs.columns and by != "doc_id" else [])
    if st.session_state.get("w_topic_rows") not in row_opts:  # first visit, or no group column any more
        st.session_state["w_topic_rows"] = row_opts[-1] if len(docs) > 40 else "document"
    rows_by = st.radio("One row per", row_opts, horizontal=True, key="w_topic_rows",
                       format_func={"document": "Document", "group": "Group (the sidebar's Group by)"}.get)
    group = by if rows_by == "group" else None
    shares, row_labels, counts = ct.heatmap_rows(topics, docs, [labels[d] for d in ids], group)
    box = st.container(height=720) if len(shares) > SCROLL_ROWS else st.container()
    ev = box.plotly_chart(charts.share_heatmap(shares, row_labels, names, counts if group else None),
                          key="topic_heatmap", **SELECT)
    st.caption("Each cell: the share of a document's text (or, per group, the mean over its documents) that is on "
               "a topic; each row adds up to 100%. Click a cell, or draw a box around several, to see the passages.")
    download_button("Download topic shares (CSV)", shares.rename(columns=names).reset_index(), "topic_shares.csv",
                    key="dl_topic_shares")
    for row_key, t in picked(ev)[:6]:
        in_row = [row_key] if group is None else ct.docs_in_group(docs, group, row_key)
        st.text(f"{names[t]}: {model.units_} of "
                + (labels.get(row_key, row_key) if group is None else ct.group_label(group, row_key)))
        show_units(ct.units_in(topics, in_row, t), labels, names, key=f"heat_{row_key}_{t}")


def topic_map(topics, ids, labels) -> None:
    """The 2-D map of the units, with drill-down."""
    model = topics.model
    ev = st.plotly_chart(charts.topic_map(ct.map_points(topics, ids, labels), topics.names, topics.colours),
                         key="topic_map", **SELECT)
    what = "one of the filtered documents" if model.units_ == "documents" else \
        f"one of the {model.units_} of the filtered documents"
    st.caption(f"Each point is {what}, coloured by its main topic; points close together mix the same topics"
               + (" (with two topics, every text sits on one curve between them)" if model.k_ == 2 else "")
               + ". Hover for the start of the text; click a point or draw a box around several to read them "
               "below. Click a topic in the legend to hide it.")
    if units_picked := [p[0] for p in picked(ev)]:
        show_units(ct.units_in(topics, unit_ids=units_picked), labels, topics.names, key="map")


def how_many(topics) -> None:
    """The stability curve, the reason for the automatic choice, and what the scores mean."""
    model, auto = topics.model, topics.auto
    scores = auto.k_scores_
    lo = getattr(auto, "k_considered_from_", None)
    st.plotly_chart(charts.stability_curve(scores, auto.k_, model.k_, model.stability_, lo), key="topic_k", **PLAIN)
    shaded = (f" Fewer than {lo} topics (shaded) are not chosen on a corpus this size: each would lump several "
              "themes together." if lo and lo > int(scores["k"].min()) else "")
    st.caption(f"How reliably the topics come back for each number of topics tried; the circled point is the "
               f"automatic choice ({auto.k_}). Change it under 'Advanced' above.{shaded}")
    st.markdown(f"**Why {auto.k_}.** {auto.k_reason_[0].upper() + auto.k_reason_[1:]}.")
    st.markdown(
        "**Reading the curve.** A score of **0.9** means about nine in ten leading words come back when the "
        "topics are recomputed on other samples of the texts: the topics are a solid feature of the corpus. "
        "**0.6**: the main topics come back but their lesser words change. **Below 0.4**: the topics depend on "
        "which texts happen to be included. **Above chance** (dashed) is the same score measured against text "
        "whose words were shuffled between documents: 0 means no better than shuffled text.")
    download_button("Download the stability scores (CSV)", scores, "topic_stability.csv", key="dl_topic_k")
