"""The facade's half that needs only the library (SQLite, no Whoosh, no entities): the list of
articles as the reader shows it (filtered, sorted, narrowed to a feed or a group), an article
with its read mark and reading position, unread counts, the subscriptions with theirs.

The reader opens one in a thread before Textual is imported and lists the articles from it
while the search side opens (importing index.core, with Whoosh and the entity rules, costs
several times what the library alone does); `Newsreader` is one too, so once the core is open
the reader holds that single object. Clients never see the storage layer itself."""

from __future__ import annotations

from pathlib import Path

from index.model import ArticleSummary, Feed, StoredArticle
from index.storage.feeds import FeedStore
from index.storage.library import Library


class LibraryView:
    def __init__(self, library: Library) -> None:
        self.library = library

    @classmethod
    def open_library(cls, directory: Path) -> LibraryView:
        """The library at `directory`, created if there is none (see `created`)."""
        return cls(Library(directory))

    @staticmethod
    def exists(directory: Path) -> bool:
        """Whether `directory` holds a library already (opening one creates it)."""
        return (Path(directory) / Library.FILE).is_file()

    @property
    def created(self) -> bool:
        """The library was created by this open (it is new, and maybe to be seeded)."""
        return self.library.created

    @property
    def rev(self) -> int:
        """The library's revision: any article added, changed or removed moves it on."""
        return self.library.rev

    def get(self, article_id: int) -> StoredArticle | None:
        return self.library.get(article_id)

    def mark_read(self, article_id: int, read: bool = True) -> None:
        self.library.set_read(article_id, read)

    def save_position(self, article_id: int, passage: int) -> None:
        """The passage the reader was last at in this article."""
        self.library.set_position(article_id, passage)

    def articles(
        self,
        text: str = "",
        sort: str = "date",
        limit: int | None = None,
        feed_id: int | None = None,
        group: str | None = None,
    ) -> list[ArticleSummary]:
        """The articles whose title or source holds every word of `text`, in `sort` order
        ("date", "title", "source"); with `feed_id` or `group`, only those that came from that
        feed, or from the feeds of that group and of the groups inside it ("News" holds
        "News/World")."""
        if feed_id is None and group is None:
            return self.library.filtered(text, sort=sort, limit=limit)
        return FeedStore(self.library).filtered(text, sort, limit, feed_id, group)

    def counts(self, feed_id: int | None = None, group: str | None = None) -> tuple[int, int]:
        """(articles, unread) in the library, or of one feed or group (see `articles`)."""
        if feed_id is None and group is None:
            total = self.library.count()
            return total, self.library.unread_count(total)
        return FeedStore(self.library).scope_counts(feed_id, group)

    def unread_count(self, feed_id: int | None = None, group: str | None = None) -> int:
        """Unread articles in the library, or of one feed or group (see `articles`)."""
        if feed_id is None and group is None:
            return self.library.unread_count()
        return FeedStore(self.library).scope_counts(feed_id, group)[1]

    def read_ids(self, ids: list[int]) -> set[int]:
        """Those of `ids` that are read now (in this process or another)."""
        return self.library.read_ids(ids)

    def subscriptions(self) -> list[Feed]:
        """Every feed, by group then name, with its article and unread counts."""
        return FeedStore(self.library).all()
