"""A meeting: the microphone ("You") and the system audio (the others) as one live transcript.

Two :class:`~desktop.core.live.run.LiveRun` s run side by side, each with its own realtime
session, reconnects and replay: the microphone without diarization (every word is "You"), the
system audio with diarization ("Speaker 1", "Speaker 2", …). Their words meet in one
:class:`~desktop.core.transcript.Transcript` through a :class:`~.merger.MeetingMerger` (see there
for the shared clock and why final words are held back a moment), so the live view, the
exports, the caption overlay and the library see an ordinary transcript with speakers.

The meeting reports to a :class:`~desktop.core.live.run.LiveRunListener` exactly like a single
run (the live panel and its controller drive either), with one combined state: it runs while
either side runs. One side failing (the system audio disappearing, the microphone unplugged) is
reported as an error in words, and the other side goes on; the words of both are kept.

Cost: two streams, so twice the audio minutes (:data:`COST_NOTE`, said before starting).

The meeting is one library entry (kind "meeting", titled "Meeting") whose audio, when kept, is
one stereo recording (microphone left, system audio right) laid on the shared clock by a
:class:`MeetingRecordingFactory` from ``desktop.audio`` (core never imports the audio package).
Echo cancellation of the microphone happens before: the sources given here are already wrapped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.audio_source import AudioFormat, AudioSource, SourceStats
from desktop.core.errors import UserError
from desktop.core.library.live_sink import LiveLibrarySink, Recording
from desktop.core.library.store import Library
from desktop.core.live.config_builder import LiveOptions
from desktop.core.live.run import LiveRun, LiveRunListener, LiveRunSettings, SourceKind, SourceOrigin
from desktop.core.live.state import LiveState, LiveStats, merge_spans
from desktop.core.meeting.clock import ClockedSource
from desktop.core.meeting.merger import EchoGuard, MeetingMerger, Side
from desktop.core.transcript import Transcript, TranscriptDelta

if TYPE_CHECKING:
    from soniox import AsyncSonioxClient
    from soniox.types import Model, RealtimeEvent, Token

    from desktop.core.live.session import LiveSession

log = logging.getLogger(__name__)

#: Said before a meeting starts (and in the README): each side is billed as its own stream.
COST_NOTE = "Two streams: uses twice the audio minutes"
MEETING_TITLE = "Meeting"
MEETING_SOURCE_KIND = "meeting"
SIDE_NAMES = {Side.YOU: "Microphone", Side.OTHERS: "System audio"}


class MeetingRecordingFactory(Protocol):
    """Wrap both sources so their audio is kept as one two-track recording (``desktop.audio``).

    ``start_ms(track)`` (0 = microphone, 1 = system audio) says where a track's audio starts on
    the meeting's clock once its first chunk has arrived, so the tracks line up with the words.
    Returns the wrapped (microphone, system) pair, or None when they cannot be recorded.
    """

    def __call__(
        self,
        mic: AudioSource,
        system: AudioSource,
        start_ms: Callable[[int], int | None],
        path_for: Callable[[str], Path],
        on_open: Callable[[Recording], None],
    ) -> tuple[AudioSource, AudioSource] | None: ...


@dataclass
class MeetingSources:
    """Both sides, read as one for the status line and the level meter (the louder side shows)."""

    mic: AudioSource
    system: AudioSource

    @property
    def label(self) -> str:
        return f"{self.mic.label} + {self.system.label}"

    @property
    def format(self) -> AudioFormat:
        return self.mic.format

    @property
    def stats(self) -> SourceStats:
        a, b = self.mic.stats, self.system.stats
        return SourceStats(
            chunks=a.chunks + b.chunks,
            bytes=a.bytes + b.bytes,
            overflows=a.overflows + b.overflows,
            status_flags=a.status_flags | b.status_flags,
        )

    @property
    def levels(self) -> Any:
        readings = [r for r in (getattr(s, "levels", None) for s in (self.mic, self.system)) if r is not None]
        if not readings:
            return None
        newest = max(r.at for r in readings)
        return max((r for r in readings if newest - r.at < 0.5), key=lambda r: r.peak_db)


class MeetingRun:
    """See the module docstring. Controls: ``start``, ``stop``, ``cancel``, ``request_finalize``."""

    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        options: LiveOptions,
        model: Model | None,
        mic: AudioSource,
        system: AudioSource,
        listener: LiveRunListener | None = None,
        *,
        library: Library | None = None,
        record: MeetingRecordingFactory | None = None,
        settings: LiveRunSettings | None = None,
        transcript: Transcript | None = None,
        echo_guard: EchoGuard | None = None,
        max_hold_ms: int | None = None,
    ) -> None:
        """Build both start requests; ``ValueError`` says why the options cannot start a session."""
        self.settings = settings or LiveRunSettings()
        self.transcript = transcript if transcript is not None else Transcript()
        self.listener = listener or LiveRunListener()
        hold = {} if max_hold_ms is None else {"max_hold_ms": max_hold_ms}
        self.merger = MeetingMerger(echo_guard=echo_guard, **hold)
        self.sink: LiveLibrarySink | None = None
        self.last_error: UserError | None = None
        self.state = LiveState.IDLE
        self._library = library
        self._record = record
        self._t0: float | None = None
        self._pending = False
        self._detail = ""
        self._stats: dict[Side, LiveStats] = {}
        self._canceled = False
        self._clocked = {
            Side.YOU: ClockedSource(mic, self._now_ms, lambda ms: self.merger.set_offset(Side.YOU, ms)),
            Side.OTHERS: ClockedSource(system, self._now_ms, lambda ms: self.merger.set_offset(Side.OTHERS, ms)),
        }
        self.source = MeetingSources(mic, system)
        side_settings = LiveRunSettings(
            keep_audio=False, transmitting=True, session_options=self.settings.session_options
        )
        side_options = {
            Side.YOU: replace(options, enable_speaker_diarization=False),
            Side.OTHERS: replace(options, enable_speaker_diarization=True),
        }
        origins = {Side.YOU: SourceOrigin(SourceKind.MICROPHONE), Side.OTHERS: SourceOrigin(SourceKind.SYSTEM)}
        self.runs: dict[Side, LiveRun] = {}
        for side in Side:
            run = LiveRun(
                client_factory,
                side_options[side],
                model,
                self._clocked[side],
                origins[side],
                _SideListener(self, side),
                settings=replace(side_settings),
            )
            run.events = _SideEvents(run.events, self, side)  # type: ignore[assignment]
            self.runs[side] = run
        #: The system side's request (diarization on): what the panel's translation columns read.
        self.config = self.runs[Side.OTHERS].config
        self.not_sent: list[str] = list(dict.fromkeys(self.runs[Side.YOU].not_sent + self.runs[Side.OTHERS].not_sent))

    # -- reading ----------------------------------------------------------------------------------
    @property
    def library_transcript_id(self) -> int | None:
        return self.sink.transcript_id if self.sink is not None else None

    @property
    def library(self) -> Library | None:
        return self._library

    @property
    def audio_path(self) -> Path | None:
        recording = self.sink.recording if self.sink is not None else None
        return recording.path if recording is not None else None

    @property
    def session(self) -> LiveSession | None:
        """The microphone's session (a single run's callers read counters from it)."""
        return self.runs[Side.YOU].session

    @property
    def lost_spans_ms(self) -> tuple[tuple[int, int], ...]:
        """Spans of the meeting's clock either side never had transcribed (merged)."""
        spans: list[tuple[int, int]] = []
        for side, run in self.runs.items():
            offset = self.merger.offset(side) or 0
            spans.extend((a + offset, b + offset) for a, b in run.lost_spans_ms)
        return merge_spans(spans)

    @property
    def finalize_pending(self) -> bool:
        return any(run.finalize_pending for run in self.runs.values())

    def is_transmitting(self) -> bool:
        return any(run.is_transmitting() for run in self.runs.values())

    def side_state(self, side: Side) -> LiveState:
        return self.runs[side].state

    # -- controls ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Create the library entry (and the recording), then open both sessions together."""
        self._t0 = asyncio.get_running_loop().time()
        self._keep_in_library()
        self._set_state(LiveState.CONNECTING, "Connecting to Soniox…")
        results = await asyncio.gather(*(run.start() for run in self.runs.values()), return_exceptions=True)
        for side, result in zip(self.runs, results, strict=True):
            if isinstance(result, BaseException):
                log.error("Starting the %s side failed", side.value, exc_info=result)
                self._side_failed(side, _failed_to_start(side, result))
                self.runs[side].state = LiveState.ERROR
                self._side_state(side, LiveState.ERROR, str(result))

    async def stop(self) -> None:
        """Finish both sides gracefully (their last words arrive), together."""
        await asyncio.gather(*(run.stop() for run in self.runs.values()), return_exceptions=True)

    def cancel(self) -> None:
        self._canceled = True
        for run in self.runs.values():
            run.cancel()

    def request_finalize(self) -> bool:
        asked = [run.request_finalize() for run in self.runs.values()]
        return any(asked)

    def set_transmitting(self, on: bool) -> None:
        """Hold-to-talk does not apply to meetings: both clocks must keep running with the audio."""

    def rename_speaker(self, speaker: str, name: str) -> None:
        """Keep a speaker's new name in the library entry (the transcript is renamed by its view)."""
        if self.sink is not None:
            try:
                self.sink.rename_speaker(speaker, name)
            except Exception:
                log.exception("Could not store the speaker name")

    # -- merging ------------------------------------------------------------------------------------
    def _now_ms(self) -> float:
        if self._t0 is None:
            return 0.0
        return (asyncio.get_running_loop().time() - self._t0) * 1000

    def _flush(self) -> None:
        update = self.merger.take()
        if not update.finals and update.tail == self.transcript.tail_tokens:
            return
        delta = self.transcript.apply(update.tokens)
        if delta.finals and self.sink is not None:
            self.sink.add_finals(delta.new_final_tokens)
        if not delta.is_empty:
            self.listener.on_delta(delta)

    # -- what the sides report ----------------------------------------------------------------------
    def _side_state(self, side: Side, state: LiveState, detail: str) -> None:
        if state.is_terminal:
            self.merger.end(side)
            self._flush()
        combined = self._combined_state()
        other = self.runs[Side.OTHERS if side is Side.YOU else Side.YOU]
        if combined.is_terminal:
            self._end(combined)
            detail = "Finished" if combined is LiveState.FINISHED else detail
        elif state in (LiveState.RECONNECTING, LiveState.ERROR) or (state.is_terminal and other.state.is_active):
            detail = f"{SIDE_NAMES[side]}: {detail}"
        self._set_state(combined, detail)

    def _combined_state(self) -> LiveState:
        states = [run.state for run in self.runs.values()]
        if all(s.is_terminal for s in states):
            if self._canceled or all(s is LiveState.CANCELED for s in states):
                return LiveState.CANCELED
            if any(s is LiveState.FINISHED for s in states):
                return LiveState.FINISHED
            return LiveState.ERROR
        for state in (LiveState.RECONNECTING, LiveState.RUNNING, LiveState.FINISHING):
            if state in states:
                return state
        return LiveState.CONNECTING

    def _set_state(self, state: LiveState, detail: str) -> None:
        if state is self.state and detail == self._detail:
            return
        self.state, self._detail = state, detail
        self.listener.on_state(state, detail)

    def _side_failed(self, side: Side, error: UserError) -> None:
        other = self.runs[Side.OTHERS if side is Side.YOU else Side.YOU]
        if other.state.is_active:
            error = replace(
                error,
                title=f"{SIDE_NAMES[side]} stopped",
                message=f"{error.title}: {error.message}",
                action=f"The {SIDE_NAMES[Side.OTHERS if side is Side.YOU else Side.YOU].lower()} goes on;"
                " the words so far are kept.",
            )
        self.last_error = error
        self.listener.on_error(error)

    def _side_pending(self) -> None:
        pending = self.finalize_pending
        if pending != self._pending:
            self._pending = pending
            self.listener.on_finalize_pending(pending)

    def _side_stats(self, side: Side, stats: LiveStats) -> None:
        self._stats[side] = stats
        parts = list(self._stats.values())
        self.listener.on_stats(
            LiveStats(
                bytes_sent=sum(s.bytes_sent for s in parts),
                chunks_sent=sum(s.chunks_sent for s in parts),
                audio_s=sum(s.audio_s for s in parts),  # billed audio: both streams
                replayed_bytes=sum(s.replayed_bytes for s in parts),
                discarded_chunks=sum(s.discarded_chunks for s in parts),
                dropped_bytes=sum(s.dropped_bytes for s in parts),
                source_overflows=sum(s.source_overflows for s in parts),
                reconnects=sum(s.reconnects for s in parts),
                keepalives=sum(s.keepalives for s in parts),
                finalizes=sum(s.finalizes for s in parts),
                backlog_s=max(s.backlog_s for s in parts),
                backlog_capacity_s=max(s.backlog_capacity_s for s in parts),
                lost_spans_ms=self.lost_spans_ms,
            )
        )

    # -- keeping --------------------------------------------------------------------------------------
    def _keep_in_library(self) -> None:
        library = self._library
        if library is None:
            return
        try:
            sink = LiveLibrarySink(
                library,
                title=MEETING_TITLE,
                source_kind=MEETING_SOURCE_KIND,
                source_label=self.source.label,
                config=self.config.model_dump(mode="json", exclude_none=True),
                on_error=lambda exc: self.listener.on_library_error(exc),
            )
        except Exception as exc:
            log.exception("Could not create the library entry")
            self.listener.on_library_unavailable(exc)
            return
        self.sink = sink
        if not self.settings.keep_audio or self._record is None:
            return
        you, others = self.runs[Side.YOU], self.runs[Side.OTHERS]
        tapped = self._record(
            you.source,
            others.source,
            lambda track: self.merger.offset(Side.YOU if track == 0 else Side.OTHERS),
            lambda ext: library.recording_path(sink.transcript_id, ext),
            sink.attach_recording,
        )
        if tapped is not None:
            you.source, others.source = tapped

    def _end(self, state: LiveState) -> None:
        if self.sink is not None and not self.sink.finished:
            self.sink.finish(state.value)


class _SideListener(LiveRunListener):
    """One side's run reports here: its words go to the merger, its state into the combined one."""

    def __init__(self, meeting: MeetingRun, side: Side) -> None:
        self.meeting = meeting
        self.side = side

    def on_state(self, state: LiveState, detail: str) -> None:
        self.meeting._side_state(self.side, state, detail)

    def on_delta(self, delta: TranscriptDelta) -> None:
        merger = self.meeting.merger
        if delta.finals:
            merger.add_finals(self.side, delta.new_final_tokens)
        if delta.tail_changed:
            merger.set_tail(self.side, delta.tail_tokens)

    def on_finalize_pending(self, pending: bool) -> None:
        self.meeting._side_pending()

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self.meeting.listener.on_reconnecting(attempt, delay_s, error)

    def on_error(self, error: UserError) -> None:
        self.meeting._side_failed(self.side, error)

    def on_stats(self, stats: LiveStats) -> None:
        self.meeting._side_stats(self.side, stats)


class _SideEvents:
    """Sits between a side's session and its run: notes how far the side is final, then merges.

    The run turns each response into its own transcript's delta (reconnect offsets, spacing);
    after that, the side's finalised position (``final_audio_proc_ms``) moves the merger on,
    even for a response without words (silence still advances it).
    """

    def __init__(self, inner: Any, meeting: MeetingRun, side: Side) -> None:
        self.inner = inner
        self.meeting = meeting
        self.side = side

    def on_state(self, state: LiveState, detail: str) -> None:
        self.inner.on_state(state, detail)

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        self.inner.on_tokens(tokens, offset_ms, event)
        if event.final_audio_proc_ms is not None:
            self.meeting.merger.advance(self.side, offset_ms + event.final_audio_proc_ms)
        self.meeting._flush()

    def on_connection_replaced(self, offset_ms: int) -> None:
        self.inner.on_connection_replaced(offset_ms)
        self.meeting._flush()

    def on_finalize_pending(self, pending: bool) -> None:
        self.inner.on_finalize_pending(pending)

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self.inner.on_reconnecting(attempt, delay_s, error)

    def on_error(self, error: UserError) -> None:
        self.inner.on_error(error)

    def on_stats(self, stats: LiveStats) -> None:
        self.inner.on_stats(stats)


def _failed_to_start(side: Side, exc: BaseException) -> UserError:
    return UserError(
        f"{SIDE_NAMES[side]} could not start",
        str(exc) or type(exc).__name__,
        "Check the source and start again.",
        False,
        "meeting_side",
    )
