"""The library's first page, read in a thread started before Textual is imported: importing
and starting the UI takes a few hundred milliseconds of one core, and SQLite reads mostly
outside the GIL, so the articles are usually there for the very first frame."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from index.library_view import LibraryView
from index.model import ArticleSummary

# Rows read at once: the newest N; typing in the filter searches all of them.
PAGE = 2000
# Rows read before the UI starts: a screenful. sqlite3 gives up the GIL at every row, and while
# the main thread imports Textual each handover waits its turn, so a whole page read then
# takes many times as long as alone. The rest of the page follows once the screen is up.
SCREENFUL = 60


@dataclass(frozen=True)
class FeedScope:
    """The library narrowed to the articles of one feed, or of a group of feeds (and the
    groups inside it), chosen on the feeds screen."""

    label: str  # what the library's bar says: "feed: BBC World", "group: News/World"
    feed_id: int | None = None
    group: str | None = None


@dataclass
class Page:
    rows: list[ArticleSummary]
    total: int
    unread: int
    text: str = ""
    sort: str = "date"
    partial: bool = False  # only the first rows of the page: read the rest
    rev: int = -1  # the library's revision when read: articles added or removed since change it
    scope: FeedScope | None = None  # total and unread count the scope's articles then


@dataclass
class EarlyLibrary:
    """The open library and its first page, once the thread is done (read `done` first).
    Both stay None if reading failed: the core opens the library again and reports why."""

    path: Path
    library: LibraryView | None = None
    page: Page | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def take(self) -> tuple[LibraryView | None, Page | None]:
        """What the thread found, if it has finished (never waits)."""
        if not self.done.is_set():
            return None, None
        return self.library, self.page


def read_page(
    library: LibraryView,
    text: str = "",
    sort: str = "date",
    limit: int = PAGE,
    scope: FeedScope | None = None,
) -> Page:
    rev = library.rev  # first: a write after it makes the page look older, never newer
    feed_id, group = (scope.feed_id, scope.group) if scope is not None else (None, None)
    rows = library.articles(text, sort=sort, limit=limit, feed_id=feed_id, group=group)
    total, unread = library.counts(feed_id, group)
    partial = limit < PAGE and len(rows) == limit and total > limit
    return Page(rows, total, unread, text, sort, partial, rev, scope)


def unread_count(library: LibraryView, scope: FeedScope | None = None) -> int:
    """Unread articles in the library, or in the feed or group of `scope`."""
    if scope is None:
        return library.unread_count()
    return library.unread_count(scope.feed_id, scope.group)


def prefetch(path: Path) -> EarlyLibrary:
    """Start reading the library at `path` in a thread. A library that does not exist yet is
    left alone (it is created, and maybe seeded, when the core opens)."""
    early = EarlyLibrary(Path(path))
    if not LibraryView.exists(early.path):
        early.done.set()
        return early

    def run() -> None:
        # A head start, never a failure of its own.
        try:
            with contextlib.suppress(Exception):
                library = LibraryView.open_library(early.path)
                early.library = library
                early.page = read_page(library, limit=SCREENFUL)
        finally:
            early.done.set()

    threading.Thread(target=run, name="newsreader-prefetch", daemon=True).start()
    return early
