"""The `newsreader` command as real processes: several at once, interrupted, and a folder of
hostile files (../shared/tools/make_hostile.py)."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cli_helpers import (
    HERE,
    MAKE_HOSTILE,
    summary,
)

from index.config import Settings
from index.core import Newsreader


# -- real processes -------------------------------------------------------------------------
def newsreader(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader.main", *map(str, args)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def test_subprocess_add_and_search(tmp_path: Path, lib: Path, no_seed_config: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Subprocess story\n\nA pangolin crossed the road.\n", "utf-8")
    base = ["--library", lib, "--config", no_seed_config]
    added = newsreader(*base, "add", story)
    assert added.returncode == 0, added.stderr
    assert summary(added.stdout) == (1, 0, 0, 0)
    found = newsreader(*base, "search", "--json", "pangolin")
    assert found.returncode == 0
    assert [h["title"] for h in json.loads(found.stdout)] == ["Subprocess story"]
    usage = newsreader(*base, "search")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_search_stdin_answers_each_query_as_it_comes(
    small, lib: Path, no_seed_config: Path
) -> None:
    """One line in, one line out, before the next query is written (scripts rely on it)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reader.main",
            "--library",
            str(lib),
            "--config",
            str(no_seed_config),
            "search",
            "--stdin",
            "--json",
        ],
        cwd=HERE,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        for query in ("palmyra", "zeppelin", "cricket"):
            proc.stdin.write(query + "\n")
            proc.stdin.flush()
            # Generous guard against a hang, not a speed test.
            answer = json.loads(lines.get(timeout=120))
            assert answer["query"] == query and answer["hits"]
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


# -- hostile input --------------------------------------------------------------------------
@pytest.mark.skipif(not MAKE_HOSTILE.is_file(), reason="../shared/tools/make_hostile.py absent")
def test_hostile_folder(nr, tmp_path: Path, lib: Path, no_seed_settings: Settings) -> None:
    hostile = tmp_path / "hostile"
    subprocess.run(
        [sys.executable, str(MAKE_HOSTILE), str(hostile)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = nr("add", hostile)
    assert result.code == 1
    assert "Traceback" not in result.err
    added, _, duplicates, failed = summary(result.out)
    failures = [line for line in result.err.splitlines() if line.startswith(str(hostile))]
    assert len(failures) == failed > 0
    failed_files = set()
    for line in failures:
        where, _, reason = line.partition(": ")
        assert reason.strip(), line
        path = re.sub(r"(:\d+|\[\d+\])$", "", where)  # a row is named as FILE:LINE
        assert Path(path).exists(), line
        failed_files.add(Path(path).name)
    assert {
        "binary-v0.txt",
        "empty-v0.txt",
        "blank-v0.md",
        "broken-v0.json",
        "rows-v0.jsonl",
    } <= failed_files

    core = Newsreader.open(lib, no_seed_settings)
    try:
        # Every good article arrived and can be found.
        good = ["ansi", "markup", "latin1", "utf16", "badutf8", "longtitle", "unicode", "duplicate"]
        noperm = hostile / "noperm-v0.txt"
        if os.access(noperm, os.R_OK):  # root reads it anyway
            good.append("noperm")
        else:
            assert "noperm-v0.txt" in failed_files
        for tag in good:
            assert core.search(f'"palmyra {tag} report"', fuzzy=False).hits, tag
        assert len(core.search('"jsonl good"', fuzzy=False).hits) == 3
        for title in ("Feed item about Palmyra", "HTML Palmyra story"):
            assert title in {h.title for h in core.search(f'"{title}"', fuzzy=False).hits}
        # Each file is accounted for: stored, named as failed, or a copy of another.
        origins = {
            re.sub(r"#.*$", "", row[0])
            for row in core.library.query("SELECT origin FROM articles WHERE origin NOT NULL")
        }
        files = {p for p in hostile.iterdir() if p.is_file()}
        unaccounted = {
            p.name for p in files if str(p) not in origins and p.name not in failed_files
        }
        assert unaccounted <= {"dup-a-v0.txt", "dup-b-v0.txt"} and len(unaccounted) <= duplicates
        assert core.stats()["articles"] == added
        # Nothing hostile got through: no control characters, no expanded entities.
        for a in core.list():
            article = core.get(a.id)
            text = article.title + "\n".join(article.paragraphs)
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), a.title
            assert "root:" not in text and "aaaaaaaaaaaaaaaaaaaa" not in text
            assert "alert(" not in text and "color:red" not in text
    finally:
        core.close()


def test_opening_the_reader_builds_no_command_parsers(monkeypatch) -> None:
    """`newsreader [--library L] [--config C]` goes to the reader without building every
    command's parser (which imports their modules before the first frame); anything else
    goes through the full parser."""
    import reader.launch
    import reader.main
    from index import cli

    launched: list = []
    monkeypatch.setattr(reader.launch, "launch", lambda args: launched.append(args) or 0)
    real_build = cli.build_parser
    built: list = []

    def build():
        built.append(1)
        return real_build()

    monkeypatch.setattr(cli, "build_parser", build)
    assert reader.main.main(["--library", "L", "--config", "C"]) == 0
    assert built == [] and (launched[0].library, launched[0].config) == ("L", "C")
    assert reader.main.main([]) == 0 and built == []
    with pytest.raises(SystemExit) as exit_:
        reader.main.main(["--library"])  # a mistake: the full parser explains it
    assert exit_.value.code == 2 and built == [1]
    with pytest.raises(SystemExit):
        reader.main.main(["--version"])
    assert built == [1, 1] and len(launched) == 2
