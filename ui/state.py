"""The visitor's view state: filters, tracked phrases, selected document.

One :class:`View` lives in ``st.session_state`` per browser session (so one
visitor never sees another's). It is read from the URL's query string on the
first run of a session and written back to it on every run, so a copied link
reproduces the view. Widgets come and go with pages, so they keep their own
keys and copy into the view through ``on_change`` callbacks (see
:func:`bind`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import streamlit as st

DEFAULT_PHRASES = ["left behind", "single market"]
MAX_PHRASES = 20
MAX_PHRASE_CHARS = 80

_LIST_FIELDS = ("authors", "sources", "types", "docs", "phrases")


@dataclass
class View:
    """Everything that defines what the visitor is looking at."""

    authors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    group_by: str = "author"
    phrases: list[str] = field(default_factory=lambda: list(DEFAULT_PHRASES))
    doc: str = ""
    method: str = "textblob"
    k: int | None = None
    exclude_phrase_words: bool = False
    clean: bool = True

    def to_query(self) -> dict:
        """The non-default fields as query-string parameters (lists repeat the key)."""
        default = View()
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if f.name == "phrases" and not value:
                out[f.name] = ["-"]  # an explicit empty list
            elif isinstance(value, bool):
                out[f.name] = "1" if value else "0"
            elif isinstance(value, list):
                out[f.name] = [str(v) for v in value]
            elif value is not None:
                out[f.name] = str(value)
        return out

    @classmethod
    def from_query(cls, params) -> "View":
        """Parse query parameters (a ``st.query_params``-like mapping); bad values are ignored."""
        view = cls()
        for f in fields(cls):
            if f.name not in params:
                continue
            try:
                if f.name in _LIST_FIELDS:
                    values = [v for v in params.get_all(f.name) if v]
                    if f.name == "phrases":
                        values = [] if values == ["-"] else clean_phrases(values)
                    setattr(view, f.name, values[:200])
                elif f.name in ("year_from", "year_to", "k"):
                    setattr(view, f.name, int(params[f.name]))
                elif f.name in ("exclude_phrase_words", "clean"):
                    setattr(view, f.name, params[f.name] == "1")
                else:
                    setattr(view, f.name, str(params[f.name])[:200])
            except (TypeError, ValueError):
                continue
        if view.method not in ("textblob", "vader", "classifier"):
            view.method = "textblob"
        if view.k is not None and not 2 <= view.k <= 30:
            view.k = None
        return view


def clean_phrases(values) -> list[str]:
    """Trimmed, de-duplicated (case-insensitively), bounded phrases."""
    out, seen = [], set()
    for v in values:
        v = " ".join(str(v).split())[:MAX_PHRASE_CHARS]
        if v and v.lower() not in seen:
            seen.add(v.lower())
            out.append(v)
    return out[:MAX_PHRASES]


def get_view() -> View:
    """This session's view, created from the URL on the session's first run."""
    if "view" not in st.session_state:
        st.session_state["view"] = View.from_query(st.query_params)
    return st.session_state["view"]


def write_url(view: View) -> None:
    """Mirror the view into the query string (only when it changed)."""
    wanted = view.to_query()
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    normal = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if current != normal:
        st.query_params.from_dict(wanted)


def bind(widget_key: str, attr: str, transform=None):
    """An ``on_change`` callback copying a widget's value into the view."""

    def _copy():
        value = st.session_state[widget_key]
        setattr(get_view(), attr, transform(value) if transform else value)

    return _copy


def view_dict(view: View) -> dict:
    """The view as a plain dict (for cache keys and tests)."""
    return asdict(view)
