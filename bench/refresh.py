"""Feed refresh at scale (issue #16): 200 feeds × 50 entries served over real HTTP from this
process on 127.0.0.1, subscribed from one OPML file into a new library, then two refreshes,
each `newsreader refresh` in a fresh child process:

- first refresh: every feed fetched (200 × HTTP 200) and 10,000 articles stored, their
  entities found and indexed;
- second refresh, nothing changed: every feed answers 304 to its conditional GET.

Per refresh: wall seconds, CPU seconds of the child (user + sys, os.wait4), peak RSS, the
articles the library holds after it and the server's answers by status. Budget: the second
refresh costs under a tenth of the first (CPU, and wall). Entries are AG News rows
(../shared/data/agnews/agnews_10k.csv) when present, else generated sentences.

    python -m bench --only refresh      # or: python -m bench.refresh
"""

from __future__ import annotations

import csv
import http.server
import shutil
import sqlite3
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from bench.common import CACHE, DATA, config_file, run_child, say

FEEDS, ENTRIES = 200, 50
GROUPS = ("World", "Business", "Sci/Tech", "Sports")


def entries(n: int) -> list[tuple[str, str]]:
    """(title, text) for n entries: AG News rows, or generated text without the corpus."""
    source = DATA / "agnews" / "agnews_10k.csv"
    rows: list[tuple[str, str]] = []
    if source.is_file():
        with open(source, newline="", encoding="utf-8") as f:
            for _, title, desc in csv.reader(f):
                rows.append((title, desc.replace("\\", " ")))
                if len(rows) == n:
                    return rows
    words = "harbour council minister storm market league orbit treaty vote court".split()  # noqa: SIM905
    while len(rows) < n:
        i = len(rows)
        text = " ".join(words[(i * k) % len(words)] for k in range(1, 30))
        rows.append((f"Report {i} on the {words[i % len(words)]}", f"{text} number {i}."))
    return rows


def feed_xml(n: int, items: list[tuple[str, str]], base: str) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Bench feed {n}</title><link>{base}/site/{n}</link><description>d</description>",
    ]
    for i, (title, text) in enumerate(items):
        when = format_datetime(start - timedelta(hours=n * ENTRIES + i))
        parts.append(
            f"<item><title>{escape(title)}</title><link>{base}/story/{n}/{i}</link>"
            f"<guid>bench-{n}-{i}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(text)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.feeds: dict[str, bytes] = {}
        self.answers: Counter[int] = Counter()
        self.lock = threading.Lock()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802
        body = self.server.feeds.get(self.path)
        etag = f'"{self.path}"'
        if body is None:
            status = 404
        elif self.headers.get("If-None-Match") == etag:
            status = 304
        else:
            status = 200
        with self.server.lock:
            self.server.answers[status] += 1
        self.send_response(status)
        if status == 200 and body is not None:
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _articles(library: Path) -> int:
    db = sqlite3.connect(library / "library.sqlite3")
    try:
        return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    finally:
        db.close()


def run_refresh() -> dict[str, Any]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    work = CACHE / "refresh"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    library = work / "library"
    config = config_file(seed_demo=False)
    try:
        rows = entries(FEEDS * ENTRIES)
        outlines = []
        for n in range(FEEDS):
            path = f"/feed/{n}.xml"
            server.feeds[path] = feed_xml(n, rows[n * ENTRIES : (n + 1) * ENTRIES], base)
            outlines.append((GROUPS[n % len(GROUPS)], quoteattr(base + path)))
        opml = work / "subs.opml"
        body = "".join(
            f'<outline text={quoteattr(g)}><outline type="rss" text="f" xmlUrl={u}/></outline>'
            for g, u in outlines
        )
        opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>')
        common = ["--library", str(library), "--config", str(config)]
        result_file = work / "unused.json"
        add = run_child("reader.main", [*common, "feeds", "add", "--no-fetch", str(opml)],
                        result_file, 600)
        if add.returncode:
            raise RuntimeError(f"feeds add exited {add.returncode}")
        runs: dict[str, Any] = {}
        for name in ("first", "second"):
            server.answers.clear()
            say(f"refresh ({name}) of {FEEDS} feeds × {ENTRIES} entries…")
            child = run_child("reader.main", [*common, "refresh"], result_file, 1800)
            if child.returncode:
                raise RuntimeError(f"refresh exited {child.returncode}")
            runs[name] = child.as_dict() | {
                "articles": _articles(library),
                "answers": dict(server.answers),
            }
        first, second = runs["first"], runs["second"]
        return {
            "feeds": FEEDS,
            "entries": ENTRIES,
            "corpus": "agnews_10k" if (DATA / "agnews").is_dir() else "synthetic",
            **runs,
            "cpu_ratio": round(second["cpu_s"] / first["cpu_s"], 4),
            "wall_ratio": round(second["wall_s"] / first["wall_s"], 4),
        }
    finally:
        server.shutdown()
        server.server_close()


def rows(table: Any, r: dict[str, Any]) -> None:
    """The refresh figures as rows of the bench table."""
    from bench.common import Budget

    for name in ("first", "second"):
        run = r[name]
        table.add(f"refresh {name}: wall", "s", run["wall_s"], digits=2)
        table.add(f"refresh {name}: CPU", "s", run["cpu_s"], digits=2)
    tenth = Budget(0.1)
    table.add("refresh all-304 ÷ first, CPU", "×", r["cpu_ratio"], budget=tenth, digits=3)
    table.add("refresh all-304 ÷ first, wall", "×", r["wall_ratio"], budget=tenth, digits=3)


def describe(r: dict[str, Any]) -> str:
    first, second = r["first"], r["second"]
    return (
        f"refresh: {r['feeds']} feeds × {r['entries']} entries ({r['corpus']}); first"
        f" {first['wall_s']:.1f} s wall, {first['cpu_s']:.1f} s CPU, peak"
        f" {first['peak_rss_mb']:.0f} MB, {first['articles']:,} articles, answers"
        f" {first['answers']}; second {second['wall_s']:.2f} s wall, {second['cpu_s']:.2f} s"
        f" CPU, peak {second['peak_rss_mb']:.0f} MB, answers {second['answers']}"
    )


if __name__ == "__main__":
    from bench import report

    CACHE.mkdir(parents=True, exist_ok=True)
    found = run_refresh()
    table = report.Table()
    rows(table, found)
    table.print()
    say(describe(found))
