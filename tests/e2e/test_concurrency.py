"""Two processes, one library (issue 8, part 2). A Newsreader held open in this process stands
for the TUI while `newsreader add` runs in another: nothing fails or is lost, and the open core
finds the new articles without being reopened. Two `add` processes at once both succeed, the
one that has to wait for the index says so (no traceback), and every article arrives once."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pytest
from reliability_helpers import (
    REPO,
    articles_without_mentions,
    assert_index_matches_library,
    assert_no_duplicate_urls,
    bookmark_snapshot,
    newsreader_argv,
    no_traceback,
    token,
    wait_until,
    write_jsonl,
)
from whoosh import index as windex

from index.config import Settings
from index.core import Newsreader
from index.ingest import iter_inputs
from index.search.indexing.search_index import SearchIndex

WAITING = "the search index is being written by another newsreader; waiting"


@pytest.fixture
def library(tmp_path: Path, no_seed_settings: Settings, small_articles, article_files) -> Path:
    """A library holding the small articles, closed again."""
    lib = tmp_path / "library"
    core = Newsreader.open(lib, no_seed_settings)
    try:
        core.add([str(p) for p in article_files(tmp_path / "articles", small_articles)])
    finally:
        core.close()
    return lib


class Child:
    """A newsreader subprocess whose output goes to files, so it can be read while it runs."""

    def __init__(self, folder: Path, library: Path, config: Path, *args: str | Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = folder / "stdout", folder / "stderr"
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(
                newsreader_argv(library, config, *args), cwd=REPO, stdout=out, stderr=err, text=True
            )

    @property
    def err(self) -> str:
        return self.err_path.read_text()

    @property
    def out(self) -> str:
        return self.out_path.read_text()

    def wait(self, timeout: float = 600) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def test_open_core_sees_what_another_process_adds(
    tmp_path: Path, library: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    rows = 2500  # three batches: the other process commits several times
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, 0, rows)
    core = Newsreader.open(library, no_seed_settings)
    try:
        base = core.library.count()
        palmyra = core.search("palmyra").total
        assert palmyra and not core.search(token("uq", 7)).hits
        assert not any(t.startswith("Report") for _, t, _ in core.find("Report 7 on the talks"))
        child = Child(tmp_path / "add", library, no_seed_config, "add", feed)
        try:
            # Use the library the whole time, as a reader open in another terminal does:
            # searching, listing, counting, and writing (reading state, a bookmark).
            seen = [base]
            first = core.list()[0].id
            while child.proc.poll() is None:
                assert core.search("palmyra").total == palmyra
                core.search("talks OR trade")
                seen.append(core.stats()["articles"])
                assert len(core.list(limit=5)) == 5
                core.mark_read(first)
            core.bookmarks.add(first, note="made while another process added")
            assert child.wait() == 0, child.err
        finally:
            child.stop()
        no_traceback(child.err)
        assert "added 2500" in child.out
        assert seen == sorted(seen)  # counts only ever grow
        # Without reopening: the library counts and the search see the new articles...
        assert core.stats()["articles"] == base + rows
        for i in (0, 999, 1000, 2499):
            hits = core.search(token("uq", i)).hits
            assert [h.title for h in hits] == [f"Report {i} on the talks"]
        assert core.search("palmyra").total == palmyra
        # ...as does the go-to finder, and the index holds every article exactly once.
        assert core.find("Report 2499 on the talks")[0][1] == "Report 2499 on the talks"
        assert_index_matches_library(core)
        assert core.get(first).read
        assert [b["note"] for b in bookmark_snapshot(core)] == ["made while another process added"]
    finally:
        core.close()


def test_two_adds_at_once_take_turns(
    tmp_path: Path, library: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(first, 0, 2500)
    write_jsonl(second, 2000, 4500)  # 500 articles in both
    holder = Newsreader.open(library, no_seed_settings)
    base = holder.library.count()
    children = []
    try:
        # This process holds the index write lock while both start, so both must wait for it:
        # what a second terminal's `add` meets while the first is writing the index.
        with holder.index.exclusive():
            for name, feed in (("a", first), ("b", second)):
                children.append(Child(tmp_path / name, library, no_seed_config, "add", feed))
            for child in children:
                wait_until(lambda c=child: WAITING in c.err, 300, "the waiting message", child.proc)
        for child in children:
            assert child.wait() == 0, child.err
    finally:
        holder.close()
        for child in children:
            child.stop()
    for child in children:
        no_traceback(child.err)
        assert WAITING in child.err
    added = [int(c.out.split("added ")[1].split(",")[0]) for c in children]
    assert sum(added) == 4500  # the 500 shared articles were added by one of them only

    core = Newsreader.open(library, no_seed_settings)
    try:
        assert core.library.count() == base + 4500
        assert_no_duplicate_urls(core)
        assert_index_matches_library(core)
        for i in (0, 2000, 2499, 4499):
            assert len(core.search(token("uq", i)).hits) == 1
    finally:
        core.close()


def test_two_adds_without_help_both_arrive(
    tmp_path: Path,
    library: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    small_articles: list[dict],
) -> None:
    """The same race, left to itself: whichever order the two processes' batches and index
    writes fall in, both succeed and the library and index agree."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(first, 0, 1500, tag="ua")
    write_jsonl(second, 0, 1500, tag="ub")
    children = [
        Child(tmp_path / "a", library, no_seed_config, "add", first),
        Child(tmp_path / "b", library, no_seed_config, "add", second),
    ]
    try:
        for child in children:
            assert child.wait() == 0, child.err
    finally:
        for child in children:
            child.stop()
    for child in children:
        no_traceback(child.err)
        assert "added 1500" in child.out
    core = Newsreader.open(library, no_seed_settings)
    try:
        assert core.library.count() == len(small_articles) + 3000
        assert_index_matches_library(core)
    finally:
        core.close()


def test_a_foreign_whoosh_writer_is_waited_for(
    tmp_path: Path, library: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    """Whoosh's own lock (held here as a newsreader from before the index write lock would)
    is waited on with the same message, and the add completes once it is released."""
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, 0, 50)
    holder = Newsreader.open(library, no_seed_settings)
    try:
        writer = windex.open_dir(str(holder.index.path)).writer()  # Whoosh's MAIN_WRITELOCK
        child = Child(tmp_path / "add", library, no_seed_config, "add", feed)
        try:
            wait_until(lambda: WAITING in child.err, 300, "the waiting message", child.proc)
            writer.cancel()
            assert child.wait() == 0, child.err
        finally:
            child.stop()
        no_traceback(child.err)
        assert len(holder.search(token("uq", 49)).hits) == 1
    finally:
        holder.close()


def test_a_lock_held_too_long_is_a_clear_failure(
    tmp_path: Path, library: Path, no_seed_config: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    """When the other writer never finishes, add gives up with a message and exit code 1; the
    articles it stored are kept and the index catches up when the lock is free again."""
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, 0, 20)
    monkeypatch.setattr(SearchIndex, "LOCK_WAIT", 0.3)  # the feature under test is the timeout
    fd = os.open(library / SearchIndex.LOCK, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another open file: conflicts like another process
        result = run_cli("--library", library, "--config", no_seed_config, "add", feed)
    finally:
        os.close(fd)
    assert result.code == 1
    no_traceback(result.err)
    assert WAITING in result.err
    assert "has been writing the search index for over 0.3 seconds" in result.err
    result = run_cli("--library", library, "--config", no_seed_config, "search", token("uq", 19))
    assert result.code == 0 and "Report 19 on the talks" in result.out


def test_no_process_claims_revisions_it_did_not_index(
    tmp_path: Path, library: Path, no_seed_settings: Settings
) -> None:
    """Process A stores a batch and dies before indexing it; process B then adds its own
    articles. B's index state must not claim A's revision as indexed: B (or the next open)
    indexes A's batch and extracts its entities too."""
    a = Newsreader.open(library, no_seed_settings)
    b = Newsreader.open(library, no_seed_settings)
    try:
        lost = tmp_path / "a.jsonl"
        write_jsonl(lost, 0, 30, tag="ua")
        # What a killed `add` leaves: the batch committed to the library, nothing after that.
        a.library.add_articles(p.article for p in iter_inputs([str(lost)]) if p.article)
        feed = tmp_path / "b.jsonl"
        write_jsonl(feed, 0, 30, tag="ub")
        assert b.add([str(feed)]).added == 30
        assert_index_matches_library(b)
        assert articles_without_mentions(b, "https://wire.example/") == []
        assert len(b.search(token("ua", 29)).hits) == 1
    finally:
        a.close()
        b.close()
