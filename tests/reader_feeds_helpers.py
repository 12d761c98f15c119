"""What the reader's feed tests share: feed items, subscribing, driving the app, waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from reader_feed_server import Item
from reader_helpers import (
    DEADLINE_S,
    library_loaded,
    library_rows,
    screen_text,
    until,
)
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from index.config import Settings
from index.core import Newsreader
from reader.screens.feeds import FeedsScreen, FeedTable
from reader.screens.library import LibraryScreen

SIZE = (100, 30)
MARKUP_FEED = "[bold]Loud[/bold] [@click=app.quit]feed"


def items(word: str, n: int, day: int = 1) -> list[Item]:
    """n items titled "<word> story k", newest first, one day apart from 2026-11-`day`."""
    return [
        Item(
            f"{word}-{k}",
            f"{word.title()} story {k}",
            f"The {word} report number {k}.",
            f"{day + n - k:02d} Nov 2026 08:00:00 GMT",
        )
        for k in range(1, n + 1)
    ]


def subscribed(library: Path, settings: Settings, urls: list[str], fetch: bool = False) -> None:
    """Subscribe the library to `urls` (without fetching them, unless `fetch`)."""
    core = Newsreader.open(library, settings)
    try:
        ids = [f.id for url in urls for f in core.feeds.subscribe([url], fetch=False).added]
        assert len(ids) == len(urls)
        if fetch:
            assert not core.feeds.refresh(ids).failed
    finally:
        core.close()


def drive(
    app: App,
    scenario: Callable[[Pilot], Awaitable[None]],
    notifications: bool = False,
    wait_for_workers: bool = True,
) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE, notifications=notifications) as pilot:
            ready = lambda: app.core is not None and library_loaded(app)  # noqa: E731
            if wait_for_workers:
                await until(pilot, ready, "the library to open")
            else:
                await soon(pilot, ready, "the library to open")
            await scenario(pilot)

    asyncio.run(main())


async def soon(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition()` holds, without waiting for its workers."""
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)


def toasts(app: App) -> str:
    """What is on screen, toasts' wrapped lines joined back: one space between words."""
    return " ".join(screen_text(app).replace("▌", " ").split())


def titles(app: App) -> list[str]:
    return [t for _, t in library_rows(app) or []]


def counts_line(app: App) -> str:
    screen = app.library_screen()
    return str(screen.query_one("#counts", Static).content)


async def open_feeds(pilot: Pilot) -> FeedsScreen:
    await pilot.press("F")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, FeedsScreen) and pilot.app.screen.loaded,
        "the feeds screen",
    )
    return pilot.app.screen


async def choose(pilot: Pilot, screen: FeedsScreen, label: str) -> None:
    """Move to the row labelled `label` with g and j, as a person would, and press enter."""
    n = [r.label for r in screen.rows].index(label)
    await pilot.press("g", *["j"] * n)
    assert screen.query_one(FeedTable).cursor_row == n
    await pilot.press("enter")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, LibraryScreen) and library_loaded(pilot.app),
        "the library",
    )
