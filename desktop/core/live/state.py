"""The live session's states and the listener it reports to.

The state machine follows the official Web SDK (``idle → connecting → running → finishing →
finished``, plus ``error`` and ``canceled``) with one addition: ``reconnecting``, a visible
sub-state while a broken connection is being replaced, so the UI can say "reconnecting" instead
of looking frozen. Transitions are checked against :data:`TRANSITIONS` so a logic slip shows up
as a logged warning in tests rather than as a UI that shows "running" after "finished".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desktop.core.errors import UserError

if TYPE_CHECKING:
    from soniox.types import RealtimeEvent, Token


class LiveState(str, enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    RUNNING = "running"
    RECONNECTING = "reconnecting"
    FINISHING = "finishing"
    FINISHED = "finished"
    ERROR = "error"
    CANCELED = "canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def is_active(self) -> bool:
        """Started and not yet over: the UI shows Stop/Cancel rather than Start."""
        return self not in TERMINAL_STATES and self is not LiveState.IDLE


TERMINAL_STATES = frozenset({LiveState.FINISHED, LiveState.ERROR, LiveState.CANCELED})

_ENDINGS = frozenset({LiveState.ERROR, LiveState.CANCELED})
TRANSITIONS: dict[LiveState, frozenset[LiveState]] = {
    LiveState.IDLE: frozenset({LiveState.CONNECTING, LiveState.FINISHED}) | _ENDINGS,
    LiveState.CONNECTING: frozenset({LiveState.RUNNING, LiveState.FINISHING}) | _ENDINGS,
    LiveState.RUNNING: frozenset({LiveState.RECONNECTING, LiveState.FINISHING}) | _ENDINGS,
    # Reconnecting ends in running, or in finishing when stop() came while it waited.
    LiveState.RECONNECTING: frozenset({LiveState.RUNNING, LiveState.FINISHING}) | _ENDINGS,
    # A connection that drops while finishing is replaced too, so the last words still arrive.
    LiveState.FINISHING: frozenset({LiveState.FINISHED, LiveState.RECONNECTING}) | _ENDINGS,
    LiveState.FINISHED: frozenset(),
    LiveState.ERROR: frozenset(),
    LiveState.CANCELED: frozenset(),
}


def can_transition(old: LiveState, new: LiveState) -> bool:
    return new in TRANSITIONS[old]


@dataclass(frozen=True)
class LiveStats:
    """Counters for the status bar, so nothing is dropped or replayed without the user seeing it.

    ``audio_s`` is the length of the session's audio timeline: audio read while transmitting
    (audio read while hold-to-talk is released is discarded and not part of it).
    """

    bytes_sent: int = 0  # audio bytes written to sockets, replays included
    chunks_sent: int = 0  # audio frames written to sockets
    audio_s: float = 0.0  # seconds on the session timeline (0 for containers: bytes are not time)
    replayed_bytes: int = 0  # audio sent again on a new connection after a reconnect
    discarded_chunks: int = 0  # chunks read while not transmitting (hold-to-talk released)
    dropped_bytes: int = 0  # audio lost because the gap buffer was full during a long outage
    source_overflows: int = 0  # chunks the source itself dropped (consumer too slow)
    reconnects: int = 0
    keepalives: int = 0
    finalizes: int = 0
    #: Audio held for the service (not finalised yet, or captured while disconnected), in seconds,
    #: and how much the session can hold before the oldest is dropped (0 for containers).
    backlog_s: float = 0.0
    backlog_capacity_s: float = 0.0
    #: Session-timeline spans (start_ms, end_ms) the service never transcribed: dropped during an
    #: outage longer than the buffer, or still held when the session ended without confirming them.
    lost_spans_ms: tuple[tuple[int, int], ...] = ()


class LiveSessionListener(Protocol):
    """What a :class:`~desktop.core.live.session.LiveSession` reports. All calls run on the loop thread.

    Callbacks must be quick and must not raise (a raising callback is logged and ignored). After
    ``on_state(CANCELED, ...)`` no further callbacks arrive.
    """

    def on_state(self, state: LiveState, detail: str) -> None:
        """The session moved to ``state``; ``detail`` is a short user-facing line for a status bar."""

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        """One response from the service, tokens untouched.

        Add ``offset_ms`` to each token's ``start_ms``/``end_ms`` to place it on the session
        timeline: it is the audio already finalised by earlier connections (0 until a reconnect).
        """

    def on_connection_replaced(self, offset_ms: int) -> None:
        """A new connection took over: drop the provisional (non-final) tail you are showing.

        The new connection re-transcribes everything after the last final word, so keeping the
        old provisional words would show them twice. ``offset_ms`` is what later ``on_tokens``
        calls will carry.
        """

    def on_finalize_pending(self, pending: bool) -> None:
        """A finalize was requested (True) / its ``<fin>`` arrived or it became moot (False)."""

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        """The connection failed with a retriable ``error``; attempt ``attempt`` starts in ``delay_s``."""

    def on_error(self, error: UserError) -> None:
        """Why the session ended badly; always followed by ``on_state(ERROR, error.message)``.

        Retriable faults that the session recovers from are not errors: see ``on_reconnecting``.
        """

    def on_stats(self, stats: LiveStats) -> None:
        """Counters, at most a few times per second and once more at the end."""


class NullListener:
    """A listener that ignores everything: subclass it and override only what you need."""

    def on_state(self, state: LiveState, detail: str) -> None:
        pass

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        pass

    def on_connection_replaced(self, offset_ms: int) -> None:
        pass

    def on_finalize_pending(self, pending: bool) -> None:
        pass

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        pass

    def on_error(self, error: UserError) -> None:
        pass

    def on_stats(self, stats: LiveStats) -> None:
        pass


def merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Timeline spans (start, end) in order, overlapping or touching ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
