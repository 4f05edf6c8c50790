"""Library files broken the ways real ones break, for the core and UI tests of an unusable library."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.core.library.store import Library
from tests.library_helpers import spoken_tokens

#: Transcripts in :func:`library_with_transcripts`, each long enough to fill many pages.
TITLES = ("Monday call", "Budget review", "Planning")


def library_with_transcripts(path: Path, *, words: int = 1500) -> list[int]:
    """A real library at ``path`` with a few finished transcripts; returns their ids.

    The WAL is folded into the main file and removed, so that bytes overwritten in the file are
    what SQLite reads.
    """
    library = Library(path)
    ids = []
    for title in TITLES:
        tid = library.begin_live(title=title, source_kind="microphone")
        library.append_tokens(tid, spoken_tokens(words))
        library.finish_live(tid, duration_ms=60_000)
        ids.append(tid)
    library.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return ids


def damage_a_page(path: Path, table: str = "tokens") -> int:
    """Overwrite one leaf page of ``table`` (its middle one) with noise; returns its number.

    The schema and every other page stay intact: the file opens and, for the tokens, the history
    lists; only reading what was on that page fails ("database disk image is malformed").
    """
    conn = sqlite3.connect(path)
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    query = "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno"
    pages = [int(row[0]) for row in conn.execute(query, (table,))]
    conn.close()
    assert pages, f"{table} has no leaf page"
    page = pages[len(pages) // 2]
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(bytes((i * 37 + 11) % 256 for i in range(page_size)))
    return page


def write_future_library(path: Path, version: int) -> None:
    """A sound library whose schema number is one a future app would write."""
    library = Library(path)
    library.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
