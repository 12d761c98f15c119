"""The search index's write lock: a file lock beside the index folder, so that it holds
across processes, re-entrant within this one; and Whoosh's own lock, waited on for a
newsreader from before the file lock. What a failed index write means for the user is said
here too (cannot_write), for every writer of the index's files."""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.util.filelock import try_for

from index.errors import SearchIndexError

try:
    import fcntl
except ImportError:  # not POSIX: Whoosh's own write lock is then the only one
    fcntl = None  # type: ignore[assignment]

Notify = Callable[[str], None]
BUSY = "the search index is being written by another newsreader; waiting…"


def cannot_write(index_path: Path, exc: OSError) -> str:
    """What a failed write of the index's files means, and what to do about it."""
    where = exc.filename or index_path
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    todo = "free some space" if full else "check the folder's permissions and free space"
    return (
        f"cannot write the search index ({where}: {exc.strerror or exc}); {todo}, then run"
        " the command again. Nothing stored in the library is lost: the index catches up"
        " with it by itself."
    )


class WriteLock:
    """The lock file at `path` (guarding the index at `index_path`), held by one thread of
    one process at a time, re-entrant for that thread."""

    def __init__(self, path: Path, index_path: Path, notify: Notify) -> None:
        self.path = path
        self.index_path = index_path
        self.notify = notify
        self._thread_lock = threading.RLock()  # this process's side of the lock
        self._depth = 0

    @contextmanager
    def hold(self, wait: bool, wait_seconds: float) -> Iterator[bool]:
        """Yields True holding the lock. Waiting is announced and gives up after
        `wait_seconds` with SearchIndexError; with `wait` off, yields False at once when another
        process or thread holds it."""
        if not self._thread_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self._depth:
                self._depth += 1
                try:
                    yield True
                finally:
                    self._depth -= 1
                return
            fd = self._lock_file(wait, wait_seconds)
            if fd is None:
                yield False
                return
            self._depth = 1
            try:
                yield True
            finally:
                self._depth = 0
                os.close(fd)  # closing the descriptor releases the lock
        finally:
            self._thread_lock.release()

    def _lock_file(self, wait: bool, wait_seconds: float) -> int | None:
        """The locked lock file's descriptor; None if it is busy and `wait` is off."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SearchIndexError(cannot_write(self.index_path, exc)) from None
        if fcntl is None:
            return fd
        deadline = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            except OSError:
                return fd  # a file system without locks: Whoosh's lock is all there is
            if not wait:
                os.close(fd)
                return None
            if deadline is None:
                self.notify(BUSY)
                deadline = time.monotonic() + wait_seconds
            elif time.monotonic() > deadline:
                os.close(fd)
                raise SearchIndexError(
                    "another newsreader process has been writing the search index for over"
                    f" {wait_seconds:g} seconds; try again when it has finished"
                )
            time.sleep(0.1)  # a lock poll, not a synchronisation point: flock has no timeout


def whoosh_lock(ix, index_path: Path, notify: Notify, wait_seconds: float):
    """Whoosh's own write lock of the open index `ix`, acquired (a whoosh LockBase)."""
    lock = ix.lock("WRITELOCK")
    try:
        if lock.acquire(False):
            return lock
        notify(BUSY)
        if try_for(lock.acquire, timeout=wait_seconds, delay=0.25):
            return lock
    except OSError as exc:
        raise SearchIndexError(cannot_write(index_path, exc)) from None
    raise SearchIndexError(
        "the search index stayed locked by another newsreader process for"
        f" {wait_seconds:g} seconds; if none is running, delete"
        f" {index_path / 'MAIN_WRITELOCK'}"
    )
