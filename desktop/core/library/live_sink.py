"""One live session's life in the library: its row at Start, tokens as they turn final, its audio,
and its end.

The live controller owns one :class:`LiveLibrarySink` per session. Nothing here blocks for long:
token batches go through :class:`~.autosave.Autosave`, the recording writes itself from the
audio path (``desktop.audio.recording``) and only reports its file and length here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from desktop.core.library.autosave import Autosave, CallLater
from desktop.core.library.store import Library

log = logging.getLogger(__name__)

#: How long ending a session may wait for its recording to be complete. ``finish`` runs on the
#: UI thread; the encoder normally keeps up with real time, so this is rarely reached, and past it
#: the recorder's writer thread finishes the backlog by itself (the app waits for it at exit).
RECORDING_CLOSE_WAIT_S = 0.5

#: Live end states (``LiveState.value``) to the ``end_reason`` kept in the library.
END_REASONS = {"finished": "finished", "error": "error", "canceled": "canceled"}
#: A session without a single word is kept only if it recorded at least this much audio.
KEEP_SILENT_MS = 5000


class Recording(Protocol):
    """What the sink needs from an audio recording (``desktop.audio.recording.StreamRecorder``)."""

    @property
    def path(self) -> Path: ...

    @property
    def audio_format(self) -> str: ...

    @property
    def duration_ms(self) -> int: ...

    def close(self, *, wait_s: float = 10.0) -> None: ...


class LiveLibrarySink:
    """Creates the session's row at once; see the module docstring."""

    def __init__(
        self,
        library: Library,
        *,
        title: str,
        source_kind: str,
        source_label: str = "",
        source_uri: str | None = None,
        config: Mapping[str, Any] | None = None,
        call_later: CallLater | None = None,
        interval_s: float | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.library = library
        self.transcript_id = library.begin_live(
            title=title,
            source_kind=source_kind,
            source_label=source_label,
            source_uri=source_uri,
            config=config,
        )
        options: dict[str, Any] = {"call_later": call_later, "on_error": on_error}
        if interval_s is not None:
            options["interval_s"] = interval_s
        self.autosave = Autosave(library, self.transcript_id, **options)
        self.recording: Recording | None = None
        self.finished = False

    def attach_recording(self, recording: Recording) -> None:
        """The library's own recording of this session (deleted with the transcript)."""
        self.recording = recording
        self.library.set_audio(self.transcript_id, recording.path, owned=True, audio_format=recording.audio_format)

    def link_audio(self, path: str | Path, audio_format: str | None = None) -> None:
        """The session streams the user's own file: link it (never copied, never deleted)."""
        self.library.set_audio(self.transcript_id, Path(path).resolve(), owned=False, audio_format=audio_format)

    def add_finals(self, tokens: Iterable[Any]) -> None:
        if not self.finished:
            self.autosave.add(tokens)

    def rename_speaker(self, speaker: str, name: str) -> None:
        self.library.set_speaker_name(self.transcript_id, speaker, name)

    def finish(self, state: str) -> None:
        """The session reached a terminal state (``LiveState.value``): write the rest and close."""
        if self.finished:
            return
        self.finished = True
        self.autosave.close()
        duration = 0
        if self.recording is not None:
            try:
                self.recording.close(wait_s=RECORDING_CLOSE_WAIT_S)  # on the UI thread: never wait long
                duration = self.recording.duration_ms
            except Exception:
                log.warning("Closing the recording failed", exc_info=True)
        try:
            if self.autosave.saved == 0 and duration < KEEP_SILENT_MS:
                # Nothing was said (or it failed to connect): no empty entry in the history.
                self.library.delete(self.transcript_id)
                return
            self.library.finish_live(self.transcript_id, end_reason=END_REASONS.get(state, state), duration_ms=duration)
        except Exception:
            log.exception("Could not mark live session %d finished", self.transcript_id)
