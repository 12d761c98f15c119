"""Ingest parsing: every format, hostile inputs, and the guarantees the library relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from ingest_helpers import (
    CONTROL,
    HTML_PAGE,
    PASSWD_LINE,
    articles,
    failures,
    one,
    run,
    write,
)

from index.ingest import iter_inputs
from index.ingest.common import split_long, truncate_title
from index.ingest.dates import normalize_date
from index.ingest.html import extract_fallback

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
