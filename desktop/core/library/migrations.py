"""The library's schema as numbered migrations, applied on every start (``PRAGMA user_version``).

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction together with the version bump,
so a crash or an error mid-way leaves the file at the previous version, intact, and the next
start simply tries again. A file written by a *newer* app (version above :data:`LATEST`) is
refused rather than "upgraded" backwards: the user gets a message, and the data stays untouched
for the newer app.

Statements are executed one at a time: ``executescript`` would commit the open transaction
first and break that guarantee.

``tests/core/library/test_library_migrations.py`` builds a database at every earlier version, fills it the
way that version's app did, and checks that opening it with the current code keeps everything.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.library.chunks import chunk_id, chunk_tokens
from desktop.core.library.db import transaction, user_version
from desktop.core.library.edits import Edit, apply_edits
from desktop.core.library.rows import TOKEN_COLUMNS, row_to_token

log = logging.getLogger(__name__)


class SchemaTooNew(Exception):
    """The file was written by a newer version of the app."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"library schema version {found} is newer than this app supports ({supported})")
        self.found = found
        self.supported = supported


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _run(conn: sqlite3.Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.execute(statement)


# -- v1: transcripts and their final tokens ------------------------------------------------------
V1 = [
    """
    CREATE TABLE transcripts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('live', 'job')),
        title TEXT NOT NULL,
        created_at REAL NOT NULL,
        ended_at REAL,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        source_kind TEXT NOT NULL DEFAULT '',
        source_label TEXT NOT NULL DEFAULT '',
        source_uri TEXT,
        config_json TEXT,
        job_id TEXT UNIQUE,
        job_json TEXT,
        status TEXT NOT NULL DEFAULT 'complete',
        end_reason TEXT,
        recovery_pending INTEGER NOT NULL DEFAULT 0,
        token_count INTEGER NOT NULL DEFAULT 0,
        word_count INTEGER NOT NULL DEFAULT 0,
        speakers TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL
    )
    """,
    "CREATE INDEX transcripts_by_date ON transcripts (created_at DESC, id DESC)",
    "CREATE INDEX transcripts_active ON transcripts (status) WHERE status = 'active'",
    # One row per final token, markers included; confidence in permille (2 bytes, not 8).
    """
    CREATE TABLE tokens (
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        start_ms INTEGER,
        end_ms INTEGER,
        confidence INTEGER,
        speaker TEXT,
        language TEXT,
        translation_status TEXT,
        source_language TEXT,
        PRIMARY KEY (transcript_id, seq)
    ) WITHOUT ROWID
    """,
]

# -- v2: speaker names and word corrections --------------------------------------------------------
V2 = [
    """
    CREATE TABLE speaker_names (
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
        speaker TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (transcript_id, speaker)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE edits (
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        text TEXT NOT NULL,
        edited_at REAL NOT NULL,
        PRIMARY KEY (transcript_id, first_seq)
    ) WITHOUT ROWID
    """,
]

# -- v3: full-text search over passages ------------------------------------------------------------
V3 = [
    """
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        start_ms INTEGER,
        speaker TEXT,
        text TEXT NOT NULL
    )
    """,
    """
    CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        text, content = 'chunks', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO chunks_fts (rowid, text) VALUES (new.id, new.text);
    END
    """,
]


def _v3(conn: sqlite3.Connection) -> None:
    _run(conn, V3)
    # Index what earlier versions stored (corrections applied: search finds what is shown).
    ids = [row[0] for row in conn.execute("SELECT id FROM transcripts ORDER BY id")]
    for tid in ids:
        index_transcript(conn, tid)


def index_transcript(conn: sqlite3.Connection, transcript_id: int) -> int:
    """(Re)build one transcript's passages from its tokens and edits; returns how many."""
    lo, hi = chunk_id(transcript_id, 0), chunk_id(transcript_id + 1, 0) - 1
    conn.execute("DELETE FROM chunks WHERE id BETWEEN ? AND ?", (lo, hi))
    tokens = [
        row_to_token(row)
        for row in conn.execute(
            f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE transcript_id = ? ORDER BY seq",
            (transcript_id,),
        )
    ]
    edits = [
        Edit(*row)
        for row in conn.execute(
            "SELECT first_seq, last_seq, text, edited_at FROM edits WHERE transcript_id = ?", (transcript_id,)
        )
    ]
    display = apply_edits(tokens, edits)
    chunks = chunk_tokens((d.first_seq, d.last_seq, d.token) for d in display)
    conn.executemany(
        "INSERT INTO chunks (id, first_seq, last_seq, start_ms, speaker, text) VALUES (?, ?, ?, ?, ?, ?)",
        [(chunk_id(transcript_id, c.number), c.first_seq, c.last_seq, c.start_ms, c.speaker, c.text) for c in chunks],
    )
    return len(chunks)


# -- v4: audio (own recordings and links to the user's files) --------------------------------------
V4 = [
    "ALTER TABLE transcripts ADD COLUMN audio_path TEXT",
    # 1: a recording the library made (deleted with the transcript); 0: the user's own file.
    "ALTER TABLE transcripts ADD COLUMN audio_owned INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE transcripts ADD COLUMN audio_format TEXT",
    # Local files dropped for a job: remembered at upload, attached when the transcript arrives.
    """
    CREATE TABLE job_audio (
        job_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        linked_at REAL NOT NULL
    )
    """,
]


def _v4(conn: sqlite3.Connection) -> None:
    _run(conn, V4)
    # Live sessions streamed from a local file: that file is their audio (a link, never deleted).
    conn.execute(
        "UPDATE transcripts SET audio_path = source_uri, audio_owned = 0 "
        "WHERE kind = 'live' AND source_kind = 'file' AND source_uri IS NOT NULL"
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "transcripts and final tokens", lambda c: _run(c, V1)),
    Migration(2, "speaker names and word corrections", lambda c: _run(c, V2)),
    Migration(3, "full-text search over passages", _v3),
    Migration(4, "recordings and links to original audio", _v4),
)
LATEST = MIGRATIONS[-1].version


def migrate(conn: sqlite3.Connection, *, target: int = LATEST) -> list[int]:
    """Bring the schema to ``target``; returns the versions applied (empty when up to date)."""
    found = user_version(conn)
    if found > LATEST:
        raise SchemaTooNew(found, LATEST)
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version <= found or migration.version > target:
            continue
        started = time.perf_counter()
        with transaction(conn):
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
        applied.append(migration.version)
        _log_applied(migration, time.perf_counter() - started)
    return applied


def _log_applied(migration: Migration, seconds: float) -> None:
    log.info("Library schema v%d applied (%s) in %.2f s", migration.version, migration.description, seconds)
