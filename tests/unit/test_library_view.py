"""The facade's library-only half (index.library_view): what the reader lists before and after
the search side is open, narrowed to a feed or a group of feeds, with its counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feed_server import FeedServer, rss

from index.config import Settings
from index.core import Newsreader
from index.library_view import LibraryView


@pytest.fixture
def feeds(
    tmp_path: Path, no_seed_settings: Settings, feed_server: FeedServer
) -> Iterator[tuple[Newsreader, dict[str, int]]]:
    """A library of three feeds: "news" in group News, "world" in News/World and "room" in
    Newsroom (whose name starts like News's), and one article added from a file."""
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    ids = {}
    for name, group, n in (("news", "News", 2), ("world", "News/World", 3),
                           ("room", "Newsroom", 1)):
        # Story i of a feed is dated May i+1: newest first is highest i first.
        stories = [{"title": f"{name} story {i}", "link": f"http://news.test/{name}/{i}",
                    "description": f"<p>Paragraph of {name} {i}.</p>",
                    "date": f"Mon, 0{i + 1} May 2017 10:00:00 GMT"} for i in range(n)]
        url = feed_server.serve(f"/{name}.xml", rss(stories, title=name))
        report = core.feeds.subscribe([url], group=group)
        assert not report.failures and core.feeds.refresh(prefetched=report.fetched).added == n
        ids[name] = report.added[0].id
    (tmp_path / "own.txt").write_text("An article of my own\n\nNo feed brought it.\n", "utf-8")
    assert core.add([str(tmp_path / "own.txt")]).added == 1
    yield core, ids
    core.close()


def titles(rows) -> list[str]:
    return [r.title for r in rows]


def test_a_feed_or_a_group_narrows_the_list_and_its_counts(feeds) -> None:
    core, ids = feeds
    assert titles(core.articles(feed_id=ids["world"])) == [
        "world story 2", "world story 1", "world story 0"]  # newest first
    # A group holds the groups inside it ("News/World"), not a group named like it ("Newsroom").
    news = core.articles(group="News", sort="title")
    assert titles(news) == ["news story 0", "news story 1",
                            "world story 0", "world story 1", "world story 2"]
    assert titles(core.articles(group="News/World", limit=1)) == ["world story 2"]
    # The filter's words within the feed or group.
    assert titles(core.articles("story 1", group="News", sort="title")) == [
        "news story 1", "world story 1"]
    assert core.counts() == (7, 7)
    assert core.counts(group="News") == (5, 5)
    assert core.counts(feed_id=ids["room"]) == (1, 1)

    core.mark_read(news[0].id)
    core.mark_read(core.articles("own")[0].id)
    assert core.counts(group="News") == (5, 4)
    assert core.unread_count(group="News") == 4
    assert core.unread_count(feed_id=ids["news"]) == 1
    assert core.unread_count() == 5
    assert core.read_ids([r.id for r in news]) == {news[0].id}


def test_subscriptions_come_with_their_counts(feeds) -> None:
    core, ids = feeds
    core.mark_read(core.articles(feed_id=ids["world"])[0].id)
    found = {f.id: (f.group, f.articles, f.unread) for f in core.subscriptions()}
    assert found == {ids["news"]: ("News", 2, 2), ids["world"]: ("News/World", 3, 2),
                     ids["room"]: ("Newsroom", 1, 1)}


def test_a_view_opened_alone_reads_what_the_core_wrote(feeds, tmp_path: Path) -> None:
    core, ids = feeds
    folder = tmp_path / "library"
    assert LibraryView.exists(folder) and not LibraryView.exists(tmp_path / "none")
    view = LibraryView.open_library(folder)
    try:
        assert not view.created and view.rev == core.rev
        assert titles(view.articles(feed_id=ids["room"])) == ["room story 0"]
        assert view.counts(group="Newsroom") == (1, 1)
        # A read marked by the core, seen by the other connection at once.
        core.mark_read(view.articles(feed_id=ids["room"])[0].id)
        assert view.unread_count(group="Newsroom") == 0
    finally:
        view.library.close()


def test_no_scope_is_the_whole_library_and_an_unknown_feed_holds_nothing(feeds) -> None:
    core, _ = feeds
    assert len(core.articles(feed_id=None, group=None)) == 7
    assert core.articles(feed_id=10_000) == [] and core.counts(feed_id=10_000) == (0, 0)
