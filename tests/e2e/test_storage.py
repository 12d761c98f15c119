"""Broken storage (issue 8, part 3): missing or corrupt index files, a truncated or corrupt
SQLite file, a read-only library folder, a full disk. Each ends in a clear message naming the
problem and what to do, never a traceback, and nothing stored before is lost: a damaged index
is rebuilt from the library; a damaged library file is reported and left exactly as it was.

Over 400 lines: each kind of broken storage is tested on copies of one library built once per
module (a module-scoped fixture); split, each part would build it again."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_helpers import (
    articles_without_mentions,
    assert_index_matches_library,
    assert_no_duplicate_urls,
    bookmark_snapshot,
    no_traceback,
    run_newsreader,
    token,
    write_jsonl,
)
from whoosh.filedb.filestore import FileStorage

from index.config import Settings, load_settings
from index.core import Newsreader
from index.entities import store as entity_store
from index.storage import database as database_module
from index.storage.library import Library

ROWS = 300  # generated articles in the template library, besides the small ones
MORE = 1200  # articles added while the disk fills up: two batches
WIRE = "https://wire.example/"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, list[dict]]]:
    """A closed library (small articles, generated ones, bookmarks), to be copied per test.
    Yields (folder, article count, bookmarks as JSON)."""
    root = tmp_path_factory.mktemp("template")
    config = root / "config.yaml"
    config.write_text("library:\n  seed_demo: false\n", encoding="utf-8")
    feed = root / "wire.jsonl"
    write_jsonl(feed, 0, ROWS)
    lib = root / "library"
    core = Newsreader.open(lib, load_settings(config))
    try:
        core.add([str(feed)])
        first, second = core.list(sort="title")[:2]
        core.bookmarks.add(first.id, passage=0, note="keep me", tags=["kept"])
        core.bookmarks.add(second.id, note="and me")
        count, marks = core.library.count(), bookmark_snapshot(core)
        # Everything in the main file, so that damaging the file damages all of it.
        core.library.query("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        core.close()
    yield lib, count, marks


@pytest.fixture
def lib(template, tmp_path: Path) -> Path:
    copy = tmp_path / "library"
    shutil.copytree(template[0], copy)
    return copy


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _intact(lib: Path, settings: Settings, template) -> None:
    """The library opens and holds what it held, with an index that agrees with it."""
    _, count, marks = template
    core = Newsreader.open(lib, settings)
    try:
        assert core.library.count() >= count
        assert bookmark_snapshot(core) == marks
        assert_index_matches_library(core)
        assert_no_duplicate_urls(core)
        assert articles_without_mentions(core, WIRE) == []
    finally:
        core.close()


def _garbage(path: Path, start: int = 0, length: int | None = None, seed: int = 1) -> None:
    size = path.stat().st_size
    length = size - start if length is None else length
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(random.Random(seed).randbytes(length))


def _files(folder: Path, pattern: str) -> list[Path]:
    found = sorted(folder.glob(pattern))
    assert found, pattern
    return found


# -- the search index ---------------------------------------------------------------------------
# A segment is a set of files (postings, terms, columns, stored fields): see COMPOUND.
SEGMENT_FILES = "MAIN_*.*"  # not the table of contents (_MAIN_n.toc) nor the lock


def _garble(index: Path) -> None:
    rng = random.Random(7)
    for seg in _files(index, SEGMENT_FILES):
        if seg.stat().st_size <= 2000:
            continue
        for _ in range(5):
            start = rng.randrange(seg.stat().st_size - 2000)
            _garbage(seg, start, 2000, seed=rng.randrange(10**6))


INDEX_DAMAGE: dict[str, Callable[[Path], object]] = {
    "index folder deleted": shutil.rmtree,
    "table of contents deleted": lambda ix: [p.unlink() for p in _files(ix, "*.toc")],
    "a segment deleted": lambda ix: [p.unlink() for p in _files(ix, "MAIN_*.pst")[:1]],
    "state file deleted": lambda ix: (ix / "state.json").unlink(),
    "state file garbage": lambda ix: (ix / "state.json").write_text("{not json"),
    "table of contents garbage": lambda ix: [_garbage(p) for p in _files(ix, "*.toc")],
    "segments garbage": lambda ix: [_garbage(p) for p in _files(ix, SEGMENT_FILES)],
    "segments truncated": lambda ix: [os.truncate(p, 100) for p in _files(ix, SEGMENT_FILES)],
}


@pytest.mark.parametrize("damage", INDEX_DAMAGE, ids=list(INDEX_DAMAGE))
def test_damaged_index_is_rebuilt_with_a_message(
    damage: str, lib: Path, template, no_seed_config: Path, no_seed_settings: Settings, run_cli
) -> None:
    INDEX_DAMAGE[damage](lib / "index")
    result = run_cli("--library", lib, "--config", no_seed_config, "search", token("uq", 123))
    assert result.code == 0, result.err
    assert "Report 123 on the talks" in result.out
    assert "search index" in result.err and "rebuilding it" in result.err
    _intact(lib, no_seed_settings, template)


def test_index_garbled_in_places_never_ends_in_a_traceback(
    lib: Path, template, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    """Whoosh has no checksums: garbage inside a segment is found when it is read, if at all.
    Searching then rebuilds (or, undetected, reads what is there): never a traceback; and
    `reindex` always restores an index that agrees with the library."""
    _garble(lib / "index")
    for query in (token("uq", 5), "talks", "trade~1", "person:putin", '"the talks"'):
        result = run_newsreader(lib, no_seed_config, "search", query)
        no_traceback(result.stderr)
        assert result.returncode == 0, result.stderr
    result = run_newsreader(lib, no_seed_config, "reindex")
    assert result.returncode == 0, result.stderr
    _intact(lib, no_seed_settings, template)


# -- the library file -----------------------------------------------------------------------
def _sqlite(lib: Path) -> Path:
    return lib / Library.FILE


LIBRARY_DAMAGE: dict[str, Callable[[Path], object]] = {
    "truncated to half": lambda f: os.truncate(f, f.stat().st_size // 2),
    "truncated inside the header": lambda f: os.truncate(f, 50),
    "emptied": lambda f: os.truncate(f, 0),
    "header overwritten": lambda f: _garbage(f, 0, 100),
    "pages overwritten": lambda f: _garbage(f, f.stat().st_size // 4, f.stat().st_size // 2),
    "replaced by garbage": _garbage,
}


@pytest.mark.parametrize("damage", LIBRARY_DAMAGE, ids=list(LIBRARY_DAMAGE))
def test_damaged_library_file_is_reported_and_left_alone(
    damage: str, lib: Path, tmp_path: Path, no_seed_config: Path, run_cli
) -> None:
    db = _sqlite(lib)
    LIBRARY_DAMAGE[damage](db)
    before = _digest(db)
    index_files = sorted(p.name for p in (lib / "index").iterdir())

    # `stats` in a real process, as a person would run it first.
    result = run_newsreader(lib, no_seed_config, "stats")
    no_traceback(result.stderr)
    assert result.returncode == 1
    message = result.stderr
    assert str(db) in message
    assert "damaged" in message or "empty" in message
    assert "Restore" in message and "backup" in message
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5010)
    for command in (["list"], ["search", "talks"], ["add", str(feed)]):
        result = run_cli("--library", lib, "--config", no_seed_config, *command)
        assert result.code == 1, (command, result.out)
        assert str(db) in result.err and "Restore" in result.err, result.err
    # Nothing written over what is left of the file, nothing deleted beside it.
    assert _digest(db) == before
    assert sorted(p.name for p in (lib / "index").iterdir()) == index_files


# -- read-only folders ---------------------------------------------------------------------------
def _no_write_override() -> None:
    """In the child, before exec: without CAP_DAC_OVERRIDE even root obeys write permissions
    (the bounding set is what an exec'd root process gets its capabilities from)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(24, 1, 0, 0, 0) != 0:  # PR_CAPBSET_DROP, CAP_DAC_OVERRIDE
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_restricted(lib: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_newsreader(lib, config, *args, preexec_fn=_no_write_override)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """make(folder): make a folder (and its files) read-only for the restricted child; every
    change is undone afterwards. Skips when this system cannot enforce it."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        check = subprocess.run(
            [sys.executable, "-c", f"open({str(probe / 'x')!r}, 'w')"],
            preexec_fn=_no_write_override,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot start a process without write override: {exc}")
    finally:
        probe.chmod(0o755)
    if check.returncode == 0:
        pytest.skip("a read-only folder is writable here (root with CAP_DAC_OVERRIDE kept)")
    changed: list[tuple[Path, int]] = []

    def make(folder: Path) -> None:
        for path in [folder, *folder.iterdir()]:
            changed.append((path, path.stat().st_mode & 0o7777))
            path.chmod(0o555 if path.is_dir() else 0o444)

    yield make
    for path, mode in reversed(changed):
        with contextlib.suppress(FileNotFoundError):  # replaced by a later index commit
            path.chmod(mode)


def test_read_only_library_folder(
    lib: Path,
    template,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    read_only,
) -> None:
    db = _sqlite(lib)
    before = _digest(db)
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5010)
    read_only(lib / "index")
    read_only(lib)
    for command in (["stats"], ["search", "talks"], ["add", str(feed)]):
        result = _run_restricted(lib, no_seed_config, *command)
        no_traceback(result.stderr)
        assert result.returncode == 1, (command, result.stdout)
        assert "read-only" in result.stderr and str(lib) in result.stderr, result.stderr
        assert "writable" in result.stderr
    assert _digest(db) == before


def test_read_only_index_folder(
    lib: Path,
    template,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    read_only,
) -> None:
    """The library can be written but its index cannot: add stores the articles, then says
    the index could not be written (exit 1); searching still works on the index as it is;
    once the folder is writable again the index catches up by itself."""
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5010)
    read_only(lib / "index")
    result = _run_restricted(lib, no_seed_config, "add", str(feed))
    no_traceback(result.stderr)
    assert result.returncode == 1
    assert "cannot write the search index" in result.stderr
    assert "Nothing stored in the library is lost" in result.stderr
    result = _run_restricted(lib, no_seed_config, "search", token("uq", 12))
    no_traceback(result.stderr)
    assert result.returncode == 0 and "Report 12 on the talks" in result.stdout
    (lib / "index").chmod(0o755)
    result = run_newsreader(lib, no_seed_config, "search", token("uq", 5009))
    assert result.returncode == 0 and "Report 5009 on the talks" in result.stdout
    _intact(lib, no_seed_settings, template)


def test_sqlite_read_only_error_is_explained(
    lib: Path, no_seed_config: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    """The same condition on any system, root or not: SQLite opened read-only (mode=ro) raises
    its real "attempt to write a readonly database" at the first write."""
    connect = sqlite3.connect

    def read_only_connect(path, *args, **kwargs):
        return connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(database_module.sqlite3, "connect", read_only_connect)
    result = run_cli("--library", lib, "--config", no_seed_config, "stats")
    assert result.code == 1
    assert "read-only" in result.err and str(_sqlite(lib)) in result.err


# -- a full disk --------------------------------------------------------------------------------
FULL = "database or disk is full"


def _after_full_disk(lib: Path, feed: Path, config: Path, settings: Settings, template) -> None:
    """Space is free again: nothing stored before was lost, the same add completes and the
    library and index agree."""
    _intact(lib, settings, template)
    result = run_newsreader(lib, config, "add", feed)
    assert result.returncode == 0, result.stderr
    _, count, _ = template
    _intact(lib, settings, template)
    core = Newsreader.open(lib, settings)
    try:
        assert core.library.count() == count + MORE
    finally:
        core.close()


def _full_disk_run(lib: Path, feed: Path, config: Path, run_cli) -> str:
    result = run_cli("--library", lib, "--config", config, "add", feed)
    assert result.code == 1
    assert "free some space" in result.err, result.err
    return result.err


def test_disk_full_while_storing_articles(
    lib: Path,
    template,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    run_cli,
) -> None:
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5000 + MORE)
    store = Library._store
    calls = []

    def full_after_1100(self, *args):
        calls.append(1)
        if len(calls) > 1100:  # in the second batch: the first is stored by then
            raise sqlite3.OperationalError(FULL)
        return store(self, *args)

    monkeypatch.setattr(Library, "_store", full_after_1100)
    err = _full_disk_run(lib, feed, no_seed_config, run_cli)
    assert "the disk is full" in err and str(_sqlite(lib)) in err
    monkeypatch.undo()
    core = Newsreader.open(lib, no_seed_settings)
    try:  # the first batch is in, indexed; nothing of the second
        assert core.library.count() == template[1] + 1000
        assert_index_matches_library(core)
    finally:
        core.close()
    _after_full_disk(lib, feed, no_seed_config, no_seed_settings, template)


def test_disk_full_while_writing_the_index(
    lib: Path,
    template,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    run_cli,
) -> None:
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5000 + MORE)

    def no_space(self, name, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(self.folder, name))

    monkeypatch.setattr(FileStorage, "create_file", no_space)
    err = _full_disk_run(lib, feed, no_seed_config, run_cli)
    assert "cannot write the search index" in err and "No space left on device" in err
    monkeypatch.undo()
    # The whole feed reached the library before the index failed (the index catches up after
    # the batches are stored): it is kept and indexed now, by this same process, which must
    # not be waiting for a lock its failed writer kept.
    said: list[str] = []
    core = Newsreader.open(lib, no_seed_settings, notify=said.append)
    try:
        assert core.library.count() == template[1] + MORE
        assert_index_matches_library(core)
    finally:
        core.close()
    assert not [m for m in said if "waiting" in m], said
    _intact(lib, no_seed_settings, template)
    _after_full_disk(lib, feed, no_seed_config, no_seed_settings, template)


def test_disk_full_while_storing_entities(
    lib: Path,
    template,
    tmp_path: Path,
    no_seed_config: Path,
    no_seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    run_cli,
) -> None:
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5000 + MORE)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError(FULL)

    monkeypatch.setattr(entity_store, "_entity", full)
    err = _full_disk_run(lib, feed, no_seed_config, run_cli)
    assert "the disk is full" in err
    monkeypatch.undo()
    # The stored batch gets its entities and its index documents when next opened.
    _intact(lib, no_seed_settings, template)
    _after_full_disk(lib, feed, no_seed_config, no_seed_settings, template)


def test_real_write_failures_mid_add(
    lib: Path, template, tmp_path: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    """Not a simulation: the kernel refuses writes past a file size limit (RLIMIT_FSIZE; the
    write fails with EFBIG, as it would with ENOSPC) part-way through a large add."""
    feed = tmp_path / "more.jsonl"
    write_jsonl(feed, 5000, 5000 + MORE)
    limit = max(p.stat().st_size for p in lib.rglob("*") if p.is_file()) + 300_000

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = run_newsreader(lib, no_seed_config, "add", feed, preexec_fn=small_files)
    no_traceback(result.stderr)
    assert result.returncode == 1
    assert "could not be written" in result.stderr or "cannot write" in result.stderr
    assert "Nothing stored" in result.stderr
    _after_full_disk(lib, feed, no_seed_config, no_seed_settings, template)
