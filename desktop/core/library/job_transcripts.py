"""Keeping a fetched job transcript: built off the loop, written in one short transaction.

Split in two so the expensive part never holds the database's write lock: turning the SDK's
tokens into stored rows (a 3-hour transcript is ~100,000 tokens) happens in
:func:`prepare_job_transcript` before ``BEGIN``, and :func:`write_job_transcript` only inserts.
Both take plain values and a connection, so they run on the library's worker thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.core.library import db
from desktop.core.library.migrations import index_transcript
from desktop.core.library.records import COMPLETE, words_in
from desktop.core.library.rows import INSERT_TOKEN, token_to_row
from desktop.core.transcript import Token, default_speaker_label


@dataclass(frozen=True)
class PreparedJobTranscript:
    """What :func:`write_job_transcript` inserts: the job's metadata and its tokens as stored."""

    job_id: str
    meta: dict[str, Any]
    tokens: list[Token]
    word_count: int
    speakers: list[str]
    max_end_ms: int


def prepare_job_transcript(job: Any, tokens: Iterable[Any]) -> PreparedJobTranscript:
    """Build the stored tokens (all final: a completed job's tokens never change)."""
    stored = [Token.from_sdk(t) for t in tokens]
    stored = [t if t.is_final else replace(t, is_final=True) for t in stored]
    return PreparedJobTranscript(
        job_id=str(job.id),
        meta=job_meta(job),
        tokens=stored,
        word_count=words_in(stored, True),
        speakers=list(dict.fromkeys(t.speaker for t in stored if t.speaker is not None)),
        max_end_ms=max((t.end_ms for t in stored if t.end_ms is not None), default=0),
    )


def write_speaker_name(conn: sqlite3.Connection, tid: int, speaker: str, name: str) -> None:
    """Store a speaker's name; an empty name (or the default "Speaker N") removes it."""
    name = name.strip()
    if name and name != default_speaker_label(speaker):
        conn.execute(
            "INSERT OR REPLACE INTO speaker_names (transcript_id, speaker, name) VALUES (?, ?, ?)",
            (tid, speaker, name),
        )
    else:
        conn.execute("DELETE FROM speaker_names WHERE transcript_id = ? AND speaker = ?", (tid, speaker))


def write_job_transcript(
    conn: sqlite3.Connection,
    job: Any,
    tokens: Iterable[Any],
    speaker_names: Mapping[str, str] | None,
    audio_path: str | Path | None,
    now: float,
) -> tuple[int, bool]:
    """Insert (or update) the job's transcript; returns its id and whether it already existed.

    Saving the same job again (after each speaker rename) updates its metadata and speaker names
    but keeps the stored tokens and the user's corrections, so the tokens are only built for a
    job seen for the first time.
    """
    job_id = str(job.id)
    existing = conn.execute("SELECT id FROM transcripts WHERE job_id = ?", (job_id,)).fetchone()
    prepared = prepare_job_transcript(job, () if existing is not None else tokens)
    meta = prepared.meta
    link = conn.execute("SELECT path FROM job_audio WHERE job_id = ?", (job_id,)).fetchone()
    audio = str(audio_path) if audio_path else (link[0] if link else None)
    with db.transaction(conn):
        if existing is not None:
            tid = int(existing[0])
            conn.execute(
                "UPDATE transcripts SET job_json = ?, duration_ms = MAX(duration_ms, ?), "
                "audio_path = COALESCE(audio_path, ?), updated_at = ? WHERE id = ?",
                (meta["json"], meta["duration_ms"], audio, now, tid),
            )
        else:
            cur = conn.execute(
                "INSERT INTO transcripts (kind, title, created_at, ended_at, duration_ms, source_kind, "
                "source_label, source_uri, job_id, job_json, status, token_count, word_count, speakers, "
                "updated_at, audio_path, audio_owned) "
                "VALUES ('job', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    meta["title"],
                    meta["created_at"],
                    meta["created_at"],
                    max(meta["duration_ms"], prepared.max_end_ms),
                    meta["source_kind"],
                    meta["title"],
                    meta["uri"],
                    prepared.job_id,
                    meta["json"],
                    COMPLETE,
                    len(prepared.tokens),
                    prepared.word_count,
                    ",".join(prepared.speakers),
                    now,
                    audio,
                ),
            )
            tid = int(cur.lastrowid or 0)
            # A generator, not a list: 100,000 row tuples alive at once would set off a full
            # garbage collection, which holds the GIL (and so the UI thread) for ~20 ms.
            conn.executemany(INSERT_TOKEN, (token_to_row(tid, i, t) for i, t in enumerate(prepared.tokens)))
            index_transcript(conn, tid)
        for speaker, name in (speaker_names or {}).items():
            write_speaker_name(conn, tid, str(speaker), name)
    return tid, existing is not None


def job_meta(job: Any) -> dict[str, Any]:
    created = getattr(job, "created_at", None)
    if isinstance(created, datetime):
        created_at = created.timestamp()
    elif isinstance(created, (int, float)):
        created_at = float(created)
    else:
        created_at = time.time()
    audio_url = getattr(job, "audio_url", None)
    filename = getattr(job, "filename", None)
    title = filename or audio_url or getattr(job, "file_id", None) or str(job.id)
    dump = getattr(job, "model_dump_json", None)
    try:
        job_json = dump() if callable(dump) else json.dumps({"id": str(job.id)})
    except Exception:  # metadata is a courtesy; never lose a transcript over it
        job_json = json.dumps({"id": str(job.id)})
    return {
        "title": str(title),
        "created_at": created_at,
        "duration_ms": int(getattr(job, "audio_duration_ms", None) or 0),
        "source_kind": "job-url" if audio_url else "job-file",
        "uri": audio_url or filename,
        "json": job_json,
    }
