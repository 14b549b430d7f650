"""Terms & phrases: how often, where and in what context phrases occur; frequent and distinctive terms."""

from __future__ import annotations

import streamlit as st

from ui import frame
from ui import cached_terms as ct
from ui import phrase_tone_sections as pts
from ui import terms_sections as ts
from ui import waiting
from ui.colors import NEUTRAL, colour_map, lump
from ui.readings import highest_rate, reading
from ui.tone_sections import colour_note
from ui.downloads import download_button
from ui.state import get_view

frame.enter()

MAX_BARS, MAX_ROWS, MAX_TICKS = 40, 60, 4000
POINTS = dict(on_select="rerun", selection_mode="points", config={"displaylogo": False})

view = get_view()
docs, by, BY, labels, colours, group_of, group_names, colour_of = ts.scope(view)

st.title("Terms & phrases")
st.caption("How often, where and in what context your phrases occur, and which words are frequent or "
           "distinctive. Everything follows the sidebar filters. Click a bar or a tick to see the lines behind it.")
plist = ts.phrase_editor(view)
phrase_colours = colour_map(plist)
tab_freq, tab_where, tab_tone, tab_top, tab_key = st.tabs(["How often", "Where & in context", "Tone nearby",
                                                           "Top terms", "Distinctive terms"])
per_doc = ct.phrase_table(view) if plist and len(docs) else None
if docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see results.")
with tab_freq:
    found = ts.never_found(per_doc, plist, len(docs)) if per_doc is not None else []
    if not plist:
        st.info("No phrase is tracked: add one above.")
    if found:
        st.subheader("Per document", help=ts.GLOSSARY["rate"])
        per_doc = per_doc.drop(columns=["positions", "rel_positions"])
        tbl = per_doc[per_doc["phrase"].isin(found)].assign(group=lambda t: t["doc_id"].map(colour_of))
        tbl = ts.busiest(tbl, "doc_id", MAX_BARS, "documents")
        fig = ts.chart("phrase_bars", tbl, "doc_id", "group", colours, labels, group_names, "phrase-docs")
        ev = st.plotly_chart(fig, key="terms_doc_bars", **POINTS)
        reading(*highest_rate(tbl, "doc_id", lambda d: labels.get(d, ""),
                              "No other selected document has a higher rate."))
        st.caption(f"Each bar: how often the phrase occurs per 10,000 words of one document, coloured by {BY}. "
                   "Hover for the raw count." + colour_note(colours, BY))
        if picks := [(c[0], c[1], None) for c in ts.selected_points(ev)]:
            ts.hits_in_context(view, picks, labels, key="drill_docs")
        download_button("Download per-document counts (CSV)", per_doc,
                        "phrases_per_document.csv", key="dl_phrase_docs", labels=labels)
        if by != "doc_id":
            st.subheader(f"Per {BY}", help=ts.GLOSSARY["rate"])
            per_group = ct.phrase_table(view, by=by).drop(columns=["positions"])
            g = per_group[per_group["phrase"].isin(found)].sort_values(
                by, key=lambda s: s.map(lambda v: ("1" if v == "" else "0") + group_names.get(v, v).lower()))
            g = ts.busiest(g, by, MAX_BARS, "groups").assign(colour=lambda t: t[by].map(lambda v: lump(v, colours)))
            ev = st.plotly_chart(ts.chart("phrase_bars", g, by, "colour", colours, group_names, group_names,
                                          "phrase-groups"), key="terms_group_bars", **POINTS)
            reading(*highest_rate(g, by, lambda v: "the texts of " + group_names[v]))
            st.caption(f"Each bar: the phrase's rate per 10,000 words over all the documents of one {BY} "
                       "(their hits divided by their words). Hover for counts and how many documents use it.")
            picks = [(d, c[1], None) for c in ts.selected_points(ev) for d, v in group_of.items() if v == c[0]]
            if picks:
                ts.hits_in_context(view, picks, labels, key="drill_groups")
            download_button("Download per-group counts (CSV)", per_group.rename(columns={by: "group"}),
                            "phrases_per_group.csv", key="dl_phrase_groups")
        ts.timeline_section(view, found, docs, labels, phrase_colours)
with tab_where:
    if found:
        st.subheader("Where in each text")
        ctx = ct.kwic_lines(view, found, window=6)
        hits = ct.phrase_hits(view, found).merge(ctx.drop(columns="match"), on=["doc_id", "phrase", "start", "end"],
                                                 how="left")
        hits["context"] = hits["left"].fillna("") + " [" + hits["match"] + "] " + hits["right"].fillna("")
        n_hits = hits.groupby("doc_id").size()
        busiest = set(n_hits.nlargest(MAX_ROWS).index)
        rows = [d for d in docs["doc_id"] if len(docs) <= MAX_ROWS or d in busiest]
        if len(docs) > MAX_ROWS:
            st.caption(f"The {len(rows)} documents with the most hits (of {len(docs):,}).")
        hits = hits[hits["doc_id"].isin(rows)]
        if len(hits) > MAX_TICKS:
            step = -(-len(hits) // MAX_TICKS)
            hits = hits.iloc[::step]
            st.caption(f"Showing every {step}th hit; the table below has them all.")
        fig = ts.chart("dispersion", hits, rows, labels, phrase_colours)
        ev = st.plotly_chart(fig, key="terms_dispersion", **POINTS)
        st.caption("One row per document, from its start (left) to its end (right); each tick is one occurrence. "
                   "Hover a tick for its context, click it for the full line.")
        if picks := [(c[0], c[1], c[2]) for c in ts.selected_points(ev)]:
            ts.hits_in_context(view, picks, labels, key="drill_dispersion")
        download_button("Download every hit's position (CSV)", ct.phrase_hits(view, found), "phrase_positions.csv",
                        key="dl_positions")
        st.subheader("Keyword in context")
        c1, c2, c3 = st.columns([2, 2, 3])
        which = c1.selectbox("Phrase", [""] + found, format_func=lambda p: p or "All tracked phrases",
                             key="w_kwic_phrase")
        window = c2.slider("Words of context", 1, 20, 7, key="w_kwic_window", persist_state="session")
        sort = c3.segmented_control("Sort by", ["doc", "left", "right"], default="doc", required=True,
                                    format_func={"doc": "Document order", "left": "Left context",
                                                 "right": "Right context"}.get, key="w_kwic_sort",
                                    help="Left context sorts by the word just before the match, then the one "
                                         "before that; right context by the words just after it.")
        lines = ct.kwic_lines(view, [which] if which else found, window, None if sort == "doc" else sort)
        ts.kwic_table(lines, labels, key="kwic", height=420)
    elif plist:
        st.info("None of the tracked phrases occurs in the selected documents.")
with tab_tone:
    if plist and len(docs):
        with waiting.section():  # on a large corpus the contexts are scored in the background
            pts.tone_section(view, found, key="terms_tone", docs_have_dates="date" in docs)
with tab_top:
    ngram, add, remove = ts.term_settings()
    if len(docs):
        c1, c2 = st.columns(2)
        n = c1.slider("How many terms", 10, 100, 30, step=5, key="w_top_n", persist_state="session")
        sort_by = c2.selectbox("Rank by", ["count", "doc_freq"], key="w_top_sort", persist_state="session",
                               format_func={"count": "occurrences", "doc_freq": "documents using it"}.get,
                               help=ts.GLOSSARY["doc_freq"])
        top = ct.top_terms_table(view, ngram, n, sort_by, add, remove)
        if top.empty:
            st.info("No term to show: the selected texts contain only stopwords or numbers.")
        else:
            ev = st.plotly_chart(ts.chart("top_terms_bars", top, value=sort_by), key="terms_top", **POINTS)
            first = top.iloc[0]
            reading(f"The commonest is '{first['term']}': {int(first['count']):,} times, in {int(first['doc_freq']):,} "
                    f"of the {int(first['n_docs']):,} documents (about {first['rate_per_10k']:,.1f} times in every "
                    "10,000 words).")
            st.caption(f"The most frequent {ts.NGRAM_LABELS[ngram]} in the selected documents, stopwords left out. "
                       "Click a bar to see the term in context.")
            if picks := [(None, c[0], None) for c in ts.selected_points(ev)]:
                ts.hits_in_context(view, picks, labels, key="drill_top")
            with st.expander("The same terms as a table", icon=":material/table:"):
                st.dataframe(top, hide_index=True, width="stretch", height=300, key="top_table", column_config={
                "rate_per_10k": st.column_config.NumberColumn("per 10k words", help=ts.GLOSSARY["rate"], format="%.2f"),
                "doc_freq": st.column_config.NumberColumn("documents", help=ts.GLOSSARY["doc_freq"]),
                "doc_share": st.column_config.NumberColumn("share of documents", format="percent")})
                download_button("Download top terms (CSV)", top, "top_terms.csv", key="dl_top")
with tab_key:
    values = sorted(set(group_of.values()), key=lambda v: group_names[v].lower())
    if len(values) < 2 and len(docs):
        st.info(f"Distinctive terms compare groups of documents, but the selected documents all have the same "
                f"{BY}. Pick another 'Group by' column in the sidebar, or widen the filters.")
    elif len(values) >= 2:
        c1, c2, c3 = st.columns(3)
        target = c1.selectbox(f"Distinctive terms of ({BY})", values, format_func=group_names.get, key="w_key_target")
        rest = c2.selectbox("Compared with", [None] + [v for v in values if v != target], key="w_key_ref",
                            format_func=lambda v: "all other documents" if v is None else group_names[v])
        min_count = c3.slider("Minimum count", 1, 20, 3, key="w_key_min", persist_state="session",
                              help="Leave out terms used fewer times than this on both sides together.")
        try:
            table = ct.keyness_table(view, by, target, rest, ngram, add, remove, min_count)
        except ValueError:  # one side has no words
            st.info("One side of this comparison has no words to compare. Pick other groups.")
        else:
            ts.keyness_view(table, group_names[target], "the rest" if rest is None else group_names[rest],
                            key="keyness", target_colour=colours.get(target, "#1a9850"),
                            reference_colour=NEUTRAL if rest is None else colours.get(rest, NEUTRAL),
                            sides=(f"the texts of {group_names[target]}", "the other texts" if rest is None
                                   else f"the texts of {group_names[rest]}"))
            st.caption(f"Uses the word settings of the 'Top terms' tab ({ts.NGRAM_LABELS[ngram]}, stopwords).")
