"""Pilot tests for the reader's feed refreshes (issue 16): `R` over real HTTP from a local server
while the list fills in feed by feed, failures shown, and the refreshes the reader starts by
itself (ui.refresh_on_start, ui.auto_refresh).

Waiting is by condition. While the local server holds a feed's response on purpose, the tests
poll the screen (`soon`) instead of waiting for every worker to finish (the refresh worker is
the one being held)."""

from __future__ import annotations

import dataclasses

from reader_feed_server import Item, feed
from reader_feeds_helpers import (
    MARKUP_FEED,
    counts_line,
    drive,
    items,
    open_feeds,
    soon,
    subscribed,
    titles,
    toasts,
)
from reader_helpers import (
    screen_text,
    status,
    until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable

from index.config import Settings
from index.core import Newsreader
from reader.app import NewsreaderApp
from reader.launch import make_app
from reader.screens.feeds import FeedsScreen
from reader.screens.library import LibraryScreen


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
        feed(
            server,
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
    feed(
        server,
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
