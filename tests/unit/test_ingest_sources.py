"""Ingest from the network and the terminal: feeds, OPML, URLs from a local server, stdin."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_helpers import QuietHandler
from ingest_helpers import (
    ATOM,
    HTML_PAGE,
    PASSWD_LINE,
    RSS,
    articles,
    failures,
    one,
    run,
    write,
)

from index.ingest import FetchedDoc, FetchError, IngestLimits, fetch_url

# -- feeds and OPML -----------------------------------------------------------------------

def test_rss_feed(tmp_path: Path) -> None:
    p = write(tmp_path / "feed.rss", RSS.encode("latin-1"))
    res = run(p)
    arts = articles(res)
    assert not failures(res)
    assert [a.title for a in arts] == [
        "Feed item about Palmyra",
        "Item without a title about Raqqa",
        "Bad date été",
    ]
    first = arts[0]
    assert first.paragraphs == ["Russian warships fired.", "Second."]
    assert first.date == "2017-05-31T10:00:00+00:00"
    assert (first.url, first.source, first.origin) == ("http://example.com/a", "Good feed", None)
    assert "Ann" in (first.byline or "")
    assert arts[2].date is None and arts[2].origin == f"{p.resolve()}#2"


def test_atom_feed(tmp_path: Path) -> None:
    a = one(write(tmp_path / "x.atom", ATOM))
    assert a.title == "Atom entry"
    assert a.paragraphs == ["Full content one.", "Full content two."]
    assert (a.date, a.url, a.source, a.byline) == (
        "2020-01-02T03:04:05+00:00",
        "https://example.org/atom/1",
        "Atom source",
        "Zed",
    )


def test_not_a_feed(tmp_path: Path) -> None:
    p = write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url>x</url></urlset>')
    broken = write(tmp_path / "broken.rss", "<rss><channel><title>x</title><item>")
    fails = failures(run(p, broken))
    assert fails[str(p)] == "not an rss or atom feed"
    assert fails[str(broken)]  # a reason, whatever feedparser calls it


BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">\n' for i in range(8))
    + ']>\n<rss version="2.0"><channel><title>Bomb</title><item><title>&i;</title>'
    "</item></channel></rss>\n"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<rss version="2.0"><channel><title>XXE</title><item><title>XXE item</title>'
    "<description>&xxe;</description></item></channel></rss>\n"
)
SUBSET = '<?xml version="1.0"?><!DOCTYPE rss [ <!ELEMENT rss ANY> ]><rss version="2.0"/>'


def test_xml_entity_attacks_refused(tmp_path: Path) -> None:
    paths = [
        write(tmp_path / "bomb.xml", BOMB),
        write(tmp_path / "xxe.rss", XXE),
        write(tmp_path / "subset.atom", SUBSET),
        write(tmp_path / "xxe.opml", XXE.replace("rss", "opml")),
        write(tmp_path / "xxe-utf16.xml", XXE.encode("utf-16")),
    ]
    res = run(*paths)
    assert not articles(res)
    fails = failures(res)
    assert set(fails) == {str(p) for p in paths}
    for reason in fails.values():
        assert reason.startswith("refused: XML entity declarations")
    assert not any(PASSWD_LINE.search(str(r)) for r in res)


class FakeFetcher:
    def __init__(self, docs: dict[str, FetchedDoc | Exception]) -> None:
        self.docs = docs
        self.calls: list[str] = []

    def __call__(self, url: str) -> FetchedDoc:
        self.calls.append(url)
        doc = self.docs.get(url, FetchError("HTTP 404 Not Found"))
        if isinstance(doc, Exception):
            raise doc
        return doc


OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head><body>
<outline text="News"><outline text="A" type="rss" xmlUrl="https://feeds.test/a.xml"/>
<outline text="B" xmlUrl="https://feeds.test/missing"/></outline>
<outline text="C" xmlUrl="file:///etc/passwd"/><outline text="D" xmlurl="https://feeds.test/boom"/>
<outline text="E" xmlUrl="https://feeds.test/a.xml"/><outline text="no url"/>
</body></opml>"""


def test_opml_fetches_each_feed_and_reports_failures_separately(tmp_path: Path) -> None:
    fetcher = FakeFetcher(
        {
            "https://feeds.test/a.xml": FetchedDoc(
                "https://feeds.test/a.xml", "application/rss+xml", RSS.encode("latin-1")
            ),
            "https://feeds.test/boom": ConnectionResetError("peer hung up"),
        }
    )
    res = run(write(tmp_path / "subs.opml", OPML), fetcher=fetcher)
    assert len(articles(res)) == 3
    assert articles(res)[2].origin == "https://feeds.test/a.xml#2"
    fails = failures(res)
    assert fails == {
        "https://feeds.test/missing": "HTTP 404 Not Found",
        "file:///etc/passwd": "unsupported URL scheme: file",
        "https://feeds.test/boom": "could not fetch: ConnectionResetError: peer hung up",
    }
    assert fetcher.calls == [  # each URL once; file: never handed to the fetcher
        "https://feeds.test/a.xml",
        "https://feeds.test/missing",
        "https://feeds.test/boom",
    ]


def test_urls_dispatch_by_content_type_and_sniffing() -> None:
    page = HTML_PAGE.encode()
    fetcher = FakeFetcher(
        {
            "https://n.test/page": FetchedDoc("https://n.test/page?x", "text/html", page),
            "https://n.test/feed": FetchedDoc("https://n.test/feed", "text/plain", ATOM.encode()),
            "https://n.test/rows": FetchedDoc(
                "https://n.test/rows", "application/json", b'{"title": "J1"}\n{"title": "J2"}\n'
            ),
            "https://n.test/cp": FetchedDoc(
                "https://n.test/cp", "text/plain", "Caf\xe9 news\n\nBody".encode("cp1252"), None
            ),
            "https://n.test/koi": FetchedDoc(
                "https://n.test/koi",
                "text/plain",
                "Новости\n\nТекст".encode("koi8-r"),
                "koi8-r",
            ),
            "https://n.test/pic": FetchedDoc("https://n.test/pic", "image/png", b"\x89PNG"),
            "https://n.test/empty": FetchedDoc("https://n.test/empty", "text/html", b"  \n"),
        }
    )
    res = run(
        "https://n.test/page",
        "https://n.test/feed",
        "https://n.test/rows",
        "https://n.test/cp",
        "https://n.test/koi",
        "https://n.test/pic",
        "https://n.test/empty",
        fetcher=fetcher,
    )
    titles = [a.title for a in articles(res)]
    assert titles == ["Palmyra retaken", "Atom entry", "J1", "J2", "Café news", "Новости"]
    page_article = articles(res)[0]
    assert page_article.origin == "https://n.test/page"
    assert page_article.url == "https://n.test/page?x"
    assert failures(res) == {
        "https://n.test/pic": "unsupported content type: image/png",
        "https://n.test/empty": "empty response",
    }


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://x.test/a", "ftp"),
        ("javascript:alert(1)", "javascript"),
    ],
)
def test_url_scheme_refused(url: str, scheme: str) -> None:
    fetcher = FakeFetcher({})
    assert failures(run(url, fetcher=fetcher)) == {url: f"unsupported URL scheme: {scheme}"}
    assert fetcher.calls == []


# -- stdin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "titles"),
    [
        (b'{"title": "From stdin", "body": "x"}', ["From stdin"]),
        (b'{"title": "L1"}\n{"title": "L2"}\n', ["L1", "L2"]),
        (b"Plain stdin title\n\nBody text.\n", ["Plain stdin title"]),
        (b"---\ntitle: FM\n---\nBody\n", ["FM"]),
        (ATOM.encode(), ["Atom entry"]),
        (HTML_PAGE.encode(), ["Palmyra retaken"]),
    ],
    ids=["json", "jsonl", "text", "markdown", "atom", "html"],
)
def test_stdin_is_sniffed(data: bytes, titles: list[str]) -> None:
    res = run("-", stdin=io.BytesIO(data))
    assert [a.title for a in articles(res)] == titles
    assert all(a.origin is None for a in articles(res))


def test_stdin_failures() -> None:
    assert failures(run("-", stdin=io.BytesIO(b""))) == {"<stdin>": "empty input"}
    assert failures(run("-", stdin=io.BytesIO(b"\x00\x01\x02" * 100))) == {
        "<stdin>": "binary file, not text"
    }
    res = run("-", stdin=io.BytesIO(b"x" * 200), limits=IngestLimits(max_file_bytes=100))
    assert failures(res)["<stdin>"].startswith("input too large")


# -- fetch_url against a local server ------------------------------------------------------


class _Handler(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802
        routes = {
            "/page": (200, "text/html; charset=utf-8", HTML_PAGE.encode()),
            "/big": (200, "text/plain", b"x" * 5000),
        }
        if self.path.startswith("/loop"):
            n = int(self.path.removeprefix("/loop") or 0)
            return self._redirect(f"/loop{n + 1}")
        if self.path == "/to-file":
            return self._redirect("file:///etc/passwd")
        if self.path == "/hop":
            return self._redirect("/page")
        if self.path == "/ua":
            body = self.headers.get("User-Agent", "").encode()
            return self._send(200, "text/plain", body)
        if self.path not in routes:
            return self._send(404, "text/plain", b"nope")
        self._send(*routes[self.path])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)


def test_fetch_url_local_server(server: str) -> None:
    limits = IngestLimits(url_max_bytes=1000, url_timeout=5)
    doc = fetch_url(f"{server}/hop", limits)
    assert doc.url == f"{server}/page" and doc.content_type == "text/html"
    assert doc.charset == "utf-8" and b"Palmyra" in doc.data
    assert fetch_url(f"{server}/ua", limits).data == b"newsreader/0.1"
    cases = {
        "/missing": "HTTP 404 Not Found",
        "/loop0": "too many redirects (limit 5)",
        "/to-file": "redirect to unsupported URL scheme: file",
        "/big": "response too large (4.9 KiB, limit 1000 bytes)",
    }
    for path, reason in cases.items():
        with pytest.raises(FetchError) as err:
            fetch_url(server + path, limits)
        assert err.value.reason == reason


def test_fetch_url_no_redirects_allowed(server: str) -> None:
    with pytest.raises(FetchError) as err:
        fetch_url(f"{server}/hop", IngestLimits(max_redirects=0, url_timeout=5))
    assert err.value.reason == "too many redirects (limit 0)"


def test_fetch_url_connection_refused() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetch_url(f"http://127.0.0.1:{port}/", IngestLimits(url_timeout=2))
    assert err.value.reason == "connection refused"


def test_iter_inputs_default_fetcher(server: str) -> None:
    res = run(f"{server}/page", f"{server}/missing")
    assert [a.title for a in articles(res)] == ["Palmyra retaken"]
    assert failures(res) == {f"{server}/missing": "HTTP 404 Not Found"}
