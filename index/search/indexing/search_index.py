"""The Whoosh index, derived from the library: article documents for ranked search and passage
documents for finding the paragraph that matches. Missing, damaged or outdated → rebuilt."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from index.engine import whoosh_internals
from index.entities.names import name_analyzer
from index.errors import LibraryError, SearchIndexError
from index.search.indexing import preanalysed, state_file
from index.search.indexing.documents import IndexInput, documents
from index.search.indexing.helper_process import HelpedWriter, IndexHelper
from index.search.indexing.input_rows import MaxId, batches, index_inputs, replacing
from index.search.indexing.merge_policy import tiered_merge
from index.search.indexing.preanalysed import AnalysedText
from index.search.indexing.write_lock import WriteLock, cannot_write, whoosh_lock
from index.search.text_analysis import analyzer
from index.storage.library import Library

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
# 3: person/org/place/entity fields; 4: misc instead of entity; 5: passage number only stored,
# passages without an id; 6: body and passages analysed once (AnalysedText in the schema), no
# id field (an article's document is found by `article` and `kind`: one unique term less).
INDEX_VERSION = 6

# Segments as separate files, not one compound file: Whoosh reads a compound segment by
# copying each part of it out of the memory map into a BytesIO: process memory holding
# again what the map already holds, growing with the library.
COMPOUND = False

# Whoosh pickles the schema into each index's table of contents, naming the module of every
# class in it; version 6 indexes written before the search package name AnalysedText's old
# module. Without this name they fail to open, and would be rebuilt as damaged.
sys.modules.setdefault("index.analysed", preanalysed)

SCHEMA = Schema(
    # Deletes and lookups go by `article`: a document id of Whoosh's own is never needed.
    kind=ID,                          # "a" article, "p" passage
    article=ID(stored=True),          # the article id, on both kinds (deletes go by it)
    # The passage number, read back, never searched: NUMERIC indexed it as 8 terms.
    n=STORED,
    title=TEXT(analyzer=analyzer(), phrase=True),
    body=AnalysedText(analyzer=analyzer(), phrase=True),
    source=TEXT(analyzer=analyzer(), phrase=True),
    # yyyymmdd; undated articles sort as day 0 (Whoosh's default is the maximum, which put
    # them first in newest-first order). Version 2: this default.
    day=NUMERIC(sortable=True, signed=False, bits=32, default=0),
    # Passage text (no positions: cheaper). With body, analysed once
    # (index.search.indexing.preanalysed).
    ptext=AnalysedText(analyzer=analyzer(), phrase=False),
    # The article's entities, every name each is known by (index.entities.store.index_fields),
    # as normalised keys: `place:US` and `place:"United States"` meet. `entity:` searches all
    # four (index.search.query): a field of its own repeated every name, a third of indexing time.
    person=KEYWORD(analyzer=name_analyzer(), scorable=True),
    org=KEYWORD(analyzer=name_analyzer(), scorable=True),
    place=KEYWORD(analyzer=name_analyzer(), scorable=True),
    misc=KEYWORD(analyzer=name_analyzer(), scorable=True),
)

Notify = Callable[[str], None]


class SearchIndex:
    DIR = "index"
    STATE = state_file.STATE
    # The write lock sits beside the index folder, not in it: a rebuild swaps the folder.
    LOCK = "index.lock"
    LOCK_WAIT = 120.0  # seconds to wait for another process's index write
    LIMIT_MB = 128  # Whoosh's estimate of the postings a writer holds before sorting to disk
    HELPER_MIN = 2000  # articles in a write before a helper process takes half of them
    BATCH = 500  # articles read from the library at a time; every other batch to the helper

    def __init__(
        self, library: Library, notify: Notify | None = None, in_background: bool = False
    ) -> None:
        """`in_background`: large writes use a helper process
        (index.search.indexing.helper_process)."""
        self.library = library
        self.in_background = in_background
        self.path = library.directory / self.DIR
        self.notify = notify or (lambda message: None)
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.RLock()
        self._write_lock = WriteLock(library.directory / self.LOCK, self.path, self.notify)
        self._dir_id: tuple[int, int] | None = None  # which folder _ix was opened on
        self.generation = 0  # bumped after each commit; caches key on it

    # -- opening, checking, rebuilding --------------------------------------------------------
    def open(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Open the index, rebuilding or catching it up with the library as needed."""
        if self._problem():
            with self.exclusive():
                # Another process may have rebuilt it while this one waited for the lock.
                problem = self._problem()
                if problem:
                    # A new library has no index yet: say nothing. A lost one is worth a message.
                    if problem != "is missing" or self.library.count():
                        self.notify(f"search index {problem}; rebuilding it from the library…")
                    self.rebuild(progress)
                    return
        try:
            self._open_dir()
            # Opening the searcher reads every segment, so damage shows up here (and is
            # rebuilt) rather than as a traceback in the first search.
            with self.searcher():
                pass
            # Catching up takes the write lock. Whoever holds it catches up everything since
            # the revision in the state file anyway, so there is no need to wait for it here.
            try:
                with self.exclusive(wait=False) as held:
                    if held:
                        self._update([], progress)
            except SearchIndexError as exc:
                # The index cannot be written (full disk, read-only folder): it can still be
                # read, a little behind. Writes report this again.
                self.notify(str(exc))
        except (SearchIndexError, LibraryError):
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
        if state is None or state_file.seen(state) is None:
            return "has no readable state file"
        if state.get("version") != INDEX_VERSION:
            return "is from another version of newsreader"
        if state.get("library_id") != self.library.library_id:
            return "belongs to another library"
        if (state_file.seen(state) or 0) > self.library.rev:
            return "is newer than the library (was the library restored from a backup?)"
        return None

    def _state(self) -> dict | None:
        return state_file.read_state(self.path)

    def _write_state(self, rev: int, ids_upto: int, folder: Path | None = None) -> None:
        """Record that every article changed up to library revision `rev` is in the index
        (written under the write lock, after the commit that put them there), and that no
        article with an id above `ids_upto` has documents in it (written before a commit
        that adds higher ones: articles above it are new, and need no delete, which would
        open a reader over the whole index)."""
        folder = folder or self.path
        library_id = self.library.library_id
        state_file.write_state(folder, INDEX_VERSION, library_id, rev, ids_upto, self.path)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a fresh index beside the old one from the library, then swap it in."""
        with self.exclusive(), self._lock:
            self._close_searcher()
            fresh = self.path.with_name(self.DIR + ".new")
            try:
                shutil.rmtree(fresh, ignore_errors=True)
                fresh.mkdir(parents=True)
                ix = windex.create_in(str(fresh), SCHEMA)
                rev = self.library.rev
                total = self.library.count()
                writer = HelpedWriter(ix, limitmb=self.LIMIT_MB, compound=COMPOUND)
                top = MaxId()
                try:
                    rows = top.track(self.library.iter_for_index(0))
                    done = self._add(writer, rows, progress, total)
                    writer.commit()
                except BaseException:
                    with contextlib.suppress(Exception):
                        writer.cancel()
                    raise
                ix.close()
                # The state goes in with the new folder: killed after the swap, it is complete.
                self._write_state(rev, top.value, fresh)
                old = self.path.with_name(self.DIR + ".old")
                shutil.rmtree(old, ignore_errors=True)
                if self.path.exists():
                    os.replace(self.path, old)
                os.replace(fresh, self.path)
                shutil.rmtree(old, ignore_errors=True)
            except OSError as exc:
                raise SearchIndexError(self._cannot_write(exc)) from None
            self._open_dir()
            self.generation += 1
            return done

    def catch_up(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Index what changed in the library since the index last recorded a revision (after
        a kill between the library commit and the index commit, or writes by another process)."""
        with self.exclusive():
            return self._update([], progress)

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def exclusive(self, wait: bool = True) -> Iterator[bool]:
        """Hold the library's index write lock: a file lock, so it holds across processes,
        and re-entrant within this one. Every index commit and state file write happens under
        it. Waiting is announced and gives up after LOCK_WAIT seconds with SearchIndexError; with
        `wait` off, yields False at once when another process or thread holds it."""
        with self._write_lock.hold(wait, self.LOCK_WAIT) as held:
            yield held

    def _cannot_write(self, exc: OSError) -> str:
        return cannot_write(self.path, exc)

    @contextmanager
    def writer(self) -> Iterator:
        """The one index writer, under the write lock. Whoosh's own lock is waited on too
        (with a message), for a newsreader from before the write lock. This method takes and
        releases Whoosh's lock itself: a writer that fails half-way through being made (a full
        disk) would otherwise keep it, and stall this process's next write."""
        assert self._ix is not None
        with self.exclusive(), self._lock:
            lock = self._whoosh_lock()
            try:
                try:
                    writer = HelpedWriter.unlocked(self._ix, self.LIMIT_MB, COMPOUND)
                except OSError as exc:
                    raise SearchIndexError(self._cannot_write(exc)) from None
                try:
                    yield writer
                    writer.commit(mergetype=tiered_merge)
                except BaseException as exc:
                    with contextlib.suppress(Exception):
                        writer.cancel()
                    if isinstance(exc, OSError):  # a full disk, a read-only folder
                        raise SearchIndexError(self._cannot_write(exc)) from None
                    raise
            finally:
                lock.release()
            self.generation += 1
            # The next search opens a searcher on this commit. Not reopened here: an add of
            # many batches would hold one over the whole index after each of them.
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def _whoosh_lock(self):  # -> whoosh.util.filelock.LockBase
        assert self._ix is not None
        return whoosh_lock(self._ix, self.path, self.notify, self.LOCK_WAIT)

    def index_articles(self, article_ids: Iterable[int]) -> None:
        """(Re)index these articles, which are already in the library, and catch up."""
        with self.exclusive():
            self._update(sorted(set(article_ids)), None)

    def _update(self, ids: list[int], progress: Callable[[int, int], None] | None) -> int:
        """Under the write lock: reindex `ids` and every article changed after the revision
        the state file records, then record the library revision read before starting. The
        state file never claims a revision whose articles are not in the index: another
        process may have stored them and not indexed them yet (or been killed), and whoever
        takes the lock next indexes them."""
        rev = self.library.rev
        state = self._state() or {}
        seen = state_file.seen(state) or 0
        behind = rev > seen
        if not ids and not behind:
            return 0
        upto = state_file.upto(state)
        if upto is None:  # a state file from before "ids": any known id may be indexed
            upto = self.library.highest_id_ever()
        total = len(ids)
        if behind:
            total += self.library.changed_count(seen)
        top = MaxId(upto)
        with self.writer() as writer:
            for article_id in ids:
                if article_id <= upto:
                    writer.delete_by_term("article", str(article_id))
            rows: Iterator = self._rows(ids)
            if behind:
                for article_id in self.library.removed_since(seen):
                    writer.delete_by_term("article", str(article_id))
                given = set(ids)
                changed = (r for r in self.library.iter_for_index(seen) if r["id"] not in given)
                rows = itertools.chain(rows, replacing(writer, changed, upto))
            done = self._add(writer, top.track(rows), progress, total)
            if top.value > upto:
                # Before the commit: from now on the index may hold documents up to this id.
                self._write_state(seen, top.value)
        if behind:
            self._write_state(rev, top.value)
        return done

    def _rows(self, ids: list[int]) -> Iterator:
        return self.library.rows_for_index(ids)

    def _add(self, writer, rows: Iterator, progress, total: int) -> int:
        helper = self._helper(writer, total)
        done = 0
        for n, batch in enumerate(batches(rows, self.BATCH)):
            inputs = self._inputs(batch)
            # Every other batch to the helper, if there is one that still works.
            if not (n % 2 and helper is not None and helper.add(inputs)):
                for doc in documents(inputs, SCHEMA):
                    writer.add_document(**doc)
            done += len(batch)
            if progress:
                progress(done, total)
        if progress:
            progress(done, total)
        return done

    def _helper(self, writer, total: int) -> IndexHelper | None:
        """A helper process for a large write (index.search.indexing.helper_process), attached to
        the writer; None for a small one, or if it cannot start."""
        if not (self.in_background and total >= self.HELPER_MIN and whoosh_internals.FAST):
            return None
        if not isinstance(writer, HelpedWriter) or writer.helper is not None:
            return None
        try:
            helper = IndexHelper(Path(writer.storage.folder), self.LIMIT_MB // 2, COMPOUND)
        except OSError:
            return None
        writer.helper, writer.refill = helper, self._documents_of
        writer.pool.limit //= 2  # the two pools together hold what one did
        return helper

    def _documents_of(self, ids: list[int]) -> Iterator[dict]:
        for batch in batches(self._rows(ids), self.BATCH):
            yield from documents(self._inputs(batch), SCHEMA)

    def _inputs(self, rows: list) -> list[IndexInput]:
        return index_inputs(self.library, rows)

    # -- reading ----------------------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The long-lived searcher (Whoosh searchers are not thread-safe: one user at a time)."""
        with self._lock:
            if self._ix is None:
                raise SearchIndexError("the search index is not open")
            if self._moved():
                # Another process rebuilt the index (a new folder): read that one.
                self._close_searcher()
                self._open_dir()
                self.generation += 1
            if self._searcher is None:
                self._searcher = self._ix.searcher()
            elif not self._searcher.up_to_date():
                # Another process committed: pick up its segments.
                self._reopen_searcher()
                self.generation += 1
            yield self._searcher

    def _reopen_searcher(self) -> None:
        """A new searcher on the latest commit. Not Searcher.refresh(): whoosh-reloaded 2.7.5
        reuses the old segment readers there and adds the old segments back, so deleted
        (updated) documents were still found, twice over after a merge."""
        assert self._ix is not None and self._searcher is not None
        self._searcher.close()
        self._searcher = None
        self._searcher = self._ix.searcher()

    def _open_dir(self) -> None:
        st = os.stat(self.path)
        self._ix = windex.open_dir(str(self.path))
        self._dir_id = (st.st_dev, st.st_ino)

    def _moved(self) -> bool:
        try:
            st = os.stat(self.path)
        except OSError:
            return False  # in the middle of another process's swap: keep the one open
        return (st.st_dev, st.st_ino) != self._dir_id

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
