"""Hostile input at scale (issue 8, part 4): the hostile folder, 50 MB files on one line, and a
100,000-line JSON Lines file with 1% broken rows. Memory stays bounded (the child's peak RSS
is measured), every good row arrives, every bad one is reported with its line number."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import REPO, assert_index_matches_library, no_traceback

from index.config import Settings
from index.core import Newsreader

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_HOSTILE = SHARED / "tools" / "make_hostile.py"
PEAK_MB = 600  # a memory bound, generous: the core needs ~200 MB for these
MB = 1_000_000

# Runs `newsreader ARGS` in this process and reports its own peak RSS on stderr at the end.
_MEASURED = (
    "import resource, runpy, sys\n"
    "sys.argv = ['newsreader', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('reader.main', run_name='__main__')\n"
    "finally:\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    sys.stderr.write(f'\\nPEAK_RSS_KB={peak}\\n')\n"
)


def _measured(library: Path, config: Path, *args: str | Path) -> tuple[int, str, str, float]:
    """Run newsreader; returns (exit code, stdout, stderr, peak RSS in MB)."""
    argv = [sys.executable, "-c", _MEASURED, "--library", str(library), "--config", str(config)]
    proc = subprocess.run(
        [*argv, *(str(a) for a in args)], cwd=REPO, capture_output=True, text=True, timeout=1800
    )
    m = re.search(r"\nPEAK_RSS_KB=(\d+)\n$", proc.stderr)
    assert m, proc.stderr[-2000:]
    return proc.returncode, proc.stdout, proc.stderr[: m.start()], int(m.group(1)) / 1024


def _failures(stderr: str) -> dict[str, str]:
    """'PATH: reason' lines of the add report (the newsreader: lines are messages)."""
    out = {}
    for line in stderr.splitlines():
        if line and not line.startswith("newsreader:"):
            where, sep, reason = line.partition(": ")
            assert sep and reason.strip(), line
            out[where] = reason
    return out


def _one_line_text(path: Path, size: int, seed: int) -> None:
    """`size` bytes of prose-like words and sentences, no newline at all."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 11)))
        for _ in range(20_000)
    ]
    with open(path, "w", encoding="ascii") as f:
        written = 0
        while written < size:
            sentence = " ".join(rng.choices(words, k=12)).capitalize() + ". "
            f.write(sentence)
            written += len(sentence)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.mark.slow
def test_hostile_folder_and_huge_single_lines(
    tmp_path: Path, library: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    prose = inputs / "one-line.txt"
    _one_line_text(prose, 50 * MB, seed=1)
    row = inputs / "one-row.jsonl"  # one valid JSON object whose body is 50 MB on one line
    with open(row, "w", encoding="ascii") as f:
        f.write('{"title": "A 50 MB row", "body": "')
        f.write(prose.read_text())
        f.write('"}')
    garbage = inputs / "one-bad-row.jsonl"  # 50 MB of not-JSON on one line
    garbage.write_bytes(b'{"title": ' + b"[" * (50 * MB) + b"\n")
    hostile = tmp_path / "hostile"
    if MAKE_HOSTILE.is_file():
        subprocess.run([sys.executable, str(MAKE_HOSTILE), str(hostile)], check=True, timeout=300)
    else:
        hostile.mkdir()  # ../shared absent: the huge lines are still tested

    code, out, err, peak = _measured(library, no_seed_config, "add", inputs, hostile)
    no_traceback(err)
    assert code == 1  # some inputs failed, and said so
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"
    failures = _failures(err)
    assert failures[str(prose)].startswith("article too long (")
    assert failures[str(row) + ":1"].startswith("article too long (")
    assert failures[str(garbage) + ":1"].startswith("invalid JSON")
    core = Newsreader.open(library, no_seed_settings)
    try:
        assert_index_matches_library(core)
        if MAKE_HOSTILE.is_file():
            # The good hostile files arrived (test_cli checks each one in detail).
            assert core.search('"palmyra ansi report"', fuzzy=False).hits
            assert len(core.search('"jsonl good"', fuzzy=False).hits) == 3
            assert f"{hostile}/rows-v0.jsonl:2" in failures
            assert failures[f"{hostile}/rows-v0.jsonl:4"] == "title is a number, not a string"
    finally:
        core.close()


ROWS = 100_000
BROKEN = 1_000  # 1%


def _broken_row(i: int, rng: random.Random) -> str:
    """A bad row of one of the kinds a real export has."""
    good = json.dumps({"title": f"Broken {i}", "body": "text", "url": f"https://b.example/{i}"})
    return rng.choice(
        [
            good[: rng.randint(1, len(good) - 2)],  # cut short
            good.replace('"title"', "title", 1),  # not JSON
            json.dumps([f"Broken {i}", "a list, not an object"]),
            json.dumps({"title": i, "body": "a number for a title"}),
            json.dumps({"url": f"https://b.example/{i}", "date": "2020-01-01"}),  # no text
            "\x00\x01 binary junk \xff",
        ]
    )


@pytest.mark.slow
def test_100k_jsonl_rows_with_one_percent_broken(
    tmp_path: Path, library: Path, no_seed_config: Path, no_seed_settings: Settings
) -> None:
    rng = random.Random(100_000)
    broken_lines = set(rng.sample(range(1, ROWS + 1), BROKEN))
    feed = tmp_path / "wire.jsonl"
    good_urls = set()
    with open(feed, "w", encoding="utf-8") as f:
        for line in range(1, ROWS + 1):
            if line in broken_lines:
                f.write(_broken_row(line, rng) + "\n")
                continue
            url = f"https://wire.example/{line}"
            good_urls.add(url)
            body = f"Short item {line} about {rng.choice(['oil', 'rates', 'rain', 'votes'])}."
            f.write(json.dumps({"title": f"Item {line}", "url": url, "body": body}) + "\n")

    code, out, err, peak = _measured(library, no_seed_config, "add", feed)
    no_traceback(err)
    assert code == 1
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"
    assert f"added {ROWS - BROKEN}," in out and f"failed {BROKEN}" in out, out
    # Each bad row reported once, with its line number; no good row reported.
    failures = _failures(err)
    reported = {int(where.rsplit(":", 1)[1]) for where in failures}
    assert len(failures) == BROKEN
    assert reported == broken_lines
    assert all(where.startswith(f"{feed}:") for where in failures)

    core = Newsreader.open(library, no_seed_settings)
    try:
        urls = {r[0] for r in core.library.query("SELECT url FROM articles")}
        assert urls == good_urls  # every good row arrived, once
        assert_index_matches_library(core)
        good = sorted(set(range(1, ROWS + 1)) - broken_lines)
        for line in rng.sample(good, 10):
            hits = core.search(f'"short item {line}"', fuzzy=False).hits
            assert f"Item {line}" in [h.title for h in hits]
    finally:
        core.close()
