"""The library: every article, newest first, with read state, sort, filter-as-you-type, the
feed or group chosen on the feeds screen, and next/previous unread."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import get_current_worker

from reader.messages import CoreReady, FeedsChanged, LibraryOpened
from reader.prefetch import FeedScope, Page, read_page, unread_count
from reader.screens.library_rows import FIXED_WIDTHS, LibraryRows, mark_of
from reader.text import one_line
from reader.widgets.footer import KeysFooter

SORTS = ("date", "title", "source")
# While feeds are refreshed, the list is read again at most this often (each stored feed
# changes it; a refresh of many small feeds stores several a second).
FEEDS_RELOAD_S = 1.0


class LibraryScreen(LibraryRows):
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
        self.scope: FeedScope | None = None  # the feed or group chosen on the feeds screen
        self._feeds_timer: Timer | None = None  # a reload pending while feeds are refreshed

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
            self.show_page(page)
            if page.partial:
                self.call_after_refresh(self.reload)
        elif self.app.library is not None:
            self.reload()


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
            self.app.call_from_thread(self.show_page, page, in_place)

    # Its own group: a sort or filter being loaded must not be cancelled by it.
    @work(thread=True, exclusive=True, group="library-marks", exit_on_error=False)
    def refresh_marks(self, page: Page, in_place: bool = False) -> None:
        """Read marks of the page shown, read again: the whole page only if articles were
        added, changed or removed since (rebuilding a page of rows stalls the screen)."""
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
                    table.update_cell_at(Coordinate(n, 0), mark_of(row))
        page.unread = unread
        self._count(page)


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
