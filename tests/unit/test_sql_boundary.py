"""The storage boundary: SQL is written in index/storage/ only (one repository per domain),
so that the library's schema changes in one package and every write is one of its
transactions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import index
import reader

CORE = Path(index.__file__).resolve().parent
STORAGE = CORE / "storage"
UI = Path(reader.__file__).resolve().parent

# A statement: its verb, then the word that names what it works on.
_SQL = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\b.*\bINTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+"
    r"(UNIQUE\s+)?(TABLE|INDEX)|DROP\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b",
    re.DOTALL,
)
# Calls that run SQL: a connection's, or the library's raw query helpers.
_RUNS_SQL = {"execute", "executemany", "executescript"}
_RAW_LIBRARY = {"query", "column", "transaction"}


def sql_written(source: str) -> list[str]:
    """Where a module's source writes or runs SQL: string constants holding a statement,
    calls to execute*, and raw library.query/column/transaction calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL.search(node.value):
                found.append(f"line {node.lineno}: SQL text {node.value[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if name in _RUNS_SQL or (name in _RAW_LIBRARY and owner_name.endswith("library")):
                found.append(f"line {node.lineno}: .{name}() call")
    return found


def test_the_check_finds_sql() -> None:
    assert sql_written('db.execute("SELECT 1")')
    assert sql_written('rows = self.library.query(q, params)')
    assert sql_written('with core.library.transaction() as db: pass')
    assert sql_written('q = f"DELETE FROM bookmarks WHERE id = {x}"')
    assert sql_written('Q = """\nUPDATE feeds\n   SET url = ?"""')
    # A headline is not SQL, nor is a widget query.
    assert not sql_written('"[UPDATE] Talks resume"; self.query(Paragraph)')


def test_sql_is_written_in_storage_only() -> None:
    outside = {}
    for folder in (CORE, UI):
        for path in sorted(folder.rglob("*.py")):
            if path.is_relative_to(STORAGE):
                continue
            found = sql_written(path.read_text(encoding="utf-8"))
            if found:
                outside[str(path.relative_to(folder.parent))] = found
    assert outside == {}, "SQL outside index/storage/: add a repository method there instead"


def test_storage_writes_sql() -> None:
    # The check would pass vacuously if it found no SQL at all: storage has plenty.
    assert all(sql_written(p.read_text(encoding="utf-8")) for p in (
        STORAGE / "articles.py", STORAGE / "bookmarks.py", STORAGE / "feeds.py",
        STORAGE / "mentions.py"))
