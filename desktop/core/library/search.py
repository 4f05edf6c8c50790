"""Full-text search across the library (FTS5), fast enough to answer while the user types.

Ranking every hit by relevance would make a common word ("the") cost a pass over millions of
passages; instead results come **newest transcript first**, which is also how the history is
ordered. Passage rowids hold their transcript id in the high bits (:mod:`.chunks`), so:

1. ``MATCH ? AND rowid <= cursor ORDER BY rowid DESC LIMIT 1`` finds the newest transcript with
   a match at or below the cursor; FTS5 walks its doclists backwards and stops at the first hit;
2. ``MATCH ? AND rowid BETWEEN lo AND hi`` lists that transcript's matching passages (a seek);
3. ``snippet()`` runs for the first few of those only;
4. the cursor moves below that transcript and the loop repeats until a page is full.

The cost of a page is therefore proportional to the page, not to the library
(``bench/bench_library.py`` measures it over 1,000 hour-long transcripts).

The worker owns its own read-only connection (WAL: it never blocks the live autosave) and a
query that is overtaken by the next keystroke is interrupted (:meth:`LibrarySearch.cancel`).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.library import db
from desktop.core.library.chunks import chunk_range, transcript_of
from desktop.core.library.store import TranscriptInfo, select_infos

#: Snippet highlight delimiters: control characters never found in transcript text.
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 14
#: Matching passages counted per transcript (the count shown is "at least" beyond it).
COUNT_CAP = 999
#: The last word is searched as a prefix ("budg" finds "budget") from this many characters on:
#: a one- or two-letter prefix matches most of the vocabulary and is slow to merge.
MIN_PREFIX = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'"([^"]*)"?|(\S+)')


class SearchCanceled(Exception):
    """The query was interrupted because a newer one replaced it."""


@dataclass(frozen=True)
class SearchHit:
    """One matching passage: where to open the transcript and what to show."""

    transcript_id: int
    chunk_rowid: int
    first_seq: int
    last_seq: int
    start_ms: int | None
    speaker: str | None
    snippet: str  # with MARK_START/MARK_END around matched words


@dataclass(frozen=True)
class SearchResult:
    info: TranscriptInfo
    hits: tuple[SearchHit, ...]
    hit_count: int  # matching passages (capped at COUNT_CAP)
    title_match: bool = False


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: tuple[SearchResult, ...]
    #: Pass as ``before`` to get the next page; None when there is no more.
    next_cursor: int | None = None
    fts_query: str = ""
    terms: tuple[str, ...] = field(default_factory=tuple)


def query_terms(text: str) -> list[str]:
    """The words of a query, for highlighting them in the opened transcript."""
    return [w for w in _WORD.findall(text)]


def build_fts_query(text: str) -> str | None:
    """User text to an FTS5 query: every word must occur; "quoted words" form a phrase.

    Everything is quoted, so FTS5 operators typed by accident (AND, -, :, *) are plain words.
    While typing, the last word is a prefix.
    """
    terms: list[str] = []
    last_plain = ""
    for match in _PART.finditer(text):
        if match.group(1) is not None:
            words = _WORD.findall(match.group(1))
            if words:
                terms.append('"' + " ".join(words) + '"')
            last_plain = ""
            continue
        for word in _WORD.findall(match.group(2) or ""):
            terms.append('"' + word + '"')
            last_plain = word
    if not terms:
        return None
    typing = bool(text) and not text[-1].isspace() and not text.rstrip().endswith('"')
    if typing and last_plain and len(last_plain) >= MIN_PREFIX and terms[-1] == f'"{last_plain}"':
        terms[-1] += "*"
    return " ".join(terms)


class LibrarySearch:
    """Runs queries on its own connection; safe to call from one worker thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = db.connect(self.path, readonly=True, check_same_thread=False)
        return self._conn

    def cancel(self) -> None:
        """Interrupt the running query (from any thread); it raises :class:`SearchCanceled`."""
        conn = self._conn
        if conn is not None:
            conn.interrupt()

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def search(
        self, text: str, *, limit: int = 50, before: int | None = None, hits_per_transcript: int = 3
    ) -> SearchPage:
        """The newest ``limit`` transcripts matching ``text`` (title or words), with snippets."""
        fts = build_fts_query(text)
        terms = tuple(query_terms(text))
        if fts is None:
            return SearchPage(text, (), None, "", terms)
        with self._lock:
            conn = self._connection()
            try:
                return self._search(conn, text, fts, terms, limit, before, hits_per_transcript)
            except sqlite3.OperationalError as exc:
                if "interrupt" in str(exc).lower():
                    raise SearchCanceled(text) from None
                raise

    def _search(
        self,
        conn: sqlite3.Connection,
        text: str,
        fts: str,
        terms: tuple[str, ...],
        limit: int,
        before: int | None,
        per: int,
    ) -> SearchPage:
        found: list[tuple[int, list[int]]] = []
        cursor = before
        next_cursor: int | None = None
        while len(found) < limit:
            if cursor is None:
                row = conn.execute(
                    "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rowid DESC LIMIT 1",
                    (fts,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid < ? "
                    "ORDER BY rowid DESC LIMIT 1",
                    (fts, cursor),
                ).fetchone()
            if row is None:
                break
            tid = transcript_of(row[0])
            lo, hi = chunk_range(tid)
            rowids = [
                r[0]
                for r in conn.execute(
                    "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid BETWEEN ? AND ? "
                    "ORDER BY rowid LIMIT ?",
                    (fts, lo, hi, COUNT_CAP),
                )
            ]
            found.append((tid, rowids))
            cursor = lo
        else:
            next_cursor = cursor
        hits = self._snippets(conn, fts, [r for _tid, rowids in found for r in rowids[:per]])
        ids = [tid for tid, _rowids in found]
        title_ids = self._title_matches(conn, terms, before is None)
        infos = {i.id: i for i in _infos(conn, list(dict.fromkeys(title_ids + ids)))}
        results: list[SearchResult] = []
        content = {tid: rowids for tid, rowids in found}
        for tid in title_ids:
            if tid in infos:
                rowids = content.pop(tid, [])
                results.append(
                    SearchResult(
                        infos[tid],
                        tuple(hits[r] for r in rowids[:per] if r in hits),
                        len(rowids),
                        title_match=True,
                    )
                )
        ordered = sorted(
            (infos[tid] for tid in content if tid in infos), key=lambda i: (i.created_at, i.id), reverse=True
        )
        for info in ordered:
            rowids = content[info.id]
            results.append(SearchResult(info, tuple(hits[r] for r in rowids[:per] if r in hits), len(rowids)))
        return SearchPage(text, tuple(results), next_cursor, fts, terms)

    @staticmethod
    def _snippets(conn: sqlite3.Connection, fts: str, rowids: list[int]) -> dict[int, SearchHit]:
        hits: dict[int, SearchHit] = {}
        for start in range(0, len(rowids), 200):
            part = rowids[start : start + 200]
            marks = ",".join("?" * len(part))
            rows = conn.execute(
                "SELECT f.rowid, snippet(chunks_fts, 0, ?, ?, ?, ?), "
                "c.first_seq, c.last_seq, c.start_ms, c.speaker "
                f"FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                f"WHERE chunks_fts MATCH ? AND f.rowid IN ({marks})",
                (MARK_START, MARK_END, ELLIPSIS, SNIPPET_TOKENS, fts, *part),
            )
            for rowid, snippet, first, last, start_ms, speaker in rows:
                hits[rowid] = SearchHit(transcript_of(rowid), rowid, first, last, start_ms, speaker, snippet)
        return hits

    @staticmethod
    def _title_matches(conn: sqlite3.Connection, terms: tuple[str, ...], first_page: bool) -> list[int]:
        """Transcripts whose title holds every word (first page only: titles are few)."""
        if not first_page or not terms:
            return []
        clauses = " AND ".join("title LIKE ? ESCAPE '\\'" for _ in terms)
        params = ["%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for t in terms]
        return [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM transcripts WHERE {clauses} ORDER BY created_at DESC, id DESC LIMIT 50",
                params,
            )
        ]


def _infos(conn: sqlite3.Connection, ids: list[int]) -> list[TranscriptInfo]:
    out: list[TranscriptInfo] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        out += select_infos(conn, f"WHERE id IN ({','.join('?' * len(part))})", part)
    return out
