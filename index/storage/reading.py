"""Reading state: which articles are read and where the reader left each one."""

from __future__ import annotations

from index.chunking import chunks
from index.storage.database import Database, now
from index.storage.sql import marks


class ReadingState(Database):
    """The reading_state table."""

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
                    f" ({marks(chunk)})",
                    chunk,
                )
            )
        return read

    def unread_count(self, total: int | None = None) -> int:
        """Articles not marked read (`total`: count(), if just read): all of them less those
        read, so that the cost follows the articles read, not the library, as a join over
        every article did."""
        return (self._article_count() if total is None else total) - int(
            self.query(
                "SELECT COUNT(*) FROM reading_state r JOIN articles a ON a.id = r.article_id"
                " WHERE r.read = 1"
            )[0][0]
        )

    def _article_count(self) -> int:
        return int(self.query("SELECT COUNT(*) FROM articles")[0][0])
