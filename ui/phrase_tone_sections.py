"""The "Tone around your phrases" section of the Overview and the Terms & phrases page.

For the tracked phrases that occur: a chart of the tone of the text around them per group,
document or year against the tone of that text as a whole (:mod:`ui.charts.phrase_tone`), one
plain sentence per figure, and the occurrences behind a figure (clicked in the chart or chosen
in a list) with their scores and the words that drove them. Untrusted text (phrases, names,
document text) goes to Markdown only escaped, otherwise to tables and widget options.
"""

from __future__ import annotations

import re

import streamlit as st

from analysis.methods import phrase_tone as pt

from . import cached_phrase_tone as cpt
from . import data
from .charts import glance
from .charts.phrase_tone import tone_near_dots
from .downloads import download_button
from .readings import reading
from .state import View

METHOD_LABELS = {name: m.label for name, m in pt.METHODS.items()}
CONTEXT_LABELS = {"sentence": "The sentence", "window": "Words either side"}
MAX_ROWS = 30
MAX_READINGS = 8
HELP = ("The tone of the text around each occurrence of the phrase - the sentence that holds it, or a window of "
        "words either side - with the phrase's own words left out (so 'behind' does not make 'left behind' "
        "negative). The dot: the mean over the occurrences, with a 95% bootstrap interval over them; the grey "
        "diamond: the same texts' tone as a whole (the mean of their sentences' scores).")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_text(text) -> str:
    """Untrusted text made literal inside Markdown (every Markdown character escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _per_options(group_by: str, docs_have_dates: bool) -> dict[str, str]:
    opts = {}
    if group_by != "doc_id":
        opts["group"] = f"Per {group_by.replace('_', ' ')}"
    opts["document"] = "Per document"
    if docs_have_dates:
        opts["year"] = "Per year"
    return opts


def controls(view: View, found: list[str], key: str, docs_have_dates: bool = True,
             window: int | None = None, group_by: str | None = None) -> tuple[str, str, str, int]:
    """The section's choices: ``(phrase, context, per, window)``. ``window`` fixed (a store's,
    set when it was built) or None: a slider under "Advanced"; ``group_by``: default the view's."""
    c1, c2, c3 = st.columns([2, 3, 4])
    phrase = c1.selectbox("Phrase", found, key=f"{key}_phrase") if len(found) > 1 else found[0]
    context = c2.segmented_control("Around the phrase", list(CONTEXT_LABELS), default="sentence", required=True,
                                   format_func=CONTEXT_LABELS.get, key=f"{key}_context",
                                   help="The sentence that holds each occurrence, or a window of words either "
                                        "side of it (across sentence ends; its size under Advanced).")
    per_opts = _per_options(group_by or view.group_by, docs_have_dates)
    per = c3.segmented_control("Compare", list(per_opts), default=next(iter(per_opts)), required=True,
                               format_func=per_opts.get, key=f"{key}_per")
    with st.expander("Advanced", icon=":material/tune:"):
        if window is None:
            window = st.slider("Words either side of the phrase", 3, 100, pt.DEFAULT_WINDOW, key=f"{key}_window",
                               help="The size of the window when 'Words either side' is chosen.")
        else:
            st.caption(f"The window is {window} words either side of the phrase, set when the store was built "
                       "(`python -m analysis build --phrase P --window N`).")
    return phrase, context, per, int(window)


def method_of(view: View) -> str:
    """The view's tone method when the tone near a phrase has it (:data:`analysis.methods.phrase_tone.METHODS`),
    else the first of those."""
    return view.method if view.method in pt.METHODS else next(iter(pt.METHODS))


def tone_section(view: View, found: list[str], key: str, docs_have_dates: bool = True) -> None:
    """The whole section for the tracked phrases ``found`` (those that occur) of the session
    corpus; ``key`` prefixes every widget key, so the section can sit on two pages."""
    st.subheader("Tone around your phrases", help=HELP)
    if not found:
        st.info("None of the tracked phrases occurs in the selected documents, so there is no tone around them.")
        return
    phrase, context, per, window = controls(view, found, key, docs_have_dates)
    method = method_of(view)
    table = cpt.table(view, [phrase], per=per, context=context, window=window, method=method)
    show(table, method, context, window, key,
         lambda group: cpt.rows(view, phrase, group, per=per, context=context, window=window, method=method))


def store_section(view: View, store, kept, ids: tuple | None, by: str, key: str = "st_tone") -> None:
    """The section on a large store's overview, for the phrases given when it was built
    (``build --phrase``); ``kept``/``ids``: the documents the filters keep (None = all)."""
    st.subheader("Tone around your phrases", help=HELP)
    settings = store.phrase_tone_settings
    if not settings:
        st.info("This store was built without phrases, so it holds no tone around them. Build it with "
                "`--phrase`, e.g. `python -m analysis build PATH --out DIR --phrase \"left behind\"`.")
        return
    path, fkey = str(store.path), data.filter_key(view)
    occ = cpt.store_occurrences(path, fkey, ids)
    found = [p for p in settings["phrases"] if (occ["phrase"] == p).any()]
    if not found:
        st.info("None of the store's phrases (" + ", ".join(md_text(p) for p in settings["phrases"])
                + ") occurs in the selected documents.")
        return
    phrase, context, per, window = controls(view, found, key, "date" in kept, window=settings["window"], group_by=by)
    method = method_of(view)
    table = cpt.store_table(path, fkey, phrase, per, by, context, method, kept, ids)
    show(table, method, context, window, key,
         lambda g: cpt.store_rows(path, fkey, phrase, g, per, by, context, method, kept, ids))


def show(table, method: str, context: str, window: int, key: str, rows_of) -> None:
    """Chart, readings, CSV and the occurrences behind a figure, for a table of
    :func:`ui.cached_phrase_tone.table` (one phrase, context and method); ``rows_of(group)``
    gives the occurrence rows behind one figure (see :func:`ui.cached_phrase_tone.rows`)."""
    if table.empty:
        st.info("No figure to show for this choice.")
        return
    shown = table.sort_values(["n", "label"], ascending=[False, True], kind="stable").head(MAX_ROWS)
    name = METHOD_LABELS.get(method, method)
    near = "the sentences about the phrase" if context == "sentence" else f"the {window} words either side"
    spec = tone_near_dots(shown, dict(zip(shown["group"], shown["label"])), value_label=name, near_label=near,
                          chart=f"{key}-phrase-tone")
    ev = st.vega_lite_chart(spec, key=f"{key}_chart", on_select="rerun", selection_mode=glance.PICK)
    st.caption(f"{name}, −1 (negative) to +1 (positive). Each dot: the mean over the occurrences of "
               f"{'the sentence' if context == 'sentence' else 'the window'} around the phrase, its whisker a 95% "
               "interval over them; the grey diamond: those texts as a whole. Click a dot for its occurrences."
               + (f" The {MAX_ROWS} with the most occurrences of {len(table):,}." if len(table) > MAX_ROWS else ""))
    reading(pt.summary(table))
    for text in shown["reading"].head(MAX_READINGS):
        st.markdown(f"- {md_text(text)}")
    if len(shown) > MAX_READINGS:
        st.caption(f"The first {MAX_READINGS} readings; the CSV has one for every row.")
    download_button("Download these figures (CSV)", table, "tone_near_phrase.csv", key=f"{key}_dl")
    options = list(shown["group"])
    names = dict(zip(shown["group"], shown["label"]))
    counts = dict(zip(shown["group"], shown["n"]))
    picked = [k for k in glance.picked_keys(ev) if k in names]
    if picked and st.session_state.get(f"{key}_last_pick") != picked[0]:  # a new click opens its row
        st.session_state[f"{key}_last_pick"] = st.session_state[f"{key}_open"] = picked[0]
    if st.session_state.get(f"{key}_open") not in options:
        st.session_state.pop(f"{key}_open", None)
    choice = st.selectbox("Show the occurrences behind", [None] + options, key=f"{key}_open",
                          format_func=lambda g: "choose a row of the chart…" if g is None else
                          f"{names[g]} ({int(counts[g])} occurrence{'s' if counts[g] != 1 else ''})")
    if choice is not None:
        occurrence_table(rows_of(choice), name, context, window, key)


def occurrence_table(lines, method_name: str, context: str, window: int, key: str) -> None:
    """The occurrences behind one figure: document, before | match | after, score, evidence words."""
    st.caption(f"{len(lines):,} occurrence(s). Score: {method_name} of the "
               f"{'sentence' if context == 'sentence' else f'{window} words either side'}, the phrase's own words "
               "left out; 'words that drove it' are the scored words, strongest first.")
    st.dataframe(lines[["document", "left", "match", "right", "score", "evidence"]], hide_index=True,
                 width="stretch", key=f"{key}_occ", column_config={
                     "left": st.column_config.TextColumn("before", alignment="right", width="medium"),
                     "right": st.column_config.TextColumn("after", width="medium"),
                     "score": st.column_config.NumberColumn(method_name, format="%+.3f"),
                     "evidence": st.column_config.TextColumn("words that drove it", width="medium")})
    download_button("Download these occurrences (CSV)", lines, "tone_near_phrase_occurrences.csv", key=f"{key}_dl_occ")
