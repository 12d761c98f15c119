"""Bookmarks: fuzzy filter, sort, edit note and tags, delete with undo, export; enter opens
the article at the bookmarked passage."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.screens.base import ReportsWorkerFailures
from reader.screens.dialogs import BookmarkEdit, BookmarkEditor
from reader.text import one_line
from reader.widgets.footer import KeysFooter

SORTS = ("added", "article_date", "title")


class BookmarkList(OptionList):
    COMPONENT_CLASSES = {"bookmarks--title", "bookmarks--meta", "bookmarks--tag"}
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="bookmarks.down"),
        Binding("k", "cursor_up", "Up", show=False, id="bookmarks.up"),
    ]


class BookmarksScreen(ReportsWorkerFailures):
    BINDINGS = [
        Binding("escape", "back", "Back", id="bookmarks.back"),
        Binding("e", "edit", "Edit", id="bookmarks.edit"),
        Binding("d,delete", "delete", "Delete", id="bookmarks.delete"),
        Binding("u", "undo", "Undo", id="bookmarks.undo"),
        Binding("s", "cycle_sort", "Sort", id="bookmarks.sort"),
        Binding("x", "export", "Export", id="bookmarks.export"),
        Binding("f", "filter", "Filter", show=False, id="bookmarks.filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "added"
        self.items: list = []
        self.shown: list = []
        self.undo_stack: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="bookmarks-bar"):
            yield Static("", id="bookmarks-count")
            yield Input(placeholder="filter bookmarks (f)", id="bookmarks-filter")
        yield BookmarkList(id="bookmarks")
        yield KeysFooter()


    def on_mount(self) -> None:
        self.sub_title = "bookmarks"
        self.query_one(BookmarkList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="bookmarks", exit_on_error=False)
    def reload(self) -> None:
        core = self.app.core
        if core is None:
            return
        items = core.bookmarks.with_passage_text(core.bookmarks.list(sort=self.sort))
        self.app.call_from_thread(self._loaded, items)

    def _loaded(self, items: list) -> None:
        self.items = items
        self._show(self.query_one("#bookmarks-filter", Input).value)

    def _show(self, text: str) -> None:
        items = self.items
        if text.strip():
            haystack = [utils.default_process(
                " ".join([b.title, b.quote or "", b.note, " ".join(b.tags)])) for b in items]
            found = process.extract(utils.default_process(text), haystack,
                                    scorer=fuzz.partial_ratio, processor=None, score_cutoff=70,
                                    limit=None)
            keep = sorted(i for _, _, i in found)
            items = [items[i] for i in keep]
        self.shown = items
        title_style = self.query_one(BookmarkList).get_component_rich_style("bookmarks--title")
        meta_style = self.query_one(BookmarkList).get_component_rich_style("bookmarks--meta")
        tag_style = self.query_one(BookmarkList).get_component_rich_style("bookmarks--tag")
        options = []
        for b in items:
            where = "whole article" if b.passage is None else f"¶ {b.passage + 1}"
            if b.detached:
                where = "text no longer in the article"
            lines = [Text(one_line(b.title, 200), style=title_style),
                     Text(f"{where} · added {b.created[:10]}", style=meta_style)]
            if b.quote and b.passage is not None:
                lines.append(Text("“" + one_line(b.quote, 240) + "”"))
            if b.note:
                lines.append(Text("✎ " + one_line(b.note, 240)))
            if b.tags:
                lines.append(Text(" ".join("#" + t for t in b.tags), style=tag_style))
            options.append(Option(Text("\n").join(lines), id=str(b.id)))
        listing = self.query_one(BookmarkList)
        keep_at = listing.highlighted or 0
        listing.set_options(options)
        if options:
            listing.highlighted = min(keep_at, len(options) - 1)
        total = len(self.items)
        shown = f" · {len(items)} shown" if len(items) != total else ""
        self.query_one("#bookmarks-count", Static).update(
            f"{total} bookmarks{shown} · sorted by {self.sort.replace('_', ' ')}"
        )

    def _current(self):
        listing = self.query_one(BookmarkList)
        if listing.highlighted is None or not self.shown:
            return None
        return self.shown[listing.highlighted]

    @on(Input.Changed, "#bookmarks-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#bookmarks-filter")
    def _filter_done(self) -> None:
        self.query_one(BookmarkList).focus()

    @on(OptionList.OptionSelected, "#bookmarks")
    def _open(self, event: OptionList.OptionSelected) -> None:
        b = self._current()
        if b is None:
            return
        if b.article_id is None:
            self.notify("That article is no longer in the library.", severity="warning")
            return
        self.app.open_article(b.article_id, b.passage)

    def action_filter(self) -> None:
        # At once, not focus() (which waits its turn): letters typed right after `f` are
        # already queued, and reach the app's on_key only once the box has focus.
        self.set_focus(self.query_one("#bookmarks-filter", Input))

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()

    def action_edit(self) -> None:
        b = self._current()
        if b is None:
            return

        def done(edit: BookmarkEdit | None) -> None:
            if edit is not None:
                self._update(b.id, edit)

        self.app.push_screen(BookmarkEditor(b.title, b.note, b.tags), done)

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="saving the bookmark")
    def _update(self, bid: int, edit: BookmarkEdit) -> None:
        self.app.ready_core.bookmarks.update(bid, note=edit.note, tags=edit.tags)
        self.app.call_from_thread(self.reload)

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="deleting the bookmark")
    def action_delete(self) -> None:
        b = self.app.call_from_thread(self._current)
        if b is None:
            return
        removed = self.app.ready_core.bookmarks.remove(b.id)
        self.undo_stack.append(removed)
        self.app.call_from_thread(self.notify, "Bookmark deleted — press u to undo.")
        self.app.call_from_thread(self.reload)

    @work(thread=True, group="bookmark-write", exit_on_error=False, name="restoring the bookmark")
    def action_undo(self) -> None:
        if not self.undo_stack:
            self.app.call_from_thread(self.notify, "Nothing to undo.")
            return
        self.app.ready_core.bookmarks.restore(self.undo_stack.pop())
        self.app.call_from_thread(self.notify, "Bookmark restored.")
        self.app.call_from_thread(self.reload)

    def action_export(self) -> None:
        self.app.action_export()

    def action_back(self) -> None:
        box = self.query_one("#bookmarks-filter", Input)
        if box.has_focus and box.value:
            box.value = ""
            self.query_one(BookmarkList).focus()
            return
        self.dismiss()
