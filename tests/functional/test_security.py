"""Security (issue 8, part 5): XML entities are never expanded nor external ones fetched or read
(feeds, OPML, HTML, fetched URLs); terminal control sequences are stripped at ingest and again
at render, and article text never becomes markup, a link or a click action; only http(s) URLs
are fetched, within size, time and redirect limits, with a clear reason on failure; exports
escape HTML and neutralise spreadsheet formulas. Servers are local (127.0.0.1): no network.

Over 400 lines: one module per guarantee, as the issue lists them; the XML, URL and export parts
share the local server and the hostile documents."""

from __future__ import annotations

import csv
import http.server
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from http_helpers import QuietHandler, run_server
from reliability_helpers import no_traceback, wait_until
from rich.console import Console

from index.config import Settings
from index.core import Newsreader
from index.export.renderers import render
from index.sanitize import strip_controls
from reader.text import one_line, safe, styled

SECRET = "SECRET-MARKER-5b1f0c"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _clean(text: str) -> None:
    """No terminal control or bidi override left, nor the payload of a stripped sequence."""
    assert not CONTROLS.search(text), repr(text)
    for payload in ("52;c;", "cm0gLXJmIH4K", "evil.example", "]8;;", "pwned", "[2J", "+q544e"):
        assert payload not in text, (payload, text)


def _library_has(library: Path, marker: str) -> list[str]:
    """Files anywhere in the library (SQLite, its journal, the index) holding `marker`."""
    needle = marker.encode()
    return [str(p) for p in library.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n")
    return path


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


def _feed(items: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}<rss version="2.0"><channel><title>Wire</title>'
        f"{items}</channel></rss>\n"
    )


def _item(title: str, description: str, link: str) -> str:
    return (
        f"<item><title>{title}</title><description>{description}</description>"
        f"<link>{link}</link></item>"
    )


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
        "laughs.xml": _feed(_item("&lol9;", "&lol9;", "http://a.example/1"), _laughs()),
        "xxe.xml": _feed(_item("XXE &xxe;", "&xxe;", "http://a.example/2"), xxe),
        "xxe-param.xml": _feed(
            _item("param", "x", "http://a.example/3"),
            f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n',
        ),
        "xxe-atom.xml": (
            '<?xml version="1.0"?>\n'
            f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            "<entry><title>&xxe;</title><id>urn:x</id><content>&xxe;</content></entry></feed>\n"
        ),
        "dtd.xml": _feed(
            _item("External DTD", "&ext;", "http://a.example/4"),
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
        _feed(_item("&lol9;", "x", "http://a.example/5"), _laughs()).encode("utf-16")
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
    assert _library_has(lib, SECRET) == []
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
        _feed(
            _item(
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


# -- terminal control sequences -----------------------------------------------------------------
HOSTILE = {
    "osc52": "\x1b]52;c;cm0gLXJmIH4K\x07",
    "osc52-st": "\x1b]52;c;cm0gLXJmIH4K\x1b\\",
    "osc8": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "clear": "\x1b[2J\x1b[H",
    "c1-csi": "\x9b2J",
    "c1-osc": "\x9d0;pwned\x9c",
    "title": "\x1b]0;pwned\x07",
    "bell": "\x07\x07",
    "dcs": "\x1bP+q544e\x1b\\",
    "bidi": "\u202eevil\u202c",
    "nul-bs": "a\x00b\x08c",
}
ALL_HOSTILE = "".join(f" {v} " for v in HOSTILE.values())


def test_control_sequences_are_stripped_at_ingest(
    tmp_path: Path, lib: Path, no_seed_config: Path, no_seed_settings: Settings, run_cli
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = [
        {
            "title": f"Row {name} {seq} end",
            "url": f"https://x.example/{name}",
            "source": f"Src {seq}",
            "author": f"By {seq}",
            "body": f"Para {seq} one.\n\nTwo {seq}.",
        }
        for name, seq in HOSTILE.items()
    ]
    (inputs / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    # (A text file made mostly of controls is binary data; these sit in an ordinary article.)
    filler = "Officials met in the capital on Tuesday to discuss the budget. " * 40
    (inputs / "plain.txt").write_text(
        f"Plain {ALL_HOSTILE} title\n\n{filler}\n\nBody {ALL_HOSTILE} text.\n\n{filler}\n"
    )
    # In XML a raw ESC is not allowed, but a character reference to one is.
    ref = "&#x1b;]52;c;cm0gLXJmIH4K&#x07; &#x1b;[2J &#x9b;2J &#x1b;]8;;http://evil.example/&#x07;"
    (inputs / "feed.xml").write_text(
        _feed(_item(f"Feed {ref} title", f"Feed {ref} body", "https://x.example/feed"))
    )
    result = run_cli("--library", lib, "--config", no_seed_config, "add", inputs)
    assert result.code == 0, result.err
    assert "added 13," in result.out
    core = Newsreader.open(lib, no_seed_settings)
    try:
        for summary in core.list():
            a = core.get(summary.id)
            for text in (a.title, *a.paragraphs, a.source or "", a.byline or ""):
                _clean(text)
    finally:
        core.close()
    # And nothing of them in what the command line prints.
    for command in (["list"], ["search", "row"], ["show", "1"], ["show", "1", "--json"]):
        out = run_cli("--library", lib, "--config", no_seed_config, *command)
        assert out.code == 0 and "\x1b" not in out.out + out.err, command
        _clean(out.out)


@pytest.mark.parametrize("name", HOSTILE)
def test_render_strips_controls_again(name: str) -> None:
    """Text from an older library (or any path that missed ingest) is cleaned at render."""
    seq = HOSTILE[name]
    text = f"Before {seq} after"
    expected = strip_controls(text)
    _clean(safe(text))
    _clean(one_line(text))
    rendered = styled(text, [(0, 6)], style="bold")
    assert rendered.plain == expected
    _clean(rendered.plain)
    assert [(s.start, s.end, str(s.style)) for s in rendered.spans] == [(0, 6, "bold")]
    # What reaches the terminal: no control character beyond Rich's own styling.
    console = Console(
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        width=300,
        legacy_windows=False,
    )
    console.print(rendered)
    for segment in console.render(rendered):
        if not segment.control:
            _clean(segment.text)


MARKUP = (
    "[bold red]Not markup[/] [@click=app.quit]click me[/] [link=http://evil.example]x[/link]"
    " [/] [b] :smile: $accent \\[escaped] [on red]bg[/on red] <script>alert(1)</script>"
)


def test_article_text_never_becomes_markup() -> None:
    text = styled(MARKUP, base="italic")
    assert text.plain == MARKUP
    assert text.spans == []  # no style from the text's brackets
    console = Console(file=io.StringIO(), force_terminal=True, width=400, record=True)
    console.print(text)
    assert console.export_text().rstrip("\n") == MARKUP
    for segment in console.render(text):
        style = segment.style
        if style is not None:
            assert style.link is None and not style.meta, segment  # no link, no @click
    line = one_line(MARKUP)
    assert line == MARKUP


def test_markup_in_titles_is_stored_and_printed_verbatim(
    tmp_path: Path, lib: Path, no_seed_config: Path, run_cli
) -> None:
    title = "[bold]Bold?[/bold] [link=http://evil.example]no[/link] [@click=app.quit]q[/]"
    feed = tmp_path / "m.jsonl"
    feed.write_text(json.dumps({"title": title, "body": "[red]body[/red] text"}) + "\n")
    assert run_cli("--library", lib, "--config", no_seed_config, "add", feed).code == 0
    shown = run_cli("--library", lib, "--config", no_seed_config, "show", "1", "--json").json()
    assert shown["title"] == title
    assert shown["passages"][0]["text"] == "[red]body[/red] text"


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
        _feed(_item("Fetched fine", "Reached after redirects.", "https://x.example/f")).encode(),
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


# -- exports ------------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=tab", "\r=cr"]


@pytest.fixture
def hostile_bookmarks(
    tmp_path: Path, lib: Path, no_seed_settings: Settings
) -> Iterator[Newsreader]:
    rows = [
        {
            "title": "<script>alert('t')</script> & \"quotes\" <b>bold</b>",
            "url": "javascript:alert(1)",
            "body": "<img src=x onerror=alert(1)> first paragraph.\n\nSecond paragraph.",
        },
        *(
            {
                "title": f"{f} title",
                "url": f"https://x.example/{i}",
                "author": f,
                "body": f"{f} passage text.\n\n{f}",
            }
            for i, f in enumerate(FORMULAS)
        ),
    ]
    feed = tmp_path / "hostile.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    core = Newsreader.open(lib, no_seed_settings)
    try:
        assert core.add([str(feed)]).added == len(rows)
        for a in core.list():
            core.bookmarks.add(a.id, passage=0, note="=cmd|' /C calc'!A0 <i>note</i>", tags=["x"])
            core.bookmarks.add(a.id, note='@evil " onmouseover="alert(1)')
        yield core
    finally:
        core.close()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_export_is_escaped(hostile_bookmarks: Newsreader, tmp_path: Path) -> None:
    out = tmp_path / "bookmarks.html"
    count = hostile_bookmarks.export_bookmarks("html", out)
    assert count == 2 * (1 + len(FORMULAS))
    html = out.read_text()
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    parser = _Tags()
    parser.feed(html)
    assert {t for t, _ in parser.tags} <= {"meta", "title", "h1", "dl", "p", "dt", "a", "dd"}
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith(("https://", "http://", "newsreader://")), attrs
    text = "".join(parser.text)
    # The hostile text is there as text: escaped in the file, itself once parsed.
    assert "<script>alert('t')</script> & \"quotes\" <b>bold</b>" in text
    assert '@evil " onmouseover="alert(1)' in text


def test_csv_export_neutralises_formulas(hostile_bookmarks: Newsreader, tmp_path: Path) -> None:
    out = tmp_path / "bookmarks.csv"
    hostile_bookmarks.export_bookmarks("csv", out)
    rows = list(csv.reader(io.StringIO(out.read_text(), newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == "Highlight" and len(body) == 2 * (1 + len(FORMULAS))
    cells = [cell for row in body for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Neutralised, not dropped: the text is all there behind the apostrophe.
    for formula in FORMULAS:  # (ingest made the tab and CR of the last two a space)
        assert "'" + " ".join(f"{formula} title".split()) in cells, formula
    assert "'=cmd|' /C calc'!A0 <i>note</i>" in cells
    assert '\'@evil " onmouseover="alert(1)' in cells


def test_no_export_links_a_javascript_url(hostile_bookmarks: Newsreader) -> None:
    """A javascript: article URL never becomes a link in an export (the lossless JSON keeps
    it as data, as the Markdown front matter does)."""
    items = hostile_bookmarks.bookmarks.list()
    urls = [b["article"]["url"] for b in json.loads("".join(render("json", items)))["bookmarks"]]
    assert "javascript:alert(1)" in urls
    markdown = "".join(render("markdown", items))
    assert not re.search(r"\]\(\s*javascript:|<\s*javascript:|Source: .*javascript:", markdown)
    html = "".join(render("html", items))
    assert "javascript:" not in html
    rows = list(csv.DictReader(io.StringIO("".join(render("csv", items)), newline="")))
    assert not [r for r in rows if "javascript:" in r["URL"]]
