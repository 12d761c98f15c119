"""Small modal dialogs: edit a bookmark's note and tags; choose an export format and file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from reader.text import one_line


@dataclass
class BookmarkEdit:
    note: str
    tags: list[str]


class BookmarkEditor(ModalScreen[BookmarkEdit | None]):
    """Note and tags for a bookmark; enter saves, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, note: str = "", tags: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.heading = title
        self.note = note
        self.tags = tags

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(one_line(self.heading, 200), classes="dialog-title")
            yield Label("Note")
            yield Input(self.note, placeholder="why this matters", id="note")
            yield Label("Tags (space separated)")
            yield Input(" ".join(self.tags), placeholder="e.g. syria energy", id="tags")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _next(self) -> None:
        self.query_one("#tags", Input).focus()

    @on(Input.Submitted, "#tags")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        note = self.query_one("#note", Input).value
        tags = self.query_one("#tags", Input).value.replace(",", " ").split()
        self.dismiss(BookmarkEdit(note, tags))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class ExportRequest:
    format: str
    path: Path
    tag: str | None


class ExportDialog(ModalScreen[ExportRequest | None]):
    """Collects format, file and an optional tag; the export itself is headless (index.export)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]
    SUFFIX = {"markdown": ".md", "json": ".json", "csv": ".csv", "html": ".html"}

    def __init__(self, default_dir: Path) -> None:
        super().__init__()
        self.default_dir = default_dir

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Export bookmarks", classes="dialog-title")
            yield Label("Format")
            yield Select(
                [("Markdown (Obsidian)", "markdown"), ("JSON (re-importable)", "json"),
                 ("CSV (Readwise)", "csv"), ("HTML (browser bookmarks)", "html")],
                value="markdown", allow_blank=False, id="format",
            )
            yield Label("File")
            yield Input(str(self.default_dir / "newsreader-bookmarks.md"), id="path")
            yield Label("Only this tag (optional)")
            yield Input(placeholder="tag", id="tag")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    @on(Select.Changed, "#format")
    def _format(self, event: Select.Changed) -> None:
        box = self.query_one("#path", Input)
        path = Path(box.value)
        box.value = str(path.with_suffix(self.SUFFIX[str(event.value)]))

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self.notify("Choose a file to export to.", severity="warning")
            return
        tag = self.query_one("#tag", Input).value.strip() or None
        fmt = str(self.query_one("#format", Select).value)
        self.dismiss(ExportRequest(fmt, Path(path).expanduser(), tag))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
