"""index.fileio.write_atomic: the one atomic write (exports, OPML, the index's state file, the
config cache, the reader's state)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import fileio
from index.fileio import write_atomic


def test_text_or_chunks_replace_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_atomic(target, '{"a": 1}')
    assert target.read_text("utf-8") == '{"a": 1}'
    write_atomic(target, iter(["{", '"b": 2', "}"]))
    assert target.read_text("utf-8") == '{"b": 2}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_any_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", "utf-8")

    def broken():
        yield "half"
        raise ValueError("a renderer bug")

    with pytest.raises(ValueError, match="renderer bug"):
        write_atomic(target, broken())
    assert target.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "out.txt", "x")


def test_durable_fsyncs_the_file_and_its_folder_and_a_cache_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[bool] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.path.isdir(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    write_atomic(tmp_path / "durable.txt", "x")
    assert synced == [False, True]  # the file, then the folder holding the rename
    synced.clear()
    write_atomic(tmp_path / "cache.json", "x", durable=False)
    assert synced == []
    assert (tmp_path / "cache.json").read_text("utf-8") == "x"


def test_a_new_file_gets_the_umask_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)  # not 0o077: mkstemp alone gives 0o600
    try:
        write_atomic(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640
    kept = tmp_path / "kept.txt"
    kept.write_text("x", "utf-8")
    kept.chmod(0o604)
    write_atomic(kept, "y")
    assert kept.stat().st_mode & 0o777 == 0o604
