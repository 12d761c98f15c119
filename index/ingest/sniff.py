"""Which loader reads an input: by file extension, by HTTP content type, or by its content."""

from __future__ import annotations

import json
import os
import re

from index.errors import IngestError

# Loader names: text, markdown, html, json, jsonl, feed, opml.
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".opml": "opml",
}

_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "text/x-opml": "opml",
    "application/json": "json",
    "application/feed+json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
# Types that say nothing reliable about the content: sniff it.
_GENERIC_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream"}

_PROLOG = re.compile(
    r"\s*(?:<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>|\s+)*", re.S | re.I
)
# "[" opens JSON only when a value follows; "[UPDATE] Talks resume" is a headline.
_JSON_ARRAY = re.compile(r"\[\s*(?:[{\[\]\"\d-]|true|false|null)")
_ROOT = re.compile(r"<([A-Za-z][\w:.-]*)")
_FEED_ROOTS = {"rss", "feed", "rdf:rdf", "rdf", "channel"}
_MARKDOWN = re.compile(
    r"\A---[ \t]*\n.*?\n---|^#{1,6}[ \t]+\S|^\S.*\n(?:=+|-+)[ \t]*$|\[[^\]\n]+\]\([^)\s]+\)|^```",
    re.M | re.S,
)


def kind_for_path(path: str) -> str | None:
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def kind_for_content_type(content_type: str) -> str | None:
    """The loader a response's media type names; None means sniff. Raises for media types
    that are never articles (images, PDFs, archives)."""
    ct = content_type.split(";", 1)[0].strip().lower()
    if ct in _GENERIC_TYPES:
        return None
    if ct in _CONTENT_TYPES:
        return _CONTENT_TYPES[ct]
    if ct.endswith("+json"):
        return "json"
    if ct.endswith("+xml"):
        return "feed"
    if ct.startswith("text/"):
        return None
    raise IngestError(f"unsupported content type: {ct}")


def sniff(text: str) -> str:
    """Guess the format of decoded text from its first few kilobytes."""
    head = text[:8192].lstrip("\ufeff \t\r\n")
    if head[:1] == "{" or _JSON_ARRAY.match(head):
        return _sniff_json(text)
    if head[:1] == "<":
        prolog = _PROLOG.match(head)
        rest = head[prolog.end() if prolog else 0 :]
        m = _ROOT.match(rest)
        root = m.group(1).lower() if m else ""
        if root == "opml":
            return "opml"
        if root in _FEED_ROOTS:
            return "feed"
        if head.startswith("<?xml") and root not in ("html", ""):
            return "feed"  # some other XML: the feed loader says clearly what it is not
        return "html"
    if _MARKDOWN.search(head):
        return "markdown"
    return "text"


def refine(kind: str, text: str) -> str:
    """Correct an extension's or content type's guess where the content clearly disagrees."""
    if kind in ("feed", "html", "opml"):
        sniffed = sniff(text)
        if sniffed in ("feed", "opml", "html"):
            return sniffed
    if kind == "json" and _sniff_json(text) == "jsonl":
        return "jsonl"
    return kind


def _sniff_json(text: str) -> str:
    stripped = text.strip()
    first, newline, rest = stripped.partition("\n")
    if not newline or not rest.strip():
        return "json"
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return "json"  # pretty-printed JSON: its first line is not a whole value
    return "jsonl"
