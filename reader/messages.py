"""Messages that thread workers post back to the UI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from index.model import SearchResult

if TYPE_CHECKING:  # index.feeds loads with the first refresh, not with the first frame
    from index.feeds import FeedOutcome, RefreshReport


@dataclass
class LibraryOpened(Message, bubble=False):
    """The library's articles can be listed; the search index is still opening."""


@dataclass
class CoreReady(Message, bubble=False):
    """The library and index are open (the app forwards it to every screen)."""


@dataclass
class CoreFailed(Message):
    error: str


@dataclass
class SearchCompleted(Message):
    serial: int
    result: SearchResult
    elapsed_ms: float


@dataclass
class Status(Message):
    text: str


@dataclass
class FeedsRefreshStarted(Message, bubble=False):
    total: int
    quiet: bool  # started by the reader itself (on start, its timer): no toast unless news


@dataclass
class FeedRefreshed(Message, bubble=False):
    """One feed of a refresh is stored (or failed): posted as each one is done, so its new
    articles are listed while the others are still being fetched."""

    outcome: FeedOutcome
    done: int
    total: int


@dataclass
class FeedsRefreshDone(Message, bubble=False):
    report: RefreshReport | None  # None: stopped, or failed (the worker handler says why)
    quiet: bool


@dataclass
class FeedsChanged(Message, bubble=False):
    """To every screen: feeds were refreshed (articles may have arrived) or the refresh
    status line (app.feed_refresher.status) changed. A newer one replaces a queued one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedsChanged)
