"""Fixtures shared by every test module.

Isolation is automatic: each test gets its own HOME, XDG dirs and NEWSREADER_HOME under a
temporary directory, and NEWSREADER_CONFIG is unset, so nothing reads or writes the real home.

Library fixtures (all with seeding off unless named "demo"):
- `no_seed_config`: path of a config.yaml that turns demo seeding off (for `--config`).
- `no_seed_settings`: the Settings loaded from it.
- `small_library`: a Newsreader on a fresh library holding the SMALL_ARTICLES below
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

from index.config import Settings, load_settings
from index.core import Newsreader

# /work/shared (corpora, tools) sits beside the repository; tests using it skip without it.
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"

# The small library, one entry per article: (file, title, date, source, url, paragraphs).
# Words the tests rely on: "zeppelin" appears only in paragraph 3 of the Palmyra article;
# "Palmyra" is in two articles; dates straddle the month and year boundaries date: tests use.
SMALL_ARTICLES: list[dict] = [
    {
        "file": "palmyra.txt",
        "title": "Syrian troops retake Palmyra",
        "date": None,
        "source": None,
        "url": None,
        "paragraphs": [
            "Syrian troops backed by Russian airstrikes entered the ancient city of Palmyra "
            "on Thursday, the defense ministry in Moscow said.",
            "The city changed hands several times during the long war.",
            "Archaeologists fear for the Roman colonnade and the temple ruins.",
            "Witnesses said a slow zeppelin drifted above the desert at dawn.",
        ],
    },
    {
        "file": "election.txt",
        "title": "Austria votes in a snap election",
        "date": None,
        "source": None,
        "url": None,
        "paragraphs": [
            "Voters in Vienna and across Austria chose a new parliament on Sunday.",
            "Turnout was higher than at the previous election, officials said.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Russian warships fire cruise missiles at Syria",
        "date": "2017-05-31",
        "source": "Reuters",
        "url": "https://example.com/news/missiles",
        "paragraphs": [
            "Russian warships in the Mediterranean Sea fired four cruise missiles at targets "
            "near Palmyra, the ministry said on Wednesday.",
            "The submarine Krasnodar took part in the strike.",
            "Analysts said the launch was also a message to Washington.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Heatwave grips southern Europe",
        "date": "2017-06-30",
        "source": "BBC News",
        "url": "https://example.com/news/heatwave",
        "paragraphs": [
            "Temperatures above forty degrees were recorded in Seville and Athens.",
            "Firefighters battled wildfires in the hills outside Lisbon.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Vienna opera ball is cancelled",
        "date": "2017-05-01",
        "source": "Reuters",
        "url": "https://example.com/news/opera-ball",
        "paragraphs": [
            "The Vienna State Opera called off its annual ball for the first time in decades.",
            "Ticket holders will be refunded, the organisers said.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Telescope photographs a distant galaxy",
        "date": "2018-01-20",
        "source": "Associated Press",
        "url": "https://example.com/news/galaxy",
        "paragraphs": [
            "Astronomers released images of a spiral galaxy twelve billion light years away.",
            "The telescope was launched two years ago from French Guiana.",
            "Its mirror is made of eighteen hexagonal segments.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "England win the cricket world cup",
        "date": "2019-07-14",
        "source": "Wikinews",
        "url": "https://example.com/news/cricket",
        "paragraphs": [
            "England beat New Zealand in a super over at Lord's to win the world cup.",
            "The final was described as the greatest one-day match ever played.",
        ],
    },
]


def write_articles(folder: Path, articles: list[dict]) -> list[Path]:
    """Write articles as files an ingest understands: .txt (title line, blank line, body) or
    .jsonl rows (title, date, source, url, body). Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    for a in articles:
        body = "\n\n".join(a["paragraphs"])
        if a["file"].endswith(".jsonl"):
            row = {k: a[k] for k in ("title", "date", "source", "url") if a.get(k)}
            written.setdefault(a["file"], []).append(json.dumps(row | {"body": body}))
        else:
            written[a["file"]] = [a["title"], "", body]
    for name, lines in written.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [folder / name for name in written]


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
