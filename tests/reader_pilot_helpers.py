"""What the reader's pilot tests share: their library's articles, the app, driving it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from reader_helpers import library_loaded, library_rows, until
from textual.app import App
from textual.pilot import Pilot

from index.config import Settings
from reader.launch import make_app
from reader.screens.article import ArticleScreen
from reader.screens.search import SearchScreen

SIZE = (100, 30)
# One article whose search word appears three times in two of its paragraphs: n/N material.
AIRSHIP = {
    "file": "airship.txt",
    "title": "Airship hangar becomes a museum",
    "date": None,
    "source": None,
    "url": None,
    "paragraphs": [
        "The old airship hangar outside the town opened its doors to visitors.",
        "Volunteers restored the roof over two winters.",
        "Inside, a model airship hangs beside the engine of a real airship.",
    ],
}


MARKUP_TITLE = "[@click=app.quit]x[/]"
MARKUP_BODY = "[bold]not bold[/] [link=http://x]y[/link]"
# C0/C1 controls and DEL: none of them may reach the screen (newline never appears in a row).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def app_for(settings: Settings, library: Path) -> App:
    return make_app(settings, library)


def drive(
    app: App, scenario: Callable[[Pilot], Awaitable[None]], notifications: bool = False
) -> None:
    """Run `scenario` against `app` (headless, 100×30) once the library is open.
    `notifications`: show toasts (run_test hides them by default)."""

    async def main() -> None:
        async with app.run_test(size=SIZE, notifications=notifications) as pilot:
            await until(
                pilot, lambda: app.core is not None and library_loaded(app), "the library to open"
            )
            await scenario(pilot)

    asyncio.run(main())


async def search(pilot: Pilot, text: str) -> SearchScreen:
    """From anywhere: `/`, type `text`, wait for its results."""
    await pilot.press("slash")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await pilot.press(*text)
    await until(
        pilot,
        lambda: screen.result is not None and screen.result.query == text,
        f"results for {text!r}",
    )
    return screen


async def open_from_library(pilot: Pilot, title: str) -> ArticleScreen:
    """Move the library cursor to `title` with j/k (as a person would) and press enter."""
    rows = library_rows(pilot.app)
    assert rows is not None
    target = [t for _, t in rows].index(title)
    await pilot.press("g", *["j"] * target, "enter")
    return await article_shown(pilot)


async def article_shown(pilot: Pilot) -> ArticleScreen:
    await until(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, ArticleScreen) and pilot.app.screen.article is not None
        ),
        "the article to load",
    )
    return pilot.app.screen
