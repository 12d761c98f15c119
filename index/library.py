"""The library of record: articles, passages, entity mentions, bookmarks and reading state in
SQLite. The search index is derived from it and can always be rebuilt from it."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from index import title_prefixes
from index.chunking import chunks
from index.errors import LibraryError
from index.model import Article, ArticleSummary, StoredArticle
from index.title_prefixes import StoredPrefixes

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id      INTEGER PRIMARY KEY,
    title   TEXT NOT NULL,
    date    TEXT,
    source  TEXT,
    url     TEXT,
    byline  TEXT,
    origin  TEXT,           -- the file or feed it came from, to update a re-added file in place
    body    TEXT NOT NULL,  -- paragraphs joined by a blank line; passages hold their offsets
    hash    TEXT NOT NULL,  -- of title and body, for dedupe of copies without a URL
    added   TEXT NOT NULL,
    updated TEXT NOT NULL,
    rev     INTEGER NOT NULL  -- library revision of the last change, for index catch-up
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin) WHERE origin IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_hash ON articles(hash);
CREATE INDEX IF NOT EXISTS articles_rev ON articles(rev);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
-- The library screen's three orders, exactly as summaries() sorts (else SQLite sorts every
-- article to show the first page: 0.4 s at 127.6k).
CREATE INDEX IF NOT EXISTS articles_newest ON articles(date IS NULL, date DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_by_title ON articles(title COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS articles_by_source
    ON articles(source IS NULL, source COLLATE NOCASE, date DESC, id);
CREATE TABLE IF NOT EXISTS passages (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;
-- Canonical entities and their mentions (filled by the entity extractor).
CREATE TABLE IF NOT EXISTS entities (
    id        INTEGER PRIMARY KEY,
    canonical TEXT NOT NULL,
    label     TEXT NOT NULL,    -- PERSON, ORG, PLACE, MISC
    UNIQUE (canonical, label)
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    passage    INTEGER NOT NULL,
    start      INTEGER NOT NULL,  -- offsets into the passage text
    end        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    entity_id  INTEGER NOT NULL REFERENCES entities(id)
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id, passage);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
-- Every name an entity was written as, normalised (index.entities.names.name_key): "US" and
-- "U.S." find "United States", "ISIS" the organisation an article spelled out.
CREATE TABLE IF NOT EXISTS entity_names (
    name      TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (name, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_names_entity ON entity_names(entity_id);
-- The user's own data: never derived, never dropped with an article re-ingest.
CREATE TABLE IF NOT EXISTS bookmarks (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    passage    INTEGER,           -- NULL: the whole article
    quote      TEXT,              -- the bookmarked text, to re-anchor if paragraphs move
    start      INTEGER,           -- a span inside the passage, when a selection was bookmarked
    end        INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '',   -- space-separated
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    article_url   TEXT,           -- kept so an export stays useful if the article is removed
    article_title TEXT
);
CREATE TABLE IF NOT EXISTS reading_state (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    read       INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL DEFAULT 0,
    opened     TEXT
);
CREATE TABLE IF NOT EXISTS removed (article_id INTEGER PRIMARY KEY, rev INTEGER NOT NULL);
-- Words as written (lower-cased) with the number of articles using them: the vocabulary for
-- "did you mean" and as-you-type completion (the index itself only holds stems).
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
-- Subscriptions (index.feeds): the user's own data, like bookmarks.
CREATE TABLE IF NOT EXISTS feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,
    grp           TEXT NOT NULL DEFAULT '',  -- folder ("News/World"), from OPML or --group
    site_url      TEXT,
    full_text     INTEGER NOT NULL DEFAULT 0,  -- fetch each entry's page for its full text
    added         TEXT NOT NULL,
    etag          TEXT,           -- validators for the next conditional GET
    last_modified TEXT,
    last_fetched  TEXT,           -- last attempt, successful or not
    last_success  TEXT,
    last_error    TEXT,           -- NULL after a success
    failures      INTEGER NOT NULL DEFAULT 0,  -- in a row: the backoff doubles with each
    next_due      TEXT            -- when `refresh --due` fetches it again
);
-- Which article each feed entry became: entries are known again by id/guid across refreshes.
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,    -- guid, else link, else a digest of the entry
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,    -- digest of the entry as last seen: unchanged ones are skipped
    seen        TEXT NOT NULL,
    PRIMARY KEY (feed_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feed_entries_article ON feed_entries(article_id, feed_id);
"""


class ArticleLink(Protocol):
    """What a caller of Library.add_articles learns and records inside its transaction."""

    def prior(self, db: sqlite3.Connection, i: int) -> int | None:
        """The stored article that articles[i] is a new version of, if known."""

    def stored(self, db: sqlite3.Connection, i: int, status: str, article_id: int) -> None:
        """articles[i] was stored as `article_id` ("added", "updated" or "duplicate")."""

    def done(self, db: sqlite3.Connection) -> None:
        """Every article is stored; the transaction commits after this."""


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(title: str, body: str) -> str:
    import hashlib  # here: the reader's first frame has no use for its 5 ms import

    normal = " ".join(title.split()).casefold() + "\n" + " ".join(body.split()).casefold()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


class Library:
    """SQLite store. Safe to share between threads: each thread gets its own connection."""

    FILE = "library.sqlite3"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / self.FILE
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.created = not self.path.exists()
        try:
            self._refuse_emptied()
            self.directory.mkdir(parents=True, exist_ok=True)
            # executescript commits on its own; every statement in it is idempotent.
            self._conn().executescript(_SCHEMA + title_prefixes.SCHEMA)
            with self.transaction() as db:
                self._init_meta(db)
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        except OSError as exc:
            raise LibraryError(
                f"{self.directory}: cannot create the library: {exc.strerror}"
            ) from None

    def _refuse_emptied(self) -> None:
        """SQLite would take an empty file for a new database and start afresh in it. But
        newsreader writes the file's header as it creates it, so an empty file beside a search
        index is a library that was truncated: say so rather than show an empty library."""
        if self.created or self.path.stat().st_size:
            return
        if (self.directory / "index").exists():
            raise LibraryError(
                f"{self.path}: the library file is empty (truncated?) although this folder held"
                " a library. Restore the file from a backup, or delete it to start an empty"
                " library."
            )

    # -- connections ------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it. A storage failure (full
        disk, read-only or damaged file, busy library) comes out as LibraryError saying what
        to do; other errors (bugs) pass through unchanged."""
        try:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            # After some failures (a full disk, an I/O error) SQLite has rolled back already.
            with suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
            if type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise LibraryError(explain(self.path, exc)) from None  # type: ignore[arg-type]
            raise

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None

    def column(self, sql: str, params: Iterable = ()) -> list:
        """The first column of a query's rows, as plain values (no Row objects: cheaper when
        there are thousands of them)."""
        try:
            cursor = self._conn().cursor()
            cursor.row_factory = None
            return [r[0] for r in cursor.execute(sql, tuple(params))]
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None

    def release_thread(self) -> None:
        """Close this thread's connection (a pool thread that is done with the library:
        connections are kept per thread, so each one a short-lived thread opens would
        otherwise stay open until close())."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            self._connections = [c for c in self._connections if c is not conn]
        with suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- meta -------------------------------------------------------------------------------
    def _init_meta(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        db.execute("INSERT OR IGNORE INTO meta VALUES ('library_id', ?)", (uuid.uuid4().hex,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('rev', '0')")
        # An empty library's title prefixes are complete; one from before them is not.
        db.execute(
            "INSERT OR IGNORE INTO meta SELECT ?, value FROM meta WHERE key = 'rev'"
            " AND NOT EXISTS (SELECT 1 FROM articles)",
            (title_prefixes.CURRENT,),
        )
        version = int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: made by a newer newsreader (library schema {version}); "
                "upgrade newsreader to open it"
            )

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def library_id(self) -> str:
        return self.meta("library_id") or ""

    @property
    def rev(self) -> int:
        return int(self.meta("rev") or 0)

    @staticmethod
    def _bump(db: sqlite3.Connection) -> int:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='rev'")
        return int(db.execute("SELECT value FROM meta WHERE key='rev'").fetchone()[0])

    # -- articles ---------------------------------------------------------------------------
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
            with self.transaction() as db:
                rev = self._bump(db)
                for i, article in enumerate(articles):
                    prior = link.prior(db, i) if link else None
                    status, article_id = self._store(db, article, rev, stamp, prior, prefixes)
                    results.append((status, article_id))
                    if link:
                        link.stored(db, i, status, article_id)
                    if status != "duplicate":
                        words.update(_surface_words(article.title + " " + article.body))
                _count_words(db, words)
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

    def words(self) -> list[tuple[str, int]]:
        """The vocabulary and each word's article count, in word order: the primary key's
        own, so SQLite does not sort, and the typo vocabulary's sort of it is one pass."""
        return [(r[0], r[1]) for r in self.query("SELECT word, df FROM words ORDER BY word")]

    def recount_words(self) -> None:
        """Rebuild the vocabulary from every article (after removals it can only overcount)."""
        words: Counter[str] = Counter()
        for row in self.iter_for_index(0):
            words.update(_surface_words(row["title"] + " " + row["body"]))
        with self.transaction() as db:
            db.execute("DELETE FROM words")
            _count_words(db, words)

    def remove_articles(self, ids: list[int]) -> int:
        """Delete these articles (their passages, mentions and reading state go with them;
        bookmarks stay, detached); returns how many there were."""
        removed = 0
        prefixes = title_prefixes.Changes()
        with self.transaction() as db:
            rev = self._bump(db)
            for chunk in chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                present = []
                for article_id, title in db.execute(
                    f"SELECT id, title FROM articles WHERE id IN ({marks})", chunk
                ):
                    present.append(article_id)
                    prefixes.remove(article_id, title)
                db.execute(f"DELETE FROM articles WHERE id IN ({marks})", chunk)
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

    def summaries(
        self,
        ids: Iterable[int] | None = None,
        sort: str = "date",
        limit: int | None = None,
        where: str = "",
        where_params: Iterable = (),
    ) -> list[ArticleSummary]:
        order = {
            "date": "a.date IS NULL, a.date DESC, a.id DESC",
            "title": "a.title COLLATE NOCASE, a.id",
            "source": "a.source IS NULL, a.source COLLATE NOCASE, a.date DESC, a.id",
            "added": "a.id DESC",
        }.get(sort)
        if order is None:
            raise ValueError(f"unknown sort {sort!r}")
        sql = (
            "SELECT a.id, a.title, a.date, a.source, a.url, COALESCE(r.read, 0) AS read"
            " FROM articles a LEFT JOIN reading_state r ON r.article_id = a.id"
        )
        params: list = []
        if ids is not None:
            id_list = list(ids)
            if not id_list:
                return []
            sql += f" WHERE a.id IN ({','.join('?' * len(id_list))})"
            params.extend(id_list)
        elif where:
            sql += f" WHERE {where}"
            params.extend(where_params)
        sql += f" ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            ArticleSummary(r["id"], r["title"], r["date"], r["source"], r["url"], bool(r["read"]))
            for r in self.query(sql, params)
        ]

    def filtered(
        self,
        text: str,
        sort: str = "date",
        limit: int | None = None,
        where: str = "",
        where_params: Iterable = (),
    ) -> list[ArticleSummary]:
        """Articles whose title or source contains every word of `text` (case-insensitive),
        among those `where` keeps (a clause over `articles a`, e.g. FeedStore.scope)."""
        words = text.split()
        if not words:
            return self.summaries(sort=sort, limit=limit, where=where, where_params=where_params)
        scope = [f"({where})"] if where else []
        params: list = list(where_params) if where else []
        where = " AND ".join(
            scope + ["(a.title LIKE ? ESCAPE '\\' OR a.source LIKE ? ESCAPE '\\')"] * len(words)
        )
        for w in words:
            pattern = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
        return self.summaries(
            sort=sort,
            limit=limit,
            where=where,
            where_params=params,
        )

    def titles(self) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self.query("SELECT id, title FROM articles ORDER BY id")]

    def iter_titles(self, batch: int = 10_000) -> Iterator[tuple[int, str]]:
        """(id, title) of every article in id order, read a page at a time: the go-to finder
        keeps the titles processed, and a list of all of them as well was its peak."""
        last = 0
        while True:
            rows = self.query(
                "SELECT id, title FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            )
            if not rows:
                return
            yield from ((r[0], r[1]) for r in rows)
            last = rows[-1][0]

    def titles_since(self, rev: int) -> list[tuple[int, str]]:
        """(id, title) of the articles added or changed after revision `rev`, in id order."""
        return [(r[0], r[1]) for r in self.query(
            "SELECT id, title FROM articles WHERE rev > ? ORDER BY id", (rev,))]

    def title_prefixes(self) -> StoredPrefixes:
        """The go-to finder's word-prefix tables, indexed first where they are behind the
        articles (a library written by a version without them): a page of articles per
        transaction, so that writers elsewhere wait for a page at most."""
        if not title_prefixes.is_current(self._conn()):
            if self.meta(title_prefixes.UPTO) is None:  # else: resumed where it stopped
                with self.transaction() as db:
                    title_prefixes.clear(db)
            self._index_title_prefixes()
        return StoredPrefixes(self.query, self.column)

    def rebuild_title_prefixes(self) -> int:
        """Index every title's word prefixes afresh; returns how many titles."""
        with self.transaction() as db:
            title_prefixes.clear(db)
        return self._index_title_prefixes()

    def _index_title_prefixes(self, page: int = 20_000) -> int:
        done = 0
        while True:
            with self.transaction() as db:
                indexed = title_prefixes.index_page(db, page)
            if indexed is None:
                return done
            done += indexed

    def titles_of(self, ids: list[int]) -> dict[int, str]:
        """Article id → title, for those of `ids` that exist."""
        out: dict[int, str] = {}
        for chunk in chunks(ids, 500):
            q = f"SELECT id, title FROM articles WHERE id IN ({','.join('?' * len(chunk))})"
            out.update((r[0], r[1]) for r in self.query(q, chunk))
        return out

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
                f" ({','.join('?' * len(chunk))}) ORDER BY article_id, n",
                chunk,
            ):
                out[r[0]].append((r[1], r[2]))
        return out

    def removed_since(self, rev: int) -> list[int]:
        return [r[0] for r in self.query("SELECT article_id FROM removed WHERE rev > ?", (rev,))]

    # -- reading state ----------------------------------------------------------------------
    def set_read(self, article_id: int, read: bool = True) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO reading_state (article_id, read, opened) VALUES (?, ?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET read=excluded.read, opened=excluded.opened",
                (article_id, int(read), now()),
            )

    def set_position(self, article_id: int, passage: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO reading_state (article_id, position) VALUES (?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET position=excluded.position",
                (article_id, passage),
            )

    def read_ids(self, ids: list[int]) -> set[int]:
        """Those of `ids` that are marked read."""
        read: set[int] = set()
        for chunk in chunks(ids, 500):
            read.update(
                r[0]
                for r in self.query(
                    f"SELECT article_id FROM reading_state WHERE read = 1 AND article_id IN"
                    f" ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return read

    def unread_count(self, total: int | None = None) -> int:
        """Articles not marked read (`total`: count(), if just read): all of them less those
        read, so that the cost follows the articles read, not the library, as a join over
        every article did."""
        return (self.count() if total is None else total) - int(
            self.query(
                "SELECT COUNT(*) FROM reading_state r JOIN articles a ON a.id = r.article_id"
                " WHERE r.read = 1"
            )[0][0]
        )

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.directory.glob(self.FILE + "*") if p.is_file())


def _count_words(db: sqlite3.Connection, words: Counter[str]) -> None:
    db.executemany(
        "INSERT INTO words VALUES (?, ?) ON CONFLICT(word) DO UPDATE SET df = df + excluded.df",
        words.items(),
    )


def _surface_words(text: str) -> set[str]:
    # Imported on first write: the reader lists a library before loading any text analysis.
    from index.analysis import surface_words

    return surface_words(text)


def passage_spans(paragraphs: list[str]) -> list[tuple[int, int]]:
    """Where each paragraph sits in the stored body (paragraphs joined by a blank line)."""
    return list(_offsets(paragraphs))


def _offsets(paragraphs: list[str]) -> Iterator[tuple[int, int]]:
    pos = 0
    for p in paragraphs:
        yield pos, pos + len(p)
        pos += len(p) + 2




def explain(path: Path, exc: sqlite3.Error) -> str:
    """What a failed SQLite call means for the library at `path`, and what to do about it."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (
            f"{path}: the library file is damaged ({text}). Restore it from a backup, or move"
            " it aside and re-add your articles; bookmarks can be re-imported from an export."
        )
    if "readonly" in text or "read-only" in text:
        return (
            f"{path}: the library is read-only ({text}). newsreader writes beside the file"
            f" (SQLite's journal), even to read: make {path.parent} writable, or copy the"
            " folder somewhere writable and pass --library."
        )
    if "disk is full" in text:
        return f"{path}: the disk is full; free some space and try again (nothing was lost)."
    if "disk I/O error" in text:
        return (
            f"{path}: the library could not be written ({text}); check the free space and"
            " the disk, then try again. Nothing stored before this command was lost."
        )
    if "unable to open" in text:
        return (
            f"{path}: cannot open the library ({text}); check that its folder exists and"
            " that you may read and write it, or pass --library."
        )
    if "locked" in text:
        return f"{path}: the library is busy in another newsreader process; try again."
    return f"{path}: {text}"
