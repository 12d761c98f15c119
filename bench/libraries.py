"""The libraries the latency and first-paint measurements open: built once through
`Newsreader.add` and cached in bench/.cache/ (gitignored), or taken over from an ingest run of
this invocation, which built the same library anyway."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, say
from bench.corpora import Corpus

MARKER = "BUILT"  # AG News caches: the corpus's row count, written when the build finished
META_KEY = "bench_corpus"  # Reuters cache (shared with eval_related.py): the corpus's stamp


def _rows(corpus: Corpus) -> str:
    with open(corpus.source, "rb") as f:
        return str(sum(1 for _ in f))


def is_cached(corpus: Corpus) -> bool:
    """The cached library exists, finished building, from this version of the corpus file."""
    home = corpus.library_cache
    if corpus.kind == "agnews":
        marker = home / MARKER
        return marker.exists() and marker.read_text().strip() == _rows(corpus)
    db = home / "library.sqlite3"
    if not db.exists():
        return False
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return bool(row) and row[0] == corpus.stamp()


def adopt(corpus: Corpus, built: Path) -> Path:
    """Make `built` (a finished library of the whole corpus, with entities) the cached one."""
    home = corpus.library_cache
    if corpus.kind == "agnews":
        (built / MARKER).write_text(_rows(corpus))
    else:
        from index.storage.library import Library

        library = Library(built)
        try:
            library.set_meta(META_KEY, corpus.stamp())
        finally:
            library.close()
    shutil.rmtree(home, ignore_errors=True)
    os.replace(built, home)
    return home


def ensure(corpus: Corpus) -> Path:
    """The cached library of `corpus`, built first (in a child process, minutes) if needed."""
    if is_cached(corpus):
        return corpus.library_cache
    from bench.ingest import ingest_once

    say(f"  building the {corpus.name} library in {corpus.library_cache} (once; minutes)…")
    run = ingest_once(corpus, "entities", corpus.jsonl())
    if run["returncode"] != 0 or not run.get("result"):
        raise RuntimeError(f"building the {corpus.name} library failed: {run}")
    return adopt(corpus, Path(run["result"]["library"]))


SETTLE = """
import sys
from bench.common import settings_for
from index.core import Newsreader

def say(message):
    print("  newsreader:", message, flush=True)

Newsreader.open(sys.argv[1], settings_for(seed_demo=False), notify=say).close()
"""


def settle(library: Path) -> float:
    """Open the library once in a fresh process before anything is timed, so that work an
    open may do (rebuilding an index written by another index version, finishing what a
    killed process left) is not counted as opening it. Returns the seconds it took (about
    one interpreter start when there was nothing to do)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", SETTLE, str(library)], cwd=ROOT, check=True)
    return round(time.perf_counter() - start, 2)


def index_written_at(library: Path) -> str | None:
    """When the library's search index was last written, for the report: an index written by
    older code may be laid out differently (more segments, slower searches)."""
    import time

    files = [p for p in (library / "index").glob("*") if p.is_file()]
    if not files:
        return None
    newest = max(p.stat().st_mtime for p in files)
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(newest))
