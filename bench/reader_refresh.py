"""The reader during `R`: N local feeds × M entries served over HTTP on 127.0.0.1, refreshed
from the headless app. Prints how long until the first new article is in the list, until the
refresh is done, and how late the event loop ran a 10 ms timer meanwhile (the longest a key
would have waited), for a first refresh and for a second one of unchanged feeds.

    python bench/reader_refresh.py [--feeds 200] [--entries 50]

The second refresh refetches every feed in full: the test server sends no validators, so it
measures the reader's side (parsing, finding every entry unchanged), not conditional GET."""

from __future__ import annotations

import argparse
import asyncio
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.config import load_settings  # noqa: E402
from index.core import Newsreader  # noqa: E402


def feed_document(n: int, entries: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {k}</title><guid>f{n}-{k}</guid>"
        f"<link>https://example.com/{n}/{k}</link><description>Story {k} of feed {n}: a few"
        f" words about harbours, councils and weather to index.</description>"
        f"<pubDate>{1 + k % 28:02d} Nov 2026 08:00:00 GMT</pubDate></item>"
        for k in range(entries)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
        f"<link>https://example.com/{n}</link>{items}</channel></rss>"
    ).encode()


def serve(feeds: int, entries: int) -> http.server.ThreadingHTTPServer:
    docs = {f"/{n}.xml": feed_document(n, entries) for n in range(feeds)}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = docs.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


async def one_refresh(app, pilot) -> dict:
    rows_before = app.library_screen()._page.total
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(now - last[0] - 0.01)
        last[0] = now

    timer = app.set_interval(0.01, tick)
    start = time.perf_counter()
    cpu = time.process_time()
    first_row = None
    await pilot.press("R")  # running from here until the refresh's last message
    while app.feed_refresher.running:
        page = app.library_screen()._page
        if first_row is None and page is not None and page.total > rows_before:
            first_row = time.perf_counter() - start
        await pilot.pause(0.005)
    done = time.perf_counter() - start
    timer.stop()
    lateness.sort()
    return {
        "first_row_s": first_row,
        "done_s": done,
        "cpu_s": time.process_time() - cpu,
        "loop_late_max_ms": 1000 * max(lateness, default=0),
        "loop_late_p99_ms": 1000 * lateness[int(0.99 * (len(lateness) - 1))] if lateness else 0,
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--entries", type=int, default=50)
    args = p.parse_args()
    httpd = serve(args.feeds, args.entries)
    base = f"http://127.0.0.1:{httpd.server_port}"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text("library:\n  seed_demo: false\n", encoding="utf-8")
        settings = load_settings(config)
        core = Newsreader.open(Path(tmp) / "library", settings)
        core.feeds.subscribe([f"{base}/{n}.xml" for n in range(args.feeds)], fetch=False)
        core.close()
        from reader.launch import make_app

        app = make_app(settings, Path(tmp) / "library")
        results = []

        async def run() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                while app.core is None or not app.warmed:
                    await pilot.pause(0.05)
                for _ in range(2):
                    results.append(await one_refresh(app, pilot))

        asyncio.run(run())
    httpd.shutdown()
    print(f"{args.feeds} feeds × {args.entries} entries, served on 127.0.0.1, refreshed with R")
    for name, r in zip(("first refresh", "second (unchanged)"), results, strict=True):
        first = f"{r['first_row_s']:.2f} s" if r["first_row_s"] is not None else "–"
        print(
            f"{name:>20}: first new row {first}, done {r['done_s']:.2f} s, CPU {r['cpu_s']:.2f} s;"
            f" event loop late by max {r['loop_late_max_ms']:.0f} ms,"
            f" p99 {r['loop_late_p99_ms']:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
