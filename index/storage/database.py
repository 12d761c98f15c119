"""The library's database: one SQLite connection per thread, write transactions, the meta
table and what a failed SQLite call means for the user. The domain repositories (articles,
listings, reading state, words) build on it; `Library` puts them together."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from index.errors import LibraryError
from index.storage import title_prefixes
from index.storage.schema import SCHEMA, SCHEMA_VERSION

# A batch of a thousand articles inserts into the title, hash, URL and title-prefix indexes at
# pages all over each of them. With SQLite's default cache (2 MiB) a large library's batch
# spills and reads the same pages again within the transaction; this much holds them.
BULK_CACHE_KIB = 64 * 1024
# Those inserts also dirty a page of each index per article, and each batch's commit checkpointed
# the WAL into the file (SQLite does at 1,000 pages), writing such pages again batch after batch,
# with an fsync each time. An add lets the WAL grow this far between checkpoints instead.
BULK_WAL_BYTES = 200 * 1024 * 1024


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def bump_rev(db: sqlite3.Connection) -> int:
    """Move the library revision on, inside the caller's transaction; returns the new one."""
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='rev'")
    return int(db.execute("SELECT value FROM meta WHERE key='rev'").fetchone()[0])


class Database:
    """SQLite store. Safe to share between threads: each thread gets its own connection."""

    FILE = "library.sqlite3"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / self.FILE
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.created = not self.path.exists()
        try:
            self._refuse_emptied()
            self.directory.mkdir(parents=True, exist_ok=True)
            # executescript commits on its own; every statement in it is idempotent.
            self._conn().executescript(SCHEMA)
            with self.transaction() as db:
                self._init_meta(db)
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        except OSError as exc:
            raise LibraryError(
                f"{self.directory}: cannot create the library: {exc.strerror}"
            ) from None

    def _refuse_emptied(self) -> None:
        """SQLite would take an empty file for a new database and start afresh in it. But
        newsreader writes the file's header as it creates it, so an empty file beside a search
        index is a library that was truncated: say so rather than show an empty library."""
        if self.created or self.path.stat().st_size:
            return
        if (self.directory / "index").exists():
            raise LibraryError(
                f"{self.path}: the library file is empty (truncated?) although this folder held"
                " a library. Restore the file from a backup, or delete it to start an empty"
                " library."
            )

    # -- connections ------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self, bulk: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it. A storage failure (full
        disk, read-only or damaged file, busy library) comes out as LibraryError saying what
        to do; other errors (bugs) pass through unchanged. `bulk`: a batch of articles, which
        gets a page cache of BULK_CACHE_KIB for the transaction (see there)."""
        restore = None
        try:
            db = self._conn()
            if bulk:
                restore = db.execute("PRAGMA cache_size").fetchone()[0]
                db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            # After some failures (a full disk, an I/O error) SQLite has rolled back already.
            with suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
            if type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError):
                raise LibraryError(explain(self.path, exc)) from None  # type: ignore[arg-type]
            raise
        finally:
            if restore is not None:  # the pages beyond the usual cache are freed
                with suppress(sqlite3.Error):
                    db.execute(f"PRAGMA cache_size={int(restore)}")

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many bulk transactions in a row (an add) on this thread's connection: the WAL is
        checkpointed only once it holds BULK_WAL_BYTES (see there), not at SQLite's 1,000
        pages. Then what the WAL holds is checkpointed (passively: readers are not waited for)
        here, not in whatever write comes next, and the usual threshold applies again."""
        try:
            db = self._conn()
            usual = int(db.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
            page = int(db.execute("PRAGMA page_size").fetchone()[0])
            db.execute(f"PRAGMA wal_autocheckpoint={max(usual, BULK_WAL_BYTES // page)}")
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None
        try:
            yield
        finally:
            with suppress(sqlite3.Error):
                db.execute(f"PRAGMA wal_autocheckpoint={usual}")
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None

    def column(self, sql: str, params: Iterable = ()) -> list:
        """The first column of a query's rows, as plain values (no Row objects: cheaper when
        there are thousands of them)."""
        try:
            cursor = self._conn().cursor()
            cursor.row_factory = None
            return [r[0] for r in cursor.execute(sql, tuple(params))]
        except sqlite3.DatabaseError as exc:
            raise LibraryError(explain(self.path, exc)) from None

    def release_thread(self) -> None:
        """Close this thread's connection (a pool thread that is done with the library:
        connections are kept per thread, so each one a short-lived thread opens would
        otherwise stay open until close())."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            self._connections = [c for c in self._connections if c is not conn]
        with suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- meta -------------------------------------------------------------------------------
    def _init_meta(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        db.execute("INSERT OR IGNORE INTO meta VALUES ('library_id', ?)", (uuid.uuid4().hex,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('rev', '0')")
        # An empty library's title prefixes are complete; one from before them is not.
        db.execute(
            "INSERT OR IGNORE INTO meta SELECT ?, value FROM meta WHERE key = 'rev'"
            " AND NOT EXISTS (SELECT 1 FROM articles)",
            (title_prefixes.CURRENT,),
        )
        version = int(db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: made by a newer newsreader (library schema {version}); "
                "upgrade newsreader to open it"
            )

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def library_id(self) -> str:
        return self.meta("library_id") or ""

    @property
    def rev(self) -> int:
        return int(self.meta("rev") or 0)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.directory.glob(self.FILE + "*") if p.is_file())


def explain(path: Path, exc: sqlite3.Error) -> str:
    """What a failed SQLite call means for the library at `path`, and what to do about it."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (
            f"{path}: the library file is damaged ({text}). Restore it from a backup, or move"
            " it aside and re-add your articles; bookmarks can be re-imported from an export."
        )
    if "readonly" in text or "read-only" in text:
        return (
            f"{path}: the library is read-only ({text}). newsreader writes beside the file"
            f" (SQLite's journal), even to read: make {path.parent} writable, or copy the"
            " folder somewhere writable and pass --library."
        )
    if "disk is full" in text:
        return f"{path}: the disk is full; free some space and try again (nothing was lost)."
    if "disk I/O error" in text:
        return (
            f"{path}: the library could not be written ({text}); check the free space and"
            " the disk, then try again. Nothing stored before this command was lost."
        )
    if "unable to open" in text:
        return (
            f"{path}: cannot open the library ({text}); check that its folder exists and"
            " that you may read and write it, or pass --library."
        )
    if "locked" in text:
        return f"{path}: the library is busy in another newsreader process; try again."
    return f"{path}: {text}"

