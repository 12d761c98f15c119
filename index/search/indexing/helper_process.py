"""Half of a large index write done by a helper process, so that indexing uses both cores.

Whoosh writes one segment per writer, and Python runs one core per process. For a large write
(an add of thousands of articles, a rebuild) this process sends every other batch of articles
to `python -m index.search.indexing.helper_process`, which builds their documents and writes
them as a segment of its own, as Whoosh's multiprocessing writer does with `multisegment`. At
commit the writer (HelpedWriter) puts that segment into the index beside its own: the write
costs one segment more, and no merge (merging the two into one cost more than the helper
saved).

Scores do not depend on how documents are split into segments (Whoosh takes document
frequencies and average lengths over the whole index), so searches find the same documents
with the same scores. Any failure of the helper (it cannot start, dies, answers nonsense)
costs time, never documents: the writer indexes the articles it had sent the helper itself.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, cast

from whoosh import index as windex
from whoosh.codec.base import Segment

from index.engine.whoosh_internals import FlushingWriter
from index.pipes import receive, send, worker_command
from index.search.indexing.documents import IndexInput, documents

# Seconds the helper may take to finish its segment after its last documents, and to take
# the next batch off a full queue: past that it is hung, and this process does its part.
FINISH_TIMEOUT = 600.0


class IndexHelper:
    """The helper process: articles in (written by a thread, so that this process goes on
    with the next batch), its finished segment out."""

    def __init__(self, folder: Path, limitmb: int, compound: bool) -> None:
        command, env = worker_command(
            "index.search.indexing.helper_process", str(folder), str(limitmb), str(int(compound))
        )
        self.sent: list[int] = []  # ids of the articles the helper has
        self.failed = False
        self._proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env,
        )
        self._outbox: queue.Queue = queue.Queue(maxsize=4)  # bounds what waits in memory
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()

    def add(self, inputs: list[IndexInput]) -> bool:
        """Hand these articles to the helper; False (and nothing sent) once it has failed,
        or once it has hung (it took no batch off a full queue for FINISH_TIMEOUT)."""
        if self.failed:
            return False
        try:
            self._outbox.put(("articles", inputs), timeout=FINISH_TIMEOUT)
        except queue.Full:
            self._hung()
            return False
        self.sent.extend(a.id for a in inputs)
        return True

    def finish(self) -> None:
        """Tell the helper there is nothing more: it starts writing its segment."""
        for message in (("finish",), None):
            try:
                self._outbox.put(message, timeout=FINISH_TIMEOUT)
            except queue.Full:
                self._hung()
                self._outbox.put(message)  # the writer drains the queue now

    def _hung(self) -> None:
        """Give up on a helper that stopped reading: killed, its pipe breaks, and the writer
        thread drains the queue; commit writes the articles it had here."""
        self.failed = True
        self.stop()

    def segment(self) -> Segment | None:
        """The helper's finished segment (after finish()); None if it failed."""
        self._writer.join(timeout=FINISH_TIMEOUT)
        if self._writer.is_alive():  # still sending articles it does not read
            self._hung()
        result = None
        if not self.failed and self._proc.stdout is not None:
            with contextlib.suppress(Exception):
                result = _reply(self._proc, FINISH_TIMEOUT)
        self.stop()
        if not isinstance(result, Segment):
            self.failed = True
            return None
        return result

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._proc.kill()
        with contextlib.suppress(Exception):
            self._proc.wait(timeout=30)
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()

    def _write(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (message := self._outbox.get()) is not None:
                if not self.failed:
                    send(stdin, message)
        except (OSError, ValueError):
            self.failed = True  # the helper died; drain the rest so add() never blocks
            while self._outbox.get() is not None:
                pass


def _reply(proc: subprocess.Popen, timeout: float) -> Any:
    """The helper's one answer, read in a thread so that a hung helper cannot hang us."""
    box: list = []
    out = cast(IO[bytes], proc.stdout)  # spawned with stdout=PIPE
    reader = threading.Thread(target=lambda: box.append(receive(out)), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        raise TimeoutError("the index helper did not answer")
    return box[0]


class HelpedWriter(FlushingWriter):
    """The segment writer, optionally with an IndexHelper taking part of the articles.
    `refill(ids)` gives the documents of those articles again, for when the helper fails."""

    helper: IndexHelper | None = None
    refill: Callable[[list[int]], Iterable[dict]] | None = None

    def cancel(self) -> None:
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.stop()  # before the shared temporary folder goes
        super().cancel()

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        helper, self.helper = self.helper, None
        if helper is None or not helper.sent:
            if helper is not None:
                helper.stop()
            return super().commit(mergetype, optimize, merge)
        # The helper finishes its segment while this writer writes its own.
        def theirs() -> Segment:
            segment = helper.segment()
            return segment if segment is not None else self._refilled(helper.sent)

        self.commit_beside(helper.finish, theirs, mergetype, optimize, merge)
        return None

    def _refilled(self, ids: list[int]) -> Segment:
        """The segment the helper failed to write, written here (this writer's own is done)."""
        assert self.refill is not None
        ix = self.storage.open_index(self.indexname)
        limitmb = max(1, self.pool.limit >> 20)
        writer = FlushingWriter.unlocked(ix, limitmb, self.compound)
        for doc in self.refill(ids):
            writer.add_document(**doc)
        # Not committed: that would delete the temporary folder this writer still uses.
        return writer.finalize_segment()


def _serve(folder: str, limitmb: int, compound: bool) -> None:
    """The helper: articles in, until "finish"; then its segment out. It never cancels or
    finishes its writer: that would delete the temporary folder it shares with its parent
    (whose commit or cancel cleans up after both)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    ix = windex.open_dir(folder)
    writer = FlushingWriter.unlocked(ix, limitmb, compound)
    while True:
        try:
            message = receive(stdin)
        except EOFError:
            return  # the parent is gone or gave up
        if message[0] == "articles":
            for doc in documents(message[1], ix.schema):
                writer.add_document(**doc)
        elif message[0] == "finish":
            try:
                reply: Any = writer.finalize_segment()
            except Exception as exc:  # noqa: BLE001 - reported; the parent indexes instead
                reply = RuntimeError(f"{type(exc).__name__}: {exc}")
            send(stdout, reply)
            return


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1")
