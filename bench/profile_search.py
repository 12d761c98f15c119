"""Where a search path's time goes on one library: the latency suite's own queries (same seed,
same generators), each timed in thread CPU and wall clock after the reader's warm-up, the
slowest listed, and optionally a cProfile of them all.

    python -m bench.profile_search LIBRARY [--corpus agnews_1m] [--kind plain,field]
                                   [--n 150] [--profile] [--top 12]

Prints per kind: p50/p95 of wall and CPU time, the slowest queries with their hit counts, and
with --profile the functions with the most cumulative time over the kind's queries.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import time
from pathlib import Path

from bench.common import percentile, settings_for
from bench.corpora import CORPORA
from bench.latency import SEED, entities_of, genuine_rows
from bench.queries import make_field_queries, make_phrases, make_queries, make_typos

KINDS = ("plain", "phrase", "field", "typo")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("library", type=Path)
    p.add_argument("--corpus", default="agnews_1m", choices=sorted(CORPORA))
    p.add_argument("--kind", default="plain,field")
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args(argv)
    kinds = [k for k in args.kind.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown:
        p.error(f"unknown kinds: {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")

    from index.core import Newsreader

    settings = settings_for(seed_demo=False)
    core = Newsreader.open(args.library, settings)
    started = time.perf_counter()
    core.searching.vocabulary()
    core.searching.warm_up()
    print(f"warm-up {time.perf_counter() - started:.2f} s; {core.library.count():,} articles")
    vocab = core.searching.vocabulary()
    rows = genuine_rows(core, CORPORA[args.corpus])
    # The latency suite draws its sets in this order from one generator: keep it, so that the
    # queries here are the suite's.
    rng = random.Random(SEED)
    sets = {
        "plain": make_queries(rows, rng, args.n),
        "phrase": make_phrases(rows, rng, args.n),
        "field": [q for _, q in make_field_queries(rows, rng, args.n, entities_of(core))],
        "typo": [w for w, _ in make_typos(rows, rng, args.n, vocab.frequency)],
    }
    limit = settings.search.limit
    for kind in kinds:
        timings: list[tuple[float, float, str, int]] = []
        profiler = cProfile.Profile() if args.profile else None
        for q in sets[kind]:
            wall, cpu = time.perf_counter(), time.thread_time()
            if profiler:
                profiler.enable()
            result = core.search(q, limit=limit)
            if profiler:
                profiler.disable()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            timings.append((cpu * 1000, wall * 1000, q, result.total))
        cpus = sorted(t[0] for t in timings)
        walls = sorted(t[1] for t in timings)
        print(f"\n{kind}: {len(timings)} queries; wall p50 {percentile(walls, 0.5):.1f} "
              f"p95 {percentile(walls, 0.95):.1f} ms; CPU p50 {percentile(cpus, 0.5):.1f} "
              f"p95 {percentile(cpus, 0.95):.1f} ms")
        for cpu, wall, q, total in sorted(timings, reverse=True)[: args.top]:
            print(f"  {cpu:7.1f} ms CPU {wall:7.1f} ms wall {total:>9,} hits  {q}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
    core.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
