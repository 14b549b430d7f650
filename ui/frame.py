"""The shared frame (navigation, sidebar, URL state, error guard) that every page runs inside.

Streamlit 1.67 decides once per server process, when the first session starts, whether the
``pages/`` folder beside ``app.py`` is a legacy (v1) multipage folder
(``PagesManager.uses_pages_directory``); only a call to ``st.navigation`` clears the flag.
While it is set, a script run takes the legacy path: a deep link such as
``/terms?phrases=left+behind`` runs ``pages/terms.py`` on its own, and ``/`` runs
``app.py`` as the first page of a legacy menu. That is the very first request to a freshly
started (or woken) server, and on AppTest every run.

So both ends check, and neither reruns (a rerun would drop a button press or an upload
made in that run): :func:`start`, the first call of ``app.py``, only clears the flag, and
``app.py`` goes on to call ``st.navigation`` as on every later run; :func:`enter`, the first
call of every page script, finds itself outside the frame, clears the flag and runs the
main script in its place - which draws the frame and, inside it, this page - then stops.
"""

from __future__ import annotations

import threading
import types
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

_run = threading.local()  # one script thread per session: is app.py's frame drawing this run?


def start() -> None:
    """First call of ``app.py``: from now on this process takes ``st.navigation``'s path."""
    PagesManager.uses_pages_directory = False


@contextmanager
def drawing():
    """``app.py`` runs the chosen page inside this block; :func:`enter` checks for it."""
    _run.inside = True
    try:
        yield
    finally:
        _run.inside = False


def enter() -> None:
    """First call of every page script: make sure the page is drawn inside ``app.py``'s frame."""
    if getattr(_run, "inside", False):
        return
    PagesManager.uses_pages_directory = False
    ctx = get_script_run_ctx()
    main_path = ctx.pages_manager.main_script_path
    module = types.ModuleType("__main__")
    module.__dict__["__file__"] = main_path
    exec(ctx.pages_manager.get_page_script_byte_code(main_path), module.__dict__)  # noqa: S102 - our app.py
    st.stop()
