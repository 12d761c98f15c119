"""Related passages and articles on Reuters-21578: quality and speed, next to a plain Whoosh
more_like_this baseline measured in the same run.

    python bench/eval_related.py                 # 400 sources of each kind, seed 7
    python bench/eval_related.py --merged        # on the same library, its index in one segment
    python bench/eval_related.py --sources 600 --seed 11 --no-baseline
    python bench/eval_related.py --rebuild       # ingest Reuters again

Quality: precision@5 of topic agreement. Reuters stories carry topic labels (earn, acq, crude,
grain...); a related item counts as relevant when its article shares at least one topic with
the source. Only sources with topics are scored; a missing result counts as not relevant, and
grouped near-duplicates count once. Topic labels are weak relevance: two earnings reports of
different companies agree, while a company's earnings and its bond issue (often unlabelled)
do not.

Baseline, exactly what Whoosh offers out of the box, in the same run on the same sources:
- articles: `searcher.more_like(docnum, "body", text=body, top=5)` (Bo1 key terms, 5 terms);
- passages: the same on the passage field `ptext` (Whoosh's more_like code with the whole
  source article masked instead of the one document, so that it cannot return the source's own
  passages). It may return several passages of one article and copies of the source story;
  newsreader lists one passage per article and drops copies of the source.

Speed, wall clock per call (and CPU time, which other load on the machine disturbs less):
"random" takes each source passage from another article, the worst case (the article's key
terms are computed for every call); "reading" walks through 40 articles paragraph by paragraph,
as the panel follows the cursor. The first call after opening, which reads the index's
document layout, is reported apart.

The library is ingested through the real `Newsreader.add`, which leaves the index in ~20
segments (one per ingest batch); every per-term lookup is paid once per segment. `--merged`
measures a copy whose index was rebuilt (`newsreader reindex`: one segment).

Reuters (research use only) is read from ../shared/data/reuters21578 and never copied into the
project; the libraries built from it are cached under bench/.cache/ (gitignored). Results: a
table on stdout, JSON in bench/results/ (gitignored). Skips where ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import query as Q  # noqa: E402

from index.config import load_settings  # noqa: E402
from index.core import Newsreader  # noqa: E402
from index.related.finder import RelatedFinder, finder  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
K = 5


def shared_dir() -> Path | None:
    for candidate in (
        os.environ.get("NEWSREADER_SHARED"),
        ROOT.parent / "shared",
        Path("/work/shared"),
    ):
        if candidate and (Path(candidate) / "data" / "reuters21578").is_dir():
            return Path(candidate)
    return None


# -- the library ---------------------------------------------------------------------------------
def open_library(corpus: Path, rebuild: bool, merged: bool) -> Newsreader:
    """The Reuters library, ingested once and cached (rebuilt when the corpus file changes);
    with `merged`, a copy of it whose index is rebuilt in one segment, cached too."""
    CACHE.mkdir(parents=True, exist_ok=True)
    config = CACHE / "related.yaml"
    config.write_text("library:\n  seed_demo: false\n", encoding="utf-8")
    settings = load_settings(config)
    stamp = f"{corpus.stat().st_size}:{int(corpus.stat().st_mtime)}"
    home = CACHE / "related-reuters21578"
    if rebuild or not _cached(home, settings, stamp):
        # Built beside the cache and swapped in whole: an interrupted run leaves no half library.
        fresh = _fresh(home)
        print(f"ingesting {corpus} into {home} (once; ~10 minutes)…", file=sys.stderr)
        t0 = time.perf_counter()
        core = Newsreader.open(fresh, settings, notify=_say)
        report = core.add([str(corpus)])
        core.library.set_meta("bench_corpus", stamp)
        core.close()
        print(f"  {report.summary()} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        _swap(fresh, home)
    if merged:
        one = CACHE / "related-reuters21578-merged"
        if rebuild or not _cached(one, settings, stamp):
            fresh = _fresh(one)
            print(f"copying the library to {one} and rebuilding its index…", file=sys.stderr)
            shutil.copytree(home, fresh)
            core = Newsreader.open(fresh, settings, notify=_say)
            core.reindex()
            core.close()
            _swap(fresh, one)
        home = one
    return Newsreader.open(home, settings, notify=_say)


def _cached(home: Path, settings, stamp: str) -> bool:
    if not home.exists():
        return False
    core = Newsreader.open(home, settings, notify=_say)
    try:
        return core.library.meta("bench_corpus") == stamp
    finally:
        core.close()


def _fresh(home: Path) -> Path:
    fresh = home.with_name(home.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    return fresh


def _swap(fresh: Path, home: Path) -> None:
    shutil.rmtree(home, ignore_errors=True)
    os.replace(fresh, home)


def _say(message: str) -> None:
    print(f"newsreader: {message}", file=sys.stderr)


def topics_by_article(core: Newsreader, corpus: Path) -> dict[int, frozenset[str]]:
    """Library id → Reuters topics, through each row's origin ("<file>#<line>"), checked
    against the title (or, for the untitled rows, the text) so that a mapping error cannot
    pass silently."""
    rows: dict[int, dict] = {}
    with open(corpus, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            rows[lineno] = json.loads(line)
    out: dict[int, frozenset[str]] = {}
    mismatched = 0
    for r in core.library.query("SELECT id, origin, title, body FROM articles"):
        line = (r["origin"] or "").rpartition("#")[2]
        row = rows.get(int(line)) if line.isdigit() else None
        if row is None or not (
            _fold(row.get("title") or "")[:40] == _fold(r["title"])[:40]
            or (not row.get("title") and _fold(row.get("body") or "")[:40] in _fold(r["body"]))
        ):
            mismatched += 1
            continue
        out[r["id"]] = frozenset(row.get("topics") or ())
    if mismatched:
        print(f"note: {mismatched} articles not matched to their Reuters row", file=sys.stderr)
    return out


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# -- methods -------------------------------------------------------------------------------------
def baseline_articles(core: Newsreader, article_id: int) -> list[int]:
    body = "\n\n".join(core.library.paragraphs(article_id))
    with core.index.searcher() as s:
        docnum = s.document_number(kind="a", article=str(article_id))
        if docnum is None or not body:
            return []
        return [int(hit["article"]) for hit in s.more_like(docnum, "body", text=body, top=K)]


def baseline_passages(core: Newsreader, article_id: int, passage: int) -> list[int]:
    text = core.library.paragraphs(article_id)[passage]
    with core.index.searcher() as s:
        own = set(s.document_numbers(article=str(article_id)))
        terms = s.key_terms_from_text("ptext", text, numterms=5)
        if not terms:
            return []
        q = Q.Or([Q.Term("ptext", word, boost=weight) for word, weight in terms])
        return [int(hit["article"]) for hit in s.search(q, limit=K, mask=own)]


def ours_articles(related: RelatedFinder, article_id: int, entities: bool) -> list[int]:
    return [r.id for r in related.articles(article_id, K, entities=entities)]


def ours_passages(
    related: RelatedFinder, article_id: int, passage: int, entities: bool
) -> list[int]:
    return [r.id for r in related.passages(article_id, passage, K, entities=entities)]


# -- measuring -----------------------------------------------------------------------------------
def precision(results: list[int], source: int, topics: dict[int, frozenset[str]]) -> float:
    want = topics[source]
    return sum(1 for r in results[:K] if topics.get(r, frozenset()) & want) / K


def timed(sources: list[tuple], call: Callable) -> tuple[list, dict]:
    """Run `call` on each source; its results and the latency figures (ms)."""
    found, wall, cpu = [], [], []
    for src in sources:
        w0, c0 = time.perf_counter(), time.process_time()
        found.append(call(*src))
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    cpu.sort()

    def pct(values: list[float], q: float) -> float:
        return round(values[min(len(values) - 1, int(len(values) * q))], 1)

    return found, {
        "calls": len(sources),
        "ms_p50": pct(wall, 0.5),
        "ms_p95": pct(wall, 0.95),
        "ms_max": round(wall[-1], 1),
        "cpu_ms_p95": pct(cpu, 0.95),
    }


def measure(name: str, sources: list[tuple], call: Callable, topics) -> dict:
    found, latency = timed(sources, call)
    return {
        "method": name,
        "p_at_5": round(
            statistics.fmean(
                precision(f, s[0], topics) for f, s in zip(found, sources, strict=True)
            ),
            4,
        ),
        "mean_results": round(statistics.fmean(len(f) for f in found), 2),
        **latency,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=int, default=400, help="sources of each kind (default 400)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--merged", action="store_true", help="the index rebuilt in one segment")
    p.add_argument("--rebuild", action="store_true", help="ingest Reuters again")
    p.add_argument("--no-baseline", action="store_true", help="measure only newsreader")
    args = p.parse_args(argv)

    shared = shared_dir()
    if shared is None:
        print("skipped: ../shared/data/reuters21578 is not here (research data, not shipped)")
        return 0
    corpus = shared / "data" / "reuters21578" / "articles.jsonl"
    core = open_library(corpus, args.rebuild, args.merged)
    try:
        return run(core, corpus, args)
    finally:
        core.close()


def run(core: Newsreader, corpus: Path, args: argparse.Namespace) -> int:
    topics = topics_by_article(core, corpus)
    stats = core.stats()
    mentions = core.library.query("SELECT COUNT(*) FROM mentions")[0][0]
    with core.index.searcher() as s:
        segments = len(s.reader().leaf_readers())
    rng = random.Random(args.seed)
    counts = dict(core.library.query("SELECT article_id, COUNT(*) FROM passages GROUP BY 1"))
    with_topics = sorted(a for a, t in topics.items() if t and counts.get(a))
    article_sources = [(a,) for a in rng.sample(with_topics, args.sources)]
    pool = [(a, n) for a in with_topics for n in range(counts[a])]
    passage_sources = rng.sample(pool, args.sources)
    reading = [(a, n) for (a,) in article_sources[:40] for n in range(counts[a])]
    load = os.getloadavg()[0]

    related = finder(core)
    t0 = time.perf_counter()
    related.passages(*passage_sources[0])  # reads the document layout, kept until a commit
    cold_ms = (time.perf_counter() - t0) * 1000

    rows: list[tuple[str, dict]] = []
    kinds = [
        (
            "articles",
            article_sources,
            lambda a: baseline_articles(core, a),
            lambda entities: lambda a: ours_articles(related, a, entities),
        ),
        (
            "passages",
            passage_sources,
            lambda a, n: baseline_passages(core, a, n),
            lambda entities: lambda a, n: ours_passages(related, a, n, entities),
        ),
    ]
    for kind, sources, baseline, ours in kinds:
        if not args.no_baseline:
            rows.append((kind, measure("whoosh more_like_this", sources, baseline, topics)))
        rows.append((kind, measure("newsreader, terms only", sources, ours(False), topics)))
        if mentions:
            rows.append((kind, measure("newsreader, terms+entities", sources, ours(True), topics)))
    _, walk = timed(reading, lambda a, n: related.passages(a, n, K))

    print(
        f"Reuters-21578: {stats['articles']:,} articles, {stats['passages']:,} passages,"
        f" {mentions:,} entity mentions, index in {segments} segment(s);"
        f" {len(with_topics):,} articles with topics"
    )
    print(
        f"{args.sources} sources of each kind (seed {args.seed}); P@5 = precision@5 of topic"
        f" agreement; ms per call (wall; cpu p95); load average {load:.1f}"
    )
    print()
    print(
        f"{'':9} {'method':27} {'P@5':>6} {'results':>7} {'p50':>6} {'p95':>6} {'max':>6}"
        f" {'cpu95':>6}"
    )
    for kind, r in rows:
        print(
            f"{kind:9} {r['method']:27} {r['p_at_5']:6.3f} {r['mean_results']:7.2f}"
            f" {r['ms_p50']:6.1f} {r['ms_p95']:6.1f} {r['ms_max']:6.1f} {r['cpu_ms_p95']:6.1f}"
        )
    print(
        f"\nrelated passages while reading ({walk['calls']} paragraphs of 40 articles in order):"
        f" p50 {walk['ms_p50']} ms, p95 {walk['ms_p95']} ms, max {walk['ms_max']} ms"
        f" (cpu p95 {walk['cpu_ms_p95']} ms)"
    )
    print(f"first call after opening the library: {cold_ms:.0f} ms")

    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "related-merged" if args.merged else "related"
    out = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    result = {
        "corpus": "reuters21578",
        "articles": stats["articles"],
        "passages": stats["passages"],
        "mentions": mentions,
        "segments": segments,
        "sources": args.sources,
        "seed": args.seed,
        "k": K,
        "load_average": round(load, 2),
        "first_call_ms": round(cold_ms, 1),
        "reading": walk,
        "rows": [dict(r, kind=kind) for kind, r in rows],
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
