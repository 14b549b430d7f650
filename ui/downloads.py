"""CSV downloads: spreadsheet formulas neutralised, columns named in words, each described.

Every table a visitor downloads goes through :func:`export_frame`: jargon and code names
become words (``lo`` -> ``low_95``, ``rate_per_10k`` -> ``per_10k_words``, ``g2`` ->
``log_likelihood``), a ``document`` column with the document's name (title, else
"author · type · date") stands beside each ``doc_id`` (the ids stay, for joining), internal
columns (colours, positions for drawing) are dropped, and the button's help text describes
each column in one line (:data:`COLUMN_HELP`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.export import safe_csv

#: Column names of the analysis tables -> the words used in downloads.
RENAMES = {
    "lo": "low_95", "hi": "high_95", "mean": "score", "interval_basis": "interval_from",
    "n_docs": "documents", "n_sentences": "sentences", "n_words": "words", "n_paragraphs": "paragraphs",
    "rate_per_10k": "per_10k_words", "doc_freq": "documents_using_it", "doc_share": "share_of_documents",
    "g2": "log_likelihood", "p_value": "p_chance", "log_ratio": "log2_ratio", "logodds_z": "log_odds_z",
    "count_target": "count_first", "count_reference": "count_second",
    "rate_target": "per_10k_words_first", "rate_reference": "per_10k_words_second",
    "ngram": "words_in_term", "vader": "vader_score", "vader_mean": "vader_score", "vader_doc": "vader_whole_text",
    "classifier": "classifier_score", "classifier_mean": "classifier_score",
    "polarity_mean": "polarity_sentence_mean", "subjectivity_mean": "subjectivity_sentence_mean",
    "agreement_pearson": "correlation", "agreement_spearman": "rank_correlation",
    "agreement_sign": "same_direction_share", "agreement_sign_polar": "same_direction_share_scored",
    "n_polar": "sentences_both_scored", "n_both_neutral": "sentences_both_zero",
    "shared_words": "words_shared", "longest": "longest_passage_words", "rel_pos": "position_in_text",
    "sent": "sentence_row", "para": "paragraph", "position": "sentence_number",
}
#: Internal columns that mean nothing outside the app.
DROP = {"colour", "rel_positions", "positions", "_g", "key"}

#: One line per download column (after renaming): the download button's help text.
COLUMN_HELP = {
    "doc_id": "the document's id, as loaded (for joining with other tables)",
    "document": "the document's name: its title, else author · type · date",
    "document_a": "the first document's name", "document_b": "the second document's name",
    "doc_a": "the first document's id", "doc_b": "the second document's id",
    "other_doc": "the other document's id", "other_document": "the other document's name",
    "group": "the group: the value of the Group-by column (empty = unknown)",
    "label": "the group as the charts name it",
    "score": "the tone score: −1 all negative … +1 all positive (subjectivity: 0 factual … 1 opinion)",
    "low_95": "lower end of the 95% interval: with other texts like these the score would probably lie "
              "between low_95 and high_95",
    "high_95": "upper end of the 95% interval",
    "interval_from": "what the interval was worked out from: 'documents' (re-drawing the group's documents) or "
                     "'sentences' (re-drawing one document's sentences); 'none' = too few",
    "documents": "number of documents", "sentences": "number of sentences", "words": "number of words",
    "polarity": "TextBlob tone: −1 negative … +1 positive", "subjectivity": "TextBlob: 0 factual … 1 opinion",
    "vader_score": "VADER tone: −1 negative … +1 positive",
    "vader_whole_text": "VADER tone of the whole text at once: −1 negative … +1 positive",
    "classifier_score": "the trained classifier's tone: 2 × P(positive) − 1, −1 negative … +1 positive",
    "polarity_sentence_mean": "TextBlob tone, mean of the sentences weighted by their words",
    "subjectivity_sentence_mean": "TextBlob subjectivity, mean of the sentences weighted by their words",
    "phrase": "the tracked phrase", "term": "the word or words", "count": "times it occurs",
    "per_10k_words": "times per 10,000 words of text",
    "documents_using_it": "documents that use it at least once",
    "share_of_documents": "share of the documents that use it",
    "count_first": "times in the first side", "count_second": "times in the second side",
    "per_10k_words_first": "per 10,000 words on the first side",
    "per_10k_words_second": "per 10,000 words on the second side",
    "log_likelihood": "how sure the difference is not chance (log-likelihood G2; 3.84 ≈ 1 in 20, 10.83 ≈ 1 in "
                      "1,000; positive = more typical of the first side)",
    "p_chance": "chance of a difference this large if both sides used it equally",
    "log2_ratio": "how many times more often, as a power of 2 (+1 = twice as often on the first side)",
    "log_odds_z": "difference allowing for rare words (beyond ±1.96 = distinctive)",
    "similarity": "how alike two texts' vocabularies are: 0 no word in common … 1 the same words",
    "period": "the year (or month)", "start": "character where it starts in the cleaned text",
    "end": "character where it ends", "text": "the text",
    "topic": "topic number", "share": "share of the text in the topic (0 … 1)",
    "rank": "the word's place in the topic's list (1 = most relevant)",
    "weight": "the word's share of the topic (0 … 1)",
    "lift": "how many times more common the word is in the topic than in all the texts",
    "relevance": "the ranking score at the chosen relevance λ (higher = listed first)",
    "k": "number of topics tried", "stability": "how alike the topics come out on resampled text (0 … 1)",
    "baseline": "the same score on text with its words shuffled between documents (chance)",
    "adjusted": "stability above chance (0 = no better than shuffled text)",
    "max_topics_per_term": "the most topics sharing one of their 10 leading words",
    "max_shared_terms": "the most leading words two topics have in common",
    "distinct": "True when no leading word is in more than two topics and no two topics share more than 3",
}


def export_frame(table, labels: dict | None = None) -> pd.DataFrame:
    """``table`` (DataFrame or list of dicts) as it is downloaded: internal columns dropped, a
    ``document`` name beside ``doc_id`` (``document_a``/``document_b`` beside ``doc_a``/``doc_b``)
    when ``labels`` (doc_id -> name) are given, and columns renamed by :data:`RENAMES`."""
    df = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    df = df.drop(columns=[c for c in df.columns if c in DROP])
    if labels:
        for id_col, name_col in (("doc_id", "document"), ("doc_a", "document_a"), ("doc_b", "document_b"),
                                 ("other_doc", "other_document")):
            if id_col in df.columns and name_col not in df.columns:
                names = df[id_col].astype(str).map(labels).fillna(df[id_col].astype(str))
                df.insert(df.columns.get_loc(id_col), name_col, names)
    taken, mapping = set(df.columns), {}
    for c in df.columns:
        new = RENAMES.get(c)
        if new and new not in taken:
            mapping[c] = new
            taken.add(new)
    return df.rename(columns=mapping)


def column_help(columns) -> str:
    """The download's help text: one line per column that :data:`COLUMN_HELP` describes."""
    lines = [f"- **{c}**: {COLUMN_HELP[c]}" for c in columns if c in COLUMN_HELP]
    return "Columns:\n" + "\n".join(lines) if lines else ""


def _session_labels(table) -> dict | None:
    """The session corpus's document names, when ``table`` has a doc_id-like column (else None)."""
    cols = table.columns if isinstance(table, pd.DataFrame) else (table[0].keys() if len(table) else [])
    if not {"doc_id", "doc_a", "doc_b", "other_doc"} & set(cols):
        return None
    try:
        from .cached_terms import doc_labels
        from .state import get_view

        return doc_labels(get_view())
    except Exception:  # noqa: BLE001 - outside a session (a test): ids only
        return None


def download_button(label: str, table, filename: str, key: str, labels: dict | None = None) -> None:
    """A button that downloads ``table`` (DataFrame or list of dicts) as a safe CSV, its columns
    named in words (:func:`export_frame`) and described in the button's help text. A ``document``
    name stands beside every document id (``labels``: doc_id -> name; default the session corpus's).

    The CSV is made only when the button is pressed, not on every rerun."""
    if labels is None:
        labels = _session_labels(table)
    df = export_frame(table, labels)
    st.download_button(label, lambda: safe_csv(df).encode("utf-8"), file_name=filename, mime="text/csv",
                       key=key, icon=":material/download:", on_click="ignore", help=column_help(df.columns) or None)
