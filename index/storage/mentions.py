"""Entity mentions and canonical entities: which entities a text names, how many articles
name each, where they are named, and the writes of an extraction (MentionWriter)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from index.chunking import chunks
from index.storage.database import Database
from index.storage.sql import marks


class MentionStore(Database):
    """The mentions, entities and entity_names tables."""

    def named_in(self, article_id: int, passage: int | None = None) -> list[tuple[int, str, str]]:
        """(entity id, canonical name, text as written) of each mention in the article (in
        one passage of it, if given)."""
        sql = (
            "SELECT e.id, e.canonical, m.text FROM mentions m JOIN entities e"
            " ON e.id = m.entity_id WHERE m.article_id = ?"
        )
        params: list[int] = [article_id]
        if passage is not None:
            sql += " AND m.passage = ?"
            params.append(passage)
        return [(r[0], r[1], r[2]) for r in self.query(sql, params)]

    def entity_article_counts(self, entity_ids: list[int]) -> dict[int, int]:
        """Entity id → how many articles mention it."""
        return {
            r[0]: r[1]
            for r in self.query(
                "SELECT entity_id, COUNT(DISTINCT article_id) FROM mentions WHERE entity_id IN"
                f" ({marks(entity_ids)}) GROUP BY entity_id",
                entity_ids,
            )
        }

    def mentions_among(
        self, entity_ids: list[int], article_ids: list[int]
    ) -> list[tuple[int, int, int]]:
        """(article, passage, entity) of each mention of these entities in these articles."""
        # `+entity_id`: looked up by article (a few dozen), never by entity: SQLite chose the
        # entity index, and a common entity ("US") has tens of thousands of mentions to walk.
        return [
            (r[0], r[1], r[2])
            for r in self.query(
                "SELECT article_id, passage, entity_id FROM mentions WHERE +entity_id IN"
                f" ({marks(entity_ids)}) AND article_id IN ({marks(article_ids)})",
                [*entity_ids, *article_ids],
            )
        ]

    def mention_rows(self, article_id: int) -> list[sqlite3.Row]:
        """An article's mentions with their entities, in reading order (passage, offset)."""
        return self.query(
            "SELECT m.passage, m.start, m.end, m.text, m.entity_id, e.label, e.canonical"
            " FROM mentions m JOIN entities e ON e.id = m.entity_id"
            " WHERE m.article_id = ? ORDER BY m.passage, m.start",
            (article_id,),
        )

    def entity_names_in(self, article_ids: list[int]) -> list[tuple[int, str, str, str | None]]:
        """(article, label, canonical name, another name it is known by or None) for the
        entities these articles mention."""
        out: list[tuple[int, str, str, str | None]] = []
        for chunk in chunks(article_ids, 500):
            out += [
                (r[0], r[1], r[2], r[3])
                for r in self.query(
                    "SELECT DISTINCT m.article_id, e.label, e.canonical, n.name FROM mentions m"
                    " JOIN entities e ON e.id = m.entity_id"
                    " LEFT JOIN entity_names n ON n.entity_id = m.entity_id"
                    f" WHERE m.article_id IN ({marks(chunk)})",
                    chunk,
                )
            ]
        return out

    @contextmanager
    def mention_writer(self) -> Iterator[MentionWriter]:
        """One write transaction over the mentions and entities."""
        with self.transaction() as db:
            yield MentionWriter(db)


class MentionWriter:
    """The writes of one transaction over mentions, entities and their names; how names
    link to entities is index.entities.store's to decide."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def delete_mentions(self, article_ids: list[int]) -> None:
        for chunk in chunks(article_ids, 500):
            self.db.execute(f"DELETE FROM mentions WHERE article_id IN ({marks(chunk)})", chunk)

    def entity_named(self, name: str, label: str, canonical: str) -> int | None:
        """The entity with this label known by `name`, the one called `canonical` first."""
        row = self.db.execute(
            "SELECT n.entity_id FROM entity_names n JOIN entities e ON e.id = n.entity_id"
            " WHERE n.name = ? AND e.label = ? ORDER BY e.canonical = ? DESC, n.entity_id"
            " LIMIT 1",
            (name, label, canonical),
        ).fetchone()
        return row[0] if row else None

    def entity(self, canonical: str, label: str) -> int:
        """The id of the entity called `canonical` with `label`, made if there is none."""
        self.db.execute(
            "INSERT OR IGNORE INTO entities (canonical, label) VALUES (?, ?)", (canonical, label)
        )
        return self.db.execute(
            "SELECT id FROM entities WHERE canonical = ? AND label = ?", (canonical, label)
        ).fetchone()[0]

    def add_names(self, rows: list[tuple[str, int]]) -> None:
        """(name, entity id): more names the entities are known by."""
        self.db.executemany("INSERT OR IGNORE INTO entity_names VALUES (?, ?)", rows)

    def add_mentions(self, rows: list[tuple[int, int, int, int, str, int]]) -> None:
        """(article, passage, start, end, text, entity id) of each mention."""
        self.db.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?)", rows)

    def drop_unmentioned_entities(self) -> None:
        self.db.execute("DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM mentions)")

    def set_meta(self, key: str, value: str, replace: bool = True) -> None:
        """Record `value` under `key` (with `replace` off, only if the key has none yet)."""
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        self.db.execute(f"{verb} INTO meta VALUES (?, ?)", (key, value))
