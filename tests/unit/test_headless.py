"""The core is headless: importing and using `index` loads neither `textual` nor `reader`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import index

# Run from the folder that holds the `index` under test (the checkout, or site-packages when
# the suite tests an installed wheel), so the child imports the same copy.
HERE = Path(index.__file__).resolve().parents[1]

CHECK = """
import sys
bad = sorted(m for m in sys.modules
             if m in ("textual", "reader") or m.startswith(("textual.", "reader.")))
assert not bad, f"the headless core imported {bad}"
"""


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NEWSREADER_HOME=str(tmp_path / "home"))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + CHECK],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_importing_the_core_loads_no_ui(tmp_path: Path) -> None:
    code = """
    import importlib, pkgutil
    import index, index.core, index.cli, index.config, index.ingest, index.storage.library
    import index.search.searching, index.search.indexing.search_index, index.search.query
    import index.search.fuzzy, index.engine.whoosh_internals
    # Every module of the package, including ones added later (bookmarks, export, ...).
    for info in pkgutil.walk_packages(index.__path__, "index."):
        importlib.import_module(info.name)
    """
    proc = run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_using_the_core_loads_no_ui(tmp_path: Path) -> None:
    # Lazy imports happen on use: ingest, search, the CLI parser with its feature modules.
    (tmp_path / "a.txt").write_text("Headless title\n\nA body about Palmyra.\n", "utf-8")
    code = f"""
    from pathlib import Path
    from index import cli
    from index.config import Settings
    from index.core import Newsreader
    settings = Settings()
    settings.library.seed_demo = False
    core = Newsreader.open(Path({str(tmp_path / "lib")!r}), settings)
    assert core.add([{str(tmp_path / "a.txt")!r}]).added == 1
    assert [h.title for h in core.search("palmyra").hits] == ["Headless title"]
    assert core.search("palmira").corrected == "palmyra"
    core.reindex()
    core.stats()
    core.close()
    cli.build_parser().parse_args(["search", "x"])
    """
    proc = run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
