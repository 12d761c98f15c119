"""`newsreader feeds …` and `newsreader refresh` as users and cron run them: output, exit
codes, export and import, a refresh killed at random moments, and two refreshes at once."""

from __future__ import annotations

import json
import os
import pty
import random
import sqlite3
import subprocess
from pathlib import Path

import pytest
from feed_server import FeedServer, rss
from reliability_helpers import (
    assert_index_matches_library,
    assert_no_duplicate_urls,
    kill,
    newsreader_argv,
    no_traceback,
    run_newsreader,
    start_newsreader,
    wait_until,
)

from index.config import load_settings
from index.core import Newsreader
from index.ingest.feeds import opml_subscriptions

REPO = Path(__file__).resolve().parents[2]


def items(prefix: str, n: int) -> list[dict]:
    return [
        {
            "title": f"{prefix} headline {i}",
            "link": f"http://news.test/{prefix}/{i}",
            "guid": f"{prefix}/{i}",
            "description": f"<p>{prefix} report number {i} on the harbour.</p>",
        }
        for i in range(n)
    ]


def test_feeds_add_list_refresh_remove_and_export(
    run_cli, feed_server: FeedServer, tmp_path: Path, no_seed_config: Path
) -> None:
    lib = ["--library", tmp_path / "lib", "--config", no_seed_config]
    good = feed_server.serve("/good.xml", rss(items("g", 2), title="Good Wire"), etag='"g"')
    dead = feed_server.url("/dead.xml")
    res = run_cli(*lib, "feeds", "add", good, dead, "--group", "World")
    assert res.code == 1
    assert res.out.splitlines() == [
        "subscribed to 1 feeds, 1 failed",
        "refreshed 1 feeds: +2 new, 0 updated, 0 failed",
    ]
    assert f"{dead}: HTTP 404 Not Found" in res.err
    listed = run_cli(*lib, "feeds", "list", "--json").json()
    assert [(f["title"], f["group"], f["articles"], f["unread"]) for f in listed] == [
        ("Good Wire", "World", 2, 2)
    ]
    assert set(listed[0]) >= {"id", "url", "last_fetched", "last_error", "next_due", "failures"}
    res = run_cli(*lib, "refresh")
    assert (res.code, res.out) == (0, "refreshed 1 feeds: +0 new, 0 updated, 0 failed\n")
    text = run_cli(*lib, "feeds", "list").out
    assert "[World] Good Wire  (2 articles, 2 unread)" in text
    # A feed that starts failing is listed with its error; refresh exits 1 and names it.
    feed_server.serve("/good.xml", "gone", status=410)
    res = run_cli(*lib, "refresh")
    assert res.code == 1 and f"{good}: HTTP 410 Gone" in res.err
    assert res.out == "refreshed 1 feeds: +0 new, 0 updated, 1 failed\n"
    assert "failing (1x): HTTP 410 Gone" in run_cli(*lib, "feeds", "list").out
    assert run_cli(*lib, "refresh", "99").code == 2
    out = tmp_path / "subs.opml"
    res = run_cli(*lib, "feeds", "export", "-o", out)
    assert res.code == 0 and [s.url for s in opml_subscriptions(out.read_text())] == [good]
    # An output that cannot be written: a message and exit 1, the old file untouched.
    for bad in (tmp_path / "no-such-folder" / "subs.opml", tmp_path):
        res = run_cli(*lib, "feeds", "export", "-o", bad)
        assert res.code == 1 and f"newsreader: {bad}: cannot write:" in res.err, res.err
        assert "Traceback" not in res.err
    assert [s.url for s in opml_subscriptions(out.read_text())] == [good]
    feed_id = str(listed[0]["id"])
    res = run_cli(*lib, "feeds", "remove", feed_id)
    assert (res.code, res.out) == (0, "unsubscribed from Good Wire\n")
    assert run_cli(*lib, "feeds", "list", "--json").json() == []
    assert len(run_cli(*lib, "list", "--json").json()) == 2  # the articles stay
    assert run_cli(*lib, "feeds", "remove", feed_id).code == 2


def test_subscriptions_travel_in_the_json_export(
    run_cli, feed_server: FeedServer, tmp_path: Path, no_seed_config: Path
) -> None:
    one = ["--library", tmp_path / "one", "--config", no_seed_config]
    two = ["--library", tmp_path / "two", "--config", no_seed_config]
    a = feed_server.serve("/a.xml", rss(items("a", 1), title="A"))
    b = feed_server.serve("/b.xml", rss(items("b", 1), title="B"))
    assert run_cli(*one, "feeds", "add", a, "--group", "News/Tech").code == 0
    assert run_cli(*one, "feeds", "add", b, "--full-text", "--no-fetch").code == 0
    export = tmp_path / "all.json"
    assert run_cli(*one, "export", "--format", "json", "-o", export).code == 0
    doc = json.loads(export.read_text())
    assert [(f["url"], f["group"], f["full_text"]) for f in doc["feeds"]] == [
        (b, "", True),
        (a, "News/Tech", False),
    ]
    res = run_cli(*two, "import", export)
    assert res.code == 0 and "subscribed to 2 feeds" in res.out
    feeds = run_cli(*two, "feeds", "list", "--json").json()
    assert {(f["url"], f["title"], f["group"], f["full_text"]) for f in feeds} == {
        (a, "A", "News/Tech", False),
        (b, None, "", True),
    }
    assert "subscribed" not in run_cli(*two, "import", export).out  # merged, not doubled


def test_progress_line_per_feed_on_a_terminal(
    feed_server: FeedServer, tmp_path: Path, no_seed_config: Path
) -> None:
    urls = [feed_server.serve(f"/{n}.xml", rss(items(n, 1), title=n.upper())) for n in "ab"]
    library = tmp_path / "lib"
    add = run_newsreader(library, no_seed_config, "feeds", "add", "--no-fetch", *urls)
    assert add.returncode == 0, add.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        newsreader_argv(library, no_seed_config, "refresh"),
        cwd=REPO, stdout=subprocess.PIPE, stderr=follower, text=True,
    )
    os.close(follower)
    out, _ = proc.communicate(timeout=120)
    shown = _drain(leader)
    assert proc.returncode == 0 and out == "refreshed 2 feeds: +2 new, 0 updated, 0 failed\n"
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    # Feeds are stored in the order their fetches end: which comes first may vary.
    assert sorted(line[6:] for line in lines) == ["A: +1 new, 0 updated", "B: +1 new, 0 updated"]
    assert [line[:6] for line in lines] == ["[1/2] ", "[2/2] "]


def _drain(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


# -- crash and concurrency ------------------------------------------------------------------
FEEDS, ENTRIES = 40, 30


def _subscribed_to_many(server: FeedServer, library: Path, config: Path) -> None:
    """A library subscribed (not yet refreshed) to FEEDS feeds of ENTRIES entries each."""
    urls = [
        server.serve(f"/f{n}.xml", rss(items(f"f{n}", ENTRIES), title=f"Feed {n}"), etag=f'"{n}"')
        for n in range(FEEDS)
    ]
    add = run_newsreader(library, config, "feeds", "add", "--no-fetch", *urls)
    assert add.returncode == 0, add.stderr


def _check_consistent(library: Path, config: Path) -> tuple[int, int]:
    """Every feed whose validators were saved has all its entries; no article is stored twice;
    returns (feeds fetched, articles)."""
    db = sqlite3.connect(library / "library.sqlite3")
    try:
        fetched = db.execute("SELECT id FROM feeds WHERE etag IS NOT NULL").fetchall()
        for (feed_id,) in fetched:
            n = db.execute("SELECT COUNT(*) FROM feed_entries WHERE feed_id=?", (feed_id,))
            assert n.fetchone()[0] == ENTRIES
        dangling = db.execute(
            "SELECT COUNT(*) FROM feed_entries e LEFT JOIN articles a ON a.id = e.article_id"
            " WHERE a.id IS NULL"
        ).fetchone()[0]
        assert dangling == 0
        return len(fetched), db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        db.close()


def _fetched_feeds(library: Path) -> int:
    try:
        db = sqlite3.connect(library / "library.sqlite3", timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM feeds WHERE etag IS NOT NULL").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _final_state(library: Path, config: Path) -> None:
    core = Newsreader.open(library, load_settings(config))
    try:
        assert core.library.count() == FEEDS * ENTRIES
        assert_no_duplicate_urls(core)
        assert_index_matches_library(core)
        assert all(f.articles == ENTRIES and f.last_error is None for f in core.feeds.list())
    finally:
        core.close()


@pytest.mark.slow
def test_refresh_killed_at_random_moments_loses_nothing(
    feed_server: FeedServer, tmp_path: Path, no_seed_config: Path
) -> None:
    library = tmp_path / "lib"
    _subscribed_to_many(feed_server, library, no_seed_config)
    rng = random.Random(16)
    interrupted = 0
    for attempt in range(4):
        before = _fetched_feeds(library)
        proc = start_newsreader(library, no_seed_config, "refresh")
        target = min(FEEDS, before + rng.randint(1, 12))
        wait_until(lambda t=target: _fetched_feeds(library) >= t, 120, "feeds stored", proc)
        killed, err = kill(proc)
        interrupted += killed
        no_traceback(err)
        fetched, articles = _check_consistent(library, no_seed_config)
        assert articles == fetched * ENTRIES, f"attempt {attempt}"
    assert interrupted >= 2  # the kills did land in the middle of refreshes
    done = run_newsreader(library, no_seed_config, "refresh")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"refreshed {FEEDS} feeds: +")
    _check_consistent(library, no_seed_config)
    _final_state(library, no_seed_config)
    # Everything is stored: a last refresh is all 304s.
    last = run_newsreader(library, no_seed_config, "refresh")
    assert last.stdout == f"refreshed {FEEDS} feeds: +0 new, 0 updated, 0 failed\n"


@pytest.mark.slow
def test_two_refreshes_at_once_store_each_entry_once(
    feed_server: FeedServer, tmp_path: Path, no_seed_config: Path
) -> None:
    library = tmp_path / "lib"
    _subscribed_to_many(feed_server, library, no_seed_config)
    procs = [start_newsreader(library, no_seed_config, "refresh") for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        no_traceback(err)
    added = [int(out.split("+")[1].split()[0]) for out, _ in results]
    assert sum(added) == FEEDS * ENTRIES  # each entry arrived in exactly one of them
    _final_state(library, no_seed_config)
