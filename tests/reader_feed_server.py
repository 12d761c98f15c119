"""A real HTTP server on 127.0.0.1 for the reader's feed tests: it serves RSS documents that a
test sets (and changes) per path, answers what it was told for the others (404 by default),
counts requests, and can hold a path's response until the test releases it, to see what the
reader shows while a feed is still being fetched."""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from http_helpers import QuietHandler

# A held response is released by the test; this only ends a test that forgot to.
HOLD_LIMIT_S = 30.0


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


class FeedServer:
    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}  # path -> RSS served with 200
        self.statuses: dict[str, int] = {}  # path -> an error status served instead
        self.held: dict[str, threading.Event] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 — http.server's name
                server.hits[self.path] += 1
                gate = server.held.get(self.path)
                if gate is not None:
                    gate.wait(HOLD_LIMIT_S)
                if self.path in server.statuses:
                    code = server.statuses[self.path]
                    self._send(code, "text/plain", f"error {code}".encode())
                elif self.path in server.documents:
                    self._send(200, "application/rss+xml", server.documents[self.path])
                else:
                    self._send(404, "text/plain", b"no such feed")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def feed(self, path: str, title: str, items: list[Item]) -> str:
        """Serve an RSS feed at `path`; returns its URL."""
        self.documents[path] = rss(title, items)
        self.statuses.pop(path, None)
        return self.url(path)

    def hold(self, path: str) -> threading.Event:
        """Requests for `path` wait until the returned event is set."""
        gate = self.held[path] = threading.Event()
        return gate

    def close(self) -> None:
        for gate in self.held.values():
            gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()
