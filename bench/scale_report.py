"""The scale run's report: each figure per library size, its growth from 127.6k to 1M beside
the library's, pass/fail against issue 19's budgets at 1M, and the curves as a PNG (bench/scale.py
builds and measures; this module only reads its results)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Budget, say

SCALE = ("agnews_10k", "agnews_127k", "agnews_1m")
SHORT = {"agnews_10k": "10k", "agnews_127k": "127.6k", "agnews_1m": "1M"}
# Issue 19's budgets at 1M articles (ms p95 unless said).
BUDGETS_1M: dict[str, Budget] = {
    "plain": Budget(50.0),
    "field": Budget(50.0),
    "typo": Budget(50.0),
    "prefix": Budget(50.0),
    "finder": Budget(30.0),
    "related": Budget(80.0),
    "first_paint": Budget(800.0),  # ms median, rows on screen
    "session_rss": Budget(600.0),  # MB
    "ingest_ratio": Budget(0.7, at_least=True),
}


# -- the figures ----------------------------------------------------------------------------------
Getter = Callable[[dict[str, Any]], float | None]


def _get(*keys: str) -> Getter:
    def get(r: dict[str, Any]) -> float | None:
        x: Any = r
        for k in keys:
            if not isinstance(x, dict) or k not in x:
                return None
            x = x[k]
        return x

    return get


# (label, unit, getter, budget key at 1M or None)
FIGURES: list[tuple[str, str, Getter, str | None]] = [
    ("ingest, newsreader add", "docs/s", _get("build", "add", "docs_per_s"), None),
    ("ingest, raw Whoosh", "docs/s", _get("build", "whoosh", "docs_per_s"), None),
    ("ingest ratio to raw Whoosh", "×", _get("build", "ratio"), "ingest_ratio"),
    ("ingest peak RSS", "MB", _get("build", "add", "peak_rss_mb"), None),
    ("library folder on disk", "MB", _get("measured", "sizes_mb", "library_folder"), None),
    ("  of which search index", "MB", _get("measured", "sizes_mb", "index"), None),
    ("  of which SQLite", "MB", _get("measured", "sizes_mb", "sqlite"), None),
    ("index segments", "", _get("measured", "latency", "index_segments"), None),
]
for _key, _label, _budget in (
    ("plain", "plain", "plain"),
    ("phrase", "phrase", None),
    ("field", "field", "field"),
    ("typo", "typo", "typo"),
    ("prefix", "prefix (per keystroke)", "prefix"),
    ("finder", "finder (per keystroke)", "finder"),
    ("related_passages", "related passages", "related"),
    ("related_articles", "related articles", None),
):
    FIGURES.append((f"{_label} p50", "ms", _get("measured", "latency", _key, "median_ms"), None))
    FIGURES.append((f"{_label} p95", "ms", _get("measured", "latency", _key, "p95_ms"), _budget))
FIGURES += [
    (
        "first paint, rows shown, median",
        "ms",
        _get("measured", "paint", "rows_shown_from_process_start", "median_ms"),
        "first_paint",
    ),
    (
        "  Textual alone, same rows",
        "ms",
        _get("measured", "paint", "textual_alone_rows_shown", "median_ms"),
        None,
    ),
    (
        "longest UI stall in 3 s, median",
        "ms",
        _get("measured", "stalls", "longest", "median_ms"),
        None,
    ),
    ("open the core, median", "ms", _get("measured", "open_core", "median_ms"), None),
    ("warm-up: vocabulary", "ms", _get("measured", "latency", "warm_vocabulary_ms"), None),
    ("warm-up: finder", "ms", _get("measured", "latency", "warm_finder_ms"), None),
    ("warm-up: common words' postings", "ms", _get("measured", "latency", "warm_terms_ms"), None),
    ("reading session peak RSS", "MB", _get("measured", "latency", "peak_rss_mb"), "session_rss"),
]


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"


def table(runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per figure: its value per corpus, its growth from 10k to 127.6k and from
    127.6k to 1M beside the library's, and the 1M verdict; printed, and returned for the
    JSON."""
    names = [n for n in SCALE if n in runs]
    pairs = [("agnews_10k", "agnews_127k"), ("agnews_127k", "agnews_1m")]
    articles = {n: _get("measured", "latency", "articles")(runs[n]) for n in names}
    rows = []
    for label, unit, get, budget_key in FIGURES:
        values = {n: get(runs[n]) for n in names}
        growth = {}
        for a, b in pairs:
            va, vb = values.get(a), values.get(b)
            growth[f"{a}->{b}"] = round(vb / va, 2) if va and vb is not None else None
        budget = BUDGETS_1M.get(budget_key) if budget_key else None
        big = values.get("agnews_1m")
        ok = budget.met(big) if budget and big is not None else None
        rows.append(
            {
                "figure": label,
                "unit": unit,
                "values": values,
                "growth": growth,
                "budget_1m": budget.text() if budget else None,
                "ok_1m": ok,
            }
        )
    head = ["figure", "unit", *[SHORT[n] for n in names]]
    for a, b in pairs:
        na, nb = articles.get(a), articles.get(b)
        lib = f"×{nb / na:.2f}" if na and nb else "–"
        head.append(f"{SHORT[a]}→{SHORT[b]} (library {lib})")
    head += ["budget at 1M", ""]
    lines = [head]
    for r in rows:
        verdict = "" if r["ok_1m"] is None else ("pass" if r["ok_1m"] else "FAIL")
        grown = ["–" if g is None else f"×{g:.2f}" for g in r["growth"].values()]
        lines.append(
            [
                r["figure"],
                r["unit"],
                *[_fmt(r["values"][n]) for n in names],
                *grown,
                r["budget_1m"] or "",
                verdict,
            ]
        )
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    for x in lines:
        cells = [x[0].ljust(widths[0]), x[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(x[2:], widths[2:], strict=True)]
        say("  ".join(cells).rstrip())
    return rows


def plot(runs: dict[str, dict[str, Any]], path: Path) -> Path | None:
    """The curves against the number of articles (log-log), as a PNG; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        say("no plot: matplotlib is not installed (pip install -e '.[bench]')")
        return None
    names = [n for n in SCALE if n in runs]
    x = [_get("measured", "latency", "articles")(runs[n]) for n in names]
    panels = [
        (
            "search p95 (ms)",
            [
                (f, _get("measured", "latency", k, "p95_ms"))
                for f, k in (
                    ("plain", "plain"),
                    ("phrase", "phrase"),
                    ("field", "field"),
                    ("typo", "typo"),
                    ("prefix", "prefix"),
                    ("finder", "finder"),
                    ("related", "related_passages"),
                )
            ],
        ),
        (
            "start-up (ms)",
            [
                ("first paint", FIGURES[-8][2]),
                ("longest stall", FIGURES[-6][2]),
                ("open core", FIGURES[-5][2]),
                ("warm vocabulary", FIGURES[-4][2]),
                ("warm finder", FIGURES[-3][2]),
                ("warm postings", FIGURES[-2][2]),
            ],
        ),
        (
            "size on disk and memory (MB)",
            [
                ("library folder", FIGURES[4][2]),
                ("index", FIGURES[5][2]),
                ("SQLite", FIGURES[6][2]),
                ("session peak RSS", FIGURES[-1][2]),
                ("ingest peak RSS", FIGURES[3][2]),
            ],
        ),
        ("ingest (docs/s)", [("newsreader add", FIGURES[0][2]), ("raw Whoosh", FIGURES[1][2])]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for ax, (title, series) in zip(axes.flat, panels, strict=True):
        for label, get in series:
            pts = [(a, get(runs[n])) for a, n in zip(x, names, strict=True)]
            pts = [(a, v) for a, v in pts if a and v]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("articles")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("newsreader at 10k, 127.6k and 1M AG News-shaped articles")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
