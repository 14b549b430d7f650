"""The shared sidebar: corpus summary and the filters every page applies."""

from __future__ import annotations

import streamlit as st

from analysis.corpus.labels import doc_labels
from analysis.corpus.model import display_author

from . import data
from .state import View, bind

GROUPABLE_EXCLUDE = {"doc_id", "title", "url", "notes", "text", "raw_text", "origin"}


def widget(key: str, view: View, attr: str, valid=None):
    """Seed a widget's state from the view (keeping only valid values) before drawing it."""
    value = getattr(view, attr)
    if valid is not None and isinstance(value, list):
        value = [v for v in value if v in valid]
    st.session_state[key] = value
    return bind(key, attr)


def group_columns(docs) -> list[str]:
    """Metadata columns worth grouping by: some values filled, fewer distinct values than documents (or 1 doc)."""
    cols = []
    for c in docs.columns:
        if c in GROUPABLE_EXCLUDE or docs[c].dtype.kind in "if":
            continue
        if c.startswith("n_"):
            continue
        values = docs[c].fillna("").astype(str)
        n = values[values != ""].nunique()
        if n >= 1 and (n < len(docs) or len(docs) <= 3 or c == "author"):
            cols.append(c)
    return cols or ["doc_id"]


def render(view: View) -> None:
    """Draw the filters; their values live in ``view``."""
    render_filters(view, data.prepared(view).docs)


def render_filters(view: View, docs, pick_documents: bool = True, group_cols: list[str] | None = None) -> None:
    """The filters over ``docs`` (doc_id, n_words and metadata columns). ``pick_documents``:
    offer the Documents filter (one option per document: off for very large corpora).
    ``group_cols``: the Group-by choices (default: :func:`group_columns` of ``docs``)."""
    with st.sidebar:
        st.caption(f"Corpus: **{len(docs):,}** documents · {int(docs['n_words'].sum()):,} words")
        st.subheader("Filters", help="Every page shows only the documents these filters keep.")
        for attr, column, label in (("authors", "author", "Author"), ("sources", "source", "Source"),
                                    ("types", "type", "Type")):
            options = sorted(docs[column].fillna("").unique().tolist())
            if len(options) < 2:
                continue
            key = f"w_{attr}"
            st.multiselect(label, options, key=key, on_change=widget(key, view, attr, set(options)),
                           format_func=(display_author if column == "author" else _unknown(label)),
                           placeholder="All")
        years = data.year_of(docs["date"]).dropna()
        if years.nunique() > 1:
            lo, hi = int(years.min()), int(years.max())
            st.session_state["w_years"] = (max(lo, view.year_from or lo), min(hi, view.year_to or hi))
            st.slider("Years", lo, hi, key="w_years", on_change=_set_years(view, lo, hi),
                      help="Documents with an unknown date are left out when you narrow the years.")
        if pick_documents:
            doc_options = docs["doc_id"].tolist()
            labels = dict(zip(docs["doc_id"], doc_label_series(docs)))
            st.multiselect("Documents", doc_options, key="w_docs", placeholder="All",
                           on_change=widget("w_docs", view, "docs", set(doc_options)),
                           format_func=lambda d: labels.get(d, d))
        cols = group_cols or group_columns(docs)
        if view.group_by not in cols:
            view.group_by = "author" if "author" in cols else cols[0]
        st.selectbox("Group by", cols, key="w_group_by", on_change=widget("w_group_by", view, "group_by"),
                     help="The metadata column that charts compare: author, source, party, …")
        if st.button("Clear filters", width="stretch"):
            for attr in ("authors", "sources", "types", "docs"):
                setattr(view, attr, [])
            view.year_from = view.year_to = None
            st.rerun()


def _unknown(label: str):
    return lambda v: v if v else f"Unknown {label.lower()}"


def _set_years(view: View, lo: int, hi: int):
    def _copy():
        a, b = st.session_state["w_years"]
        view.year_from = None if a == lo else int(a)
        view.year_to = None if b == hi else int(b)
    return _copy


def doc_label_series(docs):
    """A unique human name per document, in table order: its title, else "author · type · date"
    (:func:`analysis.corpus.labels.doc_labels`)."""
    return list(doc_labels(docs).values())
