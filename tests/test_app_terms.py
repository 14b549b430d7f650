"""The Terms & phrases and Compare pages, run with AppTest on the seeds and on a shared corpus."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from analysis.corpus.loaders import load_paths
from tests.conftest import ROOT, shared_corpus_path

APP = str(ROOT / "app.py")
TERMS, COMPARE = "pages/terms.py", "pages/compare.py"
D000, D002, D003 = "000_bfc6cafdf39d029c", "002_27ba5fbbf84c96f5", "003_963148aadf6ce902"


def open_page(page: str, corpus=None) -> AppTest:
    """Open ``page`` of the app (on ``corpus`` when given, else on the seeds)."""
    at = AppTest.from_file(APP, default_timeout=180)
    if corpus is not None:
        at.session_state["corpus"] = corpus
        at.session_state["corpus_key"] = corpus.content_hash()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def charts(at: AppTest) -> dict[str, dict]:
    """The page's Plotly figures by the name in their layout.meta."""
    out = {}
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out[(spec["layout"].get("meta") or {}).get("chart", "?")] = spec
    return out


def bar_counts(spec: dict) -> dict[tuple[str, str], int]:
    """(phrase, doc_id or group) -> count, from a phrase bar chart's customdata."""
    return {(cd[1], cd[0]): cd[2] for tr in spec["data"] for cd in tr["customdata"]}


def table_with(at: AppTest, *columns: str):
    """The first table on the page that has all these columns."""
    for df in at.dataframe:
        if set(columns) <= set(df.value.columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def add_phrase(at: AppTest, phrase: str) -> None:
    at.text_input(key="w_new_phrase").input(phrase)
    next(b for b in at.get("form_submit_button") if b.label == "Add").click()
    at.run()
    assert not at.exception


@pytest.fixture(scope="module")
def terms_page() -> AppTest:
    return open_page(TERMS)


def test_phrase_bars_per_document(terms_page):
    counts = bar_counts(charts(terms_page)["phrase-docs"])
    assert counts[("single market", D003)] == 2
    assert counts[("single market", D000)] == 0 and counts[("single market", D002)] == 0
    assert counts[("left behind", D000)] == 1 and counts[("left behind", D003)] == 1
    assert counts[("left behind", D002)] == 0


def test_phrase_bars_per_author(terms_page):
    counts = bar_counts(charts(terms_page)["phrase-groups"])
    assert counts[("single market", "Daniel Zeichner")] == 2
    assert counts[("left behind", "Jacqui Smith")] == 1
    assert counts[("left behind", "")] == 0  # the news report has no author


def test_dispersion_and_kwic(terms_page):
    disp = charts(terms_page)["dispersion"]
    ticks = {(cd[0], cd[1]) for tr in disp["data"] for cd in tr["customdata"]}
    assert ticks == {(D000, "left behind"), (D003, "left behind"), (D003, "single market")}
    kwic = table_with(terms_page, "left", "match", "right")
    lb = kwic[kwic["phrase"] == "left behind"]
    assert set(lb["doc_id"]) == {D000, D003}
    assert lb["match"].str.lower().eq("left behind").all()
    assert (lb["end"] - lb["start"] == len("left behind")).all()


def test_no_timeline_explained(terms_page):
    assert "phrase-timeline" not in charts(terms_page)
    assert any("No timeline" in i.value for i in terms_page.info)


def test_top_terms_and_keyness_tables(terms_page):
    top = table_with(terms_page, "rank", "term", "doc_share")
    assert len(top) > 10 and {"term", "count", "rate_per_10k", "doc_freq"} <= set(top.columns)
    key = table_with(terms_page, "g2", "log_ratio")
    assert len(key) > 0 and {"g2", "log_ratio", "logodds_z"} <= set(key.columns)
    assert "keyness" in charts(terms_page)


def test_adding_a_phrase_changes_the_chart():
    at = open_page(TERMS)
    add_phrase(at, "referendum")
    assert at.session_state["view"].phrases == ["left behind", "single market", "referendum"]
    assert at.query_params["phrases"] == ["left behind", "single market", "referendum"]  # lives in the URL
    counts = bar_counts(charts(at)["phrase-docs"])
    assert counts[("referendum", D002)] > 0
    # and removing it takes it away again
    at.multiselect(key="w_phrases").unselect("referendum").run()
    assert not at.exception
    assert ("referendum", D002) not in bar_counts(charts(at)["phrase-docs"])


def test_phrase_that_never_occurs_says_so():
    at = open_page(TERMS)
    add_phrase(at, "single marketing")
    assert any("never occurs" in i.value and "single marketing" in i.value for i in at.info)
    assert ("single marketing", D003) not in bar_counts(charts(at)["phrase-docs"])


def test_bad_phrase_is_refused():
    at = open_page(TERMS)
    add_phrase(at, "left*")
    assert any("not added" in e.value for e in at.error)
    assert at.session_state["view"].phrases == ["left behind", "single market"]


def test_compare_seeds():
    at = open_page(COMPARE)
    figs = charts(at)
    heat = figs["similarity"]
    assert heat["data"][0]["type"] == "heatmap"
    cells = {tuple(cd[:2]) for cd in heat["data"][1]["customdata"]}
    assert (D000, D002) in cells and len(cells) == 9
    pairs = at.dataframe(key="cmp_pairs").value
    assert {(a, b) for a, b in zip(pairs["doc_a"], pairs["doc_b"])} == {(D000, D002)}
    assert (pairs["passages"] > 0).all()
    assert not ({D003} & (set(pairs["doc_a"]) | set(pairs["doc_b"])))
    assert len(pairs) == 1
    # the pair's passages are shown side by side, as text
    shown = [t.value for t in at.text]
    assert any("let my children down" in s for s in shown)
    assert "cmp_keyness" in figs


def test_compare_groups_mode():
    at = open_page(COMPARE)
    at.segmented_control(key="w_cmp_mode").set_value("groups").run()
    assert not at.exception
    fig = charts(at)["cmp_keyness"]
    assert len(fig["data"]) == 2
    assert table_with(at, "g2", "log_ratio").shape[0] > 0


@pytest.mark.parametrize("page", [TERMS, COMPARE])
def test_pages_on_a_shared_corpus(page):
    corpus = load_paths(shared_corpus_path("covid"))
    at = open_page(page, corpus)
    assert charts(at)
    if page == TERMS:
        assert table_with(at, "rank", "term", "doc_share").shape[0] > 0


def test_terms_follow_group_by_and_filters():
    at = open_page(TERMS)
    at.sidebar.selectbox(key="w_group_by").set_value("party").run()
    assert not at.exception and at.session_state["view"].group_by == "party"
    counts = bar_counts(charts(at)["phrase-groups"])
    assert counts[("single market", "Labour")] == 2 and counts[("left behind", "Labour")] == 2
    at.sidebar.multiselect(key="w_docs").set_value([D002]).run()  # a text without either phrase
    assert not at.exception
    assert sum("never occurs" in i.value for i in at.info) == 2
    assert "phrase-docs" not in charts(at)


def test_compare_says_in_words_when_no_word_sets_two_texts_apart():
    """Two texts that use the same words at the same rates (a tweet and its retweet) get no empty
    chart: one sentence says that no word sets one apart from the other."""
    from analysis.corpus.model import Corpus, Document

    text = "Ms Keyser does not know Mr Kavanaugh and she has no recollection of ever being at a party with him."
    corpus = Corpus([Document("a", text, author="Ann"), Document("b", text + " " + text, author="Bob"),
                     Document("c", "The single market, the single market and the towns left behind: towns, towns.",
                              author="Cy")])
    at = open_page(COMPARE, corpus=corpus)
    at.selectbox(key="w_cmp_a_docs").set_value("a").run()
    at.selectbox(key="w_cmp_b_docs").set_value("b").run()
    assert not at.exception
    said = " ".join(h.proto.body for h in at.get("html"))
    assert "use each of the" in said and "terms compared at the same rate: no word sets one apart" in said
    assert "cmp_keyness" not in charts(at)
    at.selectbox(key="w_cmp_b_docs").set_value("c").run()  # texts that differ: the chart is back
    assert "cmp_keyness" in charts(at)


def test_compare_says_in_words_how_alike_the_texts_of_a_single_group_are():
    """Over 300 documents all of one date, the group heatmap would be one cell: instead one sentence
    says how alike two of the texts are on average, and the sidebar is named as the way out."""
    from analysis.corpus.model import Corpus, Document

    words = ["court", "senate", "vote", "judge", "women", "party", "nominee", "hearing", "trust", "truth"]
    docs = [Document(f"t{i}", " ".join(words[(i + k) % len(words)] for k in range(6)) + ".", date="2018-10-01")
            for i in range(301)]
    at = open_page(COMPARE, corpus=Corpus(docs))
    assert not at.exception
    said = " ".join(h.proto.body for h in at.get("html"))
    assert "On average, two of the 301 texts of 2018" in said
    assert "group-similarity" not in charts(at)
    assert any("no groups to set side by side" in c.value for c in at.caption)


def test_compare_says_first_when_no_difference_between_two_texts_is_beyond_chance():
    """Two nearly identical articles (one has a sentence more): before any bar, one sentence says that
    no word is clearly more typical of either, so the small bars are not read as findings. Texts that
    do differ (the seeds' column and the MP's response) get no such sentence."""
    from analysis.corpus.model import Corpus, Document

    text = ("Parry insisted the club would not sell Gerrard at any price. The club is ready to explore a "
            "sponsorship deal for its new stadium, and talks on new investment are ongoing. ") * 3
    corpus = Corpus([Document("a", text, author="Ann"), Document("b", text + "Money is not everything.",
                                                                  author="Bob")])
    at = open_page(COMPARE, corpus=corpus)
    said = " ".join(h.proto.body for h in at.get("html"))
    assert "No word is clearly more typical of" in said and "the difference could be chance" in said
    assert "cmp_keyness" in charts(at)  # the bars are still there, read in that light
    seeds = open_page(COMPARE)
    seeds.selectbox(key="w_cmp_a_docs").set_value(D000).run()
    seeds.selectbox(key="w_cmp_b_docs").set_value(D003).run()
    assert "No word is clearly more typical" not in " ".join(h.proto.body for h in seeds.get("html"))
