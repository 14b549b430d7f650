"""Sentiment: the tone of each document and group, how it moves through a text, the sentences
that carry it and the words behind them, and how far the two methods agree."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import plain
from analysis.methods import sentiment as sa
from ui import frame
from ui import cached_sentiment as cs
from ui import cached_terms as ct
from ui import data
from ui import tone_sections as ts
from ui.charts import tone as tone_charts
from ui.downloads import download_button
from ui.readings import reading
from ui.state import get_view
from ui.tone_evaluation import which_to_trust

frame.enter()

MAX_BARS = 20
POINTS = dict(on_select="rerun", selection_mode="points", config={"displaylogo": False})
AGREE = {"agreement_pearson": "correlation", "agreement_spearman": "rank correlation",
         "agreement_sign": "same direction", "agreement_sign_polar": "same direction (both non-zero)",
         "n_polar": "sentences both non-zero", "n_both_neutral": "sentences both 0"}

view = get_view()
docs = data.filtered(view).docs
ids, labels, by = data.DocIds(docs["doc_id"]), ct.doc_labels(view), view.group_by
BY = ts.md_name(by)  # the column name, safe inside Markdown
tint = ts.colouring(view, docs)  # the largest groups a colour each, all others grey
group_of, colours, group_names = tint.group_of, tint.colours, tint.names

st.title("Sentiment")
st.caption("How positive or negative the wording is, scored sentence by sentence (by two word lists, "
           "TextBlob and VADER, or a trained classifier), and which words drive the scores. "
           "Everything follows the sidebar filters.")
measure, basis = ts.method_controls(view)
subj = "subjectivity" if basis == "whole" else "subjectivity_mean"
col = cs.SENTENCE_COL[measure]  # the sentence score behind the measure: polarity or vader
key = (data.corpus_key(), view.clean, cs.excluded(view), ids, by)
if docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see their tone.")
else:
    sents = cs.sentences(view)
    ts.exclusion_note(view, int(sents["masked"].sum()))
    tab_docs, tab_arc, tab_ext, tab_agree = st.tabs(["Documents & groups", "Through a document",
                                                    "Strongest sentences", "Do the methods agree?"])
    with tab_docs:
        picks, left, right = [], *st.columns(2, gap="large")

        def doc_chart(where, m, name):
            per_doc = cs.doc_intervals(view, m).assign(colour=lambda t: t["doc_id"].map(tint.colour_of))
            per_doc = per_doc.sort_values("mean", ascending=False, kind="stable")
            shown = per_doc if len(per_doc) <= MAX_BARS else pd.concat([per_doc.head(MAX_BARS // 2),
                                                                          per_doc.tail(MAX_BARS // 2)])
            fig = ts.figure(key + (f"docs-{name}", m), tone_charts.tone_bars, shown, "doc_id", colour_col="colour",
                            colours=colours, labels=labels, colour_labels=group_names, value_label=ts.axis_label(m),
                            diverging=name == "tone", chart=f"sentiment-docs-{name}")
            picks.extend(p[0] for p in ts.selected_points(where.plotly_chart(fig, key=f"sent_docs_{name}", **POINTS)))
            named = [(labels.get(d, d), v) for d, v in zip(per_doc["doc_id"], per_doc["mean"])]
            if name == "tone":
                reading(plain.tone_extremes(named, "document", view.method), where=where)
            elif named:
                most = max(named, key=lambda nv: -1 if pd.isna(nv[1]) else nv[1])
                reading(plain.subjectivity(most[1], "The most opinionated, " + most[0] + ",")
                           + " " + plain.subjectivity(per_doc["mean"].mean(), "On average, a document"), where=where)
            where.caption(f"Each bar: one document, coloured by {BY}; whisker: 95% interval (how sure the score is)"
                          + (f"; the {MAX_BARS // 2} highest and lowest of {len(ids):,} documents" if len(ids) > MAX_BARS
                             else "") + ". Click a bar to read the document's sentences below." + ts.colour_note(colours, BY))
            with where:
                download_button(f"Download {name} per document (CSV)", per_doc, f"{m}_per_document.csv",
                                key=f"dl_docs_{name}", labels=labels)

        left.subheader("Tone of each document", help=ts.GLOSSARY[ts.METHOD_HELP[view.method]])
        doc_chart(left, measure, "tone")
        right.subheader(f"Tone of each {BY}" if by != "doc_id" else "Tone per group", help=ts.GLOSSARY["interval"])
        if by == "doc_id":
            right.info("Pick a 'Group by' column in the sidebar to compare groups of documents.")
        else:
            top = ts.top_groups(view, by, measure)
            fig = ts.figure(key + ("groups", measure, "top"), tone_charts.tone_bars, top, "group", colours=colours,
                            labels=dict(zip(top["group"], top["label"])), value_label=ts.axis_label(measure),
                            chart="sentiment-groups")
            ev = right.plotly_chart(fig, key="sent_groups", **POINTS)
            with right:
                ts.group_readings(top, view.method, BY)
                st.caption("Each bar: the mean over the group's documents (each counts once); whisker: 95% interval. "
                           "Click a bar to read the group's sentences."
                           + (f" The {len(top) - 1} {BY} values with the most documents, and all others pooled."
                              if (top["group"] == ts.OTHERS).any() else ""))
                ts.all_groups_table(cs.group_table(view, by, measure).sort_values("mean", ascending=False,
                                                                                 kind="stable"), BY, key="sent_groups")
            if chosen := {p[0] for p in ts.selected_points(ev)}:
                in_group = [d for d, g in tint.colour_of.items() if g in chosen]
                st.markdown(f"**Sentences of {len(in_group)} document(s) in the selected group(s)**")
                ts.sentence_table(sents[sents["doc_id"].isin(set(in_group))], labels, key="sent_pick_groups", height=360)
        with st.expander("How subjective is each document? (fact or opinion)", icon=":material/balance:"):
            doc_chart(st.container(), subj, "subjectivity")
        if picks:
            st.markdown(f"**Sentences of the {len(set(picks))} document(s) you selected** (click a column to sort)")
            ts.sentence_table(sents[sents["doc_id"].isin(set(picks))], labels, key="sent_pick_docs", height=360)
    with tab_arc:
        c1, c2 = st.columns([3, 1])
        st.session_state["w_arc_doc"] = view.doc if view.doc in ids else ids[0]
        doc = c1.selectbox("Document", list(ids), format_func=lambda d: labels.get(d, d), key="w_arc_doc",
                           on_change=lambda: setattr(view, "doc", st.session_state["w_arc_doc"]))
        window = c2.slider("Rolling mean over", 1, 25, 5, key="w_arc_window", persist_state="session",
                           help="Number of sentences averaged in the line (centred on each sentence).")
        one = sents[sents["doc_id"] == doc]
        fig = ts.figure(key + ("arc", doc, col, window), tone_charts.tone_arc, one, col, window,
                        colours.get(tint.colour_of.get(doc, ""), "#1f5f8b"), ts.SENTENCE_LABELS[col])
        ev = st.plotly_chart(fig, key="sent_arc", **POINTS)
        reading(ts.arc_reading(one, col, labels.get(doc, doc), view.method))
        st.caption(f"Each point: one sentence's {ts.METHOD_NAMES[view.method]} score, from the first sentence "
                   f"(left) to the last; the line is the mean over {window} neighbouring sentences. Click a point "
                   "to see the sentence and the words behind its score.")
        download_button("Download the sentence scores (CSV)", one, "sentence_scores.csv", key="dl_arc", labels=labels)
        if pts := ts.selected_points(ev):
            row = one[one["sent"] == int(pts[0][1])]
            if len(row):
                ts.sentence_detail(view, row.iloc[0], labels, key="arc_pick")
    with tab_ext:
        top = cs.extremes(view, col, n=5)
        if top.empty:
            st.info("No sentence of the selected documents has a non-zero score.")
        else:
            ev = ts.sentence_table(top.drop(columns=["masked"]), labels, key="sent_extremes", on_select="rerun",
                                   selection_mode="single-row")
            st.caption(f"The most positive and most negative sentences by {ts.METHOD_NAMES[view.method]} (sentences "
                       f"of at least {cs.MIN_EXTREME_WORDS} words), with TextBlob's scored words. Click a row for details.")
            if ev.selection.rows:
                ts.sentence_detail(view, top.iloc[ev.selection.rows[0]], labels, key="ext_pick")
    with tab_agree:
        agree = cs.doc_scores(view)[["doc_id", *AGREE]].assign(document=lambda t: t["doc_id"].map(labels))
        reading(plain.agreement(agree["agreement_pearson"].median(), agree["agreement_sign"].median(),
                                "a typical one of these documents" if len(agree) > 1 else "this document"))
        sample = cs.sentence_sample(view).assign(group=lambda t: t["doc_id"].map(tint.colour_of))
        fig = ts.figure(key + ("scatter", "lumped"), tone_charts.method_scatter, sample, "group", colours, group_names,
                        labels)
        ev = st.plotly_chart(fig, key="sent_scatter", **POINTS)
        st.caption("Each point: one sentence, TextBlob across, VADER up. Top right and bottom left: "
                   "both agree on the direction." + (f" A fixed random sample of {len(sample):,} of "
                                                     f"{len(sents):,} sentences." if len(sample) < len(sents) else ""))
        download_button("Download the sentence scores (CSV)", sample, "sentences_textblob_vader.csv", key="dl_scatter",
                        labels=labels)
        with st.expander("How far the methods agree on each document", icon=":material/table:"):
            st.dataframe(agree[["document", *AGREE]], hide_index=True, width="stretch", key="sent_agree",
                         column_config={c: st.column_config.NumberColumn(name, help=sa.COLUMN_NOTES[c],
                                                                         format="%.2f" if c.startswith("agree") else "%d")
                                        for c, name in AGREE.items()})
            st.caption(ts.GLOSSARY["agreement"])
            download_button("Download the agreement table (CSV)", agree, "method_agreement.csv", key="dl_agree",
                            labels=labels)
        if trust := which_to_trust():
            st.caption(trust)
        if pts := ts.selected_points(ev):
            row = sents[(sents["doc_id"] == pts[0][0]) & (sents["sent"] == int(pts[0][1]))]
            if len(row):
                ts.sentence_detail(view, row.iloc[0], labels, key="scatter_pick")
