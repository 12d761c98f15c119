"""Fixtures of the unit tier (the core in process)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookmark_helpers import ids
from export_helpers import EVIL_NOTE, EVIL_TITLE

from index.bookmarks import Bookmarks
from index.config import Settings
from index.core import Newsreader


@pytest.fixture
def marked(small_library: Newsreader) -> Bookmarks:
    """The small library with bookmarks of every kind: whole article, passage, span; notes
    with newlines, tags, an article without URL."""
    by_title = ids(small_library)
    marks = Bookmarks(small_library.library)
    missiles = by_title["Russian warships fire cruise missiles at Syria"]
    marks.add(missiles, note="whole article", tags=["syria"])
    marks.add(missiles, passage=1, note="the sub\nsecond line", tags=["navy", "syria"])
    marks.add(missiles, passage=2, start=18, end=24, note="span")
    marks.add(by_title["Syrian troops retake Palmyra"], passage=3, note="zeppelin", tags=["odd"])
    marks.add(by_title["England win the cricket world cup"], passage=0)
    return marks


@pytest.fixture
def evil(tmp_path: Path, no_seed_settings: Settings, article_files):
    """A library with one article whose title and URL are hostile, bookmarked with a note
    that is a spreadsheet formula."""
    core = Newsreader.open(tmp_path / "evil-lib", no_seed_settings)
    files = article_files(
        tmp_path / "evil",
        [
            {
                "file": "evil.jsonl",
                "title": EVIL_TITLE,
                "date": "2020-01-02",
                "source": "-2+3",
                "url": "javascript:alert(1)",
                "paragraphs": [
                    "If x < y, then **stars**, [link](javascript:alert(1)), $math$ and %%hidden%%.",
                    "@SUM(A1:A2)",
                ],
            }
        ],
    )
    assert core.add([str(f) for f in files]).added == 1
    marks = Bookmarks(core.library)
    aid = ids(core)[EVIL_TITLE]
    marks.add(aid, passage=0, note=EVIL_NOTE, tags=["x"])
    marks.add(aid, passage=1, note="+1 -1 @me")
    yield marks
    core.close()


@pytest.fixture
def marks(small_library: Newsreader) -> Bookmarks:
    return Bookmarks(small_library.library)
