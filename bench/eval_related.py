"""Related passages and articles on Reuters-21578: quality and speed, next to a plain Whoosh
more_like_this baseline measured in the same run.

    python bench/eval_related.py                 # 300 sources of each kind, seed 7
    python bench/eval_related.py --sources 500 --seed 3
    python bench/eval_related.py --rebuild       # ingest Reuters again (cache under bench/.cache)

Quality: precision@5 of topic agreement. Reuters stories carry topic labels (earn, acq, crude,
grain...); a related item counts as relevant when its article shares at least one topic with
the source. Only sources with topics are scored; a missing result counts as not relevant.
Grouped near-duplicates count once. Topic labels are weak relevance: two "earn" stories about
different companies agree, a story and its follow-up under another topic do not.

Baseline, per item type, exactly what Whoosh offers out of the box:
- articles: `searcher.more_like(docnum, "body", text=body, top=5)` (Bo1 key terms, 5 terms);
- passages: the same on the passage field `ptext` (Whoosh's more_like code with the whole
  source article masked instead of the one document, so it cannot return the source's own
  passages; it finds passage documents only, like any plain use of that field).

Speed: one call each over the sampled passages (p50/p95/max, warm; the first call after
opening the library, which builds the cached mask, is reported apart).

Reuters (research use only) is read from ../shared/data/reuters21578 and never copied into the
project. The library ingested from it (through the real `Newsreader.add`) is cached under
bench/.cache/ (gitignored). Results: a table on stdout, JSON in bench/results/ (gitignored).
Skips with a message where ../shared is absent.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import query as Q  # noqa: E402

from index.config import load_settings  # noqa: E402
from index.core import Newsreader  # noqa: E402
from index.related import RelatedFinder, finder  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
K = 5


def shared_dir() -> Path | None:
    for candidate in (os.environ.get("NEWSREADER_SHARED"), ROOT.parent / "shared",
                      Path("/work/shared")):
        if candidate and (Path(candidate) / "data" / "reuters21578").is_dir():
            return Path(candidate)
    return None


# -- the library ---------------------------------------------------------------------------------
def open_library(corpus: Path, rebuild: bool) -> Newsreader:
    """The Reuters library, ingested once and cached; rebuilt when the corpus file changes."""
    CACHE.mkdir(parents=True, exist_ok=True)
    config = CACHE / "related.yaml"
    config.write_text("library:\n  seed_demo: false\n", encoding="utf-8")
    settings = load_settings(config)
    stamp = f"{corpus.stat().st_size}:{int(corpus.stat().st_mtime)}"
    home = CACHE / "related-reuters21578"
    if home.exists() and not rebuild:
        core = Newsreader.open(home, settings, notify=_say)
        if core.library.meta("bench_corpus") == stamp:
            return core
        core.close()
    # Built beside the cache and swapped in whole: an interrupted run leaves no half library.
    fresh = CACHE / "related-reuters21578.new"
    shutil.rmtree(fresh, ignore_errors=True)
    print(f"ingesting {corpus} into {home} (once; a few minutes)…", file=sys.stderr)
    t0 = time.perf_counter()
    core = Newsreader.open(fresh, settings, notify=_say)
    report = core.add([str(corpus)])
    core.library.set_meta("bench_corpus", stamp)
    core.close()
    print(f"  {report.summary()} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    shutil.rmtree(home, ignore_errors=True)
    os.replace(fresh, home)
    return Newsreader.open(home, settings, notify=_say)


def _say(message: str) -> None:
    print(f"newsreader: {message}", file=sys.stderr)


def topics_by_article(core: Newsreader, corpus: Path) -> dict[int, frozenset[str]]:
    """Library id → Reuters topics, through each row's origin ("<file>#<line>"), checked
    against the title so that a mapping error cannot pass silently."""
    rows: dict[int, dict] = {}
    with open(corpus, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            rows[lineno] = json.loads(line)
    out: dict[int, frozenset[str]] = {}
    mismatched = 0
    for r in core.library.query("SELECT id, origin, title FROM articles"):
        origin = r["origin"] or ""
        line = origin.rpartition("#")[2]
        row = rows.get(int(line)) if line.isdigit() else None
        if row is None or _fold(row.get("title") or "")[:40] != _fold(r["title"])[:40]:
            mismatched += 1
            continue
        out[r["id"]] = frozenset(row.get("topics") or ())
    if mismatched:
        print(f"note: {mismatched} articles could not be matched to their Reuters row",
              file=sys.stderr)
    return out


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# -- methods -------------------------------------------------------------------------------------
def baseline_articles(core: Newsreader, article_id: int) -> list[int]:
    body = "\n\n".join(core.library.paragraphs(article_id))
    with core.index.searcher() as s:
        docnum = s.document_number(id=f"a{article_id}")
        if docnum is None or not body:
            return []
        results = s.more_like(docnum, "body", text=body, top=K)
        return [int(hit["article"]) for hit in results]


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


def ours_passages(related: RelatedFinder, article_id: int, passage: int,
                  entities: bool) -> list[int]:
    return [r.id for r in related.passages(article_id, passage, K, entities=entities)]


# -- measuring -----------------------------------------------------------------------------------
def precision(results: list[int], source: int, topics: dict[int, frozenset[str]]) -> float:
    want = topics[source]
    return sum(1 for r in results[:K] if topics.get(r, frozenset()) & want) / K


def measure(name: str, sources: list, call, topics) -> dict:
    times, scores, counts = [], [], []
    for src in sources:
        t0 = time.perf_counter()
        found = call(*src)
        times.append((time.perf_counter() - t0) * 1000)
        scores.append(precision(found, src[0], topics))
        counts.append(len(found))
    times.sort()
    return {
        "method": name,
        "sources": len(sources),
        "p_at_5": round(statistics.fmean(scores), 4),
        "mean_results": round(statistics.fmean(counts), 2),
        "ms_p50": round(times[len(times) // 2], 2),
        "ms_p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "ms_max": round(times[-1], 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=int, default=300, help="sources of each kind (default 300)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--rebuild", action="store_true", help="ingest Reuters again")
    p.add_argument("--no-baseline", action="store_true", help="measure only newsreader")
    args = p.parse_args(argv)

    shared = shared_dir()
    if shared is None:
        print("skipped: ../shared/data/reuters21578 is not here (research data, not shipped)")
        return 0
    corpus = shared / "data" / "reuters21578" / "articles.jsonl"
    core = open_library(corpus, args.rebuild)
    try:
        return run(core, corpus, args)
    finally:
        core.close()


def run(core: Newsreader, corpus: Path, args: argparse.Namespace) -> int:
    topics = topics_by_article(core, corpus)
    stats = core.stats()
    mentions = core.library.query("SELECT COUNT(*) FROM mentions")[0][0]
    rng = random.Random(args.seed)
    with_topics = sorted(a for a, t in topics.items() if t)
    counts = dict(core.library.query(
        "SELECT article_id, COUNT(*) FROM passages GROUP BY article_id"))
    article_sources = [(a,) for a in rng.sample([a for a in with_topics if counts.get(a)],
                                                args.sources)]
    pool = [(a, n) for a in with_topics for n in range(counts.get(a, 0))]
    passage_sources = rng.sample(pool, args.sources)

    related = finder(core)
    t0 = time.perf_counter()
    related.passages(*passage_sources[0])  # the first call builds the cached mask
    cold_ms = (time.perf_counter() - t0) * 1000

    rows = []
    if not args.no_baseline:
        rows.append(("articles", measure("whoosh more_like (body)", article_sources,
                                         lambda a: baseline_articles(core, a), topics)))
    rows.append(("articles", measure("newsreader, terms only", article_sources,
                                     lambda a: ours_articles(related, a, False), topics)))
    if mentions:
        rows.append(("articles", measure("newsreader, terms + entities", article_sources,
                                         lambda a: ours_articles(related, a, True), topics)))
    if not args.no_baseline:
        rows.append(("passages", measure("whoosh more_like (ptext)", passage_sources,
                                         lambda a, n: baseline_passages(core, a, n), topics)))
    rows.append(("passages", measure("newsreader, terms only", passage_sources,
                                     lambda a, n: ours_passages(related, a, n, False), topics)))
    if mentions:
        rows.append(("passages", measure("newsreader, terms + entities", passage_sources,
                                         lambda a, n: ours_passages(related, a, n, True), topics)))

    print(f"Reuters-21578: {stats['articles']:,} articles, {stats['passages']:,} passages,"
          f" {mentions:,} entity mentions; {len(with_topics):,} articles with topics")
    print(f"{args.sources} sources of each kind (seed {args.seed}); precision@{K} of topic"
          " agreement; latency per call in ms")
    print()
    print(f"{'':9} {'method':30} {'P@5':>6} {'results':>8} {'p50':>7} {'p95':>7} {'max':>7}")
    for kind, r in rows:
        print(f"{kind:9} {r['method']:30} {r['p_at_5']:6.3f} {r['mean_results']:8.2f}"
              f" {r['ms_p50']:7.1f} {r['ms_p95']:7.1f} {r['ms_max']:7.1f}")
    print(f"\nfirst related-passages call after opening (builds the mask): {cold_ms:.0f} ms")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"related-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({
        "corpus": "reuters21578", "articles": stats["articles"], "passages": stats["passages"],
        "mentions": mentions, "sources": args.sources, "seed": args.seed, "k": K,
        "cold_first_call_ms": round(cold_ms, 1),
        "rows": [dict(r, kind=kind) for kind, r in rows],
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
