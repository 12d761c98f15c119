"""Articles and their passages: storing (dedupe by content, update by URL or origin),
removing, reading back, and the rows the search index is built from."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Protocol

from index.chunking import chunks
from index.errors import LibraryError
from index.model import Article, StoredArticle
from index.storage import title_prefixes
from index.storage.database import Database, bump_rev, explain, now
from index.storage.sql import marks
from index.storage.words import count_words, surface_words


class ArticleLink(Protocol):
    """What a caller of Library.add_articles learns and records inside its transaction."""

    def prior(self, db: sqlite3.Connection, i: int) -> int | None:
        """The stored article that articles[i] is a new version of, if known."""

    def stored(self, db: sqlite3.Connection, i: int, status: str, article_id: int) -> None:
        """articles[i] was stored as `article_id` ("added", "updated" or "duplicate")."""

    def done(self, db: sqlite3.Connection) -> None:
        """Every article is stored; the transaction commits after this."""


def content_hash(title: str, body: str) -> str:
    import hashlib  # here: the reader's first frame has no use for it, and it is not free

    normal = " ".join(title.split()).casefold() + "\n" + " ".join(body.split()).casefold()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


class ArticleStore(Database):
    """The articles and passages tables."""

    def add_articles(
        self, articles: Iterable[Article], link: ArticleLink | None = None
    ) -> list[tuple[str, int]]:
        """Store articles in one transaction. Returns (status, id) per article, status being
        "added", "updated" (same URL or origin, new content: keeps its id) or "duplicate".
        `link` lets a caller name the stored article each one is a new version of, and record
        where each one went, inside the same transaction (feed entries)."""
        results: list[tuple[str, int]] = []
        stamp = now()
        words: Counter[str] = Counter()
        prefixes = title_prefixes.Changes()
        try:
            with self.transaction(bulk=True) as db:
                rev = bump_rev(db)
                for i, article in enumerate(articles):
                    prior = link.prior(db, i) if link else None
                    status, article_id = self._store(db, article, rev, stamp, prior, prefixes)
                    results.append((status, article_id))
                    if link:
                        link.stored(db, i, status, article_id)
                    if status != "duplicate":
                        words.update(surface_words(article.title + " " + article.body))
                count_words(db, words)
                prefixes.write(db, rev)
                if link:
                    link.done(db)
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        return results

    def _store(
        self,
        db: sqlite3.Connection,
        a: Article,
        rev: int,
        stamp: str,
        prior: int | None,
        prefixes: title_prefixes.Changes,
    ) -> tuple[str, int]:
        body = a.body
        digest = content_hash(a.title, body)
        row = None
        if prior is not None:
            # A known feed entry: its own article first (then its URL, then its content).
            row = db.execute("SELECT id, hash FROM articles WHERE id=?", (prior,)).fetchone()
            if row and a.url:
                held = db.execute("SELECT id FROM articles WHERE url=?", (a.url,)).fetchone()
                if held and held[0] != row[0]:
                    row = db.execute("SELECT id, hash FROM articles WHERE id=?", held).fetchone()
            if row and row[1] == digest:
                return "duplicate", row[0]
        if row is None:
            dup = db.execute("SELECT id FROM articles WHERE hash=? LIMIT 1", (digest,)).fetchone()
            if dup:
                return "duplicate", dup[0]
        if row is None and a.url:
            row = db.execute("SELECT id FROM articles WHERE url=?", (a.url,)).fetchone()
        elif row is None and a.origin:
            row = db.execute(
                "SELECT id FROM articles WHERE origin=? AND url IS NULL", (a.origin,)
            ).fetchone()
        values = (a.title, a.date, a.source, a.url, a.byline, a.origin, body, digest)
        if row:
            article_id = row[0]
            (old_title,) = db.execute(
                "SELECT title FROM articles WHERE id=?", (article_id,)
            ).fetchone()
            if old_title != a.title:
                prefixes.remove(article_id, old_title)
                prefixes.add(article_id, a.title)
            db.execute(
                "UPDATE articles SET title=?, date=?, source=?, url=?, byline=?, origin=?, body=?,"
                " hash=?, updated=?, rev=? WHERE id=?",
                (*values, stamp, rev, article_id),
            )
            db.execute("DELETE FROM passages WHERE article_id=?", (article_id,))
            db.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
            status = "updated"
        else:
            cur = db.execute(
                "INSERT INTO articles (title, date, source, url, byline, origin, body, hash,"
                " added, updated, rev) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (*values, stamp, stamp, rev),
            )
            article_id = int(cur.lastrowid or 0)
            prefixes.add(article_id, a.title)
            status = "added"
        db.executemany(
            "INSERT INTO passages VALUES (?,?,?,?)",
            [(article_id, n, s, e) for n, (s, e) in enumerate(_offsets(a.paragraphs))],
        )
        return status, article_id

    def recount_words(self) -> None:
        """Rebuild the vocabulary from every article (after removals it can only overcount)."""
        words: Counter[str] = Counter()
        for row in self.iter_for_index(0):
            words.update(surface_words(row["title"] + " " + row["body"]))
        with self.transaction() as db:
            db.execute("DELETE FROM words")
            count_words(db, words)

    def remove_articles(self, ids: list[int]) -> int:
        """Delete these articles (their passages, mentions and reading state go with them;
        bookmarks stay, detached); returns how many there were."""
        removed = 0
        prefixes = title_prefixes.Changes()
        with self.transaction() as db:
            rev = bump_rev(db)
            for chunk in chunks(ids, 500):
                held = marks(chunk)
                present = []
                for article_id, title in db.execute(
                    f"SELECT id, title FROM articles WHERE id IN ({held})", chunk
                ):
                    present.append(article_id)
                    prefixes.remove(article_id, title)
                db.execute(f"DELETE FROM articles WHERE id IN ({held})", chunk)
                db.executemany(
                    "INSERT OR REPLACE INTO removed VALUES (?, ?)", [(i, rev) for i in present]
                )
                removed += len(present)
            prefixes.write(db, rev)
        return removed

    def remove_article(self, article_id: int) -> bool:
        return self.remove_articles([article_id]) == 1

    def count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM articles")[0][0])

    def passage_count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM passages")[0][0])

    def get(self, article_id: int) -> StoredArticle | None:
        rows = self.query(
            "SELECT a.*, r.read, r.position FROM articles a"
            " LEFT JOIN reading_state r ON r.article_id = a.id WHERE a.id=?",
            (article_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return StoredArticle(
            id=row["id"],
            title=row["title"],
            date=row["date"],
            source=row["source"],
            url=row["url"],
            byline=row["byline"],
            added=row["added"],
            paragraphs=self.paragraphs(row["id"], row["body"]),
            read=bool(row["read"]),
            position=row["position"] or 0,
        )

    def article_with_url(self, url: str) -> int | None:
        rows = self.query("SELECT id FROM articles WHERE url = ?", (url,))
        return int(rows[0][0]) if rows else None

    def article_like(
        self, title: str, source: str | None, date: str | None, url: str | None
    ) -> int | None:
        """The first article with exactly this title, source and date, and this URL or none."""
        rows = self.query(
            "SELECT id FROM articles WHERE title = ? AND source IS ? AND date IS ?"
            " AND (url IS NULL OR url IS ?) ORDER BY id LIMIT 1",
            (title, source, date, url),
        )
        return int(rows[0][0]) if rows else None

    def article_rows(self, ids: list[int]) -> dict[int, sqlite3.Row]:
        """Article id → its row (id, title, date, source, url, body), for those of `ids` that
        exist, in id order."""
        out: dict[int, sqlite3.Row] = {}
        for chunk in chunks(ids, 500):
            out.update(
                (r["id"], r)
                for r in self.query(
                    "SELECT id, title, date, source, url, body FROM articles"
                    f" WHERE id IN ({marks(chunk)}) ORDER BY id",
                    chunk,
                )
            )
        return out

    def paragraphs(self, article_id: int, body: str | None = None) -> list[str]:
        if body is None:
            rows = self.query("SELECT body FROM articles WHERE id=?", (article_id,))
            if not rows:
                return []
            body = rows[0][0]
        spans = self.query(
            "SELECT start, end FROM passages WHERE article_id=? ORDER BY n", (article_id,)
        )
        return [body[s:e] for s, e in spans]

    def rows_for_index(self, ids: list[int]) -> Iterator[sqlite3.Row]:
        """These articles as the index reads them (id, title, date, source, body, rev)."""
        for chunk in chunks(ids, 500):
            yield from self.query(
                "SELECT id, title, date, source, body, rev FROM articles WHERE id IN"
                f" ({marks(chunk)})",
                chunk,
            )

    def revisions_since(self, rev: int) -> list[tuple[int, int]]:
        """(id, revision) of the articles added or changed after revision `rev`, in id order."""
        q = "SELECT id, rev FROM articles WHERE rev > ? ORDER BY id"
        return [(r[0], r[1]) for r in self.query(q, (rev,))]

    def changed_count(self, rev: int) -> int:
        """How many articles were added or changed after library revision `rev`."""
        return int(self.query("SELECT COUNT(*) FROM articles WHERE rev > ?", (rev,))[0][0])

    def highest_id_ever(self) -> int:
        """The highest id any article had, removed ones included (0 for none)."""
        return int(
            self.query(
                "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM articles"
                " UNION ALL SELECT MAX(article_id) FROM removed)"
            )[0][0]
            or 0
        )

    def iter_for_index(self, since_rev: int = 0, batch: int = 500) -> Iterator[sqlite3.Row]:
        """Articles changed after `since_rev`, with their passage offsets, in id order."""
        last = 0
        while True:
            rows = self.query(
                "SELECT id, title, date, source, body, rev FROM articles"
                " WHERE rev > ? AND id > ? ORDER BY id LIMIT ?",
                (since_rev, last, batch),
            )
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]

    def passage_offsets(self, ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
        for chunk in chunks(ids, 500):
            for r in self.query(
                f"SELECT article_id, start, end FROM passages WHERE article_id IN"
                f" ({marks(chunk)}) ORDER BY article_id, n",
                chunk,
            ):
                out[r[0]].append((r[1], r[2]))
        return out

    def removed_since(self, rev: int) -> list[int]:
        return [r[0] for r in self.query("SELECT article_id FROM removed WHERE rev > ?", (rev,))]


def passage_spans(paragraphs: list[str]) -> list[tuple[int, int]]:
    """Where each paragraph sits in the stored body (paragraphs joined by a blank line)."""
    return list(_offsets(paragraphs))


def _offsets(paragraphs: list[str]) -> Iterator[tuple[int, int]]:
    pos = 0
    for p in paragraphs:
        yield pos, pos + len(p)
        pos += len(p) + 2


