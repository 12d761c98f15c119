"""How a page of the library's list reaches its table: a screenful in the frame it arrives in,
the rest a chunk at a time with keys handled in between; a page read again with a few rows
changed, updated in place; the cursor kept on its article, or sent to a row not added yet.
The library screen (reader.screens.library) reads the pages and says what they hold."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from index.model import ArticleSummary
from reader.prefetch import Page
from reader.screens.base import ReportsWorkerFailures
from reader.text import one_line

FIXED_WIDTHS = {"read": 1, "source": 18, "date": 10}
# Rows added to the table at a time after the first screenful (a chunk the table measures
# well within a frame), and the pause between two such chunks, in which the table measures
# them and keys are handled.
CHUNK = 100
CHUNK_PAUSE_S = 0.02


def mark_of(row: ArticleSummary) -> str:
    return " " if row.read else "•"


def _cells(rows: list[ArticleSummary]) -> list[tuple]:
    # Text, not str: DataTable reads str cells as markup, and titles are data.
    return [(mark_of(r), Text(one_line(r.title, 300)), Text(one_line(r.source or "", 40)),
             Text(one_line((r.date or "")[:10], 10))) for r in rows]


class LibraryRows(ReportsWorkerFailures):
    """The library screen's table and cursor; the screen gives it pages (`show_page`)."""

    def __init__(self) -> None:
        super().__init__()
        self._page: Page | None = None  # the page shown (new libraries wait for the core)
        # Rows reach the table a chunk at a time; a newer page makes older chunks stop.
        self._generation = 0
        self.listing = False  # rows of the page are still being added
        self._cursor_target: int | None = None  # a row not added yet that the cursor goes to
        self._parked = 0  # where the cursor waits for it; moved from there, it stays put

    @property
    def page(self) -> Page | None:
        """The page shown (None until the first one)."""
        return self._page

    @property
    def generation(self) -> int:
        """How many pages have been shown from scratch (a page updated in place is not)."""
        return self._generation

    @property
    def _rows(self) -> list[ArticleSummary]:
        return self._page.rows if self._page is not None else []

    def _count(self, page: Page) -> None:
        """What the screen says of the page shown: the library screen's own."""
        raise NotImplementedError

    def _title_width(self) -> int:
        """What the fixed columns leave of the table's width for the title."""
        table = self.query_one(DataTable)
        # Before its first layout the table has no size: the terminal's less the screen's
        # gutter and a scrollbar, corrected after the first frame (_refit) if that was wrong.
        width = table.scrollable_content_region.width or self.app.size.width - 4
        fixed = sum(FIXED_WIDTHS.values()) + 2 * table.cell_padding * (len(FIXED_WIDTHS) + 1)
        return max(20, width - fixed)

    def _refit(self) -> None:
        """Show the page again if the title column no longer fits the table's width."""
        title = self.query_one(DataTable).columns.get(ColumnKey("title"))
        if title is not None and self._page is not None and title.width != self._title_width():
            self.show_page(self._page)

    def on_resize(self) -> None:
        self._refit()
    def show_page(self, page: Page, in_place: bool = False) -> None:
        old, self._page = self._page, page
        same = old is not None and (old.text, old.sort, old.scope) == (page.text, page.sort,
                                                                      page.scope)
        if old is not None and same and in_place and self._update_in_place(old, page):
            self._count(page)
            return
        self._generation += 1
        table = self.query_one(DataTable)
        keep = self._cursor_target if self._cursor_target is not None else table.cursor_row
        if old is not None and same:
            # The same list read again (articles arrived, say): the cursor stays on its
            # article, wherever the new ones put it.
            kept = old.rows[keep].id if 0 <= keep < len(old.rows) else None
            keep = next((n for n, r in enumerate(page.rows) if r.id == kept), keep)
        # The title column's width first: the cleared table lays its columns out again.
        table.columns[ColumnKey("title")].width = self._title_width()
        table.clear()
        self._cursor_target = min(keep, len(page.rows) - 1) if page.rows else None
        self._parked = table.cursor_row
        # A screenful first, in this frame; the rest a chunk at a time, so that keys are
        # handled in between: the table measures every cell it is given, and a whole page in
        # one go stalled the screen.
        self.add_rows(self._generation, max(24, self.size.height))
        if not self.app.listed.is_set():
            self.call_after_refresh(self.app.listed.set)
        # Rows may have brought a scrollbar, narrowing the table.
        self.call_after_refresh(self._refit)
        self._count(page)

    def _update_in_place(self, old: Page, page: Page) -> bool:
        """The list shown, read again with a few rows more or fewer (feeds being refreshed):
        add and remove those rows and re-sort the table, instead of adding every row again.
        A rebuild measures every cell: one per feed stored stalled a refresh's screen."""
        table = self.query_one(DataTable)
        old_ids, new_ids = {r.id for r in old.rows}, {r.id for r in page.rows}
        added = [r for r in page.rows if r.id not in old_ids]
        gone = old_ids - new_ids
        if self.listing or table.row_count != len(old.rows) or len(added) + len(gone) > max(
            5 * CHUNK, len(page.rows) // 2
        ):
            return False
        at = table.cursor_row
        current = old.rows[at].id if 0 <= at < len(old.rows) else None
        keys = {r.id: table.coordinate_to_cell_key(Coordinate(n, 0)).row_key
                for n, r in enumerate(old.rows)}
        for article_id in gone:
            table.remove_row(keys[article_id])
        for row, cells in zip(added, _cells(added), strict=True):
            keys[row.id] = table.add_row(*cells)
        # Rows are sorted by where the page has them, found by their title cell (the sort's
        # key function is given a row's cells, not its key).
        where: dict[int, int] = {}
        for n, row in enumerate(page.rows):
            shown = table.get_row(keys[row.id])
            where[id(shown[1])] = n
            if shown[0] != mark_of(row):
                table.update_cell(keys[row.id], ColumnKey("read"), mark_of(row))
        table.sort(key=lambda cells: where[id(cells[1])])
        if current in new_ids:
            table.move_cursor(row=next(n for n, r in enumerate(page.rows) if r.id == current))
        return True

    def add_rows(self, generation: int, count: int = 0) -> None:
        if generation != self._generation:
            return  # a newer page took the table
        table = self.query_one(DataTable)
        start = table.row_count
        end = min(len(self._rows), start + (count or CHUNK))
        table.add_rows(_cells(self._rows[start:end]))
        target = self._cursor_target
        if target is not None and table.cursor_row != self._parked:
            target = self._cursor_target = None  # moved meanwhile (arrows, mouse): stay there
        if target is not None and target < end:
            self._cursor_target = None
            table.move_cursor(row=target)
        self.listing = end < len(self._rows)
        if self.listing:
            # A pause, not call_after_refresh: with nothing to repaint, those callbacks ran back
            # to back, and the table measured many chunks at once when it next idled.
            self.set_timer(CHUNK_PAUSE_S, partial(self.add_rows, generation))

    def _move_to(self, n: int) -> None:
        table = self.query_one(DataTable)
        if n < table.row_count:
            self._cursor_target = None
            table.move_cursor(row=n)
        else:  # not in the table yet: the cursor goes there when it is
            self._cursor_target = n
            self._parked = table.cursor_row

