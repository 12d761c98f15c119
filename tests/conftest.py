"""Fixtures shared by every test module.

Isolation is automatic: each test gets its own HOME, XDG dirs and NEWSREADER_HOME under a
temporary directory, and NEWSREADER_CONFIG is unset, so nothing reads or writes the real home.

Library fixtures (all with seeding off unless named "demo"):
- `no_seed_config`: path of a config.yaml that turns demo seeding off (for `--config`).
- `no_seed_settings`: the Settings loaded from it.
- `small_library`: a Newsreader on a fresh library holding library_helpers.SMALL_ARTICLES
  (`small_articles` gives them as dicts; `article_files` writes such dicts as input files).
- `demo_library`: a Newsreader on the seeded demo library (294 articles), built once per test
  process. It is SHARED: read from it, never add, remove or bookmark in it.
- `run_cli`: run `newsreader ARGS...` in-process; returns exit code, stdout and stderr.
- `feed_server`: a real HTTP server on 127.0.0.1 for feeds (ETag/304, errors, redirects, delays).
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from library_helpers import SMALL_ARTICLES, write_articles

from index.config import Settings, load_settings
from index.core import Newsreader

# /work/shared (corpora, tools) sits beside the repository; tests using it skip without it.
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME, the XDG dirs and NEWSREADER_HOME at a fresh temporary folder (not tmp_path,
    which stays the test's own) and unset NEWSREADER_CONFIG. Returns that folder."""
    root = tmp_path_factory.mktemp("env")
    for var, sub in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "home/.config"),
        ("XDG_DATA_HOME", "home/.local/share"),
        ("XDG_CACHE_HOME", "home/.cache"),
        ("XDG_STATE_HOME", "home/.local/state"),
        ("NEWSREADER_HOME", "newsreader-home"),
    ):
        monkeypatch.setenv(var, str(root / sub))
    (root / "home").mkdir()
    monkeypatch.delenv("NEWSREADER_CONFIG", raising=False)
    return root


@pytest.fixture
def no_seed_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config file that turns demo seeding off, for `--config` or load_settings()."""
    path = tmp_path_factory.mktemp("config") / "config.yaml"
    path.write_text("library:\n  seed_demo: false\n", encoding="utf-8")
    return path


@pytest.fixture
def no_seed_settings(no_seed_config: Path) -> Settings:
    settings = load_settings(no_seed_config)
    assert settings.library.seed_demo is False
    return settings


@pytest.fixture
def small_articles() -> list[dict]:
    """What `small_library` holds (a fresh copy: change it freely)."""
    return [dict(a, paragraphs=list(a["paragraphs"])) for a in SMALL_ARTICLES]


@pytest.fixture
def article_files():
    """write_articles(folder, articles) -> files: articles as .txt / .jsonl inputs for add."""
    return write_articles


@pytest.fixture
def small_library(tmp_path: Path, no_seed_settings: Settings) -> Iterator[Newsreader]:
    """A Newsreader on a new library at tmp_path/"library", holding SMALL_ARTICLES (added
    through core.add from .txt and .jsonl files in tmp_path/"articles")."""
    files = write_articles(tmp_path / "articles", SMALL_ARTICLES)
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    report = core.add([str(f) for f in files])
    assert not report.failures, report.failures
    assert report.added == len(SMALL_ARTICLES)
    yield core
    core.close()


@pytest.fixture(scope="session")
def demo_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newsreader]:
    """The demo library seeded from seeds/, once per test process. Shared: do not modify."""
    config = tmp_path_factory.mktemp("demo-config") / "config.yaml"
    # Explicit, so neither the real environment nor a user config file can change it.
    config.write_text("library:\n  seed_demo: true\n", encoding="utf-8")
    core = Newsreader.open(tmp_path_factory.mktemp("demo") / "library", load_settings(config))
    # Everything into the main database file, so a copy of the folder is complete on its own.
    core.library.query("PRAGMA wal_checkpoint(TRUNCATE)")
    yield core
    core.close()


@pytest.fixture
def demo_copy(demo_library: Newsreader, tmp_path: Path) -> Path:
    """A private copy of the shared demo library (the app marks articles read, so the shared
    one is never opened by an app)."""
    target = tmp_path / "demo"
    shutil.copytree(demo_library.library.directory, target)
    return target


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run the `newsreader` command in-process: run_cli("--library", d, "stats", stdin="...").
    Usage errors (argparse's SystemExit) come back as their exit code."""
    from reader.main import main

    def run(*args: str | Path, stdin: str | bytes | None = None) -> CliResult:
        if stdin is not None:
            data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), "utf-8"))
        capsys.readouterr()  # drop anything printed before this run
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch):
    """A real HTTP server on 127.0.0.1 serving feeds (tests/feed_server.py)."""
    from feed_server import serving

    yield from serving(monkeypatch)
