"""Storing the user's word corrections beside the original tokens (see :mod:`.edits`).

Each change rebuilds the transcript's search passages in the same transaction, so search finds
the corrected words at once; a session still being written is indexed when it finishes instead
(``reindex=False``), since its last passage is still being built in memory.
"""

from __future__ import annotations

import sqlite3

from desktop.core.library import db
from desktop.core.library.edits import Edit, overlapping
from desktop.core.library.migrations import index_transcript
from desktop.core.library.records import read_edits


def write_correction(
    conn: sqlite3.Connection, tid: int, first_seq: int, last_seq: int, text: str, now: float, *, reindex: bool
) -> Edit:
    """Correct the words ``first_seq..last_seq``; overlapping earlier corrections are merged in."""
    if first_seq > last_seq:
        first_seq, last_seq = last_seq, first_seq
    count = conn.execute("SELECT COUNT(*) FROM tokens WHERE transcript_id = ?", (tid,)).fetchone()[0]
    if first_seq < 0 or last_seq >= count:
        raise ValueError(f"tokens {first_seq}..{last_seq} are outside the transcript (0..{count - 1})")
    touched = overlapping(read_edits(conn, tid), first_seq, last_seq)
    if touched:
        first_seq = min(first_seq, *(e.first_seq for e in touched))
        last_seq = max(last_seq, *(e.last_seq for e in touched))
    edit = Edit(first_seq, last_seq, text, now)
    with db.transaction(conn):
        for old in touched:
            conn.execute("DELETE FROM edits WHERE transcript_id = ? AND first_seq = ?", (tid, old.first_seq))
        conn.execute(
            "INSERT INTO edits (transcript_id, first_seq, last_seq, text, edited_at) VALUES (?, ?, ?, ?, ?)",
            (tid, edit.first_seq, edit.last_seq, edit.text, edit.edited_at),
        )
        if reindex:
            index_transcript(conn, tid)
        conn.execute("UPDATE transcripts SET updated_at = ? WHERE id = ?", (now, tid))
    return edit


def delete_correction(conn: sqlite3.Connection, tid: int, seq: int, *, reindex: bool) -> bool:
    """Drop the correction covering token ``seq``; True if there was one."""
    touched = overlapping(read_edits(conn, tid), seq, seq)
    if not touched:
        return False
    with db.transaction(conn):
        for old in touched:
            conn.execute("DELETE FROM edits WHERE transcript_id = ? AND first_seq = ?", (tid, old.first_seq))
        if reindex:
            index_transcript(conn, tid)
    return True


def delete_all_corrections(conn: sqlite3.Connection, tid: int, *, reindex: bool) -> int:
    with db.transaction(conn):
        n = int(conn.execute("DELETE FROM edits WHERE transcript_id = ?", (tid,)).rowcount)
        if n and reindex:
            index_transcript(conn, tid)
    return n
