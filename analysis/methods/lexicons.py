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

Nothing here imports pandas, numpy, TextBlob or NLTK: importing TextBlob
pulls in NLTK, which costs seconds. The lexicon tables are read from the
installed packages' own data files (``textblob/en/en-sentiment.xml`` via
TextBlob's own ``_text.py`` loaded stand-alone, and VADER's
``vader_lexicon.txt``), so they are the libraries' tables exactly; the
test-suite compares them with the libraries' loaded objects.

Large inputs can be spread over several processes (:func:`score_texts`,
:func:`score_documents`): workers are plain ``python -c`` subprocesses that
import only this module and exchange pickles over pipes, so they work the
same from a script, a notebook or a Streamlit server.
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import os
import re
import string
import threading
from itertools import compress
from typing import Iterable, Sequence

__all__ = [
    "textblob_sentiment",
    "textblob_assessments",
    "textblob_evidence",
    "textblob_tokens",
    "vader_compound",
    "score_chunk",
    "score_document_chunk",
    "score_texts",
    "score_documents",
]

# --------------------------------------------------------------------------------------
# TextBlob tables
# --------------------------------------------------------------------------------------

_TB_LOCK = threading.Lock()
_TB = None  # the loaded tables, see _textblob_tables()


def _package_dir(name: str) -> str:
    """Directory of an installed package, found without importing (running) it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"package {name!r} is not installed")
    return list(spec.submodule_search_locations)[0]


def _load_textblob_text_module():
    """TextBlob's ``_text.py`` module, loaded without running ``textblob/__init__``.

    ``textblob/_text.py`` depends on the standard library only, while importing
    the ``textblob`` package imports NLTK (seconds). Loading the file under a
    private name gives us TextBlob's own constants (punctuation, abbreviations,
    emoticons, regular expressions) and its own lexicon loader.
    """
    path = os.path.join(_package_dir("textblob"), "_text.py")
    spec = importlib.util.spec_from_file_location("analysis._textblob_text", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _TextBlobTables:
    """Everything the TextBlob re-implementation needs, built once per process."""

    def __init__(self):
        T = _load_textblob_text_module()
        self.T = T
        xml_path = os.path.join(_package_dir("textblob"), "en", "en-sentiment.xml")
        # The same object textblob.en builds (textblob/en/__init__.py), with the
        # same load() including the English subclass's adverb extension.
        sent = T.Sentiment(
            path=xml_path,
            synset="wordnet_id",
            negations=("no", "not", "n't", "never"),
            modifiers=("RB",),
            modifier=lambda w: w.endswith("ly"),
        )
        T.Sentiment.load(sent)
        # textblob.en.Sentiment.load: map "terrible" to adverb "terribly".
        for w, pos in list(dict.items(sent)):
            if "JJ" in pos:
                if w.endswith("y"):
                    w = w[:-1] + "i"
                if w.endswith("le"):
                    w = w[:-2]
                p, s, i = pos["JJ"]
                sent.annotate(w + "ly", "RB", p, s, i)
        self.sentiment = sent
        labeler = sent.labeler
        # word -> (polarity, subjectivity, intensity, is_modifier, label), the
        # values TextBlob reads as self[w][None] with pos None.
        self.lexicon = {
            w: (float(v[None][0]), float(v[None][1]), float(v[None][2]), "RB" in v, labeler.get(w))
            for w, v in dict.items(sent)
            if None in v
        }
        self.negations = frozenset(sent.negations)
        self.punctuation = T.PUNCTUATION
        self.punct_lead = tuple(T.PUNCTUATION.replace(".", ""))
        self.punct_trail = self.punct_lead + (".",)
        self.replace = dict(T.replacements)
        self.abbreviations = T.ABBREVIATIONS
        self.re_abbr = (T.RE_ABBR1, T.RE_ABBR2, T.RE_ABBR3)
        self.eos = T.EOS
        self.mood = T.MOOD
        self.irony = T.IRONY
        self.re_sarcasm = T.RE_SARCASM
        self.re_emoticons = T.RE_EMOTICONS
        # lower-cased emoticon -> polarity; the first group in EMOTICONS'
        # iteration order wins, as in Sentiment.assessments().
        emo = {}
        for (_type, p), faces in T.EMOTICONS.items():
            for e in faces:
                emo.setdefault(e.lower(), p)
        self.emoticons = emo
        # The emoticon and sarcasm substitutions can only change a string when
        # a match contains a space, i.e. when the string holds "a b" for two
        # consecutive characters a, b of an emoticon (or "( !", "! )").
        pairs = set()
        for faces in T.EMOTICONS.values():
            for e in faces:
                for k in range(1, len(e)):
                    pairs.add(e[k - 1] + " " + e[k])
        pairs.update(("( !", "! )"))
        self.pairs = frozenset(pairs)
        firsts = "".join(sorted({p[0] for p in pairs}))
        seconds = "".join(sorted({p[2] for p in pairs}))
        # Stage 1: a cheap scan for candidate "a b" pairs (zero-width lookahead,
        # so overlapping candidates are all seen); kept only if in `pairs`.
        self.re_pair_candidate = re.compile("[%s](?= [%s])" % (re.escape(firsts), re.escape(seconds)))
        # Stage 2: an emoticon written with at least one space and followed by
        # whitespace or the end (as RE_EMOTICONS requires), or "(!)" with a space.
        alts = set()
        for faces in T.EMOTICONS.values():
            for e in faces:
                for k in range(len(e) - 1):
                    pat = re.escape(e[0])
                    for j in range(1, len(e)):
                        pat += (" " if j - 1 == k else " ?") + re.escape(e[j])
                    alts.add(pat)
        self.re_needs_subs = re.compile(
            r"(?:%s)(?=$|\s)|\( ! ?\)|\(! \)" % "|".join(sorted(alts, key=lambda a: (-len(a), a))))
        self.sentence_end = frozenset(("...", ".", "!", "?", T.EOS))
        self.sentence_run = frozenset(("'", '"', "\u201d", "\u2019", "...", ".", "!", "?", ")", T.EOS))
        self.re_linebreak = re.compile(r"\n{2,}")
        self.single_trail = frozenset(self.punct_lead)


def _textblob_tables() -> _TextBlobTables:
    global _TB
    if _TB is None:
        with _TB_LOCK:
            if _TB is None:
                _TB = _TextBlobTables()
    return _TB


# --------------------------------------------------------------------------------------
# TextBlob: tokenizer
# --------------------------------------------------------------------------------------

# find_tokens' replacements and quote splitting, in TextBlob's order. Every
# pattern is a literal, so re.sub(a, b, s) == s.replace(a, b).
_CONTRACTIONS = (("'d", " 'd"), ("'m", " 'm"), ("'s", " 's"), ("'ll", " 'll"),
                 ("'re", " 're"), ("'ve", " 've"), ("n't", " n't"))
_QUOTES = ("\u201c", "\u201d", "\u2018", "\u2019", "'", '"')


def _needs_subs(s: str, tb: _TextBlobTables) -> bool:
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


def _split_punctuation(raw: list[str], tb: _TextBlobTables) -> list[str]:
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


def _sentences_and_subs(tokens: list[str], tb: _TextBlobTables) -> list[str]:
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


def _tokens_joined(text: str, tb: _TextBlobTables) -> tuple[str, bool]:
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
    return _tokens_joined(text, _textblob_tables())[0].lower().split()


# --------------------------------------------------------------------------------------
# TextBlob: assessments and scores
# --------------------------------------------------------------------------------------


def _assess(words: Sequence[str], tb: _TextBlobTables) -> list[list]:
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


def _assess_means(words: Iterable[str], tb: _TextBlobTables) -> tuple[float, float]:
    """``_means(_assess(words))`` without building the assessment list.

    Only the last assessment can still change, so it is kept in local
    variables and added to the running sums (in the same order, with the same
    operations) when the next one starts.
    """
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
                    sp += lp * -0.5 if lneg else lp
                    ss += ls
                    k += 1
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
            if w == "!" and have:
                lp = max(-1.0, min(lp * 1.25, +1.0))
            if w == "(!)":
                if have:
                    sp += lp * -0.5 if lneg else lp
                    ss += ls
                    k += 1
                have = True
                lp, ls, li, lneg = 0.0, 1.0, 1.0, False
            if len(w) <= 5 and w not in punctuation:
                p = emoticons.get(w)
                if p is not None:
                    if have:
                        sp += lp * -0.5 if lneg else lp
                        ss += ls
                        k += 1
                    have = True
                    lp, ls, li, lneg = p, 1.0, 1.0, False
    if have:
        sp += lp * -0.5 if lneg else lp
        ss += ls
        k += 1
    d = float(k or 1)
    return sp / d, ss / d


def textblob_sentiment(text: str) -> tuple[float, float]:
    """``(polarity, subjectivity)`` equal to ``TextBlob(text).sentiment``.

    Polarity in [-1, 1]: the mean polarity of the lexicon words (with their
    modifiers and negations) found in the text; subjectivity in [0, 1]: their
    mean subjectivity. Both are 0.0 when no lexicon word occurs.
    """
    tb = _TB or _textblob_tables()
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
    tb = _TB or _textblob_tables()
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
    tb = _TB or _textblob_tables()
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
# VADER
# --------------------------------------------------------------------------------------

_VD_LOCK = threading.Lock()
_VD = None


class _VaderTables:
    def __init__(self):
        import vaderSentiment.vaderSentiment as V  # stdlib-only module, cheap to import

        self.V = V
        analyzer = V.SentimentIntensityAnalyzer()
        self.analyzer = analyzer
        self.lexicon = analyzer.lexicon
        self.emojis = {k: v for k, v in analyzer.emojis.items() if len(k) == 1}
        self.booster = V.BOOSTER_DICT
        self.special = V.SPECIAL_CASES
        self.negate = frozenset(V.NEGATE)
        self.n_scalar = V.N_SCALAR
        self.c_incr = V.C_INCR
        self.punctuation = string.punctuation
        # The emoji pass can only change text holding a non-ASCII character.
        self.emoji_ascii = any(k.isascii() for k in self.emojis)
        # First words of the multi-word idioms and booster n-grams.
        self.least_in_lex = "least" in self.lexicon
        self.idiom_first = frozenset(
            k.split(" ")[0] for k in list(self.special) + list(self.booster) if " " in k)


def _vader_tables() -> _VaderTables:
    global _VD
    if _VD is None:
        with _VD_LOCK:
            if _VD is None:
                _VD = _VaderTables()
    return _VD


def _vader_demoji(text: str, emojis: dict) -> str:
    out = []
    prev_space = True
    for ch in text:
        if ch in emojis:
            if not prev_space:
                out.append(" ")
            out.append(emojis[ch])
            prev_space = False
        else:
            out.append(ch)
            prev_space = ch == " "
    return "".join(out)


_ASCII_PUNCTUATION = string.punctuation


def _vader_strip_punc(token: str) -> str:
    """SentiText._strip_punc_if_word (an alphanumeric token is returned as is)."""
    stripped = token.strip(_ASCII_PUNCTUATION)
    if len(stripped) <= 2:
        return token
    return stripped


def _vader_negated(word: str, negate: frozenset) -> bool:
    return word in negate or "n't" in word


def vader_compound(text: str) -> float:
    """VADER's compound score, equal to ``polarity_scores(text)["compound"]``.

    In [-1, 1] (rounded to 4 decimals, as VADER does): the sum of the
    rule-adjusted valences of the lexicon words, normalised by
    x / sqrt(x^2 + 15). 0.0 when no lexicon word occurs. Conventionally
    >= 0.05 is read as positive and <= -0.05 as negative.
    """
    vd = _VD or _vader_tables()
    if vd.emoji_ascii or not text.isascii():
        text = _vader_demoji(text, vd.emojis)
    text = text.strip()
    # SentiText._strip_punc_if_word on each whitespace-separated token.
    words = [t if t.isalnum() else _vader_strip_punc(t) for t in text.split()]
    nw = len(words)
    if nw == 0:
        return 0.0
    low = list(map(str.lower, words))
    n_caps = sum(map(str.isupper, words))
    is_cap_diff = 0 < nw - n_caps < nw
    lex = vd.lexicon
    booster = vd.booster
    negate = vd.negate
    N_SCALAR = vd.n_scalar
    C_INCR = vd.c_incr
    idiom_first = vd.idiom_first
    least_in_lex = vd.least_in_lex
    # Words that are not in the lexicon, and booster words, score 0 (int);
    # each lexicon word's valence depends only on its neighbours.
    sentiments: list = [0] * nw
    last = nw - 1
    for i in list(compress(range(nw), map(lex.__contains__, low))):
        lw = low[i]
        if lw in booster:
            continue
        if i < last and lw == "kind" and low[i + 1] == "of":
            continue
        # The (up to) three preceding words; None where there are none.
        w1 = low[i - 1] if i > 0 else None
        w2 = low[i - 2] if i > 1 else None
        w3 = low[i - 3] if i > 2 else None
        valence = lex[lw]
        if lw == "no" and i != last and low[i + 1] in lex:
            valence = 0.0
        if w1 == "no" or w2 == "no" or (w3 == "no" and (w1 == "or" or w1 == "nor")):
            valence = lex[lw] * N_SCALAR
        if is_cap_diff and words[i].isupper():
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        # start_i = 0: the word before (scalar_inc_dec, then _negation_check)
        if w1 is not None and w1 not in lex:
            sc = 0.0
            if w1 in booster:
                sc = booster[w1]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 1].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            valence = valence + sc
            if w1 in negate or "n't" in w1:
                valence = valence * N_SCALAR
        # start_i = 1: two words before
        if w2 is not None and w2 not in lex:
            sc = 0.0
            if w2 in booster:
                sc = booster[w2]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 2].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            if sc != 0:
                sc = sc * 0.95
            valence = valence + sc
            if w2 == "never" and (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w2 == "without" and w1 == "doubt":
                pass
            elif w2 in negate or "n't" in w2:
                valence = valence * N_SCALAR
        # start_i = 2: three words before, then _special_idioms_check
        if w3 is not None and w3 not in lex:
            sc = 0.0
            if w3 in booster:
                sc = booster[w3]
                if valence < 0:
                    sc *= -1
                if is_cap_diff and words[i - 3].isupper():
                    if valence > 0:
                        sc += C_INCR
                    else:
                        sc -= C_INCR
            if sc != 0:
                sc = sc * 0.9
            valence = valence + sc
            if (w3 == "never" and (w2 == "so" or w2 == "this")) or (w1 == "so" or w1 == "this"):
                valence = valence * 1.25
            elif w3 == "without" and (w2 == "doubt" or w1 == "doubt"):
                pass
            elif w3 in negate or "n't" in w3:
                valence = valence * N_SCALAR
            if (w1 in idiom_first or w2 in idiom_first or w3 in idiom_first
                    or (i < last and lw in idiom_first)):
                valence = _vader_idioms(valence, low, i, vd)
        # _least_check
        if w1 == "least" and not least_in_lex:
            if i > 1:
                if w2 != "at" and w2 != "very":
                    valence = valence * N_SCALAR
            else:
                valence = valence * N_SCALAR
        sentiments[i] = valence
    # _but_check with VADER's exact result (including its use of list.index on values), in
    # n log n rather than n^2 steps: VADER visits each position k in turn and rescales the FIRST
    # position si that holds the value now at k (x0.5 before the first "but", x1.5 after it).
    # Position k is never rescaled before its visit (si <= k), and zeros change no sum, so a
    # heap of positions per non-zero value gives the same list.
    if "but" in low:
        bi = low.index("but")
        holders: dict = {}
        for k, v in enumerate(sentiments):
            if v:
                holders.setdefault(v, []).append(k)  # ascending: already a heap
        for k in range(nw):
            v = sentiments[k]
            if not v:
                continue
            heap = holders[v]
            si = heap[0]
            if si == bi:
                continue
            nv = v * 0.5 if si < bi else v * 1.5
            heapq.heappop(heap)
            if not heap:
                del holders[v]
            sentiments[si] = nv
            if nv:
                heapq.heappush(holders.setdefault(nv, []), si)
    # score_valence (compound only)
    sum_s = float(sum(sentiments))
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        if qm_count <= 3:
            qm_amplifier = qm_count * 0.18
        else:
            qm_amplifier = 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    norm_score = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if norm_score < -1.0:
        norm_score = -1.0
    elif norm_score > 1.0:
        norm_score = 1.0
    return round(norm_score, 4)


def _vader_idioms(valence, low, i, vd):
    """_special_idioms_check (called only with i > 2)."""
    first = vd.idiom_first
    if not (low[i - 1] in first or low[i - 2] in first or low[i - 3] in first
            or (len(low) - 1 > i and low[i] in first)):
        # The n-grams below start at i-1, i-2, i-3 or (when they exist) i: if
        # none of those words starts a multi-word key, none can be a key.
        return valence
    special = vd.special
    onezero = "{0} {1}".format(low[i - 1], low[i])
    twoonezero = "{0} {1} {2}".format(low[i - 2], low[i - 1], low[i])
    twoone = "{0} {1}".format(low[i - 2], low[i - 1])
    threetwoone = "{0} {1} {2}".format(low[i - 3], low[i - 2], low[i - 1])
    threetwo = "{0} {1}".format(low[i - 3], low[i - 2])
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(low) - 1 > i:
        zeroone = "{0} {1}".format(low[i], low[i + 1])
        if zeroone in special:
            valence = special[zeroone]
    if len(low) - 1 > i + 1:
        zeroonetwo = "{0} {1} {2}".format(low[i], low[i + 1], low[i + 2])
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    booster = vd.booster
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in booster:
            valence = valence + booster[n_gram]
    return valence


# --------------------------------------------------------------------------------------
# Bulk scoring, optionally in worker processes
# --------------------------------------------------------------------------------------


def _word_counter(pattern: str | None):
    if pattern is None:
        return None
    return re.compile(pattern).findall


def score_chunk(texts: Sequence[str], vader: bool = True,
                word_pattern: str | None = None) -> list[tuple]:
    """``(polarity, subjectivity, vader_compound, n_words)`` for each text.

    ``vader_compound`` is NaN when ``vader`` is false; ``n_words`` is the
    number of matches of the regular expression ``word_pattern`` (-1 if None).
    """
    tb = _textblob_tables()
    if vader:
        _vader_tables()
    count = _word_counter(word_pattern)
    out = []
    for t in texts:
        pol, subj = _assess_means(_tokens_joined(t, tb)[0].lower().split(), tb)
        out.append((pol, subj, vader_compound(t) if vader else math.nan,
                    len(count(t)) if count is not None else -1))
    return out


def _score_document(text: str, spans: Sequence[tuple[int, int]], vader: bool, count) -> tuple:
    """Whole-text TextBlob scores of ``text`` and per-sentence scores of its spans.

    When the spans tile the text's non-whitespace (consecutive, separated by
    whitespace, nothing outside them but whitespace), TextBlob's tokens for
    the whole text are the sentences' tokens one after another (every
    tokenizer step acts within a whitespace-separated chunk, and its
    end-of-sentence markers are dropped), unless an emoticon or "(!)" could
    be re-joined across a sentence boundary; then the whole-text score is the
    assessment of the concatenated tokens and no second tokenization is
    needed. Otherwise the whole text is tokenized on its own.
    """
    tb = _TB or _textblob_tables()
    pairs = tb.pairs
    rows = []
    lows = []
    tiled = True
    prev_end = 0
    prev_last = ""
    for k, (s, e) in enumerate(spans):
        if s < prev_end or (k > 0 and s == prev_end):
            tiled = False
        elif s > prev_end and not text[prev_end:s].isspace():
            tiled = False
        st = text[s:e]
        joined, slow = _tokens_joined(st, tb)
        low = joined.lower()
        pol, subj = _assess_means(low.split(), tb)
        rows.append((pol, subj, vader_compound(st) if vader else math.nan,
                     len(count(st)) if count is not None else -1))
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
    if tiled:
        doc = _assess_means(" ".join(lows).split(), tb)
    else:
        doc = _assess_means(_tokens_joined(text, tb)[0].lower().split(), tb)
    return doc[0], doc[1], rows


def score_document_chunk(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], vader: bool = True,
                         word_pattern: str | None = None) -> list[tuple]:
    """For each ``(text, sentence_spans)``: ``(polarity, subjectivity, rows)``.

    ``polarity``/``subjectivity`` are TextBlob's scores of the whole text;
    ``rows`` has ``(polarity, subjectivity, vader_compound, n_words)`` per
    span, as :func:`score_chunk` gives them.
    """
    _textblob_tables()
    if vader:
        _vader_tables()
    count = _word_counter(word_pattern)
    return [_score_document(text, spans, vader, count) for text, spans in items]


PARALLEL_MIN_CHARS = 2_000_000
"""Below this many characters of text the automatic choice stays in-process:
starting a worker process costs a fraction of a second."""

_CHUNK_FUNCS = {"score_chunk": score_chunk, "score_document_chunk": score_document_chunk}


def available_cpus() -> int:
    """CPUs this process may really use: the affinity mask, capped by a cgroup
    CPU quota when there is one (containers often report the host's count)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    for quota_file, period_file in (("/sys/fs/cgroup/cpu.max", None),
                                    ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us",
                                     "/sys/fs/cgroup/cpu/cpu.cfs_period_us")):
        try:
            with open(quota_file) as f:
                fields = f.read().split()
            if period_file is None:
                quota, period = fields[0], fields[1]
            else:
                with open(period_file) as f:
                    quota, period = fields[0], f.read().split()[0]
            if quota not in ("max", "-1") and int(period) > 0:
                n = min(n, max(1, int(int(quota) / int(period))))
            break
        except (OSError, ValueError, IndexError):
            continue
    return max(1, n)


def _n_workers(n_jobs: int | None, total_chars: int) -> int:
    cpus = available_cpus()
    if n_jobs is None:
        n_jobs = cpus if total_chars >= PARALLEL_MIN_CHARS else 1
    return max(1, min(int(n_jobs), cpus))


WORKER_START_CHARS = 600_000
"""The first chunk (done in this process, with no process to start) is made
larger by about this many characters, roughly a worker's start-up time."""


def _chunks(items: list, sizes: list[int], n: int, head_start: int = 0) -> list[list]:
    """``items`` cut into at most ``n`` consecutive chunks of roughly equal total
    size, the first ``head_start`` larger than the others."""
    total = sum(sizes)
    if n <= 1:
        return [list(items)] if items else []
    first = min(total, (total + head_start * (n - 1)) / n)
    bounds = [first + j * (total - first) / (n - 1) for j in range(n - 1)]
    chunks, cur, done = [], [], 0
    for item, k in zip(items, sizes):
        cur.append(item)
        done += k
        if len(chunks) < n - 1 and done >= bounds[len(chunks)]:
            chunks.append(cur)
            cur = []
    if cur:
        chunks.append(cur)
    return chunks


def _worker_main() -> None:
    """Entry point of a worker process: pickled (function name, chunk, args) on
    stdin, the pickled result on stdout."""
    import pickle
    import sys

    name, chunk, args = pickle.load(sys.stdin.buffer)
    out = _CHUNK_FUNCS[name](chunk, *args)
    pickle.dump(out, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def _run_parallel(name: str, chunks: list[list], *args) -> tuple[list, int]:
    """``[func(chunk, *args) for chunk in chunks]``, all but the first chunk in
    worker processes running at the same time as this one.

    Workers are plain ``python -c`` subprocesses that import only this module
    (not the calling program's ``__main__``, which matters inside Streamlit,
    whose script is a fake ``__main__``) and exchange pickles over pipes. A
    chunk whose worker fails for any reason is computed here instead. Returns
    the results and how many chunks the workers computed.
    """
    import pickle
    import subprocess
    import sys

    func = _CHUNK_FUNCS[name]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    code = "from analysis.methods.lexicons import _worker_main; _worker_main()"
    results: list = [None] * len(chunks)
    raw: list = [None] * len(chunks)
    procs: dict[int, subprocess.Popen] = {}
    threads = []

    def talk(i: int, proc: subprocess.Popen, payload: bytes) -> None:
        try:
            out, _err = proc.communicate(payload)
            if proc.returncode == 0:
                raw[i] = out
        except Exception:  # noqa: BLE001 - the chunk is then computed here
            pass

    for i, chunk in enumerate(chunks[1:], start=1):
        try:
            proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root)
        except Exception:  # noqa: BLE001 - no processes (sandbox, frozen app, ...)
            continue
        procs[i] = proc
        payload = pickle.dumps((name, chunk, args), protocol=pickle.HIGHEST_PROTOCOL)
        t = threading.Thread(target=talk, args=(i, proc, payload), daemon=True)
        t.start()
        threads.append(t)
    try:
        if chunks:
            results[0] = func(chunks[0], *args)
    finally:
        for t in threads:
            t.join()
    done = 0
    for i in range(1, len(chunks)):
        if raw[i] is not None:
            try:
                results[i] = pickle.loads(raw[i])
                done += 1
                continue
            except Exception:  # noqa: BLE001
                pass
        results[i] = func(chunks[i], *args)
    return results, done


def score_texts(texts: Sequence[str], vader: bool = True, n_jobs: int | None = None,
                word_pattern: str | None = None) -> list[tuple]:
    """:func:`score_chunk` over many texts, in worker processes when that pays.

    Repeated texts are scored once. ``n_jobs``: None = automatic (all cores,
    but only when the distinct texts total at least
    :data:`PARALLEL_MIN_CHARS` characters), 1 = in this process, k = up to k
    processes (this one included). Results are in input order and identical
    however computed.
    """
    texts = list(texts)
    index: dict[str, int] = {}
    uniq: list[str] = []
    for t in texts:
        if t not in index:
            index[t] = len(uniq)
            uniq.append(t)
    sizes = [len(t) + 20 for t in uniq]
    n_workers = _n_workers(n_jobs, sum(sizes))
    if n_workers > 1 and len(uniq) > 1:
        parts, _ = _run_parallel("score_chunk", _chunks(uniq, sizes, n_workers, WORKER_START_CHARS),
                                 vader, word_pattern)
        out = [r for part in parts for r in part]
    else:
        out = score_chunk(uniq, vader, word_pattern)
    return [out[index[t]] for t in texts]


def score_documents(items: Sequence[tuple[str, Sequence[tuple[int, int]]]], vader: bool = True,
                    n_jobs: int | None = None, word_pattern: str | None = None) -> list[tuple]:
    """:func:`score_document_chunk` over many documents, in worker processes when that pays.

    ``n_jobs`` as in :func:`score_texts` (counting the documents' characters).
    """
    items = list(items)
    sizes = [len(t) + 20 * len(sp) + 20 for t, sp in items]
    n_workers = _n_workers(n_jobs, sum(sizes))
    if n_workers > 1 and len(items) > 1:
        parts, _ = _run_parallel("score_document_chunk", _chunks(items, sizes, n_workers, WORKER_START_CHARS),
                                 vader, word_pattern)
        return [r for part in parts for r in part]
    return score_document_chunk(items, vader, word_pattern)
