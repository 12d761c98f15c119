"""Ingest from files and folders: encodings, bad and special files, folder walks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from ingest_helpers import (
    ATOM,
    RSS,
    articles,
    failures,
    one,
    run,
    write,
)

from index.ingest import IngestLimits, Parsed
from index.ingest import sources as sources_module

# -- encodings, bad files, folders -------------------------------------------------------


def test_encodings(tmp_path: Path) -> None:
    utf16 = write(tmp_path / "u16.txt", "UTF-16 title ü\n\nBody ẞ\n".encode("utf-16"))
    utf16jsonl = write(tmp_path / "u16.jsonl", '{"title": "Zürich"}\n'.encode("utf-16"))
    cp = write(tmp_path / "cp.txt", "Café in Zürich — naïve résumé\n\nx\n".encode("cp1252"))
    cpjsonl = write(tmp_path / "cp.jsonl", '{"title": "caf\xe9"}\n'.encode("cp1252"))
    bad = write(tmp_path / "bad.txt", b"Broken \xff\xfe\xc3\x28 title\n\nBody\n")
    arts = articles(run(utf16, utf16jsonl, cp, cpjsonl, bad))
    assert [a.title for a in arts[:4]] == [
        "UTF-16 title ü",
        "Zürich",
        "Café in Zürich — naïve résumé",
        "café",
    ]
    assert arts[0].paragraphs == ["Body ẞ"]
    assert arts[4].title.startswith("Broken") and arts[4].paragraphs == ["Body"]


def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    html = "<html><head><meta charset='windows-1251'><title>Новости дня</title></head>"
    html += "<body><p>Текст статьи о Пальмире, достаточно длинный для извлечения.</p></body></html>"
    feed = RSS.replace("ISO-8859-1", "koi8-r").replace("Bad date \xe9t\xe9", "Плохая дата")
    arts = articles(
        run(
            write(tmp_path / "ru.html", html.encode("cp1251")),
            write(tmp_path / "ru.xml", feed.encode("koi8-r")),
        )
    )
    assert arts[0].title == "Новости дня" and "Пальмире" in arts[0].body
    assert arts[-1].title == "Плохая дата"


def test_bracketed_headline_is_text_not_json() -> None:
    a = one("-", stdin=io.BytesIO(b"[UPDATE] Talks resume\n\nBody.\n"))
    assert a.title == "[UPDATE] Talks resume" and a.paragraphs == ["Body."]


def test_import_stays_light() -> None:
    code = (
        "import sys, index.ingest; "
        "print(sorted(m for m in ('trafilatura', 'feedparser', 'yaml', 'textual', 'reader') "
        "if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_binary_empty_missing_and_too_large(tmp_path: Path) -> None:
    binary = write(tmp_path / "pic.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.md", " \n\t\n")
    pdf = write(tmp_path / "doc.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    missing = tmp_path / "nope.txt"
    assert failures(run(binary, empty, blank, missing, pdf)) == {
        str(binary): "binary file, not text",
        str(empty): "empty file",
        str(blank): "empty file",
        str(missing): "no such file or directory",
        str(pdf): "binary file, not text",
    }
    big = write(tmp_path / "big.txt", "Title\n\n" + "x " * 200)
    big_rows = write(tmp_path / "big.jsonl", '{"title": "x"}\n' * 100)
    res = run(big, big_rows, limits=IngestLimits(max_file_bytes=300))
    assert failures(res) == {
        str(big): "file too large (407 bytes, limit 300 bytes)",
        str(big_rows): "file too large (1.5 KiB, limit 300 bytes)",
    }


def test_folder_walk_skips_other_types_and_hidden(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "B title\n\nbody")
    write(tmp_path / "a" / "story.md", "# A title\n\nbody")
    write(tmp_path / "a" / "photo.jpg", b"\xff\xd8\xff\xe0")
    write(tmp_path / "NOTICE", "licence text")
    write(tmp_path / ".hidden.txt", "Hidden\n\nbody")
    write(tmp_path / ".git" / "x.txt", "Hidden too\n\nbody")
    res = run(tmp_path)
    assert [a.title for a in articles(res)] == ["B title", "A title"]  # files, then sub-folders
    skipped = sorted(r.path for r in res if r.skipped)
    assert skipped == sorted([str(tmp_path / "NOTICE"), str(tmp_path / "a" / "photo.jpg")])
    assert not failures(res)


def test_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path / "top" / "one.txt", "One\n\nbody")
    write(tmp_path / "top" / "sub" / "two.txt", "Two\n\nbody")
    os.symlink("..", tmp_path / "top" / "sub" / "up")
    os.symlink(tmp_path / "top", tmp_path / "top" / "self")
    res = run(tmp_path / "top")
    assert sorted(a.title for a in articles(res)) == ["One", "Two"]
    assert not failures(res)


def test_unreadable_file_does_not_crash(tmp_path: Path) -> None:
    p = write(tmp_path / "noperm.txt", "Secret\n\nbody")
    p.chmod(0)
    try:
        res = run(p)
    finally:
        p.chmod(0o644)
    assert len(res) == 1
    if res[0].failure:  # root reads it anyway
        assert res[0].failure.reason == "permission denied"


def test_special_file_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert failures(run(fifo)) == {str(fifo): "not a regular file"}


def test_unexpected_loader_error_becomes_failure(tmp_path: Path, monkeypatch) -> None:
    def broken(text, ctx) -> Iterator[Parsed]:
        raise RuntimeError("kaboom")
        yield  # pragma: no cover

    monkeypatch.setitem(sources_module._LOADERS, "text", broken)
    p = write(tmp_path / "a.txt", "T\n\nbody")
    ok = write(tmp_path / "b.md", "# Fine\n\nbody")
    res = run(p, ok)
    assert failures(res) == {str(p): "could not read: RuntimeError: kaboom"}
    assert [a.title for a in articles(res)] == ["Fine"]


def test_unknown_extension_is_sniffed_when_named(tmp_path: Path) -> None:
    p = write(tmp_path / "download", '{"title": "Sniffed JSON", "body": "b"}')
    q = write(tmp_path / "feed.php", ATOM)
    assert [a.title for a in articles(run(p, q))] == ["Sniffed JSON", "Atom entry"]
