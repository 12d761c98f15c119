"""Latency of what the reader asks the core for, on a cached library, in a child process of its
own (`python -m bench.latency CORPUS LIBRARY RESULT`) so that its peak memory is that of a
reader session: open the library, warm up as the reader's start-up worker does, then search,
complete, find and follow related passages.

Every call is made the way the UI makes it: search with the UI's result limit (snippets
included), as-you-type with `prefix=True` on every keystroke, the go-to finder with the UI's
finder limit on every keystroke, related passages with the panel's limit for each paragraph of
an article in reading order.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    Samples,
    dir_bytes,
    mb,
    own_peak_rss_mb,
    run_child,
    say,
    settings_for,
    summary,
    timed_ms,
    write_json,
)
from bench.corpora import AGNEWS_URL, CORPORA, Corpus
from bench.queries import (
    Row,
    keystrokes,
    make_field_queries,
    make_finder_inputs,
    make_phrases,
    make_queries,
    make_typos,
    make_wildcards,
)

SEED = 20240601
PANEL_LIMIT = 8  # related passages the article screen asks for (reader/screens/article.py)
ARTICLES_LIMIT = 5  # related articles: Newsreader.related's default (the CLI's)
WALK_MAX = 10  # paragraphs of one article followed at most
# (quick, full) sizes.
COUNTS = {
    "plain": (60, 200),
    "phrase": (40, 150),
    "field": (45, 150),
    "typo": (40, 150),
    "prefix": (30, 100),  # queries, every keystroke of each
    "wildcard": (40, 150),
    "finder": (30, 120),  # inputs, every keystroke of each
    "related": (60, 300),  # related-passages calls
}


# -- in the child ---------------------------------------------------------------------------------
def genuine_rows(core: Any, corpus: Corpus) -> list[Row]:
    """The library's genuine articles (AG News: the 7,600 real rows, found by their URL)."""
    lib = core.library

    def body(article_id: int) -> str:
        return lib.query("SELECT body FROM articles WHERE id = ?", (article_id,))[0][0]

    sql = "SELECT id, title, source, date FROM articles"
    params: tuple = ()
    if corpus.real_rows is not None:
        sql += " WHERE url LIKE ? AND CAST(substr(url, ?) AS INTEGER) < ?"
        params = (AGNEWS_URL + "%", len(AGNEWS_URL) + 1, corpus.real_rows)
    return [
        Row(r["id"], r["title"], r["source"], r["date"], lambda i=r["id"]: body(i))
        for r in lib.query(sql + " ORDER BY id", params)
    ]


def entities_of(core: Any) -> Any:
    """Article id → its (label, canonical name) people, organisations and places."""

    def find(article_id: int) -> list[tuple[str, str]]:
        rows = core.library.query(
            "SELECT DISTINCT e.label, e.canonical FROM mentions m"
            " JOIN entities e ON e.id = m.entity_id"
            " WHERE m.article_id = ? AND e.label IN ('PERSON', 'ORG', 'PLACE') ORDER BY 1, 2",
            (article_id,),
        )
        return [(r[0], r[1]) for r in rows if re.fullmatch(r"[\w .'&-]+", r[1])]

    return find


def segments(core: Any) -> int | None:
    try:
        with core.index.searcher() as s:
            return len(s.reader().leaf_readers())
    except Exception:  # noqa: BLE001 - informational only
        return None


def measure(corpus: Corpus, library: Path, quick: bool) -> dict[str, Any]:
    """The whole suite on one library; returns the figures (see bench/__main__.py)."""
    start_rss = rss_now_mb()
    from index.core import Newsreader
    from index.related.finder import related_articles, related_passages

    size = 0 if quick else 1
    n = {k: v[size] for k, v in COUNTS.items()}
    settings = settings_for(seed_demo=False)
    limit, finder_limit = settings.search.limit, settings.ui.finder_limit
    out: dict[str, Any] = {"corpus": corpus.name, "library": str(library), "quick": quick}

    started = time.perf_counter()
    core = Newsreader.open(library, settings)
    out["open_ms"] = round((time.perf_counter() - started) * 1000, 1)
    out["articles"] = core.library.count()
    out["passages"] = core.library.passage_count()
    out["index_segments"] = segments(core)
    rss = out["rss_mb_after"] = {"start": start_rss, "open": rss_now_mb()}
    # What the reader's start-up worker does before the first keystroke, timed apart.
    out["warm_vocabulary_ms"] = round(timed_ms(core.searching.vocabulary), 1)
    out["warm_finder_ms"] = round(timed_ms(core.finder), 1)
    out["warm_terms_ms"] = round(timed_ms(core.searching.warm_up), 1)
    vocab = core.searching.vocabulary()
    out["vocabulary_words"] = len(vocab)
    rss["warm_up"] = rss_now_mb()

    rng = random.Random(SEED)
    rows = genuine_rows(core, corpus)
    out["query_source_articles"] = len(rows)
    plain = make_queries(rows, rng, n["plain"])
    phrases = make_phrases(rows, rng, n["phrase"])
    fields = make_field_queries(rows, rng, n["field"], entities_of(core))
    typos = make_typos(rows, rng, n["typo"], vocab.frequency)
    typed = make_queries(rows, rng, n["prefix"])
    finder_inputs = make_finder_inputs(rows, rng, n["finder"])
    # Drawn last, with a generator of their own, so that the other sets stay as they were.
    wildcards = make_wildcards(rows, random.Random(SEED + 3), n["wildcard"])

    warm = make_queries(rows, random.Random(SEED + 1), 10)
    out["warm_searches_ms"] = round(sum(timed_ms(lambda q=q: core.search(q)) for q in warm), 1)
    rss["queries_made"] = rss_now_mb()

    def search(text: str, prefix: bool = False) -> Any:
        return core.search(text, limit=limit, prefix=prefix)

    def found(result: Any) -> bool:
        return result.total > 0

    def snippets(result: Any) -> bool:
        return result.total > 0 and all(h.snippet.text for h in result.hits)

    # Submitted searches (enter): plain words, phrases, field filters.
    for name, queries in (("plain", plain), ("phrase", phrases)):
        s = Samples()
        with_snippets = 0
        for q in queries:
            r = s.run(q, lambda q=q: search(q), found)
            with_snippets += snippets(r)
        out[name] = s.summary() | {
            "examples": queries[:6],
            "hits_with_snippets": round(with_snippets / len(queries), 3),
        }
        say(f"    {name}: {_brief(out[name])}")
    s = Samples()
    for _, q in fields:
        s.run(q, lambda q=q: search(q), found)
    by_kind: dict[str, list[int]] = {}
    for i, (kind, _) in enumerate(fields):
        by_kind.setdefault(kind, []).append(i)
    out["field"] = s.summary() | {
        "examples": [q for _, q in fields[:6]],
        "by_kind": {
            kind: summary([s.wall[i] for i in where])
            | {"hit_rate": round(sum(s.hits[i] for i in where) / len(where), 3)}
            for kind, where in by_kind.items()
        },
    }
    say(f"    field: {_brief(out['field'])}")

    # Typos: submitted (fuzzy retry), and as typed (the last word still being completed).
    typo, typo_typed, fixed = Samples(), Samples(), 0
    for wrong, meant in typos:
        r = typo.run(wrong, lambda w=wrong: search(w), found)
        fixed += bool(r.corrected and meant in r.corrected.lower().split())
        typo_typed.run(wrong, lambda w=wrong: search(w, prefix=True), found)
    out["typo"] = typo.summary() | {
        "examples": [w for w, _ in typos[:6]],
        "corrected_to_the_word_meant": round(fixed / len(typos), 3),
    }
    out["typo_as_typed"] = typo_typed.summary()
    say(f"    typo: {_brief(out['typo'])}, corrected {fixed}/{len(typos)}")

    # As you type: every keystroke of every query.
    s = Samples()
    for q in typed:
        for text in keystrokes(q):
            s.run(text, lambda t=text: search(t, prefix=True), found)
    out["prefix"] = s.summary() | {"queries": len(typed), "examples": typed[:6]}
    say(f"    prefix: {_brief(out['prefix'])}")

    # Explicit wildcards (palm*), submitted: the same bounded expansion as as-you-type.
    s = Samples()
    for q in wildcards:
        s.run(q, lambda q=q: search(q), found)
    out["wildcard"] = s.summary() | {"examples": wildcards[:6]}
    say(f"    wildcard: {_brief(out['wildcard'])}")
    rss["searches"] = rss_now_mb()

    # Go-to finder: every keystroke.
    s = Samples()
    for text in finder_inputs:
        for typed_so_far in keystrokes(text):
            s.run(typed_so_far, lambda t=typed_so_far: core.find(t, finder_limit))
    out["finder"] = s.summary() | {"inputs": len(finder_inputs), "examples": finder_inputs[:6]}
    say(f"    finder: {_brief(out['finder'])}")
    rss["finder"] = rss_now_mb()

    # Related: a reader opening random articles and walking their paragraphs in order.
    order = rows[:]
    random.Random(SEED + 2).shuffle(order)
    first = order.pop()
    out["related_first_call_ms"] = round(
        timed_ms(lambda: related_passages(core, first.id, 0, limit=PANEL_LIMIT)), 1
    )
    passages, articles, walked = Samples(), Samples(), 0
    for row in order:
        if len(passages.wall) >= n["related"]:
            break
        count = len(core.library.paragraphs(row.id))
        if not count:
            continue
        walked += 1
        articles.run(str(row.id), lambda a=row.id: related_articles(core, a, ARTICLES_LIMIT))
        for p in range(min(count, WALK_MAX)):
            passages.run(
                f"{row.id}¶{p}", lambda a=row.id, p=p: related_passages(core, a, p, PANEL_LIMIT)
            )
    out["related_passages"] = passages.summary() | {"articles": walked}
    out["related_articles"] = articles.summary()
    say(f"    related passages: {_brief(out['related_passages'])} over {walked} articles")
    rss["related"] = rss_now_mb()
    say(
        "    resident MB after each step (anonymous + file-backed): "
        + ", ".join(f"{k} {v['rss']:.0f} ({v['anon']:.0f}+{v['file']:.0f})" for k, v in rss.items())
    )

    core.close()
    out["library_folder_mb"] = mb(dir_bytes(library))
    out["index_mb"] = mb(dir_bytes(library / "index"))
    out["peak_rss_mb"] = own_peak_rss_mb()
    return out


def rss_now_mb() -> dict[str, float]:
    """This process's resident memory now (Linux), to see which step makes the peak: all of
    it, anonymous (Python objects) and file-backed (mostly Whoosh's memory-mapped index
    files, which the kernel can drop and read again)."""
    out = {"rss": 0.0, "anon": 0.0, "file": 0.0}
    keys = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file"}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = keys.get(line.split(maxsplit=1)[0])
                if key:
                    out[key] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def _brief(s: dict[str, Any]) -> str:
    return f"n {s['n']}, p50 {s['median_ms']} ms, p95 {s['p95_ms']} ms, hits {s['hit_rate']}"


def child_main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="the latency suite on one library (python -m bench)")
    p.add_argument("corpus", choices=sorted(CORPORA))
    p.add_argument("library", type=Path)
    p.add_argument("result", type=Path)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    write_json(args.result, measure(CORPORA[args.corpus], args.library, args.quick))
    return 0


# -- in the parent --------------------------------------------------------------------------------
def run_latency(corpus: Corpus, library: Path, quick: bool) -> dict[str, Any]:
    """The suite in a fresh process; its peak RSS as the kernel saw it."""
    result_file = library.parent / f"latency-{corpus.name}.json"
    args = [corpus.name, str(library), str(result_file)] + (["--quick"] if quick else [])
    child = run_child("bench.latency", args, result_file, timeout=3600)
    result_file.unlink(missing_ok=True)
    if child.returncode != 0 or not child.result:
        raise RuntimeError(f"latency run on {corpus.name} failed (exit {child.returncode})")
    return child.result | {"process": child.as_dict()}


if __name__ == "__main__":
    sys.exit(child_main())
