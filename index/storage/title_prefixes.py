"""The go-to finder's word-prefix index, kept in the library: for each 1-, 2- and 3-letter
prefix of a title's words (the title processed as the finder processes it), the articles whose
title has a word starting so, and how many they are. Written in the same transaction as the
articles it describes, so that a large library's finder looks candidates up per keystroke
instead of indexing every title at start-up (a Python loop that grew with the titles' words)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from operator import itemgetter

from index.storage.sql import marks

SCHEMA = """
CREATE TABLE IF NOT EXISTS title_prefixes (
    prefix     TEXT NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (prefix, article_id)
) WITHOUT ROWID;
-- Rows per prefix: which list a keystroke walks and which it probes.
CREATE TABLE IF NOT EXISTS title_prefix_counts (
    prefix TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;
"""

# Library meta keys. CURRENT: the library revision at which every article's prefixes are in
# the tables; each write moves it on if it was current, so a library written by a version
# without the tables (at first, or since) is behind and is indexed again by the first finder
# that needs it. UPTO: how far (article id) that indexing has come, a page per transaction.
CURRENT = "title_prefixes_rev"
UPTO = "title_prefixes_upto"


def prefixes(title: str) -> set[str]:
    """The 1-, 2- and 3-letter prefixes of the title's words, processed as the finder does."""
    from rapidfuzz import utils  # here: the reader lists a library before it needs rapidfuzz

    return {word[:n] for word in utils.default_process(title).split() for n in (1, 2, 3)}


class Changes:
    """The prefix rows one transaction adds and removes, written together by `write`. Adding
    and then removing an article's title in one transaction cancels out."""

    def __init__(self) -> None:
        self._added: set[tuple[str, int]] = set()
        self._removed: set[tuple[str, int]] = set()

    def add(self, article_id: int, title: str) -> None:
        rows = {(p, article_id) for p in prefixes(title)}
        back = rows & self._removed
        self._removed -= back
        self._added |= rows - back

    def remove(self, article_id: int, title: str) -> None:
        rows = {(p, article_id) for p in prefixes(title)}
        gone = rows & self._added
        self._added -= gone
        self._removed |= rows - gone

    def write(self, db: sqlite3.Connection, rev: int) -> None:
        """Write the rows, in the transaction that moved the library to revision `rev`."""
        # In key order: each page of the table is visited once, the B-tree's cheapest writes.
        added, removed = sorted(self._added), sorted(self._removed)
        counts = Counter(map(itemgetter(0), added))
        if removed:
            db.executemany(
                "DELETE FROM title_prefixes WHERE prefix = ? AND article_id = ?", removed
            )
            counts.subtract(map(itemgetter(0), removed))
        if added:
            db.executemany("INSERT OR IGNORE INTO title_prefixes VALUES (?, ?)", added)
        _count(db, counts)
        db.execute(
            "UPDATE meta SET value = ? WHERE key = ? AND value = ?",
            (str(rev), CURRENT, str(rev - 1)),
        )
        self._added.clear()
        self._removed.clear()


def _count(db: sqlite3.Connection, counts: Counter[str]) -> None:
    db.executemany(
        "INSERT INTO title_prefix_counts VALUES (?, ?)"
        " ON CONFLICT(prefix) DO UPDATE SET n = max(0, n + excluded.n)",
        [(p, n) for p, n in counts.items() if n],
    )


def is_current(db: sqlite3.Connection) -> bool:
    """The tables hold every article's prefixes, as of the library's revision."""
    row = db.execute(
        "SELECT (SELECT value FROM meta WHERE key = ?)"
        " = (SELECT value FROM meta WHERE key = 'rev')",
        (CURRENT,),
    ).fetchone()
    return bool(row[0])


def clear(db: sqlite3.Connection) -> None:
    """Empty the tables and start indexing again from the first article."""
    db.execute("DELETE FROM title_prefixes")
    db.execute("DELETE FROM title_prefix_counts")
    db.execute("DELETE FROM meta WHERE key = ?", (CURRENT,))
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, '0')", (UPTO,))


def index_page(db: sqlite3.Connection, page: int) -> int | None:
    """Index the next `page` articles (after UPTO) in this transaction: how many, or None when
    none were left and the tables are now current. Articles written meanwhile keep their own
    rows up to date, so a page only ever adds what is missing."""
    (upto,) = db.execute("SELECT value FROM meta WHERE key = ?", (UPTO,)).fetchone() or (0,)
    titles = db.execute(
        "SELECT id, title FROM articles WHERE id > ? ORDER BY id LIMIT ?", (int(upto), page)
    ).fetchall()
    if not titles:
        db.execute("DELETE FROM meta WHERE key = ?", (UPTO,))
        db.execute(
            "INSERT OR REPLACE INTO meta SELECT ?, value FROM meta WHERE key = 'rev'", (CURRENT,)
        )
        return None
    rows = sorted((p, article_id) for article_id, title in titles for p in prefixes(title))
    db.executemany("INSERT OR IGNORE INTO title_prefixes VALUES (?, ?)", rows)
    _count(db, Counter(map(itemgetter(0), rows)))
    db.execute("UPDATE meta SET value = ? WHERE key = ?", (str(titles[-1][0]), UPTO))
    return len(titles)


Query = Callable[[str, Iterable[object]], list[sqlite3.Row]]
Column = Callable[[str, Iterable[object]], list[int]]


class StoredPrefixes:
    """The finder's candidates from these tables: a few indexed queries per keystroke, each
    bounded by its LIMIT or by the shortest list it walks."""

    def __init__(self, query: Query, column: Column) -> None:
        self._query = query
        self._column = column

    def common(self, keys: list[str], limit: int) -> list[int]:
        """Ids of the titles with a word starting with each of `keys`, newest first, at most
        `limit`: the shortest list is walked newest first, the others probed."""
        keys = sorted(set(keys))
        if not keys:
            return []
        if len(keys) > 1:
            counts = {r[0]: r[1] for r in self._query(
                f"SELECT prefix, n FROM title_prefix_counts WHERE prefix IN ({marks(keys)})", keys)}
            keys.sort(key=lambda k: counts.get(k, 0))
        probes = "".join(
            " AND EXISTS (SELECT 1 FROM title_prefixes o WHERE o.prefix = ?"
            " AND o.article_id = t.article_id)"
            for _ in keys[1:]
        )
        return self._column(
            f"SELECT t.article_id FROM title_prefixes t WHERE t.prefix = ?{probes}"
            " ORDER BY t.article_id DESC LIMIT ?",
            [*keys, limit],
        )
