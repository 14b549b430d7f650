"""Uploaded files: read once, then dropped from the server.

Streamlit keeps every uploaded file's bytes in its upload manager until the
browser session ends (and up to two minutes after the tab closes), even after a
form has been cleared. The corpus is parsed from the bytes straight away, so
they are removed from the manager as soon as they have been read: a visitor's
raw uploads do not sit in the server's memory beside the parsed corpus.
"""

from __future__ import annotations

from collections.abc import Sequence

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
