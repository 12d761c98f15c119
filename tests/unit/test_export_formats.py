"""Export formats read back by real parsers (YAML front matter, csv, an HTML parser), and their
injection safety: Markdown, Readwise CSV, Netscape bookmark HTML."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from export_helpers import EVIL_NOTE, EVIL_TITLE, read_html, split_markdown, text

from index.bookmarks import Bookmarks
from index.export.renderers import (
    CSV_COLUMNS,
)

# -- markdown -------------------------------------------------------------------------------


def unescape_md(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_markdown_front_matter_and_quotes(marked: Bookmarks) -> None:
    blocks = split_markdown(text("markdown", marked))
    assert [meta["title"] for meta, _ in blocks] == [
        "England win the cricket world cup",
        "Russian warships fire cruise missiles at Syria",
        "Syrian troops retake Palmyra",
    ]
    meta, body = blocks[1]
    missiles = next(b for b in marked.list() if b.passage == 1)
    assert meta == {
        "title": missiles.article_title,
        "url": "https://example.com/news/missiles",
        "source": "Reuters",
        "published": "2017-05-31",
        "tags": ["syria", "navy"],
        "newsreader": f"newsreader://article/{missiles.article_id}",
    }
    quotes = [unescape_md(line[2:]) for line in body.splitlines() if line.startswith("> ")]
    assert quotes == [missiles.quote, "launch"]
    assert "the sub\nsecond line" in body
    assert f"<newsreader://article/{missiles.article_id}#passage-1>" in body
    assert f"`newsreader show {missiles.article_id}`" in body
    assert "Source: <https://example.com/news/missiles>" in body
    assert "Tags: #navy #syria" in body
    palmyra_meta, _ = blocks[2]
    assert (palmyra_meta["url"], palmyra_meta["published"], palmyra_meta["tags"]) == (
        None,
        None,
        ["odd"],
    )


def test_markdown_is_injection_safe(evil: Bookmarks) -> None:
    [(meta, body)] = split_markdown(text("markdown", evil))
    assert meta["title"] == EVIL_TITLE
    assert meta["url"] == "javascript:alert(1)"  # data in YAML, never a link
    # No unescaped markup from the article: links, emphasis, math, HTML, Obsidian comments.
    assert not re.search(r"(?<!\\)[\[\]*$]", body)
    assert not re.search(r"(?<!\\)<(?!newsreader://)", body)
    assert "%%" not in body
    assert "Source:" not in body  # a javascript: URL is not linked
    heading = next(line for line in body.splitlines() if line.startswith("# "))
    assert unescape_md(heading[2:]) == EVIL_TITLE
    quotes = [unescape_md(line[2:]) for line in body.splitlines() if line.startswith("> ")]
    assert quotes == [b.quote for b in sorted(evil.list(), key=lambda b: b.passage)]


# -- csv ------------------------------------------------------------------------------------
def test_csv_has_readwise_columns(marked: Bookmarks) -> None:
    out = text("csv", marked)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == CSV_COLUMNS
    records = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(records) == 5
    sub = next(r for r in records if r["Note"] == "the sub\nsecond line")
    b = next(b for b in marked.list() if b.passage == 1)
    assert sub == {
        "Highlight": b.quote,
        "Title": b.article_title,
        "Author": "Reuters",
        "URL": "https://example.com/news/missiles",
        "Note": "the sub\nsecond line",
        "Location": "1",
        "Tags": "navy,syria",
        "Date": datetime.fromisoformat(b.created).strftime("%Y-%m-%d %H:%M:%S"),
    }
    whole = next(r for r in records if r["Note"] == "whole article")
    assert (whole["Highlight"], whole["Location"]) == (b.article_title, "")


def test_csv_neutralises_formulas(evil: Bookmarks) -> None:
    records = list(csv.DictReader(io.StringIO(text("csv", evil), newline="")))
    formula = next(r for r in records if r["Tags"] == "x")
    assert formula["Note"] == "'" + EVIL_NOTE
    assert formula["Author"] == "'-2+3"
    assert formula["URL"] == ""  # not an http(s) URL
    other = next(r for r in records if r["Tags"] == "")
    assert (other["Note"], other["Highlight"]) == ("'+1 -1 @me", "'@SUM(A1:A2)")
    for r in records:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


# -- html -----------------------------------------------------------------------------------


def test_html_is_a_netscape_bookmark_file(marked: Bookmarks) -> None:
    parsed = read_html(text("html", marked))
    assert parsed.doctype == "DOCTYPE NETSCAPE-Bookmark-file-1"
    assert {"meta", "title", "h1", "dl", "dt", "a", "dd"} <= set(parsed.tags)
    assert len(parsed.links) == 5
    b = next(b for b in marked.list() if b.passage == 1)
    link = next(x for x in parsed.links if x["dd"].startswith("the sub"))
    assert link["attrs"]["href"] == "https://example.com/news/missiles"
    assert link["attrs"]["tags"] == "navy,syria"
    assert int(link["attrs"]["add_date"]) == int(datetime.fromisoformat(b.created).timestamp())
    assert link["title"] == b.article_title
    assert b.quote in link["dd"].strip()
    palmyra = next(x for x in parsed.links if x["title"] == "Syrian troops retake Palmyra")
    assert re.fullmatch(r"newsreader://article/\d+#passage-3", palmyra["attrs"]["href"])


def test_html_is_injection_safe(evil: Bookmarks) -> None:
    doc = text("html", evil)
    parsed = read_html(doc)
    assert "script" not in parsed.tags
    assert {x["title"] for x in parsed.links} == {EVIL_TITLE}
    assert all(x["attrs"]["href"].startswith("newsreader://article/") for x in parsed.links)
    assert any(EVIL_NOTE in x["dd"] for x in parsed.links)
