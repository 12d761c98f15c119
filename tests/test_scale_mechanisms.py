"""What keeps costs from growing faster than the library (issue 19), on small data: the index's
segment merging, an add's geometric commits, the go-to finder's word prefixes kept in the
library. The scale run itself (bench/scale.py, up to 1M
articles) is part of the bench, never of this suite."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rapidfuzz import utils
from test_finder import titles as finder_titles

import index.search_index as search_index
from index import fuzzy, title_prefixes
from index.config import Settings
from index.core import Newsreader, commit_after
from index.fuzzy import TitleFinder
from index.library import Library
from index.model import Article
from index.search_index import MERGE_FACTOR, merge_level, segments_to_merge
from index.title_prefixes import StoredPrefixes, prefixes


def _segments(core: Newsreader) -> list[int]:
    """Documents per index segment."""
    with core.index.searcher() as s:
        return sorted(leaf.doc_count_all() for leaf, _ in s.reader().leaf_readers())


def _most_of_one_level(sizes: list[int]) -> int:
    levels = [merge_level(n) for n in sizes]
    return max(levels.count(x) for x in levels)


def _jsonl(path: Path, start: int, count: int) -> Path:
    rows = (
        {
            "title": f"Report {n} on harbour cranes",
            "body": f"Dockers in port {n} said the cranes moved {n % 7} containers. Word{n}.",
            "url": f"https://example.com/{n}",
        }
        for n in range(start, start + count)
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# -- the policy, as a function of segment sizes ----------------------------------------------------
def test_merge_levels_are_powers_of_the_factor() -> None:
    f = MERGE_FACTOR
    assert [merge_level(n) for n in (1, f - 1, f, f * f - 1, f * f)] == [0, 0, 1, 1, 2]


def test_a_full_level_is_merged_and_other_levels_are_left() -> None:
    f = MERGE_FACTOR
    small = [f * f + i for i in range(f)]  # one level, MERGE_FACTOR of them
    big = [f**6, f**6 + 1]  # another level, too few to merge
    sizes = [big[0], *small, big[1]]
    assert sorted(segments_to_merge(sizes)) == list(range(1, f + 1))
    assert segments_to_merge(small[:-1] + big) == []  # one short of a group


def test_merging_never_rewrites_more_than_the_budget(monkeypatch) -> None:
    f = MERGE_FACTOR
    sizes = [100] * f + [10_000] * f
    monkeypatch.setattr(search_index, "MERGE_MAX_DOCS", 100 * f)
    assert sorted(segments_to_merge(sizes)) == list(range(f))  # the small group only
    monkeypatch.setattr(search_index, "MERGE_MAX_DOCS", 100 * f - 1)
    assert segments_to_merge(sizes) == []


# -- the policy, on a real index ------------------------------------------------------------------
def _settings(settings: Settings, **ingest) -> Settings:
    from dataclasses import replace

    return replace(settings, ingest=replace(settings.ingest, **ingest))


def test_many_adds_leave_few_segments_and_every_article_once(
    tmp_path: Path, no_seed_settings: Settings
) -> None:
    """Adds of 60 articles each (one segment per add; Whoosh's MERGE_SMALL leaves segments of
    that size alone): the tiered merge keeps at most MERGE_FACTOR of a size (a full group is
    merged by the next commit)."""
    settings = _settings(no_seed_settings, index_in_background=False)
    core = Newsreader.open(tmp_path / "lib", settings)
    try:
        for n in range(2 * MERGE_FACTOR + 1):
            core.add([str(_jsonl(tmp_path / f"feed{n}.jsonl", n * 60, 60))])
            assert _most_of_one_level(_segments(core)) <= MERGE_FACTOR
        assert len(_segments(core)) < 2 * MERGE_FACTOR + 1
        # An update in place deletes a document in an older segment, later merged away.
        row = {
            "title": "Report 5 on harbour cranes",
            "body": "Rewritten: no cranes moved.",
            "url": "https://example.com/5",
        }
        (tmp_path / "update.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
        assert core.add([str(tmp_path / "update.jsonl")]).updated == 1
        for n in range(MERGE_FACTOR):
            core.add([str(_jsonl(tmp_path / f"more{n}.jsonl", 10_000 + n * 60, 60))])
        total = (3 * MERGE_FACTOR + 1) * 60
        assert _most_of_one_level(_segments(core)) <= MERGE_FACTOR
        found = core.search("harbour", limit=total + 10)
        assert found.total == total
        assert len({h.id for h in found.hits}) == total
        assert core.search("rewritten").total == 1
    finally:
        core.close()


def test_without_the_tiered_merge_the_segments_pile_up(
    tmp_path: Path, no_seed_settings: Settings, monkeypatch
) -> None:
    """The same adds with merging held to no documents: one segment per add (what the test
    above would see if the policy did nothing)."""
    monkeypatch.setattr(search_index, "MERGE_MAX_DOCS", 0)
    settings = _settings(no_seed_settings, index_in_background=False)
    core = Newsreader.open(tmp_path / "lib", settings)
    try:
        adds = MERGE_FACTOR + 2
        for n in range(adds):
            core.add([str(_jsonl(tmp_path / f"feed{n}.jsonl", n * 60, 60))])
        assert len(_segments(core)) == adds
    finally:
        core.close()


# -- an add's commits ------------------------------------------------------------------------------
def test_commits_of_an_add_grow_geometrically() -> None:
    every = 100
    done, stored, commits = 0, 0, []
    for _ in range(10):  # an add storing 100 articles at a time, 1,000 in all
        stored += 100
        if stored >= commit_after(every, done):
            commits.append(stored)
            done += stored
            stored = 0
    assert commits == [100, 100, 200, 400]  # the last 200 are committed at the end of the add


def test_a_large_add_commits_log_times(
    tmp_path: Path, no_seed_settings: Settings, monkeypatch
) -> None:
    """8,000 articles with index_every 1,000: commits after 1k, 2k, 4k and 8k articles stored
    (4), not after every 1,000 (8); the index holds each article once."""
    settings = _settings(no_seed_settings, index_every=1000, index_in_background=False)
    core = Newsreader.open(tmp_path / "lib", settings)
    commits: list[int] = []
    catch_up = core.catch_up

    def counted(wait: bool = True) -> None:
        catch_up(wait)
        commits.append(core.library.count())

    monkeypatch.setattr(core, "catch_up", counted)
    try:
        report = core.add([str(_jsonl(tmp_path / "big.jsonl", 0, 8000))])
        assert report.added == 8000
        assert commits == [1000, 2000, 4000, 8000, 8000]  # the last: the add's closing catch-up
        assert core.search("harbour", limit=5).total == 8000
        assert core.search("word7999").total == 1
    finally:
        core.close()


@pytest.mark.parametrize("every", [1, 1000])
def test_commit_after_is_never_below_the_setting(every: int) -> None:
    assert commit_after(every, 0) == every
    assert commit_after(every, 5000) == max(every, 5000)


# -- reads at open that follow what is needed, not the library -------------------------------------
def test_unread_count_follows_reads_and_removals(small_library: Newsreader) -> None:
    library = small_library.library
    ids = [a.id for a in library.summaries()]
    total = library.count()
    assert library.unread_count() == total
    library.set_read(ids[0])
    library.set_read(ids[1])
    library.set_read(ids[2], read=False)  # a reading-state row that is not "read"
    library.set_position(ids[3], 1)  # a position alone marks nothing read
    assert library.unread_count() == total - 2
    assert library.unread_count(total) == total - 2  # with the count already read
    library.remove_article(ids[0])  # its reading state goes with it
    assert library.unread_count() == total - 2


def test_titles_are_read_a_page_at_a_time(small_library: Newsreader) -> None:
    library = small_library.library
    assert list(library.iter_titles(batch=2)) == library.titles()
    some = [i for i, _ in library.titles()][:3]
    assert library.titles_of([*some, 10**9]) == {i: t for i, t in library.titles() if i in some}


def test_the_finder_keeps_only_processed_titles_and_finds_the_same(
    small_library: Newsreader,
) -> None:
    from index.fuzzy import TitleFinder

    library = small_library.library
    kept = TitleFinder(library.titles())
    looked_up = small_library.finder()
    assert looked_up.titles is None  # the core's: titles looked up for what is found
    for typed in ("palmyra", "vienna opera", "telescop galaxy", "cricket world"):
        assert looked_up.find(typed, 5) == kept.find(typed, 5)
        assert looked_up.find(typed, 5)  # found something, with its title as written


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
        assert title_prefixes.is_current(library._conn())  # a new library's are complete
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
        assert not title_prefixes.is_current(reopened._conn())  # it has articles
        assert _stored_prefixes(reopened) == (set(), {})
        reopened.title_prefixes()  # the finder's first use indexes them, once
        assert title_prefixes.is_current(reopened._conn())
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
            rev = Library._bump(db)
            db.execute("UPDATE articles SET title = 'Gold slumps', rev = ? WHERE id = ?",
                       (rev, first))
            db.execute("DELETE FROM articles WHERE id = ?", (second,))
        assert not title_prefixes.is_current(library._conn())
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
        assert not title_prefixes.is_current(library._conn())
        reopened = Library(library.directory)
        try:
            calls: list[int] = []
            real = title_prefixes.index_page

            def counting(db: sqlite3.Connection, page: int) -> int | None:
                calls.append(page)
                return real(db, page)

            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(title_prefixes, "index_page", counting)
                reopened._index_title_prefixes(page=10)
            assert len(calls) == 4  # the 30 articles left, in three pages, then done
            assert title_prefixes.is_current(reopened._conn())
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
    assert isinstance(stored._prefixes, StoredPrefixes)
    assert isinstance(in_memory._prefixes, fuzzy.MemoryPrefixes)
    needle = utils.default_process(typed)
    assert stored._prefilter(needle) == in_memory._prefilter(needle)
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
        assert (finder.ids, finder._processed) == (fresh.ids, fresh._processed)
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
