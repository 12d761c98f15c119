"""RSS/Atom feeds (feedparser) and OPML subscription lists (defusedxml), refusing XML that
declares entities: that is how entity-expansion bombs and external-entity file reads work, and
real feeds never need it."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from index.ingest.common import Context, IngestError, Parsed, build_article
from index.ingest.dates import normalize_date
from index.ingest.html import html_to_paragraphs
from index.model import Article
from index.sanitize import clean_line, split_paragraphs, strip_controls

REFUSED_ENTITIES = (
    "refused: XML entity declarations (possible entity-expansion or external-entity attack)"
)
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_PLAIN_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*>", re.IGNORECASE)  # no internal subset
_XML_ENCODING = re.compile(r"""\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2""")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def safe_xml_bytes(text: str) -> bytes:
    """UTF-8 bytes of an XML document that is safe to parse, or IngestError.

    Entity declarations and internal DTD subsets are refused outright (never expanded); a
    plain DOCTYPE is removed so no parser is tempted to fetch an external DTD. The text is
    already decoded, so the encoding declaration is dropped to keep parsers from re-decoding.
    """
    if _ENTITY_DECL.search(text):
        raise IngestError(REFUSED_ENTITIES)
    for m in _DOCTYPE.finditer(text):
        if not _PLAIN_DOCTYPE.match(text, m.start()):
            raise IngestError(REFUSED_ENTITIES)
    text = _PLAIN_DOCTYPE.sub("", text)
    text = _XML_ENCODING.sub(r"\1", strip_controls(text), count=1)
    return text.encode("utf-8")


def load_feed(text: str, ctx: Context) -> Iterator[Parsed]:
    """Each entry of an RSS or Atom feed as an Article."""
    import feedparser  # a heavy import, only when a feed is read

    data = safe_xml_bytes(text)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if ctx.base_url:
        headers["content-location"] = ctx.base_url  # resolves relative links in entries
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = parsed.get("entries") or []
    # A truncated feed can leave one empty entry behind: that is still "no entries".
    if not any(e.get("title") or e.get("summary") or e.get("content") for e in entries):
        if parsed.get("bozo") and parsed.get("bozo_exception") is not None:
            raise IngestError(f"not a valid feed: {_reason(parsed['bozo_exception'])}")
        if not parsed.get("version"):
            raise IngestError("not an rss or atom feed")
        raise IngestError("feed has no entries")
    feed_title = _plain(parsed.get("feed", {}).get("title"), parsed.get("feed", {}))
    for i, entry in enumerate(entries):
        try:
            yield Parsed.ok(entry_to_article(entry, feed_title, ctx, i))
        except IngestError as exc:
            yield Parsed.fail(f"{ctx.label}[{i}]", exc.reason)
        except Exception as exc:  # noqa: BLE001 — one odd entry must not stop the others
            yield Parsed.fail(f"{ctx.label}[{i}]", f"could not read: {type(exc).__name__}: {exc}")


def entry_to_article(entry: Any, source: str | None, ctx: Context, index: int) -> Article:
    title = _plain(entry.get("title"), entry.get("title_detail") or {})
    paragraphs: list[str] = []
    # Full content (Atom <content>, RSS content:encoded) before the summary; the longest wins.
    contents = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value") or ""))
        paragraphs = _paragraphs(best.get("value") or "", best.get("type"))
    if not paragraphs and entry.get("summary"):
        detail = entry.get("summary_detail") or {}
        paragraphs = _paragraphs(entry["summary"], detail.get("type"))
    url = entry.get("link") or None
    return build_article(
        title,
        paragraphs,
        ctx.limits,
        # dict.get: FeedParserDict's own get maps updated_parsed with a DeprecationWarning.
        date=normalize_date(
            dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        ),
        source=source,
        url=url,
        byline=entry.get("author") or None,
        origin=ctx.row_origin(index, url),
    )


def _paragraphs(value: str, kind: str | None) -> list[str]:
    if kind in _HTML_TYPES or (kind is None and "<" in value):
        return html_to_paragraphs(value)
    return split_paragraphs(strip_controls(value))


def _plain(value: Any, detail: Any) -> str | None:
    """A title as plain text (Atom allows HTML titles)."""
    if not isinstance(value, str):
        return None
    if detail.get("type") in _HTML_TYPES and "<" in value:
        return " ".join(html_to_paragraphs(value))
    return value


def _reason(exc: BaseException) -> str:
    msg = clean_line(str(exc)) or type(exc).__name__
    return msg[:1].lower() + msg[1:200]


def opml_feed_urls(text: str) -> list[str]:
    """The feed URLs (outline xmlUrl) of an OPML subscription list, in order, once each."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    data = safe_xml_bytes(text)
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException:
        raise IngestError(REFUSED_ENTITIES) from None
    except SafeET.ParseError as exc:
        raise IngestError(f"invalid OPML: {_reason(exc)}") from None
    if _local(root.tag) != "opml":
        raise IngestError("not an OPML file")
    urls: list[str] = []
    for node in root.iter():
        if _local(node.tag) != "outline":
            continue
        attrs = {k.lower(): v for k, v in node.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if url and url not in urls:
            urls.append(url)
    if not urls:
        raise IngestError("no feed URLs in OPML file")
    return urls


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
