"""Search: query syntax, broken syntax, snippets and passages, typo tolerance, completion,
reindexing, and an index that repairs itself.

Over 400 lines: the search tests share the small library of the conftest and the demo library;
ranking internals are in test_ranking.py and test_term_cache.py."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from index.config import Settings
from index.core import Newsreader
from index.model import Article, Hit, SearchResult
from index.search import text_analysis
from index.search.indexing.search_index import INDEX_VERSION, SearchIndex

PALMYRA = "Syrian troops retake Palmyra"
MISSILES = "Russian warships fire cruise missiles at Syria"
ELECTION = "Austria votes in a snap election"
HEATWAVE = "Heatwave grips southern Europe"
OPERA = "Vienna opera ball is cancelled"
GALAXY = "Telescope photographs a distant galaxy"
CRICKET = "England win the cricket world cup"


@pytest.fixture
def ids(small_library: Newsreader) -> dict[str, int]:
    return {a.title: a.id for a in small_library.list()}


def titles(core: Newsreader, query: str, **kw) -> set[str]:
    return {h.title for h in core.search(query, **kw).hits}


def exact(core: Newsreader, query: str, **kw) -> set[str]:
    """The hits holding every word typed (partial matches follow them: test_matching)."""
    return {h.title for h in core.search(query, **kw).hits if h.matched == "all"}


# -- syntax ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("palmyra", {PALMYRA, MISSILES}),
        ("Palmyra", {PALMYRA, MISSILES}),
        ("missile", {MISSILES}),  # stemmed: finds "missiles"
        ("vienna parliament", {ELECTION}),  # all words (partial matches: test_matching)
        ('"cruise missiles"', {MISSILES}),
        ('"missiles cruise"', set()),  # a phrase keeps its order
        ('"ancient city of palmyra"', {PALMYRA}),
        ("palmyra AND warships", {MISSILES}),
        ("palmyra OR cricket", {PALMYRA, MISSILES, CRICKET}),
        ("palmyra NOT warships", {PALMYRA}),
        ("palmyra AND NOT warships", {PALMYRA}),
        ("(vienna OR cricket) NOT opera", {ELECTION, CRICKET}),
        ("title:vienna", {OPERA}),  # "Vienna" is also in the election article's body
        ("title:(palmyra OR galaxy)", {PALMYRA, GALAXY}),
        ("source:reuters", {MISSILES, OPERA}),
        ("reuters", set()),  # plain words search titles and text, not the feed's name
        ("source:bbc", {HEATWAVE}),
        ('source:"bbc news"', {HEATWAVE}),
        ("vienna source:reuters", {OPERA}),
        ("said source:reuters", {MISSILES, OPERA}),
    ],
)
def test_query_syntax(small_library: Newsreader, query: str, expected: set[str]) -> None:
    assert exact(small_library, query, fuzzy=False) == expected


def test_pure_not_query_lists_each_other_article_once(small_library: Newsreader) -> None:
    result = small_library.search("NOT palmyra", limit=100)
    assert [h.title for h in result.hits].count(ELECTION) == 1
    assert {h.title for h in result.hits} == {ELECTION, HEATWAVE, OPERA, GALAXY, CRICKET}
    assert result.total == 5
    assert titles(small_library, "NOT palmyra NOT vienna") == {HEATWAVE, GALAXY, CRICKET}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date:2017", {MISSILES, HEATWAVE, OPERA}),
        ("date:2017-05", {MISSILES, OPERA}),
        ("date:2017-06", {HEATWAVE}),
        ("date:2017-05-31", {MISSILES}),
        ("date:2017-05-01..2017-06-30", {MISSILES, HEATWAVE, OPERA}),  # both ends included
        ("date:2017-05-02..2017-06-29", {MISSILES}),
        ("date:2017-06..", {HEATWAVE, GALAXY, CRICKET}),
        ("date:..2017-05-31", {MISSILES, OPERA}),
        ("date:..2017-05", {MISSILES, OPERA}),
        ("date:2018..2019", {GALAXY, CRICKET}),
        ("date:2020..", set()),
        ("date:2017 vienna", {OPERA}),
        ("vienna date:2017", {OPERA}),
        ("source:reuters date:2017-05-15..", {MISSILES}),
    ],
)
def test_date_filters(small_library: Newsreader, query: str, expected: set[str]) -> None:
    assert titles(small_library, query, fuzzy=False) == expected


def test_date_ranges_match_exactly(tmp_path: Path, no_seed_settings: Settings) -> None:
    """Any range finds exactly the articles dated inside it (checked against the dates)."""
    rng = random.Random(20170531)
    days = sorted(
        {(rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(60)}
    )
    core = Newsreader.open(tmp_path / "lib", no_seed_settings)
    try:
        dated = [
            Article(f"Story {i}", [f"Common words {i}."], date=f"{y}-{m:02}-{d:02}")
            for i, (y, m, d) in enumerate(days)
        ]
        core.index.index_articles(i for _, i in core.library.add_articles(dated))
        by_title = {a.title: a.date for a in dated}
        for _ in range(40):
            a, b = sorted(rng.sample(days, 2))
            low, high = f"{a[0]}-{a[1]:02}-{a[2]:02}", f"{b[0]}-{b[1]:02}-{b[2]:02}"
            for query, want in (
                (f"date:{low}..{high}", lambda d, lo=low, hi=high: lo <= d <= hi),
                (f"date:{low}..", lambda d, lo=low: d >= lo),
                (f"date:..{high}", lambda d, hi=high: d <= hi),
                (f"date:{a[0]}", lambda d, y=a[0]: d.startswith(f"{y}-")),
            ):
                expected = {t for t, d in by_title.items() if want(d)}
                assert titles(core, query, limit=100) == expected, query
    finally:
        core.close()


def test_sort_by_date_is_newest_first_with_undated_last(small_library: Newsreader) -> None:
    hits = small_library.search("said", sort="date").hits
    dates = [h.date for h in hits]
    assert {h.title for h in hits} == {PALMYRA, ELECTION, MISSILES, OPERA}
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and len(dated) == 2
    assert dates[len(dated) :] == [None, None]


def test_limit(small_library: Newsreader) -> None:
    everything = small_library.search("said", limit=100)
    assert everything.total == 4 and len(everything.hits) == 4
    two = small_library.search("said", limit=2)
    assert len(two.hits) == 2 and two.total == 4
    assert [h.id for h in two.hits] == [h.id for h in everything.hits[:2]]
    newest = small_library.search("said", limit=1, sort="date")
    assert [h.title for h in newest.hits] == [MISSILES]


def test_title_match_ranks_first(small_library: Newsreader) -> None:
    # "Vienna" is in the opera article's title and the election article's body.
    assert [h.title for h in small_library.search("vienna").hits] == [OPERA, ELECTION]


NASTY_QUERIES = [
    '"palmyra',
    'palmyra"',
    "(((",
    ")))",
    "((palmyra",
    "palmyra)",
    "()",
    '""',
    "AND",
    "OR OR OR",
    "NOT",
    "NOT NOT",
    "palmyra AND",
    "AND palmyra",
    "title:",
    "title:(vienna",
    "title:title:title:",
    "source:",
    "date:",
    "date:..",
    "date:2017-13-45",
    "date:2017-02-30",
    "date:0000",
    "date:2017-05-01..2017-06-30..2018",
    "*",
    "?",
    "pal*",
    "*myra",
    "foo:bar",
    "a:b:c",
    "palmyra~",
    "~2",
    "palmyra^3",
    "^",
    "{",
    "[",
    "[a TO]",
    "{a TO b]",
    "\\",
    "'",
    "palmyra " * 500,
    "x" * 5000,
    "\x00\x01\x02\x1b[2J\x1b]0;title\x07",
    "palmyra\x00",
    "[@click=app.quit]",
    "[bold]palmyra[/bold]",
    "<script>alert(1)</script>",
    "🚀",
    "北京",
    "\u202epalmyra",
    "   ",
    "",
]


@pytest.mark.parametrize("query", NASTY_QUERIES, ids=lambda q: repr(q[:30]))
def test_broken_syntax_never_raises(small_library: Newsreader, query: str) -> None:
    for options in ({}, {"sort": "date"}, {"prefix": True}, {"fuzzy": False}):
        result = small_library.search(query, **options)
        assert isinstance(result, SearchResult)
        assert result.total >= len(result.hits)
        for hit in result.hits:
            assert isinstance(hit, Hit)


@pytest.mark.parametrize(
    "query", ['"palmyra', 'palmyra"', "((palmyra", "palmyra)", "palmyra AND", "(palmyra"]
)
def test_broken_syntax_falls_back_to_the_words(small_library: Newsreader, query: str) -> None:
    assert titles(small_library, query, fuzzy=False) == {PALMYRA, MISSILES}


def test_unknown_field_is_searched_as_words(small_library: Newsreader) -> None:
    # `ministry:` is no field: the words are searched as typed.
    assert titles(small_library, "ministry:palmyra", fuzzy=False) == {PALMYRA, MISSILES}
    assert exact(small_library, '"russian warships', fuzzy=False) == {MISSILES}


# -- snippets and passages ------------------------------------------------------------------
def assert_highlights_point_at(hit: Hit, words: list[str]) -> None:
    stems = {text_analysis.stem(w) for w in words} - {""}
    text = hit.snippet.text
    for s, e in hit.snippet.highlights:
        assert 0 <= s < e <= len(text)
        assert text_analysis.stem(text[s:e]) in stems, (text[s:e], words)


def assert_snippet_from_passage(core: Newsreader, hit: Hit) -> None:
    paragraphs = core.get(hit.id).paragraphs
    assert 0 <= hit.passage < len(paragraphs)
    assert hit.snippet.text.strip("…").strip() in paragraphs[hit.passage]


@pytest.mark.parametrize(
    "query",
    [
        "palmyra",
        "zeppelin",
        "colonnade temple",
        "submarine krasnodar",
        '"cruise missiles"',
        "telescope",
        "hexagonal mirror",
        "vienna",
        "said",
    ],
)
def test_snippets_highlight_query_words(small_library: Newsreader, query: str) -> None:
    result = small_library.search(query, fuzzy=False)
    assert result.hits
    words = query.replace('"', " ").split()
    for hit in result.hits:
        assert_highlights_point_at(hit, words)
        assert_snippet_from_passage(small_library, hit)
    assert any(hit.snippet.highlights for hit in result.hits)


@pytest.mark.parametrize(
    ("query", "title", "passage"),
    [
        ("zeppelin", PALMYRA, 3),
        ("colonnade", PALMYRA, 2),
        ("krasnodar", MISSILES, 1),
        ("washington", MISSILES, 2),
        ("hexagonal", GALAXY, 2),
        ("lisbon", HEATWAVE, 1),
        ("refunded", OPERA, 1),
    ],
)
def test_passage_is_the_paragraph_with_the_match(
    small_library: Newsreader, query: str, title: str, passage: int
) -> None:
    [hit] = small_library.search(query, fuzzy=False).hits
    assert (hit.title, hit.passage) == (title, passage)
    paragraph = small_library.get(hit.id).paragraphs[hit.passage]
    assert query in paragraph.lower()
    assert [hit.snippet.text[s:e].lower() for s, e in hit.snippet.highlights] == [query]


def test_snippet_of_a_long_paragraph_centres_on_the_hit(
    tmp_path: Path, no_seed_settings: Settings
) -> None:
    filler = " ".join(f"word{i}" for i in range(400))
    long = f"{filler} the quetzal was seen here. {filler}"
    core = Newsreader.open(tmp_path / "lib", no_seed_settings)
    try:
        core.index.index_articles(
            i for _, i in core.library.add_articles([Article("Birds", ["Intro.", long])])
        )
        [hit] = core.search("quetzal").hits
        assert hit.passage == 1
        text = hit.snippet.text
        assert len(text) < len(long) / 4
        assert text.startswith("…") and text.endswith("…")
        assert [text[s:e] for s, e in hit.snippet.highlights] == ["quetzal"]
    finally:
        core.close()


def test_json_hit_shape(small_library: Newsreader) -> None:
    [hit] = small_library.search("zeppelin").hits
    data = hit.to_json()
    assert {"id", "title", "date", "source", "url", "score", "snippet", "passage"} <= set(data)
    assert data["passage"] == 3 and "zeppelin" in data["snippet"]
    json.dumps(data)


# -- typing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "meant", "title"),
    [
        ("palmira", "palmyra", PALMYRA),
        ("zepelin", "zeppelin", PALMYRA),
        ("krasnodra", "krasnodar", MISSILES),
        ("telescpoe", "telescope", GALAXY),
    ],
)
def test_typo_is_corrected(small_library: Newsreader, typed: str, meant: str, title: str) -> None:
    result = small_library.search(typed)
    assert result.corrected == meant
    assert title in {h.title for h in result.hits}
    for hit in result.hits:
        assert_highlights_point_at(hit, [meant])
    assert small_library.search(typed, fuzzy=False).hits == []


def test_no_correction_for_known_words(small_library: Newsreader) -> None:
    result = small_library.search("palmyra")
    assert result.corrected is None
    assert small_library.search("qwxzvbn").corrected is None  # nothing close: no guess


def test_prefix_completion(small_library: Newsreader) -> None:
    assert small_library.search("Palmy", fuzzy=False).hits == []
    assert titles(small_library, "Palmy", prefix=True) == {PALMYRA, MISSILES}
    assert exact(small_library, "russian warsh", prefix=True) == {MISSILES}
    assert titles(small_library, "zepp", prefix=True, fuzzy=False) == {PALMYRA}
    # A finished word (trailing space) is not completed.
    assert small_library.search("Palmy ", prefix=True, fuzzy=False).hits == []


# -- updates --------------------------------------------------------------------------------
def test_an_update_replaces_the_indexed_article(small_library: Newsreader, tmp_path: Path) -> None:
    # Search first, so the long-lived searcher exists when the update is committed.
    assert titles(small_library, "zeppelin") == {PALMYRA}
    path = tmp_path / "articles" / "palmyra.txt"
    for n, word in enumerate(["dirigible", "blimp", "balloon", "airship"]):
        text = path.read_text("utf-8")
        old = "zeppelin" if n == 0 else ["dirigible", "blimp", "balloon"][n - 1]
        code = ["alpha", "bravo", "charlie", "delta"][n]
        path.write_text(text.replace(old, word) + f"\nCheckpoint {code}.\n", "utf-8")
        assert small_library.add([str(path)]).updated == 1
        assert titles(small_library, word, fuzzy=False) == {PALMYRA}
        assert small_library.search(old, fuzzy=False).hits == []
        hits = small_library.search("palmyra OR said", limit=50).hits
        assert len(hits) == len({h.id for h in hits}) == 4  # each article once
        [hit] = small_library.search(code, fuzzy=False).hits
        assert hit.passage == 4 + n


def test_changes_by_another_process_are_seen(
    small_library: Newsreader, tmp_path: Path, no_seed_settings: Settings
) -> None:
    assert titles(small_library, "palmyra") == {PALMYRA, MISSILES}
    other = Newsreader.open(tmp_path / "library", no_seed_settings)
    try:
        story = tmp_path / "other.txt"
        story.write_text("Palmyra theatre restored\n\nThe Roman theatre reopened.\n", "utf-8")
        assert other.add([str(story)]).added == 1
        path = tmp_path / "articles" / "palmyra.txt"
        path.write_text(path.read_text("utf-8").replace("zeppelin", "kite"), "utf-8")
        assert other.add([str(path)]).updated == 1
    finally:
        other.close()
    hits = small_library.search("palmyra", limit=50).hits
    assert sorted(h.title for h in hits) == sorted([PALMYRA, MISSILES, "Palmyra theatre restored"])
    assert small_library.search("zeppelin", fuzzy=False).hits == []


# -- reindex --------------------------------------------------------------------------------
QUERIES = [
    "palmyra",
    "said",
    "vienna",
    "NOT palmyra",
    '"cruise missiles"',
    "date:2017",
    "source:reuters",
    "title:vienna OR galaxy",
    "palmira",
    "the world",
]


def snapshot(core: Newsreader, queries: list[str], **kw) -> list[tuple]:
    out = []
    for q in queries:
        r = core.search(q, limit=50, **kw)
        out.append((q, r.total, r.corrected, [(h.id, h.passage) for h in r.hits]))
    return out


def by_date(core: Newsreader, queries: list[str]) -> list[tuple]:
    """Date-sorted results as (date, ids of that date): articles of the same day (or undated)
    keep the index's order among themselves, which updates change."""
    out = []
    for q in queries:
        groups: dict[str | None, set[int]] = {}
        for h in core.search(q, limit=50, sort="date").hits:
            groups.setdefault(h.date, set()).add(h.id)
        out.append((q, list(groups.items())))
    return out


def test_reindex_gives_the_same_results(
    small_library: Newsreader, tmp_path: Path, article_files
) -> None:
    # Several commits and an update in place leave deleted documents and segments behind.
    extra = [
        {
            "file": "more.txt",
            "title": "Palmyra museum reopens",
            "date": None,
            "source": None,
            "url": None,
            "paragraphs": ["The museum in Palmyra reopened.", "Vienna sent experts."],
        }
    ]
    small_library.add([str(p) for p in article_files(tmp_path / "more", extra)])
    path = tmp_path / "articles" / "election.txt"
    path.write_text(path.read_text("utf-8") + "\nThe count finished on Monday.\n", "utf-8")
    assert small_library.add([str(path)]).updated == 1

    before = snapshot(small_library, QUERIES)
    before_date = by_date(small_library, QUERIES)
    count = small_library.reindex()
    assert count == len(small_library.list())
    assert snapshot(small_library, QUERIES) == before
    assert by_date(small_library, QUERIES) == before_date


# -- the index repairs itself ---------------------------------------------------------------
def _files(index_dir: Path, suffix: str = "") -> list[Path]:
    return [p for p in index_dir.iterdir() if p.is_file() and p.name.endswith(suffix)]


def _garbage_all(d: Path) -> None:
    for p in _files(d):
        p.write_bytes(b"\x00garbage\xff" * 64)


def _segment_files(d: Path) -> list[Path]:
    """Every file of every segment (postings, terms, columns…): not the table of contents
    (_MAIN_n.toc), the lock, or the state file."""
    found = [p for p in _files(d) if p.name.startswith("MAIN_") and "." in p.name]
    assert found
    return found


def _garbage_segments(d: Path) -> None:
    for p in _segment_files(d):
        p.write_bytes(b"not a segment " * 1000)


def _truncate_all(d: Path) -> None:
    for p in _files(d):
        p.write_bytes(b"")


def _truncate_segments_half(d: Path) -> None:
    for p in _segment_files(d):
        p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _delete_segments(d: Path) -> None:
    for p in _segment_files(d):
        p.unlink()


def _garbage_toc(d: Path) -> None:
    for p in _files(d, ".toc"):
        p.write_bytes(b"\x07" * 200)


def _other_version(d: Path) -> None:
    state = json.loads((d / SearchIndex.STATE).read_text("utf-8"))
    state["version"] = INDEX_VERSION + 1
    (d / SearchIndex.STATE).write_text(json.dumps(state), "utf-8")


def _garbage_state(d: Path) -> None:
    (d / SearchIndex.STATE).write_text("{{{ not json", "utf-8")


def _other_library(d: Path) -> None:
    state = json.loads((d / SearchIndex.STATE).read_text("utf-8"))
    state["library_id"] = "someone-else"
    (d / SearchIndex.STATE).write_text(json.dumps(state), "utf-8")


def _garbage_postings(d: Path) -> None:
    """Overwrite only the postings of each segment: the index opens fine and the damage
    shows when a search reads them."""
    postings = _files(d, ".pst")
    assert postings
    for p in postings:
        p.write_bytes(b"A" * p.stat().st_size)


DAMAGE = {
    "deleted": lambda d: shutil.rmtree(d),
    "replaced by a file": lambda d: (shutil.rmtree(d), d.write_text("not a folder")),
    "garbage in every file": _garbage_all,
    "garbage segments": _garbage_segments,
    "truncated files": _truncate_all,
    "half-truncated segments": _truncate_segments_half,
    "segments deleted": _delete_segments,
    "garbage table of contents": _garbage_toc,
    "state of another version": _other_version,
    "garbage state": _garbage_state,
    "state of another library": _other_library,
    "garbage postings": _garbage_postings,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_index_rebuilds_itself(
    small_library: Newsreader, tmp_path: Path, no_seed_settings: Settings, damage: str
) -> None:
    before = snapshot(small_library, QUERIES)
    index_dir = small_library.index.path
    small_library.close()
    DAMAGE[damage](index_dir)

    messages: list[str] = []
    core = Newsreader.open(tmp_path / "library", no_seed_settings, notify=messages.append)
    try:
        assert snapshot(core, QUERIES) == before
        assert any("rebuilding" in m for m in messages), messages
        assert core.stats()["index_bytes"] > 0
    finally:
        core.close()
    # Repaired for good: the next opening is silent.
    messages.clear()
    core = Newsreader.open(tmp_path / "library", no_seed_settings, notify=messages.append)
    try:
        assert snapshot(core, QUERIES) == before
        assert messages == []
    finally:
        core.close()


def test_new_library_builds_its_index_silently(tmp_path: Path, no_seed_settings: Settings) -> None:
    messages: list[str] = []
    core = Newsreader.open(tmp_path / "new", no_seed_settings, notify=messages.append)
    try:
        assert messages == []
        assert core.search("anything").hits == []
    finally:
        core.close()


# -- catch-up -------------------------------------------------------------------------------
def test_articles_stored_without_indexing_are_found_after_reopening(
    small_library: Newsreader, tmp_path: Path, no_seed_settings: Settings
) -> None:
    # As after a crash between the library commit and the index commit, or another process.
    small_library.library.add_articles(
        [
            Article(
                "Okapi sighted",
                ["A rare okapi was filmed in the Congo.", "Rangers cheered."],
                date="2021-03-04",
                source="Field Notes",
            ),
        ]
    )
    gone = small_library.search("cricket").hits[0].id
    assert small_library.library.remove_article(gone)
    small_library.close()

    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    try:
        [hit] = core.search("okapi").hits
        assert (hit.title, hit.passage) == ("Okapi sighted", 0)
        assert titles(core, "source:field date:2021") == {"Okapi sighted"}
        assert core.search("cricket", fuzzy=False).hits == []
        assert titles(core, "palmyra") == {PALMYRA, MISSILES}
    finally:
        core.close()


def test_warm_up_reads_the_most_common_words_before_any_search(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.search import searching
    from index.search.ranking import term_postings

    search_ = demo_library.searching
    vocab = search_.vocabulary()
    common = max(
        (w for w in vocab.terms if text_analysis.stem(w)), key=vocab.frequency
    )
    expected = demo_library.search(common, limit=5)
    assert expected.total > 10
    # A library this small has no word common enough to read ahead: nothing is read.
    search_.forget_postings()
    assert search_.warm_up() == 0
    assert not search_.ranker or not list(search_.ranker.cache)
    # A fresh ranker (as after a reopen), then the warm-up of every word in 10 articles or
    # more, with a budget of a few words.
    search_.forget_postings()
    monkeypatch.setattr(searching, "PRELOAD_MIN_ARTICLES", 10)
    monkeypatch.setattr(searching, "PRELOAD_POSTINGS", 3 * expected.total)
    monkeypatch.setattr(searching, "PRELOAD_FILTER_POSTINGS", 0)  # the next test's
    read = search_.warm_up()
    assert read > 0
    cache = search_.ranker.cache
    assert ("body", text_analysis.stem(common), 1.0) in cache
    # The demo's articles have several paragraphs: a hit's best one is found from the
    # words' passage postings, read too.
    assert demo_library.library.passage_count() > demo_library.library.count()
    assert ("ptext", text_analysis.stem(common), 1.0) in cache
    # The budget holds: no more words were read once it was spent.
    assert read - max(len(cache.get(k) or {}) for k in cache) < 3 * expected.total

    read_term = term_postings.TermPostings.read

    def no_reads(self, q, values=None):
        # (A hit's best passage is looked up by its article: that term is read as usual.)
        assert q.fieldname not in ("title", "body", "ptext"), f"read {q} again"
        return read_term(self, q, values)

    monkeypatch.setattr(term_postings.TermPostings, "read", no_reads)
    got = demo_library.search(common, limit=5)
    assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in expected.hits]
    assert got.total == expected.total


def test_warm_up_reads_the_most_common_sources_after_the_words(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source in a large share of the library is read at warm-up, most common first,
    within its budget; a search filtered by it then reads no source again and finds what it
    found before."""
    from index.search import searching
    from index.search.ranking import term_postings

    search_ = demo_library.searching
    text = "source:wikinews missiles"
    expected = demo_library.search(text, limit=5)
    assert expected.total > 0
    monkeypatch.setattr(searching, "PRELOAD_MIN_ARTICLES", 10)
    monkeypatch.setattr(searching, "PRELOAD_POSTINGS", 0)
    # A budget of one posting: only the most common filter is read, a word of the demo's
    # source ("Wikinews (en)"), which nearly every article has.
    monkeypatch.setattr(searching, "PRELOAD_FILTER_POSTINGS", 1)
    search_.forget_postings()
    first = search_.warm_up()
    [key] = list(search_.ranker.cache)
    assert key[0] == "source" and first == search_.ranker.doc_frequency(*key[:2])
    assert first > 0.9 * demo_library.library.count()
    # With room for more, the source's other word follows (names are not read ahead).
    monkeypatch.setattr(searching, "PRELOAD_FILTER_POSTINGS", 10 * first)
    search_.forget_postings()
    read = search_.warm_up()
    ranker_ = search_.ranker
    keys = list(ranker_.cache)
    assert {k[:2] for k in keys} == {("source", text_analysis.stem("wikinews")), ("source", "en")}
    assert read == sum(ranker_.doc_frequency(*k[:2]) for k in keys)

    def no_filter_reads(name):
        original = getattr(term_postings.TermPostings, name)

        def read(self, q, *args):
            assert q.fieldname != "source", f"read {q} again"
            return original(self, q, *args)
        return read

    for name in ("read", "read_at"):
        monkeypatch.setattr(term_postings.TermPostings, name, no_filter_reads(name))
    got = demo_library.search(text, limit=5)
    assert [(h.id, h.score) for h in got.hits] == [(h.id, h.score) for h in expected.hits]
    assert got.total == expected.total
