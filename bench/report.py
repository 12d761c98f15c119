"""The printed tables and the JSON file: one row per figure, with its budget and verdict."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.common import BUDGETS, RESULTS, ROOT, Budget, say

HEADER = ("measurement", "unit", "median", "p95", "cpu p95", "budget", "", "hits")


class Table:
    """Rows of text cells; `verdicts` collects (measurement, ok) for the closing line."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.verdicts: list[tuple[str, bool]] = []

    def add(
        self,
        label: str,
        unit: str,
        median: float | None,
        p95: float | None = None,
        cpu: float | None = None,
        budget: Budget | None = None,
        hits: float | None = None,
        digits: int = 1,
    ) -> None:
        """One figure. The budget is checked on the p95 when there is one, else the value."""
        checked = p95 if p95 is not None else median
        verdict = ""
        if budget is not None and checked is not None:
            ok = budget.met(checked)
            verdict = "ok" if ok else "OVER"
            self.verdicts.append((label, ok))

        def num(x: float | None) -> str:
            return "–" if x is None else f"{x:,.{digits}f}"

        self.rows.append(
            (
                label,
                unit,
                num(median),
                num(p95),
                num(cpu),
                budget.text() if budget else "–",
                verdict,
                f"{hits:.0%}" if hits is not None else "",
            )
        )

    def samples(self, label: str, s: dict[str, Any], budget: str | None) -> None:
        """A latency row from a Samples summary."""
        self.add(
            label,
            "ms",
            s["median_ms"],
            s["p95_ms"],
            s.get("cpu", {}).get("p95_ms"),
            BUDGETS[budget] if budget else None,
            s.get("hit_rate"),
        )

    def print(self) -> None:
        rows = [HEADER, *self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
        for r in rows:
            cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])]
            cells += [c.rjust(w) for c, w in zip(r[2:], widths[2:], strict=True)]
            say("  ".join(cells).rstrip())


def latency_rows(table: Table, name: str, r: dict[str, Any]) -> None:
    for key, label, budget in (
        ("plain", "search: plain words (submitted)", "search"),
        ("phrase", "search: phrase", "search"),
        ("field", "search: field-filtered", "search"),
        ("typo", "search: typo (submitted)", "typo"),
        ("typo_as_typed", "search: typo, as typed", "typo"),
        ("prefix", "search: as you type, per keystroke", "prefix"),
        ("wildcard", "search: explicit wildcard (palm*)", "prefix"),
        ("finder", "go-to finder, per keystroke", "finder"),
        ("related_passages", "related passages, per paragraph", "related"),
        ("related_articles", "related articles", None),
    ):
        table.samples(f"{name}: {label}", r[key], budget)
    warm = r["warm_vocabulary_ms"] + r["warm_finder_ms"]
    table.add(f"{name}: open library", "ms", r["open_ms"], digits=0)
    table.add(f"{name}: warm-up (vocabulary + finder)", "ms", warm, digits=0)
    _peak_rss(table, f"{name}: peak RSS, whole session", r["process"]["peak_rss_mb"])
    table.add(f"{name}: library folder on disk", "MB", r["library_folder_mb"])
    table.add(f"{name}: of which search index", "MB", r["index_mb"])


def paint_rows(table: Table, name: str, r: dict[str, Any], budget: str) -> None:
    h = r["headless"]
    for key, cpu, label in (
        ("app_ready_from_process_start", "app_ready_cpu", "app ready"),
        ("rows_shown_from_process_start", "rows_shown_cpu", "rows shown"),
    ):
        s = h[key]
        table.add(
            f"first paint, {name}: {label}",
            "ms",
            s["median_ms"],
            s["p95_ms"],
            h[cpu]["p95_ms"],
            BUDGETS[budget],
            digits=0,
        )
    for key, label in (
        ("textual_alone_rows_shown", "Textual alone, same rows"),
        ("over_textual_alone", "rows shown less Textual alone"),
    ):
        if key in h:
            table.add(f"first paint, {name}: {label}", "ms", h[key]["median_ms"],
                      h[key]["p95_ms"], digits=0)
    if "stalls" in r:
        s = r["stalls"]["longest"]
        table.add(f"first paint, {name}: longest UI stall in the first "
                  f"{r['stalls']['seconds']:.0f} s", "ms", s["median_ms"], s["p95_ms"], digits=0)
    pty = r.get("pty") or {}
    for key, label in (("header_shown", "pty: header"), ("rows_shown", "pty: rows shown"),
                       ("textual_alone_rows_shown", "pty: Textual alone, same rows")):
        if key in pty:
            s = pty[key]
            table.add(
                f"first paint, {name}: {label}",
                "ms",
                s["median_ms"],
                s["p95_ms"],
                budget=None if "alone" in key else BUDGETS[budget],
                digits=0,
            )


def _peak_rss(table: Table, label: str, megabytes: float) -> None:
    table.add(label, "MB", megabytes, budget=BUDGETS["rss"], digits=0)


def ingest_rows(table: Table, name: str, r: dict[str, Any]) -> None:
    for mode, label in (
        ("entities", "newsreader add"),
        ("no-entities", "newsreader add, no entities"),
        ("whoosh", "raw Whoosh"),
        ("whoosh-again", "raw Whoosh, run again last"),
    ):
        if "docs_per_s" in r.get(mode, {}):
            table.add(f"ingest {name}: {label}", "docs/s", r[mode]["docs_per_s"], digits=0)
    for mode, label in (("entities", "with entities"), ("no-entities", "no entities")):
        if f"ratio_{mode}" in r:
            table.add(
                f"ingest {name}: ratio to raw Whoosh (mean of 2), {label}",
                "×",
                r[f"ratio_{mode}"],
                budget=BUDGETS["ingest_ratio"],
                digits=2,
            )
    if "peak_rss_mb" in r.get("entities", {}):
        _peak_rss(table, f"ingest {name}: peak RSS, newsreader add", r["entities"]["peak_rss_mb"])


def print_ingest_details(ingest: dict[str, Any]) -> None:
    """Per run: time, CPU, memory and sizes; where newsreader's time went."""
    head = (
        "corpus",
        "run",
        "procs",
        "docs/s",
        "wall s",
        "cpu s",
        "peak MB",
        "index MB",
        "library MB",
        "entities s",
        "indexing s",
    )
    lines = [head]
    for name, r in ingest.items():
        for mode in ("entities", "no-entities", "whoosh", "whoosh-again"):
            run = r.get(mode)
            if not run or not run.get("result"):
                lines.append((name, mode, "", "failed", "", "", "", "", "", "", ""))
                continue
            res = run["result"]
            lines.append(
                (
                    name,
                    mode,
                    str(run["processes"]),
                    f"{run['docs_per_s']:,.0f}",
                    f"{res['wall_s']:.1f}",
                    f"{run['cpu_s']:.1f}",
                    f"{run['peak_rss_mb']:,.0f}",
                    f"{run['index_mb']:,.1f}",
                    f"{run['library_folder_mb']:,.1f}" if "library_folder_mb" in run else "–",
                    f"{res['entities_s']:.1f}" if "entities_s" in res else "–",
                    f"{res['indexing_s']:.1f}" if "indexing_s" in res else "–",
                )
            )
    widths = [max(len(x[i]) for x in lines) for i in range(len(head))]
    for x in lines:
        cells = [x[0].ljust(widths[0]), x[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(x[2:], widths[2:], strict=True)]
        say("  ".join(cells).rstrip())


def write(results: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return out.relative_to(ROOT)
