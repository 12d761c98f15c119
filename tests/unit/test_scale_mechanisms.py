"""What keeps costs from growing faster than the library (issue 19), on small data: the index's
segment merging, an add's geometric commits (the go-to finder's: test_scale_finder.py). The
scale run itself (bench/scale.py, up to 1M articles) is part of the bench, never of this
suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.config import Settings
from index.core import Newsreader, commit_after
from index.search.indexing import merge_policy
from index.search.indexing.merge_policy import MERGE_FACTOR, merge_level, segments_to_merge


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
    monkeypatch.setattr(merge_policy, "MERGE_MAX_DOCS", 100 * f)
    assert sorted(segments_to_merge(sizes)) == list(range(f))  # the small group only
    monkeypatch.setattr(merge_policy, "MERGE_MAX_DOCS", 100 * f - 1)
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
    monkeypatch.setattr(merge_policy, "MERGE_MAX_DOCS", 0)
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
    from index.search.fuzzy import TitleFinder

    library = small_library.library
    kept = TitleFinder(library.titles())
    looked_up = small_library.finder()
    assert looked_up.titles is None  # the core's: titles looked up for what is found
    for typed in ("palmyra", "vienna opera", "telescop galaxy", "cricket world"):
        assert looked_up.find(typed, 5) == kept.find(typed, 5)
        assert looked_up.find(typed, 5)  # found something, with its title as written
