"""Ingest parsing: every format, hostile inputs, and the guarantees the library relies on."""

from __future__ import annotations

import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_helpers import QuietHandler

from index.ingest import FetchedDoc, FetchError, IngestLimits, Parsed, fetch_url, iter_inputs
from index.ingest import sources as sources_module
from index.ingest.common import split_long, truncate_title
from index.ingest.dates import normalize_date
from index.ingest.html import extract_fallback
from index.model import Article

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PASSWD_LINE = re.compile(r"root:.*:0:0:")


def run(*inputs: str | Path, **kwargs) -> list[Parsed]:
    return list(iter_inputs([str(i) for i in inputs], **kwargs))


def articles(results: list[Parsed]) -> list[Article]:
    return [r.article for r in results if r.article]


def failures(results: list[Parsed]) -> dict[str, str]:
    return {r.failure.path: r.failure.reason for r in results if r.failure}


def one(*inputs: str | Path, **kwargs) -> Article:
    results = run(*inputs, **kwargs)
    assert len(results) == 1 and results[0].article, results
    return results[0].article


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# -- plain text, Markdown, HTML ------------------------------------------------------------


def test_plain_text_title_and_paragraphs(tmp_path: Path) -> None:
    p = write(tmp_path / "a.txt", "\n\n  Title line  \n\nFirst para\nwraps here.\n\nSecond.\n")
    a = one(p)
    assert a.title == "Title line"
    assert a.paragraphs == ["First para wraps here.", "Second."]
    assert a.origin == str(p.resolve())
    assert a.url is None and a.date is None


def test_markdown_front_matter_and_syntax(tmp_path: Path) -> None:
    p = write(
        tmp_path / "story.md",
        "---\n"
        "title: Front matter title\n"
        "date: 2017-05-31\n"
        "source: Wire\n"
        "url: https://example.com/story\n"
        "author: [Ann, Bob]\n"
        "---\n"
        "# Front matter title\n\n"
        "Some **bold** and *italic* and [a link](https://x.example/) and `code`.\n"
        "![an image](pic.png)\n\n"
        "## Section\n\n"
        "- item one\n- item two\n\n"
        "```\nprint('kept')\n```\n",
    )
    a = one(p)
    assert a.title == "Front matter title"
    assert (a.date, a.source, a.url, a.byline) == (
        "2017-05-31",
        "Wire",
        "https://example.com/story",
        "Ann, Bob",
    )
    assert a.paragraphs[0] == "Some bold and italic and a link and code."
    assert "Section" in a.paragraphs
    assert "item one" in a.paragraphs and "item two" in a.paragraphs
    assert "print('kept')" in a.paragraphs
    assert not any("image" in p or "#" in p or "**" in p for p in a.paragraphs)


def test_markdown_heading_title_and_markup_is_text(tmp_path: Path) -> None:
    p = write(tmp_path / "m.markdown", "Intro line\n\n# [bold]Real title[/]\n\nBody \\[x] text\n")
    a = one(p)
    assert a.title == "[bold]Real title[/]"
    assert a.paragraphs == ["Intro line", "Body [x] text"]


def test_markdown_bad_front_matter_still_reads(tmp_path: Path) -> None:
    a = one(write(tmp_path / "b.md", "---\ntitle: [unclosed\n---\nPlain title\n\nBody.\n"))
    assert a.title == "Plain title" and a.paragraphs == ["Body."]


HTML_PAGE = (
    "<html><head><title>Site | Page</title><style>body{color:red}</style>"
    "<meta property='og:site_name' content='The Site'>"
    "<meta name='author' content='Jane Roe'>"
    "<script>alert('x')</script></head><body>"
    "<nav>Home | About | Login</nav><header>Masthead text</header>"
    "<article><h1>Palmyra retaken</h1>"
    "<p>Syrian troops entered the ancient city of Palmyra on Thursday, officials said.</p>"
    "<p>The city has changed hands several times during the long war in Syria.</p>"
    "<p>Further fighting was reported around the old citadel late on Friday.</p>"
    "</article><aside>Related: other stories</aside><footer>Copyright footer</footer>"
    "</body></html>"
)


def test_html_article_without_page_furniture(tmp_path: Path) -> None:
    a = one(write(tmp_path / "page.html", HTML_PAGE))
    assert a.title == "Palmyra retaken"
    body = a.body
    assert "Syrian troops entered" in body and "old citadel" in body
    for junk in ("alert(", "body{color", "Home | About", "Copyright footer", "Masthead"):
        assert junk not in body
    assert a.paragraphs[0] != a.title  # the <h1> is not repeated as the first paragraph
    assert a.source == "The Site" and a.byline == "Jane Roe"


def test_html_fallback_extractor() -> None:
    page = extract_fallback(HTML_PAGE + "<div hidden>secret</div><pre>a\n  b</pre>")
    assert page.title == "Site | Page" and page.h1 == "Palmyra retaken"
    text = "\n".join(page.paragraphs)
    assert "Syrian troops entered" in text and "a\n  b" in text
    for junk in ("alert(", "body{color", "Home | About", "Copyright", "Related", "secret"):
        assert junk not in text
    assert page.meta["site"] == "The Site"


def test_deeply_nested_html_uses_fallback(tmp_path: Path) -> None:
    html = "<html><body>" + "<div>" * 5000 + "deep text here" + "</div>" * 5000 + "</body></html>"
    a = one(write(tmp_path / "nested.htm", html))
    assert a.title == "deep text here"


def test_trafilatura_exception_falls_back(tmp_path: Path, monkeypatch) -> None:
    import trafilatura

    def boom(*args, **kwargs):
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(trafilatura, "bare_extraction", boom)
    a = one(write(tmp_path / "page.html", HTML_PAGE))
    assert a.title == "Site | Page"
    assert "Syrian troops entered" in a.body and "alert(" not in a.body


# -- JSON and JSON Lines ------------------------------------------------------------------


def test_json_object_with_aliases(tmp_path: Path) -> None:
    row = {
        "headline": None,
        "title": "Aliased",
        "content": "Para one.\n\nPara two.",
        "pubDate": "Wed, 31 May 2017 10:00:00 GMT",
        "link": "https://example.com/a",
        "source": {"name": "Reuters"},
        "authors": ["Ann", {"name": "Bob"}],
    }
    p = write(tmp_path / "one.json", json.dumps(row))
    a = one(p)
    assert a.title == "Aliased" and a.paragraphs == ["Para one.", "Para two."]
    assert a.date == "2017-05-31T10:00:00+00:00"
    assert (a.url, a.source, a.byline) == ("https://example.com/a", "Reuters", "Ann, Bob")
    assert a.origin == str(p.resolve())


def test_json_list_reports_bad_items_by_index(tmp_path: Path) -> None:
    items = [
        {"title": "First", "body": "x", "published_at": "2017-05-31 10:00"},
        "not an object",
        {"title": "Third", "text": ["a", "list"]},
        {"summary": "Only a summary here. More text follows."},
        {"title": 42},
        {"date": "2017-01-01"},
    ]
    p = write(tmp_path / "list.json", json.dumps(items))
    res = run(p)
    arts = articles(res)
    assert [a.title for a in arts] == ["First", "Only a summary here"]
    assert arts[0].date == "2017-05-31T10:00:00"
    assert arts[0].origin == f"{p.resolve()}#0" and arts[1].origin == f"{p.resolve()}#3"
    fails = failures(res)
    assert fails == {
        f"{p}[1]": "not a JSON object",
        f"{p}[2]": "text is a list, not a string",
        f"{p}[4]": "title is a number, not a string",
        f"{p}[5]": "no title or body",
    }


@pytest.mark.parametrize("key", ["articles", "items", "entries", "data"])
def test_json_wrapped_list(tmp_path: Path, key: str) -> None:
    rows = [{"title": "A", "description": "d"}, {"title": "B", "url": "https://e.x/b"}]
    res = run(write(tmp_path / "w.json", json.dumps({key: rows, "meta": 1})))
    arts = articles(res)
    assert [a.title for a in arts] == ["A", "B"]
    assert arts[1].origin is None  # it has a URL to be found by


def test_json_invalid_and_wrong_shape(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", '{"articles": [{"title": "unterminated"')
    num = write(tmp_path / "num.json", "42")
    fails = failures(run(bad, num))
    assert fails[str(bad)].startswith("invalid JSON: ")
    assert "line 1" in fails[str(bad)]
    assert fails[str(num)] == "not an article object or a list of articles"


def test_jsonl_bad_rows_reported_with_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Good 1", "body": "b", "date": "yesterday-ish"}),
        '{"title": "truncated", "body": "never closed',
        "",
        json.dumps({"title": 42, "body": ["not", "a", "string"]}),
        "[1, 2]",
        json.dumps({"body": "No title here. Second sentence."}),
        "   ",
        json.dumps({"title": "Good 3", "url": "https://e.x/3"}),
    ]
    p = write(tmp_path / "rows.jsonl", "\n".join(lines) + "\n")
    res = run(p)
    arts = articles(res)
    assert [a.title for a in arts] == ["Good 1", "No title here", "Good 3"]
    assert arts[0].date is None  # a bad date does not fail the row
    assert arts[0].origin == f"{p.resolve()}#1" and arts[2].origin is None
    fails = failures(res)
    assert set(fails) == {f"{p}:2", f"{p}:4", f"{p}:5"}
    assert fails[f"{p}:2"].startswith("invalid JSON: unterminated string")
    assert fails[f"{p}:4"] == "title is a number, not a string"
    assert fails[f"{p}:5"] == "not a JSON object"


def test_jsonl_streams_without_holding_the_file(tmp_path: Path) -> None:
    p = tmp_path / "big.ndjson"
    body = "Assad met officials in Damascus. " * 100
    with p.open("w") as f:
        for i in range(2000):
            f.write(json.dumps({"title": f"Row {i}", "body": body}) + "\n")
    assert p.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        count = sum(1 for r in iter_inputs([str(p)]) if r.article)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 2_000_000, peak


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    p = write(tmp_path / "rows.json", '{"title": "A"}\n{"title": "B"}\n')
    assert [a.title for a in articles(run(p))] == ["A", "B"]


# -- feeds and OPML -----------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x.invalid/rss.dtd">
<rss version="2.0"><channel><title>Good feed</title>
<item><title>Feed item about Palmyra</title><link>http://example.com/a</link>
<author>ann@example.com (Ann)</author>
<pubDate>Wed, 31 May 2017 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Russian warships fired.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Second.&lt;/p&gt;</description></item>
<item><link>http://example.com/b</link><description>Item without a title about Raqqa. More.</description></item>
<item><title>Bad date \xe9t\xe9</title><pubDate>not a date</pubDate><description>Damascus said so.</description></item>
</channel></rss>
"""  # noqa: E501

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom source</title>
<entry><title type="html">&lt;b&gt;Atom&lt;/b&gt; entry</title>
<link href="https://example.org/atom/1"/><updated>2020-01-02T03:04:05Z</updated>
<author><name>Zed</name></author><summary>Short.</summary>
<content type="html">&lt;p&gt;Full content one.&lt;/p&gt;
&lt;p&gt;Full content two.&lt;/p&gt;</content>
</entry></feed>
"""


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


# -- encodings, bad files, folders -------------------------------------------------------


def test_encodings(tmp_path: Path) -> None:
    utf16 = write(tmp_path / "u16.txt", "UTF-16 title ü\n\nBody ẞ\n".encode("utf-16"))
    utf16jsonl = write(tmp_path / "u16.jsonl", '{"title": "Zürich"}\n'.encode("utf-16"))
    cp = write(tmp_path / "cp.txt", "Café in Zürich — naïve résumé\n\nx\n".encode("cp1252"))
    cpjsonl = write(tmp_path / "cp.jsonl", '{"title": "caf\xe9"}\n'.encode("cp1252"))
    bad = write(tmp_path / "bad.txt", b"Broken \xff\xfe\xc3\x28 title\n\nBody\n")
    arts = articles(run(utf16, utf16jsonl, cp, cpjsonl, bad))
    assert [a.title for a in arts[:4]] == [
        "UTF-16 title ü",
        "Zürich",
        "Café in Zürich — naïve résumé",
        "café",
    ]
    assert arts[0].paragraphs == ["Body ẞ"]
    assert arts[4].title.startswith("Broken") and arts[4].paragraphs == ["Body"]


def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    html = "<html><head><meta charset='windows-1251'><title>Новости дня</title></head>"
    html += "<body><p>Текст статьи о Пальмире, достаточно длинный для извлечения.</p></body></html>"
    feed = RSS.replace("ISO-8859-1", "koi8-r").replace("Bad date \xe9t\xe9", "Плохая дата")
    arts = articles(
        run(
            write(tmp_path / "ru.html", html.encode("cp1251")),
            write(tmp_path / "ru.xml", feed.encode("koi8-r")),
        )
    )
    assert arts[0].title == "Новости дня" and "Пальмире" in arts[0].body
    assert arts[-1].title == "Плохая дата"


def test_bracketed_headline_is_text_not_json() -> None:
    a = one("-", stdin=io.BytesIO(b"[UPDATE] Talks resume\n\nBody.\n"))
    assert a.title == "[UPDATE] Talks resume" and a.paragraphs == ["Body."]


def test_import_stays_light() -> None:
    code = (
        "import sys, index.ingest; "
        "print(sorted(m for m in ('trafilatura', 'feedparser', 'yaml', 'textual', 'reader') "
        "if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_binary_empty_missing_and_too_large(tmp_path: Path) -> None:
    binary = write(tmp_path / "pic.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.md", " \n\t\n")
    pdf = write(tmp_path / "doc.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    missing = tmp_path / "nope.txt"
    assert failures(run(binary, empty, blank, missing, pdf)) == {
        str(binary): "binary file, not text",
        str(empty): "empty file",
        str(blank): "empty file",
        str(missing): "no such file or directory",
        str(pdf): "binary file, not text",
    }
    big = write(tmp_path / "big.txt", "Title\n\n" + "x " * 200)
    big_rows = write(tmp_path / "big.jsonl", '{"title": "x"}\n' * 100)
    res = run(big, big_rows, limits=IngestLimits(max_file_bytes=300))
    assert failures(res) == {
        str(big): "file too large (407 bytes, limit 300 bytes)",
        str(big_rows): "file too large (1.5 KiB, limit 300 bytes)",
    }


def test_folder_walk_skips_other_types_and_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B title\n\nbody")
    write(tmp_path / "a" / "story.md", "# A title\n\nbody")
    write(tmp_path / "a" / "photo.jpg", b"\xff\xd8\xff\xe0")
    write(tmp_path / "NOTICE", "licence text")
    write(tmp_path / ".hidden.txt", "Hidden\n\nbody")
    write(tmp_path / ".git" / "x.txt", "Hidden too\n\nbody")
    res = run(tmp_path)
    assert [a.title for a in articles(res)] == ["B title", "A title"]  # files, then sub-folders
    skipped = sorted(r.path for r in res if r.skipped)
    assert skipped == sorted([str(tmp_path / "NOTICE"), str(tmp_path / "a" / "photo.jpg")])
    assert not failures(res)


def test_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path / "top" / "one.txt", "One\n\nbody")
    write(tmp_path / "top" / "sub" / "two.txt", "Two\n\nbody")
    os.symlink("..", tmp_path / "top" / "sub" / "up")
    os.symlink(tmp_path / "top", tmp_path / "top" / "self")
    res = run(tmp_path / "top")
    assert sorted(a.title for a in articles(res)) == ["One", "Two"]
    assert not failures(res)


def test_unreadable_file_does_not_crash(tmp_path: Path) -> None:
    p = write(tmp_path / "noperm.txt", "Secret\n\nbody")
    p.chmod(0)
    try:
        res = run(p)
    finally:
        p.chmod(0o644)
    assert len(res) == 1
    if res[0].failure:  # root reads it anyway
        assert res[0].failure.reason == "permission denied"


def test_special_file_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert failures(run(fifo)) == {str(fifo): "not a regular file"}


def test_unexpected_loader_error_becomes_failure(tmp_path: Path, monkeypatch) -> None:
    def broken(text, ctx) -> Iterator[Parsed]:
        raise RuntimeError("kaboom")
        yield  # pragma: no cover

    monkeypatch.setitem(sources_module._LOADERS, "text", broken)
    p = write(tmp_path / "a.txt", "T\n\nbody")
    ok = write(tmp_path / "b.md", "# Fine\n\nbody")
    res = run(p, ok)
    assert failures(res) == {str(p): "could not read: RuntimeError: kaboom"}
    assert [a.title for a in articles(res)] == ["Fine"]


def test_unknown_extension_is_sniffed_when_named(tmp_path: Path) -> None:
    p = write(tmp_path / "download", '{"title": "Sniffed JSON", "body": "b"}')
    q = write(tmp_path / "feed.php", ATOM)
    assert [a.title for a in articles(run(p, q))] == ["Sniffed JSON", "Atom entry"]


# -- limits: long paragraphs and titles --------------------------------------------------


def test_huge_line_is_split_into_paragraphs(tmp_path: Path) -> None:
    p = write(tmp_path / "huge.txt", "Huge line\n\n" + "Palmyra " * 100_000 + "\n")
    a = one(p)
    assert a.title == "Huge line"
    assert len(a.paragraphs) >= 200
    assert all(0 < len(par) <= 4000 for par in a.paragraphs)
    assert " ".join(a.paragraphs) == ("Palmyra " * 100_000).strip()


def test_split_long_prefers_sentence_ends() -> None:
    text = ("A sentence that ends here. " * 20).strip()
    pieces = split_long(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces) == text
    assert split_long("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_long_title_truncated_at_word_boundary(tmp_path: Path) -> None:
    long = "Very long title " * 50
    title = truncate_title(long, 300)
    assert 150 < len(title) <= 300 and title.endswith("long…")
    assert long.startswith(title[:-1] + " ")  # cut between words
    a = one(write(tmp_path / "t.json", json.dumps({"title": "word " * 100, "body": "b"})))
    assert len(a.title) <= 300 and a.title.endswith("word…")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-05-31", "2017-05-31"),
        ("2017-05-31 10:00", "2017-05-31T10:00:00"),
        ("2017-05-31T10:00:00Z", "2017-05-31T10:00:00+00:00"),
        ("Wed, 31 May 2017 10:00:00 +0200", "2017-05-31T10:00:00+02:00"),
        ("31 May 2017", "2017-05-31"),
        ("May 31, 2017", "2017-05-31"),
        ("2017/05/31", "2017-05-31"),
        (1496224800, "2017-05-31T10:00:00+00:00"),
        ("1496224800000", "2017-05-31T10:00:00+00:00"),
        ("yesterday-ish", None),
        ("2017-13-45", None),
        ("", None),
        (None, None),
        (["2017-05-31"], None),
        (True, None),
    ],
)
def test_dates(value, expected) -> None:
    assert normalize_date(value) == expected


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


# -- the hostile folder --------------------------------------------------------------------

HOSTILE_TOOL = Path(__file__).resolve().parents[3] / "shared" / "tools" / "make_hostile.py"


def test_hostile_folder(tmp_path: Path) -> None:
    if not HOSTILE_TOOL.exists():
        pytest.skip("../shared/tools/make_hostile.py is not available")
    out = tmp_path / "hostile"
    subprocess.run([sys.executable, str(HOSTILE_TOOL), str(out)], check=True, capture_output=True)
    res = run(out)
    arts = articles(res)
    titles = [a.title for a in arts]

    def has(prefix: str, count: int = 1) -> None:
        assert sum(t.startswith(prefix) for t in titles) == count, (prefix, titles)

    has("Escape red headline")
    has("[bold red]Not markup[/] [@click=app.quit]click me[/]")
    has("Café in Zürich — naïve résumé")
    has("UTF-16 article about Aleppo")
    has("Unicode evil title")
    has("HTML Palmyra story")
    has("Feed item about Palmyra")
    has("JSONL good", 3)
    has("Huge line")
    has("Very long title")
    has("Palmyra duplicate report", 2)
    has("deep Palmyra text")
    assert all(len(t) <= 300 for t in titles)

    fails = failures(res)
    by_name = {os.path.basename(p): r for p, r in fails.items()}
    assert by_name == {
        "binary-v0.txt": "binary file, not text",
        "empty-v0.txt": "empty file",
        "blank-v0.md": "empty file",
        "bomb-v0.xml": by_name["bomb-v0.xml"],
        "xxe-v0.xml": by_name["xxe-v0.xml"],
        "broken-v0.json": by_name["broken-v0.json"],
        "rows-v0.jsonl:2": by_name["rows-v0.jsonl:2"],
        "rows-v0.jsonl:4": "title is a number, not a string",
    }
    assert by_name["bomb-v0.xml"].startswith("refused: XML entity declarations")
    assert by_name["xxe-v0.xml"].startswith("refused: XML entity declarations")
    assert by_name["broken-v0.json"].startswith("invalid JSON")
    assert by_name["rows-v0.jsonl:2"].startswith("invalid JSON")

    for a in arts:
        for text in (a.title, a.body, a.source or "", a.byline or "", a.url or ""):
            assert "\x1b" not in text
            assert not CONTROL.search(text), repr(text[:200])
        assert "alert(" not in a.body and "body{color" not in a.body
        assert "pwned" not in a.title
        assert not PASSWD_LINE.search(a.body)
