"""Every key binding of the app and of the screen help was opened from, with its id for
remapping in config.yaml's `keymap:`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reader.screens.base import NewsreaderScreen
from reader.widgets.results import ResultList

_EXTRA = {
    "Search results": ResultList.BINDINGS,
}


class HelpScreen(NewsreaderScreen, ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, underneath: Screen) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._table(), id="help-table")

    def _table(self) -> Table:
        from reader.screens.article import ArticleScreen
        from reader.screens.feeds import FeedsScreen, FeedTable
        from reader.screens.library import LibraryScreen
        from reader.screens.search import SearchScreen

        table = Table(title="newsreader keys", expand=True, show_edge=False)
        table.add_column("Keys", no_wrap=True)
        table.add_column("Action")
        table.add_column("Binding id (for keymap:)", style="dim")
        sections = {
            "Everywhere": self.app.BINDINGS,
            "Library": LibraryScreen.BINDINGS,
            "Search": SearchScreen.BINDINGS,
            **_EXTRA,
            "Article": ArticleScreen.BINDINGS,
            "Feeds": [*FeedsScreen.BINDINGS, *FeedTable.BINDINGS],
        }
        for name, bindings in sections.items():
            table.add_row(Text(name, style="bold underline"), "", "")
            for binding in bindings:
                if isinstance(binding, Binding):
                    keys = ", ".join(self.app.get_key_display(
                        Binding(k.strip(), binding.action)) for k in binding.key.split(","))
                    table.add_row(keys, binding.description, binding.id or "")
        table.add_row(Text("Palette", style="bold underline"), "", "")
        table.add_row("ctrl+p", "command palette: search, go to, library, bookmarks, feeds,"
                      " refresh feeds, export, theme, reindex, quit", "")
        return table
