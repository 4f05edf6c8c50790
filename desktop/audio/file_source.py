"""Stream a local audio file's original bytes at real-time pace, as if it were live.

The realtime API decodes containers itself (``audio_format: auto``), so the file is never
decoded here: its bytes go out unchanged, ~100 ms worth at a time, paced by the file's duration
(read with mutagen, which knows mp3/m4a/ogg/flac/wav/aiff/asf..., else soundfile, else the
header). Sending faster than real time would make a "live" transcript of a file pointless and
could trip the service's real-time limits; sending slower would waste the user's time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import BinaryIO

from desktop.audio.pacing import (
    ESTIMATED_BYTES_PER_SECOND,
    SUPPORTED_CONTAINERS,
    Pacer,
    sniff_byte_rate,
)
from desktop.audio.stream_resume import resume_for
from desktop.audio.url_source import failure_reason
from desktop.core.audio_source import AUTO, AudioFormat, AudioSourceError, SourceStats, StreamResume
from desktop.core.jobs.file_checks import media_file_problem
from desktop.core.media_duration import media_duration_s
from desktop.core.media_sniff import sniff_container

log = logging.getLogger(__name__)


class FileSource:
    """An :class:`~desktop.core.audio_source.AudioSource` for a local audio file."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        chunk_ms: int = 100,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.path = Path(path)
        self._chunk_ms = chunk_ms
        self._speed = speed
        self._clock = clock
        self._sleep = sleep
        self._file: BinaryIO | None = None
        self._size = 0
        self._bytes_per_second = float(ESTIMATED_BYTES_PER_SECOND)
        self._duration: float | None = None
        self._estimated = False
        self._stopped = False
        self._stats = SourceStats()
        self._label = self.path.name
        self._resume: StreamResume | None = None

    @property
    def format(self) -> AudioFormat:
        return AUTO

    @property
    def label(self) -> str:
        return self._label

    @property
    def stats(self) -> SourceStats:
        return self._stats

    @property
    def duration_s(self) -> float | None:
        """Length of the file in seconds (estimated when the label says so); None before start."""
        return self._duration

    @property
    def position_s(self) -> float:
        """Seconds of audio sent so far."""
        return self._stats.bytes / self._bytes_per_second

    @property
    def resume(self) -> StreamResume | None:
        """Where a reconnect can restart the file's bytes (MP3/AAC frames, Ogg pages); None for
        containers that cannot restart mid-way (MP4, WebM) or before :meth:`start`."""
        return self._resume

    @property
    def pace_estimated(self) -> bool:
        return self._estimated

    async def start(self) -> None:
        """Open the file and work out its pace; unreadable or non-audio files raise here.

        Starting a started source does nothing, so a caller may check the file up front (the
        Live panel does, before anything reaches Soniox) and the session start it again.
        """
        if self._file is not None:
            return
        await asyncio.to_thread(self._open)

    def _open(self) -> None:
        name = self.path.name or str(self.path)
        # What an upload would refuse is refused here too, in the same words: not a file (a
        # folder, a link loop), empty, unreadable, or another kind of file renamed ``.mp3``.
        problem = media_file_problem(self.path, missing="the file does not exist.")
        if problem is not None:
            raise AudioSourceError(f"“{name}”: {problem}")
        try:
            f = self.path.open("rb")
        except OSError as exc:
            raise AudioSourceError(f"The file “{name}” could not be read: {_os_reason(exc)}.") from exc
        try:
            self._size = os.fstat(f.fileno()).st_size
            head = f.read(65536)
            f.seek(0)
        except OSError as exc:
            f.close()
            raise AudioSourceError(f"The file “{name}” could not be read: {_os_reason(exc)}.") from exc
        if self._size == 0:
            f.close()
            raise AudioSourceError(f"The file “{name}” is empty.")
        duration = media_duration_s(self.path)
        container = sniff_container(head)
        if duration is None and container is None:
            f.close()
            raise AudioSourceError(
                f"The file “{name}” is not an audio file that can be transcribed (supported: {SUPPORTED_CONTAINERS})."
            )
        if duration is not None:
            self._bytes_per_second = self._size / duration
        else:
            rate = sniff_byte_rate(head, self._size)
            self._estimated = rate is None
            self._bytes_per_second = rate or float(ESTIMATED_BYTES_PER_SECOND)
            duration = self._size / self._bytes_per_second
        self._duration = duration
        self._file = f
        self._resume = resume_for(head, self._bytes_per_second)
        if self._estimated:
            self._label = f"{name} (length unknown: paced at an estimated 128 kbit/s)"
        log.info("Streaming %s: %d bytes, %.1f s%s", name, self._size, duration, " (est.)" * self._estimated)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield the file's bytes in ~100 ms pieces at real-time pace, then end."""
        if self._file is None:
            raise AudioSourceError("start() the file source first")
        chunk_bytes = max(1, round(self._bytes_per_second * self._chunk_ms / 1000))
        pacer = Pacer(self._bytes_per_second, speed=self._speed, clock=self._clock, sleep=self._sleep)
        try:
            while not self._stopped:
                try:
                    chunk = self._file.read(chunk_bytes)
                except (OSError, ValueError) as exc:  # ValueError: closed by stop()
                    if self._stopped:
                        break
                    raise AudioSourceError(f"Reading “{self.path.name}” failed: {failure_reason(exc)}.") from exc
                if not chunk:
                    break
                await pacer.wait(self._stats.bytes)
                if self._stopped:
                    break
                self._stats.chunks += 1
                self._stats.bytes += len(chunk)
                yield chunk
        finally:
            self._close()

    async def stop(self) -> None:
        self._stopped = True
        self._close()

    def _close(self) -> None:
        f, self._file = self._file, None
        if f is not None:
            f.close()


def _os_reason(exc: OSError) -> str:
    """The OS's words ("Permission denied"), never an empty reason."""
    return exc.strerror or failure_reason(exc)
