"""The go-to finder's word-prefix index, kept in the library: for each 1-, 2- and 3-letter
prefix of a title's words (the title processed as the finder processes it), the articles whose
title has a word starting so, and how many they are. Written in the same transaction as the
articles it describes, so that a large library's finder looks candidates up per keystroke
instead of indexing every title at start-up (a Python loop that grew with the titles' words)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

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

# Library meta key, set when every article's prefixes are in the tables: a library written by a
# version without them lacks it and is indexed once, by the first finder that needs them.
BUILT = "title_prefixes_built"


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

    def write(self, db: sqlite3.Connection) -> None:
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
        self._added.clear()
        self._removed.clear()


def _count(db: sqlite3.Connection, counts: Counter[str]) -> None:
    db.executemany(
        "INSERT INTO title_prefix_counts VALUES (?, ?)"
        " ON CONFLICT(prefix) DO UPDATE SET n = max(0, n + excluded.n)",
        [(p, n) for p, n in counts.items() if n],
    )


def rebuild(db: sqlite3.Connection, titles: Iterable[tuple[int, str]]) -> int:
    """Index every title afresh (inside the caller's transaction); returns how many."""
    db.execute("DELETE FROM title_prefixes")
    db.execute("DELETE FROM title_prefix_counts")
    counts: Counter[str] = Counter()
    done = 0
    for chunk in _pages(titles, 5000):
        rows = sorted((p, article_id) for article_id, title in chunk for p in prefixes(title))
        db.executemany("INSERT OR IGNORE INTO title_prefixes VALUES (?, ?)", rows)
        counts.update(map(itemgetter(0), rows))
        done += len(chunk)
    _count(db, counts)
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (BUILT,))
    return done


def _pages(items: Iterable[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    page: list[tuple[int, str]] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


Query = Callable[[str, Iterable[object]], list[sqlite3.Row]]


class StoredPrefixes:
    """The finder's candidates from these tables: a few indexed queries per keystroke, each
    bounded by its LIMIT or by the shortest list it walks."""

    def __init__(self, query: Query) -> None:
        self._query = query

    def common(self, keys: list[str], limit: int) -> list[int]:
        """Ids of the titles with a word starting with each of `keys`, newest first, at most
        `limit`: the shortest list is walked newest first, the others probed."""
        keys = sorted(set(keys))
        if not keys:
            return []
        if len(keys) > 1:
            marks = ",".join("?" * len(keys))
            counts = {r[0]: r[1] for r in self._query(
                f"SELECT prefix, n FROM title_prefix_counts WHERE prefix IN ({marks})", keys)}
            keys.sort(key=lambda k: counts.get(k, 0))
        probes = "".join(
            " AND EXISTS (SELECT 1 FROM title_prefixes o WHERE o.prefix = ?"
            " AND o.article_id = t.article_id)"
            for _ in keys[1:]
        )
        rows = self._query(
            f"SELECT t.article_id FROM title_prefixes t WHERE t.prefix = ?{probes}"
            " ORDER BY t.article_id DESC LIMIT ?",
            [*keys, limit],
        )
        return [r[0] for r in rows]
