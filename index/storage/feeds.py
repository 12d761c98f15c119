"""Subscriptions in the library of record: the feeds, their fetch state, and which article
each feed entry became. Every write is one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from index.errors import IngestError
from index.model import ArticleSummary, Feed
from index.storage.database import now
from index.storage.library import Library


class FeedError(IngestError):
    """A feed operation that cannot be done; the message says why (nothing was changed)."""


class FeedGone(Exception):
    """The feed was removed while it was being refreshed: what it fetched is not stored."""


_COLUMNS = (
    "f.id, f.url, f.title, f.grp, f.site_url, f.full_text, f.added, f.etag, f.last_modified,"
    " f.last_fetched, f.last_success, f.last_error, f.failures, f.next_due"
)


def _feed(row: sqlite3.Row, articles: int = 0, unread: int = 0) -> Feed:
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2],
        group=row[3],
        site_url=row[4],
        full_text=bool(row[5]),
        added=row[6],
        etag=row[7],
        last_modified=row[8],
        last_fetched=row[9],
        last_success=row[10],
        last_error=row[11],
        failures=row[12],
        next_due=row[13],
        articles=articles,
        unread=unread,
    )


def stamp_after(minutes: float, start: str | None = None) -> str:
    base = datetime.fromisoformat(start) if start else datetime.now(UTC)
    return (base + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


class FeedStore:
    def __init__(self, library: Library) -> None:
        self.library = library

    # -- subscriptions ------------------------------------------------------------------
    def subscribe(
        self,
        url: str,
        title: str | None = None,
        group: str = "",
        site_url: str | None = None,
        full_text: bool = False,
    ) -> tuple[Feed, bool]:
        """The feed at `url`, subscribing to it if new; (feed, True) when it was added."""
        with self.library.transaction() as db:
            cur = db.execute(
                "INSERT INTO feeds (url, title, grp, site_url, full_text, added)"
                " VALUES (?,?,?,?,?,?) ON CONFLICT(url) DO NOTHING",
                (url, title, group, site_url, int(full_text), now()),
            )
            added = cur.rowcount == 1
        feed = self.by_url(url)
        assert feed is not None
        return feed, added

    def by_url(self, url: str) -> Feed | None:
        rows = self.library.query(f"SELECT {_COLUMNS} FROM feeds f WHERE f.url = ?", (url,))
        return _feed(rows[0]) if rows else None

    def get(self, feed_id: int) -> Feed | None:
        rows = self.library.query(f"SELECT {_COLUMNS} FROM feeds f WHERE f.id = ?", (feed_id,))
        return _feed(rows[0]) if rows else None

    def all(self, with_counts: bool = True) -> list[Feed]:
        """Every feed, by group then name, with its article and unread counts."""
        counts: dict[int, tuple[int, int]] = {}
        if with_counts:
            for r in self.library.query(
                "SELECT e.feed_id, COUNT(DISTINCT e.article_id),"
                " COUNT(DISTINCT CASE WHEN COALESCE(s.read, 0) = 0 THEN e.article_id END)"
                " FROM feed_entries e LEFT JOIN reading_state s ON s.article_id = e.article_id"
                " GROUP BY e.feed_id"
            ):
                counts[r[0]] = (r[1], r[2])
        rows = self.library.query(
            f"SELECT {_COLUMNS} FROM feeds f"
            " ORDER BY f.grp COLLATE NOCASE, COALESCE(f.title, f.url) COLLATE NOCASE, f.id"
        )
        return [_feed(r, *counts.get(r[0], (0, 0))) for r in rows]

    def due(self, at: str | None = None) -> list[Feed]:
        """Feeds never fetched, or whose next fetch time has come."""
        rows = self.library.query(
            f"SELECT {_COLUMNS} FROM feeds f WHERE f.next_due IS NULL OR f.next_due <= ?"
            " ORDER BY f.id",
            (at or now(),),
        )
        return [_feed(r) for r in rows]

    def set_url(self, feed_id: int, url: str) -> None:
        """A page's feed was found (autodiscovery): subscribe to the feed itself."""
        try:
            with self.library.transaction() as db:
                db.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))
        except sqlite3.IntegrityError:
            other = self.by_url(url)
            raise FeedError(
                f"the page's feed {url} is already subscribed"
                + (f" (feed {other.id})" if other else "")
            ) from None

    def remove(self, feed_id: int, delete_articles: bool = False) -> tuple[int, int]:
        """Unsubscribe. With `delete_articles`, also delete the articles that came only from
        this feed, except those with bookmarks. Returns (deleted, kept for bookmarks)."""
        doomed: list[int] = []
        kept = 0
        if delete_articles:
            rows = self.library.query(
                "SELECT e.article_id, EXISTS(SELECT 1 FROM bookmarks b"
                " WHERE b.article_id = e.article_id) FROM feed_entries e"
                " WHERE e.feed_id = ? AND NOT EXISTS (SELECT 1 FROM feed_entries o"
                " WHERE o.article_id = e.article_id AND o.feed_id != e.feed_id)",
                (feed_id,),
            )
            doomed = sorted({r[0] for r in rows if not r[1]})
            kept = len({r[0] for r in rows if r[1]})
        with self.library.transaction() as db:
            if not db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)).rowcount:
                raise FeedError(f"no feed with id {feed_id} (see `newsreader feeds list`)")
        deleted = self.library.remove_articles(doomed) if doomed else 0
        return deleted, kept

    def article_ids(self, feed_ids: list[int]) -> list[int]:
        marks = ",".join("?" * len(feed_ids))
        rows = self.library.query(
            f"SELECT DISTINCT article_id FROM feed_entries WHERE feed_id IN ({marks})", feed_ids
        )
        return [r[0] for r in rows]

    # -- the reader's feed filter: one feed's articles, or a group's -------------------
    def filtered(
        self,
        text: str,
        sort: str = "date",
        limit: int | None = None,
        feed_id: int | None = None,
        group: str | None = None,
    ) -> list[ArticleSummary]:
        """Library.filtered among the articles that came from one feed, or from the feeds of
        a group and of the groups inside it."""
        where, params = _scope(feed_id, group)
        return self.library.filtered(text, sort=sort, limit=limit, where=where,
                                     where_params=params)

    def scope_counts(
        self, feed_id: int | None = None, group: str | None = None
    ) -> tuple[int, int]:
        """(articles, unread) of one feed, or of a group's feeds (see filtered)."""
        where, params = _scope(feed_id, group)
        row = self.library.query(
            "SELECT COUNT(*), COALESCE(SUM(COALESCE(r.read, 0) = 0), 0) FROM articles a"
            f" LEFT JOIN reading_state r ON r.article_id = a.id WHERE {where}",
            params,
        )[0]
        return int(row[0]), int(row[1])

    # -- refresh state ------------------------------------------------------------------
    def fingerprints(self, feed_id: int, keys: list[str]) -> dict[str, str]:
        """Entry key -> fingerprint of the entry when last stored, for these keys (a feed's
        history grows with every entry it ever had; a document holds a few dozen)."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self.library.query(
                "SELECT key, fingerprint FROM feed_entries WHERE feed_id = ? AND key IN"
                f" ({','.join('?' * len(chunk))})",
                [feed_id, *chunk],
            )
            found.update((r[0], r[1]) for r in rows)
        return found

    def record_success(self, db: sqlite3.Connection, feed: Feed, fetched: FetchState) -> None:
        """In the transaction that stored the feed's entries (or its own): the validators are
        saved only with the entries they stand for, so a refresh killed in between fetches
        them again."""
        cur = db.execute(
            "UPDATE feeds SET etag=?, last_modified=?, last_fetched=?, last_success=?,"
            " last_error=NULL, failures=0, next_due=?, title=COALESCE(title, ?),"
            " site_url=COALESCE(site_url, ?) WHERE id=?",
            (
                fetched.etag,
                fetched.last_modified,
                fetched.at,
                fetched.at,
                fetched.next_due,
                fetched.title,
                fetched.site_url,
                feed.id,
            ),
        )
        if not cur.rowcount:
            raise FeedGone(feed.url)

    def success(self, feed: Feed, fetched: FetchState) -> None:
        with self.library.transaction() as db:
            self.record_success(db, feed, fetched)

    def failure(self, feed: Feed, reason: str, interval: float, cap: float) -> Feed:
        """Record a failed fetch: the next one under `--due` waits twice as long for each
        failure in a row (from `interval` minutes, at most `cap`)."""
        at = now()
        with self.library.transaction() as db:
            row = db.execute("SELECT failures FROM feeds WHERE id=?", (feed.id,)).fetchone()
            if row is None:
                raise FeedGone(feed.url)
            failures = row[0] + 1
            wait = min(interval * 2 ** min(failures - 1, 30), max(cap, interval))
            db.execute(
                "UPDATE feeds SET last_fetched=?, last_error=?, failures=?, next_due=?"
                " WHERE id=?",
                (at, reason, failures, stamp_after(wait, at), feed.id),
            )
        updated = self.get(feed.id)
        return updated if updated is not None else feed


def _scope(feed_id: int | None, group: str | None) -> tuple[str, list]:
    """A WHERE clause over `articles a` keeping the articles that came from one feed, or from
    the feeds of a group and of the groups inside it (read when the clause runs, so feeds
    added to the group since are in)."""
    if feed_id is not None:
        return "a.id IN (SELECT article_id FROM feed_entries WHERE feed_id = ?)", [feed_id]
    if group is None:
        raise ValueError("a feed scope needs a feed id or a group")
    return (
        "a.id IN (SELECT e.article_id FROM feed_entries e JOIN feeds f ON f.id = e.feed_id"
        " WHERE f.grp = ? OR substr(f.grp, 1, ?) = ?)",
        [group, len(group) + 1, group + "/"],
    )


@dataclass
class FetchState:
    """What a successful fetch of a feed leaves for the next one."""

    at: str
    next_due: str
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    site_url: str | None = None


class EntryLink:
    """Library.add_articles' link for one feed's entries: each entry's known article first,
    and where each entry went recorded in the same transaction as the article itself."""

    def __init__(
        self, store: FeedStore, feed: Feed, keys: list[tuple[str, str]], fetched: FetchState
    ) -> None:
        self.store = store
        self.feed = feed
        self.keys = keys  # (key, fingerprint) per article
        self.fetched = fetched

    def prior(self, db: sqlite3.Connection, i: int) -> int | None:
        if i == 0 and not db.execute("SELECT 1 FROM feeds WHERE id=?", (self.feed.id,)).fetchone():
            raise FeedGone(self.feed.url)
        row = db.execute(
            "SELECT article_id FROM feed_entries WHERE feed_id=? AND key=?",
            (self.feed.id, self.keys[i][0]),
        ).fetchone()
        return row[0] if row else None

    def stored(self, db: sqlite3.Connection, i: int, status: str, article_id: int) -> None:
        key, fingerprint = self.keys[i]
        db.execute(
            "INSERT INTO feed_entries (feed_id, key, article_id, fingerprint, seen)"
            " VALUES (?,?,?,?,?) ON CONFLICT(feed_id, key) DO UPDATE SET"
            " article_id=excluded.article_id, fingerprint=excluded.fingerprint,"
            " seen=excluded.seen",
            (self.feed.id, key, article_id, fingerprint, self.fetched.at),
        )

    def done(self, db: sqlite3.Connection) -> None:
        self.store.record_success(db, self.feed, self.fetched)
