"""From a loaded corpus to the tables every analysis reads.

:func:`prepare` cleans each document and segments it. The result,
:class:`Prepared`, is the one source of truth the engines and pages use:

- ``docs``: one row per document, metadata columns, ``raw_text`` (as loaded),
  ``text`` (cleaned), ``n_words`` (tokens of the cleaned text, see
  :func:`analysis.corpus.segment.token_spans`), ``n_sentences``, ``n_paragraphs``.
- ``removals``: what cleaning removed ``(doc_id, rule, start, end, text)``,
  offsets into ``raw_text``.
- ``repairs``: how often each normalisation step fired ``(doc_id, step, count)``.
- ``paragraphs``: ``(doc_id, para, start, end)``, offsets into ``text``.
- ``sentences``: ``(doc_id, para, sent, start, end, text)``, offsets into ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.corpus import clean as clean_mod
from analysis.corpus import segment
from analysis.corpus.model import Corpus, LoadError

REMOVAL_COLUMNS = ["doc_id", "rule", "start", "end", "text"]
REPAIR_COLUMNS = ["doc_id", "step", "count"]
DERIVED_COLUMNS = ("raw_text", "n_words", "n_sentences", "n_paragraphs")


@dataclass
class Prepared:
    """A cleaned, segmented corpus (see the module docstring for the tables)."""

    docs: pd.DataFrame
    removals: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    errors: list[LoadError] = field(default_factory=list)
    repairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPAIR_COLUMNS))
    cleaned: bool = True
    content_hash: str = ""

    @property
    def doc_ids(self) -> list[str]:
        return self.docs["doc_id"].tolist()

    def text_of(self, doc_id: str) -> str:
        """The cleaned text of one document."""
        return self.docs.loc[self.docs["doc_id"] == doc_id, "text"].iloc[0]

    def subset(self, doc_ids) -> "Prepared":
        """The same tables restricted to ``doc_ids`` (order of ``docs`` kept)."""
        keep = set(doc_ids)
        f = lambda df: df[df["doc_id"].isin(keep)].reset_index(drop=True)  # noqa: E731
        return Prepared(f(self.docs), f(self.removals), f(self.paragraphs), f(self.sentences),
                        self.errors, f(self.repairs), self.cleaned, "")


_SOURCE = "_source"


def _derived_name(name: str) -> bool:
    """A name of :data:`DERIVED_COLUMNS`, or one of them followed by ``_source`` once or more."""
    while name.endswith(_SOURCE):
        name = name[:-len(_SOURCE)]
    return name in DERIVED_COLUMNS


def source_column(name: str) -> str:
    """What :func:`prepare` calls a corpus's own column named like one it derives (the shared
    CSVs bring ``n_words``: ``n_words_source``). A column already named so gets ``_source``
    again, so that :func:`loaded_column` can always tell the two apart."""
    return name + _SOURCE


def loaded_column(name: str) -> str:
    """A column's name as the corpus was loaded, from its name in :func:`prepare`'s table
    (the inverse of :func:`source_column`): ``n_words`` for ``n_words_source``, else ``name``."""
    if name.endswith(_SOURCE) and _derived_name(name[:-len(_SOURCE)]):
        return name[:-len(_SOURCE)]
    return name


def prepare(corpus: Corpus, clean: bool = True, count_words: bool = True) -> Prepared:
    """Clean (unless ``clean=False``) and segment every document of ``corpus``.

    ``count_words=False`` leaves the ``n_words`` column out, for a caller that counts the words
    in a pass over the texts of its own (:func:`analysis.engine.stages.prepare_and_index`)."""
    frame = corpus.to_frame()
    # A user's own column with a name we derive (the shared CSVs bring n_words)
    # is kept under another name rather than overwritten.
    frame = frame.rename(columns={c: source_column(c) for c in frame.columns if _derived_name(c)})
    texts, removals, repairs = [], [], []
    for doc_id, raw in zip(frame["doc_id"], frame["text"]):
        result = clean_mod.clean_text(str(raw), enabled=clean)
        texts.append(result.text)
        removals.extend((doc_id, r.rule, r.start, r.end, r.text) for r in result.removals)
        repairs.extend((doc_id, step, n) for step, n in result.normalisations.items() if n)
    docs = frame.rename(columns={"text": "raw_text"})
    docs["text"] = pd.Series(texts, index=docs.index, dtype="string")
    paragraphs, sentences = segment.segment_texts(docs["doc_id"], texts)
    if count_words:
        docs["n_words"] = [segment.count_words(t) for t in texts]
    docs["n_sentences"] = docs["doc_id"].map(sentences.groupby("doc_id").size()).fillna(0).astype(int)
    docs["n_paragraphs"] = docs["doc_id"].map(paragraphs.groupby("doc_id").size()).fillna(0).astype(int)
    removal_df = pd.DataFrame(removals, columns=REMOVAL_COLUMNS)
    return Prepared(docs, removal_df, paragraphs, sentences, list(corpus.errors),
                    pd.DataFrame(repairs, columns=REPAIR_COLUMNS), clean, corpus.content_hash())
