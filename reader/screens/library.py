"""The library: every article, newest first, with read state, sort, filter-as-you-type, the
feed or group chosen on the feeds screen, and next/previous unread."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import get_current_worker

from index.model import ArticleSummary
from reader.messages import CoreReady, FeedsChanged, LibraryOpened
from reader.prefetch import FeedScope, Page, read_page, unread_count
from reader.screens.base import ReportsWorkerFailures
from reader.text import one_line
from reader.widgets.footer import KeysFooter

SORTS = ("date", "title", "source")
FIXED_WIDTHS = {"read": 1, "source": 18, "date": 10}
# Rows added to the table at a time after the first screenful (about 20 ms of measuring), and
# the pause between two such chunks, in which the table measures them and keys are handled.
CHUNK = 100
CHUNK_PAUSE_S = 0.02
# While feeds are refreshed, the list is read again at most this often (each stored feed
# changes it; a refresh of many small feeds stores several a second).
FEEDS_RELOAD_S = 1.0


def _mark_of(row: ArticleSummary) -> str:
    return " " if row.read else "•"


def _cells(rows: list[ArticleSummary]) -> list[tuple]:
    # Text, not str: DataTable reads str cells as markup, and titles are data.
    return [(_mark_of(r), Text(one_line(r.title, 300)), Text(one_line(r.source or "", 40)),
             Text(one_line((r.date or "")[:10], 10))) for r in rows]


class LibraryScreen(ReportsWorkerFailures):
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open", show=False),
        Binding("s", "cycle_sort", "Sort", id="library.sort"),
        Binding("f", "filter", "Filter", id="library.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="library.clear"),
        Binding("u", "next_unread(1)", "Next unread", show=False, id="library.next_unread"),
        Binding("U", "next_unread(-1)", "Previous unread", show=False,
                id="library.previous_unread"),
        Binding("j", "cursor_down", "Down", show=False, id="library.down"),
        Binding("k", "cursor_up", "Up", show=False, id="library.up"),
        Binding("g", "top", "Top", show=False, id="library.top"),
        Binding("G", "bottom", "Bottom", show=False, id="library.bottom"),
        Binding("r", "refresh", "Refresh", show=False, id="library.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "date"
        self._page: Page | None = None  # the page shown (new libraries wait for the core)
        # Rows reach the table a chunk at a time; a newer page makes older chunks stop.
        self._generation = 0
        self.listing = False  # rows of the page are still being added
        self._cursor_target: int | None = None  # a row not added yet that the cursor goes to
        self._parked = 0  # where the cursor waits for it; moved from there, it stays put
        self.scope: FeedScope | None = None  # the feed or group chosen on the feeds screen
        self._feeds_timer: Timer | None = None  # a reload pending while feeds are refreshed

    @property
    def _rows(self) -> list[ArticleSummary]:
        return self._page.rows if self._page is not None else []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="library-bar"):
            yield Static("Opening the library…", id="counts")
            yield Input(placeholder="filter titles (f)", id="filter")
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()


    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Fixed widths, the title taking what the others leave: sized to its longest cell it
        # pushed source and date off the screen.
        table.add_column(" ", key="read", width=FIXED_WIDTHS["read"])
        table.add_column("Title", key="title", width=self._title_width())
        table.add_column("Source", key="source", width=FIXED_WIDTHS["source"])
        table.add_column("Date", key="date", width=FIXED_WIDTHS["date"])
        table.focus()
        library, page = self.app.early.take() if self.app.early is not None else (None, None)
        if page is not None and library is not None:
            # Read before the UI started: shown in the first frame, the rest right after.
            self.app.library = library
            self._show(page)
            if page.partial:
                self.call_after_refresh(self.reload)
        elif self.app.library is not None:
            self.reload()

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
            self._show(self._page)

    def on_resize(self) -> None:
        self._refit()

    def on_library_opened(self, message: LibraryOpened) -> None:
        if self._page is None:
            self.reload()

    def on_core_ready(self, message: CoreReady) -> None:
        if self._page is None:  # listed already when the library opened, unless it was new
            self.reload()

    def on_screen_resume(self) -> None:
        if self.app.library is None:
            return
        page = self._page
        wanted = (self.query_one("#filter", Input).value, self.sort, self.scope)
        if page is None or (page.text, page.sort, page.scope) != wanted:
            self.reload()  # never shown, or a sort or filter was still loading
        else:
            self.refresh_marks(page)  # an article was read, most likely nothing else

    def reload(self, in_place: bool = False) -> None:
        """Read the page again (`in_place`: change only the rows that changed, see
        _update_in_place)."""
        self.load(self.query_one("#filter", Input).value, in_place)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def load(self, text: str, in_place: bool = False) -> None:
        library = self.app.library
        if library is None:
            return
        page = read_page(library, text, self.sort, scope=self.scope)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, page, in_place)

    # Its own group: a sort or filter being loaded must not be cancelled by it.
    @work(thread=True, exclusive=True, group="library-marks", exit_on_error=False)
    def refresh_marks(self, page: Page, in_place: bool = False) -> None:
        """Read marks of the page shown, read again: the whole page only if articles were
        added, changed or removed since (rebuilding 2,000 rows stalled the screen 0.4 s)."""
        library = self.app.library
        if library is None:
            return
        if library.rev != page.rev:
            if not get_current_worker().is_cancelled:
                # With the filter and sort of now.
                self.app.call_from_thread(self.reload, in_place)
            return
        read = library.read_ids([r.id for r in page.rows])
        unread = unread_count(library, page.scope)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._mark, page, read, unread)

    def _mark(self, page: Page, read: set[int], unread: int) -> None:
        if page is not self._page:
            return  # a newer page is shown
        table = self.query_one(DataTable)
        for n, row in enumerate(page.rows):
            if (row.id in read) != row.read:
                row.read = row.id in read
                if n < table.row_count:  # later rows take the new mark when added
                    table.update_cell_at(Coordinate(n, 0), _mark_of(row))
        page.unread = unread
        self._count(page)

    def _show(self, page: Page, in_place: bool = False) -> None:
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
        # handled in between: the table measures every cell it is given (2,000 rows took
        # 0.44 s in one go at 127.6k articles).
        self._add_rows(self._generation, max(24, self.size.height))
        if not self.app.listed.is_set():
            self.call_after_refresh(self.app.listed.set)
        # Rows may have brought a scrollbar, narrowing the table.
        self.call_after_refresh(self._refit)
        self._count(page)

    def _update_in_place(self, old: Page, page: Page) -> bool:
        """The list shown, read again with a few rows more or fewer (feeds being refreshed):
        add and remove those rows and re-sort the table, instead of adding every row again.
        A rebuild measures every cell: one each 0.3 s stalled a refresh's screen for seconds."""
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
            if shown[0] != _mark_of(row):
                table.update_cell(keys[row.id], ColumnKey("read"), _mark_of(row))
        table.sort(key=lambda cells: where[id(cells[1])])
        if current in new_ids:
            table.move_cursor(row=next(n for n, r in enumerate(page.rows) if r.id == current))
        return True

    def _add_rows(self, generation: int, count: int = 0) -> None:
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
            # to back, and the table measured ten chunks at once (186 ms) when it next idled.
            self.set_timer(CHUNK_PAUSE_S, partial(self._add_rows, generation))

    def _count(self, page: Page) -> None:
        shown = f"{len(page.rows):,} shown · " if page.text or len(page.rows) < page.total else ""
        line = Text()
        if page.scope is not None:  # a feed's title is data: Text, never markup
            line.append(one_line(page.scope.label, 40), style="bold")
            line.append(" · ")
        line.append(
            f"{page.total:,} articles · {page.unread:,} unread · {shown}sorted by {page.sort}"
        )
        status = self.app.feed_refresher.status
        if status:
            line.append(" · ")
            line.append(one_line(status, 80), style="italic")
        self.query_one("#counts", Static).update(line)
        scope = f"{one_line(page.scope.label, 60)} · " if page.scope is not None else ""
        self.sub_title = f"{scope}{page.total:,} articles"

    # -- feeds -------------------------------------------------------------------------------
    def set_scope(self, scope: FeedScope | None) -> None:
        """Show only the articles of a feed or group (None: every article again)."""
        self.scope = scope
        self._cursor_target = None
        self.query_one(DataTable).move_cursor(row=0)  # another list: from its top
        if self.app.library is not None:
            self.reload()

    def on_feeds_changed(self, message: FeedsChanged) -> None:
        if self._page is not None:
            self._count(self._page)  # the refresh status line
        if self._feeds_timer is None and self.is_current:
            self._feeds_timer = self.set_timer(FEEDS_RELOAD_S, self._feeds_reload)

    def _feeds_reload(self) -> None:
        self._feeds_timer = None
        if self._page is not None and self.app.library is not None:
            # Reads the page again if articles arrived, changing only their rows.
            self.refresh_marks(self._page, in_place=True)

    def around(self, article_id: int, step: int) -> list[int]:
        """Every article of the list once, in its order (step 1) or backwards (-1), from the
        one after `article_id`, wrapping; from the cursor's row if it is not in the list."""
        ids = [r.id for r in self._rows]
        if article_id in ids:
            at = ids.index(article_id)
        else:  # opened from a search or a related passage
            at = self.query_one(DataTable).cursor_row - step
        return [ids[(at + step * i) % len(ids)] for i in range(1, len(ids) + 1)]

    def follow(self, article_id: int) -> None:
        """Put the cursor on this article's row (opened from elsewhere: `u` in an article)."""
        n = next((n for n, r in enumerate(self._rows) if r.id == article_id), None)
        if n is not None:
            self._move_to(n)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.load(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self._rows and 0 <= table.cursor_row < len(self._rows):
            self.app.open_article(self._rows[table.cursor_row].id)

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()

    def action_filter(self) -> None:
        # At once, not focus() (which waits its turn): letters typed right after `f` are
        # already queued, and reach the app's on_key only once the box has focus.
        self.set_focus(self.query_one("#filter", Input))

    def action_clear_filter(self) -> None:
        """The text filter first, then the feed or group: one level at a time."""
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
        elif self.scope is not None:
            self.set_scope(None)
        self.query_one(DataTable).focus()

    def action_next_unread(self, step: int) -> None:
        """The cursor to the next (step 1) or previous (-1) unread article, wrapping."""
        rows = self._rows
        table = self.query_one(DataTable)
        at = self._cursor_target if self._cursor_target is not None else table.cursor_row
        for i in range(1, len(rows) + 1):
            n = (at + step * i) % len(rows)
            if not rows[n].read:
                self._move_to(n)
                return
        page = self._page
        where = ""
        if page is not None and len(rows) < page.total and not page.text:
            where = f" among the {len(rows):,} listed"  # the page holds the first PAGE
        elif page is not None and (page.text or page.scope):
            where = " in this list"
        self.notify(f"No unread articles{where}.", timeout=3)

    def _move_to(self, n: int) -> None:
        table = self.query_one(DataTable)
        if n < table.row_count:
            self._cursor_target = None
            table.move_cursor(row=n)
        else:  # not in the table yet: the cursor goes there when it is
            self._cursor_target = n
            self._parked = table.cursor_row

    def action_cursor_down(self) -> None:
        self._cursor_target = None
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self._cursor_target = None
        self.query_one(DataTable).action_cursor_up()

    def action_top(self) -> None:
        self._cursor_target = None
        self.query_one(DataTable).move_cursor(row=0)

    def action_bottom(self) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.row_count - 1))
        if self.listing:  # the last row is not in the table yet: go there when it is
            self._cursor_target = len(self._rows) - 1
            self._parked = table.cursor_row

    def action_refresh(self) -> None:
        self.reload()
