"""Overview: the corpus at a glance - size, tone per document and author, where the tracked
phrases occur, topic shares - with a way into every other page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frame
from analysis import plain

from ui import cached_sentiment as cs
from ui import cached_terms as ct
from ui import data
from ui import overview_sections as ovs
from ui import phrase_tone_sections as pts
from ui import tone_sections as ts
from ui import waiting
from ui.charts import glance
from ui.colors import OTHERS
from ui.readings import highest_rate, reading
from ui.downloads import download_button
from ui.state import get_view

frame.enter()

MAX_BARS, MAX_PHRASE_DOCS = 20, 15
PICK = dict(on_select="rerun", selection_mode=glance.PICK)

view = get_view()
whole, docs = data.prepared(view).docs, data.filtered(view).docs
ids, labels, by = data.DocIds(docs["doc_id"]), ct.doc_labels(view), view.group_by
BY = ts.md_name(by)  # the column name, safe inside Markdown
tint = ts.colouring(view, docs)  # the largest groups a colour each, all others grey
colours, group_of, group_names = tint.colours, tint.group_of, tint.names

st.title("Overview")
st.caption("The texts at a glance: how much there is, the tone of each text and author, where your tracked "
           "phrases occur and which topics run through them. Everything follows the sidebar filters.")
ovs.headline(docs, len(whole))
if docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see the overview.")
else:
    plist = ct.check_phrases(view.phrases)[0]
    table = ovs.document_table(view, docs, plist, labels, group_of)
    measure = cs.document_measure(view)
    groups = cs.group_table(view, by, measure).sort_values("mean", ascending=False, kind="stable")
    st.subheader("At a glance", help=f"{ts.GLOSSARY['polarity']}\n\n{ts.GLOSSARY['vader']}\n\n"
                                     f"{ts.GLOSSARY['classifier']}")
    largest = ts.top_groups(view, by, measure) if by != "doc_id" else None  # the coloured ones, each with its dot
    st.html(ts.summary_html(table, measure, view.method, plist, colours,
                            None if largest is None else largest[largest["group"] != OTHERS]))
    st.page_link("pages/sentiment.py", label="Tone in detail, sentence by sentence: Sentiment page", icon=":material/mood:")

    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Tone of each document", help=ts.GLOSSARY["interval"])
        per_doc = cs.doc_intervals(view, measure).assign(colour=lambda t: t["doc_id"].map(tint.colour_of))
        per_doc = per_doc.sort_values("mean", ascending=False, kind="stable")
        shown = per_doc if len(per_doc) <= MAX_BARS else pd.concat([per_doc.head(MAX_BARS // 2),
                                                                      per_doc.tail(MAX_BARS // 2)])
        spec = glance.tone_bars(shown, "doc_id", colour_col="colour", colours=colours, labels=labels,
                                colour_labels=group_names, value_label=ts.axis_label(measure),
                                show_legend=by == "doc_id", chart="overview-tone-docs")
        ev = st.vega_lite_chart(spec, key="ov_tone_docs", **PICK)
        reading(plain.tone_extremes([(labels.get(d, d), v) for d, v in zip(per_doc["doc_id"], per_doc["mean"])],
                                    "document", view.method))
        st.caption(f"Each bar: one document's tone, coloured by {BY}; the whisker shows how sure the score is "
                   "(95% interval). Click a bar for a link to the text."
                   + (f" The {MAX_BARS // 2} most positive and most negative of {len(per_doc):,} documents."
                      if len(shown) < len(per_doc) else "") + ts.colour_note(colours, BY))
        for doc in dict.fromkeys(glance.picked_keys(ev)):
            ts.reader_link(view, doc, labels.get(doc, doc))
        download_button("Download tone per document (CSV)", per_doc, "tone_per_document.csv", key="ov_dl_tone_docs",
                        labels=labels)
    with c2:
        st.subheader(f"Tone of each {BY}" if by != "doc_id" else "Tone per group", help=ts.GLOSSARY["interval"])
        if by == "doc_id":
            st.info("Pick a 'Group by' column in the sidebar to compare groups of documents.")
        else:
            top = ts.top_groups(view, by, measure)
            spec = glance.tone_bars(top, "group", colours=colours, labels=dict(zip(top["group"], top["label"])),
                                    value_label=ts.axis_label(measure), chart="overview-tone-groups")
            st.vega_lite_chart(spec, key="ov_tone_groups")
            ts.group_readings(top, view.method, BY)
            st.caption("Each bar: the mean over the group's documents (each counts once); whisker: 95% interval."
                       + (f" The {len(top) - 1} {BY} values with the most documents, and all others pooled."
                          if (top["group"] == OTHERS).any() else ""))
            ts.all_groups_table(groups, BY, key="ov_groups")

    st.subheader("Where do the tracked phrases occur?")
    st.page_link("pages/terms.py", label="Add or remove phrases: Terms & phrases page", icon=":material/format_quote:")
    rates = ct.phrase_table(view) if plist else pd.DataFrame(columns=["doc_id", "phrase", "count", "rate_per_10k"])
    totals = rates.groupby("phrase")["count"].sum() if len(rates) else pd.Series(dtype=int)
    if not plist:
        st.info("No phrase is tracked. Add one on the Terms & phrases page.")
    for p in plist:
        if int(totals.get(p, 0)) == 0:
            st.info(f"{ts.md_code(p)} never occurs in the {len(ids):,} selected document(s).",
                    icon=":material/search_off:")
    if int(totals.sum()) > 0:
        found = [p for p in plist if int(totals.get(p, 0)) > 0]
        rates = rates[rates["phrase"].isin(found)].assign(group=lambda t: t["doc_id"].map(tint.colour_of))
        doc_rates = rates.groupby("doc_id")["rate_per_10k"].sum()
        busiest = doc_rates[doc_rates > 0].nlargest(MAX_PHRASE_DOCS).index if len(ids) > MAX_PHRASE_DOCS else doc_rates.index
        t_where, t_tone = st.tabs(["Where and how often", "The tone around them"])
        with t_where:
            spec = glance.phrase_bars(rates[rates["doc_id"].isin(busiest)], "doc_id", "group", colours, labels,
                                      group_names, "overview-phrases")
            st.vega_lite_chart(spec, key="ov_phrases", width="content")
            reading(*highest_rate(rates, "doc_id", lambda d: labels.get(d, ""),
                                  "That is the highest rate of any selected document."))
            st.caption("Each bar: how often the phrase occurs per 10,000 words of one document (hover for the count)"
                       + (f"; the {len(busiest)} documents with the highest rates." if len(busiest) < len(ids) else "."))
            download_button("Download phrase counts per document (CSV)", rates, "phrases_per_document.csv",
                            key="ov_dl_phrases", labels=labels)
            ovs.phrase_lines(view, found, labels, dict(zip(table["doc_id"], table["author"])))
        with t_tone:
            with waiting.section():  # on a large corpus the contexts are scored in the background
                pts.tone_section(view, found, key="ov_tone", docs_have_dates="date" in docs)

    with st.expander(f"The {len(table):,} documents, one row each", icon=":material/table:"):
        ovs.show_document_table(table, plist)
    st.page_link("pages/corpus.py", label="Add or edit documents: Corpus page", icon=":material/folder_open:")
    st.subheader("Topics", help="Groups of words that travel together; each text is a mix of them.")
    with waiting.section():  # the topics of a large corpus may still be being worked out
        ovs.topic_shares(view, list(shown["doc_id"]), labels, len(ids))
    st.page_link("pages/topics.py", label="Topics in detail: Topics page", icon=":material/hub:")
