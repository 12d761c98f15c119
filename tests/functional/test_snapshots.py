"""SVG snapshots of the reader's key screens at 100×30 (pytest-textual-snapshot).

Deterministic by construction: a small library built from the fixture articles below (fixed
dates and sources, all unread), a fixed theme, no cursor blink, and the search timing in the
status line pinned to 0 ms. Review the SVGs in tests/functional/__snapshots__/ before accepting a
change with `pytest tests/functional/test_snapshots.py --snapshot-update`.

Over 400 lines: every screen's snapshot is taken on the same deterministic apps built here, and
`--snapshot-update` is run on this one module."""

from __future__ import annotations

import time
import types
from pathlib import Path

import pytest
from reader_helpers import library_loaded, until
from textual.pilot import Pilot
from textual.widgets import Input

from index.config import Settings, load_settings
from index.core import Newsreader
from reader.launch import make_app
from reader.screens.article import ArticleScreen
from reader.screens.search import SearchScreen

SIZE = (100, 30)
QUERY = "harbour"

ARTICLES = [
    {
        "file": "wire.jsonl",
        "title": "Storm closes the harbour for a second day",
        "date": "2021-03-04",
        "source": "Coastal Times",
        "url": "https://example.com/storm-harbour",
        "paragraphs": [
            "Gale-force winds kept the fishing fleet in port on Thursday as the harbour master "
            "extended the closure for a second day.",
            "Forecasters expect the wind to ease by the weekend.",
            "Traders at the harbour market said the closure was costing them dearly, and several "
            "stalls stayed shut. The harbour is expected to reopen on Saturday morning.",
            "Ferries to the islands were cancelled until further notice.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "City council approves new tram line",
        "date": "2021-02-18",
        "source": "Metro Daily",
        "url": "https://example.com/tram",
        "paragraphs": [
            "The council voted 31 to 12 to build a tram line from the station to the harbour "
            "district.",
            "Construction is due to start next spring.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Local bakery wins national bread award",
        "date": "2021-01-30",
        "source": "Metro Daily",
        "url": "https://example.com/bakery",
        "paragraphs": [
            "A family bakery on Mill Street in Bristol won the national sourdough prize, "
            "awarded by the Real Bread Campaign in London.",
            "Owner Maria Lopez said the secret was patience. Her brother, Tom Lopez, runs the "
            "ovens; the Federation of Bakers called the loaf outstanding.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Museum reopens after two-year restoration",
        "date": "2020-11-12",
        "source": "Arts Weekly",
        "url": "https://example.com/museum",
        "paragraphs": [
            "The maritime museum by the old harbour wall welcomed visitors again on Saturday.",
            "Its collection of ship models has been cleaned and catalogued.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Marathon route announced",
        "date": "2020-09-01",
        "source": "Sport Now",
        "url": "https://example.com/marathon",
        "paragraphs": ["The route crosses four bridges and finishes in the central square."],
    },
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    config = tmp_path / "config.yaml"
    config.write_text(
        "library:\n  seed_demo: false\nui:\n  theme: textual-dark\n", encoding="utf-8"
    )
    return load_settings(config)


@pytest.fixture
def snapshot_app(tmp_path: Path, settings: Settings, article_files, monkeypatch):
    """The reader on a fresh library holding ARTICLES."""
    files = article_files(tmp_path / "articles", ARTICLES)
    core = Newsreader.open(tmp_path / "library", settings)
    try:
        assert core.add([str(f) for f in files]).added == len(ARTICLES)
    finally:
        core.close()
    # The status line shows how long a search took; pin the clock it reads to make that 0 ms.
    monkeypatch.setattr(
        "reader.screens.search.time", types.SimpleNamespace(perf_counter=lambda: 0.0)
    )
    return make_app(settings, tmp_path / "library")


async def ready(pilot: Pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: app.core is not None and library_loaded(app), "the library")


async def steady(pilot: Pilot) -> None:
    """No blinking cursor, nothing pending."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await until(pilot, lambda: True, "the screen to settle")


def test_library_screen(snap_compare, snapshot_app):
    async def run_before(pilot: Pilot) -> None:
        await ready(pilot)
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_search_results(snap_compare, snapshot_app):
    async def run_before(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("slash", *QUERY)
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        await until(
            pilot,
            lambda: screen.result is not None and screen.result.query == QUERY,
            "the results",
        )
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_article_view_at_a_hit(snap_compare, snapshot_app):
    """Opened from the results: at the best passage, hits highlighted, `n` to the next hit."""

    async def run_before(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("slash", *QUERY)
        screen = pilot.app.screen
        await until(pilot, lambda: screen.result is not None, "the results")
        await pilot.press("down", "enter")
        await until(
            pilot,
            lambda: isinstance(pilot.app.screen, ArticleScreen) and pilot.app.screen.hits,
            "the article",
        )
        await pilot.press("n")
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


# -- feeds (issue 16) -------------------------------------------------------------------------
FEEDS_OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
<outline text="Tide Tables" xmlUrl="{base}/tides.xml"/>
<outline text="News">
  <outline text="Harbour Watch" xmlUrl="{base}/harbour.xml"/>
  <outline text="Local"><outline text="Market Hall" xmlUrl="{base}/market.xml"/></outline>
</outline>
<outline text="Sport"><outline text="Regatta Results" xmlUrl="{base}/gone.xml"/></outline>
</body></opml>"""
# Fixed so the snapshot never changes: when each feed was fetched, and what the dead one said.
FETCHED = "2026-11-30T08:15:00+00:00"
FAILED = "2026-11-30T08:16:00+00:00"


@pytest.fixture
def feeds_app(tmp_path: Path, settings: Settings, article_files, monkeypatch, feed_server):
    """The reader on ARTICLES plus four subscriptions (from an OPML file, in groups), fetched
    once from a local server: three with articles, one that answered 404. Addresses and times
    are then pinned, and local time is UTC."""
    from reader_feed_server import Item, feed

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    server = feed_server
    files = article_files(tmp_path / "articles", ARTICLES)
    core = Newsreader.open(tmp_path / "library", settings)
    try:
        assert core.add([str(f) for f in files]).added == len(ARTICLES)
        # A date of its own for each article: the list's order never depends on which feed
        # the concurrent refresh happened to store first.
        dates = (f"{day:02d} Nov 2026 06:00:00 GMT" for day in range(25, 0, -1))
        for path, title, words in (
            ("/tides.xml", "Tide Tables", ["Spring tides this week", "Neap tides return"]),
            (
                "/harbour.xml",
                "Harbour Watch",
                [
                    "Dredger arrives at the harbour mouth",
                    "New pontoons for the marina",
                    "Harbour dues to rise in April",
                ],
            ),
            ("/market.xml", "Market Hall", ["Fish market opens an hour earlier"]),
        ):
            feed(
                server,
                path,
                title,
                [Item(f"{path}-{n}", t, f"{t}.", next(dates)) for n, t in enumerate(words)],
            )
        opml = tmp_path / "subs.opml"
        opml.write_text(FEEDS_OPML.format(base=server.url("")), encoding="utf-8")
        assert len(core.feeds.subscribe([str(opml)]).added) == 4
        report = core.feeds.refresh()
        assert report.added == 6 and report.failed == 1
        with core.library.transaction() as db:
            db.execute(
                "UPDATE feeds SET url = replace(url, ?, 'https://feeds.example.com'),"
                " last_fetched = ?, last_success = ?, next_due = ?",
                (server.url(""), FETCHED, FETCHED, "2026-11-30T09:15:00+00:00"),
            )
            db.execute(
                "UPDATE feeds SET last_fetched = ?, last_success = NULL, failures = 3,"
                " last_error = 'HTTP 404 Not Found' WHERE title = 'Regatta Results'",
                (FAILED,),
            )
        harbour = next(f for f in core.feeds.list() if f.title == "Harbour Watch")
        core.mark_read(core.feeds.article_ids([harbour.id])[0])
    finally:
        core.close()
    yield make_app(settings, tmp_path / "library")
    monkeypatch.delenv("TZ")
    time.tzset()


async def feeds_shown(pilot: Pilot) -> None:
    from reader.screens.feeds import FeedsScreen

    await ready(pilot)
    await pilot.press("F")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, FeedsScreen) and pilot.app.screen.loaded,
        "the feeds screen",
    )


def test_feeds_screen(snap_compare, feeds_app):
    """Groups nested, counts summed, the dead feed marked, its whole error under the list."""

    async def run_before(pilot: Pilot) -> None:
        await feeds_shown(pilot)
        await pilot.press("G")
        await steady(pilot)

    assert snap_compare(feeds_app, terminal_size=SIZE, run_before=run_before)


def test_library_narrowed_to_a_feed_group(snap_compare, feeds_app):
    async def run_before(pilot: Pilot) -> None:
        await feeds_shown(pilot)
        await pilot.press("g", "j", "enter")  # the group "News"
        await until(
            pilot,
            lambda: "group: News" in str(pilot.app.library_screen().query_one("#counts").content),
            "the group's articles",
        )
        await steady(pilot)

    assert snap_compare(feeds_app, terminal_size=SIZE, run_before=run_before)


# -- the other screens and panels (issue 18: a snapshot of each) --------------------------------
STORM = "Storm closes the harbour for a second day"
MUSEUM = "Museum reopens after two-year restoration"
CREATED = "2026-11-30T08:00:00+00:00"


@pytest.fixture
def marked_app(tmp_path: Path, settings: Settings, article_files, monkeypatch):
    """The reader on ARTICLES with two bookmarks (one on a paragraph, with a note and tags; one
    on a whole article), their creation time pinned, and the export folder pinned."""
    from reader.app import NewsreaderApp

    files = article_files(tmp_path / "articles", ARTICLES)
    core = Newsreader.open(tmp_path / "library", settings)
    try:
        assert core.add([str(f) for f in files]).added == len(ARTICLES)
        ids = {a.title: a.id for a in core.list()}
        core.bookmarks.add(ids[STORM], passage=2, note="market stalls shut",
                           tags=["harbour", "economy"])
        core.bookmarks.add(ids[MUSEUM], note="visit")
        with core.library.transaction() as db:
            db.execute("UPDATE bookmarks SET created = ?", (CREATED,))
    finally:
        core.close()
    monkeypatch.setattr(NewsreaderApp, "export_dir", lambda self: Path("/home/reader/Documents"))
    return make_app(settings, tmp_path / "library")


async def open_article(pilot: Pilot, row: int = 0) -> ArticleScreen:
    """The library's row `row` (newest first: 0 is STORM, 2 the bakery), opened."""
    await ready(pilot)
    await pilot.press(*["j"] * row, "enter")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, ArticleScreen) and pilot.app.screen.article,
        "the article",
    )
    screen = pilot.app.screen
    assert isinstance(screen, ArticleScreen)
    return screen


async def bookmarks_shown(pilot: Pilot) -> None:
    from reader.screens.bookmarks import BookmarksScreen

    await ready(pilot)
    await pilot.press("ctrl+b")
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, BookmarksScreen) and len(pilot.app.screen.shown) == 2,
        "the bookmarks",
    )


def test_entity_panel(snap_compare, snapshot_app):
    """`E`: the article's entities by type, each with its mentions, the headings as legend."""
    from reader.widgets.panels import EntityPanel

    async def run_before(pilot: Pilot) -> None:
        screen = await open_article(pilot, 2)
        panel = screen.query_one(EntityPanel)
        await until(pilot, lambda: panel.option_count > 0, "the entities")
        await pilot.press("E")
        await until(pilot, lambda: panel.display and panel.has_focus, "the entity panel")
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_related_panel(snap_compare, snapshot_app):
    """`r`: passages elsewhere related to the paragraph under the cursor, with the reason."""
    from reader.widgets.panels import RelatedPanel

    async def run_before(pilot: Pilot) -> None:
        screen = await open_article(pilot)
        await pilot.press("j", "j", "r")  # the harbour market paragraph
        panel = screen.query_one(RelatedPanel)
        await until(
            pilot,
            lambda: panel.option_count > 1
            or "Nothing" in str(panel.get_option_at_index(panel.option_count - 1).prompt),
            "the related passages",
        )
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_bookmarks_screen(snap_compare, marked_app):
    async def run_before(pilot: Pilot) -> None:
        await bookmarks_shown(pilot)
        await steady(pilot)

    assert snap_compare(marked_app, terminal_size=SIZE, run_before=run_before)


def test_bookmark_editor(snap_compare, marked_app):
    """`e` on a bookmark: its note and tags, ready to edit."""
    from reader.screens.dialogs import BookmarkEditor

    async def run_before(pilot: Pilot) -> None:
        await bookmarks_shown(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(pilot.app.screen, BookmarkEditor), "the editor")
        await steady(pilot)

    assert snap_compare(marked_app, terminal_size=SIZE, run_before=run_before)


def test_export_dialog(snap_compare, marked_app):
    from reader.screens.dialogs import ExportDialog

    async def run_before(pilot: Pilot) -> None:
        await bookmarks_shown(pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(pilot.app.screen, ExportDialog), "the dialog")
        await steady(pilot)

    assert snap_compare(marked_app, terminal_size=SIZE, run_before=run_before)


def test_goto_finder(snap_compare, snapshot_app):
    """`ctrl+o`, then part of a title: the matching titles, best first."""
    from reader.screens.goto import GotoScreen

    async def run_before(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(pilot.app.screen, GotoScreen), "the finder")
        await pilot.press(*"harb")
        status = pilot.app.screen.query_one("#goto-status")
        await until(pilot, lambda: "match" in str(status.content), "the matches")
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, snapshot_app):
    """`?` over the library: every binding of the screen underneath, with its id."""
    from reader.screens.help import HelpScreen

    async def run_before(pilot: Pilot) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await steady(pilot)

    assert snap_compare(snapshot_app, terminal_size=SIZE, run_before=run_before)
