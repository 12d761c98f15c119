"""The reader's speed and size budgets (issue #7), measured in one command. Never run by the
test suite (it lives outside tests/ and needs ../shared/data).

    python -m bench                       # everything (long: ingests 127.6k articles 3 times)
    python -m bench --quick               # fewer queries and runs; ingest on agnews_10k and
                                          # reuters21578 only; latency on the cached libraries
    python -m bench --only ingest,paint   # parts: ingest, latency (alias: search), paint
    python -m bench --corpus reuters21578 # only these corpora (agnews_10k, reuters21578,
                                          # agnews_127k), for ingest and latency
    python -m bench --only scale          # the scale run: 10k, 127.6k and 1M (bench/scale.py)

Run from the repository root. Corpora are read from ../shared/data (never copied into the
project); a corpus that is absent is skipped with a one-line message, and the first paint on
the demo library (seeded from seeds/) still runs. Libraries are cached in bench/.cache/, results
written to bench/results/bench-YYYYmmdd-HHMMSS.json (both gitignored). Prints one table:
measurement, unit, median, p95, p95 of CPU time, budget, ok/OVER (OVER: outside the budget,
whichever way it points), hit rate; then the ingest runs in detail and a line per library.
Exit status 1 when a part failed to run (budgets missed are reported, not failures).

Ingest (bench/ingest.py), per corpus (agnews_10k, reuters21578, and agnews_127k unless
--quick); three runs, each in a fresh child process, on the same JSON Lines file prepared
before timing (AG News CSV rows converted once; Reuters read as it is):
- newsreader add: `Newsreader.add` (what `newsreader add FILE` runs) into a new library, with
  the built-in entity extractor (the default); and again with `entities.backend: none`;
- raw Whoosh: a minimal schema (id; title and body with StemmingAnalyzer), one default
  `ix.writer()`, every document added, one commit.
docs/s = input documents ÷ wall time of the run inside the child (opening/creating the
library or index, reading and parsing the JSONL, storing, extracting, indexing, committing);
ratio = newsreader docs/s ÷ raw Whoosh docs/s of the same invocation (budget ≥ 0.7): on a
noisy machine the ratio holds better than either figure. Also per run: processes (an add may
extract entities in a worker process), CPU seconds (user + sys of the child and its waited-for
descendants, from os.wait4), peak RSS (the larger of the biggest single process's, from
os.wait4, and the sum over the process tree sampled every 0.1 s; budget ≤ 400 MB), sizes on
disk (library folder, its search index, the raw Whoosh index), and the seconds the add's own
process spent extracting entities (near 0 when the worker did it) and updating the index.
The library built with entities becomes the corpus's cached library.

Latency (bench/latency.py), on the 127.6k AG News library and on Reuters-21578 (21.6k
multi-paragraph wire stories), in a child process per library. The library is first opened
once in another process (an index written by another index version is rebuilt then, and not
timed; the seconds are reported). Then: open the library, warm up as the reader's start-up
worker does (vocabulary and go-to finder, timed and reported apart, then 10 searches), and,
with queries drawn by a seeded RNG from genuine articles (AG News: the 7,600 real rows only),
each call as the UI makes it (the UI's result limit, snippets included):
- plain words: 1-3 neighbouring title words, submitted;
- phrase: two adjacent title words in quotes;
- field-filtered: `title:word other`, `source:World word` (AG News) or `date:1987-03 word`
  (Reuters: one source), and `person:/org:/place:` with one of the article's own entities
  (the JSON has each kind apart);
- typo: a real title word of 5+ letters misspelt (sometimes after a correct word), submitted
  (the fuzzy retry) and as typed (prefix on); "hits" is the share with results, and the share
  corrected to the word meant is printed below the table;
- as you type: every keystroke of 1-3-word queries with prefix=True (completing the last word);
- go-to finder: every keystroke of 2-3 title words, with the UI's finder limit;
- related passages: random articles walked paragraph by paragraph (up to 10) with the panel's
  limit (8), and related articles once per article; the first call after opening (which reads
  the index layout) is reported apart.
Each: wall-clock median/p95/max, the p95 of thread CPU time (what the call costs without
competition), the slowest inputs (JSON), and the hit rate. Budgets (p95, at 127.6k; shown for
Reuters too): search with snippets ≤ 30 ms, typo ≤ 50 ms, as you type ≤ 50 ms, finder ≤ 30 ms,
related passages ≤ 50 ms. Then: open time, warm-up time, peak RSS of the whole session
(≤ 400 MB; resident memory after each step, anonymous and file-backed, is in the JSON), the
library folder's and its index's size on disk, and the index's segment count (a large add may
leave several, a rebuild leaves one; every segment costs each search a little).

First paint (bench/paint.py), on the demo library (budget 0.5 s, issue #3) and on the 127.6k
library (0.6 s), from process start, in fresh processes: headless ("app ready": the first frame
is up; "rows shown": the first frame showing the library's rows), each launch alternated with
one of Textual alone drawing the same rows (the floor, and what newsreader adds over it), and
the installed `newsreader` in a real pty (its header, then a row's title, written to the
terminal). Then the longest stall of the UI's event loop in the first 3 s after launch (a 5 ms
timer's largest gap: how long a key pressed while the page loads, the core opens and the
warm-up reads postings would wait).

Refresh (bench/refresh.py): 200 local feeds × 50 entries over HTTP on 127.0.0.1, the first
refresh and a second, all-304 one, each `newsreader refresh` in a child process: wall and CPU
seconds; the second must cost under a tenth of the first.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from typing import Any

from bench import libraries, report
from bench.common import BUDGETS, CACHE, DATA, ROOT, config_file, machine_speed_s, say
from bench.corpora import CORPORA, Corpus

PARTS = ("ingest", "latency", "paint", "refresh", "scale")
# The scale run (a 1M build) only when asked.
DEFAULT_PARTS = ("ingest", "latency", "paint", "refresh")
INGEST = ("agnews_10k", "reuters21578", "agnews_127k")
LATENCY = ("agnews_127k", "reuters21578")
BIG = "agnews_127k"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description="Measure newsreader against its budgets (issue #7)."
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="fewer queries and runs; ingest agnews_10k and reuters21578 only",
    )
    p.add_argument(
        "--only",
        default=",".join(DEFAULT_PARTS),
        help="comma-separated parts: ingest, latency (or search), paint, refresh,"
        " scale (not by default)",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="scale: build the libraries again instead of reusing the recorded builds",
    )
    p.add_argument(
        "--corpus",
        default=None,
        help=f"comma-separated corpora ({', '.join(INGEST)}); default: all that apply",
    )
    args = p.parse_args(argv)
    parts = {x.strip().replace("search", "latency") for x in args.only.split(",") if x.strip()}
    if parts - set(PARTS):
        p.error(f"unknown part(s): {', '.join(sorted(parts - set(PARTS)))}")
    args.parts = parts
    if args.corpus:
        names = [x.strip() for x in args.corpus.split(",") if x.strip()]
        if set(names) - set(CORPORA):
            p.error(f"unknown corpus: {', '.join(sorted(set(names) - set(CORPORA)))}")
        args.ingest = [n for n in INGEST if n in names]
        args.latency = [n for n in names if n in CORPORA]
    else:
        args.ingest = [n for n in INGEST if not (args.quick and n == BIG)]
        args.latency = list(LATENCY)
    return args


def available(names: list[str], skipped: set[str]) -> list[Corpus]:
    """The corpora present; one line for each absent one (once per run)."""
    out = []
    for name in names:
        corpus = CORPORA[name]
        if corpus.available():
            out.append(corpus)
        elif name not in skipped:
            skipped.add(name)
            say(f"skipped {name}: {corpus.source} is absent (../shared/data is not here)")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "load_average_at_start": os.getloadavg(),
        "loop_s_at_start": machine_speed_s(),
        "quick": args.quick,
        "parts": sorted(args.parts),
        "data": str(DATA),
        "budgets": {k: {"limit": b.limit, "at_least": b.at_least} for k, b in BUDGETS.items()},
        "errors": {},
    }
    skipped: set[str] = set()
    table = report.Table()
    started = time.perf_counter()

    def attempt(key: str, fn: Any) -> Any:
        """Run one part; a failure is reported and the others still run."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
            say(f"  {key}: FAILED: {type(exc).__name__}: {exc}")
            results["errors"][key] = f"{type(exc).__name__}: {exc}"
            return None

    if "scale" in args.parts:
        from bench.scale import SCALE, run_scale

        names = [n for n in SCALE if not args.corpus or n in args.corpus.split(",")]
        found = attempt("scale", lambda: run_scale(names, args.quick, args.rebuild))
        if found:
            results["scale"] = found
            for row in found["table"]:
                if row["ok_1m"] is not None:
                    table.verdicts.append((f"scale, 1M: {row['figure'].strip()}", row["ok_1m"]))

    if "ingest" in args.parts:
        from bench.ingest import ingest_corpus

        results["ingest"] = {}
        for corpus in available(args.ingest, skipped):
            found = attempt(f"ingest {corpus.name}", lambda c=corpus: ingest_corpus(c))
            if found:
                results["ingest"][corpus.name] = found
                report.ingest_rows(table, corpus.name, found)

    if "latency" in args.parts:
        from bench.latency import run_latency

        results["latency"] = {}
        for corpus in available(args.latency, skipped):

            def run(c: Corpus = corpus) -> dict[str, Any]:
                say(f"latency on {c.name}…")
                library = libraries.ensure(c)
                settled = libraries.settle(library)
                found = run_latency(c, library, args.quick)
                found["settle_s"] = settled
                found["index_written_at"] = libraries.index_written_at(library)
                return found

            found = attempt(f"latency {corpus.name}", run)
            if found:
                results["latency"][corpus.name] = found
                report.latency_rows(table, corpus.name, found)

    if "paint" in args.parts:
        from bench.paint import demo_library, first_paint

        runs = 3 if args.quick else 7
        say("first paint on the demo library…")
        demo = attempt("first paint demo", lambda: first_paint(*demo_library(), runs))
        if demo:
            results["first_paint_demo"] = demo
            report.paint_rows(table, "demo", demo, "first_paint_demo")
        for corpus in available([BIG] if BIG in args.latency else [], skipped):
            say(f"first paint on {corpus.name}…")

            def paint(c: Corpus = corpus) -> dict[str, Any]:
                library = libraries.ensure(c)
                libraries.settle(library)
                return first_paint(library, config_file(seed_demo=False), runs)

            big = attempt(f"first paint {corpus.name}", paint)
            if big:
                results[f"first_paint_{corpus.name}"] = big
                report.paint_rows(table, "127.6k", big, "first_paint")

    if "refresh" in args.parts:
        from bench import refresh

        found = attempt("refresh", refresh.run_refresh)
        if found:
            results["refresh"] = found
            refresh.rows(table, found)

    results["load_average_at_end"] = os.getloadavg()
    results["loop_s_at_end"] = machine_speed_s()
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    if table.rows:
        say("")
        table.print()
    if results.get("ingest"):
        say("")
        report.print_ingest_details(results["ingest"])
    for name, r in results.get("latency", {}).items():
        end = r["rss_mb_after"]["related"]
        say(
            f"\n{name}: {r['articles']:,} articles, {r['passages']:,} passages, index in"
            f" {r['index_segments']} segment(s) (written {r['index_written_at']});"
            f" vocabulary {r['vocabulary_words']:,} words ({r['warm_vocabulary_ms']:.0f} ms),"
            f" finder {r['warm_finder_ms']:.0f} ms, common words' postings"
            f" {r.get('warm_terms_ms', 0):.0f} ms; typos corrected to the word meant"
            f" {r['typo']['corrected_to_the_word_meant']:.0%}; first related call"
            f" {r['related_first_call_ms']:.0f} ms; opening it once before timing took"
            f" {r['settle_s']:.1f} s; resident at the end {end['rss']:.0f} MB ="
            f" {end['anon']:.0f} anonymous + {end['file']:.0f} file-backed (mapped index)"
        )
    if results.get("refresh"):
        from bench.refresh import describe

        say("\n" + describe(results["refresh"]))
    over = [label for label, ok in table.verdicts if not ok]
    say(
        f"\n{len(table.verdicts) - len(over)} of {len(table.verdicts)} figures within budget"
        + (f"; OVER: {'; '.join(over)}" if over else "")
        + f". Load average {results['load_average_at_start'][0]:.1f} at start,"
        f" {results['load_average_at_end'][0]:.1f} at end; machine speed (a fixed Python loop,"
        f" best of 3) {results['loop_s_at_start']:.3f} s at start, {results['loop_s_at_end']:.3f} s"
        f" at end (the larger, the slower this run's minutes); {results['minutes']} min."
    )
    written = report.write(results)
    say(f"wrote {written}")
    if results.get("scale"):
        from bench.scale_report import plot

        png = plot(results["scale"]["runs"], (ROOT / written).with_suffix(".png"))
        if png:
            say(f"wrote {png.relative_to(ROOT)}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    CACHE.mkdir(parents=True, exist_ok=True)
    sys.exit(main())
