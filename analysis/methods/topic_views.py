"""What a fitted topic model says: terms, names, passages and shares of each topic.

Every function takes a fitted :class:`analysis.methods.topics.TopicModel` (only its
learned attributes are read) and returns plain data:

- :func:`top_terms`: each topic's terms ranked by relevance (pyLDAvis);
- :func:`distinctive_terms` / :func:`topic_labels`: a short name per topic made of
  its most relevant terms *among those most typical of it* (no two names share a word);
- :func:`typical_passages`: for each topic, the passages that express it most
  strongly, a few sentences each, one per document;
- :func:`representative_units`, :func:`document_topics`, :func:`group_topics`,
  :func:`topic_map`, :func:`summarize`.

Nothing here imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.corpus.segment import WORD_RE, segment_texts
from analysis.methods.topic_readings import describe_stability

#: Passages shorter than this come after longer ones (a bare "[Inaudible.]" reads badly).
MIN_PASSAGE_WORDS = 20
PASSAGE_COLUMNS = ["topic", "rank", "doc_id", "unit", "start", "end", "n_words", "weight", "share", "text"]


def _fitted(model) -> None:
    if not hasattr(model, "k_"):
        raise RuntimeError("this TopicModel is not fitted yet: call fit() first")


def term_relevance(H: np.ndarray, topic_mass: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p(w|t), lift, relevance)`` of a factorisation, each topics x terms.

    The corpus's tf-idf mass attributed to topic t and term w is
    ``M[t, w] = topic_mass[t] * H[t, w]`` (``topic_mass``: the sum of the
    fitting units' weights W[u, t]); p(w|t) = M[t, w] / sum_w M[t, w], p(w) =
    sum_t M[t, w] / sum M, lift = p(w|t) / p(w) (how many times more the term
    weighs in the topic than in the whole corpus) and relevance = lam * log
    p(w|t) + (1 - lam) * log lift (Sievert & Shirley 2014). Terms with p(w|t)
    = 0 get relevance -inf.
    """
    M = H * np.asarray(topic_mass, dtype=float)[:, None]
    row = M.sum(axis=1, keepdims=True)
    p_wt = np.divide(M, row, out=np.zeros_like(M), where=row > 0)
    total = M.sum()
    p_w = M.sum(axis=0) / total if total > 0 else np.full(M.shape[1], 1.0 / M.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.divide(p_wt, p_w[None, :], out=np.zeros_like(p_wt), where=p_w[None, :] > 0)
        rel = lam * np.log(p_wt) + (1 - lam) * np.log(lift)
    rel = np.where(p_wt > 0, rel, -np.inf)
    return p_wt, lift, rel


def _relevance(model, lam: float):
    topic_mass = model.unit_topics_[model.unit_table_["fitted"].to_numpy()].sum(axis=0)
    return term_relevance(model.components_, topic_mass, lam)


def top_terms(model, n: int = 10, lam: float = 0.6) -> pd.DataFrame:
    """The ``n`` most relevant terms of each topic (Sievert & Shirley 2014, pyLDAvis).

    relevance(w, t) = lam * log p(w|t) + (1 - lam) * log(p(w|t) / p(w)),
    ``lam`` in [0, 1]: 1 ranks by the term's weight within the topic, 0 by lift
    (how much more the term weighs in the topic than in the corpus, which
    favours rare, exclusive terms); 0.6 is the value Sievert & Shirley found
    easiest to interpret. See :func:`term_relevance` for p(w|t), p(w).

    Returns a long DataFrame ``topic, rank, term, weight (= p(w|t): the term's
    share of the topic's weight), lift (= p(w|t)/p(w)), relevance``, ranks
    from 1. Terms with p(w|t) = 0 are never listed.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], not {lam}")
    _fitted(model)
    p_wt, lift, rel = _relevance(model, lam)
    rows = []
    for t in range(model.k_):
        idx = np.argsort(-rel[t], kind="stable")[:n]
        for rank, j in enumerate(i for i in idx if np.isfinite(rel[t, i])):
            rows.append((t, rank + 1, model.vocabulary_[j], float(p_wt[t, j]), float(lift[t, j]),
                         float(rel[t, j])))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight", "lift", "relevance"])


def distinctive_terms(model, n: int = 3, lam: float = 0.6, pool: int = 30) -> dict[int, list[str]]:
    """The ``n`` top distinctive terms of each topic: its name.

    Every term is first given to the one topic it is most typical of (the
    topic with its highest lift p(w|t)/p(w), i.e. the topic most likely to
    have produced it). A topic's distinctive terms are then its most relevant
    terms (relevance at ``lam``, as :func:`top_terms`) among the ``pool`` most
    relevant, keeping only terms given to it; so two topics never share a
    distinctive term, and a word common to several topics names none of them.
    A topic with fewer than ``n`` such terms is completed with its most
    relevant others. Returns ``{topic: [term, ...]}``.
    """
    _fitted(model)
    p_wt, lift, rel = _relevance(model, lam)
    owner = np.argmax(lift, axis=0)
    out = {}
    for t in range(model.k_):
        ranked = [int(j) for j in np.argsort(-rel[t], kind="stable")[:pool] if np.isfinite(rel[t, j])]
        own = [j for j in ranked if owner[j] == t][:n]
        if len(own) < n:
            own += [j for j in ranked if j not in own][: n - len(own)]
        out[t] = [str(model.vocabulary_[j]) for j in own]
    return out


def topic_labels(model, n: int = 3, lam: float = 0.6) -> dict[int, str]:
    """A short name per topic: its number (from 0) and its :func:`distinctive_terms`,
    e.g. ``"0: brexit, vote, leave"``."""
    terms = distinctive_terms(model, n=n, lam=lam)
    return {t: f"{t}: {', '.join(terms.get(t, []))}" for t in range(model.k_)}


def _windows(text: str, paragraphs: pd.DataFrame, sentences: pd.DataFrame, words: int) -> list[tuple[int, int]]:
    """Passages of ``text``: runs of whole sentences inside one paragraph, each of
    at least ``words`` words where the paragraph allows (a short tail joins the
    run before it). ``(start, end)`` offsets."""
    out = []
    for _, p in paragraphs.iterrows():
        sents = sentences[sentences["para"] == p["para"]]
        run_start, run_words, runs = None, 0, []
        for s, e in zip(sents["start"], sents["end"]):
            if run_start is None:
                run_start = s
            run_words += len(WORD_RE.findall(text[s:e]))
            if run_words >= words:
                runs.append([run_start, e])
                run_start, run_words = None, 0
        if run_start is not None:
            tail_end = int(sents["end"].iloc[-1]) if len(sents) else int(p["end"])
            if runs:
                runs[-1][1] = tail_end
            else:
                runs.append([run_start, tail_end])
        out.extend((int(s), int(e)) for s, e in runs)
    return out


def typical_passages(model, n: int = 3, topics=None, doc_ids=None, passage_words: int = 60,
                     candidates: int = 20, max_chars: int | None = None) -> pd.DataFrame:
    """For each topic, the ``n`` passages that express it most strongly, from ``n`` different documents.

    A passage is a unit of the model when the units are paragraphs or
    sentences. When the units are whole documents, the ``candidates``
    documents with the highest weight on the topic are cut into passages (runs
    of whole sentences within a paragraph, at least ``passage_words`` words
    where the paragraph allows) and every passage is scored by the fitted
    model. A passage's ``weight`` is its raw NMF weight on the topic (tf-idf
    rows have unit length, so weights compare between passages) and ``share``
    that topic's part of the passage's topic mix (0..1). Passages whose main
    topic it is come first, strongest first, one per document, passages under
    :data:`MIN_PASSAGE_WORDS` words after longer ones, and a text quoted word
    for word in two documents only once; then, if too few, the next strongest. ``topics`` (default all) and ``doc_ids`` (default
    all) restrict what is looked at.

    Columns :data:`PASSAGE_COLUMNS`; ``start``/``end`` are offsets into the
    document's text (for highlighting); ``text`` is cut to ``max_chars`` with
    "…" unless ``None``.
    """
    _fitted(model)
    tab = model.unit_table_.reset_index(drop=True)
    topics = range(model.k_) if topics is None else [int(t) for t in topics]
    inside = np.ones(len(tab), dtype=bool) if doc_ids is None else \
        tab["doc_id"].astype(str).isin({str(d) for d in doc_ids}).to_numpy()
    W = model.unit_topics_
    rows = []
    for t in topics:
        if model.units_ == "documents":
            top = np.flatnonzero(inside & (W[:, t] > 0))
            top = top[np.argsort(-W[top, t], kind="stable")][:candidates]
            cand = _document_passages(model, tab.iloc[top], passage_words)
        else:
            cand = tab.loc[inside, ["doc_id", "unit", "start", "end", "n_words", "text"]].copy()
            cand["weights"] = list(W[inside])
        rows.extend(_pick(t, cand, n, max_chars))
    out = pd.DataFrame(rows, columns=PASSAGE_COLUMNS)
    return out.astype({"topic": int, "rank": int, "start": int, "end": int, "n_words": int})


def _document_passages(model, docs: pd.DataFrame, words: int) -> pd.DataFrame:
    cols = ["doc_id", "unit", "start", "end", "n_words", "text", "weights"]
    if docs.empty:
        return pd.DataFrame(columns=cols)
    ids, texts = docs["doc_id"].astype(str).tolist(), [str(x) for x in docs["text"]]
    paragraphs, sentences = segment_texts(ids, texts)
    recs = []
    for d, text in zip(ids, texts):
        spans = _windows(text, paragraphs[paragraphs["doc_id"] == d], sentences[sentences["doc_id"] == d], words)
        for i, (s, e) in enumerate(spans or [(0, len(text))]):
            recs.append((d, f"{d}#w{i}", s, e, len(WORD_RE.findall(text[s:e])), text[s:e]))
    cand = pd.DataFrame(recs, columns=cols[:-1])
    X = model.vectorizer_.transform(cand["text"].tolist())
    Wp = np.zeros((len(cand), model.k_))
    ok = np.asarray(X.getnnz(axis=1) > 0)
    if ok.any():
        with np.errstate(invalid="ignore"):
            Wp[ok] = model.nmf_.transform(X[ok])
    cand["weights"] = list(Wp)
    return cand


def _cut(text: str, max_chars: int | None) -> str:
    text = " ".join(str(text).split())
    if max_chars is not None and len(text) > max_chars:
        return text[: max_chars - 1].rstrip() + "…"
    return text


def _pick(t: int, cand: pd.DataFrame, n: int, max_chars: int | None, min_words: int = MIN_PASSAGE_WORDS) -> list[tuple]:
    if cand.empty:
        return []
    Wc = np.vstack(cand["weights"].to_numpy())
    sums = Wc.sum(axis=1)
    score = Wc[:, t]
    main = (Wc.argmax(axis=1) == t) & (score > 0)
    short = (cand["n_words"].to_numpy() < min_words)
    order = sorted(range(len(cand)), key=lambda i: (not main[i], bool(short[i]), -score[i], i))
    keys = [" ".join(str(x).lower().split())[:160] for x in cand["text"]]
    chosen, seen, texts = [], set(), set()
    for same_doc_ok in (False, True):  # one passage per document first; too few: more from the same ones
        for i in order:
            if len(chosen) == n:
                break
            d = cand["doc_id"].iloc[i]
            if score[i] <= 0 or i in chosen or keys[i] in texts or (d in seen and not same_doc_ok):
                continue
            chosen.append(i)
            seen.add(d)
            texts.add(keys[i])  # the same passage quoted in two documents is shown once
    out = []
    for rank, i in enumerate(chosen, start=1):
        r = cand.iloc[i]
        out.append((t, rank, str(r["doc_id"]), str(r["unit"]), int(r["start"]), int(r["end"]), int(r["n_words"]),
                    float(score[i]), float(score[i] / sums[i]) if sums[i] > 0 else 0.0, _cut(r["text"], max_chars)))
    return out


def representative_units(model, n: int = 3, max_chars: int | None = 300) -> pd.DataFrame:
    """The ``n`` units that express each topic most strongly.

    Ranked by the unit's raw NMF weight W[u, t] (tf-idf rows have unit length,
    so weights are comparable between units; a long unit mostly about the topic
    ranks above a two-word one), among units whose dominant topic it is, then
    any unit if there are too few. Columns ``topic, rank, unit, doc_id, para,
    sent, start, end, weight (W), share (of the unit's weights), text``
    (``text`` cut to ``max_chars`` with "…" unless ``None``); ``start``/``end``
    index the document's text, so the UI can highlight the passage.
    """
    _fitted(model)
    W, S = model.unit_topics_, model.unit_shares_
    dominant = np.where(S.sum(axis=1) > 0, S.argmax(axis=1), -1)
    tab = model.unit_table_.reset_index(drop=True)
    rows = []
    for t in range(model.k_):
        score = W[:, t]
        own = np.flatnonzero((dominant == t) & (score > 0))
        own = own[np.argsort(-score[own], kind="stable")]
        rest = np.flatnonzero((dominant != t) & (score > 0))
        rest = rest[np.argsort(-score[rest], kind="stable")]
        for rank, i in enumerate(list(own[:n]) + list(rest[: max(0, n - len(own))])):
            text = str(tab.at[i, "text"])
            if max_chars is not None and len(text) > max_chars:
                text = text[: max_chars - 1].rstrip() + "…"
            rows.append((t, rank + 1, tab.at[i, "unit"], tab.at[i, "doc_id"], tab.at[i, "para"],
                         tab.at[i, "sent"], int(tab.at[i, "start"]), int(tab.at[i, "end"]),
                         float(W[i, t]), float(S[i, t]), text))
    out = pd.DataFrame(rows, columns=["topic", "rank", "unit", "doc_id", "para", "sent", "start",
                                      "end", "weight", "share", "text"])
    out["para"] = out["para"].astype("Int64")
    out["sent"] = out["sent"].astype("Int64")
    return out


def document_topics(model, wide: bool = False) -> pd.DataFrame:
    """Topic shares per document; each document's shares sum to 1.

    For document units these are the units' shares (W rows scaled to sum to
    1). For paragraph or sentence units a document's share of topic t is the
    word-weighted mean of its units' shares:
    ``sum_u n_words[u] * share[u, t] / sum_u n_words[u]`` over the units that
    have any topic weight, so a long paragraph counts more than a short one.
    A document with no scored unit gets shares of 0 (sum 0).

    Long form ``doc_id, topic, share`` (default), or wide (``wide=True``): one
    row per doc_id (index, in the corpus's order), one column per topic.
    """
    _fitted(model)
    S = model.unit_shares_
    tab = model.unit_table_
    w = tab["n_words"].to_numpy(dtype=float) * (S.sum(axis=1) > 0)
    weighted = pd.DataFrame(S * w[:, None], columns=range(model.k_))
    weighted["_w"] = w
    agg = weighted.groupby(tab["doc_id"].to_numpy(), sort=False).sum()
    totals = agg.pop("_w").to_numpy()[:, None]
    shares = pd.DataFrame(np.divide(agg.to_numpy(), totals, out=np.zeros(agg.shape), where=totals > 0),
                          index=agg.index, columns=range(model.k_))
    order = list(dict.fromkeys(list(model.docs_["doc_id"].astype(str)) + list(shares.index)))
    shares = shares.reindex(order, fill_value=0.0)
    shares.index.name = "doc_id"
    shares.columns.name = "topic"
    if wide:
        return shares
    long = shares.reset_index().melt(id_vars="doc_id", var_name="topic", value_name="share")
    long["topic"] = long["topic"].astype(int)
    return long.sort_values(["doc_id", "topic"], kind="stable").reset_index(drop=True)


def group_topics(model, column: str, docs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Topic shares per value of a metadata ``column`` (author, party, category...).

    A group's share of topic t is the mean of its documents' shares
    (:func:`document_topics`), each document counting equally; documents
    without any scored unit are left out. Empty values form the group "".
    ``docs`` supplies the metadata (default: the metadata seen by ``fit``).
    Long form ``<column>, topic, share, n_docs``; shares of a group sum to 1.
    """
    _fitted(model)
    meta = model.docs_ if docs is None else docs
    if column not in meta.columns:
        raise KeyError(f"no metadata column {column!r}; have {list(meta.columns)}")
    shares = document_topics(model, wide=True)
    shares = shares[shares.sum(axis=1) > 0]
    groups = meta.assign(doc_id=meta["doc_id"].astype(str)).set_index("doc_id")[column]
    groups = groups.reindex(shares.index).fillna("").astype(str)
    g = shares.groupby(groups.to_numpy(), sort=True)
    mean = g.mean()
    n_docs = g.size()
    out = mean.reset_index(names=column).melt(id_vars=column, var_name="topic", value_name="share")
    out["topic"] = out["topic"].astype(int)
    out["n_docs"] = out[column].map(n_docs).astype(int)
    return out.sort_values([column, "topic"], kind="stable").reset_index(drop=True)


def topic_map(model, label_chars: int = 60) -> pd.DataFrame:
    """2-D coordinates of the units for a scatter map.

    The units' topic shares (rows summing to 1) are square-rooted (Hellinger
    geometry, so small shares still separate units) and projected on their
    first two principal components (PCA by SVD of the centred matrix, signs
    fixed so each axis's largest loading is positive: deterministic). Units
    near each other mix the same topics; units of one dominant topic form a
    cloud. Units with no topic weight are left out.

    Columns ``unit, doc_id, para, sent, start, end, x, y, topic (dominant),
    weight (its share), label`` (the unit id and the start of its text).
    """
    _fitted(model)
    S = model.unit_shares_
    keep = S.sum(axis=1) > 0
    Z = np.sqrt(S[keep])
    Zc = Z - Z.mean(axis=0)
    xy = np.zeros((Z.shape[0], 2))
    if Z.shape[0] > 1 and Z.shape[1] > 1:
        U, sv, Vt = np.linalg.svd(Zc, full_matrices=False)
        m = min(2, len(sv))
        for c in range(m):
            j = np.argmax(np.abs(Vt[c]))
            sign = 1.0 if Vt[c, j] >= 0 else -1.0
            xy[:, c] = sign * U[:, c] * sv[c]
    tab = model.unit_table_[keep].reset_index(drop=True)
    out = tab[["unit", "doc_id", "para", "sent", "start", "end"]].copy()
    out["x"] = xy[:, 0]
    out["y"] = xy[:, 1]
    out["topic"] = S[keep].argmax(axis=1).astype(int)
    out["weight"] = S[keep].max(axis=1)
    snippets = [" ".join(str(t).split())[:label_chars] for t in tab["text"]]
    out["label"] = [f"{u}: {s}" + ("…" if len(" ".join(str(t).split())) > label_chars else "")
                    for u, s, t in zip(tab["unit"], snippets, tab["text"])]
    return out


@dataclass
class TopicSummary:
    """Everything a topics page needs, from one fitted model."""

    k: int
    units: str
    stability: float
    stability_text: str
    k_scores: pd.DataFrame
    terms: pd.DataFrame
    passages: pd.DataFrame
    doc_shares: pd.DataFrame
    map: pd.DataFrame


def summarize(model, n_terms: int = 10, lam: float = 0.6, n_passages: int = 3) -> TopicSummary:
    """Collect the model's views (:func:`top_terms`, :func:`typical_passages`,
    :func:`document_topics`, :func:`topic_map`) in one :class:`TopicSummary`."""
    _fitted(model)
    return TopicSummary(model.k_, model.units_, model.stability_, describe_stability(model.stability_),
                        model.k_scores_.copy(), top_terms(model, n_terms, lam),
                        typical_passages(model, n_passages), document_topics(model),
                        topic_map(model))
