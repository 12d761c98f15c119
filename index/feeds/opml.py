"""Write subscriptions as OPML 2.0, the list newsboat, Feedly, Thunderbird and others import;
groups become folders (nested outlines), as they came in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime

from index import __version__
from index.model import Feed
from index.sanitize import clean_line


def render_opml(feeds: Iterable[Feed]) -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "newsreader subscriptions"
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    ET.SubElement(head, "generator").text = f"newsreader {__version__}"
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        path = ""
        for part in (p for p in feed.group.split("/") if p.strip()):
            path = f"{path}/{part}" if path else part
            if path not in folders:
                folders[path] = ET.SubElement(parent, "outline", text=part, title=part)
            parent = folders[path]
        name = clean_line(feed.name)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": clean_line(feed.url)}
        if feed.site_url:
            attrs["htmlUrl"] = clean_line(feed.site_url)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
