"""The term-at-a-time ranker gives what Whoosh's own collector gives: the same documents with
the same BM25F scores, on one segment and on several with deleted documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh import query as Q
from whoosh.scoring import BM25F

from index.config import Settings
from index.core import Newsreader
from index.engine import whoosh_internals
from index.search import query
from index.search.expansion import replace_term
from index.search.ranking import term_postings
from index.search.ranking.ranker import Ranker

QUERIES = [
    "syria",
    "russia syria",
    "palmyra OR moscow",
    "syria NOT moscow",
    '"cruise missiles"',
    '"united states" government',
    '"prime minister" OR "united nations"',
    '"new york city"',
    'title:"new york"',
    '"i don t"',
    '"prime minister"^2 syria',
    '"cruise missiles"~3',
    '"syria syria"',
    '"zzzznothing syria"',
    "title:syria troops",
    "date:2015..2016 russia",
    "date:2019",
    "date:..2019-06-30",
    "date:2020-01.. government",
    "date:2019-03..2019-05 NOT trump",
    'person:"Bashar Assad"',
    "place:syria government",
    "(russia OR france) AND (attack OR strike)",
    "NOT syria",
    "zzzznothing",
    "the",
]


def whoosh_scores(searcher, q: Q.Query) -> dict[int, float]:
    searcher.weighting = BM25F()
    results = searcher.search(q, limit=None, optimize=False)
    return {hit.docnum: hit.score for hit in results}


def assert_same(core: Newsreader, q: Q.Query) -> dict[int, float]:
    with core.index.searcher() as s:
        expected = whoosh_scores(s, q)
        got = Ranker(s).scores(q)
        assert got.keys() == expected.keys(), str(q)
        for d, score in expected.items():
            assert got[d] == pytest.approx(score, rel=1e-6), (str(q), d)
        best, total = Ranker(s).top(q, 5)
    assert total == len(expected)
    assert [score for _, score in best] == sorted(
        (score for score in got.values()), reverse=True
    )[:5]
    return expected


@pytest.mark.parametrize("text", QUERIES)
def test_ranker_agrees_with_whoosh_on_the_demo_library(
    demo_library: Newsreader, text: str
) -> None:
    assert_same(demo_library, query.parse(text).query)


def test_ranker_agrees_on_expanded_terms(demo_library: Newsreader) -> None:
    # As-you-type completion and typo correction swap a term for an Or of many.
    q = query.parse("russian government").query
    q = replace_term(q, "govern", ["govern", "governor", "gov", "good", "go", "gold"])
    found = assert_same(demo_library, q)
    assert found


def probe_large_terms(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every term an `And` meets after its first child "large" (read only where it holds
    a candidate, not whole); returns the list the probed terms are recorded in."""
    monkeypatch.setattr("index.search.ranking.ranker.READ_AT_RATIO", 0)
    probed: list[str] = []
    read_at = term_postings.TermPostings.read_at

    def recorded(self, q, candidates):
        probed.append(f"{q.fieldname}:{q.text}")
        return read_at(self, q, candidates)

    monkeypatch.setattr(term_postings.TermPostings, "read_at", recorded)
    return probed


def test_ranker_agrees_when_large_terms_are_read_only_at_candidates(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term far larger than an And's candidates (source:World in a large library) is read
    only in the blocks holding a candidate: the same documents and scores as Whoosh's."""
    probed = probe_large_terms(monkeypatch)
    for text in QUERIES + ["source:wikinews syria", "syria russia government troops"]:
        assert_same(demo_library, query.parse(text).query)
    assert any(t.startswith("source:") for t in probed) and "body:russia" in probed


@pytest.mark.parametrize("probe", [False, True], ids=["read-whole", "read-at-candidates"])
def test_ranker_agrees_on_many_segments_with_deletions(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader,
    monkeypatch: pytest.MonkeyPatch, probe: bool,
) -> None:
    probed = probe_large_terms(monkeypatch) if probe else []
    rows = [
        {"title": r["title"], "body": r["body"], "url": r["url"] or f"https://x.test/{r['id']}",
         "date": r["date"], "source": r["source"]}
        for r in demo_library.library.query(
            "SELECT id, title, body, url, date, source FROM articles ORDER BY id"
        )
    ]
    rows[3]["date"] = None  # undated: in no date range, though its column holds a default
    core = Newsreader.open(tmp_path / "lib", no_seed_settings)
    try:
        # Three adds, three segments; then an update deletes a document in the first one.
        for n, part in enumerate((rows[:20], rows[20:40], rows[40:])):
            path = tmp_path / f"part{n}.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in part) + "\n", encoding="utf-8")
            assert not core.add([str(path)]).failures
        # Not the segment's first document: Whoosh's filter skips leading deleted ones itself.
        old = next(r for r in rows[5:20] if "syria" in r["body"].lower())
        changed = dict(old, body=old["body"] + "\n\nSyria and Russia, once more.")
        path = tmp_path / "update.jsonl"
        path.write_text(json.dumps(changed) + "\n", encoding="utf-8")
        assert core.add([str(path)]).updated == 1
        with core.index.searcher() as s:
            leaves = list(s.reader().leaf_readers())
            assert len(leaves) > 1 and any(leaf.has_deletions() for leaf, _ in leaves)
        for text in QUERIES:
            assert_same(core, query.parse(text).query)
        assert bool(probed) == probe
    finally:
        core.close()


def test_block_reading_agrees_with_the_public_matcher(demo_library: Newsreader) -> None:
    """The fast path reads Whoosh's blocks through the pinned version's internals; the public
    path one posting at a time. Both must give the same postings."""
    with demo_library.index.searcher() as s:
        reader = s.reader()
        terms = [t for t in reader.field_terms("body")][:300]
        assert terms
        for text in terms:
            fast = whoosh_internals.postings(reader.postings("body", text))
            m = reader.postings("body", text)
            slow_ids, slow_weights = [], []
            while m.is_active():
                slow_ids.append(m.id())
                slow_weights.append(m.weight())
                m.next()
            assert fast == (slow_ids, slow_weights), text
        assert type(reader.postings("body", terms[0])).__name__ == "W3LeafMatcher", (
            "the pinned Whoosh changed: the fast path no longer applies"
        )


@pytest.mark.parametrize("fast", [True, False], ids=["blocks", "public-matcher"])
def test_postings_at_candidates_agree_with_whole_postings(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    """Reading a term only at some documents gives exactly the whole postings' entries for
    those documents, whichever blocks they fall in (first, last, between, absent)."""
    monkeypatch.setattr(whoosh_internals, "FAST", fast)
    with demo_library.index.searcher() as s:
        reader = s.reader()
        count = s.doc_count_all()
        terms = [t for t in reader.field_terms("body")][:200]
        for n, text in enumerate(terms):
            ids, weights = whoosh_internals.postings(reader.postings("body", text))
            whole = dict(zip(ids, weights, strict=True))
            # Every 3rd holder, a few documents that hold nothing, the first and the last.
            wanted = sorted({*ids[n % 3::3], *range(n % 7, count, 97), ids[0], ids[-1]})
            got = whoosh_internals.postings_at(reader.postings("body", text), wanted)
            assert got[0] == [d for d in wanted if d in whole], text
            assert got[1] == [whole[d] for d in got[0]], text


def test_phrases_are_ranked_from_positions_not_whoosh_matcher(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adjacent-word phrases take the ranker's own path (Whoosh's phrase matcher is not
    called) and still give Whoosh's documents and scores."""
    expected = {}
    for text in ('"united states"', '"new york city"', '"prime minister" syria'):
        with demo_library.index.searcher() as s:
            expected[text] = whoosh_scores(s, query.parse(text).query)
        assert expected[text], text

    def no_whoosh(self, q):
        raise AssertionError(f"Whoosh's matcher used for {q}")

    monkeypatch.setattr(Ranker, "matcher_scores", no_whoosh)
    positions = term_postings.TermPostings.positions
    decoded = []

    def counted(self, fieldname, word, candidates):
        decoded.append(word)
        return positions(self, fieldname, word, candidates)

    monkeypatch.setattr(term_postings.TermPostings, "positions", counted)
    with demo_library.index.searcher() as s:
        for text, want in expected.items():
            q = query.parse(text).query
            ranker = Ranker(s)
            # Cold: the words' positions come with their term reads.
            cold = ranker.scores(q)
            assert not decoded, text
            # The words cached, the phrase not: positions are read from their blocks.
            for key in [k for k in ranker.cache if not isinstance(k[1], str)]:
                ranker.cache.discard(key)
            warm = ranker.scores(q)
            assert decoded, text
            decoded.clear()
            for got in (cold, warm, ranker.scores(q)):
                assert got.keys() == want.keys(), text
                assert all(got[d] == pytest.approx(want[d], rel=1e-6) for d in want), text
            assert not decoded, f"{text}: the phrase was evaluated again, not taken from cache"


def test_positions_decoder_agrees_with_whoosh(demo_library: Newsreader) -> None:
    with demo_library.index.searcher() as s:
        reader = s.reader()
        field = s.schema["body"]
        decode = whoosh_internals.positions_decoder(field.format)
        assert decode != field.format.decode_positions, "the fast decoder no longer applies"
        checked = 0
        for text in list(reader.field_terms("body"))[:1000]:
            m = reader.postings("body", text)
            while m.is_active():
                value = m.value()
                assert decode(value) == field.format.decode_positions(value), text
                # Whoosh may drop the final STOP byte of the pickle: both forms decode alike.
                if value.endswith(b"."):
                    assert decode(value[:-1]) == decode(value)
                checked += 1
                m.next()
        assert checked > 1000


def test_search_counts_every_match(demo_library: Newsreader) -> None:
    with demo_library.index.searcher() as s:
        q = query.parse("the OR syria OR russia OR said").query
        expected = len(whoosh_scores(s, q))
    assert demo_library.search("the OR syria OR russia OR said", limit=3).total == expected


def test_term_cache_stays_within_its_budget(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.search.ranking.ranker.CACHE_POSTINGS", 50)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_CACHE_POSTINGS", 400)
    with demo_library.index.searcher() as s:
        ranker = Ranker(s)
        first = ranker.scores(query.parse("syria").query)
        for word in ("russia", "moscow", "government", "said", "people"):
            ranker.scores(query.parse(word).query)
            hot = ranker.cache.hot_keys(words=True)
            assert ranker.cache.postings(words=True) <= 50 or len(hot) == 1
            assert ranker.cache.compact_postings() <= 400
            keys = list(ranker.cache)
            assert len(keys) == len(set(keys)), "a key in both tiers"
        assert ranker.cache.compact_postings() > 0
        # Evicted (to the compact tier or out) or not, a term reads the same.
        assert ranker.scores(query.parse("syria").query) == first


def test_what_falls_out_of_the_hot_tier_is_not_read_again(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term pushed out of the hot tier is kept as arrays: searched again, it is brought back
    (or looked up at the candidates of an And) with the same scores, without a read."""
    monkeypatch.setattr("index.search.ranking.ranker.CACHE_POSTINGS", 10)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_CACHE_POSTINGS", 100_000)
    words = ("syria", "russia", "moscow", "government", "said", "people")
    texts = [*words, *(f"{w} missiles" for w in words), *words]
    with demo_library.index.searcher() as s:
        expected = {t: whoosh_scores(s, query.parse(t).query) for t in texts}
    reads: list[tuple[str, str]] = []
    read, read_at = term_postings.TermPostings.read, term_postings.TermPostings.read_at

    def counted(self, q, values=None):
        reads.append((q.fieldname, q.text))
        return read(self, q, values)

    def counted_at(self, q, candidates):
        reads.append((q.fieldname, q.text))
        return read_at(self, q, candidates)

    monkeypatch.setattr(term_postings.TermPostings, "read", counted)
    monkeypatch.setattr(term_postings.TermPostings, "read_at", counted_at)
    with demo_library.index.searcher() as s:
        ranker = Ranker(s)
        for text in texts:
            got = ranker.scores(query.parse(text).query)
            want = expected[text]
            assert want and got.keys() == want.keys(), text
            assert all(got[d] == pytest.approx(sc, rel=1e-6) for d, sc in want.items()), text
        assert ranker.cache.compact_postings() > 0
    # Each word's field terms read once, however often the hot tier turned over.
    assert len(reads) == len(set(reads)), sorted(reads)


@pytest.mark.parametrize("filters_budget", [10_000, 1], ids=["fits", "too-small"])
def test_a_filter_keeps_its_postings_while_words_come_and_go(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch, filters_budget: int
) -> None:
    """Filters (source and entity fields) have a cache budget of their own: a filter kept on
    while other words are searched is read once, however many words the words' budget turns
    over; and its own budget holds."""
    monkeypatch.setattr("index.search.ranking.ranker.CACHE_POSTINGS", 50)
    monkeypatch.setattr("index.search.ranking.ranker.FILTER_CACHE_POSTINGS", filters_budget)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_CACHE_POSTINGS", 0)
    monkeypatch.setattr("index.search.ranking.ranker.COMPACT_FILTER_POSTINGS", 0)
    words = ("syria", "russia", "moscow", "government", "said", "people")
    # Two filters in turn (the demo's source is "Wikinews (en)"): a budget too small for both
    # keeps only the last one used.
    queries = [query.parse(f"source:{'wikinews' if i % 2 else 'en'} {word}").query
               for i, word in enumerate(words)]
    with demo_library.index.searcher() as s:
        expected = [whoosh_scores(s, q) for q in queries]
    reads: list[str] = []
    read = term_postings.TermPostings.read

    def counted(self, q, values=None):
        reads.append(q.fieldname)
        return read(self, q, values)

    monkeypatch.setattr(term_postings.TermPostings, "read", counted)
    with demo_library.index.searcher() as s:
        ranker = Ranker(s)
        for q, want in zip(queries, expected, strict=True):
            got = ranker.scores(q)
            assert want and got.keys() == want.keys()
            assert all(got[d] == pytest.approx(sc, rel=1e-6) for d, sc in want.items())
            word_keys = ranker.cache.hot_keys(words=True)
            assert ranker.cache.postings(words=True) <= 50 or len(word_keys) == 1
        held = ranker.cache.postings(words=False)
    if filters_budget > 1:
        assert reads.count("source") == 2 and held > 0
    else:
        assert reads.count("source") == len(words)
    assert reads.count("body") >= len(words)


def test_another_whoosh_version_takes_the_public_path(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a Whoosh other than the pinned one (whoosh_internals.FAST off), every read takes
    Whoosh's public API: the same hits, scores and positions."""
    queries = ["russia syria", "cruise missiles", '"cruise missiles"', "date:2019..2020 iran",
               "assad offensive", "palm*"]

    def run() -> list:
        demo_library.searching.forget_postings()  # a new ranker: nothing cached
        return [[(h.id, round(h.score, 6), h.passage) for h in demo_library.search(q).hits]
                for q in queries]

    fast = run()
    assert whoosh_internals.FAST
    monkeypatch.setattr(whoosh_internals, "FAST", False)
    assert run() == fast
    with demo_library.index.searcher() as s:
        ranker = Ranker(s)
        docs = list(range(s.doc_count_all()))
        slow = ranker.positions("body", "missil", docs)
        monkeypatch.setattr(whoosh_internals, "FAST", True)
        assert slow and Ranker(s).positions("body", "missil", docs) == slow
