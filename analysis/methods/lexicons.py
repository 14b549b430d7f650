"""Exact, fast re-implementations of two lexicon sentiment scorers.

This module is the engine behind :mod:`analysis.methods.sentiment`. It reproduces,
operation for operation, the arithmetic of

- TextBlob 0.20's default analyzer (``PatternAnalyzer``, i.e.
  ``textblob._text.Sentiment.__call__`` on a string: ``find_tokens`` then
  ``assessments`` then the unweighted means), and
- VADER 3.3.2's ``SentimentIntensityAnalyzer.polarity_scores(text)["compound"]``,

so that the scores are *equal as floats* to what the libraries return (the
test-suite checks this against the libraries on tens of thousands of real
sentences). It is faster because it avoids the libraries' per-call overheads:
TextBlob's lazy dictionary re-checks its state on every word look-up and its
tokenizer runs a dozen regular-expression passes and a large emoticon regex
over every sentence; VADER rebuilds a lower-cased copy of the whole token
list for every sentiment word (quadratic in text length). Here the look-up
tables are plain dicts built once, the string passes run only when the
characters they act on are present, and the emoticon regex runs only on the
rare sentences where it could change anything (see :func:`textblob_tokens`).

Nothing here imports TextBlob or NLTK: importing TextBlob pulls in NLTK,
which costs seconds. The lexicon tables are read from the
installed packages' own data files (``textblob/en/en-sentiment.xml`` via
TextBlob's own ``_text.py`` loaded stand-alone: :mod:`analysis.methods.textblob_tables`,
and VADER's ``vader_lexicon.txt``), so they are the libraries' tables exactly; the
test-suite compares them with the libraries' loaded objects.

VADER lives in :mod:`analysis.methods.vader` (one text) and
:mod:`analysis.methods.vader_batch` (many texts at once, as the bulk scorers here use it);
spreading many texts over processes (Dask) in :mod:`analysis.methods.bulk_scoring`.
"""

from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

from analysis.methods.textblob_tables import TextBlobTables, load_textblob
from analysis.methods import vader_batch
from analysis.methods.vader import load_vader, vader_compound

__all__ = [
    "textblob_sentiment",
    "textblob_assessments",
    "textblob_evidence",
    "textblob_tokens",
    "vader_compound",
    "score_chunk",
    "score_document_chunk",
]

# --------------------------------------------------------------------------------------
# TextBlob: tokenizer
# --------------------------------------------------------------------------------------

# find_tokens' replacements and quote splitting, in TextBlob's order. Every
# pattern is a literal, so re.sub(a, b, s) == s.replace(a, b).
_CONTRACTIONS = (("'d", " 'd"), ("'m", " 'm"), ("'s", " 's"), ("'ll", " 'll"),
                 ("'re", " 're"), ("'ve", " 've"), ("n't", " n't"))
_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019", "'", '"')


def _needs_subs(s: str, tb: TextBlobTables) -> bool:
    """False when find_tokens' sarcasm and emoticon substitutions cannot change ``s``.

    Both substitutions only change a string where a match contains a space,
    which needs two consecutive characters of an emoticon (or of "(!)") with
    a space between them. True means "maybe": the caller then runs the
    library's own substitutions.
    """
    pairs = tb.pairs
    for m in tb.re_pair_candidate.finditer(s):
        p = m.start()
        if s[p:p + 3] in pairs:
            return tb.re_needs_subs.search(s) is not None
    return False


def _split_punctuation(raw: list[str], tb: TextBlobTables) -> list[str]:
    """find_tokens' loop that splits leading/trailing punctuation off each token."""
    tokens: list[str] = []
    append = tokens.append
    lead, trail, replace = tb.punct_lead, tb.punct_trail, tb.replace
    single_trail = tb.single_trail
    abbreviations = tb.abbreviations
    abbr1, abbr2, abbr3 = tb.re_abbr
    for t in raw:
        if t.isalnum():
            # No punctuation character is alphanumeric: nothing to split.
            append(t)
            continue
        last = t[-1]
        if last in single_trail and t[:-1].isalnum():
            # "word," -> "word" ","  (same steps as the general loop below)
            append(t[:-1])
            append(last)
            continue
        if last == "." and t[:-1].isalnum():
            # "word." -> "word" "." unless an abbreviation ("Mr.", "U.", ...)
            if (t in abbreviations or abbr1.match(t) is not None
                    or abbr2.match(t) is not None or abbr3.match(t) is not None):
                append(t)
            else:
                append(t[:-1])
                append(".")
            continue
        tail = []
        while t.startswith(lead) and t not in replace:
            append(t[0])
            t = t[1:]
        while t.endswith(trail) and t not in replace:
            if t.endswith(lead):
                tail.append(t[-1])
                t = t[:-1]
            if t.endswith("..."):
                tail.append("...")
                t = t[:-3].rstrip(".")
            if t.endswith("."):
                if (t in abbreviations or abbr1.match(t) is not None
                        or abbr2.match(t) is not None or abbr3.match(t) is not None):
                    break
                tail.append(t[-1])
                t = t[:-1]
        if t != "":
            append(t)
        if tail:
            tail.reverse()
            tokens.extend(tail)
    return tokens


def _sentences_and_subs(tokens: list[str], tb: TextBlobTables) -> list[str]:
    """find_tokens' sentence grouping and sarcasm/emoticon substitutions (slow path)."""
    end, run, eos = tb.sentence_end, tb.sentence_run, tb.eos
    sentences: list[list[str]] = [[]]
    i = j = 0
    n = len(tokens)
    while j < n:
        if tokens[j] in end:
            while j < n and tokens[j] in run:
                if tokens[j] in ("'", '"') and sentences[-1].count(tokens[j]) % 2 == 0:
                    break
                j += 1
            sentences[-1].extend(t for t in tokens[i:j] if t != eos)
            sentences.append([])
            i = j
        j += 1
    sentences[-1].extend(tokens[i:j])
    out = []
    for s in sentences:
        if not s:
            continue
        s = " ".join(s)
        if _needs_subs(s, tb):
            s = tb.re_sarcasm.sub("(!)", s)
            s = tb.re_emoticons.sub(lambda m: m.group(1).replace(" ", "") + m.group(2), s)
        out.append(s)
    return " ".join(out).split()


def _tokens_joined(text: str, tb: TextBlobTables) -> tuple[str, bool]:
    """The space-joined tokens TextBlob's sentiment scores (case kept), and
    whether the slow path (emoticon/sarcasm substitutions) was needed."""
    s = text
    if "'" in s:
        for a, b in _CONTRACTIONS:
            if a in s:
                s = s.replace(a, b)
    for q in _QUOTES:
        if q in s:
            s = s.replace(q, " " + q + " ")
    if "\n" in s:
        s = s.replace("\r\n", "\n")
        s = tb.re_linebreak.sub(" %s " % tb.eos, s)
    # re.sub(r"\s+", " ", s) then TOKEN.findall(s + " ") is exactly s.split():
    # both use the same Unicode whitespace definition (checked by the tests).
    tokens = _split_punctuation(s.split(), tb)
    if tb.eos in s:
        plain = [t for t in tokens if t != tb.eos]
    else:
        plain = tokens
    joined = " ".join(plain)
    if not _needs_subs(joined, tb):
        # Every sentence string find_tokens builds is a substring of `joined`, so
        # no substitution can change any of them, and the sentence grouping
        # always drops the end-of-sentence markers.
        return joined, False
    return " ".join(_sentences_and_subs(tokens, tb)), True


def textblob_tokens(text: str) -> list[str]:
    """The lower-cased tokens TextBlob's sentiment analyzer assesses for ``text``.

    Equal to ``" ".join(find_tokens(text)).split()`` lower-cased word by word,
    which is what ``PatternAnalyzer`` feeds to ``Sentiment.assessments``.
    """
    return _tokens_joined(text, load_textblob())[0].lower().split()


# --------------------------------------------------------------------------------------
# TextBlob: assessments and scores
# --------------------------------------------------------------------------------------


def _assess(words: Sequence[str], tb: TextBlobTables) -> list[list]:
    """Sentiment.assessments() with pos=None.

    Entries are ``[words, p, s, i, n, label, token_indices]``; the last item
    (not in TextBlob) records which of ``words``' positions each chunk word
    came from, in the same order as the chunk's words.
    """
    lex = tb.lexicon
    negations = tb.negations
    punctuation = tb.punctuation
    emoticons = tb.emoticons
    a: list[list] = []
    m = None  # preceding modifier word
    n = None  # preceding negation word
    n_at = -1  # its position
    for k, w in enumerate(words):
        e = lex.get(w)
        if e is not None:
            p, s, i, is_mod, label = e
            if m is None:
                last = [[w], p, s, i, 1, label, [k]]
                a.append(last)
            else:
                last = a[-1]
                last[0].append(w)
                last[6].append(k)
                last[1] = max(-1.0, min(p * last[3], +1.0))
                last[2] = max(-1.0, min(s * last[3], +1.0))
                last[3] = i
                last[5] = label
            if n is not None:
                last[0].insert(0, n)
                last[6].insert(0, n_at)
                last[3] = 1.0 / last[3]
                last[4] = -1
            m = w if is_mod else None
            n, n_at = (w, k) if w in negations else (None, -1)
        else:
            if w in negations:
                n, n_at = w, k
            elif n and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and m.endswith("ly"):
                a[-1][0].append(n)
                a[-1][6].append(n_at)
                a[-1][4] = -1
                n = None
            elif m and len(w) > 2:
                m = None
            if w.isalpha():
                continue  # "!", "(!)" and emoticons are not alphabetic
            if w == "!" and len(a) > 0:
                a[-1][0].append("!")
                a[-1][6].append(k)
                a[-1][1] = max(-1.0, min(a[-1][1] * 1.25, +1.0))
            if w == "(!)":
                a.append([[w], 0.0, 1.0, 1.0, 1, tb.irony, [k]])
            if len(w) <= 5 and w not in punctuation:
                p = emoticons.get(w)
                if p is not None:
                    a.append([[w], p, 1.0, 1.0, 1, tb.mood, [k]])
    return a


def _means(a: list[list]) -> tuple[float, float]:
    """Sentiment.__call__'s unweighted means, same operations in the same order."""
    sp, ss, k = 0, 0, 0
    for e in a:
        sp += e[1] * -0.5 if e[4] < 0 else e[1]
        ss += e[2]
        k += 1
    d = float(k or 1)
    return sp / d, ss / d


def _assess_means(words: Iterable[str], tb: TextBlobTables) -> tuple[float, float]:
    """``_means(_assess(words))`` without building the assessment list."""
    pol, subj, _k = _assess_stats(words, tb)
    return pol, subj


class _Parts:
    """What :func:`_assess_stats` records of one sentence for the whole text's score: each
    assessment's ``(polarity term, subjectivity)`` as added to the sums, in order; whether the
    sentence ends with no modifier or negation pending (``clean_end``); whether a "!" comes before
    its first assessment (``bang_first``, which in the whole text would raise the assessment before)."""

    __slots__ = ("values", "clean_end", "bang_first")

    def __init__(self):
        self.values: list = []
        self.clean_end = True
        self.bang_first = False


def _bang_reaching_back(parts: Sequence[_Parts], i: int) -> int | None:
    """The sentence from ``i`` on whose "!" raises the assessment made before sentence ``i``
    (one with a "!" before its first assessment, after sentences with neither), or None."""
    while i < len(parts) and not parts[i].values and not parts[i].bang_first:
        i += 1
    return i if i < len(parts) and parts[i].bang_first else None


def _joined_means(parts: Sequence[_Parts], lows: Sequence[str], tb: TextBlobTables) -> tuple[float, float]:
    """``_assess_means`` of the sentences' tokens one after another (``lows``: each sentence's
    lower-cased tokens joined by spaces), from their :class:`_Parts`: the same sums, in the same
    order. Where an assessment could reach from one sentence into a later one (a modifier or
    negation pending at its end, a later "!" before any new assessment), those sentences are
    assessed again together."""
    sp, ss, k = 0, 0, 0
    j = 0
    while j < len(parts):
        end, run = j, parts[j]
        while end + 1 < len(parts):
            if run.clean_end:
                bang = _bang_reaching_back(parts, end + 1)
                if bang is None:
                    break
                end = bang
            else:
                end += 1
            run = _Parts()
            _assess_stats(" ".join(lows[j:end + 1]).split(), tb, run)
        for c, s in run.values:
            sp += c
            ss += s
            k += 1
        j = end + 1
    d = float(k or 1)
    return sp / d, ss / d


def _assess_stats(words: Iterable[str], tb: TextBlobTables, parts: _Parts | None = None) -> tuple[float, float, int]:
    """``(polarity, subjectivity, n)``: :func:`_assess_means` and the number of
    assessments ``n`` (``len(_assess(words))``); ``parts`` (a :class:`_Parts`), when given,
    records what the whole text's score needs of these words.

    Only the last assessment can still change, so it is kept in local
    variables and added to the running sums (in the same order, with the same
    operations) when the next one starts.
    """
    record = parts.values.append if parts is not None else None
    lex = tb.lexicon
    negations = tb.negations
    punctuation = tb.punctuation
    emoticons = tb.emoticons
    sp, ss, k = 0, 0, 0
    have = False  # is there a last assessment?
    lp = ls = li = 0.0  # its polarity, subjectivity, intensity
    lneg = False  # negated?
    m = None  # preceding modifier word
    n = None  # preceding negation word
    for w in words:
        e = lex.get(w)
        if e is not None:
            p, s, i, is_mod, _label = e
            if m is None:
                if have:
                    c = lp * -0.5 if lneg else lp
                    sp += c
                    ss += ls
                    k += 1
                    if record is not None:
                        record((c, ls))
                have = True
                lp, ls, li, lneg = p, s, i, False
            else:
                lp = max(-1.0, min(p * li, +1.0))
                ls = max(-1.0, min(s * li, +1.0))
                li = i
            if n is not None:
                li = 1.0 / li
                lneg = True
            m = w if is_mod else None
            n = w if w in negations else None
        else:
            if m is None and n is None and w.isalpha() and w not in negations:
                continue  # changes nothing (see the general case below)
            if w in negations:
                n = w
            elif n and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and m.endswith("ly"):
                lneg = True
                n = None
            elif m and len(w) > 2:
                m = None
            if w.isalpha():
                continue
            if w == "!":
                if have:
                    lp = max(-1.0, min(lp * 1.25, +1.0))
                elif parts is not None:
                    parts.bang_first = True
            if w == "(!)":
                if have:
                    c = lp * -0.5 if lneg else lp
                    sp += c
                    ss += ls
                    k += 1
                    if record is not None:
                        record((c, ls))
                have = True
                lp, ls, li, lneg = 0.0, 1.0, 1.0, False
            if len(w) <= 5 and w not in punctuation:
                p = emoticons.get(w)
                if p is not None:
                    if have:
                        c = lp * -0.5 if lneg else lp
                        sp += c
                        ss += ls
                        k += 1
                        if record is not None:
                            record((c, ls))
                    have = True
                    lp, ls, li, lneg = p, 1.0, 1.0, False
    if have:
        c = lp * -0.5 if lneg else lp
        sp += c
        ss += ls
        k += 1
        if record is not None:
            record((c, ls))
    if parts is not None:
        parts.clean_end = m is None and n is None
    d = float(k or 1)
    return sp / d, ss / d, k


def textblob_sentiment(text: str) -> tuple[float, float]:
    """``(polarity, subjectivity)`` equal to ``TextBlob(text).sentiment``.

    Polarity in [-1, 1]: the mean polarity of the lexicon words (with their
    modifiers and negations) found in the text; subjectivity in [0, 1]: their
    mean subjectivity. Both are 0.0 when no lexicon word occurs.
    """
    tb = load_textblob()
    return _assess_means(_tokens_joined(text, tb)[0].lower().split(), tb)


def textblob_assessments(text: str) -> list[tuple[list[str], float, float, str | None]]:
    """The evidence behind :func:`textblob_sentiment`, in TextBlob's format.

    Equal to ``TextBlob(text).sentiment_assessments.assessments``: a list of
    ``(words, polarity, subjectivity, label)``, one per scored chunk (a
    lexicon word with any preceding modifier/negation, e.g. ``["not",
    "good"]``), with the chunk's polarity after negation (x -0.5) and
    intensifiers; ``label`` is ``"mood"`` for emoticons, ``"irony"`` for
    "(!)", ``"profanity"`` for a few words, else None.
    """
    tb = load_textblob()
    return [(e[0], e[1] * -0.5 if e[4] < 0 else e[1], e[2], e[5])
            for e in _assess(_tokens_joined(text, tb)[0].lower().split(), tb)]


def _token_offsets(text: str, tokens: Sequence[str]) -> list[tuple[int, int] | None]:
    """Where each (lower-cased) token is in ``text``: (start, end), or None.

    Tokens are found in order; between two consecutive tokens TextBlob's
    tokenizer only drops whitespace, so a left-to-right search finds each at
    its own place. After a token that cannot be found (an emoticon re-joined
    from pieces, a character whose lower case has another length) the rest
    are None.
    """
    low = text.lower()
    out: list[tuple[int, int] | None] = []
    if len(low) != len(text):
        return [None] * len(tokens)
    pos = 0
    for t in tokens:
        j = low.find(t, pos)
        if j < 0 or (j > pos and not low[pos:j].isspace()):
            out.extend([None] * (len(tokens) - len(out)))
            break
        out.append((j, j + len(t)))
        pos = j + len(t)
    return out


def textblob_evidence(text: str) -> list[dict]:
    """The assessments of ``text`` with character offsets, one dict per chunk.

    Keys: ``words`` (the chunk's words joined by spaces, lower-cased as
    TextBlob sees them), ``polarity``, ``subjectivity``, ``label`` (as in
    :func:`textblob_assessments`), ``start``/``end`` (the span of ``text``
    from the chunk's first to its last word; None when it cannot be located).
    """
    tb = load_textblob()
    tokens = _tokens_joined(text, tb)[0].lower().split()
    offsets = _token_offsets(text, tokens)
    out = []
    for e in _assess(tokens, tb):
        spans = [offsets[k] for k in e[6]]
        if spans and all(sp is not None for sp in spans):
            start, end = min(sp[0] for sp in spans), max(sp[1] for sp in spans)
        else:
            start = end = None
        out.append({"words": " ".join(e[0]), "polarity": e[1] * -0.5 if e[4] < 0 else e[1],
                    "subjectivity": e[2], "label": e[5], "start": start, "end": end})
    return out


# --------------------------------------------------------------------------------------
# Bulk scoring, optionally in worker processes
# --------------------------------------------------------------------------------------


def _word_counter(pattern: str | None):
    if pattern is None:
        return None
    return re.compile(pattern).findall


def score_chunk(texts: Sequence[str], vader: bool = True,
                word_pattern: str | None = None) -> list[tuple]:
    """``(polarity, subjectivity, vader_compound, n_words, n_assessments)`` for each text.

    ``vader_compound`` is NaN when ``vader`` is false; ``n_words`` is the
    number of matches of the regular expression ``word_pattern`` (-1 if None);
    ``n_assessments`` the number of TextBlob assessments (scored chunks),
    ``len(textblob_assessments(text))``.
    """
    tb = load_textblob()
    count = _word_counter(word_pattern)
    vaders = vader_batch.compounds(texts) if vader else [math.nan] * len(texts)
    out = []
    for t, v in zip(texts, vaders):
        pol, subj, n_assessed = _assess_stats(_tokens_joined(t, tb)[0].lower().split(), tb)
        out.append((pol, subj, v, len(count(t)) if count is not None else -1, n_assessed))
    return out


def _score_document(text: str, spans: Sequence[tuple[int, int]], vaders: tuple | None, count) -> tuple:
    """Whole-text TextBlob scores of ``text`` and per-sentence scores of its spans; ``vaders``:
    :func:`analysis.methods.vader_batch.document_compounds`' ``(sentence_scores, text_score)``
    for them (None: no VADER).

    When the spans tile the text's non-whitespace (consecutive, separated by
    whitespace, nothing outside them but whitespace), TextBlob's tokens for
    the whole text are the sentences' tokens one after another (every
    tokenizer step acts within a whitespace-separated chunk, and its
    end-of-sentence markers are dropped), unless an emoticon or "(!)" could
    be re-joined across a sentence boundary; then no second tokenization is
    needed, and the whole-text score is the sentences' assessments added up
    again (:func:`_joined_means`; sentences whose assessments could reach into
    the next are assessed again together). Otherwise the whole text is
    tokenized on its own.
    """
    tb = load_textblob()
    pairs = tb.pairs
    rows = []
    lows = []
    parts: list[_Parts] = []  # of the sentences with tokens, while the spans tile the text
    tiled = True
    prev_end = 0
    prev_last = ""
    sentence_vaders = vaders[0] if vaders is not None else [math.nan] * len(spans)
    for k, (s, e) in enumerate(spans):
        if s < prev_end or (k > 0 and s == prev_end):
            tiled = False
        elif s > prev_end and not text[prev_end:s].isspace():
            tiled = False
        st = text[s:e]
        joined, slow = _tokens_joined(st, tb)
        low = joined.lower()
        got = _Parts() if tiled else None
        pol, subj, n_assessed = _assess_stats(low.split(), tb, got)
        if got is not None and joined:
            parts.append(got)
        rows.append((pol, subj, sentence_vaders[k], len(count(st)) if count is not None else -1, n_assessed))
        if slow:
            tiled = False
        if tiled and joined:
            if prev_last and (prev_last[-1] + " " + joined[0]) in pairs:
                # Could an emoticon be re-joined across this boundary? (An
                # emoticon with its spaces is at most 9 characters long.)
                if tb.re_needs_subs.search(prev_last[-9:] + " " + joined[:10]) is not None:
                    tiled = False
            prev_last = joined
            lows.append(low)
        prev_end = max(prev_end, e)
    if prev_end < len(text) and not text[prev_end:].isspace():
        tiled = False
    if tiled:  # the sentences' assessments, added up again
        doc = _joined_means(parts, lows, tb)
    else:
        doc = _assess_means(_tokens_joined(text, tb)[0].lower().split(), tb)
    return doc[0], doc[1], rows, vaders[1] if vaders is not None else math.nan


def score_document_chunk(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], vader: bool = True,
                         word_pattern: str | None = None) -> list[tuple]:
    """For each ``(text, sentence_spans)``: ``(polarity, subjectivity, rows, vader)``.

    ``polarity``/``subjectivity`` are TextBlob's scores of the whole text, ``vader`` VADER's
    compound of the whole text (NaN when ``vader`` is false);
    ``rows`` has ``(polarity, subjectivity, vader_compound, n_words, n_assessments)``
    per span: the first four as :func:`score_chunk` gives them, ``n_assessments``
    the number of TextBlob assessments (scored chunks) in the span, i.e.
    ``len(textblob_assessments(span))``.
    """
    load_textblob()
    count = _word_counter(word_pattern)
    vaders = vader_batch.document_compounds(items) if vader else [None] * len(items)
    return [_score_document(text, spans, v, count) for (text, spans), v in zip(items, vaders)]
