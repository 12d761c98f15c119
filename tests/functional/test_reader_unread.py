"""Pilot tests for `u`/`U`: the next and previous unread article, in the library list and from
an article (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_feed_server import feed
from reader_feeds_helpers import (
    drive,
    items,
    subscribed,
    titles,
    toasts,
)
from reader_helpers import (
    library_rows,
    until,
)
from textual.pilot import Pilot
from textual.widgets import DataTable

from index.config import Settings
from index.core import Newsreader
from reader.launch import make_app
from reader.screens.article import ArticleScreen
from reader.screens.library import LibraryScreen


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
