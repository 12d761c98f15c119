"""Export and import: JSON import into an empty library and merging without duplicates, the tag
filter, atomic writes (also under SIGKILL), and the `export`/`import` commands. Each format
read back by a real parser is in test_export_formats.py."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from export_helpers import REPO, comparable, read_html, split_markdown, text

from index.bookmarks import Bookmarks
from index.config import Settings
from index.core import Newsreader
from index.export import importer
from index.export.importer import import_json
from index.export.renderers import (
    ExportError,
    collect,
    render,
    write_atomic,
)


# -- json + import --------------------------------------------------------------------------
def test_json_export_imports_into_an_empty_library(
    marked: Bookmarks, tmp_path: Path, no_seed_settings: Settings
) -> None:
    path = tmp_path / "bookmarks.json"
    write_atomic(path, render("json", collect(marked)))
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["schema"] == 1 and len(doc["bookmarks"]) == 5
    empty = Newsreader.open(tmp_path / "empty", no_seed_settings)
    try:
        assert empty.library.count() == 0
        report = import_json(empty, path)
        assert (report.added, report.skipped, report.articles_created) == (5, 0, 3)
        theirs = Bookmarks(empty.library)
        assert sorted(map(comparable, theirs.list())) == sorted(map(comparable, marked.list()))
        # The recreated articles hold each bookmarked passage at its old number ...
        for b in theirs.list():
            if b.passage is not None:
                paragraph = empty.get(b.article_id).paragraphs[b.passage]
                assert (paragraph[b.start : b.end] if b.start is not None else paragraph) == b.quote
        # ... and are searchable.
        assert empty.search("zeppelin").total == 1
        # Importing again adds nothing.
        again = import_json(empty, path)
        assert (again.added, again.skipped, again.articles_created) == (0, 5, 0)
        assert len(theirs.list()) == 5
    finally:
        empty.close()


def test_import_merges_into_a_library_that_has_the_articles(
    marked: Bookmarks,
    small_library: Newsreader,
    tmp_path: Path,
    small_articles: list[dict],
    article_files,
) -> None:
    path = tmp_path / "b.json"
    write_atomic(path, render("json", collect(marked)))
    # Into the same library: everything is already there.
    report = import_json(small_library, path)
    assert (report.added, report.skipped, report.articles_created) == (0, 5, 0)
    # One removed, and the missiles article re-ingested with its paragraphs reordered.
    gone = next(b for b in marked.list() if b.note == "zeppelin")
    marked.remove(gone.id)
    missiles = next(a for a in small_articles if a["title"].startswith("Russian warships"))
    missiles["paragraphs"].reverse()
    assert small_library.add([str(f) for f in article_files(tmp_path / "v2", [missiles])]).updated
    report = import_json(small_library, path)
    assert (report.added, report.skipped, report.articles_created) == (1, 4, 0)
    assert len(marked.list()) == 5
    restored = next(b for b in marked.list() if b.note == "zeppelin")
    assert comparable(restored) == comparable(gone)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": 2, "bookmarks": []}', "schema 2 is not supported"),
        ("{not json", "not valid JSON"),
        ('{"hello": 1}', "not a newsreader bookmarks export"),
        (
            '{"schema": 1, "bookmarks": [{"article": {"title": "T"}, "passage": -1,'
            ' "quote": "q"}]}',
            "bookmark #1",
        ),
        ('{"schema": 1, "bookmarks": [{"article": {"title": "T"}, "tags": "a"}]}', "tags"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_bad_import_is_a_clear_error_and_changes_nothing(
    small_library: Newsreader, tmp_path: Path, content, message: str
) -> None:
    path = tmp_path / "in.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = small_library.library.count()
    with pytest.raises(ExportError, match=message):
        import_json(small_library, path)
    assert small_library.library.count() == before
    assert Bookmarks(small_library.library).list() == []


def test_import_failing_midway_imports_nothing(
    marked: Bookmarks, small_library: Newsreader, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.json"
    write_atomic(path, render("json", collect(marked)))
    for b in marked.list():
        marked.remove(b.id)
    real, calls = importer.anchor_for, []

    def dies_on_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as a crash would, after two bookmarks were inserted
        return real(*args)

    monkeypatch.setattr(importer, "anchor_for", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        import_json(small_library, path)
    assert marked.list() == []


# -- filter ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["markdown", "json", "csv", "html"])
def test_tag_filter(marked: Bookmarks, fmt: str) -> None:
    out = text(fmt, marked, tag="#Syria")
    assert "Russian warships" in out
    assert "Palmyra" not in out.replace("near Palmyra", "") and "cricket" not in out
    if fmt == "json":
        assert [b["note"] for b in json.loads(out)["bookmarks"]] == [
            "whole article",
            "the sub\nsecond line",
        ]


# -- atomic writes --------------------------------------------------------------------------
def test_write_atomic_replaces_or_keeps(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("previous", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, ["new ", "content"])
    assert target.read_text(encoding="utf-8") == "new content"
    assert target.stat().st_mode & 0o777 == 0o640

    def failing():
        yield "partial"
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left"):
        write_atomic(target, failing())
    assert target.read_text(encoding="utf-8") == "new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]  # no temp file left
    with pytest.raises(ExportError, match="is a folder"):
        write_atomic(tmp_path, ["x"])
    with pytest.raises(ExportError, match="cannot write"):
        write_atomic(tmp_path / "missing" / "out.txt", ["x"])


# A `newsreader export` that stops after its first chunk (so mid-file) until the test kills it.
HOLD_SCRIPT = """
import sys
import index.commands.bookmarks as command
from reader.main import main

real = command.render
def held(*args, **kwargs):
    for n, chunk in enumerate(real(*args, **kwargs)):
        yield chunk
        if n == 0:
            sys.stderr.write("HELD\\n")
            sys.stderr.flush()
            sys.stdin.readline()  # blocks: the test never writes
command.render = held
sys.exit(main(sys.argv[1:]))
"""


def run_export(*args: str | Path, hold: bool) -> subprocess.Popen:
    code = HOLD_SCRIPT if hold else "import sys; from reader.main import main; sys.exit(main())"
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_export_killed_midway_leaves_the_previous_file(
    marked: Bookmarks, tmp_path: Path, no_seed_config: Path
) -> None:
    where = marked.library.directory
    out = tmp_path / "exports" / "bookmarks.json"
    out.parent.mkdir()
    out.write_text("the previous export\n", encoding="utf-8")
    args = ("--config", no_seed_config, "--library", where, "export", "--format", "json", "-o", out)
    proc = run_export(*args, hold=True)
    try:
        lines = []
        while (line := proc.stderr.readline()) and line != "HELD\n":
            lines.append(line)
        assert line == "HELD\n", "export ended before the hold: " + "".join(lines)
        temps = list(out.parent.glob(".bookmarks.json.*.tmp"))
        assert len(temps) == 1  # it is writing the new export beside the old one
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    # The control: the same command left to finish does replace the file.
    done = run_export(*args, hold=False)
    _, err = done.communicate()
    assert done.returncode == 0, err
    assert len(json.loads(out.read_text(encoding="utf-8"))["bookmarks"]) == 5


# -- CLI ------------------------------------------------------------------------------------
@pytest.fixture
def cli(small_library: Newsreader, no_seed_config: Path, run_cli):
    def run(*args, library: Path | None = None):
        where = library or small_library.library.directory
        return run_cli("--config", no_seed_config, "--library", where, *map(str, args))

    return run


def test_cli_export_and_import(marked: Bookmarks, cli, tmp_path: Path) -> None:
    out = cli("export", "--format", "json")
    assert out.code == 0, out.err
    assert len(out.json()["bookmarks"]) == 5
    for fmt, name in (
        ("markdown", "b.md"),
        ("csv", "b.csv"),
        ("html", "b.html"),
        ("json", "b.json"),
    ):
        path = tmp_path / name
        result = cli("export", "-o", path)  # the format comes from the extension
        assert result.code == 0, result.err
        written = path.read_bytes().decode("utf-8")  # as written: CSV rows end in CRLF
        if fmt == "json":  # differs only in its "exported" time
            assert json.loads(written)["bookmarks"] == json.loads(text(fmt, marked))["bookmarks"]
        else:
            assert written == text(fmt, marked)
        assert f"exported 5 bookmarks to {path}" in result.err
    assert read_html((tmp_path / "b.html").read_text(encoding="utf-8")).doctype.startswith(
        "DOCTYPE NETSCAPE"
    )
    assert len(split_markdown((tmp_path / "b.md").read_text(encoding="utf-8"))) == 3
    tagged = cli("export", "--format", "csv", "--tag", "odd")
    assert len(list(csv.DictReader(io.StringIO(tagged.out, newline="")))) == 1

    fresh = tmp_path / "fresh-library"
    imported = cli("import", tmp_path / "b.json", library=fresh)
    assert imported.code == 0, imported.err
    assert "imported 5 bookmarks, skipped 0" in imported.out
    listed = cli("bookmark", "list", "--json", library=fresh).json()
    assert sorted(b["note"] for b in listed) == sorted(b.note for b in marked.list())
    again = cli("import", tmp_path / "b.json", library=fresh)
    assert "imported 0 bookmarks, skipped 5" in again.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("export",), 2, "give --format"),
        (("export", "-o", "{tmp}/out.txt"), 2, "give --format"),
        (("export", "--format", "pdf"), 2, "invalid choice"),
        (("export", "--format", "json", "-o", "{tmp}/no/such/dir/x.json"), 1, "cannot write"),
        (("export", "--format", "json", "--tag", "  "), 1, "not one tag"),
        (("import", "{tmp}/missing.json"), 1, "cannot read"),
        (("import",), 2, "required"),
    ],
)
def test_cli_export_import_errors(cli, tmp_path: Path, args, code, message) -> None:
    result = cli(*(a.format(tmp=tmp_path) for a in args))
    assert (result.code, result.out) == (code, "")
    assert message in result.err
    assert not (tmp_path / "no").exists()


def test_export_file_permissions_follow_umask(marked: Bookmarks, tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    old = os.umask(0o027)
    try:
        write_atomic(path, render("json", collect(marked)))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
