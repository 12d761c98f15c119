"""The go-to finder's start-up warm-up and its cost per keystroke, old against new (issue 19):
the word-prefix index built in memory from every title at start-up (as before; still what a
finder over a plain list of titles does) against the one the library keeps on disk.

    python -m bench.finder_warmup                       # agnews_10k and agnews_127k
    python -m bench.finder_warmup --corpus agnews_1m --rows 1000000   # ../scale-data's corpus

The finder reads only the library's SQLite file, so each library is built here with
`Library.add_articles` alone (no search index, no entities: minutes, not the hour a full
`newsreader add` takes) and cached in bench/.cache/finder/. Times are CPU seconds of this
thread (the machine is shared), taken old and new alternately; every keystroke's results are
compared, and a difference is reported."""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import CACHE, percentile, say
from bench.corpora import CORPORA, agnews_article, count_lines
from bench.queries import Row, keystrokes, make_finder_inputs
from index.model import Article
from index.search.fuzzy import TitleFinder
from index.storage.library import Library

HOME = CACHE / "finder"
BATCH = 2000
REAL_ROWS = 7600  # AG News's genuine rows: the inputs are drawn from their titles


def _articles(source: Path, rows: int) -> Iterator[Article]:
    with open(source, newline="", encoding="utf-8") as f:
        for n, (cls, title, desc) in enumerate(itertools.islice(csv.reader(f), rows)):
            a = agnews_article(n, cls, title, desc)
            yield Article(title=a["title"] or "", paragraphs=[a["body"] or ""],
                          source=a["source"], url=a["url"])


def build(name: str, source: Path, rows: int) -> Path:
    """A library of the first `rows` rows of `source` (cached: built once)."""
    home = HOME / f"{name}-{rows}"
    marker = home / "BUILT"
    if marker.exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    say(f"  building {home} ({rows} articles, SQLite only)…")
    library = Library(home)
    try:
        started = time.perf_counter()
        articles = _articles(source, rows)
        while batch := list(itertools.islice(articles, BATCH)):
            library.add_articles(batch)
        say(f"  built in {time.perf_counter() - started:.0f} s")
    finally:
        library.close()
    marker.write_text(str(rows))
    return home


def cpu_s(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.thread_time()
    out = fn()
    return time.thread_time() - start, out


def prefix_bytes(library: Library) -> int | None:
    """The prefix tables' size in the file (None where SQLite lacks the dbstat table)."""
    try:
        rows = library.query(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'title_prefix%'"
            " OR name LIKE 'sqlite_autoindex_title_prefix%'"
        )
    except Exception:  # noqa: BLE001 - dbstat is a compile-time option
        return None
    return int(rows[0][0] or 0)


def held_mb(make: Callable[[], TitleFinder]) -> float:
    """Memory the finder holds once built (tracemalloc: slow, so a pass of its own)."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        finder = make()
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del finder
    return round(held / 1e6, 1)


def measure(home: Path, inputs_n: int, seed: int, memory: bool = False) -> dict[str, Any]:
    library = Library(home)
    try:
        count = library.count()
        def old() -> TitleFinder:
            return TitleFinder(library.iter_titles(), library.titles_of)

        def new() -> TitleFinder:
            return TitleFinder(library.iter_titles(), library.titles_of, library.title_prefixes)

        rebuild_s, _ = cpu_s(library.rebuild_title_prefixes)  # an older library's migration
        warm: dict[str, list[float]] = {"old": [], "new": []}
        finders: dict[str, TitleFinder] = {}
        for _ in range(2):
            for label, make in (("old", old), ("new", new)):
                finders.pop(label, None)
                seconds, finders[label] = cpu_s(make)
                warm[label].append(seconds)
        held = {"old": held_mb(old), "new": held_mb(new)} if memory else None
        rows = [
            Row(r[0], r[1], None, None, lambda: "")
            for r in library.query("SELECT id, title FROM articles ORDER BY id LIMIT ?",
                                   (REAL_ROWS,))
        ]
        inputs = make_finder_inputs(rows, random.Random(seed), inputs_n)
        per_key: dict[str, list[float]] = {"old": [], "new": []}
        differ = 0
        for text in inputs:
            for typed in keystrokes(text):
                found: dict[str, object] = {}
                for label in ("old", "new") if len(per_key["old"]) % 2 else ("new", "old"):
                    seconds, found[label] = cpu_s(partial(finders[label].find, typed, 30))
                    per_key[label].append(seconds * 1000)
                differ += found["old"] != found["new"]
        return {
            "articles": count,
            "size_mb": round(library.size_bytes() / 1e6, 1),
            "prefix_tables_mb": (None if (b := prefix_bytes(library)) is None
                                 else round(b / 1e6, 1)),
            "rebuild_s": round(rebuild_s, 2),
            "warm_s": {k: round(min(v), 3) for k, v in warm.items()},
            "held_mb": held,
            "keystroke_ms": {
                k: {"p50": round(percentile(sorted(v), 0.5), 2),
                    "p95": round(percentile(sorted(v), 0.95), 2)}
                for k, v in per_key.items()
            },
            "keystrokes": len(per_key["new"]),
            "results_differ": differ,
        }
    finally:
        library.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="agnews_10k,agnews_127k")
    parser.add_argument("--rows", type=int, default=None, help="the first N rows only")
    parser.add_argument("--inputs", type=int, default=30, help="inputs typed, per library")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--memory", action="store_true",
                        help="also the memory each finder holds (tracemalloc; slow)")
    args = parser.parse_args(argv)
    say(f"finder warm-up, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        f" (CPU seconds of this thread; old = prefixes indexed in memory at warm-up)")
    for name in args.corpus.split(","):
        corpus = CORPORA[name]
        rows = args.rows or count_lines(corpus.source)
        home = build(name, corpus.source, rows)
        r = measure(home, args.inputs, args.seed, args.memory)
        say(
            f"{name}: {r['articles']} articles, library {r['size_mb']} MB"
            f" (prefix tables {r['prefix_tables_mb']} MB); building the prefix tables of an"
            f" older library {r['rebuild_s']} s\n"
            f"  warm-up: old {r['warm_s']['old']:.3f} s, new {r['warm_s']['new']:.3f} s"
            + (f"; holding old {r['held_mb']['old']} MB, new {r['held_mb']['new']} MB"
               if r["held_mb"] else "") + "\n"
            f"  per keystroke ({r['keystrokes']}): old p50 {r['keystroke_ms']['old']['p50']}"
            f" / p95 {r['keystroke_ms']['old']['p95']} ms, new p50"
            f" {r['keystroke_ms']['new']['p50']} / p95 {r['keystroke_ms']['new']['p95']} ms;"
            f" results differ on {r['results_differ']}"
        )


if __name__ == "__main__":
    try:
        main()
    except sqlite3.Error as exc:
        raise SystemExit(f"finder_warmup: {exc}") from None
