"""The Whoosh index, derived from the library: article documents for ranked search and passage
documents for finding the paragraph that matches. Missing, damaged or outdated → rebuilt."""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for

from index import whoosh_internals
from index.analysed import AnalysedText
from index.analysis import analyzer
from index.documents import IndexInput, documents
from index.entities.names import name_analyzer
from index.entities.store import index_fields
from index.errors import IndexError_, LibraryError
from index.fileio import write_atomic
from index.index_helper import HelpedWriter, IndexHelper
from index.storage.library import Library

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
# 3: person/org/place/entity fields; 4: misc instead of entity; 5: passage number only stored,
# passages without an id; 6: body and passages analysed once (AnalysedText in the schema), no
# id field (an article's document is found by `article` and `kind`: one unique term less).
INDEX_VERSION = 6

# Segments as separate files, not one compound file: Whoosh reads a compound segment by
# copying each part of it out of the memory map into a BytesIO, which at 127.6k articles
# held 107 MB of process memory that the map already held (peak RSS over 400 MB).
COMPOUND = False

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
    # Passage text (no positions: cheaper). With body, analysed once (index.analysed).
    ptext=AnalysedText(analyzer=analyzer(), phrase=False),
    # The article's entities, every name each is known by (index.entities.store.index_fields),
    # as normalised keys: `place:US` and `place:"United States"` meet. `entity:` searches all
    # four (index.query): a field of its own repeated every name, a third of indexing time.
    person=KEYWORD(analyzer=name_analyzer(), scorable=True),
    org=KEYWORD(analyzer=name_analyzer(), scorable=True),
    place=KEYWORD(analyzer=name_analyzer(), scorable=True),
    misc=KEYWORD(analyzer=name_analyzer(), scorable=True),
)

# Whoosh's own merge policy (MERGE_SMALL) merges only the tiniest segments, so every add but
# the smallest left one segment more (two with the index helper), and every search reads each
# term once per segment. Here, besides: whenever MERGE_FACTOR segments are of about one size
# (the same power of MERGE_FACTOR documents), they are merged into one: a library grown by
# many adds keeps about MERGE_FACTOR segments per power of MERGE_FACTOR (each document is
# rewritten once per power). A commit rewrites at most MERGE_MAX_DOCS documents of older
# segments: Whoosh merges by rewriting every posting in Python, and a feed refresh must not
# turn into minutes of that; the segments too large for it are made large by the add
# itself (its commits grow geometrically, index.core.commit_after).
MERGE_FACTOR = 4
MERGE_MAX_DOCS = 250_000


def merge_level(docs: int) -> int:
    """The size class of a segment of `docs` documents: the power of MERGE_FACTOR it is at."""
    level = 0
    while docs >= MERGE_FACTOR:
        docs //= MERGE_FACTOR
        level += 1
    return level


def segments_to_merge(sizes: list[int]) -> list[int]:
    """Which of the segments of these sizes (documents, deleted ones included) a commit merges:
    groups of MERGE_FACTOR of one level, the smallest levels first, while the documents they
    hold fit in MERGE_MAX_DOCS. Returns their positions in `sizes`."""
    by_level: dict[int, list[int]] = {}
    for i in sorted(range(len(sizes)), key=sizes.__getitem__):
        by_level.setdefault(merge_level(sizes[i]), []).append(i)
    chosen: list[int] = []
    budget = MERGE_MAX_DOCS
    for level in sorted(by_level):
        group = by_level[level]
        while len(group) >= MERGE_FACTOR:
            take, group = group[:MERGE_FACTOR], group[MERGE_FACTOR:]
            cost = sum(sizes[i] for i in take)
            if cost > budget:
                return chosen
            budget -= cost
            chosen += take
    return chosen


def tiered_merge(writer, segments: list) -> list:
    """A Whoosh merge policy (writer.commit(mergetype=...)): MERGE_SMALL, then the groups of
    segments_to_merge merged into the writer's new segment. Returns the segments kept."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    kept = MERGE_SMALL(writer, segments)
    merged = set(segments_to_merge([seg.doc_count_all() for seg in kept]))
    for i in sorted(merged):
        reader = SegmentReader(writer.storage, writer.schema, kept[i])
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [seg for i, seg in enumerate(kept) if i not in merged]


try:
    import fcntl
except ImportError:  # not POSIX: Whoosh's own write lock is then the only one
    fcntl = None  # type: ignore[assignment]

Notify = Callable[[str], None]


class SearchIndex:
    DIR = "index"
    STATE = "state.json"
    # The write lock sits beside the index folder, not in it: a rebuild swaps the folder.
    LOCK = "index.lock"
    LOCK_WAIT = 120.0  # seconds to wait for another process's index write
    LIMIT_MB = 128  # Whoosh's estimate of the postings a writer holds before sorting to disk
    HELPER_MIN = 2000  # articles in a write before a helper process takes half of them
    BATCH = 500  # articles read from the library at a time; every other batch to the helper

    def __init__(
        self, library: Library, notify: Notify | None = None, in_background: bool = False
    ) -> None:
        """`in_background`: large writes use a helper process (index.index_helper)."""
        self.library = library
        self.in_background = in_background
        self.path = library.directory / self.DIR
        self.notify = notify or (lambda message: None)
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()  # exclusive(): this process's side of the lock
        self._write_depth = 0
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
            except IndexError_ as exc:
                # The index cannot be written (full disk, read-only folder): it can still be
                # read, a little behind. Writes report this again.
                self.notify(str(exc))
        except (IndexError_, LibraryError):
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
        if state is None or _seen(state) is None:
            return "has no readable state file"
        if state.get("version") != INDEX_VERSION:
            return "is from another version of newsreader"
        if state.get("library_id") != self.library.library_id:
            return "belongs to another library"
        if (_seen(state) or 0) > self.library.rev:
            return "is newer than the library (was the library restored from a backup?)"
        return None

    def _state(self) -> dict | None:
        try:
            data = json.loads((self.path / self.STATE).read_text("utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def _write_state(self, rev: int, ids_upto: int, folder: Path | None = None) -> None:
        """Record that every article changed up to library revision `rev` is in the index
        (written under the write lock, after the commit that put them there), and that no
        article with an id above `ids_upto` has documents in it (written before a commit
        that adds higher ones: articles above it are new, and need no delete, which would
        open a reader over the whole index)."""
        folder = folder or self.path
        state = {"version": INDEX_VERSION, "library_id": self.library.library_id, "rev": rev,
                 "ids": ids_upto}
        try:
            write_atomic(folder / self.STATE, json.dumps(state))
        except OSError as exc:
            raise IndexError_(self._cannot_write(exc)) from None

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
                top = _MaxId()
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
                raise IndexError_(self._cannot_write(exc)) from None
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
        it. Waiting is announced and gives up after LOCK_WAIT seconds with IndexError_; with
        `wait` off, yields False at once when another process or thread holds it."""
        if not self._write_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield True
                finally:
                    self._write_depth -= 1
                return
            fd = self._lock_file(wait)
            if fd is None:
                yield False
                return
            self._write_depth = 1
            try:
                yield True
            finally:
                self._write_depth = 0
                os.close(fd)  # closing the descriptor releases the lock
        finally:
            self._write_lock.release()

    def _lock_file(self, wait: bool) -> int | None:
        """The locked lock file's descriptor; None if it is busy and `wait` is off."""
        path = self.library.directory / self.LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexError_(self._cannot_write(exc)) from None
        if fcntl is None:
            return fd
        deadline = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            except OSError:
                return fd  # a file system without locks: Whoosh's lock is all there is
            if not wait:
                os.close(fd)
                return None
            if deadline is None:
                self.notify("the search index is being written by another newsreader; waiting…")
                deadline = time.monotonic() + self.LOCK_WAIT
            elif time.monotonic() > deadline:
                os.close(fd)
                raise IndexError_(
                    "another newsreader process has been writing the search index for over"
                    f" {self.LOCK_WAIT:g} seconds; try again when it has finished"
                )
            time.sleep(0.1)  # a lock poll, not a synchronisation point: flock has no timeout

    def _cannot_write(self, exc: OSError) -> str:
        where = exc.filename or self.path
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
        todo = "free some space" if full else "check the folder's permissions and free space"
        return (
            f"cannot write the search index ({where}: {exc.strerror or exc}); {todo}, then run"
            " the command again. Nothing stored in the library is lost: the index catches up"
            " with it by itself."
        )

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
                    raise IndexError_(self._cannot_write(exc)) from None
                try:
                    yield writer
                    writer.commit(mergetype=tiered_merge)
                except BaseException as exc:
                    with contextlib.suppress(Exception):
                        writer.cancel()
                    if isinstance(exc, OSError):  # a full disk, a read-only folder
                        raise IndexError_(self._cannot_write(exc)) from None
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
        lock = self._ix.lock("WRITELOCK")
        try:
            if lock.acquire(False):
                return lock
            self.notify("the search index is being written by another newsreader; waiting…")
            if try_for(lock.acquire, timeout=self.LOCK_WAIT, delay=0.25):
                return lock
        except OSError as exc:
            raise IndexError_(self._cannot_write(exc)) from None
        raise IndexError_(
            "the search index stayed locked by another newsreader process for"
            f" {self.LOCK_WAIT:g} seconds; if none is running, delete"
            f" {self.path / 'MAIN_WRITELOCK'}"
        )

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
        seen = _seen(state) or 0
        behind = rev > seen
        if not ids and not behind:
            return 0
        upto = _upto(state)
        if upto is None:  # a state file from before "ids": any known id may be indexed
            upto = self.library.query(
                "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM articles"
                " UNION ALL SELECT MAX(article_id) FROM removed)"
            )[0][0] or 0
        total = len(ids)
        if behind:
            count = "SELECT COUNT(*) FROM articles WHERE rev > ?"
            total += self.library.query(count, (seen,))[0][0]
        top = _MaxId(upto)
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
                rows = itertools.chain(rows, _replacing(writer, changed, upto))
            done = self._add(writer, top.track(rows), progress, total)
            if top.value > upto:
                # Before the commit: from now on the index may hold documents up to this id.
                self._write_state(seen, top.value)
        if behind:
            self._write_state(rev, top.value)
        return done

    def _rows(self, ids: list[int]) -> Iterator:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            yield from self.library.query(
                "SELECT id, title, date, source, body, rev FROM articles WHERE id IN"
                f" ({','.join('?' * len(chunk))})",
                chunk,
            )

    def _add(self, writer, rows: Iterator, progress, total: int) -> int:
        helper = self._helper(writer, total)
        done = 0
        for n, batch in enumerate(_batches(rows, self.BATCH)):
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
        """A helper process for a large write (index.index_helper), attached to the writer;
        None for a small one, or if it cannot start."""
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
        for batch in _batches(self._rows(ids), self.BATCH):
            yield from documents(self._inputs(batch), SCHEMA)

    def _inputs(self, rows: list) -> list[IndexInput]:
        """What the index takes from these library rows (index.documents)."""
        ids = [r["id"] for r in rows]
        offsets = self.library.passage_offsets(ids)
        entities = index_fields(self.library, ids)
        return [
            IndexInput(r["id"], r["title"], r["date"], r["source"], r["body"],
                       offsets.get(r["id"], []), entities.get(r["id"], {}))
            for r in rows
        ]

    # -- reading ----------------------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The long-lived searcher (Whoosh searchers are not thread-safe: one user at a time)."""
        with self._lock:
            if self._ix is None:
                raise IndexError_("the search index is not open")
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


def _seen(state: dict) -> int | None:
    """The library revision a state file records, None if it holds none."""
    rev = state.get("rev")
    return rev if isinstance(rev, int) and not isinstance(rev, bool) and rev >= 0 else None


def _upto(state: dict) -> int | None:
    """The highest article id a state file says may have documents, None if it says none."""
    ids = state.get("ids")
    return ids if isinstance(ids, int) and not isinstance(ids, bool) and ids >= 0 else None


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _replacing(writer, rows: Iterable, upto: int) -> Iterator:
    """The rows, the old documents of each that may have some (id <= upto) deleted first (a
    delete only touches committed segments, so the new documents added after it stay)."""
    for row in rows:
        if row["id"] <= upto:
            writer.delete_by_term("article", str(row["id"]))
        yield row


class _MaxId:
    """The largest article id among the rows that pass through track()."""

    def __init__(self, start: int = 0) -> None:
        self.value = start

    def track(self, rows: Iterable) -> Iterator:
        for row in rows:
            self.value = max(self.value, row["id"])
            yield row
