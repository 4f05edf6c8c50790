"""Segments of a transcript and the incremental layout that groups final tokens into them (Qt-free).

Split from :mod:`desktop.core.transcript`: this is the "where does a token go" half -- speaker
turns, ``<end>`` endpoints, language changes and late translations -- and the value types a view
draws from (:class:`Placement`, :class:`SegmentHead`, :class:`TranscriptDelta`, :class:`Segment`).
Placing a token is O(1) (a short look-back deque), which keeps long live sessions responsive.
``desktop.core.transcript`` re-exports the public names, so old imports keep working.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from desktop.core.tokens import Token

#: How many recent segments a late translation token may reach back to find its speaker's turn.
TRANSLATION_LOOKBACK = 16


@dataclass(frozen=True, slots=True)
class SegmentHead:
    """What a view needs to open a segment: who speaks, in which language, and what changed."""

    index: int
    speaker: str | None
    language: str | None
    start_ms: int | None
    #: The speaker differs from the previous segment's (or this is the first segment): a new turn.
    turn_start: bool
    #: The language differs from the previous segment's (the first known language counts too).
    language_changed: bool


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one token goes: the index of its segment, and the segment's head if it opens one."""

    token: Token
    segment: int
    opens: SegmentHead | None = None


@dataclass(frozen=True, slots=True)
class TranscriptDelta:
    """What one response changed, in the order a view must draw it.

    ``finals`` are the new final tokens (markers included) to append; ``tail`` is the complete new
    non-final tail (markers never appear there), laid out as if it continued the final text. When
    ``tail_changed`` is false and ``finals`` is empty the view has nothing to do.
    """

    finals: tuple[Placement, ...] = ()
    tail: tuple[Placement, ...] = ()
    tail_changed: bool = False
    endpoints: int = 0
    fin_seen: bool = False
    #: The response broke the final-first rule (a final token after a non-final one).
    out_of_order: bool = False
    #: The whole transcript must be redrawn (set by :meth:`Transcript.replay`).
    reset: bool = False

    @property
    def new_final_tokens(self) -> tuple[Token, ...]:
        return tuple(p.token for p in self.finals)

    @property
    def tail_tokens(self) -> tuple[Token, ...]:
        return tuple(p.token for p in self.tail)

    @property
    def is_empty(self) -> bool:
        return not self.finals and not self.tail_changed and not self.reset


@dataclass(frozen=True, slots=True)
class Segment:
    """A read-only snapshot of one segment: a speaker's utterance in one language."""

    index: int
    speaker: str | None
    language: str | None
    start_ms: int | None
    end_ms: int | None
    tokens: tuple[Token, ...]
    translation_tokens: tuple[Token, ...]
    ended: bool
    turn_start: bool
    language_changed: bool

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens if not t.is_marker).strip()

    @property
    def translation_text(self) -> str:
        return "".join(t.text for t in self.translation_tokens).strip()

    @property
    def translation_language(self) -> str | None:
        for t in self.translation_tokens:
            if t.language:
                return t.language
        return None


@dataclass(slots=True)
class _SegmentState:
    """The mutable segment the transcript grows; snapshots are handed out as :class:`Segment`."""

    head: SegmentHead
    tokens: list[Token] = field(default_factory=list)
    translation_tokens: list[Token] = field(default_factory=list)
    ended: bool = False
    start_ms: int | None = None
    end_ms: int | None = None

    def add(self, token: Token) -> None:
        if token.is_translation:
            self.translation_tokens.append(token)
            return
        self.tokens.append(token)
        if token.is_end:
            self.ended = True
        if token.is_marker:
            return
        if token.start_ms is not None and self.start_ms is None:
            self.start_ms = token.start_ms
        if token.end_ms is not None:
            self.end_ms = token.end_ms if self.end_ms is None else max(self.end_ms, token.end_ms)

    def snapshot(self) -> Segment:
        h = self.head
        return Segment(
            index=h.index,
            speaker=h.speaker,
            language=h.language,
            start_ms=self.start_ms if self.start_ms is not None else h.start_ms,
            end_ms=self.end_ms,
            tokens=tuple(self.tokens),
            translation_tokens=tuple(self.translation_tokens),
            ended=self.ended,
            turn_start=h.turn_start,
            language_changed=h.language_changed,
        )


@dataclass(slots=True)
class _Layout:
    """The segmentation cursor: enough state to place the next token in O(1).

    It is copied (cheaply: a few fields and a short deque) to lay out the non-final tail as
    provisional segments without touching the real ones.
    """

    count: int = 0  # number of segments so far
    speaker: str | None = None  # of the current (last) segment
    language: str | None = None
    ended: bool = True  # the current segment was closed by <end> (or there is none)
    recent: deque[tuple[int, str | None]] = field(default_factory=lambda: deque(maxlen=TRANSLATION_LOOKBACK))

    def copy(self) -> _Layout:
        return _Layout(self.count, self.speaker, self.language, self.ended, deque(self.recent, TRANSLATION_LOOKBACK))

    def place(self, token: Token) -> Placement:
        """Decide the segment of ``token``, opening a new one when the rules say so."""
        if token.is_translation:
            target = self._translation_target(token.speaker)
            if target is not None:
                return Placement(token, target)
            return self._open(token, speaker=token.speaker, language=token.source_language)
        if token.is_marker:
            if token.is_end and self.count:
                self.ended = True
            return Placement(token, self.count - 1)
        speaker = token.speaker if token.speaker is not None else self.speaker
        language = token.language if token.language is not None else self.language
        if self.count == 0 or self.ended or speaker != self.speaker or language != self.language:
            return self._open(token, speaker=speaker, language=language)
        return Placement(token, self.count - 1)

    def _open(self, token: Token, *, speaker: str | None, language: str | None) -> Placement:
        first = self.count == 0
        head = SegmentHead(
            index=self.count,
            speaker=speaker,
            language=language,
            start_ms=token.start_ms,
            turn_start=first or speaker != self.speaker,
            language_changed=language is not None and (first or language != self.language),
        )
        self.count += 1
        self.speaker, self.language, self.ended = speaker, language, False
        self.recent.append((head.index, speaker))
        return Placement(token, head.index, head)

    def _translation_target(self, speaker: str | None) -> int | None:
        if not self.recent:
            return None
        if speaker is not None:
            for index, seg_speaker in reversed(self.recent):
                if seg_speaker == speaker:
                    return index
        return self.recent[-1][0]
