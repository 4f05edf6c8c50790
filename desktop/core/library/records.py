"""The library's rows as Python values, and the reads that any connection (any thread) can do.

Kept apart from :class:`~.store.Library` so the worker thread (:mod:`.worker`) can read a
transcript with its own connection, and the job-transcript writer (:mod:`.job_transcripts`) can
count words, without either depending on the ``Library`` object that lives on the loop thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.library.edits import DisplayToken, Edit, apply_edits, is_word
from desktop.core.library.rows import TOKEN_COLUMNS, row_to_token
from desktop.core.transcript import Token, Transcript, default_speaker_label

ACTIVE = "active"
INTERRUPTED = "interrupted"
COMPLETE = "complete"

_INFO_COLUMNS = (
    "id, kind, title, created_at, ended_at, duration_ms, source_kind, source_label, source_uri, status, "
    "end_reason, recovery_pending, token_count, word_count, speakers, job_id, audio_path, audio_owned, "
    "audio_format, updated_at"
)


@dataclass(frozen=True)
class TranscriptInfo:
    """One history row: everything the list shows, without the tokens."""

    id: int
    kind: str
    title: str
    created_at: float
    ended_at: float | None
    duration_ms: int
    source_kind: str
    source_label: str
    source_uri: str | None
    status: str
    end_reason: str | None
    recovery_pending: bool
    token_count: int
    word_count: int
    speakers: tuple[str, ...]
    job_id: str | None
    audio_path: str | None
    audio_owned: bool
    audio_format: str | None
    updated_at: float
    speaker_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def speaker_labels(self) -> list[str]:
        return [self.speaker_names.get(s) or default_speaker_label(s) for s in self.speakers]

    @property
    def interrupted(self) -> bool:
        return self.status == INTERRUPTED or self.end_reason == "crash"


@dataclass(frozen=True)
class LibraryTranscript:
    """A stored transcript ready to show: corrections applied, speaker names set."""

    info: TranscriptInfo
    display: list[DisplayToken]
    transcript: Transcript
    edits: list[Edit]

    @property
    def original_count(self) -> int:
        return self.info.token_count


@dataclass(frozen=True)
class Change:
    """What changed: ``added``, ``updated``, ``tokens`` (a live batch), ``deleted``."""

    kind: str
    transcript_id: int


def _info(row: Sequence[Any], names: Mapping[str, str] | None = None) -> TranscriptInfo:
    (
        tid,
        kind,
        title,
        created,
        ended,
        duration,
        skind,
        slabel,
        suri,
        status,
        reason,
        pending,
        tokens,
        words,
        speakers,
        job_id,
        audio,
        owned,
        audio_fmt,
        updated,
    ) = row
    return TranscriptInfo(
        id=tid,
        kind=kind,
        title=title,
        created_at=created,
        ended_at=ended,
        duration_ms=duration or 0,
        source_kind=skind,
        source_label=slabel,
        source_uri=suri,
        status=status,
        end_reason=reason,
        recovery_pending=bool(pending),
        token_count=tokens,
        word_count=words,
        speakers=tuple(s for s in speakers.split(",") if s) if speakers else (),
        job_id=job_id,
        audio_path=audio,
        audio_owned=bool(owned),
        audio_format=audio_fmt,
        updated_at=updated,
        speaker_names=dict(names or {}),
    )


def select_infos(conn: sqlite3.Connection, tail: str, params: Sequence[Any] = ()) -> list[TranscriptInfo]:
    """History rows selected by ``tail`` (``WHERE … ORDER BY …``), with their speaker names."""
    rows = conn.execute(f"SELECT {_INFO_COLUMNS} FROM transcripts {tail}", params).fetchall()
    ids = [r[0] for r in rows]
    names: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for tid, speaker, name in conn.execute(
            f"SELECT transcript_id, speaker, name FROM speaker_names WHERE transcript_id IN ({marks})", part
        ):
            names.setdefault(tid, {})[speaker] = name
    return [_info(r, names.get(r[0])) for r in rows]


def words_in(tokens: Iterable[Token], first_word: bool) -> int:
    """Spoken words: tokens that start with a space, plus the very first one."""
    count = 0
    for token in tokens:
        if not is_word(token) or not token.text.strip():
            continue
        if first_word or token.text[:1].isspace():
            count += 1
        first_word = False
    return count


def read_info(conn: sqlite3.Connection, tid: int) -> TranscriptInfo | None:
    found = select_infos(conn, "WHERE id = ?", (tid,))
    return found[0] if found else None


def read_tokens(conn: sqlite3.Connection, tid: int) -> list[Token]:
    """The original final tokens, markers included, in order (index = seq)."""
    return [
        row_to_token(r)
        for r in conn.execute(f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE transcript_id = ? ORDER BY seq", (tid,))
    ]


def read_edits(conn: sqlite3.Connection, tid: int) -> list[Edit]:
    return [
        Edit(*r)
        for r in conn.execute(
            "SELECT first_seq, last_seq, text, edited_at FROM edits WHERE transcript_id = ? ORDER BY first_seq",
            (tid,),
        )
    ]


def read_transcript(conn: sqlite3.Connection, tid: int) -> LibraryTranscript | None:
    """The transcript as shown and exported: corrections applied, speaker names set."""
    info = read_info(conn, tid)
    if info is None:
        return None
    edits = read_edits(conn, tid)
    display = apply_edits(read_tokens(conn, tid), edits)
    transcript = Transcript.from_tokens(d.token for d in display)
    for speaker, name in info.speaker_names.items():
        transcript.rename_speaker(speaker, name)
    return LibraryTranscript(info, display, transcript, edits)
