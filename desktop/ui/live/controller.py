"""Adapts a :class:`LiveSession`'s listener callbacks to Qt signals, and owns its transcript.

The session reports on the asyncio loop's thread, which under qasync is the Qt thread, so the
callbacks could touch widgets directly; they go through signals anyway so that the panel, the
status bar and tests observe one stream of events and the session never knows about widgets.

When the panel gives it a :class:`~desktop.core.library.live_sink.LiveLibrarySink` (``sink``),
every final token goes to the library's autosave as it arrives, and the terminal state closes
the stored session (a crash leaves it "active", which the next start offers back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from soniox import AsyncSonioxClient
from soniox.types import RealtimeEvent, RealtimeSTTConfig, Token

from desktop.core.audio_source import AudioSource
from desktop.core.errors import UserError
from desktop.core.library.live_sink import LiveLibrarySink
from desktop.core.live.session import LiveSession
from desktop.core.live.state import LiveState, LiveStats
from desktop.core.transcript import Transcript, TranscriptDelta

log = logging.getLogger(__name__)


class LiveController(QObject):
    state_changed = Signal(object, str)  # LiveState, detail
    delta_ready = Signal(object)  # TranscriptDelta
    finalize_pending_changed = Signal(bool)
    reconnecting = Signal(int, float, object)  # attempt, delay_s, UserError
    error = Signal(object)  # UserError
    stats_changed = Signal(object)  # LiveStats

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transcript = Transcript()
        self.session: LiveSession | None = None
        self.source: AudioSource | None = None
        self.last_error: UserError | None = None
        self.state = LiveState.IDLE
        #: Where this session is kept in the library (set by the panel before :meth:`start`).
        self.sink: LiveLibrarySink | None = None

    @property
    def finalize_pending(self) -> bool:
        return self.session is not None and self.session.finalize_pending

    def is_transmitting(self) -> bool:
        """Whether audio read now goes on the session's timeline (False while hold-to-talk is up)."""
        return self.session is not None and self.session.transmitting

    def new_transcript(self) -> Transcript:
        self.transcript = Transcript()
        return self.transcript

    async def start(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        config: RealtimeSTTConfig,
        source: AudioSource,
        *,
        transmitting: bool = True,
        **session_options: float,
    ) -> LiveSession:
        """Open a session for ``source``; the transcript continues from where the last one ended."""
        if self.session is not None and self.session.state.is_active:
            raise RuntimeError("a live session is already running")
        self.last_error = None
        self.source = source
        session = LiveSession(
            client_factory, config, source, self, transmitting=transmitting, **session_options
        )
        self.session = session
        await session.start()
        return self.session

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.stop()

    def cancel(self) -> None:
        if self.session is not None:
            self.session.cancel()

    def request_finalize(self) -> bool:
        if self.session is None or not self.session.state.is_active:
            return False
        self.transcript.expect_finalize()
        return self.session.request_finalize()

    def set_transmitting(self, on: bool) -> None:
        if self.session is not None and self.session.state.is_active:
            self.session.set_transmitting(on)

    # -- LiveSessionListener -------------------------------------------------------------------
    def on_state(self, state: LiveState, detail: str) -> None:
        self.state = state
        if state.is_terminal:
            # Provisional words of an ended session will never turn final: don't leave them
            # on screen looking like part of the transcript (Stop finalizes them first anyway).
            delta = self.transcript.discard_tail()
            if not delta.is_empty:
                self.delta_ready.emit(delta)
            if self.sink is not None:
                self.sink.finish(state.value)
        self.state_changed.emit(state, detail)

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        delta = self.transcript.apply(tokens, offset_ms=offset_ms)
        if delta.finals and self.sink is not None:
            self.sink.add_finals(delta.new_final_tokens)
        if not delta.is_empty:
            self.delta_ready.emit(delta)

    def on_connection_replaced(self, offset_ms: int) -> None:
        delta: TranscriptDelta = self.transcript.discard_tail()
        if not delta.is_empty:
            self.delta_ready.emit(delta)

    def on_finalize_pending(self, pending: bool) -> None:
        self.finalize_pending_changed.emit(pending)

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self.reconnecting.emit(attempt, delay_s, error)

    def on_error(self, error: UserError) -> None:
        self.last_error = error
        log.info("Live session error: %s (%s)", error.error_type, error.status_code)
        self.error.emit(error)

    def on_stats(self, stats: LiveStats) -> None:
        self.stats_changed.emit(stats)
