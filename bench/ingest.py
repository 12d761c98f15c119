"""Ingest throughput: newsreader beside raw Whoosh on the same documents, in the same run.

Per corpus, four runs, each in a fresh child process (`python -m bench.ingest MODE ...`):
- "entities": `Newsreader.add` (the path `newsreader add` takes) with the built-in entity
  extractor, the default;
- "no-entities": the same with `entities.backend: none`;
- "whoosh": raw Whoosh, a minimal schema (id, title and body with StemmingAnalyzer), one
  default `ix.writer()`, every document added, one commit.
- "whoosh-again": raw Whoosh once more, after the others (the order is whoosh, entities,
  no-entities, whoosh-again).
All read the same JSON Lines file (parsing it is part of every timing). The ratio of docs/s
is the figure that matters on a noisy machine: whatever slows one run slows its neighbours.
Its speed also drifts over minutes, longer than the runs of a large corpus, so newsreader's
docs/s are divided by the mean of the two raw Whoosh runs around them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    BUDGETS,
    CACHE,
    config_file,
    dir_bytes,
    mb,
    own_peak_rss_mb,
    run_child,
    say,
    write_json,
)
from bench.corpora import Corpus, count_lines, jsonl_files

MODES = ("whoosh", "entities", "no-entities")
WORK = CACHE / "ingest"
PROGRESS_EVERY_S = 15.0


# -- in the child ---------------------------------------------------------------------------------
def child_newsreader(jsonl: Path, out: Path, config: Path, label: str) -> dict[str, Any]:
    """Ingest through Newsreader.add; also how long entity extraction and indexing took
    inside it (the rest is reading, parsing and storing in SQLite)."""
    import index.core
    from index.config import load_settings
    from index.core import Newsreader
    from index.search.indexing.search_index import SearchIndex

    spent = {"entities_s": 0.0, "indexing_s": 0.0}

    def timing(fn, key: str):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - start

        return wrapper

    # Informational: where the core names these differently, the figures stay 0.
    if hasattr(index.core, "annotate"):
        index.core.annotate = timing(index.core.annotate, "entities_s")
    if hasattr(SearchIndex, "index_articles"):
        SearchIndex.index_articles = timing(SearchIndex.index_articles, "indexing_s")

    settings = load_settings(config)
    started, cpu = time.perf_counter(), time.process_time()
    last = [started]

    def progress(report, title: str) -> None:
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            n = report.added + report.updated + report.duplicates
            say(f"    {label}: {n:,} articles read ({n / (now - started):,.0f}/s)")

    core = Newsreader.open(out, settings)
    report = core.add([str(p) for p in jsonl_files(jsonl)], progress=progress)
    index_path = core.index.path
    core.close()
    wall = time.perf_counter() - started
    return {
        "library": str(out),
        "index": str(index_path),
        "wall_s": round(wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "entities_s": round(spent["entities_s"], 3),
        "indexing_s": round(spent["indexing_s"], 3),
        "added": report.added,
        "updated": report.updated,
        "duplicates": report.duplicates,
        "skipped": report.skipped,
        "failures": len(report.failures),
        "peak_rss_mb": own_peak_rss_mb(),
    }


def child_whoosh(jsonl: Path, out: Path, label: str) -> dict[str, Any]:
    """Raw Whoosh: what indexing the same documents costs with nothing else around it."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=StemmingAnalyzer()),
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
    started, cpu = time.perf_counter(), time.process_time()
    last = started
    out.mkdir(parents=True)
    ix = create_in(str(out), schema)
    writer = ix.writer()
    docs = 0
    for file in jsonl_files(jsonl):
        with open(file, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                obj = json.loads(line)
                docs += 1
                writer.add_document(
                    id=str(obj.get("id") or docs),
                    title=obj.get("title") or "",
                    body=obj.get("body") or "",
                )
                if docs % 5000 == 0 and time.perf_counter() - last >= PROGRESS_EVERY_S:
                    last = time.perf_counter()
                    say(f"    {label}: {docs:,} documents ({docs / (last - started):,.0f}/s)")
    writer.commit()
    ix.close()
    wall = time.perf_counter() - started
    return {
        "index": str(out),
        "wall_s": round(wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "documents": docs,
        "peak_rss_mb": own_peak_rss_mb(),
    }


def child_main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="one ingest run (called by python -m bench)")
    p.add_argument("mode", choices=MODES)
    p.add_argument("jsonl", type=Path)
    p.add_argument("out", type=Path, help="the library (or Whoosh index) folder to create")
    p.add_argument("result", type=Path, help="JSON file for the figures")
    p.add_argument("--label", default="")
    args = p.parse_args(argv)
    if args.mode == "whoosh":
        result = child_whoosh(args.jsonl, args.out, args.label)
    else:
        entities = "builtin" if args.mode == "entities" else "none"
        config = config_file(seed_demo=False, entities=entities)
        result = child_newsreader(args.jsonl, args.out, config, args.label)
    write_json(args.result, result)
    return 0


# -- in the parent --------------------------------------------------------------------------------
def ingest_once(corpus: Corpus, mode: str, jsonl: Path) -> dict[str, Any]:
    """One run in a fresh process, into an empty folder; the figures and the folder's sizes.
    The folder stays (the caller keeps a library it wants, and removes the rest)."""
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"{corpus.name}-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    result_file = WORK / f"{corpus.name}-{mode}.json"
    child = run_child(
        "bench.ingest",
        [mode, str(jsonl), str(out), str(result_file), "--label", f"{corpus.name} {mode}"],
        result_file,
        timeout=3 * 3600,
    )
    run = child.as_dict() | {"result": child.result}
    result_file.unlink(missing_ok=True)
    if child.returncode == 0 and child.result:
        if mode == "whoosh":
            run["index_mb"] = mb(dir_bytes(out))
        else:
            run["library_folder_mb"] = mb(dir_bytes(out))
            run["index_mb"] = mb(dir_bytes(out / "index"))
            run["sqlite_mb"] = mb(sum(dir_bytes(p) for p in out.glob("library.sqlite3*")))
    return run


def ingest_corpus(corpus: Corpus) -> dict[str, Any]:
    """The three runs on one corpus, and their ratios. The library of the "entities" run
    becomes the corpus's cached library (the latency measurements open it)."""
    from bench import libraries

    jsonl = corpus.jsonl()  # converted before any timing
    docs = count_lines(jsonl)
    say(f"ingest {corpus.name}: {docs:,} documents from {jsonl}")
    out: dict[str, Any] = {"documents": docs, "jsonl": str(jsonl)}
    for mode in MODES:
        run = ingest_once(corpus, mode, jsonl)
        folder = WORK / f"{corpus.name}-{mode}"
        if run["returncode"] != 0 or not run["result"]:
            say(f"  {mode}: FAILED (exit {run['returncode']})")
            out[mode] = run
            shutil.rmtree(folder, ignore_errors=True)
            continue
        run["docs_per_s"] = round(docs / run["result"]["wall_s"], 1)
        out[mode] = run
        note = ""
        if mode == "entities":
            libraries.adopt(corpus, folder)
            note = f"; kept as {corpus.library_cache.name}"
        else:
            shutil.rmtree(folder, ignore_errors=True)
        say(
            f"  {mode:12} {run['docs_per_s']:>9,.0f} docs/s  {run['result']['wall_s']:7.1f} s"
            f"  peak {run['peak_rss_mb']:,.0f} MB  index {run['index_mb']:,.1f} MB{note}"
        )
    # Raw Whoosh once more, last: this machine's speed drifts over minutes, and the runs of
    # a large corpus take that long. The ratios divide by the mean of the two raw runs.
    again = ingest_once(corpus, "whoosh", jsonl)
    shutil.rmtree(WORK / f"{corpus.name}-whoosh", ignore_errors=True)
    if again["returncode"] == 0 and again["result"]:
        again["docs_per_s"] = round(docs / again["result"]["wall_s"], 1)
        say(
            f"  {'whoosh again':12} {again['docs_per_s']:>9,.0f} docs/s"
            f"  {again['result']['wall_s']:7.1f} s"
        )
    out["whoosh-again"] = again
    rates = [r["docs_per_s"] for r in (out.get("whoosh", {}), again) if "docs_per_s" in r]
    raw = sum(rates) / len(rates) if rates else None
    for mode in ("entities", "no-entities"):
        ours = out.get(mode, {}).get("docs_per_s")
        if raw and ours:
            ratio = round(ours / raw, 3)
            out[f"ratio_{mode}"] = ratio
            out[f"ratio_{mode}_ok"] = BUDGETS["ingest_ratio"].met(ratio)
    return out


if __name__ == "__main__":
    sys.exit(child_main())
