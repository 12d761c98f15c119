"""The bookmarks table: the user's own data, never derived, never dropped with an article
re-ingest. What a bookmark may be (its checks, its quote, where it re-anchors) is
index.bookmarks' to say; the writes here are each one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from index.chunking import chunks
from index.storage.database import Database
from index.storage.sql import marks

_SELECT = (
    "SELECT b.*, a.title AS a_title, a.url AS a_url, a.date AS a_date, a.source AS a_source,"
    " a.byline AS a_byline FROM bookmarks b LEFT JOIN articles a ON a.id = b.article_id"
)
# The sorts a bookmark list offers, by name.
ORDERS = {
    "added": "b.created DESC, b.id DESC",
    "article_date": "a.date IS NULL, a.date DESC, b.created DESC, b.id DESC",
    "title": "COALESCE(a.title, b.article_title) COLLATE NOCASE, b.passage, b.id",
}
_COLUMNS = (
    "article_id, passage, quote, start, end, note, tags, created, updated, article_url,"
    " article_title"
)

# Checks a new bookmark against its article (None: no such article) and the article's
# passage spans, inside the write transaction; returns the text it quotes.
QuoteCheck = Callable[[sqlite3.Row | None, list[sqlite3.Row]], str | None]
# The bookmark's new (passage, start, end, quote) given its row and its article's
# paragraphs, or None when it is where it should be.
FreshAnchor = Callable[[sqlite3.Row, list[str]], tuple | None]


class BookmarkStore(Database):
    """Bookmark rows, each read with its article's live title, URL, date, source, byline."""

    def bookmark_row(self, bid: int) -> sqlite3.Row | None:
        rows = self.query(_SELECT + " WHERE b.id = ?", (bid,))
        return rows[0] if rows else None

    def bookmark_rows(self, sort: str, tag: str | None = None) -> list[sqlite3.Row]:
        """Every bookmark in the order named `sort` (a key of ORDERS), or those with `tag`."""
        sql, params = _SELECT, []
        if tag is not None:
            sql += " WHERE instr(' ' || b.tags || ' ', ?) > 0"
            params.append(f" {tag} ")
        return self.query(f"{sql} ORDER BY {ORDERS[sort]}", params)

    def article_bookmark_rows(self, article_id: int) -> list[sqlite3.Row]:
        """An article's bookmarks in text order."""
        return self.query(
            _SELECT + " WHERE b.article_id = ? ORDER BY b.passage IS NULL, b.passage, b.start,"
            " b.id",
            (article_id,),
        )

    def has_bookmarks(self) -> bool:
        return bool(self.query("SELECT 1 FROM bookmarks LIMIT 1"))

    def add_bookmark(
        self,
        article_id: int,
        passage: int | None,
        span: tuple[int | None, int | None],
        note: str,
        tags: str,
        stamp: str,
        quote: QuoteCheck,
        clash: Callable[[int], Exception],
    ) -> int:
        """Insert a bookmark after `quote` has checked it; `clash(id)` is raised when the same
        place is bookmarked already. Returns the new id."""
        start, end = span
        with self.transaction() as db:
            article = db.execute(
                "SELECT id, title, url, body FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            spans = (
                db.execute(
                    "SELECT start, end FROM passages WHERE article_id = ? ORDER BY n",
                    (article_id,),
                ).fetchall()
                if article is not None and passage is not None
                else []
            )
            text = quote(article, spans)
            held = db.execute(
                "SELECT id FROM bookmarks WHERE article_id = ? AND passage IS ? AND start IS ?"
                " AND end IS ?",
                (article_id, passage, start, end),
            ).fetchone()
            if held:
                raise clash(held[0])
            cur = db.execute(
                f"INSERT INTO bookmarks ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (article_id, passage, text, start, end, note, tags, stamp, stamp,
                 article["url"], article["title"]),
            )
            return int(cur.lastrowid or 0)

    def remove_place_bookmark(self, article_id: int, passage: int | None) -> bool:
        """Delete the bookmark of the article (or of one passage, not a span); whether there
        was one."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT id FROM bookmarks WHERE article_id = ? AND passage IS ? AND start IS NULL",
                (article_id, passage),
            ).fetchone()
            if row:
                db.execute("DELETE FROM bookmarks WHERE id = ?", (row[0],))
            return row is not None

    def update_bookmark(
        self, bid: int, note: str | None, tags: str | None, stamp: str
    ) -> bool:
        """Replace the note and/or the tags (None leaves one as it is); False: no such id."""
        sets, params = [], []
        if note is not None:
            sets.append("note = ?")
            params.append(note)
        if tags is not None:
            sets.append("tags = ?")
            params.append(tags)
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM bookmarks WHERE id = ?", (bid,)).fetchone():
                return False
            if sets:
                db.execute(
                    f"UPDATE bookmarks SET {', '.join(sets)}, updated = ? WHERE id = ?",
                    (*params, stamp, bid),
                )
        return True

    def delete_bookmark(self, bid: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM bookmarks WHERE id = ?", (bid,))

    def restore_bookmark(self, bid: int, values: tuple) -> int:
        """Insert a removed bookmark again (`values` in _COLUMNS' order) under its old id, or
        a new one if that id was taken meanwhile; an article removed meanwhile leaves it
        unattached. Returns its id."""
        article_id = values[0]
        with self.transaction() as db:
            if (
                article_id is not None
                and not db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            ):
                values = (None, *values[1:])
            taken = db.execute("SELECT 1 FROM bookmarks WHERE id = ?", (bid,)).fetchone()
            cur = db.execute(
                f"INSERT INTO bookmarks (id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (None if taken else bid, *values),
            )
            return int(cur.lastrowid or 0)

    def import_bookmarks(self, entries: Iterable[tuple]) -> list[tuple[bool, tuple]]:
        """Insert imported bookmarks, in one transaction, each unless its article already has
        one at the same passage with the same quote. `entries`: (article_id, passage, quote,
        start, end, note, tags, created, updated), consumed inside the transaction. Returns
        each entry with whether it was added."""
        out: list[tuple[bool, tuple]] = []
        with self.transaction() as db:
            for entry in entries:
                aid, passage, quote = entry[:3]
                if db.execute(
                    "SELECT 1 FROM bookmarks WHERE article_id = ? AND passage IS ? AND quote IS ?",
                    (aid, passage, quote),
                ).fetchone():
                    out.append((False, entry))
                    continue
                row = db.execute("SELECT title, url FROM articles WHERE id = ?", (aid,)).fetchone()
                db.execute(
                    f"INSERT INTO bookmarks ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (*entry, row["url"], row["title"]),
                )
                out.append((True, entry))
        return out

    # -- re-anchoring -----------------------------------------------------------------------
    def bookmarks_to_reattach(self, ids: list[int]) -> bool:
        """Whether a bookmark left by a removed article has one of these articles' URLs."""
        return any(
            self.query(
                "SELECT 1 FROM bookmarks b JOIN articles a ON a.url = b.article_url"
                f" WHERE b.article_id IS NULL AND a.id IN ({marks(chunk)}) LIMIT 1",
                chunk,
            )
            for chunk in chunks(ids, 500)
        )

    def quoted_bookmark_rows(self, ids: list[int]) -> list[sqlite3.Row]:
        """The bookmarks of these articles that quote a text (every one but a whole
        article's), by article."""
        out: list[sqlite3.Row] = []
        for chunk in chunks(ids, 500):
            out += self.query(
                "SELECT id, article_id, passage, quote, start, end FROM bookmarks"
                f" WHERE quote IS NOT NULL AND article_id IN ({marks(chunk)}) ORDER BY article_id",
                chunk,
            )
        return out

    def reanchor_bookmarks(
        self, ids: Iterable[int], fresh: FreshAnchor, paragraphs_of: Callable[[int], list[str]]
    ) -> int:
        """In one transaction: attach the bookmarks a removed article left behind to the
        article of these now holding its URL, and move each quoted bookmark of these articles
        to where `fresh` finds its quote. Returns how many bookmarks changed."""
        changed = 0
        updates: list[tuple] = []
        with self.transaction() as db:
            orphans = db.execute(
                "SELECT 1 FROM bookmarks WHERE article_id IS NULL AND article_url IS NOT NULL"
                " LIMIT 1"
            ).fetchone()
            for chunk in chunks(list(ids), 500):
                held = marks(chunk)
                if orphans:
                    changed += db.execute(
                        "UPDATE bookmarks SET article_id ="
                        " (SELECT a.id FROM articles a WHERE a.url = bookmarks.article_url)"
                        " WHERE article_id IS NULL AND article_url IN"
                        f" (SELECT url FROM articles WHERE id IN ({held}))",
                        chunk,
                    ).rowcount
                rows = db.execute(
                    "SELECT id, article_id, passage, quote, start, end FROM bookmarks"
                    f" WHERE quote IS NOT NULL AND article_id IN ({held}) ORDER BY article_id",
                    chunk,
                ).fetchall()
                paragraphs: dict[int, list[str]] = {}
                for r in rows:
                    aid = r["article_id"]
                    if aid not in paragraphs:
                        # The library's own reads use this thread's connection: the
                        # transaction's snapshot.
                        paragraphs[aid] = paragraphs_of(aid)
                    update = fresh(r, paragraphs[aid])
                    if update is not None:
                        updates.append((*update, r["id"]))
            db.executemany(
                "UPDATE bookmarks SET passage = ?, start = ?, end = ?, quote = ? WHERE id = ?",
                updates,
            )
        return changed + len(updates)
