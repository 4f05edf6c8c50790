"""Turns a :class:`~desktop.core.live.run.LiveRun`'s reports into Qt signals.

The run reports on the asyncio loop's thread, which under qasync is the Qt thread, so its
callbacks could touch widgets directly; they go through signals anyway so that the panel, the
status bar and tests observe one stream of events and the run never knows about widgets. All the
logic (the transcript, keeping final words in the library, ending the stored session) is the
run's; this class only forwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.core.audio_source import AudioSource
from desktop.core.errors import UserError
from desktop.core.library.live_sink import LiveLibrarySink
from desktop.core.live.run import LiveRun, LiveRunListener
from desktop.core.live.state import LiveState, LiveStats
from desktop.core.meeting.run import MeetingRun, MeetingSources
from desktop.core.transcript import Transcript, TranscriptDelta

if TYPE_CHECKING:
    from desktop.core.live.session import LiveSession


class LiveController(QObject, LiveRunListener):
    state_changed = Signal(object, str)  # LiveState, detail
    delta_ready = Signal(object)  # TranscriptDelta
    finalize_pending_changed = Signal(bool)
    reconnecting = Signal(int, float, object)  # attempt, delay_s, UserError
    error = Signal(object)  # UserError
    stats_changed = Signal(object)  # LiveStats
    library_error = Signal(object)  # Exception: saving words failed, retried
    library_unavailable = Signal(object)  # Exception: this run is not kept

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.run: LiveRun | MeetingRun | None = None  # a meeting reports exactly like a run
        self.transcript = Transcript()

    # -- the current run, as the panel and tests read it ----------------------------------------
    @property
    def state(self) -> LiveState:
        return self.run.state if self.run is not None else LiveState.IDLE

    @property
    def session(self) -> LiveSession | None:
        return self.run.session if self.run is not None else None

    @property
    def source(self) -> AudioSource | MeetingSources | None:
        return self.run.source if self.run is not None else None

    @property
    def sink(self) -> LiveLibrarySink | None:
        return self.run.sink if self.run is not None else None

    @property
    def last_error(self) -> UserError | None:
        return self.run.last_error if self.run is not None else None

    @property
    def finalize_pending(self) -> bool:
        return self.run is not None and self.run.finalize_pending

    def is_transmitting(self) -> bool:
        return self.run is not None and self.run.is_transmitting()

    def new_transcript(self) -> Transcript:
        """A fresh transcript for the next run (the view shows it from the start)."""
        self.transcript = Transcript()
        return self.transcript

    # -- controls -------------------------------------------------------------------------------
    async def start(self, run: LiveRun | MeetingRun) -> LiveSession | None:
        if self.run is not None and self.run.state.is_active:
            raise RuntimeError("a live session is already running")
        run.listener = self
        self.run = run
        return await run.start()

    async def stop(self) -> None:
        if self.run is not None:
            await self.run.stop()

    def cancel(self) -> None:
        if self.run is not None:
            self.run.cancel()

    def request_finalize(self) -> bool:
        return self.run is not None and self.run.request_finalize()

    def set_transmitting(self, on: bool) -> None:
        if self.run is not None and self.run.state.is_active:
            self.run.set_transmitting(on)

    # -- LiveRunListener -----------------------------------------------------------------------
    def on_state(self, state: LiveState, detail: str) -> None:
        self.state_changed.emit(state, detail)

    def on_delta(self, delta: TranscriptDelta) -> None:
        self.delta_ready.emit(delta)

    def on_finalize_pending(self, pending: bool) -> None:
        self.finalize_pending_changed.emit(pending)

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self.reconnecting.emit(attempt, delay_s, error)

    def on_error(self, error: UserError) -> None:
        self.error.emit(error)

    def on_stats(self, stats: LiveStats) -> None:
        self.stats_changed.emit(stats)

    def on_library_error(self, error: Exception) -> None:
        self.library_error.emit(error)

    def on_library_unavailable(self, error: Exception) -> None:
        self.library_unavailable.emit(error)
