"""The search index's state file: which index version, library and library revision the
index holds, and the highest article id that may have documents in it. Written atomically,
under the write lock, after the commit it describes (the id bound: before)."""

from __future__ import annotations

import json
from pathlib import Path

from index.errors import SearchIndexError
from index.fileio import write_atomic
from index.search.indexing.write_lock import cannot_write

STATE = "state.json"


def read_state(folder: Path) -> dict | None:
    """The state file in the index folder, None if it is missing or unreadable."""
    try:
        data = json.loads((folder / STATE).read_text("utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def write_state(
    folder: Path, version: int, library_id: str, rev: int, ids_upto: int, index_path: Path
) -> None:
    """Record the state in `folder` (the index at `index_path`, or its rebuild beside it)."""
    state = {"version": version, "library_id": library_id, "rev": rev, "ids": ids_upto}
    try:
        write_atomic(folder / STATE, json.dumps(state))
    except OSError as exc:
        raise SearchIndexError(cannot_write(index_path, exc)) from None


def seen(state: dict) -> int | None:
    """The library revision a state file records, None if it holds none."""
    rev = state.get("rev")
    return rev if isinstance(rev, int) and not isinstance(rev, bool) and rev >= 0 else None


def upto(state: dict) -> int | None:
    """The highest article id a state file says may have documents, None if it says none."""
    ids = state.get("ids")
    return ids if isinstance(ids, int) and not isinstance(ids, bool) and ids >= 0 else None
