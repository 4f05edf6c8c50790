"""The library's repository API: what the app stores and reads back, in plain Python types.

One :class:`Library` per process owns the write connection (use it from one thread: the app's
loop thread). Searching has its own read connection (:class:`~.search.LibrarySearch`) so that a
query typed during a live session never waits for, or delays, the autosave.

Statuses of a transcript: ``active`` (a live session is writing it now), ``interrupted`` (it was
active when its app died: found on the next start and offered back), ``complete``.

Observers (:meth:`Library.subscribe`) hear about every change, so the history panel refreshes
itself whoever made the change (a live session, a fetched job, a rename in a transcript window).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop.core.library import db
from desktop.core.library.chunks import chunk_range
from desktop.core.library.corrections import delete_all_corrections, delete_correction, write_correction
from desktop.core.library.edits import Edit
from desktop.core.library.health import (
    LibraryFailure,
    LibraryProblem,
    check_file,
    classify,
    quick_check,
    reports_damage,
    reports_damage_async,
)
from desktop.core.library.instance_lock import InstanceLock
from desktop.core.library.job_transcripts import write_job_transcript, write_speaker_name
from desktop.core.library.live_writes import LiveSessionWriter
from desktop.core.library.migrations import LATEST, SchemaTooNew, index_transcript, migrate
from desktop.core.library.records import (
    ACTIVE,
    COMPLETE,
    INTERRUPTED,
    Change,
    LibraryTranscript,
    TranscriptInfo,
    read_edits,
    read_info,
    read_tokens,
    read_transcript,
    select_infos,
)
from desktop.core.library.worker import LibraryWorker
from desktop.core.transcript import Token

log = logging.getLogger(__name__)

LIBRARY_FOLDER = "library"
DATABASE_NAME = "library.sqlite3"
RECORDINGS_FOLDER = "recordings"
LOCK_NAME = "instance.lock"


#: At open, ``PRAGMA quick_check`` runs on the spot for a file up to this size (about 7 hours of
#: transcripts). It reads the whole file: ~3-4 ms per MB from the page cache, ~15 ms per MB from
#: a cold disk (bench/bench_library.py; 7.8 MB took 27 ms warm and 95 ms cold, 554 MB 1.5 s and
#: 7.9 s), so this keeps it near 15 ms warm and 60 ms cold. A larger file is checked on a thread
#: of its own after the window shows (:meth:`Library.check_in_background`).
CHECK_AT_OPEN_MAX_BYTES = 4 * 1024 * 1024


class LibraryError(Exception):
    """The library cannot be used; the message is for the user (the app runs on without it).

    :attr:`failure` says why, in a form the UI can act on (what, where, can a new one help).
    """

    def __init__(self, message: str, failure: LibraryFailure | None = None) -> None:
        super().__init__(message)
        self.failure = failure

    @classmethod
    def of(cls, failure: LibraryFailure) -> LibraryError:
        error = failure.user_error
        return cls(f"{error.title}: {error.message} The file: {failure.path}", failure)


class Library:
    """See the module docstring. Create with :meth:`open` (app) or the constructor (tests)."""

    def __init__(
        self,
        path: Path,
        *,
        recordings_dir: Path | None = None,
        lock_path: Path | None = None,
        clock: Callable[[], float] = time.time,
        check_max_bytes: int = CHECK_AT_OPEN_MAX_BYTES,
    ) -> None:
        self.path = Path(path)
        self.recordings_dir = recordings_dir or self.path.parent / RECORDINGS_FOLDER
        self._clock = clock
        self._observers: list[Callable[[Change], None]] = []
        #: Set when SQLite first reports damage while the library is in use (see :meth:`report_error`).
        self.damage: LibraryFailure | None = None
        self._damage_listeners: list[Callable[[LibraryFailure], None]] = []
        self._damage_guard = threading.Lock()
        self._check_conn: sqlite3.Connection | None = None
        self._closed = False
        self._lock = InstanceLock(lock_path or self.path.parent / LOCK_NAME)
        try:
            self._lock.acquire()
            self.conn = db.connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            self._lock.release()
            raise LibraryError.of(classify(exc, self.path)) from exc
        try:
            if not db.has_fts5(self.conn):
                raise LibraryError(
                    "This build of SQLite has no full-text search (FTS5); the library needs it.",
                    LibraryFailure(LibraryProblem.FAILED, self.path, "this SQLite has no full-text search (FTS5)"),
                )
            self.migrated = migrate(self.conn)
            #: False when the file was too large for a quick_check at open: see check_in_background.
            self.checked = self._file_bytes() <= check_max_bytes
            if self.checked:
                problems = quick_check(self.conn)
                if problems:
                    failure = LibraryFailure(LibraryProblem.DAMAGED, self.path, "; ".join(problems[:2]))
                    raise LibraryError.of(failure)
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")  # see db.Checkpointer
            self._checkpointer = db.Checkpointer(self.path)
            self._checkpointer.start()
            self.worker = LibraryWorker(self.path)
            self._live = LiveSessionWriter(self.conn, clock)
        except LibraryError:
            self.close()
            raise
        except SchemaTooNew as exc:
            self.close()
            raise LibraryError.of(classify(exc, self.path, found=exc.found, supported=exc.supported)) from exc
        except sqlite3.Error as exc:
            self.close()
            raise LibraryError.of(classify(exc, self.path)) from exc
        except BaseException:
            self.close()
            raise

    def _file_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += Path(str(self.path) + suffix).stat().st_size
        return total

    @classmethod
    def open(cls, data_dir: Path) -> Library:
        folder = Path(data_dir) / LIBRARY_FOLDER
        return cls(folder / DATABASE_NAME, recordings_dir=folder / RECORDINGS_FOLDER)

    @property
    def schema_version(self) -> int:
        return db.user_version(self.conn)

    @property
    def primary(self) -> bool:
        """True when this is the only app instance using the library (it may recover sessions)."""
        return self._lock.held

    def close(self) -> None:
        """Finish nothing: sessions still active stay active, exactly as after a crash."""
        self._closed = True
        check = self._check_conn
        if check is not None:
            with contextlib.suppress(Exception):
                check.interrupt()
        worker = getattr(self, "worker", None)
        if worker is not None:
            worker.close()
        checkpointer = getattr(self, "_checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()
        with contextlib.suppress(Exception):
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        with contextlib.suppress(Exception):
            self.conn.close()
        self._lock.release()

    # --------------------------------------------------------------------------- observers
    def subscribe(self, observer: Callable[[Change], None]) -> Callable[[], None]:
        """Call ``observer`` after every change; returns a function that unsubscribes."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def _notify(self, kind: str, transcript_id: int) -> None:
        change = Change(kind, transcript_id)
        for observer in list(self._observers):
            try:
                observer(change)
            except Exception:
                log.exception("Library observer failed")

    # --------------------------------------------------------------------------- damage
    def on_damage(self, listener: Callable[[LibraryFailure], None]) -> Callable[[], None]:
        """Call ``listener`` once when the file turns out damaged while in use; returns an unsubscriber.

        It may be called from any thread (a search, the worker, the background check): a UI
        listener hands it to its own thread.
        """
        self._damage_listeners.append(listener)
        return lambda: self._damage_listeners.remove(listener) if listener in self._damage_listeners else None

    def report_error(self, exc: BaseException) -> bool:
        """Tell the damage listeners if ``exc`` says the file is damaged; True if it did."""
        failure = classify(exc, self.path)
        if failure.problem is not LibraryProblem.DAMAGED:
            return False
        self._report(failure)
        return True

    def _report(self, failure: LibraryFailure) -> None:
        with self._damage_guard:
            if self.damage is not None or self._closed:
                return
            self.damage = failure
        log.error("The library is damaged: %s (%s)", failure.detail, failure.path)
        for listener in list(self._damage_listeners):
            try:
                listener(failure)
            except Exception:
                log.exception("Library damage listener failed")

    def check_in_background(self) -> threading.Thread | None:
        """``PRAGMA quick_check`` on a thread of its own, for a file too large to check at open.

        Not on :attr:`worker`: a gigabyte takes seconds, and opening a transcript would wait
        behind it. Damage found is reported like damage met in use; closing the library
        interrupts the check. Returns the thread (None when the file was checked at open).
        """

        def run() -> None:
            failure = check_file(self.path, keep=self._keep_check_conn)
            self._check_conn = None
            if failure is not None and failure.problem is LibraryProblem.DAMAGED:
                self._report(failure)
            elif failure is not None and not self._closed:
                log.warning("Background library check failed: %s", failure.detail)
            else:
                log.info("Background library check found %s sound", self.path)

        thread = threading.Thread(target=run, name="library-check", daemon=True)
        thread.start()
        return thread

    def _keep_check_conn(self, conn: sqlite3.Connection) -> None:
        self._check_conn = conn
        if self._closed:
            conn.interrupt()

    # -------------------------------------------------------------------------- live sessions
    @reports_damage
    def begin_live(
        self,
        *,
        title: str,
        source_kind: str,
        source_label: str = "",
        source_uri: str | None = None,
        config: Mapping[str, Any] | None = None,
        started_at: float | None = None,
    ) -> int:
        """Create the row of a live session that starts now; returns its id."""
        tid = self._live.begin(
            title=title,
            source_kind=source_kind,
            source_label=source_label,
            source_uri=source_uri,
            config=config,
            started_at=started_at,
        )
        self._notify("added", tid)
        return tid

    @reports_damage
    def append_tokens(self, tid: int, tokens: Sequence[Token]) -> int:
        """Store a batch of final tokens in one transaction; returns the new token count."""
        count = self._live.append(tid, tokens)
        if any(t.is_final for t in tokens):
            self._notify("tokens", tid)
        return count

    @reports_damage
    def finish_live(self, tid: int, *, end_reason: str = "finished", duration_ms: int | None = None) -> None:
        """The session ended (Stop, an error, Cancel): index its last passage and mark it complete."""
        self._live.finish(tid, end_reason=end_reason, duration_ms=duration_ms)
        self._notify("updated", tid)

    # ------------------------------------------------------------------------------- recovery
    @reports_damage
    def recover_interrupted(self) -> list[TranscriptInfo]:
        """Mark sessions whose app died as interrupted; returns every one still to be offered.

        Only the primary instance does this: another running instance's active session is alive.
        """
        if not self.primary:
            return []
        orphans = [
            tid
            for (tid,) in self.conn.execute("SELECT id FROM transcripts WHERE status = ?", (ACTIVE,))
            if not self._live.is_active(tid)
        ]
        for tid in orphans:
            with db.transaction(self.conn):
                # The passage being built when the app died was only in memory: rebuild them all.
                index_transcript(self.conn, tid)
                self.conn.execute(
                    "UPDATE transcripts SET status = ?, end_reason = 'crash', recovery_pending = 1, "
                    "ended_at = COALESCE(ended_at, updated_at) WHERE id = ?",
                    (INTERRUPTED, tid),
                )
            log.warning("Found interrupted live session %d; offering it back", tid)
            self._notify("updated", tid)
        return self.pending_recoveries()

    @reports_damage
    def pending_recoveries(self) -> list[TranscriptInfo]:
        return self._select_infos("WHERE recovery_pending = 1 ORDER BY created_at DESC, id DESC")

    @reports_damage
    def resolve_recovery(self, tid: int) -> None:
        """The user saw the offer (opened or kept the session): do not offer it again."""
        with db.transaction(self.conn):
            self.conn.execute("UPDATE transcripts SET recovery_pending = 0 WHERE id = ?", (tid,))
        self._notify("updated", tid)

    # ------------------------------------------------------------------------------- jobs
    @reports_damage
    def link_job_audio(self, job_id: str, path: str | Path) -> None:
        """Remember the local file a job was made from (call when the job is created)."""
        with db.transaction(self.conn):
            self.conn.execute(
                "INSERT OR REPLACE INTO job_audio (job_id, path, linked_at) VALUES (?, ?, ?)",
                (job_id, str(Path(path).resolve()), self._clock()),
            )
            self.conn.execute(
                "UPDATE transcripts SET audio_path = ?, audio_owned = 0 WHERE job_id = ? AND audio_path IS NULL",
                (str(Path(path).resolve()), job_id),
            )

    @reports_damage
    def save_job_transcript(
        self,
        job: Any,
        tokens: Iterable[Any],
        speaker_names: Mapping[str, str] | None = None,
        *,
        audio_path: str | Path | None = None,
    ) -> int:
        """Keep a fetched job transcript on this thread (see :mod:`.job_transcripts`).

        A 3-hour transcript takes a few hundred milliseconds: the app uses
        :meth:`save_job_transcript_async`, which does the work on the library's worker thread.
        """
        tid, existed = write_job_transcript(self.conn, job, tokens, speaker_names, audio_path, self._clock())
        self._notify("updated" if existed else "added", tid)
        return tid

    @reports_damage_async
    async def save_job_transcript_async(
        self,
        job: Any,
        tokens: Iterable[Any],
        speaker_names: Mapping[str, str] | None = None,
        *,
        audio_path: str | Path | None = None,
    ) -> int:
        """:meth:`save_job_transcript` with the building and writing done on the worker thread.

        Observers are told on the caller's (the loop's) thread once the write has committed.
        """
        names = dict(speaker_names or {})
        tokens = list(tokens)
        now = self._clock()

        tid, existed = await self.worker.run(
            lambda conn: write_job_transcript(conn, job, tokens, names, audio_path, now)
        )
        self._notify("updated" if existed else "added", tid)
        return tid

    @reports_damage
    def job_transcript_id(self, job_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM transcripts WHERE job_id = ?", (job_id,)).fetchone()
        return int(row[0]) if row else None

    # ------------------------------------------------------------------------------ reading
    def _select_infos(self, tail: str, params: Sequence[Any] = ()) -> list[TranscriptInfo]:
        return select_infos(self.conn, tail, params)

    @reports_damage
    def list_transcripts(self, *, limit: int = 200, offset: int = 0) -> list[TranscriptInfo]:
        """History rows, newest first."""
        return self._select_infos("ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (limit, offset))

    @reports_damage
    def infos(self, ids: Sequence[int]) -> dict[int, TranscriptInfo]:
        if not ids:
            return {}
        out: dict[int, TranscriptInfo] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for info in self._select_infos(f"WHERE id IN ({marks})", part):
                out[info.id] = info
        return out

    @reports_damage
    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM transcripts").fetchone()[0])

    @reports_damage
    def info(self, tid: int) -> TranscriptInfo | None:
        return read_info(self.conn, tid)

    @reports_damage
    def tokens(self, tid: int) -> list[Token]:
        """The original final tokens, markers included, in order (index = seq)."""
        return read_tokens(self.conn, tid)

    @reports_damage
    def edits(self, tid: int) -> list[Edit]:
        return read_edits(self.conn, tid)

    @reports_damage
    def speaker_names(self, tid: int) -> dict[str, str]:
        return dict(self.conn.execute("SELECT speaker, name FROM speaker_names WHERE transcript_id = ?", (tid,)))

    @reports_damage
    def load(self, tid: int) -> LibraryTranscript | None:
        """The transcript as shown and exported: corrections applied, names set.

        A 3-hour transcript takes ~170 ms; the UI uses :meth:`load_async`.
        """
        return read_transcript(self.conn, tid)

    @reports_damage_async
    async def load_async(self, tid: int) -> LibraryTranscript | None:
        """:meth:`load` on the worker thread: the loop keeps painting while it reads."""
        return await self.worker.run(lambda conn: read_transcript(conn, tid))

    # ------------------------------------------------------------------------------ editing
    @reports_damage
    def rename(self, tid: int, title: str) -> None:
        title = title.strip()
        if not title:
            raise ValueError("a title cannot be empty")
        with db.transaction(self.conn):
            self.conn.execute(
                "UPDATE transcripts SET title = ?, updated_at = ? WHERE id = ?", (title, self._clock(), tid)
            )
        self._notify("updated", tid)

    @reports_damage
    def delete(self, tid: int) -> bool:
        """Delete a transcript with everything it owns, its recording included; True if it existed.

        A linked file (the user's own audio) is never deleted.
        """
        info = self.info(tid)
        if info is None:
            return False
        lo, hi = chunk_range(tid)
        with db.transaction(self.conn):
            self.conn.execute("DELETE FROM chunks WHERE id BETWEEN ? AND ?", (lo, hi))
            self.conn.execute("DELETE FROM transcripts WHERE id = ?", (tid,))
        self._live.forget(tid)
        if info.audio_owned and info.audio_path:
            try:
                Path(info.audio_path).unlink(missing_ok=True)
            except OSError as exc:
                log.warning("Could not delete the recording %s: %s", info.audio_path, exc)
        self._notify("deleted", tid)
        return True

    def _write_speaker_name(self, tid: int, speaker: str, name: str) -> None:
        write_speaker_name(self.conn, tid, speaker, name)

    @reports_damage
    def set_speaker_name(self, tid: int, speaker: str, name: str) -> None:
        """Name a speaker in one transcript; an empty name (or "Speaker N") restores the default."""
        with db.transaction(self.conn):
            self._write_speaker_name(tid, speaker, name)
            self.conn.execute("UPDATE transcripts SET updated_at = ? WHERE id = ?", (self._clock(), tid))
        self._notify("updated", tid)

    @reports_damage
    def edit(self, tid: int, first_seq: int, last_seq: int, text: str) -> Edit:
        """Correct the words ``first_seq..last_seq`` (see :func:`.corrections.write_correction`)."""
        edit = write_correction(
            self.conn, tid, first_seq, last_seq, text, self._clock(), reindex=not self._live.is_active(tid)
        )
        self._notify("updated", tid)
        return edit

    @reports_damage
    def revert_edit(self, tid: int, seq: int) -> bool:
        """Drop the correction covering token ``seq``; True if there was one."""
        reverted = delete_correction(self.conn, tid, seq, reindex=not self._live.is_active(tid))
        if reverted:
            self._notify("updated", tid)
        return reverted

    @reports_damage
    def revert_all_edits(self, tid: int) -> int:
        n = delete_all_corrections(self.conn, tid, reindex=not self._live.is_active(tid))
        if n:
            self._notify("updated", tid)
        return n

    # -------------------------------------------------------------------------------- audio
    def recording_path(self, tid: int, extension: str) -> Path:
        """Where the library keeps transcript ``tid``'s own recording (a name no file has yet).

        A library that was set aside (:func:`.health.set_aside`) leaves its recordings here for
        its rows to find, and a fresh library numbers its transcripts from 1 again: its
        recordings must not overwrite them.
        """
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        ext = extension.lstrip(".")
        path = self.recordings_dir / f"session-{tid:06d}.{ext}"
        n = 2
        while path.exists():
            path = self.recordings_dir / f"session-{tid:06d}-{n}.{ext}"
            n += 1
        return path

    @reports_damage
    def set_audio(self, tid: int, path: str | Path | None, *, owned: bool, audio_format: str | None = None) -> None:
        """Attach audio: the library's recording (``owned``) or a link to the user's file."""
        with db.transaction(self.conn):
            self.conn.execute(
                "UPDATE transcripts SET audio_path = ?, audio_owned = ?, audio_format = ?, updated_at = ? WHERE id = ?",
                (str(path) if path else None, int(owned), audio_format, self._clock(), tid),
            )
        self._notify("updated", tid)

    # ------------------------------------------------------------------------ maintenance
    @reports_damage
    def reindex(self, tid: int) -> int:
        with db.transaction(self.conn):
            return index_transcript(self.conn, tid)

    def size_bytes(self) -> int:
        """The database with its WAL, as it takes space on disk."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                total += Path(str(self.path) + suffix).stat().st_size
        return total


__all__ = [
    "ACTIVE",
    "COMPLETE",
    "INTERRUPTED",
    "LATEST",
    "Change",
    "Library",
    "LibraryError",
    "LibraryTranscript",
    "TranscriptInfo",
    "select_infos",
]
