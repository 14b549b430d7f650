"""Political-text explorer: the entry point and shared frame.

``streamlit run app.py`` opens the dashboard on the seed corpus. This file
sets up the page, the navigation over ``pages/``, the sidebar filters that
every page shares, and keeps the view in the URL. Pages run inside a guard
that shows a friendly message instead of a traceback.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import background, frame, memory, sidebar, store_access, timing, waiting
from ui.state import get_view, write_url

log = logging.getLogger("explorer")

PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:", True),
    ("pages/corpus.py", "Corpus", ":material/folder_open:", False),
    ("pages/reader.py", "Reader", ":material/menu_book:", False),
    ("pages/terms.py", "Terms & phrases", ":material/format_quote:", False),
    ("pages/sentiment.py", "Sentiment", ":material/mood:", False),
    ("pages/topics.py", "Topics", ":material/hub:", False),
    ("pages/compare.py", "Compare", ":material/compare_arrows:", False),
    ("pages/methods.py", "Methods", ":material/science:", False),
]


#: A large precomputed store (``EXPLORER_STORE``, more than ``store_access.LARGE_DOCS``
#: documents) is explored through its aggregates: these pages read nothing else.
LARGE_STORE_PAGES = [
    ("pages/store_overview.py", "Overview", ":material/dashboard:", True),
    ("pages/methods.py", "Methods", ":material/science:", False),
]


def build_navigation(large_store: bool = False):
    """The app's pages, in menu order."""
    pages = [st.Page(path, title=title, icon=icon, default=default)
             for path, title, icon, default in (LARGE_STORE_PAGES if large_store else PAGES)]
    return st.navigation(pages)


def main(run: timing.Run) -> None:
    frame.start()
    st.set_page_config(page_title="Political-text explorer", page_icon=":material/article:", layout="wide")
    memory.keep_trimming()
    large = store_access.is_large(store_access.env_store())
    page = build_navigation(large)
    run.page, run.title = page.url_path, page.title
    view = get_view()
    try:
        if not large:
            sidebar.render(view)  # the store page draws its own filters over the store's metadata
        with frame.drawing():
            page.run()
    except background.Pending as pending:  # the rest of the page is being worked out in the background
        waiting.panel(pending)
    except Exception:  # noqa: BLE001 - the visitor gets a message, the log gets the traceback
        run.status = "error"
        log.exception("page %s failed", page.title)
        st.error(
            "Something went wrong while drawing this page. Try changing the filters or the "
            "corpus; if it keeps happening, please report it with the link from your address bar."
        )
    write_url(view)


if __name__ != "__mp_main__":  # a worker process importing its parent's script draws nothing
    with timing.script_run() as _run:  # server-side time of this run (EXPLORER_TIMING_LOG)
        main(_run)
