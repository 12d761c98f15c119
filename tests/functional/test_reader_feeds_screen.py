"""Pilot tests for the reader's feeds (issue 16): the feeds screen's groups and counts, the
library narrowed to a feed or group, and the feed keys in the help and the palette."""

from __future__ import annotations

import io

from reader_feeds_helpers import (
    choose,
    counts_line,
    drive,
    open_feeds,
    titles,
)
from reader_helpers import (
    library_loaded,
    library_rows,
    palette_prompts,
    screen_text,
    until,
)
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from reader.launch import make_app
from reader.screens.article import ArticleScreen
from reader.screens.feeds import FeedsScreen, FeedTable, feed_rows
from reader.screens.help import HelpScreen
from reader.screens.library import LibraryScreen


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
