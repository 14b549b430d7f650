"""The Reader's marked-up text: one document as escaped HTML for ``st.html``.

:func:`document_html` takes a document's cleaned text and the spans to show on
it (character offsets into that text):

- sentences, each tinted by its tone (green = positive, red = negative, the
  stronger the score the deeper the tint; no tint for 0), with a small
  sentence number in front so that the sentence picker can refer to it;
- tracked phrases, highlighted with ``<mark>``;
- passages shared with other documents, underlined, with a tag naming the
  other document(s) where passages start (hover the underline for all of them);
- for the selected sentence, an outline and the words that drove its score
  underlined in their colour.

EVERY piece of document text, label and phrase goes through
:func:`ui.safe.html_text` (``html.escape``); the markup around it is ours.
Styles are inline (no ``<style>`` block, no script, no links). No Streamlit
import: the builder is tested on its own.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from ui.safe import html_text

POS_RGB = (26, 152, 80)  # ui.colors.POSITIVE
NEG_RGB = (215, 48, 39)  # ui.colors.NEGATIVE
MAX_ALPHA = 0.45
MARK_STYLE = "background:#ffe066;color:inherit;padding:0 1px;border-radius:2px;font-weight:600"
REUSE_STYLE = "text-decoration:underline;text-decoration-color:#7b3294;text-decoration-thickness:2px;" \
              "text-underline-offset:3px"
TAG_STYLE = "font-size:0.7em;color:#7b3294;background:#f3e8f7;border-radius:3px;padding:0 3px;margin:0 2px;" \
            "overflow-wrap:anywhere"
#: at most this many other documents are named in the tag at the start of a shared passage.
MAX_TAG_DOCS = 2
NUM_STYLE = "font-size:0.62em;color:#8a949e;margin-right:2px;user-select:none"
SELECTED_STYLE = "outline:2px solid #1f5f8b;outline-offset:1px"
BOX_STYLE = "white-space:pre-wrap;line-height:1.75;font-size:1.02rem;max-width:52em;padding:0.4em 0.2em"


def tint(score) -> str:
    """A translucent background for a tone score in [-1, 1] ("" for 0 or unknown)."""
    try:
        s = float(score)
    except (TypeError, ValueError):
        return ""
    if math.isnan(s) or s == 0:
        return ""
    r, g, b = POS_RGB if s > 0 else NEG_RGB
    alpha = min(MAX_ALPHA, 0.06 + abs(s) * 0.8)
    return f"background-color:rgba({r},{g},{b},{alpha:.2f})"


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # "hit", "reuse", "ev"
    info: str = ""  # phrase / other document label / evidence words
    value: float = 0.0  # evidence polarity


def _spans(frame: pd.DataFrame | None, kind: str, info_col: str | None = None, value_col: str | None = None,
           labels: dict | None = None, length: int = 0) -> list[_Span]:
    out = []
    if frame is None or frame.empty:
        return out
    for rec in frame.to_dict("records"):
        s, e = rec.get("start"), rec.get("end")
        if s is None or e is None or pd.isna(s) or pd.isna(e):
            continue
        s, e = max(0, int(s)), min(length, int(e))
        if e <= s:
            continue
        info = "" if info_col is None else str(rec.get(info_col, ""))
        if labels is not None:
            info = str(labels.get(info, info))
        value = float(rec.get(value_col, 0.0) or 0.0) if value_col else 0.0
        out.append(_Span(s, e, kind, info, value))
    return out


def document_html(text: str, sentences: pd.DataFrame, value_col: str = "polarity", value_label: str = "polarity",
                  hits: pd.DataFrame | None = None, passages: pd.DataFrame | None = None,
                  labels: dict | None = None, selected: int | None = None,
                  evidence: pd.DataFrame | None = None) -> str:
    """The document as HTML (a ``<div>``), every piece of text escaped.

    ``sentences``: the document's sentences with ``start``, ``end`` (offsets
    into ``text``), ``sent``, ``position`` (1 = first) and ``value_col`` (the
    tone score that tints them). ``hits``: tracked-phrase hits (``start``,
    ``end``, ``phrase``). ``passages``: passages shared with other documents
    (``start``, ``end``, ``other_doc``; ``labels`` maps doc_id -> label).
    ``selected``: the ``sent`` of the sentence to outline; ``evidence``: its
    scored chunks (``start``, ``end`` offsets into ``text``, ``words``,
    ``polarity``), underlined green/red.
    """
    text = "" if text is None else str(text)
    n = len(text)
    sents = sentences.sort_values("start", kind="stable") if len(sentences) else sentences
    sent_rows = [(int(r["start"]), int(r["end"]), int(r["sent"]), int(r.get("position", i + 1)),
                  r.get(value_col)) for i, r in enumerate(sents.to_dict("records"))]
    marks = (_spans(hits, "hit", "phrase", length=n) + _spans(passages, "reuse", "other_doc", labels=labels, length=n)
             + _spans(evidence, "ev", "words", "polarity", length=n))
    cuts = {0, n}
    for s, e, *_ in sent_rows:
        cuts.update((max(0, min(n, s)), max(0, min(n, e))))
    for m in marks:
        cuts.update((m.start, m.end))
    cuts = sorted(cuts)
    starts: dict[int, list[_Span]] = {}
    ends: dict[int, list[_Span]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
        ends.setdefault(m.end, []).append(m)
    active: Counter = Counter()
    out = [f'<div class="reader-text" style="{BOX_STYLE}">']
    si, open_sent = 0, None
    for a, b in zip(cuts, cuts[1:]):
        for m in ends.get(a, []):
            active[m] -= 1
        for m in starts.get(a, []):
            active[m] += 1
        # the sentence this segment belongs to (sentences do not overlap)
        while si < len(sent_rows) and sent_rows[si][1] <= a:
            si += 1
        cur = si if si < len(sent_rows) and sent_rows[si][0] <= a < sent_rows[si][1] else None
        if cur != open_sent:
            if open_sent is not None:
                out.append("</span>")
            if cur is not None:
                out.append(_open_sentence(sent_rows[cur], value_label, selected))
            open_sent = cur
        others = list(dict.fromkeys(m.info for m in starts.get(a, []) if m.kind == "reuse"))
        if others:
            shown = ", ".join(_short(o) for o in others[:MAX_TAG_DOCS])
            more = f" and {len(others) - MAX_TAG_DOCS} more" if len(others) > MAX_TAG_DOCS else ""
            out.append(f'<span class="reuse-tag" style="{TAG_STYLE}" title="{html_text("Shared with " + ", ".join(others))}">'
                       f"↔ {html_text(shown + more)}</span>")
        out.append(_segment(text[a:b], [m for m, c in active.items() if c > 0]))
    if open_sent is not None:
        out.append("</span>")
    out.append("</div>")
    return "".join(out)


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open_sentence(row, value_label: str, selected: int | None) -> str:
    start, end, sent, position, value = row
    style = tint(value)
    if selected is not None and int(sent) == int(selected):
        style = ";".join(x for x in (style, SELECTED_STYLE) if x)
    try:
        score = f"{float(value):+.3f}"
    except (TypeError, ValueError):
        score = "n/a"
    title = html_text(f"Sentence {position} · {value_label} {score}")
    cls = "sent selected" if selected is not None and int(sent) == int(selected) else "sent"
    return (f'<span class="{cls}" data-sent="{int(sent)}" title="{title}" style="{style}">'
            f'<span class="sent-no" style="{NUM_STYLE}">{int(position)}</span>')


def _segment(piece: str, active: list[_Span]) -> str:
    body = html_text(piece)
    if not active or not piece.strip():
        return body
    ev = [m for m in active if m.kind == "ev"]
    if ev:
        col = "rgb({},{},{})".format(*(POS_RGB if ev[0].value > 0 else NEG_RGB)) if ev[0].value else "#8a949e"
        body = (f'<span class="evidence" title="{html_text(f"{ev[0].info}: polarity {ev[0].value:+.2f}")}" '
                f'style="border-bottom:3px solid {col};font-weight:600">{body}</span>')
    hit = [m for m in active if m.kind == "hit"]
    if hit:
        body = (f'<mark class="phrase" title="{html_text("Tracked phrase: " + hit[0].info)}" '
                f'style="{MARK_STYLE}">{body}</mark>')
    reuse = [m for m in active if m.kind == "reuse"]
    if reuse:
        others = ", ".join(dict.fromkeys(m.info for m in reuse))
        body = (f'<span class="reuse" title="{html_text("Shared with " + others)}" style="{REUSE_STYLE}">'
                f"{body}</span>")
    return body


def legend_html(value_label: str = "polarity") -> str:
    """A one-line key to the colours and marks of :func:`document_html`."""
    pos, neg = tint(0.5), tint(-0.5)
    return (
        '<div style="font-size:0.85rem;color:#4a5560;margin:0.2em 0 0.6em 0">'
        f'<span style="{pos};padding:0 4px">positive sentence</span> · '
        f'<span style="{neg};padding:0 4px">negative sentence</span> · '
        f"no tint = {html_text(value_label)} 0 · "
        f'<mark style="{MARK_STYLE}">tracked phrase</mark> · '
        f'<span style="{REUSE_STYLE}">passage shared with another document</span> '
        f'<span style="{TAG_STYLE}">↔ other document</span> · '
        f'<span style="{NUM_STYLE};font-size:0.8em">12</span> sentence number'
        "</div>"
    )
