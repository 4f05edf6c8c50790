"""Full-text search across the library (FTS5), fast enough to answer while the user types.

A transcript matches when it holds every word of the query (anywhere in it, not necessarily in
one passage); "quoted words" must occur together. Ranking every hit by relevance would make a
common word cost a pass over millions of passages; instead results come **newest transcript
first**, which is also how the history is ordered. Passage rowids hold their transcript id in the
high bits (:mod:`.chunks`), so:

1. the query term that the fewest passages hold (``fts5vocab`` counts) *drives*:
   ``MATCH driver AND rowid < cursor ORDER BY rowid DESC LIMIT 1`` finds the newest transcript
   holding it; FTS5 walks its doclist backwards and stops at the first hit;
2. every other term is checked inside that transcript's rowid range (a seek each);
3. its matching passages are listed (``MATCH t1 OR t2 … AND rowid BETWEEN lo AND hi``), those
   holding all terms first, and ``snippet()`` runs for the first few only;
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
import unicodedata
from collections.abc import Callable, Generator
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
COUNT_CAP = 200
#: A multi-word query gives up after checking this many transcripts holding its rarest word.
MAX_CANDIDATES = 5000
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


@dataclass(frozen=True)
class Term:
    """One FTS5 term of a query: a word, a word being typed (prefix) or a quoted phrase."""

    fts: str
    words: tuple[str, ...]
    prefix: bool = False


def parse_terms(text: str) -> list[Term]:
    """User text to terms. Everything is quoted, so FTS5 operators typed by accident
    (AND, -, :, *) are plain words. While typing, the last word is a prefix."""
    terms: list[Term] = []
    last_plain = False
    for match in _PART.finditer(text):
        if match.group(1) is not None:
            words = tuple(_WORD.findall(match.group(1)))
            if words:
                terms.append(Term('"' + " ".join(words) + '"', words))
            last_plain = False
            continue
        for word in _WORD.findall(match.group(2) or ""):
            terms.append(Term('"' + word + '"', (word,)))
            last_plain = True
    typing = bool(text) and not text[-1].isspace() and not text.rstrip().endswith('"')
    if terms and typing and last_plain and len(terms[-1].words[0]) >= MIN_PREFIX:
        last = terms[-1]
        terms[-1] = Term(last.fts + "*", last.words, prefix=True)
    return terms


def build_fts_query(text: str) -> str | None:
    """The passage-level FTS5 query (every term in one passage), or None for no words."""
    terms = parse_terms(text)
    return " ".join(t.fts for t in terms) if terms else None


def _vocab_key(word: str) -> str:
    """A word as FTS5's unicode61 tokenizer stores it (lower case, no diacritics), near enough
    for estimating how common it is."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def make_snippet(text: str, terms: list[Term], size: int = SNIPPET_TOKENS) -> str:
    """About ``size`` words of ``text`` around its first match, matched words between marks.

    Words are compared the way the index compares them (lower case, no diacritics), and the
    word being typed as a prefix.
    """
    exact = {_vocab_key(w) for t in terms for w in (t.words[:-1] if t.prefix else t.words)}
    prefixes = tuple(_vocab_key(t.words[-1]) for t in terms if t.prefix)
    words = list(_WORD.finditer(text))
    if not words:
        return text
    keys = [_vocab_key(m.group()) for m in words]
    hit = [key in exact or (bool(prefixes) and key.startswith(prefixes)) for key in keys]
    first = hit.index(True) if any(hit) else 0
    begin = max(0, min(first - size // 4, len(words) - size))
    end = min(len(words), begin + size)
    out: list[str] = [ELLIPSIS if begin > 0 else ""]
    position = words[begin].start()
    for i in range(begin, end):
        m = words[i]
        out.append(text[position : m.start()])
        out.append(f"{MARK_START}{m.group()}{MARK_END}" if hit[i] else m.group())
        position = m.end()
    tail_end = words[end].start() if end < len(words) else len(text)
    out.append(text[position:tail_end].rstrip() if end < len(words) else text[position:])
    if end < len(words):
        out.append(ELLIPSIS)
    return "".join(out).strip()


class LibrarySearch:
    """Runs queries on its own connection; safe to call from one worker thread at a time."""

    def __init__(self, path: Path, *, on_error: Callable[[BaseException], object] | None = None) -> None:
        self.path = Path(path)
        #: Told of every failed query but an interrupted one (the library reports damage with it).
        self.on_error = on_error
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._vocab = False

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = db.connect(self.path, readonly=True, check_same_thread=False)
            self._vocab = False
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
        terms = parse_terms(text)
        words = tuple(query_terms(text))
        if not terms:
            return SearchPage(text, (), None, "", words)
        with self._lock:
            conn = self._connection()
            try:
                return self._search(conn, text, terms, words, limit, before, hits_per_transcript)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "interrupt" in str(exc).lower():
                    raise SearchCanceled(text) from None
                if self.on_error is not None:
                    self.on_error(exc)
                raise

    def _term_counts(self, conn: sqlite3.Connection, terms: list[Term]) -> list[int]:
        """How many passages hold each term (for a phrase: its rarest word), from fts5vocab."""
        if not self._vocab:
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, row)")
            self._vocab = True
        counts = []
        for term in terms:
            per_word = []
            for i, word in enumerate(term.words):
                key = _vocab_key(word)
                if term.prefix and i == len(term.words) - 1:
                    row = conn.execute(
                        "SELECT SUM(doc) FROM temp.chunks_vocab WHERE term >= ? AND term < ?",
                        (key, key + "\U0010ffff"),
                    ).fetchone()
                else:
                    row = conn.execute("SELECT doc FROM temp.chunks_vocab WHERE term = ?", (key,)).fetchone()
                per_word.append(int(row[0] or 0) if row else 0)
            counts.append(min(per_word) if per_word else 0)
        return counts

    def _search(
        self,
        conn: sqlite3.Connection,
        text: str,
        terms: list[Term],
        words: tuple[str, ...],
        limit: int,
        before: int | None,
        per: int,
    ) -> SearchPage:
        every = " AND ".join(t.fts for t in terms)
        either = " OR ".join(t.fts for t in terms)
        if len(terms) > 1:
            counts = self._term_counts(conn, terms)
            order = sorted(range(len(terms)), key=lambda i: counts[i])
            driver, others = terms[order[0]], [terms[i] for i in order[1:]]
        else:
            driver, others = terms[0], []
        found: list[tuple[int, list[int], list[int]]] = []
        next_cursor: int | None = None
        candidates = 0
        walk = self._walk(conn, driver.fts, before)
        try:
            for tid, driver_rows in walk:
                candidates += 1
                lo, hi = chunk_range(tid)
                if others:
                    if all(self._holds(conn, term.fts, lo, hi) for term in others):
                        rowids = self._rowids(conn, either, lo, hi, COUNT_CAP)
                        found.append((tid, rowids, self._rowids(conn, every, lo, hi, per)))
                elif len(driver_rows) < COUNT_CAP:
                    found.append((tid, driver_rows, driver_rows[:per]))
                else:  # only the newest passages were read: ask for the first ones
                    found.append((tid, driver_rows, self._rowids(conn, either, lo, hi, per)))
                if len(found) >= limit or candidates >= MAX_CANDIDATES:
                    next_cursor = lo
                    break
        finally:
            walk.close()
        wanted = []
        for _tid, rowids, best in found:
            wanted += (best + [r for r in rowids if r not in best])[:per]
        hits = self._snippets(conn, terms, wanted)
        ids = [tid for tid, _rowids, _best in found]
        # Title matches head the first page; later pages leave them out, or paging repeats them.
        title_ids = self._title_matches(conn, words)
        if before is not None:
            shown_first = set(title_ids)
            found = [f for f in found if f[0] not in shown_first]
            ids = [tid for tid in ids if tid not in shown_first]
            title_ids = []
        infos = {i.id: i for i in _infos(conn, list(dict.fromkeys(title_ids + ids)))}
        # Passages holding every word first, then the others; shown in the order they were said.
        content = {tid: sorted((best + [r for r in rowids if r not in best])[:per]) for tid, rowids, best in found}
        hit_counts = {tid: len(rowids) for tid, rowids, _best in found}
        results: list[SearchResult] = []
        for tid in title_ids:
            if tid in infos:
                shown = content.pop(tid, [])
                results.append(
                    SearchResult(
                        infos[tid],
                        tuple(hits[r] for r in shown if r in hits),
                        hit_counts.get(tid, 0),
                        title_match=True,
                    )
                )
        ordered = sorted(
            (infos[tid] for tid in content if tid in infos), key=lambda i: (i.created_at, i.id), reverse=True
        )
        for info in ordered:
            shown = content[info.id]
            results.append(SearchResult(info, tuple(hits[r] for r in shown if r in hits), hit_counts[info.id]))
        return SearchPage(text, tuple(results), next_cursor, every, words)

    @staticmethod
    def _walk(conn: sqlite3.Connection, fts: str, before: int | None) -> Generator[tuple[int, list[int]], None, None]:
        """Transcripts holding ``fts``, newest first, each with its matching passages (ascending).

        One descending scan of the term's doclist serves many transcripts; a transcript with more
        than :data:`COUNT_CAP` matches is cut short and the scan restarts below it, so a very
        common word costs at most ``COUNT_CAP`` rows per transcript.
        """
        upper = before if before is not None else 1 << 62
        while True:
            cursor = conn.execute(
                "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid < ? ORDER BY rowid DESC",
                (fts, upper),
            )
            tid: int | None = None
            rows: list[int] = []
            cut = False
            try:
                while batch := cursor.fetchmany(256):
                    for (rowid,) in batch:
                        owner = transcript_of(rowid)
                        if owner != tid:
                            if tid is not None:
                                yield tid, rows[::-1]
                            tid, rows = owner, []
                        rows.append(rowid)
                        if len(rows) >= COUNT_CAP:
                            cut = True
                            break
                    if cut:
                        break
            finally:
                cursor.close()
            if tid is None:
                return
            yield tid, rows[::-1]
            if not cut:
                return
            upper = chunk_range(tid)[0]

    @staticmethod
    def _holds(conn: sqlite3.Connection, fts: str, lo: int, hi: int) -> bool:
        row = conn.execute(
            "SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT 1",
            (fts, lo, hi),
        ).fetchone()
        return row is not None

    @staticmethod
    def _rowids(conn: sqlite3.Connection, fts: str, lo: int, hi: int, limit: int) -> list[int]:
        return [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid BETWEEN ? AND ? "
                "ORDER BY rowid LIMIT ?",
                (fts, lo, hi, limit),
            )
        ]

    @staticmethod
    def _snippets(conn: sqlite3.Connection, terms: list[Term], rowids: list[int]) -> dict[int, SearchHit]:
        """Snippets of the given passages, cut from their stored text (see :func:`make_snippet`).

        FTS5's own ``snippet()`` needs the term's doclist for every row it is asked about, about
        a third of a millisecond per row for a common word over 1,000 hours; reading the passage
        by its primary key and marking the words here costs microseconds.
        """
        hits: dict[int, SearchHit] = {}
        for start in range(0, len(rowids), 500):
            part = rowids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = conn.execute(
                f"SELECT id, text, first_seq, last_seq, start_ms, speaker FROM chunks WHERE id IN ({marks})",
                part,
            )
            for rowid, text, first, last, start_ms, speaker in rows:
                snippet = make_snippet(text, terms)
                hits[rowid] = SearchHit(transcript_of(rowid), rowid, first, last, start_ms, speaker, snippet)
        return hits

    @staticmethod
    def _title_matches(conn: sqlite3.Connection, terms: tuple[str, ...]) -> list[int]:
        """The newest 50 transcripts whose title holds every word (shown on the first page)."""
        if not terms:
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
