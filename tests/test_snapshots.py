"""SVG snapshots of the reader's key screens at 100×30 (pytest-textual-snapshot).

Deterministic by construction: a small library built from the fixture articles below (fixed
dates and sources, all unread), a fixed theme, no cursor blink, and the search timing in the
status line pinned to 0 ms. Review the SVGs in tests/__snapshots__/ before accepting a change
with `pytest tests/test_snapshots.py --snapshot-update`."""

from __future__ import annotations

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
            "A family bakery on Mill Street won the national sourdough prize.",
            "The owners said the secret was patience.",
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
