"""Filtered searches (a source or entity filter with words): a filter kept as arrays in the term
cache is looked up there; the documents and scores stay Whoosh's."""

from __future__ import annotations

import pytest
from whoosh import query as Q
from whoosh.scoring import BM25F

from index.core import Newsreader
from index.search import query
from index.search.ranking.ranker import Ranker
from index.search.ranking.term_cache import Compact

FILTERED = ["source:wikinews syria", "source:en said", "source:wikinews russia government"]


def whoosh_scores(searcher, q: Q.Query) -> dict[int, float]:
    searcher.weighting = BM25F()
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None, optimize=False)}


def assert_whoosh(got: dict[int, float], want: dict[int, float], text: str) -> None:
    assert want and got.keys() == want.keys(), text
    assert all(got[d] == pytest.approx(sc, rel=1e-9) for d, sc in want.items()), text


def test_a_filter_kept_as_arrays_is_looked_up_there_inside_an_and(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many candidates the words leave, a filter in the compact tier is not turned
    back into a dictionary (nor moved to the hot tier, pushing others out) to be intersected."""
    monkeypatch.setattr("index.search.ranking.ranker.FILTER_CACHE_POSTINGS", 1)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_FILTER_POSTINGS", 1_000_000)
    # Never "large beside the candidates": only being kept as arrays sends it to a lookup.
    monkeypatch.setattr("index.search.ranking.ranker.CACHED_AT_RATIO", 10**9)
    rebuilt: list[int] = []
    to_dict = Compact.to_dict

    def counted(self):
        rebuilt.append(len(self))
        return to_dict(self)

    monkeypatch.setattr(Compact, "to_dict", counted)
    with demo_library.index.searcher() as s:
        expected = {t: whoosh_scores(s, query.parse(t).query) for t in FILTERED}
        ranker = Ranker(s)
        # Stemmed as the analyzer stems them; each pushes the other out to the arrays.
        for name in ("wikinew", "en", "wikinew"):
            ranker.scores(Q.Term("source", name))
        rebuilt.clear()
        assert isinstance(ranker.cache.get(("source", "en", 1.0)), Compact)
        got = ranker.scores(query.parse("source:en said").query)
        assert_whoosh(got, expected["source:en said"], "source:en said")
        assert rebuilt == [] and isinstance(ranker.cache.get(("source", "en", 1.0)), Compact)
        for text in FILTERED:  # one filter hot, the other kept as arrays
            assert_whoosh(ranker.scores(query.parse(text).query), expected[text], text)
    assert rebuilt == [], "a compact filter was made a dictionary again"


def test_words_kept_as_arrays_score_as_read_whole_to_the_last_bit(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word (an Or of its fields' terms) looked up in the arrays at an And's candidates
    sums its terms as a whole read does: the very same scores as a ranker with nothing cached."""
    queries = [query.parse(t).query for t in
               ("source:wikinews russia government", "syria russia", "said people government")]
    with demo_library.index.searcher() as s:
        fresh = [Ranker(s).scores(q) for q in queries]
    monkeypatch.setattr("index.search.ranking.ranker.CACHE_POSTINGS", 1)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_CACHE_POSTINGS", 1_000_000)
    monkeypatch.setattr("index.search.ranking.ranker.CACHED_AT_RATIO", 10**9)
    with demo_library.index.searcher() as s:
        ranker = Ranker(s)
        for word in ("russia", "government", "syria", "said", "people", "moscow"):
            ranker.scores(query.parse(word).query)  # each pushes the one before to the arrays
        assert isinstance(ranker.cache.get(("body", "govern", 1.0)), Compact)
        assert [ranker.scores(q) for q in queries] == fresh
