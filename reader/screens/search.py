"""Search as you type: debounced, the newest query wins, results with highlighted hits."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Header, Input, OptionList, Static
from textual.worker import get_current_worker

from index.model import Hit, SearchResult
from reader.messages import CoreReady, SearchCompleted
from reader.screens.base import ReportsWorkerFailures
from reader.widgets.footer import KeysFooter
from reader.widgets.results import ResultList


class SearchScreen(ReportsWorkerFailures):
    BINDINGS = [
        Binding("escape", "back", "Back", id="search.back"),
        Binding("down", "to_results", "Results", show=False, id="search.results"),
        Binding("ctrl+s", "toggle_sort", "Sort by date/relevance", id="search.sort"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.sort = "relevance"
        self.serial = 0
        self.result: SearchResult | None = None
        self._debounce: Timer | None = None
        self._open_when_done: int | None = None  # the search whose first hit Enter opens

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.initial, placeholder='search: words, "phrases", AND/OR/NOT, '
                    "title: source: date:2019-05", id="query")
        yield Static("Type to search.", id="search-status")
        yield ResultList(id="results")
        yield KeysFooter()


    def on_mount(self) -> None:
        self.sub_title = "search"
        self.focus_query()
        if self.initial:
            self.start_search(self.initial)

    def focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def on_core_ready(self, message: CoreReady) -> None:
        text = self.query_one("#query", Input).value
        if text.strip():
            self.start_search(text)

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        delay = self.app.settings.ui.search_debounce_ms / 1000
        # The timer reads the box when it fires: whatever order events arrive in, the search
        # is for what is typed now.
        self._debounce = self.set_timer(
            delay, lambda: self.start_search(self.query_one("#query", Input).value)
        )

    @on(Input.Submitted, "#query")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter opens the best hit of what is typed (the one highlighted). Typed faster than
        the search ran, it opens the first hit of that search when it comes back."""
        if self._debounce is not None:
            self._debounce.stop()
        result = self.result
        if result is not None and result.query == event.value and result.hits:
            at = self.query_one(ResultList).highlighted
            self._open_hit(result.hits[at if at is not None and at < len(result.hits) else 0])
            return
        self.start_search(event.value, prefix=False)
        self._open_when_done = self.serial

    def start_search(self, text: str, prefix: bool = True) -> None:
        self.serial += 1
        if not text.strip():
            self.result = None
            self.query_one(ResultList).clear_options()
            self.query_one("#search-status", Static).update("Type to search.")
            return
        if self.app.core is None:
            self.query_one("#search-status", Static).update("Opening the library…")
            return
        self.run_search(self.serial, text, prefix, self.sort)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, serial: int, text: str, prefix: bool, sort: str) -> None:
        started = time.perf_counter()
        result = self.app.ready_core.search(text, sort=sort, prefix=prefix)
        if not get_current_worker().is_cancelled:
            self.post_message(SearchCompleted(serial, result,
                                              (time.perf_counter() - started) * 1000))

    def on_search_completed(self, message: SearchCompleted) -> None:
        if message.serial != self.serial:
            return  # a newer query is on its way: never show stale results
        self.result = message.result
        self.query_one(ResultList).show(message.result.hits)
        self.query_one("#search-status", Static).update(self._status(message))
        if self._open_when_done == message.serial and message.result.hits:
            self._open_hit(message.result.hits[0])
        self._open_when_done = None

    def _status(self, message: SearchCompleted) -> str:
        r = message.result
        if r.total == 0:
            return "No articles match."
        shown = len(r.hits)
        noun = "article" if r.total == 1 else "articles"
        count = f"{r.total:,} {noun}" + (f" (top {shown})" if r.total > shown else "")
        order = "newest first" if self.sort == "date" else "best first"
        line = f"{count} · {order} · {message.elapsed_ms:.0f} ms"
        if r.matched != "all" and r.complete is not None:
            every = "no article has" if not r.complete else (
                f"{r.complete:,} {'article has' if r.complete == 1 else 'articles have'}")
            partial = "most" if r.matched == "most" else "some"
            line = f"{every} every word; then those with {partial} of them · " + line
        if r.corrected:
            line = f"showing results for “{r.corrected}” — searched “{r.query}” · " + line
        return line

    @on(OptionList.OptionSelected, "#results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if self.result is None or event.option_id is None:
            return
        hit = next((h for h in self.result.hits if str(h.id) == event.option_id), None)
        if hit is not None:
            self._open_hit(hit)

    def _open_hit(self, hit: Hit) -> None:
        terms = self.result.terms if self.result is not None else frozenset()
        self.app.open_article(hit.id, hit.passage, terms)

    def action_to_results(self) -> None:
        results = self.query_one(ResultList)
        if results.option_count:
            results.focus()

    def action_toggle_sort(self) -> None:
        self.sort = "date" if self.sort == "relevance" else "relevance"
        self.start_search(self.query_one("#query", Input).value, prefix=False)

    def action_back(self) -> None:
        results = self.query_one(ResultList)
        if results.has_focus:
            self.focus_query()
        else:
            self.dismiss()
