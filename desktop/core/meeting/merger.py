"""Two live transcripts (the microphone and the system audio) merged into one, in time order.

Each side of a meeting is its own realtime session with its own clock (zero when its audio
started) and its own pace: the microphone's final word at 0:05 may arrive after the other side's
word at 0:06 has. A :class:`~desktop.core.transcript.Transcript` only appends, so the merger holds
a side's final words back until the other side can no longer produce a final word that starts
earlier, i.e. until the other side's *finalised watermark* (its ``final_audio_proc_ms`` on the
shared clock) has passed them, or the other side has ended. Held words are not hidden: they are
shown with the provisional (grey) tail, in time order with both sides' provisional words, so the
user sees every word as it arrives and the text only settles once its place is certain.

The shared clock: each side's timestamps plus that side's start offset (when its first audio
arrived, relative to the meeting's start). A reconnect keeps a side's clock continuous (the
session adds its own offset), and while a side reconnects its watermark stands still, so the
other side's words wait rather than jump ahead of words still to come.

A side that stays behind (a long outage) must not freeze the other side's words for minutes:
words more than ``max_hold_ms`` behind the most advanced side are released anyway; a word of
the late side that then turns up before them is appended where it arrives (and counted in
:attr:`MeetingMerger.late_tokens`).

Speakers: the microphone's words are "You" (speaker id :data:`YOU_SPEAKER`), the system audio's
keep Soniox's diarization ids ("1", "2", …: "Speaker 1", "Speaker 2"), a separate id space, so
renaming one never renames the other.
"""

from __future__ import annotations

import enum
import heapq
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from desktop.core.tokens import Token
from desktop.core.transcript import YOU_SPEAKER_ID

#: The speaker id of the microphone's words; its default label is "You" (``default_speaker_label``).
YOU_SPEAKER = YOU_SPEAKER_ID
#: The speaker id the system audio's words get when the service sent none.
OTHERS_DEFAULT_SPEAKER = "1"
#: How far behind the most advanced side a held word may fall before it is released anyway.
MAX_HOLD_MS = 20_000


class Side(enum.Enum):
    YOU = "you"  # the microphone
    OTHERS = "others"  # the system audio


class EchoGuard(Protocol):
    """Drops "You" words that are the other side's words heard back through the microphone.

    ``desktop.core.meeting.echo_guard.EchoGuard`` is the app's; times are on the shared clock.
    """

    def accept_you(self, token_text: str, start_ms: int, end_ms: int) -> bool: ...

    def heard_others(self, token_text: str, start_ms: int, end_ms: int) -> None: ...


@dataclass
class _SideState:
    offset_ms: int | None = None  # when this side's audio started, on the shared clock
    watermark_ms: float = -math.inf  # finalised up to here (shared clock)
    done: bool = False
    pending: deque[tuple[int, Token]] = field(default_factory=deque)  # (sort key, token), arrival order
    tail: tuple[Token, ...] = ()
    last_ms: int = 0  # time of the side's latest timed word: markers and translations sort after it

    @property
    def horizon(self) -> float:
        return math.inf if self.done else self.watermark_ms


@dataclass(frozen=True)
class MergedUpdate:
    """What the merged transcript gets next: final tokens in time order, then the provisional tail."""

    finals: tuple[Token, ...]
    tail: tuple[Token, ...]

    @property
    def tokens(self) -> list[Token]:
        """As one realtime-like response for :meth:`Transcript.apply` (finals first)."""
        return [*self.finals, *self.tail]


class MeetingMerger:
    """See the module docstring. Pure bookkeeping: no I/O, no clock of its own."""

    def __init__(self, *, echo_guard: EchoGuard | None = None, max_hold_ms: int = MAX_HOLD_MS) -> None:
        self._sides = {side: _SideState() for side in Side}
        self._guard = echo_guard
        self._max_hold_ms = max_hold_ms
        self.late_tokens = 0  # released after a later word of the other side (see module notes)
        self.echoes_dropped = 0
        self._released_until = -math.inf

    # -- feeding --------------------------------------------------------------------------------
    def set_offset(self, side: Side, offset_ms: int) -> None:
        """Where ``side``'s clock zero lies on the shared clock (set once, before its first words)."""
        state = self._sides[side]
        if state.offset_ms is None:
            state.offset_ms = offset_ms
            state.watermark_ms = max(state.watermark_ms, offset_ms)

    def offset(self, side: Side) -> int | None:
        return self._sides[side].offset_ms

    def add_finals(self, side: Side, tokens: Iterable[Token]) -> None:
        """New final tokens of ``side`` (its own clock, reconnect offsets already added)."""
        state = self._sides[side]
        for raw in tokens:
            token = self._shared(side, raw)
            if token.start_ms is not None and not token.is_marker and not token.is_translation:
                state.last_ms = token.start_ms
                key = token.start_ms
            else:
                key = state.last_ms
            if side is Side.OTHERS and self._guard is not None and not token.is_marker and token.text.strip():
                self._guard.heard_others(token.text, token.start_ms or key, token.end_ms or key)
            state.pending.append((key, token))
            if token.end_ms is not None and not token.is_marker:
                # A final word is finalised audio, whatever the last progress report said.
                state.watermark_ms = max(state.watermark_ms, token.end_ms)

    def set_tail(self, side: Side, tokens: Iterable[Token]) -> None:
        """``side``'s current provisional words (they replace the previous ones)."""
        self._sides[side].tail = tuple(
            replace(self._shared(side, t), is_final=False) for t in tokens if not t.is_marker
        )

    def advance(self, side: Side, final_ms: int) -> None:
        """``side`` has finalised its audio up to ``final_ms`` (its own clock)."""
        state = self._sides[side]
        state.watermark_ms = max(state.watermark_ms, final_ms + (state.offset_ms or 0))

    def end(self, side: Side) -> None:
        """``side`` will send nothing more: its held words and the other side's can all go."""
        state = self._sides[side]
        state.done = True
        state.tail = ()

    # -- merging --------------------------------------------------------------------------------
    def take(self) -> MergedUpdate:
        """Release every final word whose place is certain, and lay out the rest as the tail."""
        released: list[Token] = []
        you, others = self._sides[Side.YOU], self._sides[Side.OTHERS]
        lead = max(you.horizon if not you.done else -math.inf, others.horizon if not others.done else -math.inf)
        forced = lead - self._max_hold_ms
        while you.pending or others.pending:
            side, state = self._earliest()
            other = others if side is Side.YOU else you
            key, token = state.pending[0]
            if not (key <= other.horizon or key <= forced):
                break
            state.pending.popleft()
            if key < self._released_until and not token.is_marker:
                self.late_tokens += 1
            self._released_until = max(self._released_until, key)
            if side is Side.YOU and not self._accept_you(token):
                continue
            released.append(token)
        tail = [replace(t, is_final=False) for _, t in self._held() if not t.is_marker]
        tail.extend(you.tail)
        tail.extend(others.tail)
        tail.sort(key=lambda t: t.start_ms if t.start_ms is not None else 0)
        return MergedUpdate(tuple(released), tuple(tail))

    @property
    def held(self) -> int:
        """Final words waiting for their place (shown provisional meanwhile)."""
        return sum(len(s.pending) for s in self._sides.values())

    def _earliest(self) -> tuple[Side, _SideState]:
        you, others = self._sides[Side.YOU], self._sides[Side.OTHERS]
        if not others.pending:
            return Side.YOU, you
        if not you.pending:
            return Side.OTHERS, others
        # The other side's word first on a tie: "You" answering rarely starts in the same ms.
        if you.pending[0][0] < others.pending[0][0]:
            return Side.YOU, you
        return Side.OTHERS, others

    def _held(self) -> list[tuple[int, Token]]:
        return list(heapq.merge(self._sides[Side.YOU].pending, self._sides[Side.OTHERS].pending, key=lambda p: p[0]))

    def _accept_you(self, token: Token) -> bool:
        if self._guard is None or token.is_marker or not token.text.strip() or token.start_ms is None:
            return True
        if self._guard.accept_you(token.text, token.start_ms, token.end_ms or token.start_ms):
            return True
        self.echoes_dropped += 1
        return False

    def _shared(self, side: Side, token: Token) -> Token:
        """``token`` on the shared clock, with its meeting speaker id."""
        token = token.shifted(self._sides[side].offset_ms or 0)
        if side is Side.YOU:
            speaker = YOU_SPEAKER
        else:
            speaker = token.speaker if token.speaker not in (None, YOU_SPEAKER) else OTHERS_DEFAULT_SPEAKER
        return token if token.speaker == speaker else replace(token, speaker=speaker)
