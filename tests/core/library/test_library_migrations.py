"""Schema migrations, tested from every earlier version: a file written by each older app opens
with everything it held, and gains what the newer versions add."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core.library import migrations
from desktop.core.library.db import connect, user_version
from desktop.core.library.migrations import LATEST, MIGRATIONS, migrate
from desktop.core.library.rows import INSERT_TOKEN, token_to_row
from desktop.core.library.search import LibrarySearch
from desktop.core.library.store import Library
from tests.library_helpers import spoken_tokens

LIVE_TOKENS = spoken_tokens(60, seed=3, speakers=2, words_per_turn=25)
JOB_TOKENS = spoken_tokens(20, seed=4, speakers=1, vocabulary=["zebra", "quartz", "marmalade"])


def _fill_like_version(conn: sqlite3.Connection, version: int, audio: Path) -> None:
    """Write what the app at ``version`` wrote: only the tables that version had."""
    conn.execute(
        "INSERT INTO transcripts (id, kind, title, created_at, source_kind, source_label, source_uri, "
        "status, token_count, word_count, speakers, updated_at, duration_ms) VALUES "
        "(1, 'live', 'Old meeting', 1000, 'file', 'talk.wav', ?, 'complete', ?, 60, '1,2', 1000, 18000)",
        (str(audio), len(LIVE_TOKENS)),
    )
    conn.execute(
        "INSERT INTO transcripts (id, kind, title, created_at, source_kind, job_id, job_json, status, "
        "token_count, updated_at) VALUES "
        "(2, 'job', 'Old job', 2000, 'job-file', 'job-9', '{}', 'complete', ?, 2000)",
        (len(JOB_TOKENS),),
    )
    conn.executemany(INSERT_TOKEN, [token_to_row(1, i, t) for i, t in enumerate(LIVE_TOKENS)])
    conn.executemany(INSERT_TOKEN, [token_to_row(2, i, t) for i, t in enumerate(JOB_TOKENS)])
    if version >= 2:
        conn.execute("INSERT INTO speaker_names VALUES (1, '1', 'Ana')")
        conn.execute("INSERT INTO edits VALUES (2, 0, 0, 'gazelle', 1500)")
    if version >= 3:
        migrations.index_transcript(conn, 1)
        migrations.index_transcript(conn, 2)


def _make(path: Path, version: int, audio: Path) -> None:
    conn = connect(path)
    migrate(conn, target=version)
    assert user_version(conn) == version
    conn.execute("BEGIN")
    _fill_like_version(conn, version, audio)
    conn.execute("COMMIT")
    conn.close()


@pytest.mark.parametrize("version", [v for v in range(1, LATEST)])
def test_every_earlier_version_opens_with_all_its_data(tmp_path: Path, version: int) -> None:
    audio = tmp_path / "talk.wav"
    path = tmp_path / "data" / "library" / "library.sqlite3"
    _make(path, version, audio)

    library = Library.open(tmp_path / "data")
    try:
        assert library.schema_version == LATEST
        assert library.migrated == list(range(version + 1, LATEST + 1))
        assert library.tokens(1) == LIVE_TOKENS and library.tokens(2) == JOB_TOKENS
        assert [i.id for i in library.list_transcripts()] == [2, 1]
        live = library.info(1)
        # v4 links a file-streamed live session to its file.
        assert live.audio_path == str(audio) and not live.audio_owned
        job = library.load(2)
        if version >= 2:
            assert library.speaker_names(1) == {"1": "Ana"}
            assert job.transcript.text().startswith("gazelle")
        # v3 indexed whatever was there before: both transcripts are searchable.
        search = LibrarySearch(library.path)
        try:
            word = LIVE_TOKENS[-3].text.strip().rstrip(".")
            assert 1 in [r.info.id for r in search.search(word).results]
            assert [r.info.id for r in search.search("marmalade").results] == [2]
            if version >= 2:
                assert [r.info.id for r in search.search("gazelle").results] == [2]
        finally:
            search.close()
        # And the new version's features work on the old data.
        library.edit(1, 0, 0, "Hello")
        assert library.load(1).transcript.text().startswith("Hello")
    finally:
        library.close()


def test_a_failing_migration_leaves_the_previous_version_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audio = tmp_path / "talk.wav"
    path = tmp_path / "data" / "library" / "library.sqlite3"
    _make(path, 2, audio)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY)")
        raise RuntimeError("disk trouble half-way")

    patched = tuple(m if m.version != 3 else migrations.Migration(3, "broken", broken) for m in MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", patched)
    with pytest.raises(RuntimeError):
        Library.open(tmp_path / "data")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'chunks'").fetchone() is None
        assert conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == len(LIVE_TOKENS) + len(JOB_TOKENS)
    finally:
        conn.close()
    monkeypatch.undo()
    library = Library.open(tmp_path / "data")  # the next start succeeds
    try:
        assert library.schema_version == LATEST and library.speaker_names(1) == {"1": "Ana"}
    finally:
        library.close()


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))
