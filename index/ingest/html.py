"""HTML pages: trafilatura finds the article; a stdlib extractor is the safety net.

The stdlib extractor also turns feed and JSON HTML snippets into paragraphs, where
trafilatura's page heuristics are slow and pointless.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from index.ingest.common import Context, Parsed, build_article
from index.ingest.dates import normalize_date
from index.sanitize import strip_controls

# Never article text. (head is handled separately so that <title> can still be read.)
_DROP = frozenset(
    {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template"}
    | {"svg", "math", "button", "select", "textarea", "iframe", "object", "embed", "canvas"}
    | {"dialog"}
)
_BLOCK = frozenset(
    {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd"}
    | {"blockquote", "pre", "section", "article", "main", "table", "tr", "caption", "figure"}
    | {"figcaption", "hr", "address", "details", "summary", "center", "body"}
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_META_KEYS = {
    "og:title": "title",
    "twitter:title": "title",
    "author": "author",
    "article:author": "author",
    "byl": "author",
    "dc.creator": "author",
    "article:published_time": "date",
    "date": "date",
    "pubdate": "date",
    "publishdate": "date",
    "dc.date": "date",
    "og:site_name": "site",
    "og:url": "url",
}
_SPACE = re.compile(r"\s+")
_HTML_HINT = re.compile(
    r"<(?:p|br|div|span|a|b|i|em|strong|img|ul|ol|li|h[1-6]|blockquote)\b", re.I
)


@dataclass
class HtmlText:
    title: str | None = None
    h1: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


class _Extractor(HTMLParser):
    """Block text of a page without scripts, styles and page furniture; never recursive, so
    50,000 nested <div>s cost no more than 50,000 paragraphs would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = HtmlText()
        self._buf: list[str] = []
        self._skip_tag: str | None = None  # inside a dropped element...
        self._skip_depth = 0  # ...this many levels deep
        self._in_title = False
        self._title: list[str] = []
        self._in_h1 = False
        self._h1: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attr = {k.lower(): (v or "") for k, v in attrs} if attrs else {}
        if tag in _DROP or (attr and tag not in _VOID and _hidden(attr)):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (attr.get("property") or attr.get("name") or "").lower()
            if key in _META_KEYS and attr.get("content"):
                self.out.meta.setdefault(_META_KEYS[key], attr["content"])
        elif tag == "link" and "canonical" in attr.get("rel", "").lower() and attr.get("href"):
            self.out.meta.setdefault("url", attr["href"])
        elif tag == "time" and attr.get("datetime"):
            self.out.meta.setdefault("time", attr["datetime"])
        if tag in _BLOCK:
            self._flush()
        if tag == "pre":
            self._pre += 1
        elif tag == "h1" and self.out.h1 is None:
            self._in_h1 = True
        elif tag in ("td", "th"):
            self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skip_tag = None
            return
        if tag in _BLOCK:
            self._flush()  # before leaving <pre>, so its text keeps its lines
        if tag == "title":
            self._in_title = False
        elif tag == "h1" and self._in_h1:
            self._in_h1 = False
            self.out.h1 = _SPACE.sub(" ", "".join(self._h1)).strip() or None
        elif tag == "pre" and self._pre:
            self._pre -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_tag:
            return
        if self._in_title:
            self._title.append(data)
            return
        if self._in_h1:
            self._h1.append(data)
        self._buf.append(data)

    def _flush(self) -> None:
        if not self._buf:
            return
        text = "".join(self._buf)
        self._buf.clear()
        if self._pre:
            text = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
        else:
            text = _SPACE.sub(" ", text)
        if text.strip():
            self.out.paragraphs.append(text.strip())

    def finish(self) -> HtmlText:
        self.close()
        self._flush()
        self.out.title = _SPACE.sub(" ", "".join(self._title)).strip() or None
        return self.out


def _hidden(attr: dict[str, str]) -> bool:
    if "hidden" in attr or attr.get("aria-hidden") == "true":
        return True
    return bool(re.search(r"display\s*:\s*none", attr.get("style", ""), re.I))


def extract_fallback(html: str) -> HtmlText:
    """Text, title and meta tags of an HTML document with the stdlib parser."""
    parser = _Extractor()
    try:
        parser.feed(html)
        return parser.finish()
    except Exception:  # noqa: BLE001 — html.parser has had assertion bugs on odd markup
        parser._flush()
        return parser.out


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text[:10000]))


def html_to_paragraphs(html: str) -> list[str]:
    """Paragraphs of an HTML snippet (a feed item, a JSON body)."""
    return extract_fallback(strip_controls(html)).paragraphs


_quiet = False


def _silence_trafilatura() -> None:
    # trafilatura, htmldate and courlan log through the root logger; Python's last-resort
    # handler would print their warnings over the TUI.
    global _quiet
    if not _quiet:
        for name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        _quiet = True


def _trafilatura(html: str, url: str | None) -> Any:
    _silence_trafilatura()
    try:
        import trafilatura  # slow import, so only when a page is read
    except ImportError:  # pragma: no cover — a declared dependency
        return None
    for precise in (True, False):
        try:
            doc = trafilatura.bare_extraction(
                html,
                url=url,
                with_metadata=True,
                favor_precision=precise,
                include_comments=False,
            )
        except Exception:  # noqa: BLE001 — any trafilatura failure means "use the fallback"
            doc = None
        if doc is not None and (getattr(doc, "text", None) or "").strip():
            return doc
    return None


def load_html(text: str, ctx: Context) -> Iterator[Parsed]:
    html = strip_controls(text)  # lxml rejects control characters; they are never content
    doc = _trafilatura(html, ctx.base_url)
    fallback: HtmlText | None = None
    if doc is None:
        fallback = extract_fallback(html)
        paragraphs = fallback.paragraphs
        title = date = author = site = url = None
    else:
        paragraphs = [line for line in doc.text.split("\n") if line.strip()]
        title, date, author = doc.title, doc.date, doc.author
        site, url = doc.sitename, doc.url
    if not title or not (date and author and site and url):
        fallback = fallback or extract_fallback(html)
        meta = fallback.meta
        title = title or meta.get("title") or fallback.title or fallback.h1
        date = date or meta.get("date") or meta.get("time")
        author, site, url = (
            author or meta.get("author"),
            site or meta.get("site"),
            url or meta.get("url"),
        )
    url = url or ctx.base_url
    if url and not re.match(r"https?://", url, re.I):
        url = ctx.base_url  # a relative canonical link says nothing useful on its own
    yield Parsed.ok(
        build_article(
            title,
            paragraphs,
            ctx.limits,
            date=normalize_date(date),
            source=site,
            url=url,
            byline=author,
            origin=ctx.origin,
        )
    )
