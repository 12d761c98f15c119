"""Bookmarks: the user's own data, kept in the library (never in the derived search index).

A bookmark marks a whole article (passage None, quote None), a passage (quote = its text) or a
span inside a passage (start/end offsets, quote = the span's text). The quote is what keeps a
bookmark attached when its article is re-ingested with changed paragraphs: `reanchor()` finds
the quote again (exact match first, then a rapidfuzz match). A quote found nowhere leaves the
bookmark *detached* (passage None, quote kept) rather than pointing at the wrong text; it is
re-attached if a later re-ingest brings the text back. Nothing here ever deletes a bookmark
except `remove()`.
"""

from __future__ import annotations

import builtins
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from index.sanitize import clean_text
from index.storage.database import now
from index.storage.library import Library

# A fuzzy re-anchor needs at least this rapidfuzz score (0-100).
FUZZY_MIN_SCORE = 90

SORTS = ("added", "article_date", "title")

_TAG_SPLIT = re.compile(r"[\s,]+")


class BookmarkError(Exception):
    """A bookmark operation that cannot be done; the message says why."""


@dataclass
class Bookmark:
    id: int
    article_id: int | None  # None once the article was removed from the library
    passage: int | None  # None: the whole article (or detached, when quote is set)
    quote: str | None
    start: int | None
    end: int | None
    note: str = ""
    tags: tuple[str, ...] = ()
    created: str = ""
    updated: str = ""
    article_url: str | None = None
    article_title: str | None = None
    # From the article as it is now (None when it is gone); not stored with the bookmark.
    article_date: str | None = None
    article_source: str | None = None
    article_byline: str | None = None
    passage_text: str | None = field(default=None, repr=False)

    @property
    def detached(self) -> bool:
        """The quoted text is no longer in the article: kept, but not shown at a passage."""
        return self.passage is None and self.quote is not None

    @property
    def title(self) -> str:
        return self.article_title or (f"article {self.article_id}" if self.article_id else "")

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "passage": self.passage,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "note": self.note,
            "tags": list(self.tags),
            "created": self.created,
            "updated": self.updated,
            "title": self.title,
            "url": self.article_url,
            "date": self.article_date,
            "source": self.article_source,
        }


def normalize_tags(tags: Iterable[str] | str) -> tuple[str, ...]:
    """Lower-case, '#' stripped, split at spaces and commas (both are separators in the
    stored and exported forms), empty ones dropped, first occurrence kept."""
    if isinstance(tags, str):
        tags = [tags]
    out: dict[str, None] = {}
    for raw in tags:
        if not isinstance(raw, str):
            raise BookmarkError(f"a tag must be text, not {type(raw).__name__}")
        for part in _TAG_SPLIT.split(clean_text(raw).lower()):
            tag = part.strip("#")
            if tag:
                out[tag] = None
    return tuple(out)


def _from_row(row: sqlite3.Row) -> Bookmark:
    return Bookmark(
        id=row["id"],
        article_id=row["article_id"],
        passage=row["passage"],
        quote=row["quote"],
        start=row["start"],
        end=row["end"],
        note=row["note"],
        tags=tuple(row["tags"].split()),
        created=row["created"],
        updated=row["updated"],
        # The live article wins; the stored copy keeps a removed article's bookmark useful.
        article_url=row["a_url"] if row["a_title"] is not None else row["article_url"],
        article_title=row["a_title"] if row["a_title"] is not None else row["article_title"],
        article_date=row["a_date"],
        article_source=row["a_source"],
        article_byline=row["a_byline"],
    )


class Bookmarks:
    """The bookmarks of one library. Every write is one SQLite transaction."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # -- reading ----------------------------------------------------------------------------
    def get(self, bid: int) -> Bookmark:
        row = self.library.bookmark_row(bid)
        if row is None:
            raise BookmarkError(f"no bookmark with id {bid}")
        return _from_row(row)

    def list(self, sort: str = "added", tag: str | None = None) -> list[Bookmark]:
        if sort not in SORTS:
            raise BookmarkError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
        wanted = None
        if tag is not None:
            tags = normalize_tags(tag)
            if len(tags) != 1:
                raise BookmarkError(f"{tag!r} is not one tag")
            wanted = tags[0]
        return [_from_row(r) for r in self.library.bookmark_rows(sort, wanted)]

    def for_article(self, article_id: int) -> builtins.list[Bookmark]:
        """This article's bookmarks in text order. Anchors are checked against the current
        paragraphs first, so a crash between a re-ingest and its re-anchoring heals here."""
        reanchor(self.library, [article_id])
        return [_from_row(r) for r in self.library.article_bookmark_rows(article_id)]

    def with_passage_text(self, bookmarks: builtins.list[Bookmark]) -> builtins.list[Bookmark]:
        """Copies with `passage_text` filled from the library (for lossless export)."""
        cache: dict[int, list[str]] = {}
        out = []
        for b in bookmarks:
            text = None
            if b.article_id is not None and b.passage is not None:
                if b.article_id not in cache:
                    cache[b.article_id] = self.library.paragraphs(b.article_id)
                paragraphs = cache[b.article_id]
                if b.passage < len(paragraphs):
                    text = paragraphs[b.passage]
            out.append(replace(b, passage_text=text))
        return out

    # -- writing ----------------------------------------------------------------------------
    def add(
        self,
        article_id: int,
        passage: int | None = None,
        start: int | None = None,
        end: int | None = None,
        note: str = "",
        tags: Iterable[str] = (),
    ) -> Bookmark:
        """Bookmark an article, one of its passages, or a span (start, end) of a passage."""
        tag_tuple = normalize_tags(tags)
        note = _clean_note(note)
        if isinstance(article_id, bool) or not isinstance(article_id, int):
            raise BookmarkError(f"an article id is a whole number, not {article_id!r}")

        def quote(article: sqlite3.Row | None, spans: builtins.list[sqlite3.Row]) -> str | None:
            if article is None:
                raise BookmarkError(f"no article with id {article_id}")
            return _quote(article, spans, passage, start, end)

        def clash(held: int) -> BookmarkError:
            where = "the article" if passage is None else f"passage {passage}"
            return BookmarkError(
                f"{where} of article {article_id} is already bookmarked (bookmark"
                f" {held}); change it with `bookmark edit {held}`"
            )

        bid = self.library.add_bookmark(
            article_id, passage, (start, end), note, " ".join(tag_tuple), now(), quote, clash
        )
        return self.get(bid)

    def toggle(self, article_id: int, passage: int | None = None) -> bool:
        """Bookmark the article or passage if it is not, else remove that bookmark.
        Returns True when it is bookmarked afterwards."""
        if self.library.remove_place_bookmark(article_id, passage):
            return False
        self.add(article_id, passage)
        return True

    def update(
        self, bid: int, note: str | None = None, tags: Iterable[str] | None = None
    ) -> Bookmark:
        """Replace the note and/or the tags (None leaves that one as it is)."""
        clean = _clean_note(note) if note is not None else None
        joined = " ".join(normalize_tags(tags)) if tags is not None else None
        if not self.library.update_bookmark(bid, clean, joined, now()):
            raise BookmarkError(f"no bookmark with id {bid}")
        return self.get(bid)

    def remove(self, bid: int) -> Bookmark:
        """Delete a bookmark; returns it so that `restore()` can undo the removal."""
        removed = self.get(bid)
        self.library.delete_bookmark(bid)
        return removed

    def restore(self, bookmark: Bookmark) -> Bookmark:
        """Undo `remove()`: re-insert with the same id, or a new one if that id was reused
        meanwhile. An article removed in between leaves the bookmark unattached, not lost."""
        b = bookmark
        values = (b.article_id, b.passage, b.quote, b.start, b.end, b.note, " ".join(b.tags),
                  b.created, b.updated, b.article_url, b.article_title)
        return self.get(self.library.restore_bookmark(b.id, values))


def _clean_note(note: str) -> str:
    if not isinstance(note, str):
        raise BookmarkError(f"a note must be text, not {type(note).__name__}")
    return clean_text(note).strip()


def _quote(
    article: sqlite3.Row,
    spans: list[sqlite3.Row],
    passage: int | None,
    start: int | None,
    end: int | None,
) -> str | None:
    """The text a bookmark quotes, after checking passage and span are inside the article."""
    if passage is None:
        if start is not None or end is not None:
            raise BookmarkError("a span (start, end) needs a passage")
        return None
    if isinstance(passage, bool) or not isinstance(passage, int) or not (0 <= passage < len(spans)):
        last = f"0-{len(spans) - 1}" if spans else "none"
        raise BookmarkError(
            f"article {article['id']} has no passage {passage!r} (its passages: {last})"
        )
    text = article["body"][spans[passage][0] : spans[passage][1]]
    if start is None and end is None:
        return text
    if start is None or end is None:
        raise BookmarkError("a span needs both start and end")
    if not (0 <= start < end <= len(text)):
        raise BookmarkError(
            f"span {start}-{end} is outside passage {passage} ({len(text)} characters)"
        )
    return text[start:end]


# -- re-anchoring ---------------------------------------------------------------------------
@dataclass
class Anchor:
    passage: int
    start: int | None
    end: int | None
    quote: str


def locate(
    quote: str, paragraphs: list[str], hint: int | None = None, span: bool = False
) -> Anchor | None:
    """Where `quote` is in `paragraphs`: an exact occurrence first (nearest to `hint`, the
    old passage number), else the best fuzzy match scoring at least FUZZY_MIN_SCORE.
    `span` asks for the offsets of the quote inside the paragraph."""
    near = hint if hint is not None else 0

    def closeness(i: int) -> int:
        return abs(i - near)

    # A whole paragraph equal to the quote beats one merely containing it.
    for exact in (
        [i for i, p in enumerate(paragraphs) if p == quote],
        [i for i, p in enumerate(paragraphs) if quote in p],
    ):
        if exact:
            i = min(exact, key=closeness)
            if span:
                at = paragraphs[i].find(quote)
                return Anchor(i, at, at + len(quote), quote)
            return Anchor(i, None, None, quote)
    # Imported here: the `newsreader` command builds its parser (and so imports this module)
    # before the reader's first frame, and rapidfuzz's import would be a visible part of it.
    from rapidfuzz import fuzz

    best: tuple[float, int, Anchor] | None = None
    for i, p in enumerate(paragraphs):
        if len(p) < len(quote):
            # partial_ratio would score a short paragraph by the part of the quote it covers;
            # compare whole strings instead, so a fragment of the quote is not a match.
            score = fuzz.ratio(quote, p, score_cutoff=FUZZY_MIN_SCORE)
            anchor = Anchor(i, 0 if span else None, len(p) if span else None, p)
        else:
            found = fuzz.partial_ratio_alignment(quote, p, score_cutoff=FUZZY_MIN_SCORE)
            if found is None:
                continue
            score = found.score
            if span:
                text = p[found.dest_start : found.dest_end]
                anchor = Anchor(i, found.dest_start, found.dest_end, text)
            else:
                anchor = Anchor(i, None, None, p)
        if score and (best is None or (score, -closeness(i)) > (best[0], -closeness(best[1]))):
            best = (score, i, anchor)
    return best[2] if best else None


def reanchor(library: Library, article_ids: Iterable[int]) -> int:
    """After these articles were (re-)stored: attach bookmarks left behind by a removed article
    with the same URL, and move every quoted bookmark to where its quote now is. One
    transaction; cheap (one read, no write lock) when there are no bookmarks.
    Returns the number of bookmarks changed."""
    ids = sorted(set(article_ids))
    if not ids or not library.has_bookmarks() or not _stale(library, ids):
        return 0
    return library.reanchor_bookmarks(ids, _fresh_anchor, library.paragraphs)


def _stale(library: Library, ids: list[int]) -> bool:
    """Whether any bookmark of these articles needs attaching or moving (a read, so that the
    reader opening an article takes no write lock when nothing changed)."""
    if library.bookmarks_to_reattach(ids):
        return True
    cache: dict[int, list[str]] = {}
    for r in library.quoted_bookmark_rows(ids):
        if r["article_id"] not in cache:
            cache[r["article_id"]] = library.paragraphs(r["article_id"])
        if _fresh_anchor(r, cache[r["article_id"]]) is not None:
            return True
    return False


def _fresh_anchor(row: sqlite3.Row, paragraphs: list[str]) -> tuple | None:
    """The (passage, start, end, quote) a bookmark should now have, or None if unchanged."""
    quote, passage, start, end = row["quote"], row["passage"], row["start"], row["end"]
    span = start is not None
    if passage is not None and passage < len(paragraphs):
        text = paragraphs[passage]
        if (span and text[start:end] == quote) or (not span and quote in text):
            return None
    found = locate(quote, paragraphs, passage, span)
    if found is None:
        # Detached: kept with its quote (and its span offsets, which say it was a span), and
        # re-attached if a later version of the article has the text again.
        return None if passage is None else (None, start, end, quote)
    return found.passage, found.start, found.end, found.quote


