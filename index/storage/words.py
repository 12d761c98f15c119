"""The vocabulary: words as written (lower-cased) with the number of articles using them,
for "did you mean" and as-you-type completion (the index itself holds only stems)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

from index.chunking import chunks
from index.storage.database import Database
from index.storage.sql import marks

_WORD = re.compile(r"[^\W\d_]{3,}")


def surface_words(text: str) -> set[str]:
    """The distinct words of `text` as written (lower-cased, letters only, 3+ long)."""
    return set(_WORD.findall(text.lower()))


def count_words(db: sqlite3.Connection, words: Counter[str]) -> None:
    """Add `words`' article counts to the vocabulary, inside the caller's transaction."""
    db.executemany(
        "INSERT INTO words VALUES (?, ?) ON CONFLICT(word) DO UPDATE SET df = df + excluded.df",
        words.items(),
    )


class WordStore(Database):
    """The words table."""

    def words(self) -> list[tuple[str, int]]:
        """The vocabulary and each word's article count, in word order: the primary key's
        own, so SQLite does not sort, and the typo vocabulary's sort of it is one pass."""
        return [(r[0], r[1]) for r in self.query("SELECT word, df FROM words ORDER BY word")]

    def word_counts(self, words: list[str]) -> dict[str, int]:
        """The article count of each of `words` the vocabulary has."""
        out: dict[str, int] = {}
        for chunk in chunks(words, 500):
            out.update(
                (r[0], int(r[1]))
                for r in self.query(
                    f"SELECT word, df FROM words WHERE word IN ({marks(chunk)})", chunk
                )
            )
        return out
