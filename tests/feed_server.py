"""A real HTTP server on 127.0.0.1 serving feeds as publishers do: validators (ETag,
Last-Modified) answered with 304, errors, redirects and slow answers. Tests change what a path
serves between refreshes and read which requests arrived, with which headers."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from http_helpers import QuietHandler, run_server


@dataclass
class Resource:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None  # a redirect target (status 301/302/307)
    delay: float = 0.0  # seconds before the answer: a slow server


@dataclass
class Request:
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Resource] = {}
        self.requests: list[Request] = []
        self.release = threading.Event()  # ends slow answers when the test is done
        self.held: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: str | bytes, **kw) -> str:
        """Serve `body` at `path` (replacing what was there); returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Resource(data, **kw)
        return self.url(path)

    def log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def count(self, path: str) -> int:
        return len(self.hits(path))

    def hold(self, path: str) -> threading.Event:
        """Requests for `path` get no answer until the returned event is set (or the test
        ends): what a client shows while a fetch is under way."""
        gate = self.held[path] = threading.Event()
        return gate


class _Handler(QuietHandler):
    server: FeedServer

    def do_GET(self) -> None:  # noqa: N802
        self.server.log(Request(self.path, {k.lower(): v for k, v in self.headers.items()}))
        gate = self.server.held.get(self.path)
        while gate is not None and not gate.wait(0.05) and not self.server.release.is_set():
            pass  # held by the test until it sets the gate (or ends)
        res = self.server.routes.get(self.path)
        if res is None:
            return self._send(404, "text/plain", b"no such feed")
        if res.delay:
            # The server's own pace (what the client must time out on), not a test's wait.
            self.server.release.wait(res.delay)
        if res.location:
            self.send_response(res.status)
            self.send_header("Location", res.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if res.status == 200 and self._unchanged(res):
            self.send_response(304)
            if res.etag:
                self.send_header("ETag", res.etag)
            self.end_headers()
            return None
        self.send_response(res.status)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(res.body)))
        if res.etag:
            self.send_header("ETag", res.etag)
        if res.last_modified:
            self.send_header("Last-Modified", res.last_modified)
        self.end_headers()
        self.wfile.write(res.body)
        return None

    def _unchanged(self, res: Resource) -> bool:
        sent_etag = self.headers.get("If-None-Match")
        if res.etag and sent_etag:
            return sent_etag == res.etag
        since = self.headers.get("If-Modified-Since")
        return bool(res.last_modified and since and since == res.last_modified)


def serving(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """A running FeedServer, shut down when the test is done (the `feed_server` fixture)."""
    httpd = FeedServer()
    for _ in run_server(httpd, monkeypatch):
        yield httpd


# -- real-world feed shapes -------------------------------------------------------------------
def rss(items: list[dict], title: str = "Wire", link: str = "/", encoding: str = "utf-8") -> str:
    """An RSS 2.0 channel; each item dict may hold title, link, guid, description (written
    as CDATA HTML), content (content:encoded), date (RFC 822), author."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{title}</title><link>{link}</link><description>d</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key, tag in (("title", "title"), ("link", "link"), ("date", "pubDate")):
            if key in item:
                parts.append(f"<{tag}>{item[key]}</{tag}>")
        if "guid" in item:
            parts.append(f'<guid isPermaLink="false">{item["guid"]}</guid>')
        if "author" in item:
            parts.append(f"<author>{item['author']}</author>")
        if "description" in item:
            parts.append(f"<description><![CDATA[{item['description']}]]></description>")
        if "content" in item:
            parts.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def atom(entries: list[dict], title: str = "Atom Wire", base: str | None = None) -> str:
    """An Atom feed; entries hold id, title, link (may be relative: resolved against
    xml:base or the feed URL), updated, html (the content, escaped as type="html")."""
    from xml.sax.saxutils import escape

    head = f' xml:base="{base}"' if base else ""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom"{head}><title>{title}</title>',
        "<id>urn:feed</id><updated>2020-01-01T00:00:00Z</updated>",
    ]
    for e in entries:
        parts.append("<entry>")
        if "id" in e:
            parts.append(f"<id>{e['id']}</id>")
        parts.append(f"<title>{e['title']}</title>")
        if "link" in e:
            parts.append(f'<link rel="alternate" href="{e["link"]}"/>')
        parts.append(f"<updated>{e.get('updated', '2020-03-01T12:00:00Z')}</updated>")
        if "html" in e:
            parts.append(f'<content type="html">{escape(e["html"])}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts)


def rdf(items: list[dict], title: str = "RDF Wire") -> str:
    """An RSS 1.0 (RDF) channel with Dublin Core dates."""
    parts = [
        '<?xml version="1.0"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f'<channel rdf:about="urn:c"><title>{title}</title><link>http://x.test/</link>'
        "<description>d</description></channel>",
    ]
    for item in items:
        parts.append(f'<item rdf:about="{item["link"]}"><title>{item["title"]}</title>')
        parts.append(f"<link>{item['link']}</link><description>{item['text']}</description>")
        if "date" in item:
            parts.append(f"<dc:date>{item['date']}</dc:date>")
        parts.append("</item>")
    parts.append("</rdf:RDF>")
    return "\n".join(parts)
