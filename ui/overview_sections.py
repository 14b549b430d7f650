"""Pieces of the Overview page: headline figures, the documents table, the phrase-hits list
and the topic shares. Streamlit code kept out of the page so it stays short; untrusted text
goes only into tables, widget options and escaped HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.corpus.model import display_author

from . import cached_sentiment as cs
from . import cached_terms as ct
from . import cached_topics as ctop
from . import background, data
from . import tone_sections as ts
from .charts import glance
from .colors import colour_map
from .downloads import download_button
from .state import View

MAX_LINES = 300
#: Topic shares are found straight away on corpora up to this many documents; on larger ones
#: (where finding topics takes a minute or more the first time) only when the visitor opens them.
AUTO_TOPICS_DOCS = 30


def headline(docs: pd.DataFrame, n_whole: int) -> None:
    """Documents, words, authors (unknown ones counted apart) and the date span."""
    authors = docs["author"].fillna("").astype(str).str.strip() if "author" in docs else pd.Series([""] * len(docs))
    years = data.year_of(docs["date"]).dropna() if "date" in docs else pd.Series(dtype="Int64")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Documents", f"{len(docs):,}", help=f"The sidebar filters keep {len(docs):,} of the {n_whole:,} "
              "documents in the corpus.")
    m2.metric("Words", f"{int(docs['n_words'].sum()):,}", help="Word tokens of the cleaned texts.")
    unknown = int((authors == "").sum())
    m3.metric("Authors", f"{authors[authors != ''].nunique():,}", delta=f"+ {unknown} by an unknown author" if unknown
              else None, delta_color="off", delta_arrow="off", help="Named authors. Documents without an author "
              "are counted apart, as 'Unknown author' (an author is never guessed).")
    span = "no dates" if years.empty else str(years.min()) if years.min() == years.max() else f"{years.min()}–{years.max()}"
    undated = len(docs) - len(years)
    m4.metric("Date span", span, delta=f"+ {undated} undated" if undated and len(years) else None, delta_color="off",
              delta_arrow="off", help="Years of the dated documents.")


def document_table(view: View, docs: pd.DataFrame, plist: list[str], labels: dict, group_of: dict) -> pd.DataFrame:
    """One row per filtered document: ``doc_id, document, author ("Unknown author" when empty),
    group, date, words, n_sentences, polarity, subjectivity, vader_mean, polarity_mean`` and a
    count column ``“phrase”`` per tracked phrase."""
    ids = docs["doc_id"].astype(str).tolist()
    authors = docs["author"] if "author" in docs else pd.Series([""] * len(docs))
    table = pd.DataFrame({"doc_id": ids, "document": [labels.get(d, d) for d in ids],
                          "author": [display_author("" if pd.isna(a) else str(a)) for a in authors],
                          "group": [group_of.get(d, "") for d in ids],
                          "type": docs["type"].fillna("").astype(str).tolist() if "type" in docs else [""] * len(ids),
                          "date": docs["date"].fillna("").astype(str).tolist() if "date" in docs else [""] * len(ids),
                          "words": docs["n_words"].astype(int).tolist()})
    scores = cs.doc_scores(view).set_index("doc_id")
    table = table.join(scores[["n_sentences", "polarity", "subjectivity", "vader_mean", "polarity_mean"]], on="doc_id")
    if plist:
        counts = ct.phrase_table(view).pivot_table(index="doc_id", columns="phrase", values="count", aggfunc="sum")
        counts = counts.reindex(columns=plist).fillna(0).astype(int).rename(columns={p: f"“{p}”" for p in plist})
        table = table.join(counts, on="doc_id")
        table[list(counts.columns)] = table[list(counts.columns)].fillna(0).astype(int)
    return table


def show_document_table(table: pd.DataFrame, plist: list[str]) -> None:
    st.dataframe(table.drop(columns=["group", "polarity_mean"]), hide_index=True, width="stretch", key="ov_docs",
                 column_config={
                     "doc_id": None, "n_sentences": st.column_config.NumberColumn("sentences"),
                     "polarity": st.column_config.NumberColumn("polarity", format="%+.3f",
                                                               help=ts.GLOSSARY["polarity"] + " Over the whole text."),
                     "subjectivity": ts.SCORE_COLUMNS["subjectivity"], "vader_mean": ts.SCORE_COLUMNS["vader_mean"],
                     **{f"“{p}”": st.column_config.NumberColumn(f"“{p}”", format="%d", help="Occurrences of this "
                                                                "tracked phrase.") for p in plist}})
    download_button("Download the documents table (CSV)", table, "documents.csv", key="ov_dl_docs")  # has its names


def phrase_lines(view: View, plist: list[str], labels: dict, authors: dict) -> None:
    """The compact "where do the phrases occur" list (document, author, left | match | right) with
    links to the Reader: one per document when few documents have hits, else for the clicked line."""
    lines = ct.kwic_lines(view, plist, window=8)
    kw = lines.assign(document=lines["doc_id"].map(labels).fillna(lines["doc_id"]), author=lines["doc_id"].map(authors))
    kw = kw[["document", "author", "left", "match", "right", "phrase", "doc_id"]]
    box = st.expander(f"Every occurrence, line by line ({len(kw):,})", icon=":material/format_list_bulleted:",
                      expanded=len(kw) <= 6)
    if len(kw) > MAX_LINES:
        box.caption(f"The first {MAX_LINES:,} of {len(kw):,} occurrences; the CSV has them all.")
    ev = box.dataframe(kw.head(MAX_LINES), hide_index=True, width="stretch", key="ov_kwic", on_select="rerun",
                      selection_mode="single-row", column_order=["document", "author", "left", "match", "right"],
                      column_config={"left": st.column_config.TextColumn("left context", alignment="right"),
                                     "right": st.column_config.TextColumn("right context")})
    hit_docs = list(dict.fromkeys(kw["doc_id"]))
    picked = [kw.iloc[r]["doc_id"] for r in ev.selection.rows] if ev.selection.rows else []
    box.caption("Click a line to get a link to its document in the Reader." if len(hit_docs) > 6 else
               "Open a document in the Reader to see each occurrence in the full text:")
    for doc in picked or (hit_docs if len(hit_docs) <= 6 else []):
        ts.reader_link(view, doc, labels.get(doc, doc))
    with box:
        download_button("Download these lines (CSV)", kw, "phrase_lines.csv", key="ov_dl_kwic")


def topic_shares(view: View, order: list[str], labels: dict, n_docs: int) -> None:
    """Each document split into topics (the Topics page's model and colours), inside an expander
    that finds the topics only when open (open from the start on small corpora - topics are
    found on the whole corpus, so its size decides - and on a server, where a background process
    finds them). ``n_docs``: filtered documents."""
    # on a server the topics are found by a background process (ui.background): the page never waits for them
    small = len(data.prepared(view).docs) <= AUTO_TOPICS_DOCS or background.enabled()
    label = "Topic shares" if small else "Topic shares (the first time, finding topics takes a minute or two)"
    box = st.expander(label, expanded=small, key="ov_topics_box", on_change="rerun", icon=":material/hub:")
    if not box.open:
        return
    with box:
        topics = ctop.session_topics(view)
        if topics.model is None:
            st.info(topics.error)
            return
        names = topics.names
        colours = dict(zip(range(topics.model.k_), colour_map(names[t] for t in range(topics.model.k_)).values()))
        shares = ctop.filtered_doc_shares(view)
        st.vega_lite_chart(glance.topic_share_bars(shares, order, labels, colours), key="ov_topics")
        st.caption("Each bar: one document split into topics (100% per document); hover for the share. Topics are "
                   "found on the whole corpus, so they stay put when you filter."
                   + (f" The {len(order)} documents of the tone chart above." if len(order) < n_docs else ""))
        download_button("Download topic shares (CSV)", shares, "topic_shares.csv", key="ov_dl_topics")
