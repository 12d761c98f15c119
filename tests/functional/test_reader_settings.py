"""Pilot tests for what the reader keeps and lists: the keymap, the help screen and the command
palette, and the reading position, read state and theme kept across runs."""

from __future__ import annotations

import dataclasses
import io

import pytest
from reader_helpers import library_rows, palette_prompts, screen_text, status, until
from reader_pilot_helpers import (
    app_for,
    drive,
    open_from_library,
)
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from index.core import Newsreader
from reader.screens.article import ArticleScreen
from reader.screens.goto import GotoScreen
from reader.screens.help import HelpScreen
from reader.screens.library import LibraryScreen
from reader.screens.search import SearchScreen
from reader.widgets.paragraph import Paragraph
from reader.widgets.results import ResultList


# -- keymap ---------------------------------------------------------------------------------
def test_keymap_remaps_app_and_library_keys(no_seed_settings, library):
    """`keymap:` applies from the first frame, to the app's keys and to the library screen's
    (the bottom screen, mounted before the app's own on_mount)."""
    settings = dataclasses.replace(
        no_seed_settings, keymap={"search": "ctrl+f", "library.sort": "o"}
    )
    app = app_for(settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "o Sort" in footer and "^f Search" in footer, footer
        await pilot.press("s")  # the old key does nothing now
        await pilot.press("o")
        await until(pilot, lambda: screen.sort == "title", "the sort key")
        assert "sorted by title" in status(app, "#counts")
        await pilot.press("slash")  # nor does the old search key
        assert app.screen is screen
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen), "the search key")

    drive(app, scenario)


# -- help and the command palette -----------------------------------------------------------
@pytest.mark.parametrize(
    ("open_key", "close_key"), [("f1", "f1"), ("question_mark", "question_mark"), ("f1", "escape")]
)
def test_help_opens_and_closes(no_seed_settings, library, open_key, close_key):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press(open_key)
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        assert "newsreader keys" in screen_text(app)
        # Every binding is listed with its id (for keymap:), scrolled into view or not.
        out = io.StringIO()
        Console(file=out, width=200).print(app.screen.query_one("#help-table", Static).content)
        listed = out.getvalue()
        for bindings in (
            app.BINDINGS,
            LibraryScreen.BINDINGS,
            SearchScreen.BINDINGS,
            ResultList.BINDINGS,
            ArticleScreen.BINDINGS,
        ):
            for binding in bindings:
                assert binding.id and binding.id in listed, binding
        await pilot.press(close_key)
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "help to close")

    drive(app, scenario)


def test_command_palette_lists_the_app_commands(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        prompts = await palette_prompts(pilot)
        for name in ("Search", "Go to article", "Library", "Reindex"):
            assert any(p.startswith(name) for p in prompts), (name, prompts)
        await pilot.press(*"go to", "enter")  # run a command from the palette
        await until(pilot, lambda: isinstance(app.screen, GotoScreen), "the finder")

    drive(app, scenario)


# -- persistence across runs ----------------------------------------------------------------
def test_reading_position_and_read_state_persist(no_seed_settings, library):
    title = "Syrian troops retake Palmyra"
    first = app_for(no_seed_settings, library)

    async def read_some(pilot: Pilot) -> None:
        article = await open_from_library(pilot, title)
        assert article.cursor == 0
        await pilot.press("j", "j")
        assert article.cursor == 2
        await pilot.press("escape")
        await until(
            pilot,
            lambda: (
                isinstance(first.screen, LibraryScreen)
                and dict((t, m) for m, t in library_rows(first))[title] == " "
            ),
            "the article to show as read",
        )

    drive(first, read_some)

    second = app_for(no_seed_settings, library)

    async def come_back(pilot: Pilot) -> None:
        marks = {t: m for m, t in library_rows(second)}
        assert marks[title] == " " and list(marks.values()).count("•") == 7
        assert "7 unread" in status(second, "#counts")
        article = await open_from_library(pilot, title)
        assert article.cursor == 2
        assert article.query_one("#p2", Paragraph).has_class("-cursor")
        assert "¶ 3/4" in status(second, "#article-status")

    drive(second, come_back)


def test_quitting_from_an_article_keeps_the_position(no_seed_settings, library):
    """q straight from the article: the position is saved before the library closes (a save
    racing the close used to lose it, or crash the process in sqlite3)."""
    title = "Russian warships fire cruise missiles at Syria"
    first = app_for(no_seed_settings, library)

    async def read_and_quit(pilot: Pilot) -> None:
        article = await open_from_library(pilot, title)
        await pilot.press("j", "j")
        assert article.cursor == 2
        await pilot.press("q")

    drive(first, read_and_quit)
    core = Newsreader.open(library, no_seed_settings)
    try:
        [stored] = [a for a in core.list() if a.title == title]
        assert core.get(stored.id).position == 2 and core.get(stored.id).read
    finally:
        core.close()


def test_theme_persists(no_seed_settings, library):
    first = app_for(no_seed_settings, library)
    assert no_seed_settings.ui.theme != "nord"

    async def pick(pilot: Pilot) -> None:
        assert first.theme == no_seed_settings.ui.theme
        first.theme = "nord"

    drive(first, pick)
    second = app_for(no_seed_settings, library)

    async def check(pilot: Pilot) -> None:
        assert second.theme == "nord"

    drive(second, check)
