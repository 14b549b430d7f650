"""Corpus: the documents in use, uploads, pasted text, metadata, cleaning, load errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.corpus import loaders
from analysis.corpus.clean import NORMALISATIONS, RULES, visible
from analysis.corpus.limits import MB, Limits, format_bytes
from ui import frame
from ui import data
from ui.downloads import download_button
from ui.state import get_view
from ui.uploads import upload_note, upload_section

frame.enter()

#: Repairs are listed by cleaning these texts again (once per corpus), so at most this many documents.
MAX_REPAIR_DOCS = 200

view = get_view()
limits = Limits.from_env()
#: What a file may weigh: the smaller of Streamlit's upload limit and the loaders' limit.
upload_limit = format_bytes(min(limits.max_file_bytes, int(st.get_option("server.maxUploadSize")) * MB))
corpus = data.session_corpus()
prep = data.prepared(view)

st.title("Corpus")
st.caption("The documents every page analyses. Your uploads and edits stay in your browser session: "
           "nobody else using this app can see them, and they are gone when you close the tab.")
on_seeds = data.on_seeds()
upload_note()
c1, c2, c3 = st.columns(3)
c1.metric("Documents", f"{len(prep.docs):,}", help="The three example texts." if on_seeds else None)
c2.metric("Words", f"{int(prep.docs['n_words'].sum()):,}")
c3.metric("Files that failed", f"{len(corpus.errors):,}")
if on_seeds:
    st.info("You are looking at the three example texts. Choose your own files below to analyse them instead.",
            icon=":material/info:")
upload_section(view, corpus, limits, upload_limit, on_seeds)

tab_docs, tab_paste, tab_clean, tab_errors = st.tabs(
    ["Documents & metadata", "Paste a text", "Cleaning", f"Load errors ({len(corpus.errors)})"])

with tab_docs:
    st.write("Edit the metadata in the table, then press **Save metadata**. Empty cells mean *unknown*.")
    meta = corpus.to_frame(with_text=False)
    editable = [c for c in meta.columns if c != "doc_id"]
    edited = st.data_editor(meta, key="meta_editor", hide_index=True, width="stretch",
                            disabled=["doc_id"], num_rows="fixed", height=min(420, 38 + 35 * len(meta)),
                            column_config={"doc_id": st.column_config.TextColumn("doc_id", help="Unique id")})
    b1, b3 = st.columns([1, 3])
    if b1.button("Save metadata", type="primary"):
        data.set_corpus(corpus.with_metadata(edited))
        st.success("Metadata saved.")
        st.rerun()
    with b3:
        download_button("Download metadata (CSV)", meta, "metadata.csv", key="dl_meta")

with tab_paste:
    with st.form("paste_form", clear_on_submit=True):
        pasted = st.text_area("Text", height=160, max_chars=limits.max_file_bytes)
        p1, p2 = st.columns(2)
        p_title = p1.text_input("Title")
        p_author = p2.text_input("Author")
        if st.form_submit_button("Add text") and pasted.strip():
            added = loaders.from_text(pasted, title=p_title, author=p_author)
            replace = st.session_state.get("w_upload_mode", "replace") == "replace"
            data.set_corpus(added if replace else corpus.extend(added, limits=limits))
            st.rerun()
    st.caption("The pasted text replaces the texts in use, or joins them, as chosen above.")

with tab_clean:
    st.toggle("Clean the texts", key="w_clean", value=view.clean,
              help="Repairs broken characters, normalises quotes and dashes and removes boilerplate "
                   "(share links, photo credits, author bios). Switch off to analyse the texts exactly as loaded.",
              on_change=lambda: setattr(view, "clean", st.session_state["w_clean"]))
    removals = prep.removals
    if not view.clean:
        st.info("Cleaning is off: every page analyses the texts exactly as loaded.")
    elif removals.empty:
        st.info("Cleaning removed nothing from these documents.")
    else:
        st.write(f"Cleaning removed **{len(removals)}** passages. Each row says which rule removed what, "
                 "and where (character offsets in the text as loaded).")
        shown = removals.assign(why=removals["rule"].map(lambda r: RULES.get(r, r)))
        st.dataframe(shown, hide_index=True, width="stretch")
        download_button("Download removals (CSV)", shown, "cleaning.csv", key="dl_clean")
    if view.clean:  # every character repair, like the removals: rule, where, what it was and became
        n_repairs = int(prep.repairs["count"].sum()) if len(prep.repairs) else 0
        if not n_repairs:
            st.info("Cleaning repaired no characters in these documents.")
        else:
            repair_rows = data.repair_rows(data.corpus_key(), MAX_REPAIR_DOCS, prep)
            st.write(f"Cleaning made **{n_repairs:,}** character repairs. Each row says which rule changed "
                     "what into what, and where (character offsets in the text as loaded). Spaces and invisible "
                     "characters are shown as ␣, ⏎ or their code point, e.g. ⟨U+00A0⟩ for a no-break space.")
            if len(prep.repairs["doc_id"].unique()) > MAX_REPAIR_DOCS:
                st.caption(f"Listed for the first {MAX_REPAIR_DOCS} documents with repairs; the command line "
                           "(`python -m analysis cleaning PATH --repairs`) lists them all.")
            st.dataframe([{**r, "original": visible(r["original"]), "replacement": visible(r["replacement"]),
                           "why": NORMALISATIONS.get(r["rule"], r["rule"])} for r in repair_rows],
                         hide_index=True, width="stretch", key="repairs_table")
            download_button("Download repairs (CSV)", repair_rows, "repairs.csv", key="dl_repairs")
    with st.expander("The cleaning rules"):
        st.dataframe([{"rule": k, "what it does": v} for k, v in RULES.items()], hide_index=True, width="stretch")
        st.dataframe([{"repair": k, "what it does": v} for k, v in NORMALISATIONS.items()],
                     hide_index=True, width="stretch")

with tab_errors:
    if corpus.errors:
        st.write("These files could not be loaded; every other file was.")
        errors = [{"file": e.path, "reason": e.reason} for e in corpus.errors]
        st.dataframe(errors, hide_index=True, width="stretch")
        download_button("Download the load errors (CSV)", pd.DataFrame(errors), "load_errors.csv", key="dl_errors")
    else:
        st.success("Every file loaded.")
