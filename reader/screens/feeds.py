"""Feeds: the subscriptions by group (groups nest with "/"), each with its article and unread
counts, when it was last fetched and its last error; `enter` shows a feed's or a group's
articles in the library, `R` refreshes every feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from index.model import Feed
from reader.messages import CoreReady, FeedsChanged, LibraryOpened
from reader.prefetch import FeedScope
from reader.screens.base import ReportsWorkerFailures
from reader.text import one_line
from reader.widgets.footer import KeysFooter

# Read again at most this often while a refresh changes the counts.
RELOAD_S = 0.3


@dataclass
class FeedRow:
    """One line of the list: a group header (with its feeds' counts summed) or a feed."""

    key: str  # "g:News/World" or "f:12": the cursor keeps its line across reloads
    depth: int
    label: str
    feed: Feed | None = None
    group: str | None = None  # the group's full path, for a header
    articles: int = 0
    unread: int = 0
    feeds: int = 0
    failing: int = 0


@dataclass
class _Group:
    name: str
    path: str
    feeds: list[Feed] = field(default_factory=list)
    groups: dict[str, _Group] = field(default_factory=dict)


def feed_rows(feeds: list[Feed]) -> list[FeedRow]:
    """The list as shown: feeds without a group first, then each group (by name) with its
    own feeds, then the groups inside it, depth first."""
    root = _Group("", "")
    for feed in feeds:
        node = root
        for part in (p.strip() for p in feed.group.split("/")):
            if part:
                path = f"{node.path}/{part}" if node.path else part
                node = node.groups.setdefault(part, _Group(part, path))
        node.feeds.append(feed)

    def walk(node: _Group, depth: int) -> list[FeedRow]:
        mine: list[FeedRow] = []
        for f in sorted(node.feeds, key=lambda f: (f.name.casefold(), f.id)):
            failing = int(bool(f.last_error))
            mine.append(
                FeedRow(f"f:{f.id}", depth, f.name, f, None, f.articles, f.unread, 1, failing)
            )
        for name in sorted(node.groups, key=str.casefold):
            child = node.groups[name]
            head = FeedRow(f"g:{child.path}", depth, child.name, None, child.path)
            below = walk(child, depth + 1)
            for r in below:
                if r.feed is not None:
                    head.articles += r.articles
                    head.unread += r.unread
                    head.feeds += 1
                    head.failing += r.failing
            mine += [head, *below]
        return mine

    return walk(root, 0)


def when(stamp: str | None) -> str:
    """A stored UTC time as local "YYYY-MM-DD HH:MM"."""
    if not stamp:
        return "never"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return one_line(stamp, 16)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


class FeedTable(DataTable):
    COMPONENT_CLASSES = {"feeds--group", "feeds--error", "feeds--muted"}
    BINDINGS = [
        # The table's own enter (it has focus), shown: choosing is what this screen is for.
        Binding("enter", "select_cursor", "Articles", id="feeds.open"),
        Binding("j", "cursor_down", "Down", show=False, id="feeds.down"),
        Binding("k", "cursor_up", "Up", show=False, id="feeds.up"),
    ]


class FeedsScreen(ReportsWorkerFailures):
    BINDINGS = [
        Binding("R", "refresh_feeds", "Refresh all", id="feeds.refresh"),
        Binding("r", "reload", "Reload", show=False, id="feeds.reload"),
        Binding("g", "top", "Top", show=False, id="feeds.top"),
        Binding("G", "bottom", "Bottom", show=False, id="feeds.bottom"),
        Binding("escape", "back", "Back", id="feeds.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[FeedRow] = []
        self.loaded = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="feeds-bar"):
            yield Static("Reading the subscriptions…", id="feeds-count")
        yield FeedTable(id="feeds", cursor_type="row", zebra_stripes=True)
        yield Static("", id="feed-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "feeds"
        table = self.query_one(FeedTable)
        table.add_column("Feed", key="name")
        table.add_column("Articles", key="articles")
        table.add_column("Unread", key="unread")
        table.add_column("Fetched", key="fetched")
        table.add_column("Status", key="status")
        table.focus()
        self.reload()

    def on_library_opened(self, message: LibraryOpened) -> None:
        self.reload()

    def on_core_ready(self, message: CoreReady) -> None:
        if not self.loaded:
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload()  # articles read since change the unread counts

    def on_feeds_changed(self, message: FeedsChanged) -> None:
        self._count()
        if self._timer is None:
            self._timer = self.set_timer(RELOAD_S, self._reload_now)

    def _reload_now(self) -> None:
        self._timer = None
        self.reload()

    @work(
        thread=True,
        exclusive=True,
        group="feeds-list",
        exit_on_error=False,
        name="reading the subscriptions",
    )
    def reload(self) -> None:
        library = self.app.library
        if library is None:
            return
        rows = feed_rows(library.subscriptions())
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[FeedRow]) -> None:
        table = self.query_one(FeedTable)
        current = self._current()
        self.rows, self.loaded = rows, True
        group = table.get_component_rich_style("feeds--group")
        error = table.get_component_rich_style("feeds--error")
        muted = table.get_component_rich_style("feeds--muted")
        table.clear()
        for r in rows:
            indent = "  " * r.depth
            name = one_line(r.label, 60)
            if r.feed is None:
                label = Text(f"{indent}▾ {name}", style=group)
                fetched = Text("")
                state = Text(plural(r.feeds, "feed"), style=muted)
                if r.failing:
                    state.append(f" · ✗ {r.failing} failing", style=error)
            else:
                label = Text(f"{indent}  {name}")
                fetched = Text(when(r.feed.last_fetched), style=muted)
                state = self._state(r.feed, error, muted)
            unread = Text(f"{r.unread:,}", style=group if r.feed is None else "")
            table.add_row(label, Text(f"{r.articles:,}"), unread, fetched, state, key=r.key)
        keys = [r.key for r in rows]
        if current is not None and current.key in keys:
            table.move_cursor(row=keys.index(current.key))
        self._count()
        self._detail()

    def _state(self, feed: Feed, error, muted) -> Text:
        if feed.last_error:
            times = f" ({feed.failures}×)" if feed.failures > 1 else ""
            return Text(f"✗ {one_line(feed.last_error, 40)}{times}", style=error)
        if not feed.last_fetched:
            return Text("not fetched yet", style=muted)
        return Text("ok", style=muted)

    def _count(self) -> None:
        feeds = [r.feed for r in self.rows if r.feed is not None]
        line = Text()
        if not self.loaded:
            line.append("Reading the subscriptions…")
        elif not feeds:
            line.append("No subscriptions yet: add some with `newsreader feeds add URL|OPML`.")
        else:
            groups = sum(r.feed is None for r in self.rows)
            unread = sum(f.unread for f in feeds)
            failing = sum(bool(f.last_error) for f in feeds)
            line.append(
                f"{plural(len(feeds), 'feed')} · {plural(groups, 'group')} · {unread:,} unread"
            )
            if failing:
                line.append(
                    f" · {failing:,} failing",
                    style=self.query_one(FeedTable).get_component_rich_style("feeds--error"),
                )
        status = self.app.feed_refresher.status
        if status:
            line.append(" · ")
            line.append(one_line(status, 80), style="italic")
        self.query_one("#feeds-count", Static).update(line)

    @on(DataTable.RowHighlighted, "#feeds")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        """The highlighted feed's address and whole last error (the table cuts them short)."""
        r = self._current()
        text = Text()
        if r is not None and r.feed is not None:
            f = r.feed
            text.append(one_line(f.url, 200))
            if f.next_due:
                text.append(f" · next due {when(f.next_due)}")
            if f.last_error:
                last = when(f.last_success) if f.last_success else "never"
                text.append(f"\nfailed {f.failures}× in a row (last success: {last}): ")
                text.append(
                    one_line(f.last_error, 300),
                    style=self.query_one(FeedTable).get_component_rich_style("feeds--error"),
                )
        elif r is not None:
            text.append(
                f"group {one_line(r.group or '', 120)} · {plural(r.feeds, 'feed')}"
                f" · {r.articles:,} articles · {r.unread:,} unread"
            )
        self.query_one("#feed-detail", Static).update(text)

    def _current(self) -> FeedRow | None:
        table = self.query_one(FeedTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowSelected, "#feeds")
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """The library, showing only this feed's (or group's) articles."""
        r = self._current()
        library = self.app.library_screen()
        if r is None or library is None:
            return
        if r.feed is not None:
            scope = FeedScope(f"feed: {r.feed.name}", feed_id=r.feed.id)
        else:
            scope = FeedScope(f"group: {r.group}", group=r.group)
        library.set_scope(scope)
        self.app.action_library()

    def action_refresh_feeds(self) -> None:
        self.app.action_refresh_feeds()

    def action_top(self) -> None:
        self.query_one(FeedTable).move_cursor(row=0)

    def action_bottom(self) -> None:
        table = self.query_one(FeedTable)
        table.move_cursor(row=max(0, table.row_count - 1))

    def action_back(self) -> None:
        self.dismiss()
