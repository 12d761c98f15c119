"""Fixtures of the functional tier (the reader under the pilot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from feed_server import FeedServer
from reader_feed_server import feed
from reader_feeds_helpers import items
from reader_pilot_helpers import AIRSHIP
from security_helpers import SECRET

from index.config import Settings
from index.core import Newsreader


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    return feed_server


@pytest.fixture
def world(tmp_path: Path, no_seed_settings: Settings, server: FeedServer, article_files) -> Path:
    """A closed library with one article from a file and five subscriptions, fetched once:
    Weather Notes (no group), News > World Wire, News/Local > Harbour News, Tech > Gadget
    Blog, and Tech > a feed that answers 404. One Harbour article is read."""
    feeds = [
        ("/weather.xml", "Weather Notes", "", items("weather", 1)),
        ("/world.xml", "World Wire", "News", items("world", 2)),
        ("/harbour.xml", "Harbour News", "News/Local", items("harbour", 3)),
        ("/gadgets.xml", "Gadget Blog", "Tech", items("gadget", 2)),
    ]
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    try:
        files = article_files(
            tmp_path / "files",
            [
                {
                    "file": "local.txt",
                    "title": "A local article from a file",
                    "date": None,
                    "source": None,
                    "url": None,
                    "paragraphs": ["Nothing to do with feeds."],
                }
            ],
        )
        assert core.add([str(f) for f in files]).added == 1
        for path, title, group, its in feeds:
            url = feed(server, path, title, its)
            assert core.feeds.subscribe([url], group=group, fetch=False).added
        assert core.feeds.subscribe([server.url("/broken.xml")], group="Tech", fetch=False).added
        report = core.feeds.refresh()
        assert report.added == 8 and report.failed == 1
        harbour = next(f for f in core.feeds.list() if f.title == "Harbour News")
        core.mark_read(core.feeds.article_ids([harbour.id])[0])
    finally:
        core.close()
    return tmp_path / "library"


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


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET}\nroot:x:0:0:root:/root:/bin/bash\n")
    return path
