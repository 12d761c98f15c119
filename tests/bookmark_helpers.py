"""What the bookmark tests share: articles by title, the missiles article, re-ingesting one."""

from __future__ import annotations

from pathlib import Path

from index.core import Newsreader


def ids(core: Newsreader) -> dict[str, int]:
    return {a.title: a.id for a in core.list()}


def missiles(small_articles: list[dict]) -> dict:
    return next(a for a in small_articles if a["url"] == "https://example.com/news/missiles")


def reingest(core: Newsreader, folder: Path, article: dict, article_files) -> None:
    """Add `article` again from a new file: same URL (or same .txt path), new paragraphs."""
    files = article_files(folder, [article])
    report = core.add([str(f) for f in files])
    assert (report.updated, report.failed) == (1, 0), report.summary()
