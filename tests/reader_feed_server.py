"""The reader's feed tests' documents, served by tests/feed_server.py's real HTTP server:
`feed(server, path, title, items)` serves an RSS feed of these items at `path`."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from feed_server import FeedServer


@dataclass
class Item:
    guid: str
    title: str
    body: str
    date: str = "30 Nov 2026 08:00:00 GMT"


def rss(title: str, items: list[Item]) -> bytes:
    """An RSS 2.0 document with these items (text escaped: titles are data)."""
    entries = "".join(
        f'<item><title>{escape(i.title)}</title><guid isPermaLink="false">{escape(i.guid)}'
        f"</guid><link>https://example.com/{escape(i.guid)}</link>"
        f"<description>{escape(i.body)}</description><pubDate>{i.date}</pubDate></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.com/</link>"
        f"<description>test feed</description>{entries}</channel></rss>"
    ).encode()


def feed(server: FeedServer, path: str, title: str, items: list[Item]) -> str:
    """Serve an RSS feed at `path` (replacing what was there); returns its URL."""
    return server.serve(path, rss(title, items))
