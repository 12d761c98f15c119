"""The term cache's two tiers on their own: budgets, recency, and the compact form's lookups."""

from __future__ import annotations

from index.search.ranking.term_cache import Compact, TermCache


def test_compact_keeps_every_score_in_document_order() -> None:
    scores = {9: 0.5, 2: 1.25, 7: 3.0, 1_000_000: 0.125}  # not in order, as an Or's sum may be
    compact = Compact(scores)
    assert list(compact.docs) == [2, 7, 9, 1_000_000]
    assert compact.to_dict() == scores and len(compact) == 4
    assert compact.at([1, 7, 8, 1_000_000, 1_000_001]) == {7: 3.0, 1_000_000: 0.125}
    assert compact.at([]) == {} and Compact({}).at([3]) == {}


def test_what_the_hot_tier_drops_goes_to_the_compact_one_and_comes_back() -> None:
    cache = TermCache(words_budget=4, filters_budget=4, compact_budget=5)
    computed: list[str] = []

    def term(word: str, n: int):
        def compute() -> dict[int, float]:
            computed.append(word)
            return {d: float(d) for d in range(n)}
        return ("body", word, 1.0), compute

    a, b, c = term("a", 3), term("b", 3), term("c", 3)
    cache.remember(*a)
    cache.remember(*b)  # 6 > 4: a moves to the compact tier
    assert cache.hot_keys(words=True) == [b[0]] and cache.compact_postings() == 3
    assert isinstance(cache.get(a[0]), Compact) and a[0] in cache
    assert cache.remember(*a) == {0: 0.0, 1: 1.0, 2: 2.0}  # back, not computed again
    assert computed == ["a", "b"]
    assert cache.hot_keys(words=True) == [a[0]] and isinstance(cache.get(b[0]), Compact)
    cache.remember(*c)  # a goes compact too: 6 > 5, so b (least recent) leaves for good
    assert b[0] not in cache and cache.compact_postings() == 3
    cache.touch(a[0])
    assert cache.remember(*b) and computed == ["a", "b", "c", "b"]
    # Filters have their own hot budget: words never push them out.
    f = (("source", "world", 1.0), lambda: {1: 1.0})
    cache.remember(*f)
    for word in "defg":
        cache.remember(*term(word, 3))
    assert cache.hot_keys(words=False) == [f[0]]


def test_a_term_larger_than_the_compact_budget_is_dropped() -> None:
    cache = TermCache(words_budget=1, filters_budget=1, compact_budget=2)
    cache.remember(("body", "big", 1.0), lambda: {1: 1.0, 2: 1.0, 3: 1.0})
    cache.remember(("body", "next", 1.0), lambda: {1: 1.0})
    assert ("body", "big", 1.0) not in cache and cache.compact_postings() == 0
    cache.discard(("body", "next", 1.0))
    assert list(cache) == [] and cache.postings(words=True) == 0


def test_filters_keep_a_compact_budget_of_their_own() -> None:
    """Words falling out of the hot tier never push a filter out of the compact tier."""
    cache = TermCache(words_budget=1, filters_budget=1, compact_budget=3,
                      compact_filters_budget=4)
    for name in ("world", "sports"):  # the second pushes the first into the compact tier
        cache.remember(("source", name, 1.0), lambda: {1: 1.0, 2: 2.0, 3: 3.0})
    assert cache.compact_postings(words=False) == 3 and cache.compact_postings() == 0
    for word in "abcdef":
        cache.remember(("body", word, 1.0), lambda: {1: 1.0, 2: 1.0, 3: 1.0})
    assert cache.compact_postings() == 3 and cache.compact_postings(words=False) == 3
    assert isinstance(cache.get(("source", "world", 1.0)), Compact)
    assert ("body", "a", 1.0) not in cache  # the words' compact budget (3) holds one word


def test_compact_lookups_agree_however_many_candidates() -> None:
    """A few candidates are bisected for, many are found in one pass over the arrays: either
    way exactly the entries a dictionary holds, in a term read's order or not."""
    in_order = {d: d / 7 for d in range(0, 3000, 3)}  # as a term read comes: sorted already
    shuffled = dict(sorted(in_order.items(), key=lambda kv: -kv[0]))
    for scores in (in_order, shuffled):
        compact = Compact(scores)
        assert list(compact.docs) == sorted(scores) and compact.to_dict() == scores
        for candidates in ({5: 0.0, 6: 0.0, 2999: 0.0}, dict.fromkeys(range(0, 4000, 2), 0.0),
                           set(range(1, 3000, 5))):
            assert compact.at(candidates) == {d: scores[d] for d in candidates if d in scores}
