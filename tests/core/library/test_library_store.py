"""The library store: live sessions, job transcripts, names, corrections, deletion, recovery."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop.core.export import export_transcript
from desktop.core.library.db import connect
from desktop.core.library.store import Library, LibraryError
from desktop.core.transcript import Token
from tests.library_helpers import spoken_tokens


@pytest.fixture
def library(tmp_path: Path):  # noqa: ANN201
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


def _job(job_id: str = "job-1", **extra: object) -> SimpleNamespace:
    fields = {
        "id": job_id,
        "filename": "interview.mp3",
        "audio_url": None,
        "file_id": "file-1",
        "created_at": datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc),
        "audio_duration_ms": 61_000,
        "model": "stt-async-v3",
    }
    fields.update(extra)
    return SimpleNamespace(**fields)


def test_opening_creates_the_file_in_the_data_folder_with_wal(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "data")
    try:
        assert lib.path == tmp_path / "data" / "library" / "library.sqlite3"
        assert lib.path.exists()
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert lib.schema_version == 4 and lib.migrated == [1, 2, 3, 4]
    finally:
        lib.close()
    again = Library.open(tmp_path / "data")
    try:
        assert again.migrated == []  # up to date: nothing re-applied
    finally:
        again.close()


def test_live_session_stores_tokens_counts_and_ends(library: Library) -> None:
    tid = library.begin_live(
        title="Microphone",
        source_kind="microphone",
        source_label="Mic",
        config={"model": "stt-rt-v3", "api_key": "secret", "enable_speaker_diarization": True},
    )
    tokens = spoken_tokens(70, speakers=2, words_per_turn=30)
    library.append_tokens(tid, tokens[:40])
    library.append_tokens(tid, tokens[40:])
    info = library.info(tid)
    assert info is not None and info.status == "active"
    assert info.token_count == len(tokens) and info.word_count == 70
    assert info.speakers == ("1", "2")
    last_end = max(t.end_ms for t in tokens if t.end_ms is not None)
    assert info.duration_ms == last_end
    assert library.tokens(tid) == tokens
    config = library.conn.execute("SELECT config_json FROM transcripts WHERE id = ?", (tid,)).fetchone()[0]
    assert "stt-rt-v3" in config and "secret" not in config and "api_key" not in config
    library.finish_live(tid, end_reason="finished", duration_ms=30_000)
    info = library.info(tid)
    assert info.status == "complete" and info.end_reason == "finished" and info.ended_at is not None
    assert info.duration_ms == max(30_000, last_end)


def test_non_final_tokens_are_never_stored(library: Library) -> None:
    tid = library.begin_live(title="t", source_kind="microphone")
    library.append_tokens(tid, [Token(" kept", 0, 100), Token(" maybe", 100, 200, is_final=False)])
    assert [t.text for t in library.tokens(tid)] == [" kept"]


def test_history_lists_newest_first_with_names(tmp_path: Path) -> None:
    clock = iter(range(1000, 2000, 10))
    lib = Library.open(tmp_path / "d")
    lib._clock = lambda: float(next(clock))
    try:
        first = lib.begin_live(title="first", source_kind="microphone")
        second = lib.begin_live(title="second", source_kind="url")
        lib.append_tokens(second, spoken_tokens(5, speakers=1))
        lib.set_speaker_name(second, "1", "Ana")
        rows = lib.list_transcripts()
        assert [r.id for r in rows] == [second, first]
        assert rows[0].speaker_labels == ["Ana"]
        assert lib.count() == 2
        assert [r.id for r in lib.list_transcripts(limit=1, offset=1)] == [first]
    finally:
        lib.close()


def test_rename_and_speaker_names(library: Library) -> None:
    tid = library.begin_live(title="Microphone", source_kind="microphone")
    library.append_tokens(tid, spoken_tokens(40, speakers=2, words_per_turn=20))
    library.rename(tid, "  Weekly sync  ")
    library.set_speaker_name(tid, "1", "Ana")
    library.set_speaker_name(tid, "2", "Speaker 2")  # the default label: nothing stored
    assert library.info(tid).title == "Weekly sync"
    assert library.speaker_names(tid) == {"1": "Ana"}
    loaded = library.load(tid)
    assert loaded.transcript.speaker_label("1") == "Ana"
    library.set_speaker_name(tid, "1", "")
    assert library.speaker_names(tid) == {}
    with pytest.raises(ValueError):
        library.rename(tid, "   ")


def test_corrections_keep_originals_and_timing_and_reach_exports(library: Library) -> None:
    tid = library.begin_live(title="t", source_kind="microphone")
    tokens = [
        Token(" Their", 0, 200, 0.5, True, "1"),
        Token(" is", 200, 300, 0.9, True, "1"),
        Token(" a", 300, 350, 0.9, True, "1"),
        Token(" pro", 400, 500, 0.9, True, "1"),
        Token("blem.", 500, 700, 0.9, True, "1"),
    ]
    library.append_tokens(tid, tokens)
    library.finish_live(tid)
    library.edit(tid, 0, 0, "There")
    library.edit(tid, 3, 4, "problem!")
    loaded = library.load(tid)
    assert loaded.transcript.text() == "There is a problem!"
    merged = loaded.display[-1]
    assert (merged.first_seq, merged.last_seq, merged.edited) == (3, 4, True)
    assert (merged.token.start_ms, merged.token.end_ms) == (400, 700)
    assert library.tokens(tid) == tokens  # the originals are untouched
    assert "There is a problem!" in export_transcript(loaded.transcript, "txt")
    assert "There is a problem!" in export_transcript(loaded.transcript, "srt")
    # An edit overlapping an earlier one absorbs it; reverting restores the original words.
    library.edit(tid, 2, 3, "an issue")
    assert [(e.first_seq, e.last_seq) for e in library.edits(tid)] == [(0, 0), (2, 4)]
    assert library.load(tid).transcript.text() == "There is an issue"
    assert library.revert_edit(tid, 3)
    assert library.load(tid).transcript.text() == "There is a problem."
    assert library.revert_all_edits(tid) == 1
    assert library.load(tid).transcript.text() == "Their is a problem."
    with pytest.raises(ValueError):
        library.edit(tid, 3, 99, "x")


def test_delete_removes_owned_recording_but_never_a_linked_file(library: Library, tmp_path: Path) -> None:
    recorded = library.begin_live(title="mic", source_kind="microphone")
    recording = library.recording_path(recorded, "ogg")
    recording.write_bytes(b"OggS")
    library.set_audio(recorded, recording, owned=True, audio_format="ogg/vorbis")
    library.append_tokens(recorded, spoken_tokens(10))
    library.finish_live(recorded)
    users_file = tmp_path / "mine.wav"
    users_file.write_bytes(b"RIFF")
    linked = library.begin_live(title="file", source_kind="file", source_uri=str(users_file))
    library.set_audio(linked, users_file, owned=False)
    library.finish_live(linked)

    assert library.delete(recorded)
    assert not recording.exists()
    assert library.info(recorded) is None and library.tokens(recorded) == []
    assert library.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == 0
    assert library.delete(linked)
    assert users_file.exists()
    assert not library.delete(linked)


def test_job_transcripts_are_kept_once_with_their_metadata_and_audio_link(library: Library, tmp_path: Path) -> None:
    dropped = tmp_path / "interview.mp3"
    dropped.write_bytes(b"ID3")
    library.link_job_audio("job-1", dropped)
    tokens = [
        SimpleNamespace(
            text=" Hello",
            start_ms=0,
            end_ms=400,
            confidence=0.9,
            speaker="1",
            language="en",
            translation_status=None,
            source_language=None,
        )
    ]
    tid = library.save_job_transcript(_job(), tokens, {"1": "Host"})
    info = library.info(tid)
    assert info.kind == "job" and info.job_id == "job-1" and info.title == "interview.mp3"
    assert info.duration_ms == 61_000 and info.source_kind == "job-file"
    assert info.created_at == datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc).timestamp()
    assert info.audio_path == str(dropped.resolve()) and not info.audio_owned
    assert library.speaker_names(tid) == {"1": "Host"}
    library.edit(tid, 0, 0, "Hi")
    # Fetched again (reopened window): same row, correction kept, names updated.
    again = library.save_job_transcript(_job(audio_duration_ms=62_000), tokens, {"1": "Ana"})
    assert again == tid and library.count() == 1
    assert library.load(tid).transcript.text() == "Hi"
    assert library.speaker_names(tid) == {"1": "Ana"}
    assert library.job_transcript_id("job-1") == tid
    url_job = library.save_job_transcript(_job("job-2", filename=None, audio_url="https://x.test/a.mp3"), [])
    assert library.info(url_job).source_kind == "job-url" and library.info(url_job).title == "https://x.test/a.mp3"


def test_observers_hear_every_change(library: Library) -> None:
    seen: list[tuple[str, int]] = []
    unsubscribe = library.subscribe(lambda c: seen.append((c.kind, c.transcript_id)))
    tid = library.begin_live(title="t", source_kind="microphone")
    library.append_tokens(tid, spoken_tokens(3))
    library.finish_live(tid)
    library.rename(tid, "x")
    library.delete(tid)
    assert seen == [("added", tid), ("tokens", tid), ("updated", tid), ("updated", tid), ("deleted", tid)]
    unsubscribe()
    library.begin_live(title="u", source_kind="microphone")
    assert len(seen) == 5


def test_only_the_primary_instance_recovers_and_only_dead_sessions(tmp_path: Path) -> None:
    first = Library.open(tmp_path / "d")
    running = first.begin_live(title="running", source_kind="microphone")
    first.append_tokens(running, spoken_tokens(50))
    second = Library.open(tmp_path / "d")  # another instance while the first still records
    try:
        assert first.primary and not second.primary
        assert second.recover_interrupted() == []
        assert first.recover_interrupted() == []  # its own session is alive
        assert first.info(running).status == "active"
    finally:
        second.close()
    first.close()  # like a crash: the session was never finished

    after = Library.open(tmp_path / "d")
    try:
        offered = after.recover_interrupted()
        assert [i.id for i in offered] == [running]
        info = offered[0]
        assert info.status == "interrupted" and info.end_reason == "crash" and info.recovery_pending
        assert info.token_count == len(spoken_tokens(50))
        # The passages that were only in memory were rebuilt: the last words are searchable.
        last_words = after.conn.execute("SELECT text FROM chunks ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert last_words.split()[-1].strip(".") in "".join(t.text for t in spoken_tokens(50)[-5:])
        after.resolve_recovery(running)
        assert after.pending_recoveries() == []
        assert after.recover_interrupted() == []
    finally:
        after.close()


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "d" / "library" / "library.sqlite3"
    conn = connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(LibraryError, match="newer version"):
        Library.open(tmp_path / "d")
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 99
    check.close()


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "d" / "library" / "library.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError):
        Library.open(tmp_path / "d")


def test_checkpoints_run_off_the_writers_thread(tmp_path: Path) -> None:
    from desktop.core.library.db import Checkpointer

    lib = Library.open(tmp_path / "d")
    try:
        assert lib.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # never in a COMMIT
        checkpointer = Checkpointer(lib.path, interval_s=0.02, min_wal_bytes=1)
        checkpointer.start()
        tid = lib.begin_live(title="t", source_kind="microphone")
        lib.append_tokens(tid, spoken_tokens(500))
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        checkpointer.stop()
        # The database file alone (without its WAL) now holds the tokens.
        copy = tmp_path / "copy.sqlite3"
        shutil.copyfile(lib.path, copy)
        conn = sqlite3.connect(copy)
        assert conn.execute("SELECT COUNT(*) FROM tokens").fetchone()[0] == len(spoken_tokens(500))
        conn.close()
    finally:
        lib.close()
