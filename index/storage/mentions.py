"""Entity mentions and canonical entities as the readers of them ask: which entities a text
names, how many articles name each, where they are named."""

from __future__ import annotations

from index.storage.database import Database
from index.storage.sql import marks


class MentionStore(Database):
    """The mentions, entities and entity_names tables, read."""

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
