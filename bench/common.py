"""What every part of the benchmark shares: paths, budgets, timing samples, settings files and
child processes measured on their own (each ingest run and each latency suite runs in a fresh
interpreter, so that its peak memory is its own and no run warms another's caches)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from index.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
# The research corpora live beside the repository and are never copied into it.
DATA = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Budget:
    """A limit from issue #7: `limit` in the measurement's unit; `at_least` for throughput
    ratios (higher is better), otherwise the p95 (or the value) must not exceed it."""

    limit: float
    at_least: bool = False

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value <= self.limit

    def text(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.limit:g}"


BUDGETS: dict[str, Budget] = {
    "search": Budget(30.0),  # ms p95: plain, phrase and field-filtered search with snippets
    "typo": Budget(50.0),  # ms p95: typo-tolerant search
    "prefix": Budget(50.0),  # ms p95: as-you-type completion of the last word
    "finder": Budget(30.0),  # ms p95 per keystroke
    "related": Budget(50.0),  # ms p95 per related-passages call
    "first_paint": Budget(600.0),  # ms at 127.6k articles
    "first_paint_demo": Budget(500.0),  # ms on the demo library (issue #3)
    "rss": Budget(400.0),  # MB peak resident memory
    "ingest_ratio": Budget(0.7, at_least=True),  # newsreader docs/s ÷ raw Whoosh docs/s
}


def say(text: str) -> None:
    """Progress on stdout, flushed: a run takes minutes and is often piped to a file."""
    print(text, flush=True)


# -- timing -------------------------------------------------------------------------------------
def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (no interpolation: a reported p95 is a real
    call's time)."""
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    """n, median, p95 and max of millisecond samples, rounded for reading."""
    if not samples_ms:
        return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "max_ms": round(ordered[-1], 2),
    }


def timed_ms(fn: Callable[[], object]) -> float:
    """Wall milliseconds of one call."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


class Samples:
    """Wall-clock and CPU (this thread) milliseconds per call, with the slowest inputs. CPU time
    shows what a call costs when other processes compete for the two cores; wall is what a
    person waits."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.labels: list[str] = []
        self.hits: list[bool] = []

    def run(self, label: str, fn: Callable[[], Any], hit: Callable[[Any], bool] = bool) -> Any:
        """Call `fn`, record its times, and whether `hit(result)` (it found something)."""
        wall, cpu = time.perf_counter(), time.thread_time()
        out = fn()
        self.cpu.append((time.thread_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.labels.append(label)
        self.hits.append(bool(hit(out)))
        return out

    def summary(self) -> dict[str, Any]:
        slowest = sorted(range(len(self.wall)), key=self.wall.__getitem__)[-5:]
        return summary(self.wall) | {
            "cpu": summary(self.cpu),
            "hit_rate": round(sum(self.hits) / len(self.hits), 3) if self.hits else None,
            "slowest": [[self.labels[i], round(self.wall[i], 1)] for i in reversed(slowest)],
        }


# -- settings -----------------------------------------------------------------------------------
def config_file(seed_demo: bool, entities: str = "builtin") -> Path:
    """A config file under bench/.cache with only what the benchmark changes; the names of the
    first two are the ones earlier runs (and their cached libraries) used."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if seed_demo:
        name = "demo.yaml"
    elif entities == "builtin":
        name = "noseed.yaml"
    else:
        name = f"noseed-entities-{entities}.yaml"
    path = CACHE / name
    text = f"library:\n  seed_demo: {'true' if seed_demo else 'false'}\n"
    if entities != "builtin":
        text += f"entities:\n  backend: {entities}\n"
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, "utf-8")
    return path


def settings_for(seed_demo: bool, entities: str = "builtin") -> Settings:
    """The shipped defaults with the benchmark's changes, loaded the way the reader loads them."""
    return load_settings(config_file(seed_demo, entities))


# -- disk and memory ----------------------------------------------------------------------------
def dir_bytes(path: Path) -> int:
    """Bytes of the files under `path` (0 when it does not exist)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(n_bytes: float) -> float:
    return round(n_bytes / 2**20, 1)


def own_peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc; just `pid` elsewhere)."""
    pids, i = [pid], 0
    while i < len(pids):
        with contextlib.suppress(OSError, ValueError):  # gone meanwhile, or no /proc
            for task in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                    pids += [int(x) for x in f.read().split()]
        i += 1
    return pids


def rss_kb(pids: list[int]) -> int:
    """Resident KiB of these processes together, now. An add may run entity extraction in a
    worker process: the memory in use is the sum."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
    return total


@dataclass
class ChildRun:
    """A finished child process, measured by the kernel (os.wait4: its CPU time, its
    waited-for descendants' included, and the peak resident memory of the largest single
    process) and by sampling /proc every 0.1 s (the peak of the memory of the child and its
    descendants together)."""

    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    peak_rss_process_mb: float
    peak_rss_tree_mb: float
    processes: int  # the child and the descendants seen while sampling
    result: dict[str, Any] | None  # what the child wrote to its result file

    @property
    def peak_rss_mb(self) -> float:
        """Whichever peak is higher: memory the run needed at once."""
        return max(self.peak_rss_process_mb, self.peak_rss_tree_mb)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("result")
        out["cpu_s"] = round(self.user_s + self.sys_s, 2)
        out["peak_rss_mb"] = self.peak_rss_mb
        return out


def run_child(module: str, args: list[str], result_file: Path, timeout: float) -> ChildRun:
    """Run `python -m module args` from the repo root; the child writes JSON to `result_file`.
    Its stdout and stderr pass through (progress for long runs)."""
    result_file.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT)
    deadline = time.monotonic() + timeout
    peak_tree, seen = 0, {proc.pid}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        tree = process_tree(proc.pid)
        seen.update(tree)
        peak_tree = max(peak_tree, rss_kb(tree))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    result = None
    if result_file.exists():
        result = json.loads(result_file.read_text("utf-8"))
    return ChildRun(
        returncode=proc.returncode,
        wall_s=round(wall, 2),
        user_s=round(usage.ru_utime, 2),
        sys_s=round(usage.ru_stime, 2),
        peak_rss_process_mb=round(usage.ru_maxrss / 1024, 1),
        peak_rss_tree_mb=round(peak_tree / 1024, 1),
        processes=len(seen),
        result=result,
    )


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a killed child leaves no half file for its parent to read."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)


def machine_speed_s() -> float:
    """Seconds a fixed pure-Python loop takes here, best of three: this machine's speed
    drifts by tens of percent from minute to minute, and a figure taken in a slow minute
    should be read as such. Taken at the start and the end of every run."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)
