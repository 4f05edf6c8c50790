"""Where each spoken word of a drawn transcript lies in the document, and when it was said.

Playback highlights the word being heard and a click on a word seeks to it, so the viewer needs
word ↔ document-range ↔ time. The transcript drawing (``desktop.ui.transcript.document``) keeps
no per-token positions (it must stay cheap for live use), but what it draws is regular: every
segment of the transcript owns exactly one "utterance"/"continuation" block, in order, whose
final text (the runs in the FINAL role) is the segment's original tokens joined, with the
leading whitespace of the first removed. This module walks the blocks once and lays the tokens
over that text.

Positions are kept as (block number, offset in block): a speaker rename rewrites header blocks
only, so the map stays valid across renames without being rebuilt. Lengths are in UTF-16 units,
as QTextDocument counts them.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QTextDocument

from desktop.core.transcript import Token, Transcript
from desktop.ui.transcript.speaker_colors import BLOCK_KIND_PROPERTY, ROLE_PROPERTY, Role

log = logging.getLogger(__name__)

_SEGMENT_BLOCKS = ("utterance", "continuation")
_CLEAN = str.maketrans({"\n": " ", "\r": " ", "\u2029": " ", "\u2028": " "})


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Word:
    """One word as drawn: its place, its time, and the display tokens behind it."""

    block: int
    offset: int
    length: int
    start_ms: int | None
    end_ms: int | None
    first_token: int  # index into the transcript's final tokens (= the display list)
    last_token: int


class WordMap:
    """Build with :meth:`build` right after the transcript was drawn.

    Only the index needed to find a segment is built up front (tens of milliseconds for a
    three-hour transcript); a segment's words are laid out the first time one of them is asked
    for, so opening a long transcript does not pay for words nobody looks at.
    """

    def __init__(self, document: QTextDocument, transcript: Transcript) -> None:
        self.document = document
        tokens = transcript.final_tokens
        self._tokens = tokens
        self._segments = transcript.segments()
        self._blocks: list[int] = []
        block = document.begin()
        while block.isValid():
            if block.blockFormat().property(BLOCK_KIND_PROPERTY) in _SEGMENT_BLOCKS:
                self._blocks.append(block.blockNumber())
            block = block.next()
        if len(self._blocks) != len(self._segments):
            log.warning("Word map: %d segment blocks for %d segments", len(self._blocks), len(self._segments))
        self._segment_of_block = {b: i for i, b in enumerate(self._blocks)}
        # Segment s starts at original token index _first[s]; tokens of a segment are contiguous
        # apart from translations and markers, which are never looked up.
        self._first: list[int] = []
        self._first_segment: list[int] = []
        index = 0
        for s, segment in enumerate(self._segments):
            first = next((t for t in segment.tokens if not t.is_marker), None)
            if first is None:
                continue
            while index < len(tokens) and tokens[index] is not first:
                index += 1
            if index < len(tokens):
                self._first.append(index)
                self._first_segment.append(s)
        timed = sorted(
            (t.start_ms, i)
            for i, t in enumerate(tokens)
            if t.start_ms is not None and not t.is_marker and not t.is_translation
        )
        self._starts = [ms for ms, _i in timed]
        self._timed = [i for _ms, i in timed]
        self._start_of = dict(zip(self._first_segment, self._first, strict=True))
        self._cache: dict[int, list[Word]] = {}

    @classmethod
    def build(cls, document: QTextDocument, transcript: Transcript) -> WordMap:
        return cls(document, transcript)

    def __len__(self) -> int:
        return len(self._segments)

    # ------------------------------------------------------------------------ lookups
    def words_of_segment(self, segment: int) -> list[Word]:
        words = self._cache.get(segment)
        if words is None:
            words = self._cache[segment] = self._lay_out_segment(segment)
        return words

    def _lay_out_segment(self, segment: int) -> list[Word]:
        at = self._start_of.get(segment)
        if at is None or segment >= len(self._blocks):
            return []
        block = self.document.findBlockByNumber(self._blocks[segment])
        start, length = _final_text_span(block)
        if start is None:
            return []
        index_of: dict[int, int] = {}
        tokens = self._tokens
        for token in self._segments[segment].tokens:  # in arrival order: scan forward
            if token.is_marker or token.is_translation:
                continue
            while at < len(tokens) and tokens[at] is not token:
                at += 1
            if at < len(tokens):
                index_of[id(token)] = at
        laid = _lay_out(self._segments[segment].tokens, index_of, start)
        if laid is None:
            return []
        words, total = laid
        if total != length:
            log.debug("Word map: segment text length %d != drawn %d; skipped", total, length)
            return []
        number = block.blockNumber()
        return [Word(number, off, n, s, e, a, b) for off, n, s, e, a, b in words]

    def position(self, word: Word) -> tuple[int, int]:
        """Absolute document (start, end) of ``word``."""
        block = self.document.findBlockByNumber(word.block)
        start = block.position() + word.offset
        return start, start + word.length

    def at_position(self, pos: int) -> Word | None:
        """The word under document position ``pos``, if any."""
        block = self.document.findBlock(pos)
        segment = self._segment_of_block.get(block.blockNumber())
        if segment is None:
            return None
        words = self.words_of_segment(segment)
        offset = pos - block.position()
        i = bisect.bisect_right([w.offset for w in words], offset) - 1
        if i < 0:
            return None
        word = words[i]
        return word if offset <= word.offset + word.length else None

    def token_word(self, token_index: int) -> Word | None:
        """The drawn word holding display token ``token_index``."""
        k = bisect.bisect_right(self._first, token_index) - 1
        if k < 0:
            return None
        words = self.words_of_segment(self._first_segment[k])
        i = bisect.bisect_right([w.first_token for w in words], token_index) - 1
        return words[i] if i >= 0 and words[i].last_token >= token_index else None

    def at_time(self, ms: int) -> Word | None:
        """The word being said at ``ms``: the last one started at or before it."""
        i = bisect.bisect_right(self._starts, ms) - 1
        return self.token_word(self._timed[i]) if i >= 0 else None


def _final_text_span(block: object) -> tuple[int | None, int]:
    """(offset of the first FINAL run in the block, total length of FINAL runs)."""
    start: int | None = None
    length = 0
    base = block.position()  # type: ignore[attr-defined]
    it = block.begin()  # type: ignore[attr-defined]
    while not it.atEnd():
        fragment = it.fragment()
        if fragment.isValid():
            role = fragment.charFormat().property(ROLE_PROPERTY)
            if role is not None and int(role) == Role.FINAL:
                if start is None:
                    start = fragment.position() - base
                length += fragment.length()
        it += 1
    return start, length


def _lay_out(
    tokens: Sequence[Token], index_of: dict[int, int], base: int
) -> tuple[list[tuple[int, int, int | None, int | None, int, int]], int] | None:
    """Words of one segment as (offset, length, start_ms, end_ms, first, last) and the text length."""
    originals = [t for t in tokens if not t.is_marker and not t.is_translation]
    if not originals:
        return None
    texts = [t.text.translate(_CLEAN) for t in originals]
    joined = "".join(texts)
    stripped = utf16_len(joined) - utf16_len(joined.lstrip())
    words: list[list[Any]] = []
    cursor = -stripped
    for token, text in zip(originals, texts, strict=True):
        n = utf16_len(text)
        lead = n - utf16_len(text.lstrip())
        begin = max(0, cursor + lead)
        end = max(0, cursor + n)
        cursor += n
        index = index_of.get(id(token), -1)
        if end <= begin and words:
            continue  # whitespace only: nothing to show
        if not words or text[:1].isspace():
            words.append([begin, end, token.start_ms, token.end_ms, index, index])
        else:  # a sub-word token continues the word before it
            word = words[-1]
            word[1] = end
            if word[2] is None:
                word[2] = token.start_ms
            if token.end_ms is not None:
                word[3] = token.end_ms
            word[5] = index
    laid = [(base + b, e - b, s, en, a, z) for b, e, s, en, a, z in words]
    return laid, max(0, cursor)
