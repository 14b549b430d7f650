"""TextBlob's sentiment tables, read once per process for :mod:`analysis.methods.lexicons`.

The lexicon (``textblob/en/en-sentiment.xml``), negations, modifiers, emoticons and the
tokenizer's constants are TextBlob's own: its ``_text.py`` is loaded stand-alone (importing the
``textblob`` package would import NLTK, which costs seconds), and the lexicon is read with
TextBlob's own loader, so the tables are the library's exactly (the tests compare them).
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading

__all__ = ["TextBlobTables", "load_textblob"]


_TB_LOCK = threading.Lock()
_TB = None  # the loaded tables, see load_textblob()


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


class TextBlobTables:
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


def load_textblob() -> TextBlobTables:
    """Read TextBlob's tables (once per process; later calls return them at once)."""
    global _TB
    if _TB is None:
        with _TB_LOCK:
            if _TB is None:
                _TB = TextBlobTables()
    return _TB
