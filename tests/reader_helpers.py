"""Helpers shared by the reader's Pilot and snapshot tests: waiting on a condition (never on a
clock) and reading what is on screen."""

from __future__ import annotations

import contextlib
import html
import re
import time
from collections.abc import Callable

from textual.app import App
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static
from textual.worker import WorkerCancelled, WorkerFailed

from reader.screens.library import LibraryScreen

# A deadline that only a hung or broken app reaches; it is never how a test synchronises.
DEADLINE_S = 20.0


async def until(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let workers, timers and messages run until `condition()` holds."""
    app = pilot.app
    deadline = time.monotonic() + DEADLINE_S
    while True:
        # A failure is the test's to check on screen; a cancelled worker was superseded.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(app)}")
        await pilot.pause(0.01)  # lets the search debounce timer come due


async def palette_prompts(pilot: Pilot) -> list[str]:
    """Open the command palette (ctrl+p) and return its commands' prompts."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, CommandPalette)
            and app.screen.query_one(OptionList).option_count >= 5
        ),
        "the palette",
    )
    return [str(o.prompt) for o in app.screen.query_one(OptionList).options]


def screen_text(app: App) -> str:
    """The characters on screen, row by row, read from the app's SVG screenshot."""
    svg = app.export_screenshot()
    rows: dict[int, list[tuple[float, str]]] = {}
    for m in re.finditer(
        r'<text [^>]*?x="([\d.]+)"[^>]*?clip-path="url\(#terminal-\d+-line-(\d+)\)">(.*?)</text>',
        svg,
    ):
        text = html.unescape(m[3]).replace("\xa0", " ")
        rows.setdefault(int(m[2]), []).append((float(m[1]), text))
    char_width = 12.2  # rich's export_svg: 0.61 × the 20px font size
    lines = []
    for n in range(max(rows, default=-1) + 1):
        line = ""
        for x, text in sorted(rows.get(n, [])):
            line = line.ljust(round(x / char_width)) + text
        lines.append(line.rstrip())
    return "\n".join(lines)


def library_loaded(app: App) -> bool:
    """The library screen lists its page: counts shown and every row in the table."""
    screen = next((s for s in app.screen_stack if isinstance(s, LibraryScreen)), None)
    return (
        screen is not None
        and "articles ·" in str(screen.query_one("#counts", Static).content)
        and not screen.listing
    )


def library_rows(app: App) -> list[tuple[str, str]] | None:
    """(read marker, title) of each row on the library screen, or None before it is loaded."""
    screen = next((s for s in app.screen_stack if isinstance(s, LibraryScreen)), None)
    if screen is None:
        return None
    table = screen.query_one(DataTable)
    if not table.row_count:
        return None
    return [
        (str(table.get_cell_at((r, 0))), str(table.get_cell_at((r, 1))))
        for r in range(table.row_count)
    ]


def status(app: App, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)
