"""The Whoosh index, derived from the library: article documents for ranked search and passage
documents for finding the paragraph that matches. Missing, damaged or outdated → rebuilt."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from whoosh import index as windex
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.searching import Searcher

from index.analysis import analyzer
from index.errors import IndexError_
from index.library import Library
from index.query import day_number

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
INDEX_VERSION = 2

SCHEMA = Schema(
    id=ID(unique=True),               # "a12" for article 12, "p12.3" for its passage 3
    kind=ID,                          # "a" article, "p" passage
    article=ID(stored=True),          # the article id, on both kinds (deletes go by it)
    n=NUMERIC(stored=True),           # passage number
    title=TEXT(analyzer=analyzer(), phrase=True),
    body=TEXT(analyzer=analyzer(), phrase=True),
    source=TEXT(analyzer=analyzer(), phrase=True),
    # yyyymmdd; undated articles sort as day 0 (Whoosh's default is the maximum, which put
    # them first in newest-first order). Version 2: this default.
    day=NUMERIC(sortable=True, signed=False, bits=32, default=0),
    ptext=TEXT(analyzer=analyzer(), phrase=False),  # passage text (no positions: cheaper)
)

Notify = Callable[[str], None]


class SearchIndex:
    DIR = "index"
    STATE = "state.json"

    def __init__(self, library: Library, notify: Notify | None = None) -> None:
        self.library = library
        self.path = library.directory / self.DIR
        self.notify = notify or (lambda message: None)
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.RLock()
        self.generation = 0  # bumped after each commit; caches key on it

    # -- opening, checking, rebuilding --------------------------------------------------------
    def open(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Open the index, rebuilding or catching it up with the library as needed."""
        problem = self._problem()
        if problem:
            # A new library has no index yet: say nothing. A lost one is worth a message.
            if problem != "is missing" or self.library.count():
                self.notify(f"search index {problem}; rebuilding it from the library…")
            self.rebuild(progress)
            return
        try:
            self._ix = windex.open_dir(str(self.path))
            # Opening the searcher reads every segment, so damage shows up here (and is
            # rebuilt) rather than as a traceback in the first search.
            with self.searcher():
                pass
            self.catch_up(progress)
        except LockError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged index is rebuilt, never fatal
            self.notify(f"search index is damaged ({type(exc).__name__}); rebuilding it…")
            self.rebuild(progress)

    def _problem(self) -> str | None:
        try:
            exists = windex.exists_in(str(self.path))
        except Exception:  # noqa: BLE001 - an unreadable table of contents is damage
            return "is damaged"
        if not exists:
            return "is missing"
        state = self._state()
        if state is None:
            return "has no state file"
        if state.get("version") != INDEX_VERSION:
            return "is from another version of newsreader"
        if state.get("library_id") != self.library.library_id:
            return "belongs to another library"
        return None

    def _state(self) -> dict | None:
        try:
            data = json.loads((self.path / self.STATE).read_text("utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def _write_state(self, rev: int) -> None:
        state = {"version": INDEX_VERSION, "library_id": self.library.library_id, "rev": rev}
        tmp = self.path / (self.STATE + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / self.STATE)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a fresh index beside the old one from the library, then swap it in."""
        with self._lock:
            self._close_searcher()
            fresh = self.path.with_name(self.DIR + ".new")
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir(parents=True)
            ix = windex.create_in(str(fresh), SCHEMA)
            rev = self.library.rev
            total = self.library.count()
            writer = ix.writer(limitmb=128)
            try:
                done = self._add(writer, self.library.iter_for_index(0), progress, total)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            ix.close()
            old = self.path.with_name(self.DIR + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.path.exists():
                os.replace(self.path, old)
            os.replace(fresh, self.path)
            shutil.rmtree(old, ignore_errors=True)
            self._ix = windex.open_dir(str(self.path))
            self._write_state(rev)
            self.generation += 1
            return done

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index what changed in the library since the index last saw it (e.g. after a crash
        between the library commit and the index commit, or a write by another process)."""
        state = self._state() or {}
        seen = int(state.get("rev", 0))
        rev = self.library.rev
        if rev <= seen:
            return 0
        rows = list(self.library.iter_for_index(seen))
        removed = self.library.removed_since(seen)
        with self.writer() as writer:
            for article_id in removed:
                writer.delete_by_term("article", str(article_id))
            for row in rows:
                writer.delete_by_term("article", str(row["id"]))
            count = self._add(writer, iter(rows), progress, len(rows))
        self._write_state(rev)
        return count

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def writer(self) -> Iterator:
        """The one index writer, waiting (with a message) while another process holds it."""
        assert self._ix is not None
        with self._lock:
            try:
                writer = self._ix.writer(limitmb=128)
            except LockError:
                self.notify("the search index is being written by another newsreader; waiting…")
                try:
                    writer = self._ix.writer(limitmb=128, timeout=120, delay=0.25)
                except LockError:
                    raise IndexError_(
                        "the search index stayed locked by another newsreader process for two"
                        f" minutes; if none is running, delete {self.path / 'MAIN_WRITELOCK'}"
                    ) from None
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self.generation += 1
            if self._searcher is not None:
                self._searcher = self._searcher.refresh()

    def index_articles(self, article_ids: Iterable[int]) -> None:
        """(Re)index these articles, which are already in the library."""
        ids = sorted(set(article_ids))
        if not ids:
            self._write_state(self.library.rev)
            return
        rows = [
            row
            for start in range(0, len(ids), 500)
            for row in self.library.query(
                "SELECT id, title, date, source, body, rev FROM articles WHERE id IN"
                f" ({','.join('?' * len(ids[start : start + 500]))})",
                ids[start : start + 500],
            )
        ]
        with self.writer() as writer:
            for article_id in ids:
                writer.delete_by_term("article", str(article_id))
            self._add(writer, iter(rows), None, len(rows))
        # Everything up to the library's revision is in: earlier revisions were caught up on open.
        self._write_state(self.library.rev)

    def _add(self, writer, rows: Iterator, progress, total: int) -> int:
        done = 0
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 500:
                done += self._add_batch(writer, batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            done += self._add_batch(writer, batch)
        if progress:
            progress(done, total)
        return done

    def _add_batch(self, writer, rows: list) -> int:
        offsets = self.library.passage_offsets([r["id"] for r in rows])
        for r in rows:
            aid = str(r["id"])
            body = r["body"]
            day = day_number(r["date"])
            doc = {"id": "a" + aid, "kind": "a", "article": aid, "title": r["title"],
                   "body": body}
            if r["source"]:
                doc["source"] = r["source"]
            if day:
                doc["day"] = day
            writer.add_document(**doc)
            spans = offsets.get(r["id"], [])
            # A one-paragraph article is its own best passage: no passage document needed.
            if len(spans) > 1:
                for n, (s, e) in enumerate(spans):
                    writer.add_document(id=f"p{aid}.{n}", kind="p", article=aid, n=n,
                                        ptext=body[s:e])
        return len(rows)

    # -- reading ----------------------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The long-lived searcher (Whoosh searchers are not thread-safe: one user at a time)."""
        with self._lock:
            if self._ix is None:
                raise IndexError_("the search index is not open")
            if self._searcher is None:
                self._searcher = self._ix.searcher()
            elif not self._searcher.up_to_date():
                # Another process committed: pick up its segments.
                self._searcher = self._searcher.refresh()
                self.generation += 1
            yield self._searcher

    def size_bytes(self) -> int:
        if not self.path.exists():
            return 0
        return sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()
