"""Import a JSON export back: checked completely before anything is written, merged into the
library (bookmarks already present skipped, absent articles recreated from the export), all
bookmarks in one transaction."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.bookmarks import BookmarkError, locate, normalize_tags, reanchor
from index.export.renderers import SCHEMA, ExportError, parse_stamp
from index.model import Article
from index.sanitize import clean_line, clean_text
from index.storage.database import now
from index.storage.library import Library

if TYPE_CHECKING:
    from index.search.indexing.search_index import SearchIndex

# Stands for the passages of an imported article that the export did not carry.
OMITTED = "[…]"
NO_TEXT = "(imported bookmark: the article's text was not part of the export)"


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

    def entries() -> Iterator[tuple]:
        # Anchored one by one inside the import's transaction: a failure midway leaves none.
        for item in items:
            aid = article_ids[item.article_key]
            passage, start, end, quote = anchor_for(item, paragraphs[aid])
            yield (aid, passage, quote, start, end, item.note, " ".join(item.tags),
                   item.created, item.updated)

    for added, (_, passage, quote, *_rest) in library.import_bookmarks(entries()):
        if not added:
            report.skipped += 1
            continue
        if passage is None and quote is not None:
            report.detached += 1
        report.added += 1
    report.feeds_added = core.feeds.restore(feeds)
    return report


def _find_article(core: ImportingCore, item: _Item) -> int | None:
    """The library's article for an exported bookmark: by URL first, else by exact title,
    source and date."""
    if item.url:
        found = core.library.article_with_url(item.url)
        if found is not None:
            return found
    return core.library.article_like(item.title, item.source, item.date, item.url)


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


def anchor_for(item: _Item, paragraphs: list[str]) -> tuple:
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
    if value is not None and parse_stamp(value) is None:
        raise ValueError(f'"{key}" must be an ISO 8601 time, not {value!r}')
    return value

