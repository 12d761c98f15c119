"""What the command-line tests share: the JSON contract's keys and reading `add`'s summary."""

from __future__ import annotations

import re
from pathlib import Path

import index

SHARED = Path(__file__).resolve().parents[2] / "shared"
MAKE_HOSTILE = SHARED / "tools" / "make_hostile.py"
# The folder holding the `index` under test, so subprocesses import that same copy.
HERE = Path(index.__file__).resolve().parents[1]
SUMMARY = re.compile(r"^added (\d+), updated (\d+), duplicates (\d+), failed (\d+)")
HIT_KEYS = {"id", "title", "date", "source", "url", "score", "snippet", "passage"}
LIST_KEYS = {"id", "title", "date", "source", "url"}
SHOW_KEYS = {"id", "title", "date", "source", "url", "passages"}
STATS_KEYS = {"articles", "passages", "library_path", "index_path", "index_bytes"}


def summary(out: str) -> tuple[int, int, int, int]:
    lines = [line for line in out.splitlines() if SUMMARY.match(line)]
    assert len(lines) == 1, out
    added, updated, dups, failed = SUMMARY.match(lines[0]).groups()
    return int(added), int(updated), int(dups), int(failed)
