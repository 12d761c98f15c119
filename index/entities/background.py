"""Entity extraction in a worker process, so that a large add uses both cores: the worker
finds the names in parsed articles while this process stores articles and writes the index
(Whoosh has one writer, and Python one core per process). Results come back in order; any
failure of the worker only means the articles are extracted in this process instead.

The worker is `python -m index.entities.background`, talking pickled batches over its stdin
and stdout (index.pipes)."""

from __future__ import annotations

import contextlib
import pickle
import queue
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from index.entities.store import Found, extract_text
from index.model import Article
from index.pipes import receive, send, worker_command
from index.storage.articles import passage_spans


@dataclass
class _Pending:
    articles: list[Article]
    found: Future
    chars: int


class BackgroundExtraction:
    """Batches of articles submitted in order and taken back in order, each with what was
    extracted from it (None where the worker failed). At most `max_chars` of article text are
    waiting at once, which bounds the memory a fast parser can fill ahead of the writer."""

    def __init__(self, max_chars: int = 16_000_000) -> None:
        self.max_chars = max_chars
        self._queue: deque[_Pending] = deque()
        self._chars = 0
        self._outbox: queue.Queue = queue.Queue()
        self._waiting: queue.Queue[Future] = queue.Queue()  # sent, in order, not yet back
        self._dead = False  # the worker is gone: what is submitted fails at once
        self._lock = threading.Lock()
        command, env = worker_command("index.entities.background")
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        # Separate threads write and read, so that neither side ever blocks the other on a
        # full pipe, and this process goes on storing and indexing meanwhile.
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer.start()
        self._reader.start()

    def submit(self, articles: list[Article]) -> None:
        texts = [(a.title, a.body, passage_spans(a.paragraphs)) for a in articles]
        chars = sum(len(title) + len(body) for title, body, _ in texts)
        found: Future = Future()
        self._queue.append(_Pending(articles, found, chars))
        self._chars += chars
        with self._lock:
            if self._dead:
                found.set_exception(RuntimeError("the entity worker stopped"))
            else:
                self._outbox.put((texts, found))

    def __len__(self) -> int:
        return len(self._queue)

    def full(self) -> bool:
        return self._chars > self.max_chars

    def ready(self) -> bool:
        """The oldest batch is back from the worker."""
        return bool(self._queue) and self._queue[0].found.done()

    def take(self) -> tuple[list[Article], list[Found] | None]:
        """The oldest batch and its results, waiting for them if need be."""
        pending = self._queue.popleft()
        self._chars -= pending.chars
        try:
            found = pending.found.result()
        except Exception:  # noqa: BLE001 - a dead worker, a broken word list: extract here
            found = None
        if found is not None and len(found) != len(pending.articles):
            found = None
        return pending.articles, found

    def close(self) -> None:
        """Stop the worker: at once if batches are still waiting (the add failed), else when
        it has seen the end of its input."""
        if self._queue:
            self._proc.kill()
        self._outbox.put(None)
        self._writer.join(timeout=30)
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=30)
        self._fail_all()
        self._queue.clear()

    # -- the pipe ----------------------------------------------------------------------------
    def _write(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (item := self._outbox.get()) is not None:
                texts, found = item
                self._waiting.put(found)
                send(stdin, texts)
        except (OSError, ValueError):
            self._fail_all()  # the worker died
        finally:
            with contextlib.suppress(OSError):
                stdin.close()  # end of input: the worker exits

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while True:
                result = receive(stdout)
                found = self._waiting.get()
                if isinstance(result, BaseException):
                    found.set_exception(result)
                else:
                    found.set_result(result)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        self._fail_all()

    def _fail_all(self) -> None:
        """Whatever has not come back never will."""
        with self._lock:
            self._dead = True
        gone = RuntimeError("the entity worker stopped")
        while True:
            try:
                self._waiting.get_nowait().set_exception(gone)
            except queue.Empty:
                break
            except Exception:  # noqa: BLE001 - a future already settled
                continue
        while True:
            try:
                item = self._outbox.get_nowait()
            except queue.Empty:
                break
            if item is not None and not item[1].done():
                item[1].set_exception(gone)


def _serve() -> None:
    """The worker: batches of (title, body, paragraph spans) in, their entities out, until EOF."""
    from index.entities.builtin import BuiltinExtractor

    extractor = BuiltinExtractor()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            texts = receive(stdin)
        except EOFError:
            return
        try:
            reply: Any = [
                extract_text(extractor, body, offsets, title) for title, body, offsets in texts
            ]
        except Exception as exc:  # noqa: BLE001 - sent back; the caller extracts in-process
            reply = RuntimeError(f"{type(exc).__name__}: {exc}")
        send(stdout, reply)


if __name__ == "__main__":
    _serve()
