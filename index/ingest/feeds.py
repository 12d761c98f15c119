"""RSS/Atom feeds (feedparser) and OPML subscription lists (defusedxml), refusing XML that
declares entities: that is how entity-expansion bombs and external-entity file reads work, and
real feeds never need it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from index.errors import IngestError
from index.ingest.common import Context, Parsed, build_article
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


@dataclass
class FeedEntry:
    """One entry of a feed: its article (or why it could not be read), and how to know it again."""

    key: str  # the entry's id/guid, else its link, else a digest of its content
    fingerprint: str  # digest of the entry as the feed gives it: unchanged entries are skipped
    link: str | None
    article: Article | None = None
    failure: str | None = None


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None  # the site the feed belongs to (htmlUrl in OPML)
    entries: list[FeedEntry] = field(default_factory=list)


def parse_feed(text: str, ctx: Context) -> ParsedFeed:
    """An RSS (0.9x, 1.0/RDF, 2.0) or Atom feed with each entry's article; IngestError when
    the document is not a feed or has no entries."""
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
    head = parsed.get("feed", {})
    feed_title = _plain(head.get("title"), head.get("title_detail") or {})
    feed_title = clean_line(feed_title) if feed_title else None
    site = head.get("link") if isinstance(head.get("link"), str) else None
    feed = ParsedFeed(title=feed_title or None, link=site)
    for i, entry in enumerate(entries):
        link = entry.get("link") if isinstance(entry.get("link"), str) else None
        fingerprint = _fingerprint(entry)
        guid = entry.get("id") if isinstance(entry.get("id"), str) else None
        key = (guid or "").strip() or (link or "").strip() or f"sha1:{fingerprint}"
        item = FeedEntry(key=key[:2000], fingerprint=fingerprint, link=link)
        try:
            item.article = entry_to_article(entry, feed_title, ctx, i)
        except IngestError as exc:
            item.failure = exc.reason
        except Exception as exc:  # noqa: BLE001 — one odd entry must not stop the others
            item.failure = f"could not read: {type(exc).__name__}: {exc}"
        feed.entries.append(item)
    return feed


def load_feed(text: str, ctx: Context) -> Iterator[Parsed]:
    """Each entry of an RSS or Atom feed as an Article."""
    for i, entry in enumerate(parse_feed(text, ctx).entries):
        if entry.article is not None:
            yield Parsed.ok(entry.article)
        else:
            yield Parsed.fail(f"{ctx.label}[{i}]", entry.failure or "could not read")


def _fingerprint(entry: Any) -> str:
    import hashlib

    parts = [entry.get(k) for k in ("id", "title", "link", "summary", "author")]
    parts += [c.get("value") for c in entry.get("content") or []]
    parts += [str(dict.get(entry, k) or "") for k in ("published", "updated")]
    blob = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


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


@dataclass
class Subscription:
    """A feed listed in an OPML file, with the folder it sits in ("" at the top)."""

    url: str
    title: str | None = None
    group: str = ""
    site_url: str | None = None


def opml_subscriptions(text: str) -> list[Subscription]:
    """The feeds (outline xmlUrl) of an OPML subscription list, in order, once each. Nested
    folders become the group "Outer/Inner"; a feed outside any folder takes its first
    `category` attribute as its group, as some readers write it."""
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
    found: dict[str, Subscription] = {}

    def walk(node: Any, folders: list[str]) -> None:
        for child in node:
            if _local(child.tag) not in ("outline", "body"):
                continue
            attrs = {k.lower(): v for k, v in child.attrib.items()}
            name = clean_line(attrs.get("title") or attrs.get("text") or "") or None
            url = (attrs.get("xmlurl") or "").strip()
            if url:
                group = "/".join(folders)
                if not group and attrs.get("category"):
                    group = attrs["category"].split(",")[0].strip().strip("/")
                if url not in found:
                    site = (attrs.get("htmlurl") or "").strip() or None
                    found[url] = Subscription(url, name, clean_line(group), site)
            else:
                inside = folders + [name] if name and _local(child.tag) == "outline" else folders
                walk(child, inside)

    walk(root, [])
    if not found:
        raise IngestError("no feed URLs in OPML file")
    return list(found.values())


def opml_feed_urls(text: str) -> list[str]:
    """The feed URLs of an OPML subscription list, in order, once each."""
    return [s.url for s in opml_subscriptions(text)]


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
