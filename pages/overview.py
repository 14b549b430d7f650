"""Overview: the corpus at a glance - size, tone per document and author, where the tracked
phrases occur, topic shares - with a way into every other page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.model import display_author
from ui import cached_sentiment as cs
from ui import cached_terms as ct
from ui import cached_topics as ctop
from ui import data
from ui import tone_sections as ts
from ui.charts import overview as ov_charts
from ui.charts import tone as tone_charts
from ui.charts.phrases import phrase_bars
from ui.colors import colour_map
from ui.downloads import download_button
from ui.state import get_view

MAX_BARS, MAX_LINES = 40, 300
POINTS = dict(on_select="rerun", selection_mode="points", config={"displaylogo": False})

view = get_view()
whole, docs = data.prepared(view).docs, data.filtered(view).docs
ids, labels, by = tuple(docs["doc_id"].astype(str)), ct.doc_labels(view), view.group_by
BY = ts.md_name(by)  # the column name, safe inside Markdown
colours, key = cs.colours(view), (data.corpus_key(), view.clean, cs.excluded(view))
group_of = dict(zip(docs["doc_id"].astype(str), cs.group_keys(docs, by)))
authors = docs["author"].fillna("").astype(str).str.strip() if "author" in docs else pd.Series([""] * len(docs))
years = data.year_of(docs["date"]) if "date" in docs else pd.Series(dtype="Int64")

st.title("Overview")
st.caption("The texts at a glance: how much there is, the tone of each text and author, where your tracked "
           "phrases occur and which topics run through it. Everything follows the sidebar filters.")
m1, m2, m3, m4 = st.columns(4)
m1.metric("Documents", f"{len(docs):,}", help=f"Of {len(whole):,} in the corpus; the sidebar filters keep {len(docs):,}.")
m2.metric("Words", f"{int(docs['n_words'].sum()):,}", help="Word tokens of the cleaned texts.")
n_unknown = int((authors == "").sum())
m3.metric("Authors", f"{authors[authors != ''].nunique():,}", delta=f"+ {n_unknown} by an unknown author" if n_unknown
          else None, delta_color="off", delta_arrow="off", help="Named authors; documents without an author are "
          "counted apart, as 'Unknown author' (never guessed).")
span = "no dates" if years.dropna().empty else f"{years.min()}" if years.min() == years.max() else f"{years.min()}–{years.max()}"
m4.metric("Date span", span, delta=f"+ {int(years.isna().sum())} undated" if years.isna().any() and span != "no dates"
          else None, delta_color="off", delta_arrow="off", help="Years of the dated documents.")
if docs.empty:
    st.info("The sidebar filters leave no documents. Clear a filter to see the overview.")
else:
    plist = ct.check_phrases(view.phrases)[0]
    scores = cs.doc_scores(view).set_index("doc_id")
    counts = ct.phrase_table(view).pivot_table(index="doc_id", columns="phrase", values="count", aggfunc="sum") \
        if plist else pd.DataFrame(index=list(ids))
    table = pd.DataFrame({"doc_id": list(ids), "document": [labels.get(d, d) for d in ids],
                          "author": [display_author(a) for a in authors], "group": [group_of[d] for d in ids],
                          "date": docs["date"].fillna("").astype(str).tolist(), "words": docs["n_words"].tolist()})
    table = table.join(scores[["n_sentences", "polarity", "subjectivity", "vader_mean", "polarity_mean"]], on="doc_id")
    pcols = {p: f"“{p}”" for p in plist}
    table = table.join(counts.reindex(columns=plist).rename(columns=pcols), on="doc_id").fillna({c: 0 for c in pcols.values()})
    measure = cs.document_measure(view)
    st.subheader("At a glance", help=f"{ts.GLOSSARY['polarity']}\n\n{ts.GLOSSARY['vader']}")
    st.html(ts.summary_html(table, measure, view.method, plist, colours))
    st.page_link("pages/sentiment.py", label="Tone in detail: Sentiment page", icon=":material/mood:")

    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Tone of each document", help=ts.GLOSSARY["interval"])
        per_doc = cs.doc_intervals(view, measure).assign(colour=lambda t: t["doc_id"].map(group_of))
        per_doc = per_doc.sort_values("mean", ascending=False, kind="stable")
        shown = per_doc if len(per_doc) <= MAX_BARS else pd.concat([per_doc.head(MAX_BARS // 2), per_doc.tail(MAX_BARS // 2)])
        fig = ts.figure(key + ("ov-docs", measure, ids, by), tone_charts.tone_bars, shown, "doc_id", colour_col="colour",
                        colours=colours, labels=labels, colour_labels={g: cs.group_label(by, g) for g in colours},
                        value_label=ts.measure_label(measure), show_legend=by == "doc_id", chart="overview-tone-docs")
        ev = st.plotly_chart(fig, key="ov_tone_docs", **POINTS)
        st.caption(f"Each bar: one document's {ts.measure_label(measure)}, coloured by {BY} (as on the right); the "
                   "whisker is a 95% interval over its sentences. Click a bar for a link to the text." + (f" The {MAX_BARS // 2} most positive and most negative of "
                                                      f"{len(per_doc):,} documents." if len(shown) < len(per_doc) else ""))
        for doc in dict.fromkeys(p[0] for p in ts.selected_points(ev)):
            ts.reader_link(view, doc, labels.get(doc, doc))
        download_button("Download tone per document (CSV)", per_doc, "tone_per_document.csv", key="ov_dl_tone_docs")
    with c2:
        st.subheader(f"Tone of each {BY}" if by != "doc_id" else "Tone per group", help=ts.GLOSSARY["interval"])
        groups = cs.group_table(view, by, measure).sort_values("mean", ascending=False, kind="stable")
        if by == "doc_id" or groups.empty:
            st.info("Pick a 'Group by' column in the sidebar to compare groups of documents.")
        else:
            fig = ts.figure(key + ("ov-groups", measure, ids, by), tone_charts.tone_bars, groups.head(MAX_BARS), "group",
                            colours=colours, labels=dict(zip(groups["group"], groups["label"])),
                            value_label=ts.measure_label(measure), chart="overview-tone-groups")
            st.plotly_chart(fig, key="ov_tone_groups", config={"displaylogo": False})
            st.caption("Each bar: the mean over the group's documents (each counts once). Whisker: 95% bootstrap "
                       "interval over its documents, or over the sentences of a one-document group.")
            download_button("Download tone per group (CSV)", groups, "tone_per_group.csv", key="ov_dl_tone_groups")

    st.subheader("Where do the tracked phrases occur?")
    st.page_link("pages/terms.py", label="Add or remove phrases: Terms & phrases page", icon=":material/format_quote:")
    lines = ct.kwic_lines(view, plist, window=8) if plist else pd.DataFrame()
    if not plist:
        st.info("No phrase is tracked. Add one on the Terms & phrases page.")
    elif lines.empty:
        st.info(f"None of the tracked phrases ({', '.join(ts.md_code(p) for p in plist)}) occurs in the selected documents.")
    else:
        for p in plist:
            if not (lines["phrase"] == p).any():
                st.caption(f"{ts.md_code(p)} never occurs in the selected documents.")
        rates = ct.phrase_table(view).assign(group=lambda t: t["doc_id"].map(group_of))
        rates = rates[rates["doc_id"].isin(rates.groupby("doc_id")["rate_per_10k"].sum().nlargest(MAX_BARS).index)]
        fig = ts.figure(key + ("ov-phrases", tuple(plist), ids, by), phrase_bars, rates, "doc_id", "group", colours,
                        labels, {g: cs.group_label(by, g) for g in colours}, "overview-phrases")
        st.plotly_chart(fig, key="ov_phrases", config={"displaylogo": False})
        st.caption("Each bar: how often the phrase occurs per 10,000 words of one document (hover for the count).")
        kw = lines.assign(document=lines["doc_id"].map(labels), author=lines["doc_id"].map(dict(zip(ids, table["author"]))))
        kw = kw[["document", "author", "left", "match", "right", "phrase", "doc_id"]]
        ev = st.dataframe(kw.head(MAX_LINES), hide_index=True, width="stretch", key="ov_kwic", on_select="rerun",
                          selection_mode="single-row", column_order=["document", "author", "left", "match", "right"],
                          column_config={"document": st.column_config.TextColumn("document", width="medium"),
                                         "author": st.column_config.TextColumn("author", width="small"),
                                         "left": st.column_config.TextColumn("left context", alignment="right", width="large"),
                                         "match": st.column_config.TextColumn("match", width="small"),
                                         "right": st.column_config.TextColumn("right context", width="large")})
        hit_docs = list(dict.fromkeys(kw["doc_id"]))
        picked = [kw.iloc[r]["doc_id"] for r in ev.selection.rows] if ev.selection.rows else []
        st.caption("Click a line to open its document in the Reader." if len(hit_docs) > 6 else
                   "Open a document in the Reader to see each occurrence in its full text:")
        for doc in (picked or (hit_docs if len(hit_docs) <= 6 else [])):
            ts.reader_link(view, doc, labels.get(doc, doc))
        download_button("Download these lines (CSV)", kw, "phrase_lines.csv", key="ov_dl_kwic")

    st.subheader("The documents")
    st.dataframe(table.drop(columns=["group", "polarity_mean"]), hide_index=True, width="stretch", key="ov_docs",
                 column_config={"doc_id": None, "n_sentences": st.column_config.NumberColumn("sentences"),
                                "polarity": st.column_config.NumberColumn("polarity", help=ts.GLOSSARY["polarity"] +
                                                                          " Over the whole text.", format="%+.3f"),
                                "subjectivity": ts.SCORE_COLUMNS["subjectivity"], "vader_mean": ts.SCORE_COLUMNS["vader_mean"],
                                **{c: st.column_config.NumberColumn(c, help="Occurrences of this tracked phrase.",
                                                                    format="%d") for c in pcols.values()}})
    download_button("Download the documents table (CSV)", table, "documents.csv", key="ov_dl_docs")
    st.page_link("pages/corpus.py", label="Add or edit documents: Corpus page", icon=":material/folder_open:")

    st.subheader("Topics", help="Groups of words that travel together; each text is a mix of them. See the Topics page.")
    topics = ctop.session_topics(view)
    if topics.model is None:
        st.info(topics.error)
    else:
        names = topics.names
        tcol = dict(zip(range(topics.model.k_), colour_map(names[t] for t in range(topics.model.k_)).values()))
        shares = ctop.filtered_doc_shares(view)
        order = [d for d in per_doc["doc_id"]][:MAX_BARS]
        fig = ts.figure(key + ("ov-topics", view.k, topics.model.k_, tuple(order)), ov_charts.topic_share_bars,
                        shares[shares["doc_id"].isin(order)], order, labels, tcol)
        st.plotly_chart(fig, key="ov_topics", config={"displaylogo": False})
        st.caption("Each bar: one document split into topics (100% per document). Topics are found on the whole "
                   "corpus, so they stay put when you filter.")
        download_button("Download topic shares (CSV)", shares, "topic_shares.csv", key="ov_dl_topics")
    st.page_link("pages/topics.py", label="Topics in detail: Topics page", icon=":material/hub:")
