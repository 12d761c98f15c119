"""Security (issue 8, part 5), what arrives: XML entities are never expanded nor external ones
fetched or read (feeds, OPML, HTML, fetched URLs); only http(s) URLs are fetched, within size,
time and redirect limits, with a clear reason on failure. Servers are local (127.0.0.1): no
network. What leaves as text is in test_security_text.py."""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_helpers import QuietHandler, run_server
from reliability_helpers import no_traceback, wait_until
from security_helpers import SECRET, library_has, rss_feed, rss_item

from index.config import Settings
from index.core import Newsreader


# -- a local web server --------------------------------------------------------------------------
class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        self.gave_up: list[str] = []  # paths whose client hung up before the end
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(QuietHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # bodies without Content-Length end when the socket does

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        self.server.requests.append(path)
        if m := re.fullmatch(r"/loop/(\d+)", path):
            return self._redirect(f"/loop/{int(m[1]) + 1}")
        if m := re.fullmatch(r"/hops/(\d+)", path):
            n = int(m[1])
            return self._redirect(f"/hops/{n - 1}" if n > 1 else "/feed.xml")
        if path in ("/to-file", "/to-data", "/to-ftp"):
            target = {
                "/to-file": "file:///etc/passwd",
                "/to-data": "data:text/plain,hi",
                "/to-ftp": "ftp://127.0.0.1/x",
            }[path]
            return self._redirect(target)
        if path == "/hang":  # answers nothing until the test ends
            self.server.release.wait(60)
            return None
        if path in ("/trickle", "/endless"):
            return self._stream(path, byte_wait=0.05 if path == "/trickle" else 0.0)
        if path not in self.server.routes:
            return self._send(404, "text/plain", b"no such page")
        return self._send(*self.server.routes[path])

    def _stream(self, path: str, byte_wait: float) -> None:
        """A body with no length: bytes until the client hangs up (or 120 s pass)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        end = time.monotonic() + 120
        try:
            while time.monotonic() < end and not self.server.release.is_set():
                self.wfile.write(b"x" if byte_wait else b"x" * 65536)
                self.wfile.flush()
                if byte_wait:
                    time.sleep(byte_wait)  # the server's pace, not a test synchronisation
        except OSError:
            self.server.gave_up.append(path)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    httpd = _Server()
    for _ in run_server(httpd, monkeypatch):
        yield httpd


# -- XML ----------------------------------------------------------------------------------------
def _laughs(levels: int = 9) -> str:
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return "<!DOCTYPE rss [\n" + "\n".join(decls) + "\n]>\n"


def _hostile_xml(secret: Path, dtd_url: str) -> dict[str, str]:
    """name -> XML text: entity bombs, external entities reading `secret`, external DTDs."""
    xxe = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    return {
        "laughs.xml": rss_feed(rss_item("&lol9;", "&lol9;", "http://a.example/1"), _laughs()),
        "xxe.xml": rss_feed(rss_item("XXE &xxe;", "&xxe;", "http://a.example/2"), xxe),
        "xxe-param.xml": rss_feed(
            rss_item("param", "x", "http://a.example/3"),
            f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n',
        ),
        "xxe-atom.xml": (
            '<?xml version="1.0"?>\n'
            f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            "<entry><title>&xxe;</title><id>urn:x</id><content>&xxe;</content></entry></feed>\n"
        ),
        "dtd.xml": rss_feed(
            rss_item("External DTD", "&ext;", "http://a.example/4"),
            f'<!DOCTYPE rss SYSTEM "{dtd_url}">\n',
        ),
        "xxe.opml": (
            '<?xml version="1.0"?>\n'
            f'<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            '<opml version="2.0"><head><title>&xxe;</title></head><body>'
            '<outline text="x" xmlUrl="http://127.0.0.1:9/&xxe;"/></body></opml>\n'
        ),
        "xxe.html": (
            f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            "<html><head><title>XXE page</title></head><body><article><h1>XXE page</h1>"
            "<p>Before &xxe; after, and some more words so that this is an article.</p>"
            "</article></body></html>\n"
        ),
    }


def test_xml_entities_are_never_expanded_or_fetched(
    tmp_path: Path,
    lib: Path,
    secret: Path,
    server: _Server,
    no_seed_config: Path,
    no_seed_settings: Settings,
    run_cli,
) -> None:
    server.routes["/evil.dtd"] = (
        200,
        "application/xml-dtd",
        f'<!ENTITY ext SYSTEM "file://{secret}">'.encode(),
    )
    folder = tmp_path / "xml"
    folder.mkdir()
    for name, text in _hostile_xml(secret, f"{server.url}/evil.dtd").items():
        (folder / name).write_text(text, encoding="utf-8")
    # The same bomb in UTF-16: the check runs on decoded text, so encodings do not hide it.
    (folder / "laughs16.xml").write_bytes(
        rss_feed(rss_item("&lol9;", "x", "http://a.example/5"), _laughs()).encode("utf-16")
    )
    # Fetched, too: a feed and an OPML list by URL go through the same refusal.
    server.routes["/xxe.xml"] = (200, "application/rss+xml", (folder / "xxe.xml").read_bytes())
    server.routes["/xxe.opml"] = (200, "text/x-opml", (folder / "xxe.opml").read_bytes())
    result = run_cli(
        "--library",
        lib,
        "--config",
        no_seed_config,
        "add",
        folder,
        f"{server.url}/xxe.xml",
        f"{server.url}/xxe.opml",
    )
    assert result.code == 1
    assert SECRET not in result.out + result.err
    refused = [line for line in result.err.splitlines() if "refused: XML entity" in line]
    assert len(refused) == 8, result.err  # every file with a declaration, both URLs
    assert "/evil.dtd" not in server.requests  # the external DTD was never fetched
    assert library_has(lib, SECRET) == []
    core = Newsreader.open(lib, no_seed_settings)
    try:
        for a in core.list():
            article = core.get(a.id)
            text = article.title + "\n".join(article.paragraphs)
            assert "lollol" not in text and "root:x:0" not in text
    finally:
        core.close()


def test_ordinary_xml_entities_still_work(
    tmp_path: Path, lib: Path, no_seed_settings: Settings
) -> None:
    """Refusing declared entities must not refuse the five built-in ones or character
    references, which every real feed uses."""
    feed = tmp_path / "ok.xml"
    feed.write_text(
        rss_feed(
            rss_item(
                "Ham &amp; eggs &#8212; &lt;b&gt;", "Body &quot;text&quot;.", "http://a.example/ok"
            )
        )
    )
    core = Newsreader.open(lib, no_seed_settings)
    try:
        report = core.add([str(feed)])
        assert report.added == 1, report.failures
        assert core.list()[0].title == "Ham & eggs — <b>"
    finally:
        core.close()


# -- URLs ---------------------------------------------------------------------------------------
@pytest.fixture
def url_config(tmp_path: Path) -> Path:
    path = tmp_path / "url-config.yaml"
    path.write_text(
        "library:\n  seed_demo: false\n"
        "ingest:\n  url_timeout: 1\n  url_max_bytes: 200000\n  max_redirects: 3\n"
    )
    return path


def _reasons(err: str, base: str) -> dict[str, str]:
    out = {}
    for line in err.splitlines():
        if line.startswith(base):
            where, _, reason = line[len(base) :].partition(": ")
            out[where] = reason
    return out


def test_only_http_urls_are_fetched(lib: Path, url_config: Path, run_cli) -> None:
    refused = {
        "file:///etc/passwd": "unsupported URL scheme: file",
        "FILE:///etc/passwd": "unsupported URL scheme: file",
        "ftp://127.0.0.1/feed.xml": "unsupported URL scheme: ftp",
        "javascript:alert(1)": "unsupported URL scheme: javascript",
        "data:text/xml,<rss/>": "unsupported URL scheme: data",
        "gopher://127.0.0.1/": "unsupported URL scheme: gopher",
    }
    result = run_cli("--library", lib, "--config", url_config, "add", *refused)
    assert result.code == 1
    no_traceback(result.err)
    got = dict(line.partition(": ")[::2] for line in result.err.splitlines() if ": " in line)
    assert got == refused
    assert "root:x:0" not in result.out + result.err


def test_url_limits_and_clear_errors(
    lib: Path, server: _Server, url_config: Path, no_seed_settings: Settings, run_cli
) -> None:
    server.routes["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss_feed(
            rss_item("Fetched fine", "Reached after redirects.", "https://x.example/f")
        ).encode(),
    )
    server.routes["/big"] = (200, "text/plain", b"x" * 300_000)
    paths = [
        "/hops/3",
        "/missing",
        "/big",
        "/endless",
        "/hang",
        "/trickle",
        "/loop/0",
        "/to-file",
        "/to-data",
        "/to-ftp",
    ]
    result = run_cli(
        "--library",
        lib,
        "--config",
        url_config,
        "add",
        *(server.url + p for p in paths),
        "http://127.0.0.1:9/closed",
    )
    no_traceback(result.err)
    assert result.code == 1
    reasons = _reasons(result.err, server.url)
    assert reasons == {
        "/missing": "HTTP 404 Not Found",
        "/big": "response too large (293 KiB, limit 195.3 KiB)",
        "/endless": "response larger than the 195.3 KiB limit",
        "/hang": "timed out after 1 s",
        "/trickle": "download took longer than 4 s",
        "/loop/0": "too many redirects (limit 3)",
        "/to-file": "redirect to unsupported URL scheme: file",
        "/to-data": "redirect to unsupported URL scheme: data",
        "/to-ftp": "redirect to unsupported URL scheme: ftp",
    }, result.err
    assert "http://127.0.0.1:9/closed: connection refused" in result.err
    # Within the limit, three redirects are followed; the loop stopped after the limit.
    assert "added 1," in result.out
    assert server.requests.count("/hops/1") == 1
    assert len([r for r in server.requests if r.startswith("/loop/")]) == 4
    # The endless and trickling bodies were abandoned by the client, not ended by the server.
    wait_until(lambda: len(server.gave_up) == 2, 60, "the server to see the hang-ups")
    assert sorted(server.gave_up) == ["/endless", "/trickle"]
    core = Newsreader.open(lib, no_seed_settings)
    try:
        assert [a.title for a in core.list()] == ["Fetched fine"]
    finally:
        core.close()
