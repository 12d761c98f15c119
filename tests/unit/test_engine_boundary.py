"""The engine boundary: Whoosh's private API is used in index/engine/whoosh_internals.py only,
so that a Whoosh upgrade (or another engine) touches one module."""

from __future__ import annotations

import ast
from pathlib import Path

import index

CORE = Path(index.__file__).resolve().parent
BOUNDARY = CORE / "engine" / "whoosh_internals.py"


def _private_uses(tree: ast.AST, whoosh_names: set[str] | None = None) -> set[str]:
    """Private names reached on anything but self/cls (also through getattr), private
    keyword arguments, and private names imported from whoosh (with `whoosh_names`, only
    those rooted at a name bound by a whoosh import)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found |= {a.name for a in node.names if a.name.startswith("_")}
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant)
              and str(node.args[1].value).startswith("_") and whoosh_names is None):
            found.add(str(node.args[1].value))
        elif isinstance(node, ast.keyword) and (node.arg or "").startswith("_"):
            found.add(str(node.arg))
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
              and not node.attr.startswith("__")):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in ("self", "cls"):
                continue
            if whoosh_names is None or (isinstance(root, ast.Name) and root.id in whoosh_names):
                found.add(node.attr)
    return found


def _whoosh_names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names
                      if a.name.startswith("whoosh")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            names |= {a.asname or a.name for a in node.names}
    return names


def test_whoosh_internals_are_used_in_one_module() -> None:
    # What the boundary reaches into: none of these private names may appear elsewhere.
    internals = _private_uses(ast.parse(BOUNDARY.read_text(encoding="utf-8")))
    assert {"_read_data", "_perdoc", "_cached_reader", "_lk"} <= internals
    leaks = {}
    for path in sorted(CORE.rglob("*.py")):
        if path == BOUNDARY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = (_private_uses(tree) & internals) | _private_uses(tree, _whoosh_names(tree))
        if used:
            leaks[str(path.relative_to(CORE))] = sorted(used)
    assert leaks == {}


def test_the_boundary_checks_the_whoosh_version() -> None:
    import whoosh

    from index.engine import whoosh_internals

    pinned = tuple(whoosh.__version__) == whoosh_internals.PINNED
    assert pinned == whoosh_internals.FAST
