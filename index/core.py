"""The headless core in one object: what the CLI, the reader and the tests all call."""

from __future__ import annotations

import threading
from functools import cached_property
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from index import resources
from index.config import Settings
from index.fuzzy import TitleFinder
from index.library import Library
from index.model import ArticleSummary, IngestReport, SearchResult, StoredArticle
from index.search import Search
from index.search_index import SearchIndex

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]

# Articles are stored and indexed in batches: bounded memory, and a crash loses at most a batch
# of work that re-running the same `add` redoes.
BATCH = 1000


class Newsreader:
    def __init__(self, library_dir: Path, settings: Settings, notify: Notify | None = None) -> None:
        self.settings = settings
        self.notify = notify or (lambda message: None)
        self.library = Library(library_dir)
        self.index = SearchIndex(self.library, self.notify)
        self.searching = Search(self.library, self.index, settings.search)
        self._finder: TitleFinder | None = None
        self._finder_generation = -1
        self._finder_lock = threading.Lock()

    @classmethod
    def open(cls, library_dir: Path, settings: Settings, notify: Notify | None = None,
             progress: Progress | None = None) -> Newsreader:
        """Open (creating and seeding a new library) and make sure the index is usable."""
        core = cls(library_dir, settings, notify)
        if core.library.created and settings.library.seed_demo:
            core.notify(f"new library at {core.library.directory}; adding the demo articles…")
            core.index.open()
            report = core.add([str(p) for p in demo_files()])
            if report.failures:
                for failure in report.failures:
                    core.notify(f"demo article {failure.path}: {failure.reason}")
        else:
            core.index.open(progress)
        return core

    def close(self) -> None:
        self.index.close()
        self.library.close()

    # -- ingest -----------------------------------------------------------------------------
    def add(self, inputs: list[str], stdin: BinaryIO | None = None,
            progress: Callable[[IngestReport, str], None] | None = None,
            fetcher=None) -> IngestReport:
        """Ingest files, folders, URLs or "-" (stdin). Good inputs arrive even when others fail."""
        from index.ingest import IngestLimits, iter_inputs

        s = self.settings.ingest
        limits = IngestLimits(
            max_file_bytes=s.max_file_bytes, max_paragraph_chars=s.max_paragraph_chars,
            url_timeout=s.url_timeout, url_max_bytes=s.url_max_bytes,
            max_redirects=s.max_redirects,
        )
        report = IngestReport()
        batch = []
        for parsed in iter_inputs(inputs, stdin=stdin, limits=limits, fetcher=fetcher):
            if parsed.skipped:
                report.skipped += 1
            elif parsed.failure is not None:
                report.failures.append(parsed.failure)
            elif parsed.article is not None:
                batch.append(parsed.article)
                if len(batch) >= BATCH:
                    self._store(batch, report)
                    batch = []
            if progress:
                progress(report, parsed.article.title if parsed.article else "")
        if batch:
            self._store(batch, report)
        return report

    def _store(self, articles: list, report: IngestReport) -> None:
        changed = []
        for status, article_id in self.library.add_articles(articles):
            if status == "added":
                report.added += 1
                changed.append(article_id)
            elif status == "updated":
                report.updated += 1
                changed.append(article_id)
            else:
                report.duplicates += 1
        # Re-stored articles may have moved paragraphs: bookmarks follow their quoted text.
        from index.bookmarks import reanchor

        reanchor(self.library, changed)
        self.index.index_articles(changed)

    # -- reading ----------------------------------------------------------------------------
    def search(self, text: str, limit: int | None = None, sort: str = "relevance",
               prefix: bool = False, fuzzy: bool | None = None) -> SearchResult:
        return self.searching.search(text, limit=limit, sort=sort, prefix=prefix, fuzzy=fuzzy)

    def get(self, article_id: int) -> StoredArticle | None:
        return self.library.get(article_id)

    def list(self, sort: str = "date", limit: int | None = None) -> list[ArticleSummary]:
        return self.library.summaries(sort=sort, limit=limit)

    def find(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        """Go-to finder: fuzzy match over article titles."""
        return self.finder().find(text, limit)

    def finder(self) -> TitleFinder:
        with self._finder_lock:
            if self._finder is None or self._finder_generation != self.index.generation:
                self._finder_generation = self.index.generation
                self._finder = TitleFinder(self.library.titles())
            return self._finder

    def passage_spans(self, paragraphs: list[str], terms: Iterable[str]) -> list[list[tuple[int, int]]]:
        return self.searching.passage_spans(paragraphs, frozenset(terms))

    def mark_read(self, article_id: int, read: bool = True) -> None:
        self.library.set_read(article_id, read)

    def save_position(self, article_id: int, passage: int) -> None:
        self.library.set_position(article_id, passage)

    # -- bookmarks ---------------------------------------------------------------------------
    @cached_property
    def bookmarks(self):
        from index.bookmarks import Bookmarks

        return Bookmarks(self.library)

    def export_bookmarks(self, fmt: str, path: Path, tag: str | None = None) -> int:
        """Write the bookmarks in `fmt` to `path` atomically; returns how many were written."""
        from index import export

        items = export.collect(self.bookmarks, tag)
        export.write_atomic(path, export.render(fmt, items))
        return len(items)

    # -- maintenance ------------------------------------------------------------------------
    def reindex(self, progress: Progress | None = None) -> int:
        return self.index.rebuild(progress)

    def stats(self) -> dict:
        return {
            "articles": self.library.count(),
            "passages": self.library.passage_count(),
            "unread": self.library.unread_count(),
            "library_path": str(self.library.directory),
            "index_path": str(self.index.path),
            "index_bytes": self.index.size_bytes(),
            "library_bytes": self.library.size_bytes(),
        }


def demo_files() -> list[Path]:
    seeds = resources.seeds_dir()
    return sorted(p for p in seeds.iterdir() if p.suffix in (".txt", ".jsonl"))
