"""The reader's speed budgets (issue 3 §7), measured. Never run by the test suite.

    /work/venv/bin/python bench/tui_bench.py            # everything
    /work/venv/bin/python bench/tui_bench.py --quick    # fewer queries and runs

1. First paint on the demo library, in fresh processes: "app ready" (Textual's Ready event: the
   first frame is up) and "library rows shown" (the frame after the rows were added), timed from
   process start and from make_app(); headless, and the installed `newsreader` in a real pty.
2. At 127.6k docs (AG News, ../shared/data/agnews/agnews_127k.csv; the library is built once
   through `Newsreader.add` and cached in bench/.cache/): per keystroke, as the reader calls the
   core — search with snippets (prefix completion of the word being typed), typo-tolerant search
   (misspelled real words) and the go-to finder.

Budgets: first paint ≤ 0.5 s; search p95 ≤ 50 ms; typo p95 ≤ 50 ms; finder p95 ≤ 30 ms.
Prints a table and writes JSON to bench/results/. `--profile` adds cProfile's top functions for
each core measurement. The 127.6k part is skipped, with a message, where ../shared is absent.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import random
import re
import select
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.config import Settings, load_settings  # noqa: E402

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
SHARED = ROOT.parent / "shared"
AGNEWS = SHARED / "data" / "agnews" / "agnews_127k.csv"
REAL_ROWS = 7600  # the genuine AG News rows come first; queries are drawn only from them
CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}
SIZE = (100, 30)

BUDGET_MS = {"first_paint": 500.0, "search": 50.0, "typo": 50.0, "finder": 30.0}

# Words too common to make a query of.
_STOP_WORDS = """a an and are as at be by for from has have he her his in is it its new of on or
said says that the their they this to was were will with after over into more than up out who
not us"""
STOP = frozenset(_STOP_WORDS.split())


# -- helpers -------------------------------------------------------------------------------------
def settings_for(seed_demo: bool) -> Settings:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / ("demo.yaml" if seed_demo else "noseed.yaml")
    path.write_text(f"library:\n  seed_demo: {'true' if seed_demo else 'false'}\n", "utf-8")
    return load_settings(path)


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
    }


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


class Samples:
    """Wall-clock and CPU (this thread) milliseconds per call, with the slowest inputs. CPU time
    shows what a call costs when other processes compete for the cores; wall is what a person
    waits."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.labels: list[str] = []

    def run(self, label: str, fn: Callable[[], object]):
        wall, cpu = time.perf_counter(), time.thread_time()
        out = fn()
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.labels.append(label)
        return out

    def summary(self) -> dict:
        slowest = sorted(range(len(self.wall)), key=self.wall.__getitem__)[-5:]
        return summary(self.wall) | {
            "cpu": summary(self.cpu),
            "slowest": [[self.labels[i], round(self.wall[i], 1)] for i in reversed(slowest)],
        }


def say(text: str) -> None:
    print(text, flush=True)


# -- 1. first paint ------------------------------------------------------------------------------
CHILD = r"""
import json, sys, time
t_main = time.time()
sys.path.insert(0, {root!r})
from index.config import load_settings
from reader.launch import make_app
from reader.app import NewsreaderApp
from reader.screens.library import LibraryScreen
from textual.widgets import DataTable

marks = {{"main": t_main, "imported": time.time()}}
original_show = LibraryScreen._show

def _show(self, *args, **kwargs):
    original_show(self, *args, **kwargs)
    if "rows_added" not in marks and self.query_one(DataTable).row_count:
        marks["rows_added"] = time.time()
        def painted():
            marks["rows_shown"] = time.time()
            marks["rows_shown_cpu"] = time.process_time()
            self.app.exit()
        self.call_after_refresh(painted)

def on_ready(self):
    marks["ready"] = time.time()
    marks["ready_cpu"] = time.process_time()

LibraryScreen._show = _show
NewsreaderApp.on_ready = on_ready
settings = load_settings({config!r})
marks["make_app"] = time.time()
app = make_app(settings, {library!r})
app.run(headless=True, size={size!r})
print("MARKS" + json.dumps(marks))
"""


def first_paint_headless(library: Path, config: Path, runs: int) -> dict:
    """Fresh interpreter per run (imports included), headless driver."""
    code = CHILD.format(root=str(ROOT), config=str(config), library=str(library), size=SIZE)
    ready, rows, ready_app, rows_app, imports = [], [], [], [], []
    ready_cpu, rows_cpu = [], []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        line = next((x for x in out.stdout.splitlines() if x.startswith("MARKS")), None)
        if line is None:
            raise RuntimeError(f"first-paint child failed:\n{out.stdout}\n{out.stderr}")
        m = json.loads(line[5:])
        ready.append((m["ready"] - t0) * 1000)
        rows.append((m["rows_shown"] - t0) * 1000)
        ready_app.append((m["ready"] - m["make_app"]) * 1000)
        rows_app.append((m["rows_shown"] - m["make_app"]) * 1000)
        imports.append((m["imported"] - t0) * 1000)
        ready_cpu.append(m["ready_cpu"] * 1000)
        rows_cpu.append(m["rows_shown_cpu"] * 1000)
    return {
        "app_ready_cpu": summary(ready_cpu),
        "rows_shown_cpu": summary(rows_cpu),
        "app_ready_from_process_start": summary(ready),
        "rows_shown_from_process_start": summary(rows),
        "app_ready_from_make_app": summary(ready_app),
        "rows_shown_from_make_app": summary(rows_app),
        "interpreter_and_imports": summary(imports),
    }


def first_paint_pty(library: Path, config: Path, marker: str, runs: int) -> dict | None:
    """The installed command in a pseudo-terminal: time until the header, then a row's title,
    appear in what it writes to the terminal."""
    import fcntl
    import pty
    import struct
    import termios

    command = Path(sys.executable).with_name("newsreader")
    if not command.exists():
        return None
    header, rows = [], []
    for _ in range(runs):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(command), "--library", str(library), "--config", str(config)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        seen = b""
        t_header = t_rows = None
        deadline = time.monotonic() + 30
        try:
            while t_rows is None and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if not ready:
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                seen += chunk
                now = time.perf_counter()
                if t_header is None and b"newsreader" in seen:
                    t_header = now
                if marker.encode() in seen:
                    t_rows = now
            os.write(master, b"\x11")  # ctrl+q
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
        finally:
            os.close(master)
        if t_header is None or t_rows is None:
            raise RuntimeError("the reader never showed its library in the pty")
        header.append((t_header - t0) * 1000)
        rows.append((t_rows - t0) * 1000)
    return {"header_shown": summary(header), "rows_shown": summary(rows)}


def demo_library() -> tuple[Path, Path]:
    from index.core import Newsreader

    library = CACHE / "demo"
    config = CACHE / "demo.yaml"
    settings = settings_for(seed_demo=True)
    if not (library / "library.sqlite3").exists():
        say("seeding the demo library (once)…")
    Newsreader.open(library, settings).close()
    return library, config


def first_row_title(library: Path) -> str:
    from index.core import Newsreader

    core = Newsreader.open(library, settings_for(seed_demo=False))
    try:
        rows = core.list(limit=2)
    finally:
        core.close()
    title = rows[1].title if len(rows) > 1 else rows[0].title
    # The first characters of the second row: one styled segment, so contiguous in the output.
    return title[:16]


# -- 2. the 127.6k library -----------------------------------------------------------------------
def agnews_rows() -> list[tuple[str, str, str]]:
    with open(AGNEWS, newline="", encoding="utf-8") as f:
        return [(c, t, d) for c, t, d in csv.reader(f)]


def build_agnews(rows: list[tuple[str, str, str]]) -> Path:
    """The 127.6k library, built once through Newsreader.add (the path `newsreader add` takes)."""
    from index.core import Newsreader

    library = CACHE / "agnews127k"
    done = library / "BUILT"
    if done.exists() and done.read_text().strip() == str(len(rows)):
        return library
    import shutil

    shutil.rmtree(library, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    jsonl = CACHE / "agnews127k.jsonl"
    with open(jsonl, "w", encoding="utf-8") as f:
        for n, (cls, title, desc) in enumerate(rows):
            # Backslashes in AG News stand for line breaks.
            body = desc.replace("\\", " ")
            f.write(
                json.dumps(
                    {
                        "title": title,
                        "body": body,
                        "source": CLASSES.get(cls),
                        "url": f"https://agnews.invalid/{n}",
                    }
                )
                + "\n"
            )
    say(f"building the {len(rows):,}-article library in {library} (once; minutes)…")
    started = time.perf_counter()
    core = Newsreader.open(library, settings_for(seed_demo=False))
    last = [0.0]

    def progress(report, title: str) -> None:
        now = time.perf_counter()
        if now - last[0] >= 5:
            last[0] = now
            done_n = report.added + report.duplicates + report.updated
            rate = done_n / max(now - started, 1e-9)
            say(f"  {done_n:,}/{len(rows):,} ({rate:,.0f}/s, {now - started:,.0f} s)")

    try:
        report = core.add([str(jsonl)], progress=progress)
    finally:
        core.close()
    say(f"  built: {report.summary()} in {time.perf_counter() - started:,.0f} s")
    jsonl.unlink()
    done.write_text(str(len(rows)))
    return library


def words_of(text: str) -> list[str]:
    return [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z']+", text)
        if w.lower() not in STOP and len(w) >= 3 and "'" not in w
    ]


def make_queries(rows, rng: random.Random, n: int) -> list[str]:
    queries = []
    while len(queries) < n:
        _, title, desc = rows[rng.randrange(REAL_ROWS)]
        words = words_of(title) or words_of(desc)
        if not words:
            continue
        k = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        start = rng.randrange(max(1, len(words) - k + 1))
        queries.append(" ".join(words[start : start + k]).lower())
    return queries


def misspell(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)  # keep the first letter, as most typos do
    kind = rng.choice(["swap", "drop", "replace", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "replace":
        return word[:i] + rng.choice("aeioulnrst".replace(word[i], "")) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def make_typos(rows, rng: random.Random, n: int, vocab) -> list[tuple[str, str]]:
    """(misspelled query, the word meant): real words of 5+ letters the library knows, changed
    into something it does not know."""
    out = []
    while len(out) < n:
        _, title, _ = rows[rng.randrange(REAL_ROWS)]
        words = [w.lower() for w in words_of(title) if len(w) >= 5 and w.isalpha()]
        if not words:
            continue
        word = rng.choice(words)
        wrong = misspell(word, rng)
        if wrong == word or vocab.frequency(wrong) > 0 or vocab.frequency(word) == 0:
            continue
        out.append((wrong, word))
    return out


def make_finder_inputs(rows, rng: random.Random, n: int) -> list[str]:
    """What someone types to find a title they half remember: two or three of its words."""
    out = []
    while len(out) < n:
        _, title, _ = rows[rng.randrange(REAL_ROWS)]
        words = title.split()
        if len(words) < 3:
            continue
        start = rng.randrange(len(words) - 1)
        out.append(" ".join(words[start : start + rng.choice([2, 3])]))
    return out


def keystrokes(text: str) -> list[str]:
    """Each state of the box while `text` is typed, skipping blank ones (the UI clears)."""
    return [text[:i] for i in range(1, len(text) + 1) if text[:i].strip()]


def profile_top(fn: Callable[[], None], limit: int = 18) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def bench_127k(quick: bool, do_profile: bool) -> dict:
    from index.core import Newsreader

    rows = agnews_rows()
    library = build_agnews(rows)
    settings = settings_for(seed_demo=False)
    result: dict = {"library": str(library), "articles": len(rows)}

    t0 = time.perf_counter()
    core = Newsreader.open(library, settings)
    result["open_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    # The reader warms these in its start-up worker, before the first keystroke.
    result["warm_vocabulary_ms"] = round(timed(core.searching.vocabulary), 1)
    result["warm_finder_ms"] = round(timed(core.finder), 1)
    vocab = core.searching.vocabulary()
    result["vocabulary_words"] = len(vocab)
    try:
        from whoosh.index import open_dir

        ix = open_dir(str(core.index.path))
        result["index_segments"] = len(ix._segments())  # noqa: SLF001 - a benchmark figure
        ix.close()
    except Exception:  # noqa: BLE001 - informational only
        pass

    rng = random.Random(20240601)
    n_queries = 60 if quick else 200
    queries = make_queries(rows, rng, n_queries)
    typos = make_typos(rows, rng, 50 if quick else 150, vocab)
    finder_inputs = make_finder_inputs(rows, rng, 40 if quick else 120)
    finder_limit = settings.ui.finder_limit

    for q in queries[:10]:  # warm the searcher and the stem cache, as a first search would
        core.search(q, prefix=True)

    # Search as you type: every keystroke of every query, the call the search screen makes.
    search, totals = Samples(), []
    for q in queries:
        for text in keystrokes(q):
            totals.append(search.run(text, lambda text=text: core.search(text, prefix=True)).total)
    result["search"] = search.summary() | {
        "queries": len(queries),
        "examples": queries[:8],
        "keystrokes_with_hits": round(sum(1 for t in totals if t) / len(totals), 3),
    }
    say(f"  search: {result['search']}")

    # Typo-tolerant: the misspelled query submitted (enter) and as typed (prefix on).
    typo, typo_prefix, fixed = Samples(), Samples(), 0
    for wrong, meant in typos:
        r = typo.run(wrong, lambda wrong=wrong: core.search(wrong))
        fixed += bool(r.corrected and meant in r.corrected.lower().split())
        typo_prefix.run(wrong, lambda wrong=wrong: core.search(wrong, prefix=True))
    result["typo"] = typo.summary() | {
        "queries": len(typos),
        "examples": [w for w, _ in typos[:8]],
        "corrected_to_the_word_meant": round(fixed / len(typos), 3),
    }
    result["typo_as_typed"] = typo_prefix.summary()
    say(f"  typo: {result['typo']}")

    # Go-to finder: every keystroke.
    finder = Samples()
    for text in finder_inputs:
        for prefix in keystrokes(text):
            finder.run(prefix, lambda prefix=prefix: core.find(prefix, finder_limit))
    result["finder"] = finder.summary() | {
        "inputs": len(finder_inputs),
        "examples": finder_inputs[:6],
        "limit": finder_limit,
    }
    say(f"  finder: {result['finder']}")

    if do_profile:
        result["profiles"] = {
            "search": profile_top(
                lambda: [core.search(t, prefix=True) for q in queries[:40] for t in keystrokes(q)]
            ),
            "typo": profile_top(lambda: [core.search(w) for w, _ in typos[:40]]),
            "finder": profile_top(
                lambda: [
                    core.find(t, finder_limit) for q in finder_inputs[:30] for t in keystrokes(q)
                ]
            ),
        }
    core.close()
    return result


# -- report --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and queries")
    parser.add_argument("--profile", action="store_true", help="add cProfile summaries")
    parser.add_argument("--skip-127k", action="store_true", help="only the demo first paint")
    args = parser.parse_args()

    results: dict = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "load_average": os.getloadavg(),
        "budgets_ms": BUDGET_MS,
    }
    runs = 3 if args.quick else 7

    say("first paint on the demo library…")
    demo, demo_config = demo_library()
    results["first_paint_demo"] = first_paint_headless(demo, demo_config, runs)
    try:
        results["first_paint_demo_pty"] = first_paint_pty(
            demo, demo_config, first_row_title(demo), runs
        )
    except (OSError, RuntimeError) as exc:
        results["first_paint_demo_pty"] = {"error": str(exc)}

    if args.skip_127k:
        say("127.6k: skipped (--skip-127k)")
    elif not AGNEWS.is_file():
        say(f"127.6k: skipped — {AGNEWS} is absent (../shared is not here)")
    else:
        say("127.6k docs…")
        results["agnews127k"] = bench_127k(args.quick, args.profile)
        big = Path(results["agnews127k"]["library"])
        results["first_paint_127k"] = first_paint_headless(
            big, CACHE / "noseed.yaml", max(2, runs // 2)
        )

    # -- table --
    rows: list[tuple[str, ...]] = []

    def row(label: str, s: dict, budget: str | None, cpu: dict | None = None) -> None:
        digits = 0 if budget in (None, "first_paint") else 1
        limit = BUDGET_MS[budget] if budget else None
        rows.append(
            (
                label,
                f"{s['median_ms']:.{digits}f}",
                f"{s['p95_ms']:.{digits}f}",
                f"{cpu['p95_ms']:.{digits}f}" if cpu else "–",
                f"{limit:.0f}" if limit else "–",
                ("ok" if s["p95_ms"] <= limit else "OVER") if limit else "",
            )
        )

    fp = results["first_paint_demo"]
    row(
        "first paint, demo: app ready, from process start",
        fp["app_ready_from_process_start"],
        "first_paint",
        fp["app_ready_cpu"],
    )
    row(
        "first paint, demo: rows shown, from process start",
        fp["rows_shown_from_process_start"],
        "first_paint",
        fp["rows_shown_cpu"],
    )
    row("first paint, demo: app ready, from make_app", fp["app_ready_from_make_app"], "first_paint")
    row(
        "first paint, demo: rows shown, from make_app",
        fp["rows_shown_from_make_app"],
        "first_paint",
    )
    pty_fp = results.get("first_paint_demo_pty") or {}
    if "rows_shown" in pty_fp:
        row("first paint, demo, real pty: header", pty_fp["header_shown"], "first_paint")
        row("first paint, demo, real pty: rows", pty_fp["rows_shown"], "first_paint")
    if "agnews127k" in results:
        big = results["agnews127k"]
        for key, label, budget in (
            ("search", "127.6k: search with snippets, per keystroke", "search"),
            ("typo", "127.6k: typo-tolerant search (submitted)", "typo"),
            ("typo_as_typed", "127.6k: typo-tolerant search (as typed)", "typo"),
            ("finder", "127.6k: go-to finder, per keystroke", "finder"),
        ):
            row(label, big[key], budget, big[key]["cpu"])
        fp = results["first_paint_127k"]
        row(
            "first paint, 127.6k: rows shown, from process start",
            fp["rows_shown_from_process_start"],
            None,
            fp["rows_shown_cpu"],
        )

    say("")
    header = ("measurement", "median ms", "p95 ms", "p95 cpu ms", "budget", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        say("  ".join(cells))
    if "agnews127k" in results:
        big = results["agnews127k"]
        say(
            f"\n127.6k library: open {big['open_ms']} ms, warm vocabulary "
            f"{big['warm_vocabulary_ms']} ms ({big['vocabulary_words']:,} words), warm finder "
            f"{big['warm_finder_ms']} ms, index segments {big.get('index_segments', '?')}; "
            f"typos corrected to the word meant: {big['typo']['corrected_to_the_word_meant']:.0%}"
        )
        for name, text in big.get("profiles", {}).items():
            say(f"\n--- cProfile: {name} ---\n{text}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"tui_bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2), "utf-8")
    say(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
