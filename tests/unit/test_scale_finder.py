"""The go-to finder at scale (issue 19), on small data: the word-prefix index the library keeps
(in step with every add, update and removal, gained by an older library, rebuilt by reindex),
the finder that queries it instead of indexing every title at start-up, and that follows the
library's changes in place."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rapidfuzz import utils
from test_finder import titles as finder_titles

from index.config import Settings
from index.core import Newsreader
from index.model import Article
from index.search import fuzzy
from index.search.fuzzy import TitleFinder
from index.storage import title_prefixes
from index.storage.database import bump_rev
from index.storage.library import Library
from index.storage.title_prefixes import StoredPrefixes, prefixes


# -- the go-to finder's word prefixes, kept in the library -------------------------------------
def _article(n: int, title: str) -> Article:
    return Article(title=title, paragraphs=[f"Body {n}."], url=f"https://example.com/t{n}")


def _stored_prefixes(library: Library) -> tuple[set[tuple[str, int]], dict[str, int]]:
    rows = {(r[0], r[1]) for r in library.query("SELECT prefix, article_id FROM title_prefixes")}
    counts = {r[0]: r[1] for r in library.query("SELECT prefix, n FROM title_prefix_counts")}
    return rows, {p: n for p, n in counts.items() if n}


def _expected_prefixes(library: Library) -> tuple[set[tuple[str, int]], dict[str, int]]:
    rows = {(p, i) for i, title in library.titles() for p in prefixes(title)}
    return rows, dict(Counter(p for p, _ in rows))


def test_title_prefixes_follow_adds_updates_and_removals(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    try:
        assert library.title_prefixes_current()  # a new library's are complete
        ids = [i for _, i in library.add_articles(
            [_article(n, t) for n, t in enumerate(["Oil prices rise", "Bush and Kerry vote",
                                                   "Red Sox win", "Oil, oil, OIL!"])]
        )]
        assert _stored_prefixes(library) == _expected_prefixes(library)
        assert ("oil", ids[3]) in _stored_prefixes(library)[0]
        # A new version of an article (same URL) under a new title, twice in one add, and
        # one whose title stays.
        library.add_articles([_article(0, "Gold prices fall"), _article(0, "Gold slumps"),
                              Article(title="Red Sox win", paragraphs=["New body."],
                                      url="https://example.com/t2")])
        rows, counts = _stored_prefixes(library)
        assert (rows, counts) == _expected_prefixes(library)
        assert ("gol", ids[0]) in rows and ("oil", ids[0]) not in rows and counts["oil"] == 1
        library.remove_articles([ids[3], 10**9])
        assert library.remove_article(ids[1])
        rows, counts = _stored_prefixes(library)
        assert (rows, counts) == _expected_prefixes(library)
        assert "oil" not in counts and {i for _, i in rows} == {ids[0], ids[2]}
    finally:
        library.close()


def test_a_failed_add_leaves_the_prefixes_as_they_were(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    try:
        library.add_articles([_article(1, "Oil prices rise")])
        before = _stored_prefixes(library)

        class Refuse:
            def prior(self, db: sqlite3.Connection, i: int) -> int | None:
                return None

            def stored(self, db: sqlite3.Connection, i: int, status: str, article_id: int) -> None:
                pass

            def done(self, db: sqlite3.Connection) -> None:
                raise RuntimeError("refused")

        with pytest.raises(RuntimeError):
            library.add_articles([_article(2, "Gold slumps")], link=Refuse())
        assert _stored_prefixes(library) == before
        assert [t for _, t in library.titles()] == ["Oil prices rise"]
    finally:
        library.close()


def test_a_library_from_before_the_prefixes_gains_them_and_reindex_rebuilds_them(
    small_library: Newsreader,
) -> None:
    library = small_library.library
    expected = _expected_prefixes(library)
    assert expected[0] and _stored_prefixes(library) == expected
    # What an older version left: no prefix tables, no mark.
    with library.transaction() as db:
        db.execute("DROP TABLE title_prefixes")
        db.execute("DROP TABLE title_prefix_counts")
        db.execute("DELETE FROM meta WHERE key = ?", (title_prefixes.CURRENT,))
    reopened = Library(library.directory)
    try:
        assert not reopened.title_prefixes_current()  # it has articles
        assert _stored_prefixes(reopened) == (set(), {})
        reopened.title_prefixes()  # the finder's first use indexes them, once
        assert reopened.title_prefixes_current()
        assert _stored_prefixes(reopened) == expected
    finally:
        reopened.close()
    with library.transaction() as db:  # damaged: rows lost, a stale one
        db.execute("DELETE FROM title_prefixes WHERE prefix LIKE 'p%'")
        db.execute("INSERT INTO title_prefixes VALUES ('zzz', 123456)")
    small_library.reindex()
    assert _stored_prefixes(library) == expected


def test_prefixes_behind_an_older_versions_writes_are_indexed_again(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    try:
        [(_, first), (_, second)] = library.add_articles(
            [_article(1, "Oil prices rise"), _article(2, "Red Sox win")])
        with library.transaction() as db:  # as a version without the tables writes
            rev = bump_rev(db)
            db.execute("UPDATE articles SET title = 'Gold slumps', rev = ? WHERE id = ?",
                       (rev, first))
            db.execute("DELETE FROM articles WHERE id = ?", (second,))
        assert not library.title_prefixes_current()
        library.title_prefixes()
        assert _stored_prefixes(library) == _expected_prefixes(library)
        assert {p for p, _ in _stored_prefixes(library)[0]} == {"g", "go", "gol", "s", "sl", "slu"}
    finally:
        library.close()


def test_indexing_an_older_library_resumes_where_it_stopped(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    try:
        library.add_articles([_article(n, t) for n, (_, t) in enumerate(finder_titles(50, 3))])
        with library.transaction() as db:
            title_prefixes.clear(db)
            assert title_prefixes.index_page(db, 20) == 20  # then the process was stopped
        assert not library.title_prefixes_current()
        reopened = Library(library.directory)
        try:
            calls: list[int] = []
            real = title_prefixes.index_page

            def counting(db: sqlite3.Connection, page: int) -> int | None:
                calls.append(page)
                return real(db, page)

            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(title_prefixes, "index_page", counting)
                reopened.index_title_prefixes(page=10)
            assert len(calls) == 4  # the 30 articles left, in three pages, then done
            assert reopened.title_prefixes_current()
            assert _stored_prefixes(reopened) == _expected_prefixes(reopened)
        finally:
            reopened.close()
    finally:
        library.close()


@pytest.fixture
def large_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    """2,000 titles over few words, with the finder's thresholds scaled down to match."""
    monkeypatch.setattr(fuzzy, "LARGE", 100)
    monkeypatch.setattr(fuzzy, "MAX_CANDIDATES", 300)
    library = Library(tmp_path / "large")
    library.add_articles([_article(n, t) for n, (_, t) in enumerate(finder_titles(2000, 7))])
    library.remove_articles([5, 50, 500])  # ids with gaps
    yield library
    library.close()


@pytest.mark.parametrize(
    "typed",
    ["o", "oil", "oil pr", "pri", "ba", "bat", "sea", "bush ker", "a", "i", "yan red so",
     "zzz", "oil zzz", "zzz oil", "us eu uk", "kerry bush yankees nasa", "oil oil"],
)
def test_the_stored_prefixes_give_the_candidates_and_results_of_the_memory_ones(
    large_library: Library, typed: str
) -> None:
    titles = large_library.titles()
    in_memory = TitleFinder(titles)
    stored = TitleFinder(large_library.iter_titles(), large_library.titles_of,
                         large_library.title_prefixes)
    assert isinstance(stored.prefix_index, StoredPrefixes)
    assert isinstance(in_memory.prefix_index, fuzzy.MemoryPrefixes)
    needle = utils.default_process(typed)
    assert stored.candidates(needle) == in_memory.candidates(needle)
    assert stored.find(typed, 30) == in_memory.find(typed, 30)


def test_the_core_finder_of_a_large_library_builds_no_prefixes_in_memory(
    large_library: Library, no_seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the prefixes were indexed in memory")

    reference = TitleFinder(large_library.titles())
    monkeypatch.setattr(fuzzy, "MemoryPrefixes", refuse)
    core = Newsreader(large_library.directory, no_seed_settings, library=large_library)
    try:
        for typed in ("bush kerry vote", "oil pri", "yankees"):
            found = core.find(typed, 5)
            assert found and found == reference.find(typed, 5)
        # Titles added later are found: the finder follows the library's revision.
        [(new_id, _)] = [(i, s) for s, i in large_library.add_articles(
            [_article(9999, "Zeppelin lands in Vienna")])]
        assert core.find("zeppelin vienna", 5)[0][:2] == (new_id, "Zeppelin lands in Vienna")
    finally:
        core.index.close()


def test_the_core_finder_follows_the_library_in_place(
    large_library: Library, no_seed_settings: Settings
) -> None:
    core = Newsreader(large_library.directory, no_seed_settings, library=large_library)
    try:
        finder = core.finder()
        [(_, added)] = large_library.add_articles([_article(9999, "Zeppelin lands in Vienna")])
        large_library.add_articles([_article(3, "Oil giants merge")])  # a new title for id 4
        large_library.remove_articles([1, 700])
        assert core.finder() is finder  # followed, not read again
        fresh = TitleFinder(large_library.iter_titles(), large_library.titles_of,
                            large_library.title_prefixes)
        assert (finder.ids, finder.processed) == (fresh.ids, fresh.processed)
        for typed in ("zeppelin vienna", "oil giants", "bush kerry vote", "oil pri"):
            assert core.find(typed, 10) == fresh.find(typed, 10)
        assert core.find("zeppelin vienna", 1)[0][:2] == (added, "Zeppelin lands in Vienna")
        # Removals all over the titles: a new finder, as right.
        large_library.remove_articles(list(range(10, 10 + 2 * fuzzy.UPDATE_MAX_MOVES + 8, 2)))
        assert core.finder() is not finder
        assert core.find("oil giants", 10) == TitleFinder(large_library.titles()).find(
            "oil giants", 10)
    finally:
        core.index.close()


def test_candidate_ids_find_their_titles_with_gaps_between_ids() -> None:
    finder = TitleFinder([(i, f"title {i}") for i in (2, 3, 7, 8, 20)])
    assert finder.positions([20, 8, 5, 3, 1, 100, 2]) == [4, 3, 1, 0]
    assert TitleFinder([]).positions([1]) == []
