"""Crash safety (issue 8, part 1): `newsreader add` is killed with SIGKILL at many points of a
large ingest: while starting, parsing, right after a batch reached the library, while Whoosh
writes its segment files, right after a batch was indexed. After every kill the library opens,
the index holds exactly the library's articles (it repairs itself from the library on open),
every article has its entities, and the bookmarks made before the first kill are untouched.
Re-running the same add finishes with exit code 0 and no article twice."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from reliability_helpers import (
    LibraryProbe,
    articles_without_mentions,
    assert_index_matches_library,
    assert_no_duplicate_urls,
    bookmark_snapshot,
    cpu_seconds,
    kill,
    no_traceback,
    run_newsreader,
    start_newsreader,
    token,
    wait_until,
    write_jsonl,
)

from index.config import Settings
from index.core import Newsreader
from index.ingest import iter_inputs

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="watches the child's progress in Linux /proc"
)

SEED = 8_2026
ROWS = 8000  # eight batches of index.core.BATCH: one per kill point
WIRE = "https://wire.example/"
# Where a kill lands, by what the test waits for before it sends SIGKILL.
MODES = (
    "cpu",  # after a random amount of CPU time: start-up, parsing, extraction, indexing...
    "stored",  # as soon as a new batch is visible in the library: before it is indexed
    "index-files",  # as soon as the index folder changes after that: Whoosh mid-commit
    "indexed",  # as soon as the index state file changes: between two batches
)
WAIT = 300  # seconds: a deadline for progress, never reached when things work


def _index_listing(library: Path) -> frozenset[str]:
    try:
        return frozenset(p.name for p in (library / "index").iterdir())
    except OSError:
        return frozenset()


def _state(library: Path) -> str:
    try:
        return (library / "index" / "state.json").read_text()
    except OSError:
        return ""


def _kill_point(mode: str, proc, probe: LibraryProbe, library: Path, rng: random.Random) -> None:
    """Wait (polling, with a deadline) until the child reaches the kill point of `mode`; returns
    early if the child exits first."""
    before = probe.count()
    if mode == "cpu":
        spent = rng.uniform(0.3, 4.0)
        wait_until(lambda: cpu_seconds(proc.pid) >= spent, WAIT, f"{spent:.1f} s of CPU", proc)
        return
    state = _state(library)
    if not wait_until(lambda: probe.count() > before, WAIT, "a stored batch", proc):
        return
    if mode == "index-files":
        listing = _index_listing(library)
        wait_until(lambda: _index_listing(library) != listing, WAIT, "index files", proc)
    elif mode == "indexed":
        wait_until(lambda: _state(library) != state, WAIT, "an index state update", proc)


def _check(library: Path, settings: Settings, bookmarks: list[dict]) -> int:
    """Open the library as a user would next, and check that nothing is inconsistent."""
    core = Newsreader.open(library, settings)
    try:
        assert_index_matches_library(core)
        assert_no_duplicate_urls(core)
        assert articles_without_mentions(core, WIRE) == []
        assert bookmark_snapshot(core) == bookmarks
        return core.library.count()
    finally:
        core.close()


def test_add_killed_at_random_points_loses_nothing(
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    small_articles: list[dict],
    article_files,
) -> None:
    library = tmp_path / "library"
    core = Newsreader.open(library, no_seed_settings)
    try:
        core.add([str(p) for p in article_files(tmp_path / "articles", small_articles)])
        ids = {a.title: a.id for a in core.list()}
        marks = core.bookmarks
        marks.add(ids["Syrian troops retake Palmyra"], passage=3, note="the zeppelin", tags=["odd"])
        marks.add(ids["Austria votes in a snap election"], note="whole article")
        marks.add(ids["Heatwave grips southern Europe"], passage=0, start=0, end=12, tags=["x"])
        bookmarks = bookmark_snapshot(core)
        base = core.library.count()
    finally:
        core.close()
    assert len(bookmarks) == 3

    big = tmp_path / "wire.jsonl"
    written = ROWS
    write_jsonl(big, 0, written)
    # The index catches up after every batch here (by default, every 100,000 articles), so that
    # kills land between index commits and inside them, not only before the first.
    config = tmp_path / "crash.yaml"
    config.write_text(
        no_seed_config.read_text() + "ingest:\n  index_every: 1000\n", encoding="utf-8"
    )
    rng = random.Random(SEED)
    modes = list(MODES) * 2
    rng.shuffle(modes)
    probe = LibraryProbe(library)
    interrupted = []
    try:
        for mode in modes:
            # Every run has at least ROWS articles still to add, so that each kill point comes
            # before its run ends (kills progress at different speeds on different machines).
            if written - (probe.count() - base) < ROWS:
                written += ROWS
                write_jsonl(big, 0, written)
            proc = start_newsreader(library, config, "add", big)
            try:
                _kill_point(mode, proc, probe, library, rng)
            finally:
                killed, err = kill(proc)
            no_traceback(err)
            if killed:
                interrupted.append(mode)
            else:  # it finished first: then it must have finished well
                assert proc.returncode == 0, err
            count = _check(library, no_seed_settings, bookmarks)
            assert base <= count <= base + written
    finally:
        probe.close()
    # Most kill points interrupt a running ingest (a late CPU one may come after the end).
    assert len(interrupted) >= len(modes) - 2, interrupted
    assert {"stored", "index-files", "indexed"} <= set(interrupted), interrupted

    final = run_newsreader(library, config, "add", big)
    no_traceback(final.stderr)
    assert final.returncode == 0, final.stderr
    assert _check(library, no_seed_settings, bookmarks) == base + written

    core = Newsreader.open(library, no_seed_settings)
    try:
        for i in rng.sample(range(written), 20):
            hits = core.search(token("uq", i), fuzzy=False).hits
            assert [h.title for h in hits] == [f"Report {i} on the talks"]
    finally:
        core.close()


def test_index_never_holds_an_article_twice_or_stale(
    tmp_path: Path, no_seed_settings: Settings
) -> None:
    """The index skips deleting documents of articles it cannot hold yet (new ids above the
    bound in its state file). Updated articles, a reused id and a state file from before the
    bound existed must still leave exactly one, current, document per article."""
    library = tmp_path / "library"
    feed = tmp_path / "wire.jsonl"
    write_jsonl(feed, 0, 20)
    core = Newsreader.open(library, no_seed_settings)
    try:
        core.add([str(feed)])
        # An update: same URL, new text; the old text must not be found any more.
        row = json.loads(feed.read_text().splitlines()[3])
        row["body"] = "Rewritten completely: zeppelins over the harbour."
        changed = tmp_path / "changed.jsonl"
        changed.write_text(json.dumps(row) + "\n")
        assert core.add([str(changed)]).updated == 1
        assert_index_matches_library(core)
        assert [h.title for h in core.search("zeppelins").hits] == [row["title"]]
        assert not core.search(token("uq", 3), fuzzy=False).hits
        # A reused id: the newest article removed, another stored in its place (SQLite reuses
        # the largest rowid), both before the index hears of either.
        last = max(a.id for a in core.list())
        core.library.remove_article(last)
        write_jsonl(tmp_path / "new.jsonl", 100, 101, tag="un")
        assert core.library.add_articles(
            p.article for p in iter_inputs([str(tmp_path / "new.jsonl")]) if p.article
        ) == [("added", last)]
        core.catch_up()
        assert_index_matches_library(core)
        assert not core.search(token("uq", 19), fuzzy=False).hits
        assert len(core.search(token("un", 100), fuzzy=False).hits) == 1
    finally:
        core.close()
    # A state file without the id bound (an index written before it existed).
    state = library / "index" / "state.json"
    data = json.loads(state.read_text())
    del data["ids"]
    state.write_text(json.dumps(data))
    core = Newsreader.open(library, no_seed_settings)
    try:
        row["body"] = "Rewritten again: balloons over the harbour."
        changed.write_text(json.dumps(row) + "\n")
        assert core.add([str(changed)]).updated == 1
        assert_index_matches_library(core)
        assert not core.search("zeppelins").hits
    finally:
        core.close()
