"""Messages between newsreader and its own worker processes: pickled objects, each prefixed
with its length, over the worker's stdin and stdout."""

from __future__ import annotations

import os
import pickle
import struct
import sys
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct("!Q")


def send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other side is gone."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - our own child process, over a private pipe


def worker_command(module: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a worker: `python -m module`, a fresh interpreter
    that, unlike multiprocessing's "spawn", never re-runs the caller's main script, and unlike
    "fork" copies no SQLite connections or threads. It imports newsreader from where this
    process did (a source checkout too)."""
    here = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
    return [sys.executable, "-m", module, *args], dict(os.environ, PYTHONPATH=path)
