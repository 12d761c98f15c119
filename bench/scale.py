"""The scale run (issue 19): libraries of 10k, 127.6k and 1M AG News-shaped articles, each built
with `newsreader add`, measured the same way, and how each figure grows from 127.6k to 1M.

    python -m bench --only scale [--quick] [--rebuild] [--corpus agnews_10k,agnews_127k]
    python -m bench.scale --build agnews_1m     # only build (and record) one library
    python -m bench.scale --combine A.json B.json  # one table over sizes measured apart

The 1M corpus is derived by `python -m bench.scale_corpus` (outside the repository, in
../scale-data or $NEWSREADER_SCALE_DATA); a corpus that is absent is skipped with a message.
Per library:
- ingest: `Newsreader.add` (what `newsreader add FILE...` runs; the 1M corpus as ten JSON Lines
  files of 100k rows, since `add` refuses a file over ingest.max_file_bytes) with the built-in
  entities, then raw Whoosh on the same files (bench/ingest.py): docs/s, peak RSS, the ratio;
  library, index and SQLite sizes on disk. A build takes up to tens of minutes at 1M, so it is
  recorded in bench/.cache/scale/ and reused while the corpus and the library are unchanged
  (--rebuild builds again);
- the latency suite of bench/latency.py (plain, phrase, field, typo, prefix, finder, related;
  p50/p95), whose process's peak RSS is that of a reading session;
- first paint (rows on screen, headless, from process start) and the longest UI stall in the
  first 3 s (bench/paint.py);
- the time to open the core (`Newsreader.open`, in a fresh process, interpreter start excluded).
Then one table: each figure at each size, its growth 127.6k → 1M beside the library's (×7.84),
and pass/fail against the budgets at 1M. The JSON goes with the bench's results and a PNG of
the curves beside it (matplotlib: `pip install -e '.[bench]'`; without it, no plot).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import libraries
from bench.common import (
    CACHE,
    ROOT,
    config_file,
    dir_bytes,
    machine_speed_s,
    mb,
    say,
    summary,
    write_json,
)
from bench.corpora import CORPORA, Corpus, count_lines
from bench.scale_report import BUDGETS_1M, SCALE, plot, table

RECORDS = CACHE / "scale"
OPEN_RUNS = 5
OPEN_CORE = """
import sys, time
from bench.common import settings_for
settings = settings_for(seed_demo=False)
from index.core import Newsreader
started = time.perf_counter()
core = Newsreader.open(sys.argv[1], settings)
print("OPEN_MS", (time.perf_counter() - started) * 1000)
core.close()
"""


# -- building -------------------------------------------------------------------------------------
def _record_file(corpus: Corpus) -> Path:
    return RECORDS / f"{corpus.name}.json"


def recorded_build(corpus: Corpus) -> dict[str, Any] | None:
    """The recorded build of `corpus`, if its library is still the one built from this corpus."""
    path = _record_file(corpus)
    if not path.exists() or not libraries.is_cached(corpus):
        return None
    record = json.loads(path.read_text("utf-8"))
    return record if record.get("stamp") == corpus.stamp() else None


def build(corpus: Corpus, rebuild: bool = False, raw: bool = True) -> dict[str, Any]:
    """Build the corpus's library with `newsreader add` (entities on), then (`raw`) raw Whoosh
    on the same files right after; recorded, and reused unless `rebuild`. A record without
    the raw run gets it now."""
    from bench.ingest import WORK, ingest_once

    record = None if rebuild else recorded_build(corpus)
    if record:
        say(f"  {corpus.name}: reusing the library built {record['built_at']}")
    else:
        jsonl = corpus.jsonl()  # converted before any timing
        docs = count_lines(jsonl)
        say(f"  {corpus.name}: building from {docs:,} documents in {jsonl}…")
        record = {"stamp": corpus.stamp(), "documents": docs}
        run = ingest_once(corpus, "entities", jsonl)
        if run["returncode"] != 0 or not run.get("result"):
            raise RuntimeError(f"newsreader add of {corpus.name} failed: {run}")
        run["docs_per_s"] = round(docs / run["result"]["wall_s"], 1)
        record["add"] = run
        record["built_at"] = _now()
        libraries.adopt(corpus, WORK / f"{corpus.name}-entities")
        rate, peak = run["docs_per_s"], run["peak_rss_mb"]
        say(f"    newsreader add: {rate:,.0f} docs/s, peak {peak:,.0f} MB")
        _save(corpus, record)
    if raw and "whoosh" not in record:
        jsonl = corpus.jsonl()
        run = ingest_once(corpus, "whoosh", jsonl)
        shutil.rmtree(WORK / f"{corpus.name}-whoosh", ignore_errors=True)
        if run["returncode"] == 0 and run.get("result"):
            run["docs_per_s"] = round(record["documents"] / run["result"]["wall_s"], 1)
            record["ratio"] = round(record["add"]["docs_per_s"] / run["docs_per_s"], 3)
            record["whoosh"] = run
            record["whoosh_at"] = _now()
            say(f"    raw Whoosh: {run['docs_per_s']:,.0f} docs/s; ratio {record['ratio']:.2f}")
            _save(corpus, record)
    return record


def _save(corpus: Corpus, record: dict[str, Any]) -> None:
    RECORDS.mkdir(parents=True, exist_ok=True)
    write_json(_record_file(corpus), record)


def _now() -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M")


# -- measuring ------------------------------------------------------------------------------------
def open_core_ms(library: Path, runs: int = OPEN_RUNS) -> dict[str, Any]:
    """Newsreader.open in fresh processes (imports and interpreter start not counted)."""
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", OPEN_CORE, str(library)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            check=True,
        )
        line = next(x for x in out.stdout.splitlines() if x.startswith("OPEN_MS"))
        samples.append(float(line.split()[1]))
    return summary(samples)


def measure(corpus: Corpus, library: Path, quick: bool) -> dict[str, Any]:
    from bench.latency import run_latency
    from bench.paint import first_paint_headless, first_seconds_stalls

    out: dict[str, Any] = {"settle_s": libraries.settle(library), "errors": {}}
    runs = 3 if quick else 5
    config = config_file(seed_demo=False)
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("latency", lambda: run_latency(corpus, library, quick)),
        ("paint", lambda: first_paint_headless(library, config, runs)),
        ("stalls", lambda: first_seconds_stalls(library, config, runs)),
        ("open_core", lambda: open_core_ms(library)),
    ]
    for key, fn in parts:
        say(f"  {corpus.name}: {key}…")
        try:
            out[key] = fn()
        except Exception as exc:  # noqa: BLE001 - one failed part must not lose the others
            say(f"  {corpus.name}: {key} FAILED: {type(exc).__name__}: {exc}")
            out["errors"][key] = f"{type(exc).__name__}: {exc}"
    out["index_written_at"] = libraries.index_written_at(library)
    out["sizes_mb"] = {
        "library_folder": mb(dir_bytes(library)),
        "index": mb(dir_bytes(library / "index")),
        "sqlite": mb(sum(dir_bytes(p) for p in library.glob("library.sqlite3*"))),
    }
    return out


def run_scale(names: list[str], quick: bool, rebuild: bool) -> dict[str, Any]:
    """Build (or reuse) and measure each library; print the table. Raises nothing for a
    corpus that is absent (skipped, with a line); a failing one is recorded in its entry."""
    runs: dict[str, dict[str, Any]] = {}
    for name in names:
        corpus = CORPORA[name]
        if not corpus.available():
            hint = " (python -m bench.scale_corpus writes it)" if name == "agnews_1m" else ""
            say(f"scale: skipped {name}: {corpus.source} is absent{hint}")
            continue
        say(f"scale: {name}…")
        entry: dict[str, Any] = {}
        try:
            # Raw Whoosh after the measurements: their figures are the reason for the run.
            entry["build"] = build(corpus, rebuild, raw=False)
            # How loaded the machine was around the measurements (bench.common).
            entry["conditions"] = {
                "load_before": os.getloadavg(),
                "loop_s_before": machine_speed_s(),
            }
            entry["measured"] = measure(corpus, corpus.library_cache, quick)
            entry["conditions"] |= {
                "load_after": os.getloadavg(),
                "loop_s_after": machine_speed_s(),
            }
            entry["build"] = build(corpus, raw=True)
        except Exception as exc:  # noqa: BLE001 - one broken size must not hide the others
            say(f"  {name}: FAILED: {type(exc).__name__}: {exc}")
            entry["error"] = f"{type(exc).__name__}: {exc}"
        runs[name] = entry
    say("")
    rows = table(runs)
    for name, entry in runs.items():
        c = entry.get("conditions")
        if c and "loop_s_after" in c:
            say(
                f"{name}: measured at load average {c['load_before'][0]:.1f} → "
                f"{c['load_after'][0]:.1f}, machine loop {c['loop_s_before']:.3f} →"
                f" {c['loop_s_after']:.3f} s (the larger, the slower those minutes)"
            )
        if "error" in entry:
            say(f"{name}: FAILED: {entry['error']}")
    return {"runs": runs, "table": rows, "budgets_1m": {k: b.text() for k, b in BUDGETS_1M.items()}}


def combine(files: list[Path]) -> Path:
    """The table and plot over the scale runs of several bench results (for each size, the
    last file that has it): sizes measured in separate runs, e.g. 1M later than the others."""
    runs: dict[str, dict[str, Any]] = {}
    for f in files:
        found = json.loads(f.read_text("utf-8")).get("scale", {}).get("runs", {})
        runs |= {name: entry for name, entry in found.items() if "measured" in entry}
    rows = table(runs)
    out = files[-1].with_name(files[-1].stem + "-combined.json")
    sources = [str(f) for f in files]
    write_json(out, {"scale": {"runs": runs, "table": rows, "sources": sources}})
    say(f"wrote {out}")
    png = plot(runs, out.with_suffix(".png"))
    if png:
        say(f"wrote {png}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    p.add_argument(
        "--combine",
        nargs="+",
        type=Path,
        metavar="RESULT_JSON",
        help="print the table and plot over these bench results' scale runs",
    )
    p.add_argument("--build", help="only build (or reuse) this corpus's library, and record it")
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--no-raw", action="store_true", help="without the raw Whoosh run (later)")
    args = p.parse_args(argv)
    if args.combine:
        combine(args.combine)
        return 0
    if not args.build:
        p.error("run the scale measurements with: python -m bench --only scale")
    if args.build not in SCALE:
        p.error(f"--build takes one of {', '.join(SCALE)}")
    corpus = CORPORA[args.build]
    if not corpus.available():
        say(f"{corpus.source} is absent")
        return 1
    build(corpus, args.rebuild, raw=not args.no_raw)
    return 0


if __name__ == "__main__":
    CACHE.mkdir(parents=True, exist_ok=True)
    sys.exit(main())
