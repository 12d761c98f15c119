"""Refreshing feeds from the reader: one refresh at a time, in a thread worker; each feed's
outcome is posted to the app as soon as it is stored (its articles are in the library from
then on), with a status line for the screens to show, and a stop for when the reader quits."""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from reader.messages import FeedRefreshed, FeedsRefreshDone, FeedsRefreshStarted
from reader.text import one_line

if TYPE_CHECKING:
    from index.feeds import FeedOutcome
    from reader.app import NewsreaderApp


class RefreshStopped(Exception):
    """Raised from the progress callback to end a refresh after the feed just stored."""


class FeedRefresher:
    def __init__(self, app: NewsreaderApp) -> None:
        self.app = app
        self.running = False  # on the UI thread: from start() until FeedsRefreshDone
        self.status = ""  # "refreshing 3/20: Feed name…" while running, else ""
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    def start(self, due: bool = False, quiet: bool = False) -> bool:
        """Refresh every feed (only those due, with `due`) unless a refresh is running or
        the library is not open yet; False then."""
        core = self.app.core
        if self.running or core is None:
            return False
        self.running = True
        self.status = "refreshing feeds…"
        self._stop.clear()
        self._idle.clear()
        self.app.run_worker(
            partial(self._run, core, due, quiet),
            thread=True,
            exclusive=True,
            group="feeds",
            exit_on_error=False,
            name="refreshing feeds",
        )
        return True

    def _run(self, core, due: bool, quiet: bool) -> None:
        report = None
        try:
            feeds = core.feeds
            total = len(feeds.store.due() if due else feeds.store.all(with_counts=False))
            self.app.post_message(FeedsRefreshStarted(total, quiet))
            if total:

                def progress(outcome: FeedOutcome, done: int, total: int) -> None:
                    self.app.post_message(FeedRefreshed(outcome, done, total))
                    if self._stop.is_set():
                        raise RefreshStopped

                try:
                    report = feeds.refresh(due=due, progress=progress)
                except RefreshStopped:
                    report = None
        finally:
            self._idle.set()
            self.app.post_message(FeedsRefreshDone(report, quiet))

    # -- on the UI thread: what the screens and toasts say -----------------------------------
    def started(self, message: FeedsRefreshStarted) -> None:
        if not message.total:
            self.status = ""
            if not message.quiet:
                self.app.notify(
                    "No feeds to refresh: subscribe with `newsreader feeds add URL|OPML`.",
                    markup=False,
                    timeout=6,
                )
            return
        feeds = f"{message.total} feed" + ("s" if message.total != 1 else "")
        self.status = f"refreshing {feeds}…"
        if not message.quiet:
            self.app.notify(f"Refreshing {feeds}…", timeout=3)

    def refreshed(self, message: FeedRefreshed) -> None:
        outcome = message.outcome
        name = one_line(outcome.feed.name, 60)
        if message.done < message.total:
            self.status = f"refreshing {message.done}/{message.total}: {name}…"
        else:
            self.status = f"refreshed {message.done}/{message.total}; indexing…"
        # Feed titles and errors are data: every toast here is plain text (markup=False).
        if outcome.failed:
            self.app.notify(
                f"{name}: {one_line(outcome.error or 'failed', 300)}"
                + (f"\n{outcome.feed.url}" if outcome.feed.title else ""),
                title="Feed failed",
                severity="error",
                timeout=10,
                markup=False,
            )
        elif outcome.problems:
            first = one_line(outcome.problems[0], 200)
            more = f" (and {len(outcome.problems) - 1} more)" if len(outcome.problems) > 1 else ""
            self.app.notify(
                f"{name}: {first}{more}",
                title="Feed entries skipped",
                severity="warning",
                timeout=8,
                markup=False,
            )

    def done(self, message: FeedsRefreshDone) -> None:
        self.running = False
        self.status = ""
        report = message.report
        if report is None or not report.outcomes:
            return
        if not message.quiet or report.added or report.updated:
            self.app.notify(
                report.summary(),
                severity="warning" if report.failed else "information",
                timeout=6,
                markup=False,
            )

    def stop(self, wait_s: float | None) -> bool:
        """Ask a running refresh to end once the feeds being fetched are stored, and wait for
        it up to `wait_s` (None: as long as it takes); True once no refresh uses the library."""
        self._stop.set()
        return self._idle.wait(wait_s)
