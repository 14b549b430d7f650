"""The view state round-trips through the URL's query string."""

from ui.state import DEFAULT_PHRASES, View, clean_phrases


class FakeParams(dict):
    """A stand-in for st.query_params: values are lists, get_all returns them."""

    def __getitem__(self, key):
        return dict.__getitem__(self, key)[-1]

    def get_all(self, key):
        return list(dict.get(self, key, []))


def as_params(query: dict) -> FakeParams:
    return FakeParams({k: v if isinstance(v, list) else [v] for k, v in query.items()})


def test_default_view_has_empty_query():
    assert View().to_query() == {}
    assert View().phrases == DEFAULT_PHRASES


def test_view_round_trips():
    view = View(authors=["Jacqui Smith", ""], docs=["000_x"], year_from=2016, group_by="party",
                phrases=["left behind", "take back control"], doc="003_y", method="vader", k=4,
                exclude_phrase_words=True, clean=False)
    back = View.from_query(as_params(view.to_query()))
    assert back.authors == ["Jacqui Smith"]  # empty values are dropped from lists
    back.authors = view.authors
    assert back == view


def test_empty_phrase_list_survives():
    view = View(phrases=[])
    assert View.from_query(as_params(view.to_query())).phrases == []


def test_bad_values_are_ignored():
    back = View.from_query(as_params({"k": "lots", "method": "<script>", "year_from": "x", "clean": "0"}))
    assert back.k is None and back.method == "textblob" and back.year_from is None
    assert back.clean is False


def test_clean_phrases_bounds_and_dedupes():
    assert clean_phrases(["  Left   behind ", "left behind", "", "x" * 500]) == ["Left behind", "x" * 80]
    assert len(clean_phrases([f"p{i}" for i in range(100)])) == 20
