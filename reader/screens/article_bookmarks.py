"""The article screen's bookmarks: a paragraph, a selection or the whole article bookmarked
(m, B), a note and tags edited (M), and the marks that show them. Written in thread workers;
the screen shows the result when the library has it."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message

from index.model import StoredArticle
from reader.screens.base import ReportsWorkerFailures
from reader.screens.dialogs import BookmarkEdit, BookmarkEditor
from reader.text import one_line
from reader.widgets.paragraph import Paragraph


@dataclass
class BookmarksChanged(Message):
    bookmarks: list
    said: str


class ArticleBookmarks(ReportsWorkerFailures):
    """What the article screen (reader.screens.article) does with bookmarks; it sets these."""

    article_id: int
    article: StoredArticle | None
    cursor: int
    bookmarks: list

    def _paragraphs(self) -> list[Paragraph]:
        return list(self.query(Paragraph))

    def _mark_bookmarks(self, bookmarks: list) -> None:
        self.bookmarks = bookmarks
        marked = {b.passage for b in bookmarks if b.passage is not None}
        for p in self._paragraphs():
            p.set_class(p.n in marked, "-bookmarked")
        whole = any(b.passage is None and not b.detached for b in bookmarks)
        self.query_one("#article-meta").set_class(whole, "-bookmarked")

    def _selection(self) -> tuple[int, int, int] | None:
        """(paragraph, start, end) of text selected with the mouse inside one paragraph."""
        for widget, selection in self.selections.items():
            if isinstance(widget, Paragraph):
                picked = widget.get_selection(selection)
                text = picked[0].strip() if picked else ""
                start = widget.text.find(text) if text else -1
                if start >= 0:
                    return widget.n, start, start + len(text)
        return None

    def action_bookmark(self) -> None:
        if self.article is None:
            return
        span = self._selection()
        if span is not None:
            self._bookmark_span(*span)
        else:
            self._toggle(self.cursor)

    def action_bookmark_article(self) -> None:
        if self.article is not None:
            self._toggle(None)

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="bookmarking")
    def _toggle(self, passage: int | None) -> None:
        core = self.app.ready_core
        on = core.bookmarks.toggle(self.article_id, passage)
        what = "article" if passage is None else f"paragraph {passage + 1}"
        said = f"Bookmarked the {what} (M: note and tags)" if on else f"Removed the {what} bookmark"
        self.post_message(BookmarksChanged(core.bookmarks.for_article(self.article_id), said))

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="bookmarking")
    def _bookmark_span(self, passage: int, start: int, end: int) -> None:
        core = self.app.ready_core
        core.bookmarks.add(self.article_id, passage, start, end)
        self.post_message(BookmarksChanged(core.bookmarks.for_article(self.article_id),
                                           f"Bookmarked the selection in paragraph {passage + 1}"))

    def on_bookmarks_changed(self, message: BookmarksChanged) -> None:
        self._mark_bookmarks(message.bookmarks)
        self.notify(message.said, timeout=3)

    def action_edit_bookmark(self) -> None:
        if self.article is None:
            return
        passage = self.cursor
        existing = next((b for b in self.bookmarks if b.passage == passage and b.start is None),
                        None)

        def done(edit: BookmarkEdit | None) -> None:
            if edit is not None:
                self._save_bookmark(passage, existing.id if existing else None, edit)

        title = f"¶ {passage + 1} of “{one_line(self.article.title, 80)}”"
        note, tags = (existing.note, existing.tags) if existing else ("", ())
        self.app.push_screen(BookmarkEditor(title, note, tags), done)

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="saving the bookmark")
    def _save_bookmark(self, passage: int, bid: int | None, edit: BookmarkEdit) -> None:
        core = self.app.ready_core
        if bid is None:
            core.bookmarks.add(self.article_id, passage, note=edit.note, tags=edit.tags)
        else:
            core.bookmarks.update(bid, note=edit.note, tags=edit.tags)
        self.post_message(BookmarksChanged(core.bookmarks.for_article(self.article_id),
                                           f"Saved the bookmark on paragraph {passage + 1}"))
