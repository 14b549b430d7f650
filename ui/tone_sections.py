"""Pieces of the Overview, Sentiment and Reader pages: tone controls, plain-language
summaries, sentence and evidence tables, Reader links.

Streamlit code kept out of the pages so they stay short. Untrusted text
(document text, titles, authors, phrases) is shown only in tables, ``st.text``,
``st.html`` with every piece escaped, or quoted as inline code in Markdown
(:func:`md_code`).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import plain

from . import cached_sentiment as cs
from . import cached_terms as ct
from . import corpus_cache
from .colors import OTHERS, OTHERS_COLOUR, UNKNOWN_COLOUR, lump, n_coloured
from .data import CHART_HASH
from .downloads import download_button
from .readings import reading
from .safe import html_text
from .sidebar import widget
from .state import View

GLOSSARY = {
    "polarity": "TextBlob polarity: how positive (+1) or negative (−1) the wording is, the average over the "
                "words of its word list found in the text (e.g. 'good' +0.7, 'bitter' −0.1), after "
                "negation ('not good') and intensifiers ('very good'). 0 = no such word, or they balance out.",
    "subjectivity": "TextBlob subjectivity: 0 = factual wording, 1 = opinion and feeling, the average over the "
                    "same words.",
    "vader": "VADER compound score: a second word list built for social-media and news language. Each "
             "sentence gets a score from −1 (negative) to +1 (positive); from +0.05 up counts as positive, "
             "from −0.05 down as negative. A document's VADER score is the mean of its sentences, each "
             "weighted by its number of words.",
    "classifier": "Classifier: the probability that a reader would call the wording positive rather than "
                  "negative, learnt from about 19,000 sentences rated by people (news editorials, tweets, "
                  "reviews), from the words, two-word phrases and both word lists' scores. Shown as 2 × P − 1: "
                  "+1 = surely positive, 0 = even odds, −1 = surely negative. A document's score is the mean of "
                  "its sentences, each weighted by its number of words.",
    "interval": "95% bootstrap interval: the range the score would likely take with a different sample of "
                "texts. Worked out by re-drawing the group's documents (or, for a single document, its "
                "sentences) at random 2,000 times. Wide interval = few or very mixed texts.",
    "basis": "TextBlob can score a document as one block of text ('whole text', what the TextBlob library "
             "returns) or as the mean of its sentences, each weighted by its number of words ('mean of "
             "sentences', comparable with VADER). They usually differ a little.",
    "exclude": "Word lists know nothing of set phrases: in 'left behind', 'behind' counts as negative "
               "(TextBlob −0.4), so a text that merely names the 'left behind' voters reads as more negative. "
               "Switch this on to blank out the tracked phrases' words before scoring; the texts that use "
               "them are scored again.",
    "agreement": "Agreement between TextBlob and VADER over a document's sentences: correlation (1 = they rank "
                 "sentences alike, 0 = unrelated) and the share of sentences both call positive, negative or "
                 "neutral.",
}
METHOD_NAMES = {"textblob": "TextBlob", "vader": "VADER", "classifier": "Classifier"}
#: The glossary entry of each method's tone score.
METHOD_HELP = {"textblob": "polarity", "vader": "vader", "classifier": "classifier"}
#: How a sentence score column is named on axes and in legends.
SENTENCE_LABELS = {"polarity": "TextBlob polarity", "vader": "VADER compound", "subjectivity": "TextBlob subjectivity",
                   "classifier": "classifier score"}
BASIS_NAMES = {"whole": "Whole text", "sentences": "Mean of sentences"}


def md_code(text) -> str:
    """Untrusted text quoted as inline code in Markdown (shown literally)."""
    s = " ".join(str(text).replace("`", "'").split())
    return f"`{s}`"


def md_name(name) -> str:
    """A column name (from the user's metadata) safe inside Markdown: plain when it is only
    letters, digits, spaces and underscores, else quoted as code."""
    s = str(name)
    if re.fullmatch(r"[A-Za-z0-9 _]{1,40}", s):
        return s.replace("_", " ")
    return md_code(s)


def selected_points(event) -> list[list]:
    """The ``customdata`` of the points selected in a ``st.plotly_chart`` event."""
    try:
        points = event.selection.points
    except AttributeError:
        return []
    return [p["customdata"] for p in points if p.get("customdata") is not None]


@corpus_cache.any_corpus
@st.cache_resource(show_spinner=False, max_entries=64, ttl=3600, hash_funcs=CHART_HASH)
def _figure(cache_key: tuple, _builder, _args: tuple, _kwargs: dict) -> go.Figure:
    return _builder(*_args, **_kwargs)


def figure(cache_key: tuple, builder, *args, **kwargs) -> go.Figure:
    """``builder(*args, **kwargs)`` built once per ``cache_key`` (which must name the builder and
    say everything the inputs depend on). The figure is shared: never change it."""
    return _figure((builder.__name__,) + tuple(cache_key), builder, args, kwargs)


# --------------------------------------------------------------------------- controls

def method_controls(view: View, basis_control: bool = True, exclude_control: bool = True) -> tuple[str, str]:
    """The method switch (TextBlob / VADER, in the URL), the TextBlob document-score basis and
    the "leave tracked phrases out" toggle. Returns ``(document measure to show, basis)``,
    basis "whole" or "sentences"."""
    box = st.expander("Advanced: how tone is scored", icon=":material/tune:")
    row = box.container(horizontal=True, vertical_alignment="bottom", gap="large")
    row.segmented_control("Sentiment method", list(METHOD_NAMES), format_func=METHOD_NAMES.get, required=True,
                          key="w_method", on_change=widget("w_method", view, "method"),
                          help=f"TextBlob: {GLOSSARY['polarity']}\n\nVADER: {GLOSSARY['vader']}\n\n"
                               f"{GLOSSARY['classifier']} (How well each agrees with people: the Methods page.)")
    basis = "whole"
    if basis_control and view.method == "textblob":
        basis = row.segmented_control("Document score", list(BASIS_NAMES), format_func=BASIS_NAMES.get,
                                      default="whole", required=True, key="w_tone_basis", persist_state="session",
                                      help=GLOSSARY["basis"]) or "whole"
    if exclude_control:
        row.toggle("Leave tracked phrases' words out of scoring", key="w_exclude", width="content",
                   on_change=widget("w_exclude", view, "exclude_phrase_words"), help=GLOSSARY["exclude"])
    measure = cs.document_measure(view, basis)
    if basis_control:
        box.caption(f"Document scores shown: **{measure_label(measure)}**. " + GLOSSARY["basis"])
    return measure, basis


def axis_label(measure: str) -> str:
    """A chart axis for a document measure, in words: "tone (−1 negative … +1 positive)"."""
    if "subjectivity" in measure:
        return "subjectivity (0 factual … 1 opinion)"
    return "tone (−1 negative … +1 positive)"


def measure_label(measure: str, title: bool = False) -> str:
    """Axis/column label of a document measure, e.g. "TextBlob polarity, whole text"."""
    label = cs.MEASURES.get(measure, measure)
    return label[:1].upper() + label[1:] if title else label


def exclusion_note(view: View, n_masked: int, scope: str = "the selected documents",
                   doc_id: str | None = None) -> None:
    """Say what the exclusion toggle changed (``n_masked`` sentences of ``scope`` contained a phrase).
    With the toggle off, say that the tracked phrases' words count in the scores only when the
    documents of ``scope`` (the selected ones, or ``doc_id`` alone) hold one: else they cannot have."""
    excl = cs.excluded(view)
    if not view.exclude_phrase_words:
        if ct.check_phrases(view.phrases)[0]:
            uses = ct.phrase_table(view)
            if doc_id is not None:
                uses = uses[uses["doc_id"].astype(str) == str(doc_id)]
            if not int(uses["count"].sum()):
                return
            st.caption("The tracked phrases' own words count in the scores: in 'left behind', 'behind' reads as "
                       "negative (TextBlob −0.4), although the phrase names a group of voters. Switch on 'Leave "
                       "tracked phrases' words out of scoring' to see the scores without them.")
    elif not excl:
        st.caption("No phrase is tracked, so nothing is left out of scoring.")
    else:
        st.caption(f"Scores leave out the words of the tracked phrases ({', '.join(md_code(p) for p in excl)}): "
                   f"{n_masked:,} sentence(s) of {scope} contained one.")


# --------------------------------------------------------------------------- plain language

def tone_word(score, method: str = "textblob") -> str:
    """A plain word for a tone score (:func:`analysis.plain.tone_word`)."""
    return plain.tone_word(score, method)


def subjectivity_word(score) -> str:
    """A plain phrase for a subjectivity score (thresholds 0.3 and 0.55, as :func:`analysis.plain.subjectivity`)."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "not scored"
    return "mostly factual" if score < 0.3 else "a mix of fact and opinion" if score < 0.55 else "mostly opinion"


def _n(x, fmt="{:+.2f}") -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)


def summary_html(table: pd.DataFrame, measure: str, method: str, phrases: list[str], colours: dict,
                 groups: pd.DataFrame | None = None, max_docs: int = 8) -> str:
    """Plain-language sentences built from the numbers: which document is most positive and most
    negative by ``measure``, the same for the groups (``groups``: a :func:`ui.cached_sentiment.group_table`
    with at least two groups), then one line per document (up to ``max_docs``).

    ``table``: the Overview's document table (``doc_id, document, author, group, words,
    polarity, subjectivity, vader_mean, polarity_mean`` and a count column ``“phrase”`` per phrase).
    Every piece of corpus text is escaped.
    """
    t = table.dropna(subset=[measure])
    name = f"tone ({METHOD_NAMES.get(method, method)})"
    parts = ['<div style="line-height:1.6">']
    if len(t) >= 2:
        hi, lo = t.loc[t[measure].idxmax()], t.loc[t[measure].idxmin()]
        top = "most positive" if hi[measure] > 0 else "least negative"
        bottom = "most negative" if lo[measure] < 0 else "least positive"
        parts.append(f"<p>By {html_text(name)}: <b>{top}</b> is {_doc(hi, colours)} "
                     f"({_n(hi[measure])}); <b>{bottom}</b> is {_doc(lo, colours)} ({_n(lo[measure])}).</p>")
    g = groups.dropna(subset=["mean"]) if groups is not None else None
    if g is not None and len(g) >= 2 and len(g) < len(t):
        hi, lo = g.loc[g["mean"].idxmax()], g.loc[g["mean"].idxmin()]
        parts.append(f"<p>Of the {len(g)} largest groups: <b>highest</b> {_group(hi, colours)} ({_n(hi['mean'])}), "
                     f"<b>lowest</b> {_group(lo, colours)} ({_n(lo['mean'])}).</p>")
    if len(table) <= max_docs:
        parts.append('<ul style="margin:0;padding-left:1.2em">')
        for _, r in table.iterrows():
            counts = [f"“{html_text(p)}” {int(r.get(f'“{p}”', 0) or 0)}×" for p in phrases]
            kind = str(r.get("type", "") or "").strip()
            parts.append(
                f"<li>{_doc(r, colours)}" + (f" ({html_text(kind)})" if kind and kind not in str(r["document"]) else "") + f", {int(r['words']):,} words. "
                f"TextBlob: <b>{tone_word(r['polarity'])}</b> ({_n(r['polarity'])}); "
                f"VADER: <b>{tone_word(r['vader_mean'], 'vader')}</b> ({_n(r['vader_mean'])}); "
                f"{subjectivity_word(r['subjectivity'])} (subjectivity {_n(r['subjectivity'], '{:.2f}')})."
                + (f" Tracked phrases: {', '.join(counts)}." if counts else "") + "</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


def _group(row, colours: dict) -> str:
    colour = colours.get(str(row["group"]), UNKNOWN_COLOUR)
    n = int(row["n_docs"])
    return (f'<span style="color:{colour};font-size:1.1em">●</span> <b>{html_text(row["label"])}</b> '
            f"({n} document{'s' if n != 1 else ''})")


def _doc(row, colours: dict) -> str:
    colour = colours.get(str(row.get("group", "")), UNKNOWN_COLOUR)
    dot = f'<span style="color:{colour};font-size:1.1em">●</span>'
    author = str(row.get("author", ""))
    label = str(row["document"])
    who = "" if author in label else f" by {html_text(author)}"
    return f"{dot} <b>{html_text(label)}</b>{who}"


# --------------------------------------------------------------------------- tables

SCORE_COLUMNS = {
    "polarity": st.column_config.NumberColumn("polarity", help=GLOSSARY["polarity"], format="%+.3f"),
    "subjectivity": st.column_config.NumberColumn("subjectivity", help=GLOSSARY["subjectivity"], format="%.3f"),
    "vader": st.column_config.NumberColumn("VADER", help=GLOSSARY["vader"], format="%+.3f"),
    "vader_mean": st.column_config.NumberColumn("VADER (mean)", help=GLOSSARY["vader"], format="%+.3f"),
    "vader_doc": st.column_config.NumberColumn("VADER (whole text)", format="%+.3f",
                                               help="VADER compound of the whole text at once (near ±1 on long texts)."),
    "classifier": st.column_config.NumberColumn("classifier", help=GLOSSARY["classifier"], format="%+.3f"),
    "classifier_mean": st.column_config.NumberColumn("classifier (mean)", help=GLOSSARY["classifier"],
                                                     format="%+.3f"),
    "polarity_mean": st.column_config.NumberColumn("polarity (mean of sentences)", help=GLOSSARY["basis"],
                                                   format="%+.3f"),
    "subjectivity_mean": st.column_config.NumberColumn("subjectivity (mean of sentences)", format="%.3f"),
    "position": st.column_config.NumberColumn("#", help="Sentence number in its document (1 = first)."),
    "text": st.column_config.TextColumn("sentence", width="large"),
    "evidence": st.column_config.TextColumn("words that drove it (TextBlob)", width="medium",
                                            help="TextBlob's scored words with their polarity."),
    "masked": st.column_config.CheckboxColumn("phrase left out", help="A tracked phrase occurred in the "
                                              "sentence and its words were blanked before scoring."),
    "n_words": st.column_config.NumberColumn("words"),
}


def sentence_table(rows: pd.DataFrame, labels: dict, key: str, with_doc: bool = True, height="auto",
                   limit: int = 2000, **select) -> object:
    """Scored sentences as a table (document, #, scores, sentence) with a CSV button.
    ``select``: ``on_select``/``selection_mode`` for a clickable table (returns the event)."""
    shown = rows.assign(document=rows["doc_id"].astype(str).map(labels).fillna(rows["doc_id"].astype(str)))
    cols = [c for c in ("side", "position", "text", "polarity", "vader", "classifier", "subjectivity", "evidence",
                        "masked")
            if c in shown] + (["document"] if with_doc else [])
    if len(shown) > limit:
        st.caption(f"Showing {limit:,} of {len(shown):,} sentences; the CSV has them all.")
    event = st.dataframe(shown[cols].head(limit), hide_index=True, width="stretch", height=height,
                         key=f"{key}_table", column_config=SCORE_COLUMNS, **select)
    download_button("Download these sentences (CSV)", shown[["doc_id"] + cols], f"{key}.csv", key=f"{key}_dl")
    return event


def evidence_table(chunks: pd.DataFrame, key: str) -> None:
    """TextBlob's scored words of one sentence, with what they mean."""
    if chunks.empty:
        st.info("TextBlob found no word of its list in this sentence, so its polarity and subjectivity are 0.")
        return
    shown = chunks[["words", "polarity", "subjectivity"]]
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_ev", column_config={
        "words": st.column_config.TextColumn("words", help="A word of TextBlob's list with the negation or "
                                             "intensifier before it ('not very good'); '!' marks an exclamation "
                                             "that strengthened it."),
        "polarity": SCORE_COLUMNS["polarity"], "subjectivity": SCORE_COLUMNS["subjectivity"]})
    st.caption("The sentence's TextBlob polarity is the plain mean of these words' polarities (likewise "
               "subjectivity). Words outside TextBlob's list do not count.")
    download_button("Download these words (CSV)", shown, f"{key}_evidence.csv", key=f"{key}_ev_dl")


EVIDENCE_NAMES = {"<vader>": "VADER score", "<textblob>": "TextBlob score", "<intercept>": "starting point"}


def classifier_evidence_table(terms: pd.DataFrame, key: str) -> None:
    """The terms of the classifier's score of one sentence: what pushed it up or down, and by how much."""
    shown = terms.assign(term=terms["feature"].map(lambda f: EVIDENCE_NAMES.get(f, f)))[
        ["term", "kind", "value", "contribution"]]
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_cev", column_config={
        "term": st.column_config.TextColumn("word, two words or score"),
        "kind": st.column_config.TextColumn("kind"),
        "value": st.column_config.NumberColumn("value", format="%+.3f",
                                               help="1 for a word present; the score itself for VADER and TextBlob."),
        "contribution": st.column_config.NumberColumn("push", format="%+.3f", help=(
            "How far this term moves the log-odds of a positive reading (weight × value): up = more positive. "
            "The pushes add up to the log-odds; the score is 2 × P − 1 with P = 1 / (1 + e^−log-odds)."))})
    st.caption("A word's push is what it adds beyond the word lists' scores, which enter as two terms of their own: "
               "a word VADER already scores as very negative can push up a little. Words not seen in training "
               "push nothing.")
    download_button("Download these terms (CSV)", shown, f"{key}_classifier_evidence.csv", key=f"{key}_cev_dl")


def sentence_detail(view: View, row, labels: dict, key: str) -> None:
    """One sentence: its document, scores, text and evidence words."""
    doc = str(row["doc_id"])
    st.text(f"{labels.get(doc, doc)} · sentence {int(row['position'])}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("TextBlob polarity", _n(row["polarity"], "{:+.3f}"), help=GLOSSARY["polarity"])
    c2.metric("VADER", _n(row["vader"], "{:+.3f}"), help=GLOSSARY["vader"])
    c3.metric("Classifier", _n(row.get("classifier"), "{:+.3f}"), help=GLOSSARY["classifier"])
    c4.metric("Subjectivity", _n(row["subjectivity"], "{:.3f}"), help=GLOSSARY["subjectivity"])
    st.text(str(row["text"]))
    if view.method == "classifier":
        classifier_evidence_table(cs.classifier_evidence(view, row["text"]), key=key)
    else:
        evidence_table(cs.sentence_evidence(view, row["text"]), key=key)
    reader_link(view, doc)


def reader_link(view: View, doc_id: str, label: str | None = None) -> None:
    """A link to the Reader opened on ``doc_id`` (same session; the view travels with it)."""
    query = dict(view.to_query())
    query["read"] = str(doc_id)
    text = "Read it in the Reader" if label is None else f"Read {md_code(label)} in the Reader"
    st.page_link("pages/reader.py", label=text, icon=":material/menu_book:", query_params=query)


# --------------------------------------------------------------------------- colours of groups

class Colouring(NamedTuple):
    """How a page colours documents by group: the largest groups a colour each, the rest grey."""

    group_of: dict   # doc_id -> group value
    colour_of: dict  # doc_id -> the group value when it has a colour of its own, else ui.colors.OTHERS
    colours: dict    # group value (and OTHERS) -> colour, fixed over the whole corpus
    names: dict      # group value (and OTHERS) -> display name


def colouring(view: View, docs: pd.DataFrame, by: str | None = None) -> Colouring:
    """The :class:`Colouring` of ``docs`` (the filtered documents) by ``by`` (default the sidebar's)."""
    by = by or view.group_by
    colours = cs.colours(view, by)
    group_of = dict(zip(docs["doc_id"].astype(str), cs.group_keys(docs, by)))
    names = {g: cs.group_label(by, g) for g in colours}
    n_other = sum(1 for g in set(group_of.values()) if lump(g, colours) == OTHERS)
    names[OTHERS] = f"All other {cs.plural(by)} ({n_other:,})"
    return Colouring(group_of, {d: lump(g, colours) for d, g in group_of.items()}, colours, names)


def colour_note(colours: dict, by_md: str) -> str:
    """A caption part saying which groups have colours: "The 8 largest authors have a colour each;
    the other 125 are grey." (empty when every group has one)."""
    n_other = sum(1 for k, c in colours.items() if k != OTHERS and c == OTHERS_COLOUR)
    if not n_other:
        return ""
    return (f" The {n_coloured(colours)} {by_md} values with the most documents have a colour each; the other "
            f"{n_other:,} are grey ('all others').")


# --------------------------------------------------------------------------- groups: top N, readings, full list

def top_groups(view: View, by: str, measure: str) -> pd.DataFrame:
    """The groups with a colour of their own, highest mean first, then "all others" pooled (last)."""
    top = cs.top_group_table(view, by, measure)
    others = top[top["group"] == OTHERS]
    return pd.concat([top[top["group"] != OTHERS].sort_values("mean", ascending=False, kind="stable"), others])


def group_reading_sentences(groups: pd.DataFrame, method: str) -> list[str]:
    """The sentences of :func:`group_readings` (none when no group is named). ``n_sentences`` may
    be missing or NaN (a store's groups whose interval rests on documents)."""
    named = groups[groups["group"] != OTHERS]
    if named.empty:
        return []
    pairs = [(str(lab), v) for lab, v in zip(named["label"], named["mean"])]
    largest = named.sort_values("n_docs", ascending=False, kind="stable").iloc[0]
    n_sentences = largest.get("n_sentences", 0)
    return [plain.tone_extremes(pairs, "of these", method) if len(pairs) > 1 else
            plain.tone(largest["mean"], str(largest["label"]), method),
            plain.interval(largest["lo"], largest["hi"], str(largest["label"]), str(largest["interval_basis"]),
                           int(largest["n_docs"]), 0 if pd.isna(n_sentences) else int(n_sentences))]


def group_readings(groups: pd.DataFrame, method: str, by_md: str) -> None:
    """Plain readings of a group chart: the highest and lowest group, and how sure the largest
    group's score is."""
    reading(*group_reading_sentences(groups, method))


def all_groups_table(groups: pd.DataFrame, by_md: str, key: str) -> None:
    """Every group (not only the coloured ones) in a table inside an expander, with its CSV."""
    with st.expander(f"All {len(groups):,} {by_md} values: score and interval of each", icon=":material/table:"):
        shown = groups[["label", "n_docs", "mean", "lo", "hi"]]
        st.dataframe(shown, hide_index=True, width="stretch", height=min(400, 38 + 35 * len(shown)), key=key,
                     column_config={"label": st.column_config.TextColumn(by_md.replace("`", "")),
                                    "n_docs": st.column_config.NumberColumn("documents"),
                                    "mean": st.column_config.NumberColumn("score", format="%+.3f"),
                                    "lo": st.column_config.NumberColumn("low (95%)", format="%+.3f",
                                                                        help=GLOSSARY["interval"]),
                                    "hi": st.column_config.NumberColumn("high (95%)", format="%+.3f",
                                                                        help=GLOSSARY["interval"])})
        download_button("Download every group's tone (CSV)", groups, f"{key}_tone_per_group.csv", key=f"{key}_dl")


def arc_reading(sentences: pd.DataFrame, col: str, name: str, method: str) -> str:
    """A plain reading of a document's tone arc: how many sentences lean each way, and whether the
    text ends more positive or more negative than it starts (first third against last third)."""
    v = pd.to_numeric(sentences[col], errors="coerce").dropna()
    if len(v) < 3:
        return ""
    pos, neg = int((v >= plain.NEUTRAL).sum()), int((v <= -plain.NEUTRAL).sum())
    third = max(1, len(v) // 3)
    start, end = float(v.iloc[:third].mean()), float(v.iloc[-third:].mean())
    drift = ("ends on a more positive note than it starts" if end - start > 0.05 else
             "ends on a more negative note than it starts" if start - end > 0.05 else
             "keeps much the same tone from start to end")
    return (f"Of the {len(v):,} sentences of {name}, {pos:,} lean positive and {neg:,} negative (the rest are "
            f"neutral); the text {drift} (first third {plain.signed(start)}, last third {plain.signed(end)}).")
