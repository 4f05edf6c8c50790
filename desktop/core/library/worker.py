"""One thread with its own connection, for library work that takes longer than a frame.

The app's UI and its asyncio loop share one thread; a 3-hour transcript takes ~170 ms to read
and ~240 ms to save, long enough to freeze the window. :class:`LibraryWorker` runs such work on
a single background thread with a connection of its own (WAL lets it read while the loop's
connection writes, and SQLite serialises the two writers) and hands the result back to the loop
as an awaitable. One thread, so work submitted in order runs in order: a save followed by a load
sees the save.

The work is a function of the worker's connection, never the caller's: a ``sqlite3`` connection
belongs to the thread that made it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from desktop.core.library import db

T = TypeVar("T")


class LibraryClosed(RuntimeError):
    """Work was submitted after the library closed."""


class LibraryWorker:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="library-worker")

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = db.connect(self.path)
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # db.Checkpointer does it off every writer
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        # A 3-hour transcript is ~100,000 new objects: enough to set off full garbage collections
        # (~20 ms each, holding the GIL, so freezing the UI thread as surely as doing the work
        # there). They would find nothing to free in the middle of building a result, so
        # collection waits until the job is done.
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            return work(self._connection())
        finally:
            if paused:
                gc.enable()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` on the worker thread; its result or exception comes back here."""
        with self._guard:
            if self._closed:
                raise LibraryClosed("The library is closed.")
            future = self._executor.submit(self._call, work)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Let work already submitted finish, then close the worker's connection."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
        self._executor.shutdown(wait=True)
        for conn in self._connections:
            with contextlib.suppress(Exception):
                conn.close()
        self._connections.clear()
