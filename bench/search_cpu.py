"""Thread CPU time of search query sets on the cached 127.6k library, in one process: for
comparing two versions of the code in the same minutes on a machine too busy for wall times.

    python bench/search_cpu.py                  # this checkout's code
    python bench/search_cpu.py --code DIR       # another checkout's index/ (e.g. `git archive`
                                                # of an older commit), same queries and library

Run one after the other, alternately, and read the ratios. The library is the one
`python -m bench` caches (bench/.cache/agnews127k); the queries come from this checkout's
bench/queries.py with the latency bench's seeds: plain words, typos (submitted), every
keystroke as typed (prefix on), explicit wildcards. Prints p95 and median of thread CPU time
and p95 of wall time per set.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--code", type=Path, default=ROOT, help="checkout whose index/ is timed")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.common import settings_for
    from bench.corpora import CORPORA
    from bench.latency import SEED, genuine_rows
    from bench.queries import keystrokes, make_queries, make_typos, make_wildcards

    for name in [m for m in sys.modules if m == "index" or m.startswith("index.")]:
        del sys.modules[name]
    sys.path.insert(0, str(args.code.resolve()))
    from index.core import Newsreader

    corpus = CORPORA["agnews_127k"]
    if not corpus.library_cache.exists():
        print(f"no cached library at {corpus.library_cache}: run python -m bench first")
        return 0
    core = Newsreader.open(corpus.library_cache, settings_for(seed_demo=False))
    core.searching.vocabulary()
    core.searching.warm_up()
    rows = genuine_rows(core, corpus)
    known = core.searching.vocabulary().frequency
    sets = {
        "plain": ([*make_queries(rows, random.Random(SEED), 200)], False),
        "typo": ([w for w, _ in make_typos(rows, random.Random(SEED + 6), 150, known)], False),
        "as typed": (
            [k for q in make_queries(rows, random.Random(SEED + 5), 60) for k in keystrokes(q)],
            True,
        ),
        "wildcard": (make_wildcards(rows, random.Random(SEED + 3), 150), False),
    }
    out = []
    for name, (queries, prefix) in sets.items():
        cpu, wall = [], []
        for q in queries:
            started, wall_started = time.thread_time(), time.perf_counter()
            core.search(q, prefix=prefix)
            cpu.append((time.thread_time() - started) * 1000)
            wall.append((time.perf_counter() - wall_started) * 1000)
        out.append(
            f"{name}: cpu p95 {_p95(cpu):.1f} median {sorted(cpu)[len(cpu) // 2]:.1f}"
            f" (wall p95 {_p95(wall):.1f}) ms"
        )
    core.close()
    print(f"{args.code}: " + " | ".join(out))
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


if __name__ == "__main__":
    sys.exit(main())
