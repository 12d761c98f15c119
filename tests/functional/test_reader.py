"""Pilot tests for the reader: every flow of issue 3 driven by keys on a headless app built by
the same factory `newsreader` uses, on a temporary library.

Synchronisation is by condition, never by sleeping: `until()` lets workers and messages run and
checks the screen again, and only gives up (failing, with the screen in the message) after a
generous deadline that a passing run never comes near.

Over 400 lines: every flow runs on the same library fixture and `drive` helper; the feeds' flows
are in test_reader_feeds.py, the library screen's in test_library_screen.py."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from reader_helpers import library_loaded, library_rows, palette_prompts, screen_text, status, until
from rich.console import Console
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.data_table import ColumnKey

from index.config import Settings
from index.core import Newsreader
from index.model import Article, SearchResult
from reader.launch import make_app
from reader.messages import SearchCompleted
from reader.screens.article import ArticleScreen
from reader.screens.goto import GotoScreen
from reader.screens.help import HelpScreen
from reader.screens.library import LibraryScreen
from reader.screens.search import SearchScreen
from reader.widgets.paragraph import Paragraph
from reader.widgets.results import ResultList

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


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def library(tmp_path: Path, no_seed_settings: Settings, small_articles, article_files) -> Path:
    """A closed library holding the conftest's small articles plus AIRSHIP; the app opens it."""
    files = article_files(tmp_path / "articles", [*small_articles, AIRSHIP])
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    try:
        report = core.add([str(f) for f in files])
        assert not report.failures and report.added == len(small_articles) + 1
    finally:
        core.close()
    return tmp_path / "library"


def app_for(settings: Settings, library: Path) -> App:
    return make_app(settings, library)


# -- driving --------------------------------------------------------------------------------
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


# -- search → open → n/N → escape chain → quit ------------------------------------------------
def test_search_open_step_hits_escape_chain_and_quit(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "airship")
        assert [h.title for h in screen.result.hits] == [AIRSHIP["title"]]
        assert status(app, "#search-status").startswith("1 article ")
        assert AIRSHIP["title"] in screen_text(app)

        await pilot.press("down")  # to the results
        assert app.focused is screen.query_one(ResultList)
        await pilot.press("enter")
        article = await article_shown(pilot)
        assert article.article.title == AIRSHIP["title"]
        # Three hits: one in ¶1, two in ¶3, in reading order.
        assert [h[0] for h in article.hits] == [0, 2, 2]
        first = article.hit_index
        assert first >= 0 and f"hit {first + 1}/3" in status(app, "#article-status")

        seen = []
        for _ in range(3):
            await pilot.press("n")
            seen.append(article.hit_index)
            n = article.hits[article.hit_index][0]
            assert f"hit {article.hit_index + 1}/3" in status(app, "#article-status")
            assert article.cursor == n
            assert article.query_one(f"#p{n}", Paragraph).has_class("-cursor")
            assert article.query_one(f"#p{n}", Paragraph).current is not None
        assert seen == [(first + k) % 3 for k in (1, 2, 3)]  # n wraps around
        await pilot.press("N")
        assert article.hit_index == (first + 2) % 3
        assert f"hit {(first + 2) % 3 + 1}/3" in status(app, "#article-status")
        # Only the current hit is marked current.
        assert sum(p.current is not None for p in article.query(Paragraph)) == 1

        # escape backs out one level at a time: article → results → query → library.
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "the search screen")
        assert app.focused is screen.query_one(ResultList)
        await pilot.press("escape")
        assert app.screen is screen and app.focused is screen.query_one("#query", Input)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app to quit")

    drive(app, scenario)
    assert app.return_code == 0


def test_q_typed_into_an_input_is_a_letter(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "iraq")
        assert screen.query_one("#query", Input).value == "iraq"
        assert app.is_running and app.screen is screen
        # The library's filter box too.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")
        await pilot.press("f", "q")
        assert app.screen.query_one("#filter", Input).value == "q"
        assert app.is_running
        await pilot.press("ctrl+q")  # the priority quit works from inside an input
        await until(pilot, lambda: not app.is_running, "the app to quit")

    drive(app, scenario)


def test_library_shows_articles_with_counts(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        rows = library_rows(app)
        assert len(rows) == 8 and all(mark == "•" for mark, _ in rows)  # all unread
        assert rows[0][1] == "England win the cricket world cup"  # newest first
        assert "8 articles · 8 unread" in status(app, "#counts")
        await pilot.press("f", *"vienna")
        await until(pilot, lambda: len(library_rows(app)) == 1, "the filter to apply")
        assert library_rows(app)[0][1] == "Vienna opera ball is cancelled"
        assert "1 shown" in status(app, "#counts")

    drive(app, scenario)


def test_library_columns_fit_the_terminal_and_follow_its_width(no_seed_settings, library):
    """Title, source and date are all on screen: the title takes what the others leave, and
    more of it when the terminal grows."""
    app = app_for(no_seed_settings, library)

    def widths() -> tuple[int, int]:
        table = app.screen.query_one(DataTable)
        used = sum(c.get_render_width(table) for c in table.columns.values())
        return used, table.scrollable_content_region.width

    async def scenario(pilot: Pilot) -> None:
        used, room = widths()
        assert used == room
        text = screen_text(app)
        assert "Source" in text and "Date" in text
        title_before = app.screen.query_one(DataTable).columns[ColumnKey("title")].width
        await pilot.resize_terminal(140, 30)
        await until(pilot, lambda: widths()[0] == widths()[1] > room, "the columns to refit")
        title_after = app.screen.query_one(DataTable).columns[ColumnKey("title")].width
        assert title_after == title_before + widths()[1] - room

    drive(app, scenario)


def test_rows_read_before_the_ui_starts_are_in_its_first_frame(no_seed_settings, library):
    """`newsreader` reads the first page in a thread while Textual imports (reader.prefetch);
    the library screen shows it as it mounts, before the core (Whoosh) is open."""
    from reader.prefetch import prefetch

    early = prefetch(library)
    assert early.done.wait(10) and early.page is not None and early.library is not None
    app = make_app(no_seed_settings, library, early)
    seen_at_mount = []
    original = LibraryScreen.on_mount

    def on_mount(screen) -> None:
        original(screen)
        seen_at_mount.append(screen.query_one(DataTable).row_count)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.core is not None, "the core to open")
            # One library, opened once: the core took the early one's, and replaced it in the app.
            assert app.core.library is early.library.library
            assert app.library is app.core
            assert library_rows(app)[0][1] == "England win the cricket world cup"
            assert "8 articles · 8 unread" in status(app, "#counts")

    LibraryScreen.on_mount = on_mount
    try:
        asyncio.run(main())
    finally:
        LibraryScreen.on_mount = original
    assert seen_at_mount == [8]


def test_a_library_that_does_not_exist_yet_is_not_prefetched(tmp_path) -> None:
    from reader.prefetch import prefetch

    early = prefetch(tmp_path / "new")
    assert early.done.is_set() and early.take() == (None, None)
    assert not (tmp_path / "new").exists()  # creating (and seeding) is the core's job


# -- typo tolerance -------------------------------------------------------------------------
def test_typo_is_corrected_and_the_status_says_so(demo_library, demo_copy):
    app = app_for(demo_library.settings, demo_copy)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "magnitgorsk")
        result = screen.result
        assert result.corrected and result.corrected != "magnitgorsk"
        assert any("Magnitogorsk" in h.title for h in result.hits)
        line = status(app, "#search-status")
        assert line.startswith(f"showing results for “{result.corrected}” — searched “magnitgorsk”")
        assert "showing results for" in screen_text(app)

    drive(app, scenario)


# -- keys typed before a new screen has focus --------------------------------------------------
@pytest.mark.parametrize(("key", "screen_type"), [("slash", SearchScreen), ("ctrl+o", GotoScreen)])
def test_keys_typed_right_after_opening_search_or_goto_reach_its_box(
    no_seed_settings, library, key, screen_type
):
    """A burst, as a fast typist or a paste sends it: every key is queued before the first
    is handled, so the letters go to the library's table before `/` opens the search box."""
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        app.post_message(events.Key(key, "/" if key == "slash" else None))
        for letter in "sports":
            app.post_message(events.Key(letter, letter))
        await until(pilot, lambda: isinstance(app.screen, screen_type), "the new screen")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == "sports", "the typed letters in the box")
        assert app.screen_stack[0].sort == "date"  # `s` did not sort the library meanwhile

    drive(app, scenario)


def test_letters_typed_right_after_f_filter_the_library(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        for letter in "fvienna":
            app.post_message(events.Key(letter, letter))
        await until(pilot, lambda: len(library_rows(app)) == 1, "the filter to apply")
        assert app.screen.query_one("#filter", Input).value == "vienna"
        assert library_rows(app)[0][1] == "Vienna opera ball is cancelled"

    drive(app, scenario)


# -- go-to finder ---------------------------------------------------------------------------
def test_goto_finder_opens_the_article(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, GotoScreen)
        finder = app.screen
        await pilot.press(*"galxy")  # a typo: still found
        await until(pilot, lambda: finder.query_one(OptionList).option_count > 0, "finder matches")
        first = finder.query_one(OptionList).get_option_at_index(0)
        assert "galaxy" in str(first.prompt)
        assert "matches" in str(finder.query_one("#goto-status", Static).content)
        await pilot.press("enter")
        article = await article_shown(pilot)
        assert article.article.title == "Telescope photographs a distant galaxy"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen), "the library")

    drive(app, scenario)


def test_goto_finder_escape_closes_without_opening(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("ctrl+o", *"opera")
        await until(
            pilot, lambda: app.screen.query_one(OptionList).option_count > 0, "finder matches"
        )
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)

    drive(app, scenario)


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
