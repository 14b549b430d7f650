"""Document names (analysis.corpus.labels): titles, "author · type · date", unique, shortened."""

import pandas as pd

from analysis.corpus import labels as L
from analysis.corpus.loaders import load_seeds
from tests.conftest import shared_corpus_path


def test_date_as_people_write_it():
    assert L.format_date("2016-06-24") == "24 Jun 2016"
    assert L.format_date("2020-01-05") == "5 Jan 2020"
    assert L.format_date("2016-06") == "Jun 2016"
    assert L.format_date("2016") == "2016"
    assert L.format_date("2020-03-23T14:00:00") == "23 Mar 2020"
    assert L.format_date("spring 2016") == "spring 2016"
    assert L.format_date(None) == L.format_date(float("nan")) == ""


def test_title_first_then_author_type_date():
    assert L.doc_label("Brexit: the morning after", "Jacqui Smith") == "Brexit: the morning after"
    assert L.doc_label("", "Jacqui Smith", "opinion column", "2016-06-24") == \
        "Jacqui Smith · opinion column · 24 Jun 2016"
    assert L.doc_label(None, "", "news report", "") == "Unknown author · news report"
    assert L.doc_label(float("nan"), "  Ann  Lee ", None, None) == "Ann Lee"


def test_seed_labels_are_named_for_people():
    docs = load_seeds().to_frame(with_text=False)
    labels = L.doc_labels(docs)
    assert labels["000_bfc6cafdf39d029c"] == "Jacqui Smith · opinion column · 24 Jun 2016"
    assert labels["002_27ba5fbbf84c96f5"] == "Unknown author · news report"
    assert labels["003_963148aadf6ce902"] == "Daniel Zeichner · article"
    assert not any(d in v for d in labels for v in labels.values())  # no raw id in any name


def test_collisions_get_a_running_number():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "author": ["Ann", "Ann", "Ann", "Bob"],
                         "date": ["2020-01-23"] * 3 + [""]})
    labels = L.doc_labels(docs)
    assert list(labels.values()) == ["Ann · 23 Jan 2020", "Ann · 23 Jan 2020 (2)", "Ann · 23 Jan 2020 (3)", "Bob"]
    assert L.make_unique(["x", "x (2)", "x"]) == ["x", "x (2)", "x (3)"]


def test_shortened_labels_cut_at_a_word_and_stay_distinct():
    long = "The morning after the referendum: what Labour must now do for the towns it left behind"
    short = L.shorten(long, 40)
    assert len(short) <= 40 and short.endswith("…") and long.startswith(short[:-1])
    assert short[-2] != " "
    assert L.shorten("Short title", 40) == "Short title"
    assert L.shorten(long + " (2)", 40).endswith("… (2)")
    both = L.short_labels({"a": long, "b": long + ", again"}, 40)
    assert len(set(both.values())) == 2


def test_uk_covid_labels_unique_and_free_of_ids():
    from analysis.corpus.loaders import load_paths
    from analysis.corpus.limits import Limits

    n = 493
    corpus = load_paths([shared_corpus_path("covid")], limits=Limits.local())
    docs = corpus.to_frame(with_text=False)
    labels = L.doc_labels(docs)
    assert len(labels) == n and len(set(labels.values())) == n
    assert all(d not in v for d, v in labels.items())
    assert labels[docs["doc_id"].iloc[0]] == "Sharon Hodgson · 23 Jan 2020"


def test_untitled_texts_of_no_known_author_are_named_by_their_first_words():
    """A thousand tweets with no title or author, all from 2018, are not "Unknown author · 2018
    (374)": each is named by how it begins; a document with an author keeps its author's name, a
    unique name stays as it was, and identical openings still get a running number."""
    docs = pd.DataFrame({
        "doc_id": list("abcdef"),
        "author": ["", "", "", "Ann", "Ann", ""],
        "date": ["2018", "2018", "2018", "2018", "2018", "2019"],
        "text": ["#ConfirmKavanaugh we are going to confirm Brett Kavanaugh or vote in new senators today",
                 "Short one.", "Short one.", "Ann's first", "Ann's second", "A text of its own"],
    })
    labels = L.doc_labels(docs)
    assert labels["a"] == "“#ConfirmKavanaugh we are going to confirm Brett…” · 2018"
    assert labels["b"] == "“Short one.” · 2018" and labels["c"] == "“Short one.” · 2018 (2)"
    assert labels["d"] == "Ann · 2018" and labels["e"] == "Ann · 2018 (2)"
    assert labels["f"] == "Unknown author · 2019"  # alone: nothing to tell apart
    assert L.doc_labels(docs.drop(columns="text"))["b"] == "Unknown author · 2018 (2)"  # no text: as before
    assert L.opening("") == "" and len(L.opening("word " * 40)) <= L.OPENING_CHARS + 3


def test_the_kavanaugh_tweets_are_named_without_running_numbers_in_the_hundreds():
    from analysis.corpus.loaders import load_paths
    from analysis.corpus.limits import Limits

    corpus = load_paths([shared_corpus_path("tweets")], limits=Limits.local())
    labels = L.doc_labels(corpus.to_frame(with_text=True))
    assert len(set(labels.values())) == len(labels) > 1000
    numbered = [v for v in labels.values() if v.endswith(")") and v.rsplit(" (", 1)[-1][:-1].isdigit()]
    assert len(numbered) < 0.05 * len(labels)
    assert not any(v.startswith("Unknown author") for v in labels.values())
