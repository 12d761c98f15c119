"""Pilot tests for a reader that shows article text as data and never dies: markup and control
characters in articles, a failing search worker, stale results never over newer ones."""

from __future__ import annotations

from reader_helpers import library_rows, screen_text, status, until
from reader_pilot_helpers import (
    CONTROL,
    MARKUP_BODY,
    MARKUP_TITLE,
    app_for,
    article_shown,
    drive,
    search,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from index.core import Newsreader
from index.model import Article, SearchResult
from reader.messages import SearchCompleted
from reader.screens.goto import GotoScreen
from reader.screens.library import LibraryScreen
from reader.screens.search import SearchScreen
from reader.widgets.paragraph import Paragraph
from reader.widgets.results import ResultList


# -- article text is data -------------------------------------------------------------------
def test_markup_in_articles_renders_literally_and_does_nothing(
    tmp_path, no_seed_settings, library, article_files
):
    files = article_files(
        tmp_path / "markup",
        [
            {
                "file": "markup.jsonl",
                "title": MARKUP_TITLE,
                "date": "2030-01-01",
                "source": None,
                "url": "https://example.com/markup",
                "paragraphs": [MARKUP_BODY],
            }
        ],
    )
    core = Newsreader.open(library, no_seed_settings)
    assert core.add([str(f) for f in files]).added == 1
    core.close()
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        assert library_rows(app)[0][1] == MARKUP_TITLE  # newest first
        assert MARKUP_TITLE in screen_text(app)
        await pilot.click(DataTable, offset=(5, 1))  # the title cell of the first row
        await pilot.press("enter")
        article = await article_shown(pilot)
        text = screen_text(app)
        assert MARKUP_TITLE in text and MARKUP_BODY in text
        assert str(article.query_one("#p0", Paragraph).content) == MARKUP_BODY
        # Clicking the title would run app.quit if it had been read as markup.
        await pilot.click("#article-meta", offset=(1, 1))
        await pilot.click("#article-meta", offset=(0, 1))
        await pilot.click("#p0", offset=(3, 0))
        await pilot.pause()
        assert app.is_running and app.screen is article
        # The go-to finder lists it literally too.
        await pilot.press("ctrl+o", *"click app")
        finder = app.screen
        assert isinstance(finder, GotoScreen)
        await until(pilot, lambda: finder.query_one(OptionList).option_count, "finder matches")
        assert str(finder.query_one(OptionList).get_option_at_index(0).prompt) == MARKUP_TITLE
        assert MARKUP_TITLE in screen_text(app)

    drive(app, scenario)
    assert app.return_code in (0, None)


def test_control_characters_never_reach_the_screen(no_seed_settings, library):
    # Stored as-is, bypassing ingest's sanitizing: the reader must strip them again.
    core = Newsreader.open(library, no_seed_settings)
    [(status_, article_id)] = core.library.add_articles(
        [
            Article(
                title="Bell\x07 \x1b[31mred\x1b[0m title\x00 \u202eevil",
                paragraphs=["Tab\tand \x1b]0;window title\x07osc, \x9b31mcsi and DEL\x7f end."],
                date="2031-01-01",
                source="Wire\x1b[2J",
            )
        ]
    )
    core.index.index_articles([article_id])
    core.close()
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        text = screen_text(app)
        assert "Bell red title evil" in text and "Wire" in text
        assert not CONTROL.search(text) and "\u202e" not in text
        await pilot.press("enter")  # newest first: it is the first row
        article = await article_shown(pilot)
        assert article.article_id == article_id
        text = screen_text(app)
        assert "Bell red title evil" in text and "end." in text
        assert not CONTROL.search(text) and "\u202e" not in text
        assert "window title" not in text  # the OSC sequence went whole

    drive(app, scenario)


# -- never dying, never stale ---------------------------------------------------------------
def test_a_failed_search_worker_notifies_and_the_app_lives_on(
    no_seed_settings, library, monkeypatch
):
    app = app_for(no_seed_settings, library)

    def broken(*args, **kwargs):
        raise RuntimeError("the index caught fire")

    async def scenario(pilot: Pilot) -> None:
        monkeypatch.setattr(app.core, "search", broken)
        await pilot.press("slash", *"palmyra")
        await until(
            pilot, lambda: "the index caught fire" in screen_text(app), "the failure notification"
        )
        assert app.is_running and isinstance(app.screen, SearchScreen)
        # Still usable: back to the library, and another search once the core works again.
        monkeypatch.undo()
        await pilot.press("backspace")
        await until(pilot, lambda: app.screen.result is not None, "a working search")
        assert app.screen.result.hits
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")

    drive(app, scenario, notifications=True)


def test_stale_results_never_overwrite_newer_ones(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "vienna")
        shown = [o.id for o in screen.query_one(ResultList).options]
        status_before = status(app, "#search-status")
        assert shown and screen.result.query == "vienna"
        older = SearchResult("cricket", [], 0)
        screen.on_search_completed(SearchCompleted(screen.serial - 1, older, 1.0))
        screen.post_message(SearchCompleted(screen.serial - 1, older, 1.0))
        await pilot.pause()
        assert screen.result.query == "vienna"
        assert [o.id for o in screen.query_one(ResultList).options] == shown
        assert status(app, "#search-status") == status_before
        # The current serial is shown (the handler itself is not what blocks the old one).
        screen.on_search_completed(SearchCompleted(screen.serial, older, 1.0))
        assert screen.query_one(ResultList).option_count == 0

    drive(app, scenario)
