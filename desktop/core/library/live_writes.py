"""Writing a live session as it runs: numbering, counts and search passages kept in memory.

The history row of a running session must match its stored tokens after any crash, so every
batch writes the tokens, the closed search passages and the row's counts in one transaction.
What makes that cheap (the next token number, the passage being built, the speakers so far) is
kept here per active session; a session resumed after recovery re-reads it from the database.
The :class:`~.store.Library` owns one writer on its connection and tells observers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.library import db
from desktop.core.library.chunks import Chunker, chunk_id, chunk_range
from desktop.core.library.migrations import index_transcript
from desktop.core.library.records import ACTIVE, COMPLETE, read_info, words_in
from desktop.core.library.rows import INSERT_TOKEN, token_to_row
from desktop.core.transcript import Token


@dataclass
class _Live:
    """Per active session: the next token number and the search passages being built."""

    next_seq: int
    chunker: Chunker
    word_count: int
    max_end_ms: int
    speakers: dict[str, None]


def _safe_config(config: Mapping[str, Any] | None) -> str | None:
    """The realtime config as JSON, without anything that looks like a credential."""
    if not config:
        return None
    clean = {k: v for k, v in config.items() if "key" not in k.lower() and v is not None}
    return json.dumps(clean, ensure_ascii=False, default=str)


class LiveSessionWriter:
    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self.conn = conn
        self._clock = clock
        self._sessions: dict[int, _Live] = {}

    def is_active(self, tid: int) -> bool:
        """True while this app writes the session (begun or resumed, not yet finished)."""
        return tid in self._sessions

    def forget(self, tid: int) -> None:
        self._sessions.pop(tid, None)

    def next_seq(self, tid: int) -> int:
        state = self._sessions.get(tid)
        return state.next_seq if state is not None else -1

    def begin(
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
        now = self._clock()
        with db.transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO transcripts (kind, title, created_at, source_kind, source_label, source_uri, "
                "config_json, status, updated_at) VALUES ('live', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    title,
                    started_at or now,
                    source_kind,
                    source_label,
                    source_uri,
                    _safe_config(config),
                    ACTIVE,
                    now,
                ),
            )
        tid = int(cur.lastrowid or 0)
        self._sessions[tid] = _Live(0, Chunker(), 0, 0, {})
        return tid

    def _live_state(self, tid: int) -> _Live:
        state = self._sessions.get(tid)
        if state is None:  # a session resumed after recovery: continue the numbering
            row = self.conn.execute(
                "SELECT COALESCE(MAX(seq) + 1, 0), COALESCE(MAX(end_ms), 0) FROM tokens WHERE transcript_id = ?",
                (tid,),
            ).fetchone()
            info = read_info(self.conn, tid)
            lo, hi = chunk_range(tid)
            last_chunk = self.conn.execute("SELECT MAX(id) FROM chunks WHERE id BETWEEN ? AND ?", (lo, hi)).fetchone()
            next_chunk = (last_chunk[0] - lo + 1) if last_chunk and last_chunk[0] is not None else 0
            state = _Live(
                int(row[0]),
                Chunker(next_chunk),
                info.word_count if info else 0,
                int(row[1]),
                dict.fromkeys(info.speakers if info else ()),
            )
            self._sessions[tid] = state
        return state

    def append(self, tid: int, tokens: Sequence[Token]) -> int:
        """Store a batch of final tokens in one transaction; returns the new token count.

        The row's counts, duration and speakers and the closed search passages are written in
        the same transaction, so after a crash the history row matches the tokens exactly.
        """
        tokens = [t for t in tokens if t.is_final]
        if not tokens:
            return self._live_state(tid).next_seq
        state = self._live_state(tid)
        rows = []
        chunks = []
        seq = state.next_seq
        first_word = state.word_count == 0
        for token in tokens:
            rows.append(token_to_row(tid, seq, token))
            closed = state.chunker.feed(seq, seq, token)
            if closed is not None:
                chunks.append(closed)
            if token.end_ms is not None and token.end_ms > state.max_end_ms:
                state.max_end_ms = token.end_ms
            if token.speaker is not None:
                state.speakers.setdefault(token.speaker, None)
            seq += 1
        words = words_in(tokens, first_word)
        try:
            with db.transaction(self.conn):
                self.conn.executemany(INSERT_TOKEN, rows)
                if chunks:
                    self._insert_chunks(tid, chunks)
                self.conn.execute(
                    "UPDATE transcripts SET token_count = ?, word_count = word_count + ?, "
                    "duration_ms = MAX(duration_ms, ?), speakers = ?, updated_at = ? WHERE id = ?",
                    (seq, words, state.max_end_ms, ",".join(state.speakers), self._clock(), tid),
                )
        except BaseException:
            self._sessions.pop(tid, None)  # re-read the numbering from the database next time
            raise
        state.next_seq = seq
        state.word_count += words
        return seq

    def _insert_chunks(self, tid: int, chunks: Iterable[Any]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO chunks (id, first_seq, last_seq, start_ms, speaker, text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(chunk_id(tid, c.number), c.first_seq, c.last_seq, c.start_ms, c.speaker, c.text) for c in chunks],
        )

    def finish(self, tid: int, *, end_reason: str = "finished", duration_ms: int | None = None) -> None:
        """The session ended (Stop, an error, Cancel): index its last passage and mark it complete."""
        state = self._sessions.pop(tid, None)
        tail = state.chunker.flush() if state is not None else None
        edited = self.conn.execute("SELECT 1 FROM edits WHERE transcript_id = ? LIMIT 1", (tid,)).fetchone()
        with db.transaction(self.conn):
            if edited or state is None:
                index_transcript(self.conn, tid)  # corrections made while it ran, or no passages in memory
            elif tail is not None:
                self._insert_chunks(tid, [tail])
            self.conn.execute(
                "UPDATE transcripts SET status = ?, end_reason = ?, ended_at = ?, "
                "duration_ms = MAX(duration_ms, ?), updated_at = ? WHERE id = ?",
                (COMPLETE, end_reason, self._clock(), duration_ms or 0, self._clock(), tid),
            )
