"""The library's pages and titles: summaries in the library screen's orders, the filter
box's title/source match, and titles for the go-to finder (with its word-prefix tables)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from index.chunking import chunks
from index.model import ArticleSummary
from index.storage import title_prefixes
from index.storage.database import Database
from index.storage.sql import marks
from index.storage.title_prefixes import StoredPrefixes


class ArticleListing(Database):
    """Read-only views over the articles table, a page or a list of titles at a time."""

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
            sql += f" WHERE a.id IN ({marks(id_list)})"
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
        among those `where` keeps (a clause over `articles a`: FeedStore.filtered's feed scope)."""
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

    def article_ids(self) -> list[int]:
        """Every article's id, in id order."""
        return self.column("SELECT id FROM articles ORDER BY id")

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
        if not self.title_prefixes_current():
            if self.meta(title_prefixes.UPTO) is None:  # else: resumed where it stopped
                with self.transaction() as db:
                    title_prefixes.clear(db)
            self.index_title_prefixes()
        return StoredPrefixes(self.query, self.column)

    def rebuild_title_prefixes(self) -> int:
        """Index every title's word prefixes afresh; returns how many titles."""
        with self.transaction() as db:
            title_prefixes.clear(db)
        return self.index_title_prefixes()

    def title_prefixes_current(self) -> bool:
        """Whether the word-prefix tables describe every title (not left behind by a version
        without them, nor by an indexing that was stopped)."""
        return title_prefixes.is_current(self._conn())

    def index_title_prefixes(self, page: int = 20_000) -> int:
        """Index the titles the prefix tables do not hold yet, `page` articles a transaction,
        resuming where an earlier indexing stopped; returns how many titles."""
        done = 0
        while True:
            with self.transaction() as db:
                indexed = title_prefixes.index_page(db, page)
            if indexed is None:
                return done
            done += indexed

    def titles_of(self, ids: list[int]) -> dict[int, str]:
        """Article id → title, for those of `ids` that exist."""
        return self._by_id("title", ids)

    def revisions(self, ids: list[int]) -> dict[int, int]:
        """Article id → the library revision of its last change, for those of `ids` that exist."""
        return self._by_id("rev", ids)

    def _by_id(self, column: str, ids: list[int]) -> dict:
        out: dict = {}
        for chunk in chunks(ids, 500):
            q = f"SELECT id, {column} FROM articles WHERE id IN ({marks(chunk)})"
            out.update((r[0], r[1]) for r in self.query(q, chunk))
        return out

