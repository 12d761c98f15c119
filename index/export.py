"""Export bookmarks to the tools people already use, and import our own JSON export back.

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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import yaml

from index import __version__, fileio
from index.bookmarks import (
    Bookmark,
    BookmarkError,
    Bookmarks,
    locate,
    normalize_tags,
    reanchor,
)
from index.model import Article
from index.sanitize import clean_line, clean_text
from index.storage.database import now
from index.storage.library import Library

if TYPE_CHECKING:
    from index.search_index import SearchIndex


class FeedRestorer(Protocol):
    def restore(self, records: Iterable[dict]) -> int: ...


class ImportingCore(Protocol):
    """What import_json needs of the core (the Newsreader facade): declared here, so that
    export never imports index.core, which exports through it."""

    @property
    def library(self) -> Library: ...

    @property
    def index(self) -> SearchIndex: ...

    @property
    def feeds(self) -> FeedRestorer: ...


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
# Stands for the passages of an imported article that the export did not carry.
OMITTED = "[…]"
NO_TEXT = "(imported bookmark: the article's text was not part of the export)"


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
    moment = _parse_stamp(stamp)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _parse_stamp(stamp: str | None) -> datetime | None:
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
        added = _parse_stamp(b.created)
        if added:
            attrs.append(f'ADD_DATE="{int(added.timestamp())}"')
        changed = _parse_stamp(b.updated)
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


# -- import ---------------------------------------------------------------------------------
@dataclass
class ImportReport:
    added: int = 0
    skipped: int = 0  # already in the library (same article, passage and quote)
    articles_created: int = 0  # minimal articles made for bookmarks whose article was absent
    detached: int = 0  # whose quote was not found in the library's version of the article
    feeds_added: int = 0  # subscriptions the library did not have

    def summary(self) -> str:
        line = f"imported {self.added} bookmarks, skipped {self.skipped} already present"
        if self.feeds_added:
            line += f"; subscribed to {self.feeds_added} feeds"
        if self.articles_created:
            line += f"; created {self.articles_created} articles from the export"
        if self.detached:
            line += f"; {self.detached} quotes not found in their article (kept, detached)"
        return line


@dataclass
class _Item:
    title: str
    url: str | None
    date: str | None
    source: str | None
    byline: str | None
    passage: int | None
    start: int | None
    end: int | None
    quote: str | None
    passage_text: str | None
    note: str
    tags: tuple[str, ...]
    created: str
    updated: str

    @property
    def article_key(self) -> tuple:
        return ("url", self.url) if self.url else ("meta", self.title, self.source, self.date)


def import_json(core: ImportingCore, path: str | os.PathLike) -> ImportReport:
    """Merge a JSON export into the library: bookmarks already present are skipped, and an
    article the library lacks is recreated from what the export holds."""
    items, feeds = read_export(path)
    library = core.library
    report = ImportReport()
    groups: dict[tuple, list[_Item]] = {}
    for item in items:
        groups.setdefault(item.article_key, []).append(item)
    article_ids: dict[tuple, int] = {}
    missing: list[tuple[tuple, Article]] = []
    for key, group in groups.items():
        found = _find_article(core, group[0])
        if found is not None:
            article_ids[key] = found
        else:
            missing.append((key, _minimal_article(group)))
    if missing:
        results = library.add_articles([article for _, article in missing])
        for (key, _), (status, article_id) in zip(missing, results, strict=True):
            article_ids[key] = article_id
            report.articles_created += status == "added"
        created = [article_id for _, article_id in results]
        reanchor(library, created)
        core.index.index_articles(created)
    paragraphs = {aid: library.paragraphs(aid) for aid in set(article_ids.values())}
    with library.transaction() as db:
        for item in items:
            aid = article_ids[item.article_key]
            passage, start, end, quote = _anchor(item, paragraphs[aid])
            if db.execute(
                "SELECT 1 FROM bookmarks WHERE article_id = ? AND passage IS ? AND quote IS ?",
                (aid, passage, quote),
            ).fetchone():
                report.skipped += 1
                continue
            if passage is None and quote is not None:
                report.detached += 1
            row = db.execute("SELECT title, url FROM articles WHERE id = ?", (aid,)).fetchone()
            db.execute(
                "INSERT INTO bookmarks (article_id, passage, quote, start, end, note, tags,"
                " created, updated, article_url, article_title) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    aid,
                    passage,
                    quote,
                    start,
                    end,
                    item.note,
                    " ".join(item.tags),
                    item.created,
                    item.updated,
                    row["url"],
                    row["title"],
                ),
            )
            report.added += 1
    report.feeds_added = core.feeds.restore(feeds)
    return report


def _find_article(core: ImportingCore, item: _Item) -> int | None:
    """The library's article for an exported bookmark: by URL first, else by exact title,
    source and date."""
    if item.url:
        rows = core.library.query("SELECT id FROM articles WHERE url = ?", (item.url,))
        if rows:
            return int(rows[0][0])
    rows = core.library.query(
        "SELECT id FROM articles WHERE title = ? AND source IS ? AND date IS ?"
        " AND (url IS NULL OR url IS ?) ORDER BY id LIMIT 1",
        (item.title, item.source, item.date, item.url),
    )
    return int(rows[0][0]) if rows else None


def _minimal_article(group: list[_Item]) -> Article:
    """An article holding what the export knows: each bookmarked passage at its number, the
    passages in between as placeholders, so passage numbers stay what they were."""
    head = group[0]
    texts: dict[int, str] = {}
    for item in group:
        if item.passage is not None:
            text = item.passage_text if item.passage_text is not None else item.quote
            if text:
                texts.setdefault(item.passage, text)
    paragraphs = [texts.get(n, OMITTED) for n in range(max(texts) + 1)] if texts else [NO_TEXT]
    return Article(
        title=head.title,
        paragraphs=paragraphs,
        date=head.date,
        source=head.source,
        url=head.url,
        byline=head.byline,
    )


def _anchor(item: _Item, paragraphs: list[str]) -> tuple:
    """(passage, start, end, quote) for an imported bookmark in the library's article."""
    if item.quote is None:
        return None, None, None, None
    span = item.start is not None
    p = item.passage
    if p is not None and p < len(paragraphs):
        text = paragraphs[p]
        if span and text[item.start : item.end] == item.quote:
            return p, item.start, item.end, item.quote
        if not span and item.quote in text:
            return p, None, None, item.quote
    found = locate(item.quote, paragraphs, p, span)
    if found is None:
        return None, item.start, item.end, item.quote
    return found.passage, found.start, found.end, found.quote


def read_export(path: str | os.PathLike) -> tuple[list[_Item], list[dict]]:
    """Read and check a JSON export completely before anything is imported: its bookmarks,
    and its subscriptions (absent from exports made before feeds)."""
    where = Path(path)
    try:
        data = where.read_bytes()
    except OSError as exc:
        raise ExportError(f"{where}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ExportError(f"{where}: not UTF-8 text; expected a newsreader JSON export") from None
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg});"
            " expected a newsreader JSON export (`export --format json`)"
        ) from None
    except RecursionError:
        raise ExportError(f"{where}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or "schema" not in doc or "bookmarks" not in doc:
        raise ExportError(
            f'{where}: not a newsreader bookmarks export (no "schema" and "bookmarks");'
            " make one with `newsreader export --format json`"
        )
    if doc["schema"] != SCHEMA or isinstance(doc["schema"], bool):
        raise ExportError(
            f"{where}: bookmarks export schema {doc['schema']!r} is not supported; this"
            f" newsreader reads schema {SCHEMA}"
        )
    if not isinstance(doc["bookmarks"], list):
        raise ExportError(f'{where}: "bookmarks" must be a list')
    items = []
    for n, record in enumerate(doc["bookmarks"], 1):
        try:
            items.append(_item(record))
        except (BookmarkError, ValueError) as exc:
            raise ExportError(f"{where}: bookmark #{n}: {exc}; nothing was imported") from None
    feeds = doc.get("feeds", [])
    if not isinstance(feeds, list) or not all(
        isinstance(f, dict) and isinstance(f.get("url"), str) for f in feeds
    ):
        raise ExportError(f'{where}: "feeds" must be a list of objects with a "url"')
    return items, feeds


def _item(record: object) -> _Item:
    if not isinstance(record, dict):
        raise ValueError("must be an object")
    article = record.get("article")
    if not isinstance(article, dict):
        raise ValueError('"article" must be an object')
    title = clean_line(_text(article, "title") or "")
    if not title:
        raise ValueError("the article has no title")
    passage = _whole(record, "passage")
    start, end = _whole(record, "start"), _whole(record, "end")
    quote = _text(record, "quote")
    quote = clean_text(quote) if quote is not None else None
    if passage is not None and not quote:
        raise ValueError('a passage bookmark needs its "quote"')
    if (start is None) != (end is None) or (
        start is not None and end is not None and not (0 <= start < end)
    ):
        raise ValueError('"start" and "end" must be given together, start before end')
    passage_text = _text(record, "passage_text")
    tags = record.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError('"tags" must be a list of strings')
    stamp = now()
    created = _stamp(record, "created") or stamp
    return _Item(
        title=title,
        url=clean_line(_text(article, "url") or "") or None,
        date=clean_line(_text(article, "date") or "") or None,
        source=clean_line(_text(article, "source") or "") or None,
        byline=clean_line(_text(article, "byline") or "") or None,
        passage=passage,
        start=start,
        end=end,
        quote=quote,
        passage_text=clean_text(passage_text) if passage_text is not None else None,
        note=clean_text(_text(record, "note") or "").strip(),
        tags=normalize_tags(tags),
        created=created,
        updated=_stamp(record, "updated") or created,
    )


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string or null')
    return value


def _whole(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'"{key}" must be a whole number (0 or more) or null')
    return value


def _stamp(record: dict, key: str) -> str | None:
    value = _text(record, key)
    if value is not None and _parse_stamp(value) is None:
        raise ValueError(f'"{key}" must be an ISO 8601 time, not {value!r}')
    return value
