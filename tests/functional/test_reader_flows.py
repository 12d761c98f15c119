"""Pilot tests for the reader: the flows of issue 3 driven by keys on a headless app built by the
same factory `newsreader` uses, on a temporary library: search, open, hit by hit, back, quit;
typos; keys typed before a screen has focus; the go-to finder.

Synchronisation is by condition, never by sleeping: `until()` lets workers and messages run and
checks the screen again, and only gives up (failing, with the screen in the message) after a
generous deadline that a passing run never comes near."""

from __future__ import annotations

import asyncio

import pytest
from reader_helpers import library_rows, screen_text, status, until
from reader_pilot_helpers import (
    AIRSHIP,
    SIZE,
    app_for,
    article_shown,
    drive,
    search,
)
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.data_table import ColumnKey

from reader.launch import make_app
from reader.screens.goto import GotoScreen
from reader.screens.library import LibraryScreen
from reader.screens.search import SearchScreen
from reader.widgets.paragraph import Paragraph
from reader.widgets.results import ResultList


# -- search → open → n/N → escape chain → quit ------------------------------------------------
def test_search_open_step_hits_escape_chain_and_quit(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "airship")
        assert [h.title for h in screen.result.hits] == [AIRSHIP["title"]]
        assert status(app, "#search-status").startswith("1 article ")
        assert AIRSHIP["title"] in screen_text(app)

        await pilot.press("down")  # to the results
        assert app.focused is screen.query_one(ResultList)
        await pilot.press("enter")
        article = await article_shown(pilot)
        assert article.article.title == AIRSHIP["title"]
        # Three hits: one in ¶1, two in ¶3, in reading order.
        assert [h[0] for h in article.hits] == [0, 2, 2]
        first = article.hit_index
        assert first >= 0 and f"hit {first + 1}/3" in status(app, "#article-status")

        seen = []
        for _ in range(3):
            await pilot.press("n")
            seen.append(article.hit_index)
            n = article.hits[article.hit_index][0]
            assert f"hit {article.hit_index + 1}/3" in status(app, "#article-status")
            assert article.cursor == n
            assert article.query_one(f"#p{n}", Paragraph).has_class("-cursor")
            assert article.query_one(f"#p{n}", Paragraph).current is not None
        assert seen == [(first + k) % 3 for k in (1, 2, 3)]  # n wraps around
        await pilot.press("N")
        assert article.hit_index == (first + 2) % 3
        assert f"hit {(first + 2) % 3 + 1}/3" in status(app, "#article-status")
        # Only the current hit is marked current.
        assert sum(p.current is not None for p in article.query(Paragraph)) == 1

        # escape backs out one level at a time: article → results → query → library.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the search screen")
        assert app.focused is screen.query_one(ResultList)
        await pilot.press("escape")
        assert app.screen is screen and app.focused is screen.query_one("#query", Input)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app to quit")

    drive(app, scenario)
    assert app.return_code == 0


def test_enter_in_the_search_box_opens_the_best_hit(no_seed_settings, library):
    """As the keys table says: `/`, the words, `enter`: the best hit's article, at its passage,
    whether the results were already shown or the search was still running."""
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "airship")
        assert app.focused is screen.query_one("#query", Input)  # typing, not in the list
        await pilot.press("enter")
        article = await article_shown(pilot)
        assert article.article.title == AIRSHIP["title"]
        assert article.passage == screen.result.hits[0].passage
        # Back to the library, then Enter typed before the search has run at all.
        await pilot.press("escape", "escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        await pilot.press("slash", *"zeppelin", "enter")
        article = await article_shown(pilot)
        assert article.article.title == "Syrian troops retake Palmyra"

    drive(app, scenario)


def test_q_typed_into_an_input_is_a_letter(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "iraq")
        assert screen.query_one("#query", Input).value == "iraq"
        assert app.is_running and app.screen is screen
        # The library's filter box too.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        await pilot.press("f", "q")
        assert app.screen.query_one("#filter", Input).value == "q"
        assert app.is_running
        await pilot.press("ctrl+q")  # the priority quit works from inside an input
        await until(pilot, lambda: not app.is_running, "the app to quit")

    drive(app, scenario)


def test_library_shows_articles_with_counts(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        rows = library_rows(app)
        assert len(rows) == 8 and all(mark == "•" for mark, _ in rows)  # all unread
        assert rows[0][1] == "England win the cricket world cup"  # newest first
        assert "8 articles · 8 unread" in status(app, "#counts")
        await pilot.press("f", *"vienna")
        await until(pilot, lambda: len(library_rows(app)) == 1, "the filter to apply")
        assert library_rows(app)[0][1] == "Vienna opera ball is cancelled"
        assert "1 shown" in status(app, "#counts")

    drive(app, scenario)


def test_library_columns_fit_the_terminal_and_follow_its_width(no_seed_settings, library):
    """Title, source and date are all on screen: the title takes what the others leave, and
    more of it when the terminal grows."""
    app = app_for(no_seed_settings, library)

    def widths() -> tuple[int, int]:
        table = app.screen.query_one(DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        return used, table.scrollable_content_region.width

    async def scenario(pilot: Pilot) -> None:
        used, room = widths()
        assert used == room
        text = screen_text(app)
        assert "Source" in text and "Date" in text
        title_before = app.screen.query_one(DataTable).columns[ColumnKey("title")].width
        await pilot.resize_terminal(140, 30)
        await until(pilot, lambda: widths()[0] == widths()[1] > room, "the columns to refit")
        title_after = app.screen.query_one(DataTable).columns[ColumnKey("title")].width
        assert title_after == title_before + widths()[1] - room

    drive(app, scenario)


def test_rows_read_before_the_ui_starts_are_in_its_first_frame(no_seed_settings, library):
    """`newsreader` reads the first page in a thread while Textual imports (reader.prefetch);
    the library screen shows it as it mounts, before the core (Whoosh) is open."""
    from reader.prefetch import prefetch

    early = prefetch(library)
    assert early.done.wait(10) and early.page is not None and early.library is not None
    app = make_app(no_seed_settings, library, early)
    seen_at_mount = []
    original = LibraryScreen.on_mount

    def on_mount(screen) -> None:
        original(screen)
        seen_at_mount.append(screen.query_one(DataTable).row_count)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.core is not None, "the core to open")
            # One library, opened once: the core took the early one's, and replaced it in the app.
            assert app.core.library is early.library.library
            assert app.library is app.core
            assert library_rows(app)[0][1] == "England win the cricket world cup"
            assert "8 articles · 8 unread" in status(app, "#counts")

    LibraryScreen.on_mount = on_mount
    try:
        asyncio.run(main())
    finally:
        LibraryScreen.on_mount = original
    assert seen_at_mount == [8]


def test_a_library_that_does_not_exist_yet_is_not_prefetched(tmp_path) -> None:
    from reader.prefetch import prefetch

    early = prefetch(tmp_path / "new")
    assert early.done.is_set() and early.take() == (None, None)
    assert not (tmp_path / "new").exists()  # creating (and seeding) is the core's job


# -- typo tolerance -------------------------------------------------------------------------
def test_typo_is_corrected_and_the_status_says_so(demo_library, demo_copy):
    app = app_for(demo_library.settings, demo_copy)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "magnitgorsk")
        result = screen.result
        assert result.corrected and result.corrected != "magnitgorsk"
        assert any("Magnitogorsk" in h.title for h in result.hits)
        line = status(app, "#search-status")
        assert line.startswith(f"showing results for “{result.corrected}” — searched “magnitgorsk”")
        assert "showing results for" in screen_text(app)

    drive(app, scenario)


# -- keys typed before a new screen has focus --------------------------------------------------
@pytest.mark.parametrize(("key", "screen_type"), [("slash", SearchScreen), ("ctrl+o", GotoScreen)])
def test_keys_typed_right_after_opening_search_or_goto_reach_its_box(
    no_seed_settings, library, key, screen_type
):
    """A burst, as a fast typist or a paste sends it: every key is queued before the first
    is handled, so the letters go to the library's table before `/` opens the search box."""
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        app.post_message(events.Key(key, "/" if key == "slash" else None))
        for letter in "sports":
            app.post_message(events.Key(letter, letter))
        await until(pilot, lambda: isinstance(app.screen, screen_type), "the new screen")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == "sports", "the typed letters in the box")
        assert app.screen_stack[0].sort == "date"  # `s` did not sort the library meanwhile

    drive(app, scenario)


def test_letters_typed_right_after_f_filter_the_library(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        for letter in "fvienna":
            app.post_message(events.Key(letter, letter))
        await until(pilot, lambda: len(library_rows(app)) == 1, "the filter to apply")
        assert app.screen.query_one("#filter", Input).value == "vienna"
        assert library_rows(app)[0][1] == "Vienna opera ball is cancelled"

    drive(app, scenario)


# -- go-to finder ---------------------------------------------------------------------------
def test_goto_finder_opens_the_article(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, GotoScreen)
        finder = app.screen
        await pilot.press(*"galxy")  # a typo: still found
        await until(pilot, lambda: finder.query_one(OptionList).option_count > 0, "finder matches")
        first = finder.query_one(OptionList).get_option_at_index(0)
        assert "galaxy" in str(first.prompt)
        assert "matches" in str(finder.query_one("#goto-status", Static).content)
        await pilot.press("enter")
        article = await article_shown(pilot)
        assert article.article.title == "Telescope photographs a distant galaxy"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")

    drive(app, scenario)


def test_goto_finder_escape_closes_without_opening(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("ctrl+o", *"opera")
        await until(
            pilot, lambda: app.screen.query_one(OptionList).option_count > 0, "finder matches"
        )
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)

    drive(app, scenario)
