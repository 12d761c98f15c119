"""The library screen on a library bigger than a screenful (the demo's 294 articles): rows
reach the table a chunk at a time, the cursor keeps its row across rebuilds, and coming back
from an article updates its read mark in place instead of rebuilding the table."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from reader_helpers import library_loaded, library_rows, status, until
from textual.pilot import Pilot
from textual.widgets import DataTable

from index.core import Newsreader
from index.model import Article
from reader.launch import make_app
from reader.prefetch import read_page
from reader.screens.article import ArticleScreen
from reader.screens.library import LibraryScreen
from reader.screens.library_rows import CHUNK

SIZE = (100, 30)


def drive(demo_library: Newsreader, library: Path, scenario: Callable[..., Awaitable[None]]):
    app = make_app(demo_library.settings, library)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.core is not None and library_loaded(app), "the library")
            screen = app.screen
            assert isinstance(screen, LibraryScreen)
            await scenario(pilot, screen, screen.query_one(DataTable))

    asyncio.run(main())


def titles(table: DataTable) -> list[str]:
    return [str(table.get_cell_at((n, 1))) for n in range(table.row_count)]


def rebuild_waiting_for(screen: LibraryScreen, table: DataTable, row: int) -> None:
    """Put the cursor on `row`, then rebuild the table: the cursor waits at the top until
    `row` is in it again."""
    table.move_cursor(row=row)
    screen.show_page(screen.page)
    assert screen.listing and table.cursor_row == 0


def test_rows_arrive_a_chunk_at_a_time_and_all_arrive(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        page = read_page(screen.app.library)
        assert len(page.rows) > 2 * CHUNK
        batches: list[int] = []
        add_rows = table.add_rows

        def counting(rows):
            batches.append(len(rows))
            return add_rows(rows)

        table.add_rows = counting
        screen.show_page(page)
        screenful = max(24, screen.size.height)
        assert table.row_count == screenful and screen.listing
        await until(pilot, lambda: not screen.listing, "every row")
        assert titles(table) == [r.title for r in page.rows]
        # The rest came in chunks, a pause apart (keys are handled in the pauses).
        assert batches[0] == screenful and len(batches) >= 3
        assert all(size <= CHUNK for size in batches[1:]) and sum(batches) == len(page.rows)

    drive(demo_library, demo_copy, scenario)


def test_a_newer_page_stops_the_chunks_of_the_older(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        library = screen.app.library
        screen.show_page(read_page(library))
        older = screen.generation
        by_title = read_page(library, sort="title")
        screen.show_page(by_title)
        count = table.row_count
        screen.add_rows(older)  # the older page's next chunk comes due: it adds nothing
        assert table.row_count == count and screen.listing
        await until(pilot, lambda: not screen.listing, "the rows by title")
        assert titles(table) == [r.title for r in by_title.rows]

    drive(demo_library, demo_copy, scenario)


def test_the_cursor_keeps_its_row_across_a_rebuild_and_g_reaches_the_last(
    demo_library, demo_copy
) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        table.move_cursor(row=150)
        await pilot.press("r")  # refresh: the table is rebuilt a chunk at a time
        await until(pilot, lambda: not screen.listing, "the rebuilt table")
        assert table.cursor_row == 150
        screen.show_page(screen.page)
        assert screen.listing
        await pilot.press("G")  # before the last row is in the table
        await until(pilot, lambda: not screen.listing, "every row")
        assert table.cursor_row == table.row_count - 1 == len(screen.page.rows) - 1

    drive(demo_library, demo_copy, scenario)


def test_a_cursor_moved_while_rows_arrive_stays_where_it_was_moved(
    demo_library, demo_copy
) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        rebuild_waiting_for(screen, table, 150)
        await pilot.press("down")  # the table's own key, not the screen's j
        await until(pilot, lambda: not screen.listing, "every row")
        assert table.cursor_row == 1
        screen.show_page(screen.page)
        await pilot.press("G", "up")
        await until(pilot, lambda: not screen.listing, "every row")
        assert table.cursor_row < len(screen.page.rows) - 1

    drive(demo_library, demo_copy, scenario)


def test_a_resize_while_rows_arrive_keeps_the_cursor_row(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        rebuild_waiting_for(screen, table, 150)
        await pilot.resize_terminal(130, 30)  # the title column is refitted: rebuilt again
        await until(pilot, lambda: not screen.listing and table.size.width > 100, "the refit")
        assert table.cursor_row == 150

    drive(demo_library, demo_copy, scenario)


def test_coming_back_while_a_sort_loads_keeps_the_sort(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen), "the article")
        screen.sort = "title"  # as `s` does, with its page not read yet when we come back
        await pilot.press("escape")
        await until(pilot, lambda: screen.page.sort == "title" and not screen.listing,
                    "the page sorted by title")
        assert "sorted by title" in status(pilot.app, "#counts")
        assert titles(table) == [r.title for r in read_page(pilot.app.library, sort="title").rows]

    drive(demo_library, demo_copy, scenario)


def test_coming_back_from_an_article_marks_it_read_in_place(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        unread = screen.page.unread
        table.move_cursor(row=150)
        title = titles(table)[150]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen), "the article")
        article = pilot.app.screen
        await until(pilot, lambda: article.article is not None, "the article to load")
        assert article.article.title == title
        generation = screen.generation
        await pilot.press("escape")
        await until(pilot, lambda: screen.page.unread == unread - 1, "the read mark")
        assert screen.generation == generation  # not rebuilt
        assert table.cursor_row == 150
        assert library_rows(pilot.app)[150] == (" ", title)
        assert f"{unread - 1:,} unread" in status(pilot.app, "#counts")

    drive(demo_library, demo_copy, scenario)


def test_coming_back_after_articles_were_added_lists_them(demo_library, demo_copy) -> None:
    async def scenario(pilot: Pilot, screen: LibraryScreen, table: DataTable) -> None:
        before = table.row_count
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen), "the article")
        article = Article(title="Zeppelin lands in the square", paragraphs=["It did."],
                          date="2099-01-01")
        pilot.app.ready_core.library.add_articles([article])
        await pilot.press("escape")
        await until(pilot, lambda: not screen.listing and table.row_count == before + 1,
                    "the new article")
        assert titles(table)[0] == "Zeppelin lands in the square"  # newest first

    drive(demo_library, demo_copy, scenario)
