"""What the topic model reads: the units of text and the terms in them.

A *unit* is a document, a paragraph or a sentence (:func:`build_units`; the rule
for ``units="auto"`` is in :mod:`analysis.methods.topics`). The terms of a unit
are its word tokens (:data:`analysis.corpus.segment.WORD_RE`), lower-cased and
normalised, a final possessive ``'s`` removed, without stopwords
(:data:`STOPWORDS`, including the parliamentary boilerplate of
:data:`SPEECH_STOPWORDS`), numbers and one-letter tokens (:func:`analyze`).
Nothing here imports Streamlit.
"""

from __future__ import annotations

import re

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.corpus.model import unique_id
from analysis.corpus.segment import WORD_RE, normalise_token, segment_texts

#: ``units="auto"``: fewer documents than this -> paragraph units.
PARAGRAPH_BELOW_DOCS = 30
#: ``units="auto"``: a paragraph-level corpus with fewer fitting paragraphs than
#: this -> sentence units.
SENTENCE_BELOW_PARAGRAPHS = 30

UNIT_KINDS = ("documents", "paragraphs", "sentences")

#: Words that carry no topic on top of the project's stopword list:
#: reporting verbs, titles, modal and light verbs, counting and time words.
EXTRA_STOPWORDS = frozenset(
    """
    said says say saying told tell according mr mrs ms dr
    also just like really actually going get got make made way lot lots
    would could should might must shall will can may
    find take give keep show call move put
    one two three first new year years time times day days
    """.split()
)

#: Parliamentary and speech boilerplate: forms of address, offices named in every
#: debate, procedure, and the verbs of asking, thanking and agreeing. In the 493 UK
#: COVID speeches these words filled the leading terms of every topic ("people,
#: minister, hon, does, right") and pushed the topics apart on who is addressed
#: rather than on what is discussed. Content words of politics ("government",
#: "bill", "parliament", "election", party names) are NOT here. Users can take
#: words off or add more (``TopicModel(stopwords=...)``, the Topics page's
#: Advanced settings).
SPEECH_STOPWORDS = frozenset(
    """
    hon honourable rt gentleman gentlemen lady ladies friend friends member members
    colleague colleagues madam sir speaker deputy chair chairman
    minister ministers secretary secretaries prime chancellor state update updates
    house debate debates question questions urgent statement statements answer answers
    ask asks asked asking thank thanks thanking grateful welcome welcomes agree agrees agreed
    sure wonder recognise raise raised raises point points record indeed absolutely certainly
    clearly obviously simply right does did doing done know knows think thinks thought want wants
    need needs needed come comes coming look looking looked mean means see seen ensure
    people today yesterday week weeks month months thing things able important great good
    constituency constituents constituent inaudible interruption
    """.split()
)

try:  # the project's list (analysis.methods.terms), so topics and term tables agree
    from analysis.methods.terms import DEFAULT_STOPWORDS as BASE_STOPWORDS
except ImportError:  # pragma: no cover - terms.py absent: scikit-learn's list + contractions
    BASE_STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | frozenset(
        """
        don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
        shouldn't haven't hasn't hadn't it's i'm i've i'd i'll we're we've we'd we'll
        you're you've you'd you'll they're they've they'd they'll he's she's that's
        there's what's who's let's here's
        """.split()
    )

#: The default stopwords of the topic vocabulary: :data:`BASE_STOPWORDS`
#: (:data:`analysis.methods.terms.DEFAULT_STOPWORDS`: scikit-learn's English list,
#: a few content words removed, contractions added), :data:`EXTRA_STOPWORDS` and
#: :data:`SPEECH_STOPWORDS`.
STOPWORDS = frozenset(BASE_STOPWORDS) | EXTRA_STOPWORDS | SPEECH_STOPWORDS


def stopword_set(add=(), remove=(), base=None) -> frozenset:
    """``base`` (default :data:`STOPWORDS`) with the words ``add`` added and the
    words ``remove`` taken off, each normalised as tokens are (lower case, plain
    apostrophes): the set to pass as ``TopicModel(stopwords=...)``."""
    words = set(STOPWORDS if base is None else (normalise_token(w) for w in base))
    words |= {normalise_token(w.strip()) for w in add if w and w.strip()}
    words -= {normalise_token(w.strip()) for w in remove if w and w.strip()}
    return frozenset(words)


def analyze(text: str, stopwords=STOPWORDS) -> list[str]:
    """The terms of ``text`` that enter the tf-idf matrix.

    Tokens as :data:`analysis.corpus.segment.WORD_RE` finds them, normalised as
    :func:`analysis.corpus.segment.normalise_token` does (lower case, plain
    apostrophes and hyphens), a final possessive ``'s`` (or ``'``) removed
    ("Britain's" -> "britain"), then dropped if a stopword, shorter than 2
    characters or without a letter ("2016", "10-12").
    """
    # normalising the whole text first equals normalising each token, and is faster; each distinct
    # token is judged once (a corpus repeats a few tens of thousands of them millions of times)
    term_of = _TermOf.of(stopwords)
    return list(filter(None, map(term_of.__getitem__, WORD_RE.findall(normalise_token(text)))))


def term_of(token: str, stopwords=STOPWORDS) -> str:
    """The term a normalised word token counts as in :func:`analyze` ("britain" for
    "britain's"), or "" when it is dropped."""
    return _TermOf.of(stopwords)[token]


#: A documents table may carry each text's :func:`analyze` terms (default stopwords) in this
#: column, joined by spaces, worked out beforehand (a build does so in each slice's task, while
#: the corpus is still being read); the topic model of document units then reads them instead
#: of tokenising the texts again. Terms hold no whitespace, so splitting gives them back.
TERMS_COLUMN = "topic_terms"


def analyzed_terms(texts) -> list[str]:
    """:data:`TERMS_COLUMN` of ``texts``: each text's :func:`analyze` terms with the default
    :data:`STOPWORDS`, joined by single spaces."""
    return [" ".join(analyze(str(t))) for t in texts]


class _TermOf(dict):
    """Token -> its term (:func:`analyze`), or "" when it is dropped; filled as tokens are met.
    One per stopword set, at most :data:`MAX_SETS` of them and :data:`MAX_TOKENS` tokens each
    (about 100 bytes a token; then it starts again)."""

    _by_stopwords: dict = {}
    MAX_TOKENS = 200_000
    MAX_SETS = 4

    def __init__(self, stopwords):
        super().__init__()
        self.stopwords = stopwords

    @classmethod
    def of(cls, stopwords) -> "_TermOf":
        key = stopwords if isinstance(stopwords, frozenset) else frozenset(stopwords)
        got = cls._by_stopwords.get(key)
        if got is None or len(got) > cls.MAX_TOKENS:
            if len(cls._by_stopwords) >= cls.MAX_SETS:
                cls._by_stopwords.clear()
            got = cls._by_stopwords[key] = cls(key)
        return got

    def __missing__(self, t: str) -> str:
        token = t
        if t.endswith("'s"):
            t = t[:-2]
        elif t.endswith("'"):
            t = t[:-1]
        if len(t) < 2 or t in self.stopwords or t.isdigit() or not _HAS_LETTER(t):
            t = ""
        self[token] = t
        return t


_HAS_LETTER = re.compile(r"[^\W\d_]").search


def as_is(tokens):
    """The identity: tokens already analysed enter the vectorizer as they are."""
    return tokens


# --------------------------------------------------------------------------- units

UNIT_COLUMNS = ["unit", "doc_id", "para", "sent", "start", "end", "n_words", "text"]


def _docs_frame(data) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """(docs, paragraphs, sentences) from a Prepared, a docs frame or a list of strings."""
    if hasattr(data, "docs") and hasattr(data, "paragraphs"):
        return data.docs, data.paragraphs, getattr(data, "sentences", None)
    if isinstance(data, pd.DataFrame):
        if "text" not in data.columns:
            raise ValueError("a DataFrame passed to TopicModel.fit needs a 'text' column")
        df = data.reset_index(drop=True)
        if "doc_id" not in df.columns:
            df = df.assign(doc_id=[f"doc{i:05d}" for i in range(len(df))])
        if df["doc_id"].astype(str).duplicated().any():  # units are keyed by doc_id
            seen: set[str] = set()
            ids = []
            for d in df["doc_id"].astype(str):
                ids.append(unique_id(d, seen))
                seen.add(ids[-1])
            df = df.assign(doc_id=ids)
        return df, None, None
    texts = list(data)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("fit() takes a Prepared corpus, a DataFrame with a 'text' column "
                        "or a list of strings")
    df = pd.DataFrame({"doc_id": [f"doc{i:05d}" for i in range(len(texts))], "text": texts})
    return df, None, None


def _count(text: str) -> int:
    return len(WORD_RE.findall(text))


def build_units(data, units: str = "auto", min_unit_words: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The units to cluster, the documents' metadata and the unit kind chosen.

    ``data`` is a :class:`analysis.corpus.prepare.Prepared`, a DataFrame with a
    ``text`` column (one row per document; ``doc_id`` and metadata columns
    optional) or a list of strings. A DataFrame that already has ``start`` and
    ``end`` columns is taken as ready-made units (``units`` is then ignored;
    the kind is reported as ``"custom"``).

    Returns ``(units, docs, kind)``: ``units`` has columns :data:`UNIT_COLUMNS` (and, for
    document units of a table that has it, :data:`TERMS_COLUMN`)
    (``unit`` is an id: the doc_id for documents, ``"<doc_id>#p<para>"`` for
    paragraphs, ``"<doc_id>#s<sent>"`` for sentences; ``para``/``sent`` are
    ``<NA>`` where they do not apply; ``start``/``end`` index the document's
    text); ``docs`` is the documents' metadata (no text columns).
    """
    if units not in ("auto",) + UNIT_KINDS:
        raise ValueError(f"units must be 'auto' or one of {UNIT_KINDS}, not {units!r}")
    if isinstance(data, pd.DataFrame) and {"start", "end", "text"} <= set(data.columns):
        u = data.reset_index(drop=True).copy()
        if "doc_id" not in u.columns:
            u["doc_id"] = [f"doc{i:05d}" for i in range(len(u))]
        u["doc_id"] = u["doc_id"].astype(str)
        for c in ("para", "sent"):
            u[c] = u[c].astype("Int64") if c in u.columns else pd.array([pd.NA] * len(u), dtype="Int64")
        if "unit" not in u.columns:
            u["unit"] = [f"{d}#u{i}" for i, d in enumerate(u["doc_id"])]
        u["n_words"] = [_count(str(t)) for t in u["text"]]
        docs = u[["doc_id"]].drop_duplicates().reset_index(drop=True)
        return u[UNIT_COLUMNS], docs, "custom"

    docs, paragraphs, sentences = _docs_frame(data)
    docs = docs.reset_index(drop=True)
    doc_ids = docs["doc_id"].astype(str).tolist()
    texts = [str(t) for t in docs["text"].tolist()]
    text_of = dict(zip(doc_ids, texts))
    meta = docs.drop(columns=[c for c in ("text", "raw_text", TERMS_COLUMN) if c in docs.columns]).copy()
    meta["doc_id"] = meta["doc_id"].astype(str)

    kind = units
    if kind == "auto":
        kind = "paragraphs" if len(doc_ids) < PARAGRAPH_BELOW_DOCS else "documents"
    if kind in ("paragraphs", "sentences") and (paragraphs is None or sentences is None):
        paragraphs, sentences = segment_texts(doc_ids, texts)

    def para_units() -> pd.DataFrame:
        p = paragraphs.copy()
        p["doc_id"] = p["doc_id"].astype(str)
        p["text"] = [text_of[d][s:e] for d, s, e in zip(p["doc_id"], p["start"], p["end"])]
        p["unit"] = [f"{d}#p{i}" for d, i in zip(p["doc_id"], p["para"])]
        p["sent"] = pd.array([pd.NA] * len(p), dtype="Int64")
        return p

    if kind == "paragraphs":
        u = para_units()
        if units == "auto":
            n_fit = sum(_count(t) >= min_unit_words for t in u["text"])
            if n_fit < SENTENCE_BELOW_PARAGRAPHS:
                kind = "sentences"
    if kind == "sentences":
        u = sentences.copy()
        u["doc_id"] = u["doc_id"].astype(str)
        u["text"] = [text_of[d][s:e] for d, s, e in zip(u["doc_id"], u["start"], u["end"])]
        u["unit"] = [f"{d}#s{i}" for d, i in zip(u["doc_id"], u["sent"])]
    elif kind == "documents":
        u = pd.DataFrame({"doc_id": doc_ids, "unit": doc_ids, "text": texts,
                          "start": 0, "end": [len(t) for t in texts]})
        u["para"] = pd.array([pd.NA] * len(u), dtype="Int64")
        u["sent"] = pd.array([pd.NA] * len(u), dtype="Int64")
    u = u.reset_index(drop=True)
    u["para"] = u["para"].astype("Int64")
    u["sent"] = u["sent"].astype("Int64")
    u["start"] = u["start"].astype(int)
    u["end"] = u["end"].astype(int)
    if kind == "documents" and hasattr(data, "paragraphs") and "n_words" in docs.columns:
        u["n_words"] = docs["n_words"].to_numpy(dtype=int)  # a Prepared's: the same count, already made
    else:
        u["n_words"] = [_count(t) for t in u["text"]]
    if kind == "documents" and TERMS_COLUMN in docs.columns:
        u[TERMS_COLUMN] = docs[TERMS_COLUMN].to_numpy(dtype=object)
        return u[UNIT_COLUMNS + [TERMS_COLUMN]], meta, kind
    return u[UNIT_COLUMNS], meta, kind

