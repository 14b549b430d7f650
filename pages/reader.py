"""Reader: one document as text - sentences tinted by tone, tracked phrases highlighted, passages
shared with other documents underlined - and the words behind any sentence's score."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import plain

from analysis.corpus.clean import RULES
from analysis.corpus.model import METADATA_FIELDS, display_author
from ui import frame
from ui import cached_sentiment as cs
from ui import cached_terms as ct
from ui import data
from ui import reader_view as rv
from ui import tone_sections as ts
from ui.downloads import download_button
from ui.readings import reading
from ui.state import get_view

frame.enter()

META_SKIP = {"doc_id", "raw_text", "text", "n_words", "n_sentences", "n_paragraphs", "origin"}

view = get_view()
prep, docs = data.prepared(view), data.filtered(view).docs
ids, labels = list(docs["doc_id"].astype(str)), ct.doc_labels(view)
if asked := st.query_params.get("read"):  # a "Read it in the Reader" link (write_url then drops it)
    view.doc = str(asked)[:200]

st.title("Reader")
st.caption("One document at a time, as text: each sentence tinted by its tone, tracked phrases highlighted, "
           "passages it shares with other documents underlined. Pick a sentence to see the words behind its score.")
if not ids:
    st.info("The sidebar filters leave no documents. Clear a filter to read one.")
else:
    if view.doc not in ids:
        if view.doc:
            st.info("The document you asked for is not among the documents the sidebar filters keep; showing the "
                    "first one that is. Clear the filters to read it.")
        view.doc = ids[0]
    st.session_state["w_reader_doc"] = view.doc
    doc = st.selectbox("Document", ids, format_func=lambda d: labels.get(d, d), key="w_reader_doc",
                       on_change=lambda: setattr(view, "doc", st.session_state["w_reader_doc"]))
    measure, _ = ts.method_controls(view, basis_control=False)
    col = cs.SENTENCE_COL[measure]
    row = prep.docs[prep.docs["doc_id"].astype(str) == doc].iloc[0]
    sents = cs.doc_sentences(view, doc)
    score = cs.tables(view).documents.set_index("doc_id").loc[doc]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Words", f"{int(row['n_words']):,}", help="Word tokens of the cleaned text.")
    m2.metric("Tone (TextBlob)", f"{score['polarity']:+.3f}", help=ts.GLOSSARY["polarity"] + " Over the whole text.")
    m3.metric("Subjectivity", f"{score['subjectivity']:.3f}", help=ts.GLOSSARY["subjectivity"])
    m4_col, m4_name = ("classifier_mean", "Tone (classifier)") if view.method == "classifier" else ("vader_mean",
                                                                                                  "Tone (VADER)")
    m4.metric(m4_name, "n/a" if pd.isna(score[m4_col]) else f"{score[m4_col]:+.3f}",
              help=ts.GLOSSARY["classifier" if view.method == "classifier" else "vader"])
    reading(plain.tone(score[measure], labels.get(doc, doc), view.method),
            plain.subjectivity(score["subjectivity"], "It"))
    ts.exclusion_note(view, int(sents["masked"].sum()), "this document", doc_id=doc)

    pick_key = f"reader_sents_{doc}"
    state = st.session_state.get(pick_key)
    rows = state.selection.rows if state is not None and state.selection.rows else []
    chosen = sents.iloc[rows[0]] if rows and rows[0] < len(sents) else None
    evidence = cs.sentence_evidence(view, chosen["text"]) if chosen is not None else None
    if evidence is not None and len(evidence):
        ev_doc = evidence.dropna(subset=["start", "end"]).astype({"start": int, "end": int})
        ev_doc = ev_doc.assign(start=ev_doc["start"] + int(chosen["start"]), end=ev_doc["end"] + int(chosen["start"]))
    else:
        ev_doc = None
    hits = ct.phrase_hits(view)
    hits = hits[hits["doc_id"] == doc]
    passages = ct.doc_passages(view, doc)

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.html(rv.legend_html(ts.SENTENCE_LABELS[col]))
        st.html(rv.document_html(str(row["text"]), sents, col, ts.SENTENCE_LABELS[col], hits, passages,
                                 labels, None if chosen is None else int(chosen["sent"]), ev_doc))
    with right:
        st.subheader("Sentences", help="Click a row: the sentence is outlined in the text and the words that drove "
                     "its score are listed and underlined.")
        st.dataframe(sents[["position", col, "text"]], hide_index=True, width="stretch", height=360, key=pick_key,
                     on_select="rerun", selection_mode="single-row", column_config=ts.SCORE_COLUMNS)
        download_button("Download the sentence scores (CSV)", sents, "sentences.csv", key="reader_dl_sents",
                        labels=labels)
        if chosen is None:
            st.caption("Click a sentence above to see the words behind its score.")
        else:
            st.markdown(f"**Sentence {int(chosen['position'])}**")
            reading(plain.tone(chosen[col], "This sentence", view.method))
            st.text(str(chosen["text"]))
            ts.evidence_table(evidence, key="reader")

        box = st.expander("About this document: author, source, date, notes", icon=":material/info:")
        with box:
            meta = [{"field": "author", "value": display_author(row.get("author", ""))}]
            for c in prep.docs.columns:
                if c in META_SKIP or c in ("author", "notes"):
                    continue
                value = str(row[c]).strip()
                if value in ("", "nan", "<NA>", "None"):
                    if c not in METADATA_FIELDS:
                        continue  # an extra column this document has no value for
                    value = "unknown"  # a standard field is shown, and said to be unknown, never left out
                meta.append({"field": c, "value": value})
            meta += [{"field": "sentences", "value": f"{len(sents):,}"}]
            st.dataframe(pd.DataFrame(meta), hide_index=True, width="stretch", key="reader_meta",
                         column_config={"value": st.column_config.TextColumn("value", width="large")})
            download_button("Download the metadata (CSV)", pd.DataFrame(meta + [{"field": "notes", "value": str(
                row.get("notes", ""))}]), "metadata.csv", key="reader_dl_meta")
            if str(row.get("notes", "")).strip():
                st.text("Notes: " + str(row["notes"]))

        box = st.expander(f"Shared with other documents ({len(passages)} passage(s))", icon=":material/link:")
        with box:
            if passages.empty:
                st.caption("No passage of 8 words or more is shared with another selected document.")
            else:
                shared = passages.assign(other=passages["other_doc"].map(labels))[["text", "other", "n_words", "start"]]
                st.dataframe(shared, hide_index=True, width="stretch", key="reader_passages", column_config={
                    "text": st.column_config.TextColumn("passage", width="large"), "other": "also in", "n_words": st.column_config.NumberColumn("words"),
                    "start": st.column_config.NumberColumn("at character", help="Offset in this document's cleaned text.")})
                download_button("Download shared passages (CSV)", passages, "shared_passages.csv", key="reader_dl_passages",
                                labels=labels)

        box = st.expander("Removed by cleaning", icon=":material/cleaning_services:")
        with box:
            removed = prep.removals[prep.removals["doc_id"].astype(str) == doc]
            if not view.clean:
                st.caption("Cleaning is off: the text is shown exactly as loaded.")
            elif removed.empty:
                st.caption("Cleaning removed nothing from this document.")
            else:
                removed = removed.assign(why=removed["rule"].map(lambda r: RULES.get(r, r)))
                st.dataframe(removed[["text", "why"]], hide_index=True, width="stretch", key="reader_removed")
                download_button("Download what was removed (CSV)", removed, "removed.csv", key="reader_dl_removed")
        st.page_link("pages/corpus.py", label="All cleaning rules and removals: Corpus page", icon=":material/folder_open:")
