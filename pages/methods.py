"""Methods: how every number in the app is computed, its limits, and how well it was validated.

The prose is ours (not the user's), so it is Markdown. Settings quoted in it
(word counts, thresholds, default parameters) are read from the engines, and
the validation figures from the files the engines store; nothing is typed in
twice.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import plain
from analysis.corpus import clean
from analysis.methods import reuse, terms
from analysis.methods import topics as tp
from ui.tone_evaluation import show_evaluation
from ui import frame

frame.enter()

TOPIC_VALIDATION_JSON = Path(tp.__file__).with_name("topics_validation.json")


def topic_validation() -> dict | None:
    """The stored topic validation (BBC News NMI), if the topics engine saved one."""
    try:
        if hasattr(tp, "stored_validation"):
            return tp.stored_validation()
        return json.loads(TOPIC_VALIDATION_JSON.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001
        return None


def bootstrap_resamples() -> int | None:
    """The default number of bootstrap resamples of the sentiment group intervals."""
    try:
        from analysis.methods import sentiment
        return int(inspect.signature(sentiment.group_scores).parameters["n_boot"].default)
    except Exception:  # noqa: BLE001
        return None


model = tp.TopicModel()
N_BOOT = f"{bootstrap_resamples():,}" if bootstrap_resamples() else "many"
st.title("Methods")
st.caption("How each number in this app is computed, what it can and cannot tell you, and how well the "
           "measures agree with human judgement. Every page follows the sidebar filters; the topics are the one "
           "exception (found on the whole corpus so they stay put, then shown for the filtered documents).")

tabs = st.tabs(["Cleaning", "Sentences & words", "Sentiment", "Terms & phrases", "Distinctive terms",
                "Topics", "Text reuse", "The plain readings"])

with tabs[0]:
    st.markdown(
        "Texts copied from the web carry debris. Before any analysis each text is **repaired** (character-level "
        "fixes that change no word: garbled characters, straight quotes for curly ones, an em dash for a spaced "
        "dash between words) and **boilerplate lines are removed**. The removal rules only ever judge a "
        "whole line or a short block of lines, never words inside a paragraph, and never remove a document's "
        "last line with words.\n\n"
        "- Every removal and every repair is listed, with the rule, its position and (for a repair) what the "
        "characters became, on the **Corpus** page (tab *Cleaning*) and by `python -m analysis cleaning PATH "
        "--repairs`.\n"
        "- Cleaning can be **switched off** there: every page then analyses the texts exactly as loaded.")
    st.markdown("**Lines removed as boilerplate**")
    st.dataframe(pd.DataFrame({"rule": list(clean.RULES), "what it removes": list(clean.RULES.values())}),
                 hide_index=True, width="stretch")
    st.markdown("**Repairs** (no word is removed)")
    repairs = clean.NORMALISATIONS
    st.dataframe(pd.DataFrame({"repair": list(repairs), "what it does": list(repairs.values())}),
                 hide_index=True, width="stretch")

with tabs[1]:
    st.markdown(
        "- **Paragraphs** are separated by a blank line.\n"
        "- **Sentences** end at `.`, `!`, `?` or `…` followed by a capital letter, a digit or an opening quote. A "
        "full stop after an abbreviation (Mrs, Dr., e.g., U.K., No. 10) ends a sentence only when a typical "
        "sentence opener follows. Headings and list items are sentences of their own. The rules are written "
        "here, no language model is downloaded, so unusual punctuation can split or join sentences wrongly.\n"
        "- **Words** are runs of letters or digits; inner apostrophes and hyphens are kept (\"don't\", "
        "\"left-behind\" are one word). Curly and straight apostrophes count as the same. \"£350\" counts as "
        "the word \"350\". Word counts everywhere (rates, lengths, weights) use this one definition.")

with tabs[2]:
    st.markdown(
        "Two **lexicon** methods, where each word found in a list of words with known tone contributes its "
        "score, and a **trained classifier**. None of them understands the text.\n\n"
        "- **TextBlob** (its default *PatternAnalyzer*) gives **polarity** from −1 (negative) to +1 (positive) "
        "and **subjectivity** from 0 (factual) to 1 (opinion): the plain mean over the sentiment words found, "
        "with \"not\" reversing and halving a word and intensifiers (\"very\") strengthening it. A sentence "
        "without any such word scores 0.\n"
        "- **VADER** gives a **compound** score from −1 to +1: word scores adjusted by rules (negation, "
        "capitals, \"!\", \"but\"), summed and squashed. By convention ≥ 0.05 reads as positive, ≤ −0.05 "
        "as negative.\n\n"
        "- The **classifier** gives the probability that a reader would call a sentence positive rather "
        "than negative, shown as 2 × P − 1 from −1 to +1 (0 = even odds, +0.5 = 75% positive). It is a "
        "logistic regression over the sentence's words, its two-word phrases (\"not good\") and its TextBlob "
        "and VADER scores, fitted on about 19,000 sentences that 20 people each rated (Hutto & Gilbert 2014: "
        "New York Times editorials, tweets, movie and product reviews). Its **evidence** is the list of "
        "those terms with their push on the log-odds; they add up exactly to the score. A word's push is "
        "what it adds *beyond* the word lists (\"war\" is pushed up because VADER already scores it very "
        "negative). Its weights ship with the app; the script that rebuilds them and their licence are in "
        "`analysis/methods/tone_classifier_data/`.\n\n"
        "**Limits.** Sarcasm, irony and quotation are scored at face value (\"a great day for Britain\" said "
        "bitterly is positive). Words mean different things in politics: in **\"left behind\"** the word "
        "*behind* is scored as negative although the phrase names a group of people; *vote*, *leave* or "
        "*remain* carry no tone at all. That is why the Sentiment page offers to **leave out the words of "
        "your tracked phrases**: their characters are blanked before scoring. Tone is not stance: a text can "
        "support a side in negative words.\n\n"
        "**Sentences and documents.** Scores are computed per sentence. A **paragraph** is the word-weighted "
        "mean of its sentences. A **document** has the **word-weighted mean of its sentences** for every method "
        "(longer sentences count more), and a score of its **whole text at once** for TextBlob (the mean over "
        "all its sentiment words) and VADER (shown in tables and the command line; its compound saturates "
        "near ±1 on long texts, but on short ones it is often the better score).\n\n"
        f"**Groups** (authors, parties, years) are the plain mean of their documents, each document counting "
        f"once, with a **95% interval** from a bootstrap: the documents are resampled {N_BOOT} times with "
        f"replacement and the middle 95% of the resampled means is shown. A "
        f"group with a single document is resampled over its sentences instead. A wide interval means few or "
        f"disagreeing texts.")
    st.subheader("How well do the scores agree with people?")
    show_evaluation()

with tabs[3]:
    stop = len(terms.DEFAULT_STOPWORDS)
    st.markdown(
        "- **Count**: how often a word or phrase occurs. **Rate per 10,000 words**: count ÷ the text's words × "
        "10,000, so long and short texts compare fairly. For a group, counts and words are pooled first.\n"
        "- **Document frequency**: in how many documents it occurs at least once (a word used 50 times in one "
        "speech is not the same as a word used once in 50 speeches).\n"
        f"- **Stopwords** (\"the\", \"of\", … {stop} in the default list) are hidden from word lists but always "
        "counted in the word totals, so rates are not inflated. Two- and three-word terms do not cross "
        "punctuation, and by default may not start or end with a stopword.\n"
        "- **Tracked phrases** match regardless of case, of curly or straight apostrophes, and of a hyphen or a "
        "space between words (\"left-behind\" = \"left behind\"), on word boundaries (\"single market\" does "
        "not match \"single marketing\"); `*` stands for any one word.\n"
        "- **Keyword in context** shows each hit with the words around it, sortable by the left or right "
        "context.")

with tabs[4]:
    st.markdown(
        "Which words one group (an author, a party) uses more than the others: the group against all other "
        "documents (\"one against the rest\"), using word totals that include stopwords.\n\n"
        "- **Log-likelihood G²** (Rayson & Garside 2000) says how *sure* we can be that the difference is not "
        "chance: 3.84 ≈ p < 0.05, 6.63 ≈ p < 0.01, 10.83 ≈ p < 0.001, 15.13 ≈ p < 0.0001. Thousands of words "
        "are tested at once, so use it to rank, not as proof. Shown with a sign: positive = used more by the "
        "group.\n"
        "- **Log Ratio** (Hardie 2014) says how *big* the difference is: +1 = twice as frequent in the group, "
        "+2 = four times, −1 = half. A word absent from one side gets a count of 0.5 so the value stays finite "
        "(it is then a bound).\n"
        "- **Log-odds with an informative Dirichlet prior** (Monroe, Colaresi & Quinn 2008, \"Fightin' "
        "words\"), as a z-score: the whole corpus's word counts act as a prior, which tames rare words; "
        "|z| > 1.96 is the usual threshold.\n\n"
        "**Limits.** A word can be distinctive because of one long document; check its document frequency.")

with tabs[5]:
    lo, hi = model.k_range
    st.markdown(
        "**What is fitted.** Each piece of text becomes a list of word weights (**tf-idf**: frequent in the "
        f"piece, rare in the corpus = heavy; stopwords, numbers, words in fewer than {model.min_df} pieces and "
        f"words in more than {model.max_df:.0%} of them left out). **Non-negative matrix factorisation (NMF)** "
        "then describes every piece as a mix of *k* topics, each topic a weighted list of words. It starts from "
        "a fixed, deterministic point (*nndsvda*) with a fixed seed: the same corpus always gives the same "
        "topics. Topics are numbered by size, 1 = the most prominent (the command line numbers them from 0).\n\n"
        f"**Units.** With fewer than {tp.PARAGRAPH_BELOW_DOCS} documents, topics are found among **paragraphs** "
        f"(or sentences, below {tp.SENTENCE_BELOW_PARAGRAPHS} paragraphs), else among **documents**: with a "
        f"handful of texts, document-level topics would just repeat the documents. Pieces under "
        f"{model.min_unit_words} words are scored but do not shape the topics. A document's share of a topic "
        "is the word-weighted mean over its paragraphs; a group's, the mean over its documents.\n\n"
        f"**How many topics.** Every k from {lo} to {hi} is tried. For each, the topics are recomputed on "
        f"{model.n_resamples} random samples of {model.sample_frac:.0%} of the pieces and each topic's "
        f"{model.n_stability_terms} leading words are compared with the originals (Greene, O'Callaghan & "
        "Cunningham 2014). **Stability** is the average agreement, from 0 to 1: 0.9 = nine in ten leading "
        "words come back (solid topics); 0.6 = the main topics come back but their lesser words shift; below "
        "0.4 = the topics depend on which texts happen to be in the corpus.")
    st.markdown(
        "Even text with the words shuffled at random between pieces yields some stable-looking word lists, "
        "particularly for few topics, so the same test is run on a shuffled copy of the corpus: a k's score "
        "**above chance** is how much its stability beats the shuffled copy's (0 = no better).\n\n"
        "**The rule.** *The number of topics is the one, among those giving distinct topics, whose topics come "
        "back most reliably (above chance) when the model is refitted on resampled text, looking at "
        f"{model.min_readable_k} to {hi} topics when the corpus is large enough to read that many.* In detail: "
        "(1) a k counts only if its topics are **distinct** (no word among the 10 leading words of more than two "
        f"topics, no two topics sharing more than three of them) and it beats chance by at least "
        f"{model.min_adjusted}; (2) with at least {model.units_per_topic * model.min_readable_k} pieces, only "
        f"k of {model.min_readable_k} or more are considered, since fewer topics on a corpus that size lump "
        "several themes together (on 493 UK COVID speeches, 3 topics gave 'support, work, measures, businesses, "
        "advice, home...'), unless those are less than half as reliable as the best smaller k; (3) the highest "
        f"score above chance wins, and scores within {model.choice_tol} of it count as ties that go to fewer "
        "topics (a score moves by about that much between resamplings). If no k qualifies, the fewest topics "
        "are used and marked tentative. The curve of every k tried is on the Topics page; you can always "
        "override the choice there.\n\n"
        "**Words left out.** Besides English function words, parliamentary and speech formulas are left out "
        "by default (forms of address such as 'hon.' and 'right', offices such as 'Minister' and 'Secretary "
        "of State', procedure such as 'question' and 'statement', the verbs of asking, thanking and agreeing): "
        "in speeches they otherwise fill every topic's leading words. You can add words or take them back "
        "under 'Advanced' on the Topics page.")
    st.markdown(
        "**Reading the topics.** Terms are ranked by **relevance** (Sievert & Shirley 2014, as in pyLDAvis): "
        "λ = 1 ranks by weight within the topic, λ = 0 by how exclusive the word is to the topic; 0.6 is "
        "usually easiest to read. Each topic is **named** by its three most relevant words among those more "
        "typical of it than of any other topic (highest lift p(word|topic)/p(word)), so no two names share a "
        "word. Its **most typical passages** are runs of whole sentences (about 60 words) from the documents "
        "weighing most on it, scored by the fitted model, one per document, strongest first. The **map** places pieces with similar topic mixes close together (principal "
        "components of the square-rooted shares). **Limits.** Topics are word co-occurrence patterns, not "
        "meanings: naming them is your interpretation, and they change with the number of topics.")
    st.subheader("Do the topics recover real categories?")
    tv = topic_validation()
    if tv and tv.get("nmi") is not None:
        st.metric("NMI on BBC News", f"{float(tv['nmi']):.2f}", help="Normalised mutual information, 0 to 1")
        st.markdown("**NMI** (normalised mutual information) measures how well the topic of each article "
                    "matches its real section: 0 = unrelated, 1 = the same grouping." +
                    (f" Automatic k found: {int(tv['k'])}." if tv.get("k") is not None else ""))
    else:
        st.info("The check of topics against the BBC News sections (2,225 articles in 5 labelled categories) is "
                "run by the test suite but its result has not been stored for this page yet.")

with tabs[6]:
    st.markdown(
        "- **Shared passages.** Both texts are reduced to their words (case, apostrophes, hyphens and "
        f"punctuation ignored). Every run of **{reuse.DEFAULT_MIN_WORDS} consecutive words** (a *shingle*) is "
        "looked up in the other texts; matching runs are joined and extended word by word as long as the texts "
        "agree, giving the **longest shared passages**, each with its position in both texts. Runs found in "
        f"very many documents (more than {reuse.DEFAULT_MAX_DOC_FREQ_MIN}, or more than "
        f"{reuse.DEFAULT_MAX_DOC_FREQ_FRACTION:.0%} of the corpus if that is larger) are stock phrases and do not "
        "start a match.\n"
        "- **Similarity** of two texts (0 to 1) compares their tf-idf word weights (cosine): 1 = the same words "
        "in the same proportions.\n\n"
        "**Limits.** A quotation changed by one word is reported as two passages; paraphrase is not detected; "
        "a shared passage says nothing about who copied whom (check the dates).")

with tabs[7]:
    slight, clear = plain.TONE_BANDS["textblob"]
    v_slight, v_clear = plain.TONE_BANDS["vader"]
    st.markdown(
        "Beside each chart a sentence in a blue box says what its numbers mean. The words are fixed thresholds, "
        "the same everywhere:\n\n"
        f"- **Tone** is *neutral* within ±{plain.NEUTRAL} (VADER's own convention); TextBlob *slightly* up to "
        f"±{slight}, *clearly* up to ±{clear}, *strongly* beyond; VADER *slightly* up to ±{v_slight}, *clearly* "
        f"up to ±{v_clear}. TextBlob's document scores are small (most texts lie within ±0.2), hence its "
        "narrower bands.\n"
        "- **Subjectivity** below 0.3 reads *mostly fact*, below 0.55 *a mix of fact and opinion*, above "
        "*mostly opinion*.\n"
        "- **How sure** (the 95% interval): 'would probably lie between A and B with other texts like these'; "
        f"an interval wider than {plain.WIDE} is called *wide*.\n"
        "- **Distinctive terms**: 'N times as common' is the ratio of the two sides' rates per 10,000 words (what "
        "Log Ratio gives as a power of 2); 'would rarely arise by chance' means the log-likelihood test's "
        "p < 0.001, 'less than one time in twenty' p < 0.05, 'could easily be chance' otherwise. Many terms are "
        "tested at once, so a few 'one in twenty' differences are expected by chance alone. When no term passes "
        "p < 0.05, a sentence says so before the chart: no word is clearly more typical of either side.\n"
        "- **Similarity**: below 0.1 *almost no words in common beyond everyday ones*, below 0.3 *some "
        "vocabulary*, below 0.6 *much the same words*, above *nearly the same words*.\n"
        "- **Over time**: a point resting on fewer than 3 documents is hollow and called *too few to read much "
        "into*.")
