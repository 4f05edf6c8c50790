"""A meeting's audio kept as one stereo Ogg Opus file: the microphone left, the system audio right.

One file rather than two: the library links one audio file per entry, a player plays it with
both sides heard (one per channel), and the two tracks cannot drift apart on disk. Each track
is laid on the meeting's shared clock: a track whose audio started later is preceded by that
much silence, so a word's time in the transcript is its time in the recording.

The two captures deliver audio at their own pace. Frames are written once both tracks have
them; a track that has ended (its source stopped or failed) counts as silence from then on, and
a track more than :data:`MAX_SKEW_MS` behind the other (a stalled device) is padded with silence
so the other's audio is not held in memory without bound.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from desktop.audio.recording import PathFor, Recorder, RecordingError, StreamRecorder
from desktop.core.audio_source import AudioFormat, AudioSource, SourceWrapper
from desktop.core.library.live_sink import Recording

log = logging.getLogger(__name__)

MAX_SKEW_MS = 3000
_SAMPLE_BYTES = 2  # pcm_s16le


class TwoTrackRecorder:
    """Interleaves two mono PCM16 tracks into one stereo recording (the sink's ``Recording``)."""

    audio_format = StreamRecorder.audio_format

    def __init__(
        self,
        rate: int,
        start_ms: Callable[[int], int | None],
        path_for: PathFor,
        on_open: Callable[[Recording], None] | None = None,
        *,
        max_skew_ms: int = MAX_SKEW_MS,
    ) -> None:
        self.rate = rate
        self._start_ms = start_ms
        self._on_open = on_open
        self._buffers = (bytearray(), bytearray())
        self._started = [False, False]
        self._ended = [False, False]
        self._placed = [0, 0]  # bytes laid on each track so far, silence included
        self._max_skew = max_skew_ms * rate // 1000 * _SAMPLE_BYTES
        self._stereo = StreamRecorder(AudioFormat("pcm_s16le", rate, 2), path_for, self._opened)
        self.closed = False

    # -- the sink's Recording ---------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._stereo.path

    @property
    def duration_ms(self) -> int:
        return self._stereo.duration_ms

    @property
    def failed(self) -> bool:
        return self._stereo.failed

    def close(self, *, wait_s: float = 10.0) -> None:
        """Write what either track still holds (the other padded with silence), then finish."""
        if self.closed:
            return
        self.closed = True
        self._ended = [True, True]
        self._drain()
        self._stereo.close(wait_s=wait_s)

    # -- the tracks ---------------------------------------------------------------------------------
    def write(self, track: int, chunk: bytes) -> None:
        if self.closed or not chunk:
            return
        if not self._started[track]:
            self._started[track] = True
            lead = (self._start_ms(track) or 0) * self.rate // 1000 * _SAMPLE_BYTES
            self._lay(track, bytes(max(0, lead - self._placed[track])))
        self._lay(track, chunk[: len(chunk) - len(chunk) % _SAMPLE_BYTES])
        self._drain()

    def _lay(self, track: int, data: bytes) -> None:
        self._buffers[track].extend(data)
        self._placed[track] += len(data)

    def end(self, track: int) -> None:
        """``track``'s source has stopped: silence from here on."""
        self._ended[track] = True
        self._drain()

    def _drain(self) -> None:
        left, right = self._buffers
        for track, (mine, other) in enumerate(((left, right), (right, left))):
            if not self._ended[track] and len(other) - len(mine) > self._max_skew:
                self._lay(track, bytes(len(other) - len(mine) - self._max_skew))
        n = min(len(left), len(right))
        if self._ended[0]:
            n = max(n, len(right))
        if self._ended[1]:
            n = max(n, len(left))
        if n <= 0:
            return
        for track, buffer in enumerate((left, right)):
            if len(buffer) < n:
                self._lay(track, bytes(n - len(buffer)))
        import numpy as np

        frames = np.empty((n // _SAMPLE_BYTES, 2), dtype="<i2")
        frames[:, 0] = np.frombuffer(bytes(left[:n]), dtype="<i2")
        frames[:, 1] = np.frombuffer(bytes(right[:n]), dtype="<i2")
        del left[:n]
        del right[:n]
        self._stereo.write(frames.tobytes())

    def _opened(self, _recorder: Recorder) -> None:
        if self._on_open is not None:
            self._on_open(self)


class TrackTap(SourceWrapper):
    """An :class:`AudioSource` that hands every chunk to one track of a :class:`TwoTrackRecorder`."""

    def __init__(self, inner: AudioSource, recorder: TwoTrackRecorder, track: int) -> None:
        super().__init__(inner)
        self.recorder = recorder
        self.track = track

    async def chunks(self) -> AsyncIterator[bytes]:
        source = self.inner.chunks()
        try:
            async for chunk in source:
                self.recorder.write(self.track, chunk)
                yield chunk
        finally:
            self.recorder.end(self.track)
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()

    async def stop(self) -> None:
        self.recorder.end(self.track)
        await self.inner.stop()


def record_meeting(
    mic: AudioSource,
    system: AudioSource,
    start_ms: Callable[[int], int | None],
    path_for: PathFor,
    on_open: Callable[[Recording], None],
) -> tuple[AudioSource, AudioSource] | None:
    """The meeting's recording hook (``desktop.core.meeting.run.MeetingRecordingFactory``).

    None when the two tracks cannot share one file (not 16-bit mono PCM at one rate).
    """
    formats = {(s.format.audio_format, s.format.sample_rate, s.format.num_channels) for s in (mic, system)}
    if len(formats) != 1:
        log.info("The meeting's two sources differ in format (%s): not recorded", formats)
        return None
    audio_format, rate, channels = formats.pop()
    if audio_format != "pcm_s16le" or channels != 1 or not rate:
        return None
    try:
        recorder = TwoTrackRecorder(rate, start_ms, path_for, on_open)
    except RecordingError:
        return None
    return TrackTap(mic, recorder, 0), TrackTap(system, recorder, 1)
