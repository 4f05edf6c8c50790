"""Open the library's SQLite file with the settings crash safety and concurrency rely on.

* ``journal_mode=WAL``: readers (the search worker) never block the writer (the live autosave),
  and a commit is one append to the ``-wal`` file.
* ``synchronous=NORMAL``: in WAL mode a commit is durable against the *application* crashing
  (SIGKILL, a segfault): the data is in the OS's page cache the moment ``COMMIT`` returns. Only
  an operating-system crash or power loss can undo the last commits, and even then the database
  stays consistent. ``FULL`` would fsync every batch, which costs milliseconds on laptops' disks
  twice a second for no gain against the failure the autosave exists for.
* ``foreign_keys=ON``: deleting a transcript deletes its tokens, names, edits and search chunks.
* ``busy_timeout``: a second instance of the app (or the search worker during a checkpoint) waits
  instead of failing with "database is locked".

Connections use autocommit mode (``isolation_level=None``); every write goes through
:func:`transaction`, so exactly one ``BEGIN IMMEDIATE … COMMIT`` wraps each batch.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
#: Page cache per connection, in KiB (negative = KiB for SQLite): enough for the hot index pages.
CACHE_KIB = 16 * 1024


def connect(path: Path | str, *, readonly: bool = False, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection with the library's pragmas; the folder is created for a new file."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=check_same_thread)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=check_same_thread)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    IMMEDIATE takes the write lock up front, so a transaction never fails half-way with
    "database is locked" after it has done work (busy_timeout covers the wait).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def has_fts5(conn: sqlite3.Connection) -> bool:
    """Python's bundled SQLite has FTS5 on every platform we ship; a custom build might not."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


class Checkpointer:
    """Moves WAL checkpoints off the writer's thread.

    By default SQLite checkpoints inside the COMMIT that makes the WAL pass 1,000 pages: that one
    autosave batch then copies ~4 MB into the database and fsyncs it, a stall of tens of
    milliseconds on an SSD (hundreds on a laptop's spinning disk) on the app's UI thread. The
    library turns automatic checkpoints off on its write connection and lets this daemon thread,
    with its own connection, run PASSIVE checkpoints (which never block the writer) whenever the
    WAL has grown past ``min_wal_bytes``.
    """

    def __init__(self, path: Path, *, interval_s: float = 5.0, min_wal_bytes: int = 1_000_000) -> None:
        import threading

        self.path = Path(path)
        self.interval_s = interval_s
        self.min_wal_bytes = min_wal_bytes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="library-checkpoint", daemon=True)
        self.checkpoints = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def wal_bytes(self) -> int:
        try:
            return Path(str(self.path) + "-wal").stat().st_size
        except OSError:
            return 0

    def _run(self) -> None:
        # The write connection has auto-checkpointing off, so this thread must survive a failed
        # checkpoint (a busy or locked database): log it, drop the connection, try again later.
        import logging

        conn: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(self.interval_s):
                if self.wal_bytes() < self.min_wal_bytes:
                    continue
                try:
                    if conn is None:
                        conn = sqlite3.connect(str(self.path), isolation_level=None)
                        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    self.checkpoints += 1
                except sqlite3.Error as exc:
                    logging.getLogger(__name__).warning("Background checkpoint failed, will retry: %s", exc)
                    if conn is not None:
                        conn.close()
                        conn = None
        finally:
            if conn is not None:
                conn.close()
