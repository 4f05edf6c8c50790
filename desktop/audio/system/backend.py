"""The small seam between the system-audio capture and each OS's way of reaching the output.

Every OS offers "what the computer plays" differently (a PulseAudio/PipeWire monitor source, a
WASAPI loopback client, a Core Audio process tap), but once opened they all look alike: a
blocking ``read()`` of float blocks at the device's rate. :class:`LoopbackBackend` is that
common face, so one capture class (``desktop.audio.system.capture``) does the threading,
switching and failure handling for all three, and tests can replace a backend's OS library at
its boundary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # numpy loads with the first capture, not with the window's output picker
    import numpy as np

#: Loopback blocks are read this long at a time (as the microphone's callback blocks are).
BLOCK_MS = 40
#: At most this many channels are opened and averaged (a surround output may offer 8).
MAX_CHANNELS = 2


@dataclass(frozen=True)
class OutputDevice:
    """One output (speakers, headphones, a virtual sink) whose sound can be captured."""

    id: str  # what settings remember (PulseAudio sink name, WASAPI endpoint id, Core Audio UID)
    name: str  # what the picker shows
    is_default: bool


@dataclass(frozen=True)
class SystemAudioSupport:
    """Whether system audio can be captured here, said in words for the UI."""

    available: bool
    message: str
    settings_url: str | None = None  # where to grant a permission (macOS privacy pane)


class LoopbackStream(Protocol):
    """An open capture of one output; used by the capture's reader thread only."""

    rate: int
    channels: int

    def read(self) -> np.ndarray:
        """Block until the next ``frames × channels`` float32 block; raise if the output failed."""

    def close(self) -> None: ...


class LoopbackBackend(Protocol):
    """One OS's outputs and loopback streams. One instance serves one capture's reader thread."""

    #: True when the OS capture itself follows whatever the system plays (a macOS global tap),
    #: so the capture need not switch streams when the default output changes.
    follows_default: bool

    def thread_scope(self) -> contextlib.AbstractContextManager[None]:
        """Per-thread setup around everything the reader thread does (COM on Windows)."""

    def outputs(self) -> list[OutputDevice]:
        """The outputs now, the default marked; raises AudioSourceError when the sound system is gone."""

    def open(self, output: OutputDevice | None) -> LoopbackStream:
        """Start capturing ``output`` (None: everything, where ``follows_default``); raises
        AudioSourceError in words."""

    def describe_failure(self, exc: BaseException, output: OutputDevice) -> str:
        """Why a running capture of ``output`` failed, in words with what to do."""

    def close(self) -> None:
        """Release what the backend holds (its server connection)."""


class RecorderStream:
    """A soundcard ``recorder`` (any OS) as a :class:`LoopbackStream`.

    soundcard's ``record(n)`` blocks until ``n`` frames arrived, which is why a dedicated
    reader thread runs it and never the asyncio loop.
    """

    def __init__(self, recorder: Any, rate: int, channels: int, block_frames: int) -> None:
        self._recorder = recorder
        self.rate = rate
        self.channels = channels
        self._block = block_frames
        recorder.__enter__()

    @classmethod
    def open(cls, source: Any, rate: int, channels: int) -> RecorderStream:
        """Record ``source`` (a soundcard microphone or loopback) at ``rate``, at most stereo."""
        channels = max(1, min(MAX_CHANNELS, int(channels or MAX_CHANNELS)))
        frames = block_frames(rate)
        return cls(source.recorder(samplerate=rate, channels=channels, blocksize=frames), rate, channels, frames)

    def read(self) -> np.ndarray:
        import numpy as np

        return np.asarray(self._recorder.record(numframes=self._block), dtype=np.float32)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._recorder.__exit__(None, None, None)


def soundcard_outputs(sc: Any, key: Any = None) -> list[OutputDevice]:
    """soundcard's speakers as outputs (``key`` turns one into its stable id), the default marked."""
    from desktop.core.audio_source import AudioSourceError

    key = key or (lambda speaker: str(speaker.id))
    try:
        speakers = list(sc.all_speakers())
        try:
            default_id = sc.default_speaker().id
        except Exception:  # no default output (nothing plugged in)
            default_id = None
        return [OutputDevice(key(s), str(s.name), s.id == default_id) for s in speakers]
    except Exception as exc:
        raise AudioSourceError(f"Could not list the sound outputs ({exc}). Check the sound settings.") from exc


def block_frames(rate: int) -> int:
    return max(1, rate * BLOCK_MS // 1000)


@contextlib.contextmanager
def no_thread_scope() -> Iterator[None]:
    yield
