"""Uploaded files: read once, then dropped from the server.

Streamlit keeps every uploaded file's bytes in its upload manager until the
browser session ends (and up to two minutes after the tab closes), even after a
form has been cleared. The corpus is parsed from the bytes straight away, so
they are removed from the manager as soon as they have been read: a visitor's
raw uploads do not sit in the server's memory beside the parsed corpus.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx


def read_and_forget(files: Sequence) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of each uploaded file (``st.file_uploader``'s values); each file is then
    removed from Streamlit's upload manager (a later rerun's uploader simply has no files)."""
    batch = [(f.name, f.getvalue()) for f in files]
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.uploaded_file_mgr is not None:
        for f in files:
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, f.file_id)
    for f in files:
        f.close()
    return batch


# --------------------------------------------------------------------------- the Corpus page's upload section

FORMATS = ("Files: .txt, .md, .csv, .tsv, .json, .jsonl, .docx, .pdf, .html, any of them gzipped (.gz), or a .zip "
           "of them. A **metadata.csv** (column doc_id or file name, plus author, date, …) attaches metadata by "
           "file name.")
MODES = {"replace": "Replace the texts", "add": "Add them to the current texts"}


def _uploader_key() -> str:
    return f"w_files_{st.session_state.get('_upload_round', 0)}"


def _reset_filters(view) -> None:
    """Filters and the selected document refer to the old texts: a new corpus starts unfiltered."""
    for attr in ("authors", "sources", "types", "docs"):
        setattr(view, attr, [])
    view.year_from = view.year_to = None
    view.doc = ""


def upload_section(view, corpus, limits, upload_limit: str, on_seeds: bool) -> None:
    """The first thing on the Corpus page: choose files and they load straight away (replacing the
    texts unless the visitor chose to add them), with a progress bar; and the way back to the
    example texts."""
    from analysis.corpus import loaders

    from . import data

    st.subheader("Load your own texts")
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    mode = c1.radio("What happens to the texts now in use", list(MODES), horizontal=True, key="w_upload_mode",
                    format_func=lambda m: ("Replace the example texts" if on_seeds and m == "replace" else MODES[m]),
                    help="Replace: only your files are analysed. Add: your files join the texts already here.")
    if c2.button("Back to the example texts", icon=":material/undo:", disabled=on_seeds, key="back_to_seeds",
                 help="The three example texts (a column, a news report quoting it, an MP's article)."):
        data.set_corpus(data.seeds())
        _reset_filters(view)
        st.rerun()
    files = st.file_uploader(f"Choose files: they load as soon as you pick them (up to {upload_limit} each, "
                             f"{limits.max_documents:,} documents in all)", accept_multiple_files=True,
                             key=_uploader_key(), help=FORMATS)
    with st.expander("Table options (CSV, TSV, JSON)"):
        text_col = st.text_input("Text column", "", key="w_text_col",
                                 help="Leave empty to detect it (text, body, content, …).")
        id_col = st.text_input("Id column", "", key="w_id_col", help="Leave empty to use doc_id / id, or the row number.")
    if not files:
        return
    n = len(files)
    bar = st.progress(0.0, text=f"Reading {n} file(s)…")
    batch = []
    for i, f in enumerate(files):
        bar.progress(i / (n + 2), text=f"Reading {f.name} ({i + 1} of {n})…")
        batch.extend(read_and_forget([f]))
    del files
    bar.progress(n / (n + 2), text="Taking the texts out of the files…")
    loaded = loaders.load_files(batch, text_column=text_col or None, id_column=id_col or None, limits=limits)
    del batch
    new = loaded if mode == "replace" else corpus.extend(loaded, limits=limits)
    if len(new):
        data.set_corpus(new)
        if mode == "replace":
            _reset_filters(view)
        bar.progress((n + 1) / (n + 2), text="Cleaning the texts and splitting them into sentences…")
        data.prepared(view)
        start_analyses(view)
    bar.progress(1.0, text="Done.")
    st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1  # an empty uploader
    st.session_state["_upload_note"] = (
        f"Loaded {len(loaded):,} document(s)" + (f"; {len(loaded.errors)} file(s) could not be read (see 'Load "
                                                 "errors')" if loaded.errors else "")
        + ("" if len(new) else ". Nothing could be loaded, so the texts in use are unchanged") + ".")
    st.rerun()


def start_analyses(view) -> None:
    """Set the tone scores and the topics of a new corpus going (in the background when the corpus
    is large, :mod:`ui.background`), so that they are under way while the visitor looks around."""
    from . import background, data
    from . import cached_sentiment as cs
    from . import cached_topics as ctp

    words = background.words_in(data.prepared(view).docs)
    if not background.enabled() or words < background.MIN_WORDS:
        return  # small: each page works its part out in a moment
    for first in (cs.tables, ctp.session_topics):
        try:
            first(view)
        except background.Pending:
            pass


def upload_note() -> None:
    """The message of the last upload, once."""
    note = st.session_state.pop("_upload_note", None)
    if note:
        (st.warning if "could not" in note or "Nothing" in note else st.success)(note)
