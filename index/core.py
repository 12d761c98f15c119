"""The headless core in one object: what the CLI, the reader and the tests all call. Its
library-only half (the reader's list, read marks, feed counts) is index.library_view's."""

from __future__ import annotations

import builtins
import os
import threading
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from index import resources
from index.config import Settings
from index.entities import Extractor, make_extractor
from index.entities import store as entity_store
from index.entities.store import EntityCount, Mention, annotate
from index.errors import SearchIndexError
from index.library_view import LibraryView
from index.model import ArticleSummary, IngestReport, SearchResult
from index.search.fuzzy import TitleFinder
from index.search.indexing.search_index import SearchIndex
from index.search.searching import Search
from index.storage.articles import ArticleLink
from index.storage.library import Library

Notify = Callable[[str], None]
Progress = Callable[[int, int], None]

# Articles are stored in batches: bounded memory, and a crash loses at most a batch of work
# that re-running the same `add` redoes.
BATCH = 1000
# Library meta key: every article changed up to this revision has had its entities extracted.
# With the index's own revision (its state file) it lets any process finish the derived work
# of one that was killed between storing a batch and extracting/indexing it.
ENTITIES_REV = "entities_rev"


def commit_after(every: int, indexed: int) -> int:
    """Articles an add stores before its next index commit: `every`, and then as many as it
    has indexed so far. Each commit writes a segment (two with the index helper) and every
    search reads each term once per segment: at a fixed interval they grew in step with the
    add; so, an add of N articles leaves about 2·log2(N / every) of them."""
    return max(every, indexed)


class Newsreader(LibraryView):
    def __init__(
        self,
        library_dir: Path,
        settings: Settings,
        notify: Notify | None = None,
        library: Library | None = None,
    ) -> None:
        super().__init__(library if library is not None else Library(library_dir))
        self.settings = settings
        self.notify = notify or (lambda message: None)
        self.index = SearchIndex(
            self.library, self.notify, in_background=settings.ingest.index_in_background
        )
        self.searching = Search(self.library, self.index, settings.search)
        self._finder: TitleFinder | None = None
        self._finder_generation = -1
        self._finder_lock = threading.Lock()
        self._extractor: Extractor | None = None
        # Articles whose mentions this process stored with them (id -> the revision stored).
        self._extracted: dict[int, int] = {}

    @classmethod
    def open(
        cls,
        library_dir: Path,
        settings: Settings,
        notify: Notify | None = None,
        progress: Progress | None = None,
        view: LibraryView | None = None,
    ) -> Newsreader:
        """Open (creating and seeding a new library) and make sure the index is usable.
        `view`: the library at `library_dir`, already open (the reader lists its articles
        while the search index opens)."""
        core = cls(library_dir, settings, notify, view.library if view is not None else None)
        if core.library.meta(ENTITIES_REV) is None:
            # A library from before the key: its articles all had their entities extracted.
            core.library.set_meta(ENTITIES_REV, str(core.library.rev))
        if core.library.created and settings.library.seed_demo:
            core.notify(f"new library at {core.library.directory}; adding the demo articles…")
            core.index.open()
            report = core.add([str(p) for p in demo_files()])
            if report.failures:
                for failure in report.failures:
                    core.notify(f"demo article {failure.path}: {failure.reason}")
        else:
            core.index.open(progress)
            # Work a killed process left undone; if another process is writing, it does it.
            try:
                core.catch_up(wait=False)
            except SearchIndexError as exc:
                core.notify(str(exc))  # reading still works; writes report this again
        return core

    def close(self) -> None:
        self.index.close()
        self.library.close()

    # -- ingest -----------------------------------------------------------------------------
    def add(
        self,
        inputs: list[str],
        stdin: BinaryIO | None = None,
        progress: Callable[[IngestReport, str], None] | None = None,
        fetcher=None,
    ) -> IngestReport:
        """Ingest files, folders, URLs or "-" (stdin). Good inputs arrive even when others fail."""
        from index.ingest import iter_inputs

        s = self.settings.ingest
        limits = self.ingest_limits()
        report = IngestReport()
        batch: list = []
        # Entities and the index catch up every `index_every` stored articles and at the end:
        # each index commit writes every term of its batch once more, and committing every
        # batch of 1,000 made a bulk add spend more on writing terms than on all else. The
        # library is the record: a crash in between loses nothing (the index catches up).
        every = max(1, s.index_every)
        since_index = 0  # articles stored since the index last caught up
        indexed = 0  # articles of this add indexed so far

        def store(articles: list, found: list | None) -> None:
            nonlocal since_index, indexed
            since_index += self._store(articles, report, found)
            if since_index >= commit_after(every, indexed):
                self.catch_up()
                indexed += since_index
                since_index = 0

        # More than a batch: names are found in a worker process while this one stores and
        # indexes (starting the worker costs more than a small add would save).
        background = None
        tried = False
        # Batch after batch: the WAL is checkpointed when it is large, not at each commit.
        with self.library.bulk_writes():
            try:
                for parsed in iter_inputs(inputs, stdin=stdin, limits=limits, fetcher=fetcher):
                    if parsed.skipped:
                        report.skipped += 1
                    elif parsed.failure is not None:
                        report.failures.append(parsed.failure)
                    elif parsed.article is not None:
                        batch.append(parsed.article)
                        if len(batch) >= BATCH:
                            if background is None and not tried and self._background_worthwhile():
                                tried = True
                                background = _start_background()
                            if background is None:
                                store(batch, None)
                            else:
                                background.submit(batch)
                                # Store what is back; wait for the worker only when too much
                                # parsed text is waiting for it.
                                while background.ready() or background.full():
                                    store(*background.take())
                            batch = []
                    if progress:
                        progress(report, parsed.article.title if parsed.article else "")
                while background is not None and len(background):
                    store(*background.take())
                if batch:
                    store(batch, None)
            finally:
                if background is not None:
                    background.close()
        self.catch_up()
        return report

    def ingest_limits(self):  # -> IngestLimits (imported with ingest, not at start-up)
        from index.ingest import IngestLimits

        s = self.settings.ingest
        return IngestLimits(
            max_file_bytes=s.max_file_bytes,
            max_paragraph_chars=s.max_paragraph_chars,
            max_article_chars=s.max_article_chars,
            url_timeout=s.url_timeout,
            url_max_bytes=s.url_max_bytes,
            max_redirects=s.max_redirects,
        )

    def _background_worthwhile(self) -> bool:
        from index.entities.builtin import BuiltinExtractor

        return (
            self.settings.ingest.extract_in_background
            and (os.cpu_count() or 1) > 1
            and isinstance(self.extractor(), BuiltinExtractor)
        )

    def _store(self, articles: list, report: IngestReport, found: list | None = None) -> int:
        """Store a batch in the library, with the entities `found` in each article if given;
        returns how many articles it added or changed."""
        return len(self.store_articles(articles, report, found=found))

    def store_articles(
        self,
        articles: list,
        report: IngestReport,
        link: ArticleLink | None = None,
        found: list | None = None,
    ) -> list[int]:
        """Store a batch in one transaction (with `link`'s records, see Library.add_articles)
        and count it in `report`; returns the ids added or changed. Their entities and index
        entries follow at the next catch_up()."""
        changed: list[int] = []
        extracted = []
        stored = self.library.add_articles(articles, link)
        for i, (status, article_id) in enumerate(stored):
            if status == "added":
                report.added += 1
            elif status == "updated":
                report.updated += 1
            else:
                report.duplicates += 1
                continue
            changed.append(article_id)
            if found is not None:
                extracted.append((article_id, *found[i]))
        if extracted:
            entity_store.store_found(self.library, extracted, self.extractor())
            # catch_up need not extract these again, unless changed since (by anyone).
            self._extracted.update(self.library.revisions([e[0] for e in extracted]))
        # Re-stored articles may have moved paragraphs: bookmarks follow their quoted text.
        from index.bookmarks import reanchor

        reanchor(self.library, changed)
        return changed

    def catch_up(self, wait: bool = True) -> None:
        """Extract the entities of, and index, every article changed since this last ran (in
        this process or another, one killed half-way included). Under the index's write lock,
        so processes take turns; with `wait` off, returns at once if another holds it."""
        with self.index.exclusive(wait) as held:
            if not held:
                return
            done = int(self.library.meta(ENTITIES_REV) or 0)
            rev = self.library.rev
            pending: list[int] = []
            if rev > done:
                rows = self.library.revisions_since(done)
                pending = [r[0] for r in rows]
                # Mentions first: the index takes its person/org/place fields from them. Those
                # this process stored with the article (found in the background) are current.
                todo = [r[0] for r in rows if self._extracted.get(r[0]) != r[1]]
                annotate(self.library, todo, self.extractor(), self.notify)
                self.library.set_meta(ENTITIES_REV, str(rev))
                self._extracted.clear()
            self.index.index_articles(pending)

    # -- reading ----------------------------------------------------------------------------
    def search(
        self,
        text: str,
        limit: int | None = None,
        sort: str = "relevance",
        prefix: bool = False,
        fuzzy: bool | None = None,
    ) -> SearchResult:
        return self.searching.search(text, limit=limit, sort=sort, prefix=prefix, fuzzy=fuzzy)

    def list(self, sort: str = "date", limit: int | None = None) -> list[ArticleSummary]:
        return self.library.summaries(sort=sort, limit=limit)

    def find(self, text: str, limit: int = 20) -> builtins.list[tuple[int, str, float]]:
        """Go-to finder: fuzzy match over article titles."""
        with self._finder_lock:  # a finder follows the library in place: not while it finds
            return self._current_finder().find(text, limit)

    def finder(self) -> TitleFinder:
        with self._finder_lock:
            return self._current_finder()

    def _current_finder(self) -> TitleFinder:
        # Keyed on the library's revision: titles another process added count too. A finder
        # follows what changed since, rather than reading every title again.
        rev = self.library.rev
        if self._finder is not None and self._finder_generation != rev:
            since = self._finder_generation
            if self._finder.update(self.library.titles_since(since),
                                   self.library.removed_since(since)):
                self._finder_generation = rev
        if self._finder is None or self._finder_generation != rev:
            self._finder_generation = rev
            self._finder = TitleFinder(
                self.library.iter_titles(), self.library.titles_of, self.library.title_prefixes
            )
        return self._finder

    def passage_spans(
        self, paragraphs: builtins.list[str], terms: Iterable[str]
    ) -> builtins.list[builtins.list[tuple[int, int]]]:
        return self.searching.passage_spans(paragraphs, frozenset(terms))

    # -- related passages -------------------------------------------------------------------
    def related(self, article_id: int, passage: int | None = None, limit: int = 5) -> builtins.list:
        """Passages of other articles related to `passage` of `article_id` (with why), or,
        without a passage, the related articles."""
        from index.related import finder

        if passage is None:
            return finder.related_articles(self, article_id, limit)
        return finder.related_passages(self, article_id, passage, limit)

    def strong_passages(self, article_id: int) -> set[int]:
        """The article's passages that have a strongly related passage in another article
        (one related search per passage: call it from a worker, after the article is shown)."""
        from index.related import finder

        return finder.strong_passages(self, article_id)

    # -- bookmarks ---------------------------------------------------------------------------
    @cached_property
    def bookmarks(self):
        from index.bookmarks import Bookmarks

        return Bookmarks(self.library)

    def export_bookmarks(self, fmt: str, path: Path, tag: str | None = None) -> int:
        """Write the bookmarks in `fmt` to `path` atomically; returns how many were written."""
        from index.export import renderers

        items = renderers.collect(self.bookmarks, tag)
        feeds = self.feeds.records() if fmt == "json" else None
        renderers.write_atomic(path, renderers.render(fmt, items, feeds=feeds))
        return len(items)

    # -- feeds ------------------------------------------------------------------------------
    @cached_property
    def feeds(self):  # -> index.feeds.Feeds
        from index.feeds import Feeds

        return Feeds(self)

    # -- entities ---------------------------------------------------------------------------
    def extractor(self) -> Extractor:
        """The configured entity extractor, made on first use (a missing spaCy model is
        reported once and the built-in extractor used)."""
        if self._extractor is None:
            e = self.settings.entities
            self._extractor = make_extractor(e.backend, e.spacy_model, self.notify)
        return self._extractor

    def entities_for(self, article_id: int) -> builtins.list[Mention]:
        """The article's entity mentions in reading order, offsets into their passage's text
        (group them with index.entities.store.by_passage)."""
        return entity_store.mentions(self.library, article_id)

    def entity_counts(self, article_id: int) -> builtins.list[EntityCount]:
        """The article's entities with their mention counts, most mentioned first."""
        return entity_store.counts(self.library, article_id)

    def reextract(self, progress: Progress | None = None) -> int:
        """Extract every article's entities again (`reindex --entities`)."""
        return entity_store.reextract(self.library, self.extractor(), progress)

    # -- maintenance ------------------------------------------------------------------------
    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the search index, and the go-to finder's word prefixes, from the articles."""
        self.library.rebuild_title_prefixes()
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


def _start_background():  # -> BackgroundExtraction | None
    """The entity worker, or None if it cannot start (entities are then found in-process)."""
    from index.entities.background import BackgroundExtraction

    try:
        return BackgroundExtraction()
    except OSError:
        return None
