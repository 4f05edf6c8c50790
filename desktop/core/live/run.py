"""One live run, front-end free: what the source is, the session, the transcript, and keeping it.

The live panel used to put a run together itself: build the config and the "not sent" notes,
create the library entry, decide whether to link the file or record the audio, wrap the source
in a recording tap and feed final words to the autosave. A tray menu, a dictation hotkey or a
caption overlay must start the same run without that panel, so it lives here, built from explicit
parts:

* ``source`` and its :class:`SourceOrigin` (a microphone, a local file, a stream URL): what the
  library entry is titled and whether the audio is linked (a local file) or recorded;
* ``record``: a :data:`RecordingTapFactory` from ``desktop.audio`` that wraps the source so its
  audio is written as it streams (core never imports the audio package);
* ``library`` and ``keep_audio``: where the run is kept, and whether its audio is;
* ``listener``: a :class:`LiveRunListener` that hears the transcript change (as deltas ready to
  draw), the state, errors and counters.

The run owns its :class:`~desktop.core.transcript.Transcript` and the session; ``stop``,
``cancel``, ``request_finalize`` and ``set_transmitting`` (hold-to-talk) are its controls.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.audio_source import AudioSource
from desktop.core.errors import UserError
from desktop.core.library.live_sink import LiveLibrarySink, Recording
from desktop.core.library.store import Library
from desktop.core.live.config_builder import LiveOptions, build_realtime_config, dropped_options
from desktop.core.live.state import LiveState, LiveStats
from desktop.core.transcript import Transcript, TranscriptDelta

if TYPE_CHECKING:
    from soniox import AsyncSonioxClient
    from soniox.types import Model, RealtimeEvent, RealtimeSTTConfig, Token

    from desktop.core.live.session import LiveSession

log = logging.getLogger(__name__)


class SourceKind(str, enum.Enum):
    MICROPHONE = "microphone"
    FILE = "file"
    URL = "url"
    SYSTEM = "system"  # what the computer plays (desktop.audio.system)
    MEETING = "meeting"  # the microphone and the system audio (desktop.core.meeting)


@dataclass(frozen=True)
class SourceOrigin:
    """What a run's audio comes from, said by whoever built the source (no guessing from it)."""

    kind: SourceKind
    #: A local file streamed at real-time pace: the library links to it instead of recording.
    path: Path | None = None
    #: A stream's address, kept as the library entry's source.
    url: str | None = None

    def title(self, label: str) -> str:
        if self.path is not None:
            return self.path.name
        if self.kind is SourceKind.URL:
            return label
        if self.kind is SourceKind.SYSTEM:
            return "System audio"
        if self.kind is SourceKind.MEETING:
            return "Meeting"
        return "Microphone"

    @property
    def uri(self) -> str | None:
        return str(self.path) if self.path is not None else self.url


class RecordingTapFactory(Protocol):
    """Wrap ``source`` so its audio is recorded as it streams (``desktop.audio.recording``).

    Returns None when the source's audio cannot be recorded (the run then streams it as it is).
    ``path_for(extension)`` names the file, ``on_open(recording)`` reports it once it exists, and
    ``should_record()`` is asked per chunk (False while hold-to-talk is up: unsent audio is not kept).
    """

    def __call__(
        self,
        source: AudioSource,
        path_for: Callable[[str], Path],
        on_open: Callable[[Recording], None],
        should_record: Callable[[], bool],
    ) -> AudioSource | None: ...


class LiveRunListener:
    """What a run reports, on the loop thread; override what you need (the defaults do nothing)."""

    def on_state(self, state: LiveState, detail: str) -> None: ...

    def on_delta(self, delta: TranscriptDelta) -> None:
        """The transcript changed: new final words, a new provisional tail, or the tail dropped."""

    def on_finalize_pending(self, pending: bool) -> None: ...

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None: ...

    def on_error(self, error: UserError) -> None: ...

    def on_stats(self, stats: LiveStats) -> None: ...

    def on_library_error(self, error: Exception) -> None:
        """Saving words to the library failed (the run goes on; the autosave retries)."""

    def on_library_unavailable(self, error: Exception) -> None:
        """The run's library entry could not be created: this run will not be kept."""


@dataclass
class LiveRunSettings:
    """How the run is kept; the session's own tuning goes in ``session_options``."""

    keep_audio: bool = True
    transmitting: bool = True
    session_options: Mapping[str, Any] = field(default_factory=dict)


class LiveRun:
    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        options: LiveOptions,
        model: Model | None,
        source: AudioSource,
        origin: SourceOrigin,
        listener: LiveRunListener | None = None,
        *,
        library: Library | None = None,
        record: RecordingTapFactory | None = None,
        settings: LiveRunSettings | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        """Build the start request; ``ValueError`` says why the options cannot start a session."""
        self.settings = settings or LiveRunSettings()
        self.config: RealtimeSTTConfig = build_realtime_config(options, model, source.format)
        #: Options the chosen model does not support, left out of the request (to tell the user).
        self.not_sent: list[str] = dropped_options(options, model)
        self.origin = origin
        self.source = source
        self.transcript = transcript if transcript is not None else Transcript()
        self.listener = listener or LiveRunListener()
        self.sink: LiveLibrarySink | None = None
        self.last_error: UserError | None = None
        self.state = LiveState.IDLE
        self._client_factory = client_factory
        self._library = library
        self._record = record
        self.session: LiveSession | None = None
        #: What the session reports to (public so a benchmark can feed it recorded responses).
        self.events = _SessionEvents(self)

    # -- controls ------------------------------------------------------------------------------
    @property
    def library_transcript_id(self) -> int | None:
        return self.sink.transcript_id if self.sink is not None else None

    @property
    def library(self) -> Library | None:
        """The library this run is kept in (it may have been closed or replaced since)."""
        return self._library

    @property
    def audio_path(self) -> Path | None:
        """Where this run's audio is on disk: its recording, or the local file it streamed."""
        if self.origin.path is not None:
            return self.origin.path
        recording = self.sink.recording if self.sink is not None else None
        return recording.path if recording is not None else None

    @property
    def lost_spans_ms(self) -> tuple[tuple[int, int], ...]:
        """Timeline spans Soniox never transcribed (an outage longer than the buffer)."""
        return self.session.stats.lost_spans_ms if self.session is not None else ()

    @property
    def finalize_pending(self) -> bool:
        return self.session is not None and self.session.finalize_pending

    def is_transmitting(self) -> bool:
        """Whether audio read now goes on the session's timeline (False while hold-to-talk is up)."""
        return self.session is not None and self.session.transmitting

    async def start(self) -> LiveSession:
        """Create the library entry (and the recording), then open the session."""
        from desktop.core.live.session import LiveSession  # and the SDK: loaded with the first session

        streamed = self._keep_in_library()
        session = LiveSession(
            self._client_factory,
            self.config,
            streamed,
            self.events,
            transmitting=self.settings.transmitting,
            **dict(self.settings.session_options),
        )
        self.session = session
        try:
            await session.start()
        except BaseException:
            self._finish_sink(LiveState.ERROR)
            raise
        return session

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
        self.settings.transmitting = on
        if self.session is not None and self.session.state.is_active:
            self.session.set_transmitting(on)

    def rename_speaker(self, speaker: str, name: str) -> None:
        """Keep a speaker's new name in the library entry (the transcript is renamed by its view)."""
        if self.sink is not None:
            try:
                self.sink.rename_speaker(speaker, name)
            except Exception:
                log.exception("Could not store the speaker name")

    # -- keeping ------------------------------------------------------------------------------
    def _keep_in_library(self) -> AudioSource:
        """Create the entry; returns the source to stream (wrapped to record when it should be)."""
        library = self._library
        if library is None:
            return self.source
        origin = self.origin
        try:
            sink = LiveLibrarySink(
                library,
                title=origin.title(self.source.label),
                source_kind=origin.kind.value,
                source_label=self.source.label,
                source_uri=origin.uri,
                config=self.config.model_dump(mode="json", exclude_none=True),
                on_error=lambda exc: self.listener.on_library_error(exc),
            )
        except Exception as exc:
            log.exception("Could not create the library entry")
            self.listener.on_library_unavailable(exc)
            return self.source
        self.sink = sink
        if origin.path is not None:
            sink.link_audio(origin.path)
            return self.source
        if not self.settings.keep_audio or self._record is None:
            return self.source
        tapped = self._record(
            self.source,
            lambda ext: library.recording_path(sink.transcript_id, ext),
            sink.attach_recording,
            self.is_transmitting,
        )
        return tapped if tapped is not None else self.source

    def _finish_sink(self, state: LiveState) -> None:
        if self.sink is not None and not self.sink.finished:
            self.sink.finish(state.value)


class _SessionEvents:
    """The session's listener: turns raw responses into transcript deltas and keeps final words."""

    def __init__(self, run: LiveRun) -> None:
        self.run = run

    def on_state(self, state: LiveState, detail: str) -> None:
        run = self.run
        run.state = state
        if state.is_terminal:
            # Provisional words of an ended session will never turn final: don't leave them
            # on screen looking like part of the transcript (Stop finalizes them first anyway).
            delta = run.transcript.discard_tail()
            if not delta.is_empty:
                run.listener.on_delta(delta)
            run._finish_sink(state)
        run.listener.on_state(state, detail)

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        run = self.run
        delta = run.transcript.apply(tokens, offset_ms=offset_ms)
        if delta.finals and run.sink is not None:
            run.sink.add_finals(delta.new_final_tokens)
        if not delta.is_empty:
            run.listener.on_delta(delta)

    def on_connection_replaced(self, offset_ms: int) -> None:
        self.run.transcript.start_connection()
        delta = self.run.transcript.discard_tail()
        if not delta.is_empty:
            self.run.listener.on_delta(delta)

    def on_finalize_pending(self, pending: bool) -> None:
        self.run.listener.on_finalize_pending(pending)

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self.run.listener.on_reconnecting(attempt, delay_s, error)

    def on_error(self, error: UserError) -> None:
        self.run.last_error = error
        log.info("Live session error: %s (%s)", error.error_type, error.status_code)
        self.run.listener.on_error(error)

    def on_stats(self, stats: LiveStats) -> None:
        self.run.listener.on_stats(stats)
