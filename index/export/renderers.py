"""Export bookmarks to the tools people already use (index.export.importer reads the JSON
export back).

Formats (each a generator of text chunks, so a big export streams):

- **markdown** (Obsidian-friendly). One stream must hold many articles, so the output is one
  document made of one block per article. Every block starts with its own YAML front matter
  (`---` … `---`: title, url, source, published, tags, newsreader) followed by the bookmarks,
  each a `>` quote block with its note, its tags, the source URL and a back-reference
  (`newsreader://article/ID#passage-N`, `newsreader show ID`). Blocks are separated by the line
  `<!-- newsreader: next article -->` (SEPARATOR), invisible when rendered; split on it to get
  one Obsidian note per article, whose front matter is then at the top as Obsidian expects.
  Front matter is written with yaml.safe_dump; article text and notes are Markdown-escaped so
  they render verbatim (no HTML, links, tags or headings can come from an article), which also
  means SEPARATOR can never appear inside a block.
- **json**: lossless and versioned (`"schema": 1`): each bookmark with its article's title,
  url, date, source and byline, its quote and the full text of its passage, so that `import`
  can recreate a minimal article in a library that does not have it.
- **csv**: Readwise columns `Highlight,Title,Author,URL,Note,Location,Date,Tags`; Location is the
  passage number, Date the bookmark's creation time (UTC), Tags comma-separated. Cells starting
  with = + - @ tab or CR get a leading apostrophe so spreadsheets do not run them as formulas.
- **html**: a Netscape bookmark file, as browsers and bookmark managers import; everything is
  HTML-escaped, and an article without an http(s) URL links to `newsreader://article/ID`.

Files are written atomically (`write_atomic`, with index.fileio): a temp file in the same folder,
fsync, rename.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import yaml

from index import __version__, fileio
from index.bookmarks import Bookmark, Bookmarks
from index.storage.database import now

FORMATS = ("markdown", "json", "csv", "html")
SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
}
SCHEMA = 1
SEPARATOR = "<!-- newsreader: next article -->"
CSV_COLUMNS = ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date", "Tags"]


class ExportError(Exception):
    """An export or import that cannot be done; the message says why (nothing was changed)."""


# -- selecting ------------------------------------------------------------------------------
def collect(bookmarks: Bookmarks, tag: str | None = None) -> list[Bookmark]:
    """The bookmarks to export, grouped by article (by title), in text order within one."""
    items = bookmarks.with_passage_text(bookmarks.list(sort="added", tag=tag))
    return sorted(items, key=_export_order)


def _export_order(b: Bookmark) -> tuple:
    return (
        (b.title or "").casefold(),
        _article_key(b),
        b.passage is None and b.quote is not None,  # detached ones after the placed ones
        -1 if b.passage is None else b.passage,
        b.start or 0,
        b.id,
    )


def _article_key(b: Bookmark) -> str:
    if b.article_id is not None:
        return f"id:{b.article_id}"
    return f"url:{b.article_url}" if b.article_url else f"title:{b.title}"


def backref(b: Bookmark) -> str | None:
    """The newsreader link to the bookmarked article and passage."""
    if b.article_id is None:
        return None
    link = f"newsreader://article/{b.article_id}"
    return link if b.passage is None else f"{link}#passage-{b.passage}"


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s): other schemes (javascript:, file:) are not passed on."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def render(
    fmt: str, items: list[Bookmark], exported: str | None = None, feeds: list[dict] | None = None
) -> Iterator[str]:
    """The export as text chunks; the JSON export also carries the subscriptions (`feeds`:
    records of index.feeds.Feeds.records())."""
    exported = exported or now()
    if fmt == "markdown":
        return render_markdown(items)
    if fmt == "json":
        return render_json(items, exported, feeds or [])
    if fmt == "csv":
        return render_csv(items)
    if fmt == "html":
        return render_html(items, exported)
    raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def format_for(path: str | None) -> str | None:
    """The format a file name implies (`notes.md` → markdown), if any."""
    return SUFFIXES.get(Path(path).suffix.lower()) if path else None


# -- markdown -------------------------------------------------------------------------------
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~&#$])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Text that Markdown (and Obsidian) renders verbatim: no emphasis, links, HTML, tags,
    math, comments, headings or list items can come from it."""
    lines = []
    for line in text.split("\n"):
        line = _MD_ANYWHERE.sub(r"\\\1", line).replace("%%", "%\\%")
        lines.append(_MD_LINE_START.sub(r"\1\\\2", line))
    return "\n".join(lines)


def render_markdown(items: list[Bookmark]) -> Iterator[str]:
    first = True
    for group in _groups(items):
        if not first:
            yield f"\n{SEPARATOR}\n\n"
        first = False
        yield _md_block(group)


def _md_block(group: list[Bookmark]) -> str:
    head = group[0]
    tags: dict[str, None] = {}
    for b in group:
        tags.update(dict.fromkeys(b.tags))
    meta = {
        "title": head.title,
        "url": head.article_url,
        "source": head.article_source,
        "published": head.article_date,
        "tags": list(tags),
        "newsreader": f"newsreader://article/{head.article_id}" if head.article_id else None,
    }
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10**6)
    out = [f"---\n{front}---\n\n# {md_escape(head.title)}\n"]
    for b in group:
        out.append("\n")
        if b.quote:
            out.append("\n".join(f"> {line}".rstrip() for line in md_escape(b.quote).split("\n")))
            out.append("\n\n")
        else:
            out.append("*Bookmarked the whole article.*\n\n")
        if b.note:
            out.append(md_escape(b.note) + "\n\n")
        if b.tags:
            out.append("Tags: " + " ".join("#" + md_escape(t) for t in b.tags) + "\n")
        refs = []
        url = web_url(b.article_url)
        if url:
            refs.append(f"Source: <{_md_url(url)}>")
        link = backref(b)
        if link:
            refs.append(f"<{link}>")
            refs.append(f"`newsreader show {b.article_id}`")
        if b.detached:
            refs.append("*(this text is no longer in the article)*")
        if refs:
            out.append(" · ".join(refs) + "\n")
    return "".join(out)


def _md_url(url: str) -> str:
    # Inside <…> a URL may not hold spaces, < or >; percent-encode anything unusual.
    return url_quote(url, safe="/:?#[]@!$&'()*+,;=%-._~")


def _groups(items: list[Bookmark]) -> Iterator[list[Bookmark]]:
    group: list[Bookmark] = []
    for b in items:
        if group and _article_key(group[0]) != _article_key(b):
            yield group
            group = []
        group.append(b)
    if group:
        yield group


# -- json -----------------------------------------------------------------------------------
def bookmark_record(b: Bookmark) -> dict:
    return {
        "id": b.id,
        "article": {
            "id": b.article_id,
            "title": b.title,
            "url": b.article_url,
            "date": b.article_date,
            "source": b.article_source,
            "byline": b.article_byline,
        },
        "passage": b.passage,
        "start": b.start,
        "end": b.end,
        "quote": b.quote,
        "passage_text": b.passage_text,
        "note": b.note,
        "tags": list(b.tags),
        "created": b.created,
        "updated": b.updated,
    }


def render_json(items: list[Bookmark], exported: str, feeds: list[dict]) -> Iterator[str]:
    head = {"schema": SCHEMA, "exported": exported, "generator": f"newsreader {__version__}"}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "bookmarks": [\n'
    for i, b in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        yield "  " + json.dumps(bookmark_record(b), ensure_ascii=False) + comma + "\n"
    yield '], "feeds": [\n'
    for i, record in enumerate(feeds):
        comma = "," if i < len(feeds) - 1 else ""
        yield "  " + json.dumps(record, ensure_ascii=False) + comma + "\n"
    yield "]}\n"


# -- csv ------------------------------------------------------------------------------------
def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def render_csv(items: list[Bookmark]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for b in items:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    b.quote or b.title,
                    b.title,
                    b.article_byline or b.article_source,
                    web_url(b.article_url),
                    b.note,
                    b.passage,
                    _readwise_date(b.created),
                    ",".join(b.tags),
                )
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _readwise_date(stamp: str) -> str:
    moment = parse_stamp(stamp)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def parse_stamp(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


# -- html -----------------------------------------------------------------------------------
def render_html(items: list[Bookmark], exported: str) -> Iterator[str]:
    esc = html.escape
    yield (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n"
        "<!-- This is an automatically generated file. It will be read and overwritten. -->\n"
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        "<TITLE>Bookmarks</TITLE>\n"
        "<H1>Bookmarks</H1>\n"
        "<DL><p>\n"
    )
    for b in items:
        href = web_url(b.article_url) or backref(b) or "newsreader://"
        attrs = [f'HREF="{esc(href)}"']
        added = parse_stamp(b.created)
        if added:
            attrs.append(f'ADD_DATE="{int(added.timestamp())}"')
        changed = parse_stamp(b.updated)
        if changed:
            attrs.append(f'LAST_MODIFIED="{int(changed.timestamp())}"')
        if b.tags:
            attrs.append(f'TAGS="{esc(",".join(b.tags))}"')
        yield f"    <DT><A {' '.join(attrs)}>{esc(b.title)}</A>\n"
        description = " — ".join(x for x in (b.note, f"“{b.quote}”" if b.quote else "") if x)
        if description:
            # One line: a newline inside <DD> is harmless, but some importers cut there.
            yield f"    <DD>{esc(' '.join(description.split()))}\n"
    yield "</DL><p>\n"


# -- writing --------------------------------------------------------------------------------
def write_atomic(path: str | os.PathLike, chunks: Iterable[str]) -> None:
    """index.fileio.write_atomic (`path` holds either the old or the complete new content,
    whatever happens meanwhile), its failures as ExportError, which the export commands show."""
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"{target}: is a folder; give a file name")
    try:
        fileio.write_atomic(target, chunks)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write: {exc.strerror or exc}") from None
