"""Play a transcript's audio through PortAudio, at 0.5–2x, and say which instant is being heard.

Threading: PortAudio calls :meth:`Player._callback` on its own thread. The callback decodes the
next block from the file (libsndfile: Ogg Vorbis, FLAC, WAV, MP3 …), time-stretches it
(:mod:`desktop.audio.timestretch`: speed without pitch change) and writes it out; it holds
:attr:`Player._lock` while doing so, which is also what the UI thread takes to seek, change speed
or read the position. The callback never waits for it: if the UI thread holds it (a seek in a
compressed file can take milliseconds), that block is silence instead of an underrun.

Position: each block the callback renders covers a known span of the file, and PortAudio says
when the block's first sample reaches the speaker (``outputBufferDacTime``). The position is the
span interpolated at the stream's current time, so the highlighted word follows what is heard,
not what was decoded a buffer earlier. Host APIs that report no DAC time fall back to the
monotonic clock plus the stream's latency.

``sd`` is injectable (like the capture's): tests pass a fake module whose stream they drive.
Files libsndfile cannot decode (AAC/M4A, WebM) are reported with a clear :class:`PlaybackError`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from desktop.audio import devices as devmod
from desktop.audio.resample import StreamResampler
from desktop.audio.timestretch import MAX_SPEED, MIN_SPEED, TimeStretcher

log = logging.getLogger(__name__)

BLOCKSIZE = 1024
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


class PlaybackError(Exception):
    """The audio cannot be played; the message is for the user."""


class Player:
    """Open a file, then play/pause/seek/set_speed; poll :attr:`position_ms` from the UI."""

    def __init__(
        self, sd: Any = None, *, blocksize: int = BLOCKSIZE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sd = sd
        self._blocksize = blocksize
        self._clock = clock
        self._lock = threading.Lock()
        self._file: Any = None
        self._stream: Any = None
        self._stretcher: TimeStretcher | None = None
        self._resamplers: list[StreamResampler] | None = None
        self._fifo = np.zeros((0, 1), dtype=np.float32)
        self._fifo_src: tuple[float, float] = (0.0, 0.0)
        self.path: Path | None = None
        self.sample_rate = 0
        self.channels = 0
        self.mix_tracks = False
        self.device_rate = 0
        self.frames = 0
        self._speed = 1.0
        self._playing = False
        self._finished = False
        self._position = 0.0  # in file samples, valid while not playing
        # (start time on the stream clock, duration s, src_start, src_end) of recent blocks
        self._blocks: deque[tuple[float, float, float, float]] = deque(maxlen=64)
        self._stream_clock = True
        self.error: str | None = None
        self.underruns = 0

    # ------------------------------------------------------------------ opening
    def open(self, path: str | Path, *, mix_tracks: bool = False) -> None:
        """Open ``path`` for playback (raises :class:`PlaybackError`); any previous file is closed.

        ``mix_tracks``: the channels are separate tracks (a meeting: the microphone left, the
        system audio right), so both are played in both ears rather than one per ear.
        """
        self.close()
        target = Path(path)
        if not target.exists():
            raise PlaybackError(f"The audio file was not found: {target}")
        try:
            import soundfile

            f = soundfile.SoundFile(str(target))
        except Exception as exc:
            raise PlaybackError(
                f"“{target.name}” cannot be played here ({exc}). Ogg, FLAC, WAV and MP3 files can."
            ) from exc
        frames = f.frames
        if frames <= 0 or frames >= 2**62:  # a file cut short without its length (not an Ogg)
            frames = _count_frames(f)
        self._file = f
        self.path = target
        self.sample_rate = int(f.samplerate)
        self.channels = 1 if f.channels == 1 else 2
        self.mix_tracks = mix_tracks and self.channels == 2
        self.frames = int(frames)
        self._position = 0.0
        self._finished = False
        self._stretcher = TimeStretcher(self._read, self.sample_rate, self.channels)
        self._stretcher.set_speed(self._speed)

    @property
    def is_open(self) -> bool:
        return self._file is not None

    @property
    def duration_ms(self) -> int:
        return int(self.frames * 1000 // self.sample_rate) if self.sample_rate else 0

    def _read(self, n: int) -> np.ndarray:
        data = self._file.read(n, dtype="float32", always_2d=True)
        if data.shape[1] > 2:
            data = data[:, :2]
        elif self.channels == 2 and data.shape[1] == 1:
            data = np.repeat(data, 2, axis=1)
        if self.mix_tracks:  # the sides rarely overlap: a sum keeps each at its own level
            mixed = np.clip(data[:, 0] + data[:, 1], -1.0, 1.0)
            data = np.repeat(mixed[:, None], 2, axis=1)
        return np.asarray(data, dtype=np.float32)

    # ------------------------------------------------------------------ state
    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def finished(self) -> bool:
        """Playback reached the end of the file (cleared by play or seek)."""
        return self._finished

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def position_ms(self) -> int:
        with self._lock:
            return int(self._position_samples() * 1000 // self.sample_rate) if self.sample_rate else 0

    def _position_samples(self) -> float:
        if not self._playing or not self._blocks:
            return self._position
        now = self._now()
        current = None
        for block in reversed(self._blocks):
            if block[0] <= now:
                current = block
                break
        if current is None:
            return self._blocks[0][2]
        start_t, duration, src_start, src_end = current
        fraction = min(1.0, (now - start_t) / duration) if duration > 0 else 1.0
        return min(float(self.frames), src_start + (src_end - src_start) * fraction)

    def _now(self) -> float:
        if self._stream_clock and self._stream is not None:
            try:
                return float(self._stream.time)
            except Exception:
                self._stream_clock = False
        return self._clock()

    # ------------------------------------------------------------------ control
    def play(self) -> None:
        if self._file is None or self._playing:
            return
        if self._finished or self._position >= self.frames:
            self.seek(0)
        self._ensure_stream()
        with self._lock:
            self._blocks.clear()
            self._finished = False
            self._playing = True
        try:
            with contextlib.suppress(Exception):
                if self._stream.active:
                    self._stream.abort()
            self._stream.start()
        except Exception as exc:
            self._playing = False
            raise PlaybackError(f"The audio output could not start: {exc}") from exc

    def pause(self) -> None:
        """Stop where the listener is (not where decoding was): resume continues from there."""
        if not self._playing:
            return
        with self._lock:
            heard = self._position_samples()
            self._playing = False
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.abort()  # silence now: what is buffered would play past the pause
        self._seek_samples(heard)

    def toggle(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def seek(self, ms: float) -> None:
        """Jump to ``ms`` (clamped to the file); playing continues from there."""
        if self._file is None:
            return
        self._seek_samples(ms * self.sample_rate / 1000)

    def _seek_samples(self, samples: float) -> None:
        target = int(min(max(0.0, samples), float(self.frames)))
        with self._lock:
            try:
                self._file.seek(target)
            except Exception as exc:  # a damaged file: stay where we are
                log.warning("Seeking to %d failed: %s", target, exc)
                return
            assert self._stretcher is not None
            self._stretcher.reset(target)
            self._reset_output()
            self._position = float(target)
            self._finished = False
            self._blocks.clear()

    def set_speed(self, speed: float) -> None:
        speed = float(min(MAX_SPEED, max(MIN_SPEED, speed)))
        if speed == self._speed:
            return
        if self._stretcher is None:
            self._speed = speed
            return
        with self._lock:
            heard = self._position_samples()
            self._speed = speed
            self._stretcher.set_speed(speed)
        self._seek_samples(heard)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        self._playing = False
        if stream is not None:
            with devmod.PORTAUDIO_LOCK:
                with contextlib.suppress(Exception):
                    stream.abort()
                with contextlib.suppress(Exception):
                    stream.close()
                devmod.stream_closed()
        f, self._file = self._file, None
        if f is not None:
            with contextlib.suppress(Exception):
                f.close()
        self._stretcher = None

    # ------------------------------------------------------------------ stream
    def _ensure_stream(self) -> None:
        if self._stream is not None:
            return
        if self._sd is None:
            try:
                self._sd = devmod.load_sounddevice()
            except Exception as exc:
                raise PlaybackError(str(exc)) from exc
        sd = self._sd
        with devmod.PORTAUDIO_LOCK:
            try:
                stream = self._open_stream(sd, self.sample_rate)
                self.device_rate = self.sample_rate
                self._resamplers = None
            except Exception as first:
                try:  # the device refuses the file's rate: play at its own and resample
                    rate = int(sd.query_devices(kind="output")["default_samplerate"])
                    stream = self._open_stream(sd, rate)
                except Exception:
                    raise PlaybackError(f"The audio output could not be opened: {first}") from first
                self.device_rate = rate
                self._resamplers = [StreamResampler(self.sample_rate, rate) for _ in range(self.channels)]
            devmod.stream_opened()
        self._stream = stream
        self._stream_clock = True
        self._reset_output()

    def _open_stream(self, sd: Any, rate: int) -> Any:
        return sd.OutputStream(
            samplerate=rate,
            channels=self.channels,
            dtype="float32",
            blocksize=self._blocksize,
            latency="high",
            callback=self._callback,
            finished_callback=self._on_finished,
        )

    def _reset_output(self) -> None:
        self._fifo = np.zeros((0, self.channels or 1), dtype=np.float32)
        if self._resamplers is not None:
            self._resamplers = [StreamResampler(self.sample_rate, self.device_rate) for _ in range(self.channels)]

    def _render(self, frames: int) -> tuple[np.ndarray, float, float]:
        """``frames`` samples at the device rate and the file span they cover."""
        assert self._stretcher is not None
        if self._resamplers is None:
            return self._stretcher.render(frames)
        src_start = self._fifo_src[0] if len(self._fifo) else self._stretcher.position
        while len(self._fifo) < frames and not self._stretcher.ended:
            block, _s, _e = self._stretcher.render(512)
            converted = np.stack([r.process(block[:, i]) for i, r in enumerate(self._resamplers)], axis=1)
            self._fifo = np.concatenate((self._fifo, converted)) if len(self._fifo) else converted
        out = np.zeros((frames, self.channels), dtype=np.float32)
        take = min(frames, len(self._fifo))
        out[:take] = self._fifo[:take]
        self._fifo = self._fifo[take:]
        src_end = self._stretcher.position - len(self._fifo) * self.sample_rate / self.device_rate * self._speed
        self._fifo_src = (src_end, src_end)
        return out, src_start, max(src_start, src_end)

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self.underruns += 1
        # Never wait on the UI thread from the real-time thread: a seek in a compressed file can
        # take milliseconds under the lock, and one block of silence is better than an underrun.
        if not self._lock.acquire(blocking=False):
            outdata.fill(0)
            return
        try:
            if not self._playing or self._stretcher is None:
                outdata.fill(0)
                return
            try:
                block, src_start, src_end = self._render(frames)
            except Exception as exc:  # a decoding error mid-file: end playback, do not crash PortAudio
                self.error = str(exc)
                outdata.fill(0)
                self._finish_locked()
                raise self._sd.CallbackStop from exc
            outdata[:] = block
            start_t = self._block_time(time_info)
            self._blocks.append((start_t, frames / (self.device_rate or 1), src_start, src_end))
            if self._stretcher.ended:
                self._finish_locked()
                raise self._sd.CallbackStop
        finally:
            self._lock.release()

    def _block_time(self, time_info: Any) -> float:
        dac = float(getattr(time_info, "outputBufferDacTime", 0.0) or 0.0)
        if dac > 0 and self._stream_clock:
            return dac
        self._stream_clock = False
        latency = 0.0
        with contextlib.suppress(Exception):
            latency = float(self._stream.latency)
        return self._clock() + latency

    def _finish_locked(self) -> None:
        self._finished = True
        self._playing = False
        self._position = float(self.frames)

    def _on_finished(self) -> None:
        """PortAudio's end of stream (after CallbackStop, or the device went away)."""
        if self._playing:
            with self._lock:
                self._position = self._position_samples()
                self._playing = False


def _count_frames(f: Any) -> int:
    """Length of a file whose header does not state it, by decoding it once."""
    total = 0
    f.seek(0)
    for block in f.blocks(blocksize=65536, dtype="float32", always_2d=True):
        total += len(block)
    f.seek(0)
    return total
