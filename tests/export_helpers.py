"""What the export tests share: hostile text, and a library's bookmarks rendered."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import yaml

from index.bookmarks import Bookmark, Bookmarks
from index.export.renderers import SEPARATOR, collect, render

REPO = Path(__file__).resolve().parents[1]
EVIL_TITLE = 'Breaking: "quotes", <script>alert(1)</script> & [link](http://x) #tag'
EVIL_NOTE = "=cmd|' /C calc'!A0"


def text(fmt: str, marks: Bookmarks, tag: str | None = None) -> str:
    return "".join(render(fmt, collect(marks, tag=tag)))


def comparable(b: Bookmark) -> str:
    """What must survive an export and import (ids may differ), sortable."""
    return json.dumps(
        [
            b.article_title,
            b.article_url,
            b.article_date,
            b.article_source,
            b.passage,
            b.start,
            b.end,
            b.quote,
            b.note,
            b.tags,
            b.created,
        ]
    )


def split_markdown(doc: str) -> list[tuple[dict, str]]:
    blocks = []
    for block in doc.split(f"\n{SEPARATOR}\n"):
        block = block.lstrip("\n")
        assert block.startswith("---\n")
        front, _, body = block[4:].partition("\n---\n")
        blocks.append((yaml.safe_load(front), body))
    return blocks


class NetscapeReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.tags: list[str] = []
        self.links: list[dict] = []
        self._field: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append({"attrs": dict(attrs), "title": "", "dd": ""})
            self._field = "title"
        elif tag == "dd":
            self._field = "dd"
        elif tag in ("dt", "dl"):
            self._field = None

    def handle_endtag(self, tag) -> None:
        if tag == "a":
            self._field = None

    def handle_data(self, data) -> None:
        if self._field and self.links:
            self.links[-1][self._field] += data


def read_html(doc: str) -> NetscapeReader:
    parser = NetscapeReader()
    parser.feed(doc)
    parser.close()
    return parser
