"""Whole-or-nothing file writes: the one way the core and the reader replace a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: str | os.PathLike, chunks: Iterable[str] | str, *,
                 durable: bool = True) -> None:
    """Write text to `path` so that it holds either its old content or the complete new one,
    whatever happens meanwhile (a crash, a kill, a full disk, an exception from `chunks`): a
    temp file in the same folder, renamed over `path`. With `durable` (the default) the file
    is fsynced before the rename and its folder after it, so the new content also survives a
    power cut; off only for caches that cost nothing to lose.

    An existing file keeps its permissions, a new one gets the umask's (not mkstemp's 0600).
    Raises OSError (IsADirectoryError when `path` is a folder); the temp file never stays."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(target))
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            for chunk in [chunks] if isinstance(chunks, str) else chunks:
                f.write(chunk)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(folder)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    # os.umask() can only be read by setting it, which races with other threads; ask /proc.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022
