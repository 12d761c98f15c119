"""The reader's own small state (the chosen theme) in a JSON file beside the library, written
atomically so a crash never leaves half a file."""

from __future__ import annotations

import json
from pathlib import Path

from index.fileio import write_atomic


class ReaderState:
    FILE = "reader-state.json"

    def __init__(self, library: Path) -> None:
        self.path = Path(library) / self.FILE

    def load(self) -> dict:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, **values) -> None:
        data = self.load() | values
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data, indent=2))
        except OSError:
            pass  # the theme not being remembered is not worth interrupting the reader for
