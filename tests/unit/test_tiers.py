"""The test tiers (tests/README.md): unit tests exercise the core in process, without Textual
or the reader; the reader's tests (Textual's pilot) are functional; the real `newsreader` in
processes and in tmux is end-to-end."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_unit_tests_import_neither_textual_nor_the_reader() -> None:
    offenders = {}
    for path in sorted((TESTS / "unit").glob("*.py")):
        found = {
            name for name in imported(path)
            # `import reader` alone locates the reader's source files (test_sql_boundary).
            if name.split(".")[0] == "textual" or name.startswith("reader.")
        }
        if found:
            offenders[path.name] = sorted(found)
    assert not offenders


def test_every_test_file_is_in_a_tier() -> None:
    assert not list(TESTS.glob("test_*.py"))
    for tier in ("unit", "functional", "e2e"):
        assert list((TESTS / tier).glob("test_*.py")), tier
