"""The Textual app: bindings, theme, the worker that opens the library, one error handler.
Screens hold the flows."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from index.config import Settings
from reader.messages import (
    CoreFailed,
    CoreReady,
    FeedRefreshed,
    FeedsChanged,
    FeedsRefreshDone,
    FeedsRefreshStarted,
    LibraryOpened,
)
from reader.refreshing import FeedRefresher
from reader.state import ReaderState

if TYPE_CHECKING:
    from index.core import Newsreader
    from index.library_view import LibraryView
    from reader.prefetch import EarlyLibrary


class NewsreaderApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "newsreader"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("slash", "search", "Search", id="search"),
        Binding("ctrl+o", "goto", "Go to", id="goto"),
        Binding("ctrl+b", "bookmarks", "Bookmarks", id="bookmarks"),
        Binding("F", "feeds", "Feeds", show=False, id="feeds"),
        Binding("R", "refresh_feeds", "Refresh feeds", show=False, id="refresh_feeds"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit_now"),
    ]

    def __init__(self, settings: Settings, library: Path,
                 early: EarlyLibrary | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.library_path = Path(library)
        self.early = early  # the first page, read in a thread
        self.core: Newsreader | None = None  # once the worker has opened it
        # Readable before the core is ready; the core itself once it is (one is the other's half).
        self.library: LibraryView | None = None
        # Set once the library screen has painted its first rows (or given up waiting).
        self.listed = threading.Event()
        self.state = ReaderState(self.library_path)
        self._theme_loaded = False
        self.feed_refresher = FeedRefresher(self)
        self.warmed = False  # the start-up worker is done (a refresh on start may begin)
        self._quit_after_refresh = False

    @property
    def ready_core(self) -> Newsreader:
        """The core, for work that starts only once it is open (its callers check `core` first,
        or run after CoreReady): a clear error otherwise, not an AttributeError on None."""
        if self.core is None:
            raise RuntimeError("The library is not open yet.")
        return self.core

    @property
    def ready_library(self) -> LibraryView:
        """The library, for work that starts only once it is open (see ready_core)."""
        if self.library is None:
            raise RuntimeError("The library is not open yet.")
        return self.library

    # -- start-up ------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        # The library is the bottom screen itself, not pushed over Textual's empty one: in a
        # terminal the first frame then holds the rows (pushed, they came one frame later:
        # the README's first-paint figures).
        from reader.screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
        theme = self.state.load().get("theme") or self.settings.ui.theme
        if theme in self.available_themes:
            self.theme = theme
        self._theme_loaded = True
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        # Paint first, then open the library: its imports and disk reads compete for the GIL.
        self.call_after_refresh(self.open_core)

    @work(thread=True, exclusive=True, group="core", exit_on_error=False)
    def open_core(self) -> None:
        # The library's list needs only SQLite: open it and show the articles first, then
        # import and open the search side (Whoosh, entities), which takes longer.
        from index.errors import LibraryError, SearchIndexError
        from index.library_view import LibraryView

        def notify(message: str) -> None:
            self.call_from_thread(self.notify, message, timeout=6, markup=False)

        try:
            library = None
            if self.early is not None:
                self.early.done.wait(timeout=10)
                library = self.early.library
            if library is None:
                library = LibraryView.open_library(self.library_path)
            if not (library.created and self.settings.library.seed_demo):
                self.library = library
                self.post_message(LibraryOpened())
                # Importing and opening the search side holds the GIL for a while: let the
                # rows reach the screen first (bounded: this is a priority, not a need).
                self.listed.wait(timeout=1.0)
            from index.core import Newsreader

            core = Newsreader.open(self.library_path, self.settings, notify=notify,
                                   view=library)
        except (LibraryError, SearchIndexError) as exc:
            self.post_message(CoreFailed(str(exc)))
            return
        self.library = core
        self.core = core
        self.post_message(CoreReady())

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False,
          name="preparing search")
    def warm_caches(self) -> None:
        """Build what the first keystrokes need (typo vocabulary, title finder, the common
        words' postings) once the library is on screen, so that this work never delays the
        first paint."""
        if self.core is not None:
            self.core.searching.vocabulary()
            self.core.finder()
            self.core.searching.warm_up()

    def on_library_opened(self, message: LibraryOpened) -> None:
        for screen in self.screen_stack:
            screen.post_message(LibraryOpened())

    def on_core_ready(self, message: CoreReady) -> None:
        for screen in self.screen_stack:
            screen.post_message(CoreReady())
        # After the screens have shown what they waited for.
        self.call_after_refresh(self.warm_caches)
        if self.settings.ui.auto_refresh:
            self.set_interval(self.AUTO_REFRESH_S, self._refresh_due_feeds, name="auto refresh")

    # Feeds due are looked for this often while the reader is open (ui.auto_refresh).
    AUTO_REFRESH_S = 60.0

    def _refresh_due_feeds(self) -> None:
        self.feed_refresher.start(due=True, quiet=True)  # skipped while one is running

    def on_core_failed(self, message: CoreFailed) -> None:
        self.notify(message.error, title="Cannot open the library", severity="error",
                    timeout=30, markup=False)

    def watch_theme(self, theme: str) -> None:
        if self._theme_loaded:
            self.state.save(theme=theme)

    def on_unmount(self) -> None:
        # Closing the library under a refresh would break its writes: a refresh still running
        # here (quit twice) is left the library, and the process ends with its last fetches.
        if self.core is not None and self.feed_refresher.stop(wait_s=0.5):
            self.core.close()

    async def action_quit(self) -> None:
        """Quit; during a refresh, once the feeds being fetched are stored (asked again: at
        once; nothing stored is lost either way)."""
        if self.feed_refresher.running and not self._quit_after_refresh:
            self._quit_after_refresh = True
            self.feed_refresher.stop(wait_s=0)
            self.notify("Quitting once the feeds being fetched are stored…", timeout=30)
            return
        self.exit()

    # -- one place where failed workers become visible ------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "warm" and event.state in (
            WorkerState.SUCCESS, WorkerState.ERROR
        ):
            self.warmed = True
            if self.settings.ui.refresh_on_start:
                # Once the first keystrokes' caches are built: well after the first paint.
                self.feed_refresher.start(due=True, quiet=True)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            # markup=False: an error quoting a path or a title with "[/x]" in it would make
            # the toast itself raise MarkupError and take the app down.
            self.notify(f"{type(error).__name__}: {error}", title=f"{event.worker.name} failed",
                        severity="error", timeout=10, markup=False)

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after `/` or ctrl+o were already on their way to the screen below
        # when the new screen's box took focus (Textual runs an app binding once the key has
        # bubbled up, after the next keys went to the old focus): they arrive here, unhandled,
        # and were lost. A text box takes every printable key it is given, so a printable key
        # that reaches the app while a box has focus was meant for that box.
        box = self.focused
        if event.is_printable and event.character and isinstance(box, Input):
            event.stop()
            box.insert_text_at_cursor(event.character)

    # -- actions -----------------------------------------------------------------------------
    def action_search(self) -> None:
        from reader.screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            self.screen.focus_query()
            return
        self.push_screen(SearchScreen())

    def action_goto(self) -> None:
        from reader.screens.goto import GotoScreen

        if not isinstance(self.screen, GotoScreen):
            self.push_screen(GotoScreen(), self._open_from_goto)

    def _open_from_goto(self, article_id: int | None) -> None:
        if article_id is not None:
            self.open_article(article_id)

    def action_help(self) -> None:
        from reader.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_bookmarks(self) -> None:
        from reader.screens.bookmarks import BookmarksScreen

        if self.core is None:
            self.notify("The library is still opening…")
        elif not isinstance(self.screen, BookmarksScreen):
            self.push_screen(BookmarksScreen())

    def action_feeds(self) -> None:
        from reader.screens.feeds import FeedsScreen

        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen())

    def action_refresh_feeds(self) -> None:
        if self.core is None:
            self.notify("The library is still opening…")
        elif not self.feed_refresher.start():
            self.notify(f"Already {self.feed_refresher.status}", markup=False, timeout=3)

    # -- a refresh's messages: toasts from the refresher, and every screen told -----------------
    def on_feeds_refresh_started(self, message: FeedsRefreshStarted) -> None:
        self.feed_refresher.started(message)
        self._feeds_changed()

    def on_feed_refreshed(self, message: FeedRefreshed) -> None:
        self.feed_refresher.refreshed(message)
        self._feeds_changed()

    def on_feeds_refresh_done(self, message: FeedsRefreshDone) -> None:
        self.feed_refresher.done(message)
        self._feeds_changed()
        if self._quit_after_refresh:
            self.exit()

    def _feeds_changed(self) -> None:
        for screen in self.screen_stack:
            screen.post_message(FeedsChanged())

    def library_screen(self):  # -> LibraryScreen | None
        from reader.screens.library import LibraryScreen

        bottom = self.screen_stack[0] if self.screen_stack else None
        return bottom if isinstance(bottom, LibraryScreen) else None

    def action_export(self) -> None:
        from reader.screens.dialogs import ExportDialog

        def done(request) -> None:
            if request is not None:
                self._export(request)

        if self.core is not None:
            self.push_screen(ExportDialog(self.export_dir()), done)

    @work(thread=True, group="export", exit_on_error=False, name="export")
    def _export(self, request) -> None:
        count = self.ready_core.export_bookmarks(request.format, request.path, request.tag)
        self.call_from_thread(self.notify, f"Exported {count} bookmarks to {request.path}",
                              timeout=8, markup=False)

    def export_dir(self) -> Path:
        from platformdirs import user_documents_dir

        return Path(user_documents_dir())

    def action_library(self) -> None:
        from reader.screens.library import LibraryScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()

    def open_article(self, article_id: int, passage: int | None = None,
                     terms: frozenset[str] = frozenset()) -> None:
        from reader.screens.article import ArticleScreen

        self.push_screen(ArticleScreen(article_id, passage, terms))

    @work(thread=True, exclusive=True, group="reindex", exit_on_error=False)
    def action_reindex(self) -> None:
        if self.core is None:
            return
        self.call_from_thread(self.notify, "Rebuilding the search index…")
        count = self.core.reindex()
        self.call_from_thread(self.notify, f"Reindexed {count} articles.")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Search", "Search the library (/)", self.action_search)
        yield SystemCommand("Go to article", "Find an article by title (ctrl+o)",
                            self.action_goto)
        yield SystemCommand("Library", "Back to the list of articles", self.action_library)
        yield SystemCommand("Bookmarks", "Your bookmarks (ctrl+b)", self.action_bookmarks)
        yield SystemCommand("Feeds", "Subscriptions by group, with unread counts (F)",
                            self.action_feeds)
        yield SystemCommand("Refresh feeds", "Fetch every feed for new articles (R)",
                            self.action_refresh_feeds)
        yield SystemCommand("Export bookmarks", "Markdown, JSON, CSV (Readwise) or HTML",
                            self.action_export)
        yield SystemCommand("Help", "Every key binding (? or f1)", self.action_help)
        yield SystemCommand("Reindex", "Rebuild the search index from the library",
                            self.action_reindex)
        yield from super().get_system_commands(screen)
