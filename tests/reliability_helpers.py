"""Helpers for the reliability tests (crash, concurrency, storage, scale, security): running
`newsreader` in a real subprocess, generating inputs, and checking that the search index holds
exactly the library's articles."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from index.core import Newsreader
from index.storage.library import Library

REPO = Path(__file__).resolve().parents[1]


def newsreader_argv(library: Path, config: Path, *args: str | Path) -> list[str]:
    """The command line of `newsreader --library L --config C ARGS...` (this interpreter)."""
    return [
        sys.executable,
        "-m",
        "reader.main",
        "--library",
        str(library),
        "--config",
        str(config),
        *(str(a) for a in args),
    ]


def run_newsreader(
    library: Path, config: Path, *args: str | Path, timeout: float = 600, **kwargs
) -> subprocess.CompletedProcess[str]:
    """Run newsreader to completion in a subprocess (its environment is the test's: the
    autouse fixture has pointed HOME and the XDG dirs at temporary folders)."""
    return subprocess.run(
        newsreader_argv(library, config, *args),
        cwd=REPO,
        text=True,
        capture_output=True,
        timeout=timeout,
        **kwargs,
    )


def start_newsreader(library: Path, config: Path, *args: str | Path, **kwargs) -> subprocess.Popen:
    """Start newsreader in a subprocess with piped output, read by communicate() at the end
    (for commands that print little: a full pipe would stall the child)."""
    return subprocess.Popen(
        newsreader_argv(library, config, *args),
        cwd=REPO,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, proc: subprocess.Popen | None = None
) -> bool:
    """Poll `condition` until it holds (True) or `proc` has exited (False); fail the test
    after `timeout` seconds. A deadline on observable progress, not a sleep to synchronise."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.002)


def kill(proc: subprocess.Popen) -> tuple[bool, str]:
    """SIGKILL the process. Returns whether it was still running (so the kill interrupted
    it) and what it wrote to stderr."""
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    return alive and proc.returncode == -signal.SIGKILL, err or ""


def cpu_seconds(pid: int) -> float:
    """CPU time a running process has used (Linux /proc): a measure of its progress."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LibraryProbe:
    """A read-only look at a library's SQLite file from outside any Newsreader, for polling
    while another process writes it."""

    def __init__(self, library: Path) -> None:
        self.path = library / Library.FILE
        self._db: sqlite3.Connection | None = None

    def count(self) -> int:
        if self._db is None:
            if not self.path.exists():
                return 0
            self._db = sqlite3.connect(self.path, timeout=30)
        try:
            return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def write_jsonl(path: Path, start: int, stop: int, tag: str = "uq") -> list[dict]:
    """Rows `start`..`stop` of a generated wire feed: unique URL, unique token `{tag}NNNNNNx`
    in the body, and two names the entity extractor finds in every article."""
    rows = []
    with open(path, "w", encoding="utf-8") as f:
        for i in range(start, stop):
            row = {
                "title": f"Report {i} on the talks",
                "url": f"https://wire.example/{tag}/{i}",
                "date": f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "body": f"Vladimir Putin met officials in Moscow on Tuesday. {tag}{i:06d}x\n\n"
                f"The talks covered trade, energy and item {i} of the agenda.",
            }
            rows.append(row)
            f.write(json.dumps(row) + "\n")
    return rows


def token(tag: str, i: int) -> str:
    return f"{tag}{i:06d}x"


def index_article_docs(core: Newsreader) -> Counter[int]:
    """How many live article documents the index holds per article id (passage documents,
    which carry a passage number, are not counted)."""
    counts: Counter[int] = Counter()
    with core.index.searcher() as s:
        for fields in s.reader().all_stored_fields():
            if "n" not in fields:
                counts[int(fields["article"])] += 1
    return counts


def library_ids(core: Newsreader) -> set[int]:
    return {r[0] for r in core.library.query("SELECT id FROM articles")}


def assert_index_matches_library(core: Newsreader) -> None:
    """Every article of the library is in the index exactly once, and nothing else is."""
    docs = index_article_docs(core)
    ids = library_ids(core)
    missing = ids - set(docs)
    extra = set(docs) - ids
    twice = {a for a, n in docs.items() if n > 1}
    assert not (missing or extra or twice), (
        f"index vs library: {len(missing)} missing (e.g. {sorted(missing)[:5]}), "
        f"{len(extra)} not in the library, {len(twice)} indexed twice"
    )


def assert_no_duplicate_urls(core: Newsreader) -> None:
    rows = core.library.query(
        "SELECT url, COUNT(*) FROM articles WHERE url IS NOT NULL GROUP BY url HAVING COUNT(*) > 1"
    )
    assert not rows, f"articles stored twice: {[tuple(r) for r in rows[:5]]}"


def articles_without_mentions(core: Newsreader, url_prefix: str) -> list[int]:
    """Generated articles (all of which name a person and a place) with no entity mention."""
    return [
        r[0]
        for r in core.library.query(
            "SELECT a.id FROM articles a WHERE a.url LIKE ? AND NOT EXISTS"
            " (SELECT 1 FROM mentions m WHERE m.article_id = a.id)",
            (url_prefix + "%",),
        )
    ]


def bookmark_snapshot(core: Newsreader) -> list[dict]:
    return [b.to_json() for b in core.bookmarks.list()]


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]


def many_articles(demo: Newsreader, count: int) -> list[dict]:
    """`count` articles made of the demo library's paragraphs (real names, real prose)."""
    paragraphs = [
        p
        for r in demo.library.query("SELECT body FROM articles ORDER BY id")
        for p in r["body"].split("\n\n")
        if len(p) > 80
    ]
    return [
        {
            "title": f"Dispatch {n}",
            "url": f"https://wire.example/{n}",
            "body": "\n\n".join(paragraphs[(n * 3 + k) % len(paragraphs)] for k in range(3)),
        }
        for n in range(count)
    ]
