"""Cut a transcript into short passages: the unit the full-text index stores and a hit points to.

A search hit must open the transcript *at the match*, and its snippet must read like a sentence
or two, so the index holds passages of a few dozen words rather than whole transcripts: a new
passage starts at each speaker change, after each endpoint (``<end>``), after a sentence end
once a passage has :data:`SOFT_WORDS` words, and in any case at :data:`MAX_WORDS` words. Each
passage remembers the token numbers (``seq``) it covers and its start time.

Passage ids put the transcript in the high bits (``transcript_id << CHUNK_BITS | n``), so one
transcript's passages are a contiguous rowid range: FTS5 can then answer "the newest transcripts
that match" by walking rowids backwards and stopping early, and "the matches inside transcript
T" with a rowid range, without ranking every hit in the library (see :mod:`.search`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop.core.transcript import Token

SOFT_WORDS = 24
MAX_WORDS = 48
#: Passages per transcript addressable in a rowid (2**20: about 25 million words).
CHUNK_BITS = 20
MAX_CHUNKS = 1 << CHUNK_BITS

_SENTENCE_END = (".", "?", "!", "…", "。", "？", "！")
_CLEAN = str.maketrans({"\n": " ", "\r": " ", "\u2028": " ", "\u2029": " "})


def chunk_id(transcript_id: int, number: int) -> int:
    return (transcript_id << CHUNK_BITS) | number


def chunk_range(transcript_id: int) -> tuple[int, int]:
    """The inclusive rowid range of one transcript's passages."""
    return transcript_id << CHUNK_BITS, ((transcript_id + 1) << CHUNK_BITS) - 1


def transcript_of(chunk_rowid: int) -> int:
    return chunk_rowid >> CHUNK_BITS


@dataclass(slots=True)
class Chunk:
    """One passage: covered tokens ``first_seq..last_seq`` (original numbering), text, start time."""

    number: int
    first_seq: int
    last_seq: int
    start_ms: int | None
    speaker: str | None
    text: str


@dataclass(slots=True)
class _Open:
    number: int
    first_seq: int
    last_seq: int
    start_ms: int | None
    speaker: str | None
    parts: list[str] = field(default_factory=list)
    words: int = 0
    sentence_end: bool = False

    def close(self) -> Chunk | None:
        text = "".join(self.parts).translate(_CLEAN).strip()
        if not text:
            return None
        return Chunk(self.number, self.first_seq, self.last_seq, self.start_ms, self.speaker, text)


class Chunker:
    """Incremental: feed tokens as they become final, get passages as they close.

    ``first_seq``/``last_seq`` per token let an edited word (one display token standing for
    several original ones) keep the original numbering.
    """

    def __init__(self, next_number: int = 0) -> None:
        self._next = next_number
        self._open: _Open | None = None

    @property
    def next_number(self) -> int:
        return self._next

    def feed(self, first_seq: int, last_seq: int, token: Token) -> Chunk | None:
        """Add one token; returns the passage it closed, if any."""
        closed: Chunk | None = None
        current = self._open
        if token.is_marker:
            if current is not None:
                current.last_seq = last_seq
                if token.is_end:
                    closed = self._close()
            return closed
        if current is not None and self._starts_new(current, token):
            closed = self._close()
            current = None
        if current is None:
            current = self._open = _Open(self._next, first_seq, last_seq, token.start_ms, token.speaker)
            self._next += 1
        current.last_seq = last_seq
        if current.start_ms is None and token.start_ms is not None:
            current.start_ms = token.start_ms
        if current.speaker is None and token.speaker is not None:
            current.speaker = token.speaker
        current.parts.append(token.text)
        if not token.is_translation:
            if token.text[:1].isspace() or current.words == 0:
                current.words += 1
            current.sentence_end = token.text.rstrip().endswith(_SENTENCE_END)
        return closed

    def flush(self) -> Chunk | None:
        """Close the open passage (end of the transcript, or a save of the current state)."""
        return self._close()

    def peek(self) -> Chunk | None:
        """The open passage as it would be closed now, without closing it."""
        return self._open.close() if self._open is not None else None

    def _starts_new(self, current: _Open, token: Token) -> bool:
        if token.is_translation:
            return False  # a translation rides with the passage it translates
        if token.speaker is not None and current.speaker is not None and token.speaker != current.speaker:
            return True
        starts_word = token.text[:1].isspace()
        if not starts_word:
            return False  # never split a word
        if current.words >= MAX_WORDS:
            return True
        return current.words >= SOFT_WORDS and current.sentence_end

    def _close(self) -> Chunk | None:
        current, self._open = self._open, None
        return current.close() if current is not None else None


def chunk_tokens(items: Iterable[tuple[int, int, Token]]) -> list[Chunk]:
    """Every passage of a whole transcript, from ``(first_seq, last_seq, token)`` items."""
    chunker = Chunker()
    chunks: list[Chunk] = []
    for first, last, token in items:
        closed = chunker.feed(first, last, token)
        if closed is not None:
            chunks.append(closed)
    tail = chunker.flush()
    if tail is not None:
        chunks.append(tail)
    return [c for c in chunks if c.number < MAX_CHUNKS]
