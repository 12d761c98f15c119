"""Fixtures of the end-to-end tier (the real `newsreader`)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "lib"


@pytest.fixture
def nr(run_cli, lib: Path, no_seed_config: Path):
    """`newsreader --library LIB --config NO_SEED ARGS...`"""
    return lambda *args, **kw: run_cli("--library", lib, "--config", no_seed_config, *args, **kw)


@pytest.fixture
def small(nr, tmp_path: Path, small_articles: list[dict], article_files) -> list[dict]:
    """The small articles added to LIB through the CLI."""
    files = article_files(tmp_path / "in", small_articles)
    result = nr("add", *files)
    assert result.code == 0, result.err
    return small_articles
