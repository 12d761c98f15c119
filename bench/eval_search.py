"""Ranking quality of `newsreader search` on the CISI judged collection, beside plain Whoosh
BM25F in the same run.

    python bench/eval_search.py              # MAP@10, nDCG@10, recall@100 for three runs
    python bench/eval_search.py --per-query  # and each query's AP@10 for the three runs
    python bench/eval_search.py --split 2    # each abstract as paragraphs of 2 sentences
    python bench/eval_search.py --halves     # and MAP@10 on odd / even query numbers apart

CISI (../shared/data/cisi, research use, never copied into the project): 1,460 abstracts of
information science, 76 natural-language queries with relevance judgements. The articles go
into a fresh library through the real `Newsreader.add` (each gets a URL naming its CISI id, so
that hits can be judged). Three runs on the same queries:
- as typed: `core.search(query, limit=100)`, the query exactly as written (what
  `newsreader search QUERY --json` runs);
- OR-ed: the query's words joined with ` OR ` (explicit OR), through the same search;
- plain BM25F: a Whoosh index of the same articles (title and body, StemmingAnalyzer, no
  boosts), the same words OR-ed (`MultifieldParser(["title", "body"], group=OrGroup)`),
  Whoosh's BM25F with its defaults, top 100.
Metrics (binary relevance, averaged over the queries): MAP@10 (precision at each relevant hit
in the top 10, divided by min(relevant, 10)), nDCG@10, recall@100. Skips (exit 0) when the
collection is absent.

`--split N` stores each abstract as paragraphs of N sentences (blank lines between), so that
the library indexes a passage document per paragraph as it does for news articles of several
paragraphs: the ranking should hold there too (plain BM25F sees the same words either way).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URL = "https://cisi.invalid/"


def data_dir() -> Path | None:
    for candidate in (
        os.environ.get("NEWSREADER_SHARED"),
        ROOT.parent / "shared",
        Path("/work/shared"),
    ):
        if candidate and (Path(candidate) / "data" / "cisi" / "qrels.txt").is_file():
            return Path(candidate) / "data" / "cisi"
    return None


def load(cisi: Path) -> tuple[list[dict], list[tuple[str, str]], dict[str, set[str]]]:
    def lines(name: str) -> list[str]:
        return (cisi / name).read_text(encoding="utf-8").splitlines()

    articles = [json.loads(line) for line in lines("articles.jsonl")]
    queries = [(q["qid"], q["text"]) for q in map(json.loads, lines("queries.jsonl"))]
    qrels: dict[str, set[str]] = {}
    for line in lines("qrels.txt"):
        parts = line.split()
        if len(parts) >= 4 and parts[3] != "0":
            qrels.setdefault(parts[0], set()).add(parts[2])
    return articles, [(q, t) for q, t in queries if q in qrels], qrels


def split(body: str, sentences: int) -> str:
    """`body` as paragraphs of `sentences` sentences each."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", body)
    return "\n\n".join(" ".join(parts[i : i + sentences]) for i in range(0, len(parts), sentences))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)*", text)


# -- metrics ---------------------------------------------------------------------------------
def ap_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k], 1):
        if d in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k) if relevant else 0.0


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1) if d in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def recall_at(ranked: list[str], relevant: set[str], k: int = 100) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


# -- the runs --------------------------------------------------------------------------------
def newsreader_library(articles: list[dict], home: Path):
    from bench.common import settings_for
    from index.core import Newsreader

    source = home / "cisi.jsonl"
    with open(source, "w", encoding="utf-8") as f:
        for a in articles:
            number = a["id"].split(":", 1)[1]
            f.write(
                json.dumps(
                    {
                        "title": a["title"],
                        "body": a["body"],
                        "byline": a.get("byline"),
                        "url": URL + number,
                    }
                )
                + "\n"
            )
    core = Newsreader.open(home / "library", settings_for(seed_demo=False))
    report = core.add([str(source)])
    if report.failed:
        raise RuntimeError(f"CISI ingest failed: {report.summary()}")
    by_article = {
        r["id"]: "cisi:" + r["url"][len(URL) :]
        for r in core.library.query("SELECT id, url FROM articles")
    }
    return core, by_article


def plain_bm25f(articles: list[dict], home: Path):
    from whoosh import index as windex
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.scoring import BM25F

    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=StemmingAnalyzer()),
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
    (home / "whoosh").mkdir()
    ix = windex.create_in(str(home / "whoosh"), schema)
    w = ix.writer()
    for a in articles:
        w.add_document(id=a["id"], title=a["title"], body=a["body"])
    w.commit()
    parser = MultifieldParser(["title", "body"], schema, group=OrGroup)
    searcher = ix.searcher(weighting=BM25F())

    def run(text: str) -> list[str]:
        q = parser.parse(" ".join(words(text)))
        return [hit["id"] for hit in searcher.search(q, limit=100)]

    return run


def evaluate(run, queries, qrels) -> tuple[dict[str, float], dict[str, float], float]:
    aps, ndcgs, recalls, started = {}, [], [], time.perf_counter()
    for qid, text in queries:
        ranked = run(text)
        aps[qid] = ap_at(ranked, qrels[qid])
        ndcgs.append(ndcg_at(ranked, qrels[qid]))
        recalls.append(recall_at(ranked, qrels[qid]))
    n = len(queries)
    figures = {
        "MAP@10": sum(aps.values()) / n,
        "nDCG@10": sum(ndcgs) / n,
        "recall@100": sum(recalls) / n,
    }
    return figures, aps, (time.perf_counter() - started) * 1000 / n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--per-query", action="store_true", help="print each query's AP@10")
    p.add_argument("--halves", action="store_true",
                   help="MAP@10 on the odd and the even query numbers apart (tune on one)")
    p.add_argument("--split", type=int, default=0, metavar="N",
                   help="store each abstract as paragraphs of N sentences")
    args = p.parse_args(argv)
    cisi = data_dir()
    if cisi is None:
        print("CISI collection not found (../shared/data/cisi): skipped")
        return 0
    articles, queries, qrels = load(cisi)
    if args.split > 0:
        articles = [dict(a, body=split(a["body"], args.split)) for a in articles]
    with tempfile.TemporaryDirectory(prefix="eval-search-") as tmp:
        home = Path(tmp)
        core, by_article = newsreader_library(articles, home)
        baseline = plain_bm25f(articles, home)

        def newsreader(text: str) -> list[str]:
            result = core.search(text, limit=100)
            return [by_article[h.id] for h in result.hits]

        def ored(text: str) -> list[str]:
            return newsreader(" OR ".join(w for w in words(text) if w not in ("AND", "OR", "NOT")))

        runs = {"as typed": newsreader, "OR-ed": ored, "plain BM25F": baseline}
        results = {name: evaluate(run, queries, qrels) for name, run in runs.items()}
        core.close()
    base = results["plain BM25F"][0]
    shape = f", as paragraphs of {args.split} sentences" if args.split > 0 else ""
    print(f"CISI: {len(articles)} articles{shape}, {len(queries)} judged queries")
    print(
        f"{'run':<13}{'MAP@10':>9}{'nDCG@10':>9}{'recall@100':>12}{'× BM25F MAP':>13}"
        f"{'ms/query':>10}"
    )
    for name, (figures, _, ms) in results.items():
        ratio = figures["MAP@10"] / base["MAP@10"] if base["MAP@10"] else float("nan")
        print(
            f"{name:<13}{figures['MAP@10']:>9.4f}{figures['nDCG@10']:>9.4f}"
            f"{figures['recall@100']:>12.4f}{ratio:>13.3f}{ms:>10.1f}"
        )
    if args.halves:
        print("\nMAP@10 on odd / even query numbers:")
        for name in runs:
            aps = results[name][1]
            halves = [[aps[q] for q, _ in queries if int(q) % 2 == odd] for odd in (1, 0)]
            print(f"{name:<13}" + " / ".join(f"{sum(h) / len(h):.4f}" for h in halves))
    if args.per_query:
        print("\nAP@10 per query: qid, as typed, OR-ed, plain BM25F")
        for qid, _ in queries:
            print(qid, *(f"{results[n][1][qid]:.3f}" for n in runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
