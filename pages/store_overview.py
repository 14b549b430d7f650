"""Overview of a large precomputed corpus (the app started with ``EXPLORER_STORE`` on a store of
more than ``store_access.LARGE_DOCS`` documents): size, tone and topics per group, the
commonest words per group, every document's scores and one document's sentences. Everything
is read from the store's precomputed tables; nothing is recomputed from the texts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frame
from ui import cached_sentiment as cs
from ui import cached_store as cst
from ui import data
from ui import overview_sections as ovs
from ui import phrase_tone_sections as pts
from ui import sidebar, store_access
from ui import tone_sections as ts
from ui.charts import glance
from ui.colors import colour_map, group_colour_map
from ui.downloads import download_button
from ui.state import get_view

frame.enter()

MAX_GROUPS, SHOWN_DOCS = 30, 1_000
#: Filtered selections up to this size get their words counted straight away (well under a second).
DIRECT_TERMS_DOCS = 5_000

view = get_view()
store = store_access.env_store()
path = str(store.path)
meta = cst.metadata(path)
groupable = [c for c in store.group_columns if c in meta.columns] or ["doc_id"]
sidebar.render_filters(view, meta, pick_documents=False, group_cols=groupable)
key = data.filter_key(view)
kept, ids = cst.kept(path, key, view)
by = view.group_by if view.group_by in groupable else groupable[0]

st.title("Overview")
st.caption(f"A precomputed analysis of {len(meta):,} documents, read from the store on this server: tone, topics "
           "and words per group, and each document's scores. Everything follows the sidebar filters.")
ovs.headline(kept, len(meta))
if kept.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see the overview.")
    st.stop()

methods = cst.store_methods(path)  # a store built before the classifier has no classifier scores
if view.method not in methods:
    view.method = "textblob"
measure = cs.document_measure(view)
st.segmented_control("Sentiment method", methods, format_func=ts.METHOD_NAMES.get, required=True,
                     key="w_method", on_change=sidebar.widget("w_method", view, "method"),
                     help=f"TextBlob: {ts.GLOSSARY['polarity']}\n\nVADER: {ts.GLOSSARY['vader']}")
groups = cst.group_tone(path, key, by, measure, ids)
colours = group_colour_map(groups["group"].astype(str).repeat(groups["n_docs"].clip(lower=1)))  # the largest a colour
labels = {g: cs.group_label(by, g) for g in groups["group"].astype(str)}
BY = ts.md_name(by)

c1, c2 = st.columns(2)
with c1:
    st.subheader(f"Tone of each {BY}", help=ts.GLOSSARY["interval"])
    top = groups if len(groups) <= MAX_GROUPS else pd.concat([groups.head(MAX_GROUPS // 2), groups.tail(MAX_GROUPS // 2)])
    st.vega_lite_chart(glance.tone_bars(top, "group", colours=colours, labels=labels,
                                        value_label=ts.axis_label(measure), chart="store-tone-groups"),
                       key="st_tone_groups")
    st.caption("Each bar: the mean over the group's documents (each counts once); whisker: 95% bootstrap interval."
               + (f" The {MAX_GROUPS // 2} highest and lowest of {len(groups):,} groups." if len(top) < len(groups)
                  else ""))
    ts.group_readings(groups.assign(label=groups["group"].astype(str).map(labels)), view.method, BY)
    download_button("Download tone per group (CSV)", groups, "tone_per_group.csv", key="st_dl_groups")
with c2:
    st.subheader(f"Topics of each {BY}", help="Groups of words that travel together; each text is a mix of them. "
                 "Found once, when the store was built.")
    shares = cst.group_topics(path, key, by, ids)
    names = cst.topic_names(path)
    if shares.empty or not names:
        st.info(store.notes.get("topics") or "The store holds no topics.")
    else:
        order = [str(g) for g in top["group"]]
        long = shares.assign(doc_id=shares["group"].astype(str),
                             topic_name=shares["topic"].map(lambda t: names.get(int(t), f"Topic {int(t) + 1}")))
        topic_colours = dict(zip(sorted(names), colour_map(names[t] for t in sorted(names)).values()))
        st.vega_lite_chart(glance.topic_share_bars(long, order, labels, topic_colours, chart="store-topics",
                                                   legend_columns=1), key="st_topics")
        st.caption("Each bar: the group's documents split into topics (mean share, 100% per group).")
        download_button("Download topic shares per group (CSV)", shares, "topics_per_group.csv", key="st_dl_topics")

st.subheader(f"The commonest words of each {BY}")
if ids is None or len(ids) <= DIRECT_TERMS_DOCS or st.session_state.get("st_terms_for") == (key, by):
    terms = cst.group_terms(path, key, by, 10, ids)
    words = (terms.sort_values(["group", "rank"]).groupby("group", sort=False)["term"].apply(", ".join)
             .rename("commonest words (stopwords left out)"))
    table = groups[["group", "n_docs", "mean"]].join(words, on="group")
    table["group"] = table["group"].astype(str).map(lambda g: labels.get(g, g))
    st.dataframe(table.rename(columns={"group": by, "n_docs": "documents", "mean": ts.measure_label(measure)}),
                 hide_index=True, width="stretch", key="st_terms",
                 column_config={ts.measure_label(measure): st.column_config.NumberColumn(format="%+.3f")})
    download_button("Download the top words per group (CSV)", terms, "top_words_per_group.csv", key="st_dl_terms")
else:
    st.info(f"The words of the whole corpus are counted in advance; for the {len(ids):,} documents your filters "
            "keep they are counted now, which takes a few seconds.", icon=":material/hourglass_empty:")
    if st.button(f"Count the words of these {len(ids):,} documents", key="st_terms_go"):
        st.session_state["st_terms_for"] = (key, by)
        st.rerun()

pts.store_section(view, store, kept, ids, by)

st.subheader("The documents")
docs = cst.doc_table(path, key, kept, ids)
st.caption(f"{len(docs):,} documents, most positive first (TextBlob polarity, whole text)"
           + (f"; the first {SHOWN_DOCS:,} are listed, the CSV has them all." if len(docs) > SHOWN_DOCS else ".")
           + " Click a row to read its sentences.")
picked = st.dataframe(docs.head(SHOWN_DOCS), hide_index=True, width="stretch", key="st_docs", on_select="rerun",
                      selection_mode="single-row", column_config={
                          "polarity": st.column_config.NumberColumn("polarity", format="%+.3f"),
                          "subjectivity": st.column_config.NumberColumn("subjectivity", format="%.3f"),
                          **{c: ts.SCORE_COLUMNS[c] for c in ("vader_mean", "vader_doc", "classifier_mean")}})
# named already (its "document" column): not by the session's corpus, which a large store never loads
download_button("Download the documents table (CSV)", docs, "documents.csv", key="st_dl_docs", labels={})
rows = picked.selection.rows if picked is not None else []
if rows:
    doc = str(docs.iloc[rows[0]]["doc_id"])
    st.subheader("Sentences of the selected document")
    sents = cst.sentences(path, doc)
    st.caption(f"{docs.iloc[rows[0]]['document']}: {len(sents):,} sentences with their TextBlob and VADER scores.")
    st.dataframe(sents, hide_index=True, width="stretch", key="st_sents",
                 column_config={"text": st.column_config.TextColumn("sentence", width="large")})
    download_button("Download these sentences (CSV)", sents, f"{doc}_sentences.csv", key="st_dl_sents")
