"""Compare: two documents or two groups - distinctive terms, how alike all texts are, shared passages."""

from __future__ import annotations

import streamlit as st

from analysis import plain

from ui import frame
from ui import cached_terms as ct
from ui import data
from ui import terms_sections as ts
from ui.charts.similarity import CLICKABLE_MAX
from ui.colors import PALETTE
from ui.downloads import download_button
from ui.readings import reading
from ui.safe import html_text
from ui.state import get_view

frame.enter()

MAX_PASSAGES = 40
SHOWN_PASSAGES = 2
MAX_HEATMAP = 300

view = get_view()
docs, by, BY, labels, colours, group_of, group_names, colour_of = ts.scope(view)


def _remember(pair) -> None:
    st.session_state["cmp_pair"] = tuple(pair) if pair else None


def _from_heatmap() -> None:
    points = ts.selected_points(st.session_state.get("cmp_heatmap"))
    _remember(points[0][:2] if points and points[0][0] != points[0][1] else None)


def _from_table() -> None:
    rows = st.session_state["cmp_pairs"].selection.rows
    pairs = st.session_state.get("cmp_pairs_frame")
    _remember(tuple(pairs.iloc[rows[0]][["doc_a", "doc_b"]]) if rows and pairs is not None else None)


st.title("Compare")
st.caption("Put two documents, or two groups of documents, side by side: the words that set them apart, how "
           "alike every pair of texts is, and the passages one text shares with another.")
if len(docs) < 2:
    st.info("Comparing needs at least two documents: widen the sidebar filters or add documents on the Corpus page.")
else:
    pairs = ct.reuse_pairs(view)
    mode = st.segmented_control("Compare", ["docs", "groups"], default="docs", required=True, key="w_cmp_mode",
                                format_func={"docs": "two documents", "groups": "two groups"}.get,
                                help=f"Groups are the values of the sidebar's 'Group by' column (now: {BY}).")
    if mode == "groups":
        options = sorted(set(group_of.values()), key=lambda v: group_names[v].lower())
        name, by_col = group_names.get, by
    else:
        options = docs["doc_id"].tolist()
        name, by_col = (lambda d: labels.get(d, d)), "doc_id"
        if "w_cmp_a_docs" not in st.session_state and len(pairs):
            st.session_state["w_cmp_a_docs"], st.session_state["w_cmp_b_docs"] = pairs.iloc[0][["doc_a", "doc_b"]]
    if len(options) < 2:
        st.info(f"The selected documents all have the same {BY}: pick another 'Group by' column in the sidebar.")
    else:
        c1, c2 = st.columns(2)
        a = c1.selectbox("First", options, format_func=name, key=f"w_cmp_a_{mode}", on_change=_remember, args=(None,))
        b = c2.selectbox("Second", [o for o in options if o != a], format_func=name, key=f"w_cmp_b_{mode}",
                         on_change=_remember, args=(None,))
        st.subheader("Distinctive terms", help=ts.GLOSSARY["g2"])
        ngram, add, remove = ts.term_settings(key="cmp")
        first, second = (PALETTE[0], PALETTE[1]) if mode == "docs" else (colours.get(a), colours.get(b))
        try:
            table = ct.keyness_table(view, by_col, a, b, ngram, add, remove, min_count=2)
        except ValueError:  # one side has no words
            st.info("One of the two has no words to compare.")
        else:
            ts.keyness_view(table, name(a), name(b), key="cmp_keyness", target_colour=first, reference_colour=second,
                            sides=(name(a), name(b)) if mode == "docs" else (f"the texts of {name(a)}",
                                                                              f"the texts of {name(b)}"))

    st.subheader("How alike the documents are", help=ts.GLOSSARY["cosine"])
    if len(docs) <= MAX_HEATMAP:
        sim = ct.similarity(view)
        pos = {d: i for i, d in enumerate(docs["doc_id"])}
        order = sorted(sim.index, key=lambda d: (group_names[group_of[d]].lower(), pos[d]))
        fig = ts.chart_keyed("similarity_heatmap", (data.corpus_key(), view.clean, tuple(order)), sim.loc[order, order],
                             {d: labels[d] for d in order})
        st.plotly_chart(fig, key="cmp_heatmap", on_select=_from_heatmap,
                        selection_mode="points", config={"displaylogo": False})
        reading(ts.closest_pair(sim, labels))
        click = ("Click a cell to see the passages that pair shares." if len(order) <= CLICKABLE_MAX else
                 "Hover a cell to see which pair it is; pick a pair in the table below to read what it shares.")
        st.caption(f"Each cell: how alike two texts' vocabularies are (0 = no word in common, 1 = the same words "
                   f"in the same proportions; darker = more alike). Documents are ordered by {BY}. {click}")
    else:
        gsim = ct.group_similarity(view, lumped=True)
        if len(gsim) < 2:  # one cell would be the whole chart: said in words instead
            only = gsim.index[0]
            reading(plain.similarity_within(gsim.iloc[0, 0], len(docs), group_names.get(only, only)))
            st.caption(f"Every selected document has the same {BY}, so there are no groups to set side by side: "
                       "pick another 'Group by' column in the sidebar. Pick pairs of documents in the table below.")
        else:
            st.plotly_chart(ts.chart("similarity_heatmap", gsim, group_names, clickable_max=0, blank_diagonal=False,
                                     chart="group-similarity"), key="cmp_group_heatmap")
            reading(ts.closest_pair(gsim, {g: f"the texts of {group_names.get(g, g)}" for g in gsim.index}))
            st.caption(f"Too many documents ({len(docs):,}) for one cell per pair: each cell is the average "
                       f"similarity between the documents of two values of {BY} (on the diagonal: inside one)"
                       + (f"; the {len(gsim) - 1} with the most documents, and all others pooled"
                          if ts.OTHERS in gsim.index else "") + ". Pick pairs of documents in the table below.")
            full = ct.group_similarity(view)  # every group, not only the coloured ones
            download_button("Download every group's similarities (CSV)",
                            full.rename(index=group_names, columns=group_names).rename_axis("group").reset_index(),
                            "group_similarity.csv", key="dl_group_sim")
    download_button("Download similarities (CSV)", ct.similarity_pairs_table(view), "similarity.csv", key="dl_sim",
                    labels=labels)

    st.subheader("Shared passages", help="Runs of at least 8 identical words (ignoring case and punctuation) "
                 "that two texts share, e.g. a quotation.")
    if pairs.empty:
        st.info("No two selected documents share a passage of 8 words or more.")
    else:
        shown = pairs.assign(first=pairs["doc_a"].map(labels), second=pairs["doc_b"].map(labels))
        st.session_state["cmp_pairs_frame"] = pairs
        st.dataframe(shown[["first", "second", "passages", "shared_words", "longest", "similarity", "doc_a", "doc_b"]],
                     hide_index=True, width="stretch", key="cmp_pairs", on_select=_from_table,
                     selection_mode="single-row", height=min(400, 38 + 35 * len(shown)), column_config={
                         "shared_words": st.column_config.NumberColumn("words shared"),
                         "longest": st.column_config.NumberColumn("longest (words)"),
                         "similarity": st.column_config.NumberColumn(help=ts.GLOSSARY["cosine"], format="%.2f"),
                         "doc_a": None, "doc_b": None})
        st.caption("Pairs of documents that share passages, most shared words first. Select a row to read them.")
        download_button("Download all shared passages (CSV)", ct.shared_passages(view), "shared_passages.csv",
                        key="dl_passages", labels=labels)
    pair = st.session_state.get("cmp_pair")
    if not pair or not set(pair) <= set(docs["doc_id"]):
        pair = (a, b) if mode == "docs" and len(options) >= 2 else (tuple(pairs.iloc[0][["doc_a", "doc_b"]])
                                                                   if len(pairs) else None)
    if pair:
        pp = ct.pair_passages(view, *pair)
        c1, c2 = st.columns(2)
        for col, d in zip((c1, c2), pair):
            col.html(f"<b>{html_text(labels.get(d, d))}</b>")
        reading(plain.shared_passages(len(pp), int(pp["n_words"].sum()) if len(pp) else 0,
                                      int(pp["n_words"].max()) if len(pp) else 0, labels.get(pair[0], pair[0]),
                                      labels.get(pair[1], pair[1])))
        where = st.container()
        for i, row in enumerate(pp.head(MAX_PASSAGES).itertuples(index=False), start=1):
            if i == SHOWN_PASSAGES + 1:  # the rest folded away, after the first ones
                where = st.expander(f"The other {min(len(pp), MAX_PASSAGES) - SHOWN_PASSAGES} passages",
                                    icon=":material/unfold_more:")
            c1, c2 = where.columns(2, border=True)
            c1.caption(f"Passage {i} · {row.n_words} words · characters {row.start_a:,}–{row.end_a:,}")
            c1.text(row.text_a)
            c2.caption(f"Passage {i} · characters {row.start_b:,}–{row.end_b:,}")
            c2.text(row.text_b)
        if len(pp) > MAX_PASSAGES:
            st.caption(f"The first {MAX_PASSAGES} of {len(pp)} passages; the CSV has them all.")
        if len(pp):
            download_button("Download this pair's passages (CSV)", pp.assign(doc_a=pair[0], doc_b=pair[1]),
                            "pair_passages.csv", key="dl_pair", labels=labels)
