"""Config files are parsed once and remembered (index.parsed_config): a launch with unchanged
files neither imports PyYAML nor parses, and the remembered copy never changes the settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import config, parsed_config
from index.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files actually parsed as YAML, in order."""
    seen: list[Path] = []
    real = config.parse_yaml

    def counting(path: Path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(config, "parse_yaml", counting)
    return seen


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_unchanged_files_are_not_parsed_again(tmp_path: Path, parses: list[Path]) -> None:
    user = write(tmp_path / "c.yaml", "search:\n  limit: 7\nkeymap:\n  search: s\n")
    first = load_settings(user)
    assert len(parses) == 2  # the shipped defaults and this file
    assert parsed_config.cache_path().is_file()
    second = load_settings(user)
    assert len(parses) == 2
    assert second == first
    assert second.search.limit == 7 and second.keymap == {"search": "s"}


def test_a_changed_file_is_parsed_again(tmp_path: Path, parses: list[Path]) -> None:
    user = write(tmp_path / "c.yaml", "search:\n  limit: 7\n")
    assert load_settings(user).search.limit == 7
    # Same size and, put back, the same modification time: only the text tells.
    stamp = user.stat().st_mtime_ns
    write(user, "search:\n  limit: 8\n")
    os.utime(user, ns=(stamp, stamp))
    assert load_settings(user).search.limit == 8
    assert parses[-1] == user
    write(user, "search:\n  limit: 12\n")  # another size
    assert load_settings(user).search.limit == 12


def test_a_file_that_cannot_be_read_is_reported_even_when_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = write(tmp_path / "c.yaml", "search:\n  limit: 7\n")
    assert load_settings(user).search.limit == 7
    real = Path.read_text

    def unreadable(self: Path, *args, **kwargs):
        if self == user:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", unreadable)
    with pytest.raises(ConfigError, match="cannot read: Permission denied"):
        load_settings(user)


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    user = tmp_path / "c.yaml"
    user.write_bytes(b"search:\n  limit: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(user)


def test_a_corrupt_cache_is_parsed_around_and_replaced(
    tmp_path: Path, parses: list[Path]
) -> None:
    user = write(tmp_path / "c.yaml", "ui:\n  theme: nord\n")
    load_settings(user)
    cache = parsed_config.cache_path()
    for garbage in ("{not json", '["a list"]', '{"version": 1, "files": {"x": 3}}', ""):
        write(cache, garbage)
        assert load_settings(user).ui.theme == "nord"
    count = len(parses)
    assert load_settings(user).ui.theme == "nord"
    assert len(parses) == count  # the cache was written again


def test_an_unwritable_cache_changes_nothing(tmp_path: Path, parses: list[Path]) -> None:
    user = write(tmp_path / "c.yaml", "ui:\n  theme: nord\n")
    cache = parsed_config.cache_path()
    cache.parent.parent.mkdir(parents=True, exist_ok=True)
    write(cache.parent, "a file where the cache folder should be")
    assert load_settings(user).ui.theme == "nord"
    assert load_settings(user).ui.theme == "nord"
    assert parses.count(user) == 2


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("library: [unclosed\n", "line"),  # not YAML: never remembered
        ("library:\n  colour: red\n", "library.colour"),  # remembered, refused each time
        ("library:\n  path: 2020-01-01\n", "library.path"),  # a date: JSON cannot hold it
        ("keymap:\n  1: x\n", "keymap"),  # an int key: JSON would make it a string
    ],
)
def test_bad_files_give_the_same_error_every_time(
    tmp_path: Path, text: str, named: str
) -> None:
    user = write(tmp_path / "bad.yaml", text)
    errors = []
    for _ in range(2):
        with pytest.raises(ConfigError) as caught:
            load_settings(user)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert str(user) in errors[0] and named in errors[0]


def test_a_launch_with_unchanged_files_does_not_import_yaml(tmp_path: Path) -> None:
    user = write(tmp_path / "c.yaml", "search:\n  limit: 5\n")
    code = (
        "import sys\n"
        "import reader.main\n"
        "from index.config import load_settings\n"
        f"assert load_settings({str(user)!r}).search.limit == 5\n"
        "print('yaml' in sys.modules)\n"
    )

    def run() -> str:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert run() == "True"  # the first launch parses
    assert run() == "False"
