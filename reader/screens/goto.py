"""The go-to finder: fuzzy match over titles on every keystroke; enter opens."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from reader.screens.base import ReportsWorkerFailures
from reader.text import one_line


class GotoScreen(ReportsWorkerFailures[int | None], ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="goto.close"),
        Binding("down", "down", "Down", show=False, id="goto.down"),
        Binding("up", "up", "Up", show=False, id="goto.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.serial = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box"):
            yield Input(placeholder="go to article: type part of a title", id="goto-input")
            yield OptionList(id="goto-list")
            yield Static("", id="goto-status")


    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self.serial += 1
        if self.app.core is None:
            self.query_one("#goto-status", Static).update("Opening the library…")
            return
        self.find(self.serial, event.value)

    @work(thread=True, exclusive=True, group="goto", exit_on_error=False)
    def find(self, serial: int, text: str) -> None:
        limit = self.app.settings.ui.finder_limit
        found = self.app.ready_core.find(text, limit) if text.strip() else []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, serial, found)

    def _show(self, serial: int, found: list[tuple[int, str, float]]) -> None:
        if serial != self.serial:
            return
        options = self.query_one(OptionList)
        # Text, not str: a str prompt is read as markup, and titles are data.
        options.set_options([Option(Text(one_line(title, 300)), id=str(i))
                             for i, title, _ in found])
        if found:
            options.highlighted = 0
        self.query_one("#goto-status", Static).update(
            f"{len(found)} matches" if found else "no match"
        )

    @on(Input.Submitted)
    def _enter(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:  # every option's id is its article's
            self.dismiss(int(option_id))

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
