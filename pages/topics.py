"""Topics: clusters of words that travel together, who uses them, and how stable they are."""

from __future__ import annotations

import streamlit as st

from analysis.methods.topics import describe_stability
from ui import frame
from ui import cached_topics as ct
from ui import data
from ui.charts import topics as charts
from ui.downloads import download_button
from ui.sidebar import doc_label_series
from ui.state import bind, get_view

frame.enter()

SELECT = dict(on_select="rerun", selection_mode=("points", "box", "lasso"), config={"displaylogo": False})
PLAIN = dict(config={"displaylogo": False})
UNIT_NAMES = {"auto": "Automatic", "documents": "Documents", "paragraphs": "Paragraphs", "sentences": "Sentences"}
HELP = {
    "k": "How many topics to look for. Automatic tries several numbers and keeps the one whose topics come back "
         "most reliably when part of the texts is left out (see the tab 'How many topics?').",
    "units": "What counts as one piece of text when looking for topics. Automatic: whole documents for 30 "
             "documents or more, else paragraphs (or sentences if there are few paragraphs).",
    "lambda": "Relevance λ (as in pyLDAvis). 1 ranks a topic's terms by how much they weigh in it, so common "
              "words come first; 0 ranks them by how exclusive they are to it, so rare, specific words come "
              "first. 0.6 is usually easiest to read. Moving it never recomputes the topics.",
    "stability": "Share of each topic's {n} leading terms that come back when the topics are recomputed on "
                 "random {frac:.0%} samples of the texts: 1 = always the same, 0 = never.",
}


def picked(event) -> list:
    """customdata of the points selected in a chart."""
    return [p["customdata"] for p in (event.selection.points if event else []) if p.get("customdata")]


def show_units(rows, key: str) -> None:
    """A drill-down table of passages (text shown as data, never as Markdown) with its download."""
    if rows.empty:
        st.info("No passage of this selection has a noticeable share (5% or more) of this topic.")
        return
    table = rows.assign(document=rows["doc_id"].map(labels), topic=rows["topic"].map(names),
                        share=(rows["weight"] * 100).round(1))[["document", "topic", "share", "n_words", "text"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "share": st.column_config.NumberColumn("% of topic", help="How much of the passage's topic mix is this topic"),
        "n_words": st.column_config.NumberColumn("words"),
        "text": st.column_config.TextColumn("passage", width="large")})
    download_button("Download these passages (CSV)", table, "topic_passages.csv", key=f"dl_{key}")


view = get_view()
prep, docs = data.prepared(view), data.filtered(view).docs
ids = docs["doc_id"].astype(str).tolist()
labels = dict(zip(prep.docs["doc_id"].astype(str), doc_label_series(prep.docs)))

st.title("Topics")
st.caption("Topics are groups of words that tend to appear together in the same passages (found by "
           "non-negative matrix factorisation, see Methods). Each passage is a mix of topics.")
c_k, c_units = st.columns(2)
units = c_units.selectbox("Text units", list(UNIT_NAMES), key="w_topic_units", help=HELP["units"],
                          format_func=UNIT_NAMES.get)
topics = ct.session_topics(view, units)
model, auto, names = topics.model, topics.auto, topics.names

if model is None:
    st.info(topics.error)
elif docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see topics.")
else:
    options = [0] + list(range(2, topics.k_max + 1))  # 0 = automatic (view.k None)
    if view.k not in options:
        view.k = None
    st.session_state["w_topic_k"] = view.k or 0
    c_k.selectbox("Number of topics", options, key="w_topic_k", on_change=bind("w_topic_k", "k", lambda k: k or None),
                  format_func=lambda k: f"Automatic ({auto.k_})" if not k else str(k), help=HELP["k"])
    if topics.note:
        st.warning(topics.note)
    colours = topics.colours
    n_units = int(model.unit_table_["fitted"].sum())
    m1, m2, m3 = st.columns(3)
    m1.metric("Topics", model.k_, help="Automatic choice" if model is auto else f"Your choice (automatic: {auto.k_})")
    m2.metric("Units clustered", f"{n_units:,} {model.units_}", help=HELP["units"])
    resampling = dict(n=model.n_stability_terms, frac=model.sample_frac)
    m3.metric("Stability", "n/a" if model.stability_ != model.stability_ else f"{model.stability_:.2f}",
              help=HELP["stability"].format(**resampling))
    st.caption(describe_stability(model.stability_))
    if model.units_ != "documents":
        why = ("With so few documents, topics found per document would only repeat the documents, so "
               if units == "auto" else "As you chose, ")
        st.caption(f"{why}topics are found among the {n_units:,} {model.units_} of at least {model.min_unit_words} "
                   f"words in the {len(prep.docs):,} documents (shorter ones are only scored); a document's share "
                   f"of a topic is the word-weighted mean over its {model.units_}.")
    st.caption(f"Topics are found on the whole corpus ({len(prep.docs):,} documents), so they do not change when "
               f"you filter; the shares, map and passages below show only the {len(docs):,} document(s) the "
               "sidebar filters keep.")

    tab_terms, tab_heat, tab_map, tab_k = st.tabs(["Topics & terms", "Who writes about what", "Map",
                                                   "How many topics?"])
    with tab_terms:
        lam = st.slider("Relevance λ", 0.0, 1.0, 0.6, 0.1, key="w_topic_lambda", help=HELP["lambda"])
        terms = ct.relevant_terms(view, topics, units, lam)
        st.dataframe(ct.topic_overview(topics, ids, terms), hide_index=True, width="stretch", column_config={
            "topic": "Topic", "terms": st.column_config.TextColumn("Most relevant terms", width="large"),
            "share": st.column_config.NumberColumn("% of the texts", help="Mean share of the filtered documents"),
            "passages": st.column_config.NumberColumn(f"{model.units_.capitalize()} mainly on it")})
        download_button("Download topic terms (CSV)", terms.assign(topic=terms["topic"] + 1),
                        "topic_terms.csv", key="dl_topic_terms")
        pick = st.selectbox("Topic", list(range(model.k_)), format_func=names.get, key="w_topic_pick")
        st.plotly_chart(charts.term_bars(terms[terms["topic"] == pick], colours[pick]), key="topic_terms", **PLAIN)
        st.caption("The topic's most relevant terms at the λ above. Coloured bar: the term's share of this "
                   "topic's weight; grey bar: its share across all texts. Hover for how much more typical it is.")
        st.subheader("Passages that express this topic best", help="Strongest weight on the topic among the "
                     "filtered documents' passages whose main topic it is.")
        for _, r in ct.passages(topics, ids, pick).iterrows():
            with st.container(border=True):
                st.text(f"{labels.get(r['doc_id'], r['doc_id'])}  ·  {r['share']:.0%} of this passage is this topic")
                st.text(r["text"])
    with tab_heat:
        by = view.group_by
        row_opts = ["document"] + (["group"] if by in docs.columns and by != "doc_id" else [])
        if st.session_state.get("w_topic_rows") not in row_opts:  # first visit, or no group column any more
            st.session_state["w_topic_rows"] = row_opts[-1] if len(docs) > 40 else "document"
        rows_by = st.radio("One row per", row_opts, horizontal=True, key="w_topic_rows",
                           format_func={"document": "Document", "group": "Group (the sidebar's Group by)"}.get)
        group = by if rows_by == "group" else None
        shares, row_labels, counts = ct.heatmap_rows(topics, docs, [labels[d] for d in ids], group)
        ev = st.plotly_chart(charts.share_heatmap(shares, row_labels, names, counts if group else None),
                             key="topic_heatmap", **SELECT)
        st.caption("Each cell: the share of a document's text (or, per group, the mean over its documents) that "
                   "belongs to a topic; each row adds up to 100%. Click a cell, or draw a box around several, to "
                   "see the passages behind it.")
        download_button("Download topic shares (CSV)", shares.rename(columns=names).reset_index(),
                        "topic_shares.csv", key="dl_topic_shares")
        for row_key, t in picked(ev)[:6]:
            in_row = [row_key] if group is None else ct.docs_in_group(docs, group, row_key)
            st.text(f"{names[t]}: {model.units_} of "
                    + (labels.get(row_key, row_key) if group is None else ct.group_label(group, row_key)))
            show_units(ct.units_in(topics, in_row, t), key=f"heat_{row_key}_{t}")
    with tab_map:
        ev = st.plotly_chart(charts.topic_map(ct.map_points(topics, ids, labels), names, colours),
                             key="topic_map", **SELECT)
        what = "one of the filtered documents" if model.units_ == "documents" else \
            f"one of the {model.units_} of the filtered documents"
        st.caption(f"Each point is {what}, coloured by its main topic; points close together mix the same topics"
                   + (" (with two topics, every text sits on one curve between them)" if model.k_ == 2 else "")
                   + ". Hover for the start of the text; click a point or draw a box around several to read them "
                   "below. Click a topic in the legend to hide it.")
        if units_picked := [p[0] for p in picked(ev)]:
            show_units(ct.units_in(topics, unit_ids=units_picked), key="map")
    with tab_k:
        scores = auto.k_scores_
        st.plotly_chart(charts.stability_curve(scores, auto.k_, model.k_, model.stability_), key="topic_k", **PLAIN)
        st.caption(f"How stable the topics are for each number of topics tried; the circled point is the automatic "
                   f"choice ({auto.k_}). Change it with 'Number of topics' above.")
        st.markdown(
            "**What stability means.** The topics are recomputed on several random samples of {frac:.0%} of the "
            "texts, and each topic's {n} leading words are compared with the originals. A stability of **0.9** "
            "means about nine in ten leading words come back: the topics are a solid feature of the corpus. **0.6** "
            "means the main topics come back but their lesser words change: read them as broad themes. **Below 0.4** "
            "the topics depend on which texts happen to be included: treat them with caution.".format(**resampling))
        if "adjusted" in scores and scores["adjusted"].notna().any():
            st.markdown(
                "**Above chance** (dashed line) compares each stability with that of the same words shuffled at "
                "random between texts: even shuffled text gives some stable-looking word lists, especially with "
                "few topics. 0 means no better than shuffled text, below 0 worse. The automatic choice is the number "
                "of topics that beats chance by the widest margin (near-ties go to fewer topics).")
        else:
            st.markdown("The automatic choice is the most stable number of topics (near-ties go to fewer topics).")
        download_button("Download the stability scores (CSV)", scores, "topic_stability.csv", key="dl_topic_k")
