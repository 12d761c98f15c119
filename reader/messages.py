"""Messages that thread workers post back to the UI."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from index.model import SearchResult


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
