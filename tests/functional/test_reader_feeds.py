"""Pilot tests for the reader's feeds (issue 16): the feeds screen's groups and counts, the
library narrowed to a feed or group, `R` refreshing over real HTTP from a local server while
the list fills in feed by feed, failures shown, `u`/`U` next and previous unread, and the
refreshes the reader starts by itself (ui.refresh_on_start, ui.auto_refresh).

Waiting is by condition. While the local server holds a feed's response on purpose, the tests
poll the screen (`soon`) instead of waiting for every worker to finish (the refresh worker is
the one being held).

Over 400 lines: every test drives one app against the same local feed server and library
fixtures (the first 180 lines); apart, each part would carry a copy of them."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from feed_server import FeedServer
from reader_feed_server import Item, feed
from reader_helpers import (
    DEADLINE_S,
    library_loaded,
    library_rows,
    palette_prompts,
    screen_text,
    status,
    until,
)
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from index.config import Settings
from index.core import Newsreader
from reader.app import NewsreaderApp
from reader.launch import make_app
from reader.screens.article import ArticleScreen
from reader.screens.feeds import FeedsScreen, FeedTable, feed_rows
from reader.screens.help import HelpScreen
from reader.screens.library import LibraryScreen

SIZE = (100, 30)
MARKUP_FEED = "[bold]Loud[/bold] [@click=app.quit]feed"


def items(word: str, n: int, day: int = 1) -> list[Item]:
    """n items titled "<word> story k", newest first, one day apart from 2026-11-`day`."""
    return [
        Item(
            f"{word}-{k}",
            f"{word.title()} story {k}",
            f"The {word} report number {k}.",
            f"{day + n - k:02d} Nov 2026 08:00:00 GMT",
        )
        for k in range(1, n + 1)
    ]


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    return feed_server


@pytest.fixture
def world(tmp_path: Path, no_seed_settings: Settings, server: FeedServer, article_files) -> Path:
    """A closed library with one article from a file and five subscriptions, fetched once:
    Weather Notes (no group), News > World Wire, News/Local > Harbour News, Tech > Gadget
    Blog, and Tech > a feed that answers 404. One Harbour article is read."""
    feeds = [
        ("/weather.xml", "Weather Notes", "", items("weather", 1)),
        ("/world.xml", "World Wire", "News", items("world", 2)),
        ("/harbour.xml", "Harbour News", "News/Local", items("harbour", 3)),
        ("/gadgets.xml", "Gadget Blog", "Tech", items("gadget", 2)),
    ]
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    try:
        files = article_files(
            tmp_path / "files",
            [
                {
                    "file": "local.txt",
                    "title": "A local article from a file",
                    "date": None,
                    "source": None,
                    "url": None,
                    "paragraphs": ["Nothing to do with feeds."],
                }
            ],
        )
        assert core.add([str(f) for f in files]).added == 1
        for path, title, group, its in feeds:
            url = feed(server, path, title, its)
            assert core.feeds.subscribe([url], group=group, fetch=False).added
        assert core.feeds.subscribe([server.url("/broken.xml")], group="Tech", fetch=False).added
        report = core.feeds.refresh()
        assert report.added == 8 and report.failed == 1
        harbour = next(f for f in core.feeds.list() if f.title == "Harbour News")
        core.mark_read(core.feeds.article_ids([harbour.id])[0])
    finally:
        core.close()
    return tmp_path / "library"


def subscribed(library: Path, settings: Settings, urls: list[str], fetch: bool = False) -> None:
    """Subscribe the library to `urls` (without fetching them, unless `fetch`)."""
    core = Newsreader.open(library, settings)
    try:
        ids = [f.id for url in urls for f in core.feeds.subscribe([url], fetch=False).added]
        assert len(ids) == len(urls)
        if fetch:
            assert not core.feeds.refresh(ids).failed
    finally:
        core.close()


def drive(
    app: App,
    scenario: Callable[[Pilot], Awaitable[None]],
    notifications: bool = False,
    wait_for_workers: bool = True,
) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE, notifications=notifications) as pilot:
            ready = lambda: app.core is not None and library_loaded(app)  # noqa: E731
            if wait_for_workers:
                await until(pilot, ready, "the library to open")
            else:
                await soon(pilot, ready, "the library to open")
            await scenario(pilot)

    asyncio.run(main())


async def soon(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition()` holds, without waiting for its workers."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)


def toasts(app: App) -> str:
    """What is on screen, toasts' wrapped lines joined back: one space between words."""
    return " ".join(screen_text(app).replace("▌", " ").split())


def titles(app: App) -> list[str]:
    return [t for _, t in library_rows(app) or []]


def counts_line(app: App) -> str:
    screen = app.library_screen()
    return str(screen.query_one("#counts", Static).content)


async def open_feeds(pilot: Pilot) -> FeedsScreen:
    await pilot.press("F")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, FeedsScreen) and pilot.app.screen.loaded,
        "the feeds screen",
    )
    return pilot.app.screen


async def choose(pilot: Pilot, screen: FeedsScreen, label: str) -> None:
    """Move to the row labelled `label` with g and j, as a person would, and press enter."""
    n = [r.label for r in screen.rows].index(label)
    await pilot.press("g", *["j"] * n)
    assert screen.query_one(FeedTable).cursor_row == n
    await pilot.press("enter")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, LibraryScreen) and library_loaded(pilot.app),
        "the library",
    )


# -- the feeds screen -----------------------------------------------------------------------
def test_feeds_screen_shows_groups_with_summed_counts_and_marks_the_failing_feed(
    no_seed_settings, world
):
    app = make_app(no_seed_settings, world)

    async def scenario(pilot: Pilot) -> None:
        screen = await open_feeds(pilot)
        shape = [(r.depth, r.label, r.articles, r.unread, r.feed is None) for r in screen.rows]
        assert shape == [
            (0, "Weather Notes", 1, 1, False),
            (0, "News", 5, 4, True),  # World Wire 2 + Harbour News 3, one of them read
            (1, "World Wire", 2, 2, False),
            (1, "Local", 3, 2, True),
            (2, "Harbour News", 3, 2, False),
            (0, "Tech", 2, 2, True),
            (1, "Gadget Blog", 2, 2, False),
            (1, screen.rows[-1].feed.url if screen.rows[-1].feed else "?", 0, 0, False),
        ]
        text = screen_text(app)
        assert "5 feeds · 3 groups · 7 unread · 1 failing" in text
        assert "✗ HTTP 404" in text  # the failing feed, in its row
        assert "✗ 1 failing" in text  # and its group
        table = screen.query_one(FeedTable)
        assert str(table.get_cell_at((4, 0))).strip() == "Harbour News"
        assert str(table.get_cell_at((4, 3))) != "never"  # last fetched
        # The failing feed's whole error and address under the list.
        await pilot.press("G")
        detail = str(screen.query_one("#feed-detail", Static).content)
        assert "/broken.xml" in detail and "failed 1× in a row" in detail and "HTTP 404" in detail
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")

    drive(app, scenario)


def test_feed_rows_nest_groups_whatever_their_names_sort_like() -> None:
    from index.model import Feed

    def feed(i: int, group: str, title: str, unread: int) -> Feed:
        return Feed(
            i, f"http://x/{i}", title, group, None, False, "", articles=unread, unread=unread
        )

    rows = feed_rows(
        [
            feed(1, "A", "a1", 1),
            feed(2, "A B", "ab", 2),
            feed(3, "A/B", "a-b", 4),
            feed(4, "", "top", 8),
            feed(5, "A/B/C", "deep", 16),
        ]
    )
    assert [(r.depth, r.label, r.unread) for r in rows] == [
        (0, "top", 8),
        (0, "A", 21),
        (1, "a1", 1),
        (1, "B", 20),
        (2, "a-b", 4),
        (2, "C", 16),
        (3, "deep", 16),
        (0, "A B", 2),
        (1, "ab", 2),
    ]


# -- enter: the library narrowed to a feed or a group -------------------------------------
def test_enter_shows_a_feed_or_group_in_the_library_with_the_text_filter_and_sort(
    no_seed_settings, world
):
    app = make_app(no_seed_settings, world)

    async def scenario(pilot: Pilot) -> None:
        everything = titles(app)
        assert len(everything) == 9
        await pilot.press("G")
        await choose(pilot, await open_feeds(pilot), "Harbour News")
        assert titles(app) == ["Harbour story 1", "Harbour story 2", "Harbour story 3"]
        assert counts_line(app).startswith("feed: Harbour News · 3 articles · 2 unread")
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 0  # another list: from its top
        # Reading one of them counts down the feed's unread, not the library's.
        unread_row = next(n for n, (mark, _) in enumerate(library_rows(app)) if mark == "•")
        await pilot.press(*["j"] * unread_row, "enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None,
            "the article",
        )
        await pilot.press("escape")
        await until(pilot, lambda: "· 1 unread" in counts_line(app), "the feed's unread count")
        assert counts_line(app).startswith("feed: Harbour News · 3 articles · 1 unread")
        await choose(pilot, await open_feeds(pilot), "News")  # the group, Local inside it
        assert sorted(titles(app)) == sorted(
            [
                "World story 1",
                "World story 2",
                "Harbour story 1",
                "Harbour story 2",
                "Harbour story 3",
            ]
        )
        assert "group: News · 5 articles · 3 unread" in counts_line(app)  # one more read now
        # The text filter and the sort apply inside the group.
        await pilot.press("f", *"story 2", "enter")
        await until(pilot, lambda: titles(app) and len(titles(app)) == 2, "the filtered rows")
        await pilot.press("s")  # sort by title
        await until(
            pilot, lambda: "sorted by title" in counts_line(app) and library_loaded(app), "the sort"
        )
        assert titles(app) == ["Harbour story 2", "World story 2"]
        assert "group: News" in counts_line(app) and "2 shown" in counts_line(app)
        # escape clears one at a time: the text first, then the group.
        await pilot.press("escape")
        await until(pilot, lambda: len(titles(app)) == 5, "the group without the text")
        assert titles(app) == sorted(titles(app))  # still by title
        await pilot.press("escape")
        await until(pilot, lambda: len(titles(app)) == 9, "every article")
        assert "group:" not in counts_line(app)
        assert sorted(titles(app)) == sorted(everything)

    drive(app, scenario)


# -- R: refresh over HTTP -------------------------------------------------------------------
def test_R_refreshes_and_lists_each_feed_as_it_is_stored_without_blocking(
    tmp_path, no_seed_settings, server
):
    library = tmp_path / "library"
    fast = feed(server, "/fast.xml", "Fast Feed", items("fast", 2))
    slow = feed(server, "/slow.xml", "Slow Feed", items("slow", 2))
    subscribed(library, no_seed_settings, [fast, slow])
    gate = server.hold("/slow.xml")
    app = make_app(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        try:
            assert titles(app) == []
            await pilot.press("R")
            # The fast feed's articles are listed while the slow one is still being fetched.
            await soon(pilot, lambda: "Fast story 1" in titles(app), "the fast feed's articles")
            assert server.count("/slow.xml") == 1 and not gate.is_set()
            assert "Slow story 1" not in titles(app)
            assert "refreshing 1/2: Fast Feed…" in counts_line(app)
            # The UI answers meanwhile: the feeds screen opens and comes back.
            await pilot.press("F")
            await soon(
                pilot,
                lambda: isinstance(app.screen, FeedsScreen) and app.screen.loaded,
                "the feeds screen during the refresh",
            )
            assert "refreshing 1/2" in screen_text(app)
            await pilot.press("escape")
            await soon(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        finally:
            gate.set()
        await soon(
            pilot,
            lambda: not app.feed_refresher.running and len(titles(app)) == 4,
            "the slow feed's articles",
        )
        assert sorted(titles(app)) == [
            "Fast story 1",
            "Fast story 2",
            "Slow story 1",
            "Slow story 2",
        ]
        assert "refreshing" not in counts_line(app)
        await soon(
            pilot,
            lambda: "refreshed 2 feeds: +4 new, 0 updated, 0 failed" in toasts(app),
            "the summary",
        )
        # A second refresh brings what the feed has gained since, at the top of the list.
        feed(server,
            "/fast.xml",
            "Fast Feed",
            [
                Item("fast-0", "Fast story zero", "New.", "07 Dec 2026 08:00:00 GMT"),
                *items("fast", 2),
            ],
        )
        await pilot.press("j")
        table = app.screen.query_one(DataTable)
        row = table.cursor_row
        reading = titles(app)[row]
        rebuilds = app.screen.generation
        await pilot.press("R")
        await until(pilot, lambda: len(titles(app)) == 5, "the new article")
        assert titles(app)[0] == "Fast story zero"
        assert app.screen.generation == rebuilds  # the new row added, the others kept
        # The cursor stayed on the article it was on, one row lower now.
        assert titles(app)[table.cursor_row] == reading and table.cursor_row == row + 1
        # Its articles are searchable once the refresh is done (indexed at its end).
        assert [h.title for h in app.core.search("zero").hits] == ["Fast story zero"]

    drive(app, scenario, notifications=True)


def test_R_while_a_refresh_runs_says_so_and_starts_no_second_one(
    tmp_path, no_seed_settings, server
):
    library = tmp_path / "library"
    subscribed(library, no_seed_settings, [feed(server, "/a.xml", "Feed A", items("a", 1))])
    gate = server.hold("/a.xml")
    app = make_app(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        try:
            await pilot.press("R")
            await soon(pilot, lambda: server.count("/a.xml") == 1, "the request")
            await pilot.press("R")
            await soon(pilot, lambda: "Already refreshing 1 feed" in toasts(app), "the toast")
        finally:
            gate.set()
        await soon(
            pilot, lambda: not app.feed_refresher.running and titles(app), "the refresh to end"
        )
        assert server.count("/a.xml") == 1

    drive(app, scenario, notifications=True)


def test_quitting_during_a_refresh_waits_for_the_feed_being_fetched_and_says_so(
    tmp_path, no_seed_settings, server
):
    library = tmp_path / "library"
    urls = [feed(server, f"/f{n}.xml", f"Feed {n}", items(f"f{n}", 1)) for n in range(3)]
    subscribed(library, no_seed_settings, urls)
    gate = server.hold("/f0.xml")
    app = make_app(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        try:
            await pilot.press("R")
            await soon(pilot, lambda: "refreshing 2/3" in counts_line(app), "two feeds stored")
            await pilot.press("q")
            await soon(
                pilot,
                lambda: "Quitting once the feeds being fetched are stored" in toasts(app),
                "the toast",
            )
            assert app.is_running
        finally:
            gate.set()
        await soon(pilot, lambda: not app.is_running, "the app to quit")

    drive(app, scenario, notifications=True)
    # The held feed was stored before the library was closed.
    core = Newsreader.open(library, no_seed_settings)
    try:
        assert sorted(r.title for r in core.list()) == ["F0 story 1", "F1 story 1", "F2 story 1"]
    finally:
        core.close()


def test_failures_are_shown_naming_the_feed_and_never_stop_the_others(
    tmp_path, no_seed_settings, server
):
    library = tmp_path / "library"
    loud = feed(server, "/loud.xml", MARKUP_FEED, items("loud", 1))
    good = feed(server, "/good.xml", "Good Feed", items("good", 1))
    subscribed(library, no_seed_settings, [loud, good], fetch=True)  # titles known from now
    server.serve("/loud.xml", "error 500", status=500, content_type="text/plain")
    feed(server,
        "/good.xml",
        "Good Feed",
        [Item("good-9", "Good story nine", "x.", "09 Dec 2026 08:00:00 GMT"), *items("good", 1)],
    )
    app = make_app(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("R")
        await until(
            pilot,
            lambda: not app.feed_refresher.running and "Good story nine" in titles(app),
            "the refresh",
        )
        text = toasts(app)
        # The feed's title is shown as it is (data, not markup), with the reason and URL.
        assert f"Feed failed {MARKUP_FEED}: HTTP 500 Internal Server Error" in text, text
        assert "/loud.xml" in text
        assert "refreshed 2 feeds: +1 new, 0 updated, 1 failed" in text
        assert "Good story nine" in titles(app)
        assert app.is_running  # [@click=app.quit] did nothing
        screen = await open_feeds(pilot)
        loud_row = next(r for r in screen.rows if r.feed and r.feed.url == loud)
        assert loud_row.label == MARKUP_FEED and loud_row.feed.failures == 1
        assert "✗ HTTP 500" in screen_text(app) and MARKUP_FEED in screen_text(app)

    drive(app, scenario, notifications=True)


def test_R_with_no_subscriptions_says_how_to_add_one(no_seed_settings, tmp_path):
    subscribed(tmp_path / "library", no_seed_settings, [])
    app = make_app(no_seed_settings, tmp_path / "library")

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("R")
        await until(pilot, lambda: "No feeds to refresh" in toasts(app), "the toast")
        assert "subscribe with `newsreader feeds add URL|OPML`" in toasts(app)
        screen = await open_feeds(pilot)
        assert "No subscriptions yet" in status(app, "#feeds-count")
        assert screen.rows == []

    drive(app, scenario, notifications=True)


# -- u / U: next and previous unread ---------------------------------------------------------
def mark_read(library: Path, settings: Settings, read_titles: set[str]) -> None:
    core = Newsreader.open(library, settings)
    try:
        for row in core.list():
            if row.title in read_titles:
                core.mark_read(row.id)
    finally:
        core.close()


@pytest.fixture
def stories(tmp_path, no_seed_settings, server) -> Path:
    """Five feed articles, newest first "Five story 1" … "Five story 5"; 1, 3 and 4 read."""
    library = tmp_path / "library"
    subscribed(
        library, no_seed_settings, [feed(server, "/five.xml", "Five", items("five", 5))], fetch=True
    )
    mark_read(library, no_seed_settings, {"Five story 1", "Five story 3", "Five story 4"})
    return library


def test_u_and_U_move_to_the_next_and_previous_unread_row_wrapping(no_seed_settings, stories):
    app = make_app(no_seed_settings, stories)

    async def scenario(pilot: Pilot) -> None:
        assert titles(app) == [f"Five story {k}" for k in range(1, 6)]
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 0
        await pilot.press("u")
        assert table.cursor_row == 1  # story 2
        await pilot.press("u")
        assert table.cursor_row == 4  # story 5, past the read 3 and 4
        await pilot.press("u")
        assert table.cursor_row == 1  # wrapped
        await pilot.press("U")
        assert table.cursor_row == 4  # back, wrapping the other way
        await pilot.press("U")
        assert table.cursor_row == 1

    drive(app, scenario)


def test_u_in_an_article_opens_the_next_unread_of_the_list_and_says_when_none_is_left(
    no_seed_settings, stories
):
    app = make_app(no_seed_settings, stories)

    async def scenario(pilot: Pilot) -> None:
        async def article(title: str) -> ArticleScreen:
            await until(
                pilot,
                lambda: (
                    isinstance(app.screen, ArticleScreen)
                    and app.screen.article is not None
                    and app.screen.article.title == title
                ),
                title,
            )
            return app.screen

        await pilot.press("enter")  # story 1 (read already)
        await article("Five story 1")
        await pilot.press("u")
        await article("Five story 2")
        await pilot.press("u")  # 3 and 4 are read
        await article("Five story 5")
        await pilot.press("U")  # story 2 was read just now: none before 5 is unread
        await until(pilot, lambda: "No unread articles left" in toasts(app), "the toast")
        assert app.screen.article.title == "Five story 5"
        # One article screen at a time: escape is back in the library, on the last one read.
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await until(
            pilot,
            lambda: isinstance(app.screen, LibraryScreen) and library_rows(app)[4][0] == " ",
            "the library",
        )
        assert app.screen.query_one(DataTable).cursor_row == 4
        assert all(mark == " " for mark, _ in library_rows(app))
        await pilot.press("u")
        await until(pilot, lambda: "No unread articles." in toasts(app), "the toast")

    drive(app, scenario, notifications=True)


# -- refreshes the reader starts itself ------------------------------------------------------
def with_ui(settings: Settings, **changes) -> Settings:
    return dataclasses.replace(settings, ui=dataclasses.replace(settings.ui, **changes))


def test_refresh_on_start_fetches_the_due_feeds_after_the_first_paint(
    tmp_path, no_seed_settings, server
):
    library = tmp_path / "library"
    subscribed(
        library,
        no_seed_settings,
        [feed(server, "/recent.xml", "Recent", items("old", 1))],
        fetch=True,
    )  # fetched now: not due for feeds.refresh_minutes
    subscribed(library, no_seed_settings, [feed(server, "/due.xml", "Due", items("due", 2))])
    feed(server, "/recent.xml", "Recent", items("recent", 1))
    gate = server.hold("/due.xml")
    app = make_app(with_ui(no_seed_settings, refresh_on_start=True), library)

    async def scenario(pilot: Pilot) -> None:
        try:
            # The list was on screen before the due feed's answer (still held) came.
            await soon(pilot, lambda: server.count("/due.xml") == 1, "the refresh on start")
            assert titles(app) == ["Old story 1"]
        finally:
            gate.set()
        await soon(
            pilot,
            lambda: len(titles(app)) == 3 and not app.feed_refresher.running,
            "the due feed's articles",
        )
        assert server.count("/recent.xml") == 1  # only when subscribing: it was not due

    drive(app, scenario, wait_for_workers=False)


def test_no_refresh_by_itself_unless_configured(tmp_path, no_seed_settings, server):
    library = tmp_path / "library"
    subscribed(library, no_seed_settings, [feed(server, "/due.xml", "Due", items("due", 1))])
    app = make_app(no_seed_settings, library)
    assert not no_seed_settings.ui.refresh_on_start and not no_seed_settings.ui.auto_refresh

    async def scenario(pilot: Pilot) -> None:
        # The start-up caches are built (after which a refresh on start would begin).
        await until(pilot, lambda: app.warmed, "the start-up caches")
        assert server.count("/due.xml") == 0 and not app.feed_refresher.running

    drive(app, scenario)


def test_auto_refresh_fetches_due_feeds_while_the_reader_is_open(
    tmp_path, no_seed_settings, server, monkeypatch
):
    library = tmp_path / "library"
    subscribed(library, no_seed_settings, [feed(server, "/due.xml", "Due", items("due", 2))])
    monkeypatch.setattr(NewsreaderApp, "AUTO_REFRESH_S", 0.2)  # the timer's period, not a wait
    app = make_app(with_ui(no_seed_settings, auto_refresh=True), library)

    async def scenario(pilot: Pilot) -> None:
        assert titles(app) == []
        await soon(pilot, lambda: len(titles(app)) == 2, "the timer's refresh")
        assert server.count("/due.xml") == 1
        await soon(pilot, lambda: "+2 new" in toasts(app), "the summary (news: shown)")

    drive(app, scenario, notifications=True, wait_for_workers=False)


# -- keys listed, palette ---------------------------------------------------------------------
def test_help_lists_the_feed_keys_and_the_palette_has_feed_commands(no_seed_settings, world):
    app = make_app(no_seed_settings, world)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        out = io.StringIO()
        Console(file=out, width=200).print(app.screen.query_one("#help-table", Static).content)
        listed = out.getvalue()
        for binding_id in (
            "feeds",
            "refresh_feeds",
            "library.next_unread",
            "library.previous_unread",
            "article.next_unread",
            "article.previous_unread",
            "feeds.open",
            "feeds.refresh",
            "feeds.back",
        ):
            assert binding_id in listed, binding_id
        for binding in [*FeedsScreen.BINDINGS, *FeedTable.BINDINGS]:
            assert binding.id and binding.id in listed and binding.description
        await pilot.press("escape")
        prompts = await palette_prompts(pilot)
        assert any(p.startswith("Feeds") for p in prompts)
        assert any(p.startswith("Refresh feeds") for p in prompts)
        await pilot.press(*"feeds", "enter")
        await until(pilot, lambda: isinstance(app.screen, FeedsScreen), "the feeds screen")

    drive(app, scenario)
