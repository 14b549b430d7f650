"""Topics: themes that run through the corpus, named by their distinctive words, with their most typical passages."""

from __future__ import annotations

import streamlit as st

from ui import cached_topics as ct
from ui import data, frame
from ui import topics_sections as ts
from ui.sidebar import doc_label_series
from ui.state import bind, get_view

frame.enter()

view = get_view()
prep, docs = data.prepared(view), data.filtered(view).docs
ids = docs["doc_id"].astype(str).tolist()
labels = dict(zip(prep.docs["doc_id"].astype(str), doc_label_series(prep.docs)))

st.title("Topics")
st.caption("A topic is a group of words that tend to appear together in the same texts; each text is a mix of "
           "topics. Each topic is named by its most distinctive words (see Methods for how they are found).")
box, k_column, units, lam = ts.advanced()
topics = ct.session_topics(view, units)
model = topics.model

if model is None:
    st.info(topics.error)
elif docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see topics.")
else:
    ts.k_control(box, k_column, view, topics, bind)
    if topics.note:
        st.warning(topics.note)
    ts.summary(topics, len(prep.docs), len(docs), units)
    tab_topics, tab_who, tab_map, tab_k = st.tabs(["Topics", "Who talks about what", "Map", "How many topics?"])
    with tab_topics:
        terms = ct.relevant_terms(view, topics, units, lam)
        ts.overview(topics, ids, terms, model)
        pick = st.selectbox("Read one topic closely", list(range(model.k_)), format_func=topics.names.get,
                            key="w_topic_pick")
        ts.one_topic(view, topics, ids, terms, lam, labels, pick)
    with tab_who:
        ts.who_writes(view, topics, docs, ids, labels)
    with tab_map:
        ts.topic_map(topics, ids, labels)
    with tab_k:
        ts.how_many(topics)
