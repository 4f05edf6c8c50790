"""The contract between whatever produces audio (microphone, file, URL) and the live session.

The session only needs to know the wire format to declare in its config and to pull chunks; it
never knows whether PortAudio, a file or an HTTP stream is behind them. That is what lets tests
replay a WAV through the real capture code, and lets one session type serve every source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class AudioFormat:
    """What goes in the realtime config: ``audio_format`` and, for raw PCM, rate and channels."""

    audio_format: str = "pcm_s16le"
    sample_rate: int | None = 16000
    num_channels: int | None = 1

    @property
    def is_raw(self) -> bool:
        return self.audio_format.startswith("pcm_") or self.audio_format in ("mulaw", "alaw")

    @property
    def bytes_per_second(self) -> int | None:
        """Exact byte rate for raw PCM (so byte offsets map to milliseconds); None for containers."""
        if not self.is_raw or not self.sample_rate or not self.num_channels:
            return None
        width = {"8": 1, "16": 2, "24": 3, "32": 4, "64": 8}
        bits = "".join(ch for ch in self.audio_format if ch.isdigit()) or "8"
        return self.sample_rate * self.num_channels * width.get(bits, 2)


AUTO = AudioFormat("auto", None, None)
PCM16_MONO_16K = AudioFormat("pcm_s16le", 16000, 1)


class StreamResume(Protocol):
    """How a compressed stream restarts on a new connection (``desktop.audio.stream_resume``).

    A source whose bytes are a container (``audio_format: auto``) may offer one as its ``resume``
    attribute; the live session then replays from just before the last final word after a
    reconnect, instead of from wherever the stream happens to be.
    """

    @property
    def byte_rate(self) -> float:
        """Bytes per second of audio (exact for CBR, an estimate for VBR)."""

    @property
    def header(self) -> bytes:
        """What a decoder needs before mid-stream data (Ogg header pages, a WAV header); may be empty."""

    @property
    def header_size(self) -> int:
        """Bytes at the stream's very start that hold no audio time (its own header, an ID3 tag)."""

    def sync(self, data: bytes, position: int) -> int | None:
        """Offset in ``data`` (which starts at stream byte ``position``) of the first place a
        decoder can start; None if there is none in it."""


class AudioSourceError(Exception):
    """The source failed (device gone, file unreadable, stream ended badly); message is user-facing."""


@dataclass
class SourceStats:
    """Counters a source keeps so the UI can show that nothing is dropped silently."""

    chunks: int = 0
    bytes: int = 0
    overflows: int = 0  # chunks dropped because the consumer fell behind
    status_flags: int = 0  # PortAudio input overflow/underflow flags seen


@runtime_checkable
class AudioSource(Protocol):
    """A live audio producer. ``chunks()`` yields until the source ends or ``stop()`` is called.

    Chunks are about 100 ms each. A source that fails raises :class:`AudioSourceError` from
    ``chunks()``; the session then finishes cleanly and keeps its transcript.
    """

    @property
    def format(self) -> AudioFormat: ...

    @property
    def label(self) -> str: ...

    @property
    def stats(self) -> SourceStats: ...

    async def start(self) -> None: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def stop(self) -> None: ...


class SourceWrapper:
    """An :class:`AudioSource` around another, for taps that see its chunks on their way (a
    recording, the meeting clock, the echo canceller): format, label, stats, start and stop are
    the inner source's, and so is every other attribute (``levels``, ``path``…), so a level meter
    or the library still finds them. Subclasses override :meth:`chunks` (and ``stop`` to add to it).
    """

    def __init__(self, inner: AudioSource) -> None:
        self.inner = inner

    @property
    def format(self) -> AudioFormat:
        return self.inner.format

    @property
    def label(self) -> str:
        return self.inner.label

    @property
    def stats(self) -> SourceStats:
        return self.inner.stats

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet (half-built, or being copied): no endless lookup
            raise AttributeError(name)
        return getattr(self.inner, name)

    async def start(self) -> None:
        await self.inner.start()

    def chunks(self) -> AsyncIterator[bytes]:
        return self.inner.chunks()

    async def stop(self) -> None:
        await self.inner.stop()
