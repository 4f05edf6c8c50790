"""What every live capture does between a device thread and the asyncio loop.

A device (PortAudio's callback for the microphone, a loopback reader thread for system audio)
hands float blocks at its own rate and channel count to :meth:`BlockCapture._process_block`, on
its own thread. That turns them into what the session wants and hands them over without ever
blocking the device:

* mix down to mono, measure the block's levels (the meter reads :attr:`levels`), resample to
  16 kHz with a :class:`~desktop.audio.resample.StreamResampler` that carries its state across
  blocks, and cut 100 ms chunks of s16le;
* post each chunk to the loop with ``loop.call_soon_threadsafe``; on the loop it goes into a
  **bounded** deque that :meth:`chunks` drains. A consumer that falls behind loses new chunks,
  counted in ``stats.overflows`` (never silently), and the device thread stops posting once
  ``queue_chunks`` posts are in flight, so a stalled loop cannot pile up memory either.

State written by the device thread is written by it only; the loop thread only reads it (atomic
attribute reads under the GIL). The subclasses own opening, watching and stopping their device;
they end the source with :meth:`_end` (``None`` for a normal stop, an
:class:`~desktop.core.audio_source.AudioSourceError` in words when the device failed), and
:meth:`chunks` then yields what was already captured before raising that error.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from desktop.audio.levels import LevelReading, block_levels
from desktop.audio.resample import StreamResampler
from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat, AudioSourceError, SourceStats

log = logging.getLogger(__name__)

TARGET_RATE = 16000


def to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples (±1.0 full scale) as s16le bytes, clipped rather than wrapped."""
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def mix_to_mono(block: np.ndarray) -> np.ndarray:
    """A ``frames × channels`` (or 1-D) float block as one mono float32 channel."""
    block = np.asarray(block, dtype=np.float32)
    mono = block[:, 0] if block.ndim == 2 and block.shape[1] == 1 else block
    if mono.ndim == 2:  # explicit sums: several times faster than mean(axis=1) here
        acc = mono[:, 0].copy()
        for ch in range(1, mono.shape[1]):
            acc += mono[:, ch]
        mono = acc * np.float32(1.0 / mono.shape[1])
    return mono


class BlockCapture:
    """The shared half of a live capture: blocks in on a device thread, chunks out on the loop."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        chunk_ms: int = 100,
        queue_chunks: int = 50,
        consume: bool = True,
        label: str = "",
    ) -> None:
        self._loop = loop
        self.chunk_samples = TARGET_RATE * chunk_ms // 1000
        self._chunk_bytes = self.chunk_samples * 2
        self._queue_limit = max(1, queue_chunks)
        self.consume = consume
        self._label = label
        self._queue: deque[bytes] = deque()
        self._wakeup: asyncio.Event | None = None
        self._started = False
        self._ended = False
        self._error: AudioSourceError | None = None
        # Written only by the device thread.
        self._resampler: StreamResampler | None = None
        self._pending = bytearray()
        self._levels: LevelReading | None = None
        self._frames_in = 0
        self._cb_overflows = 0
        self._posted = 0
        # Written only by the loop thread.
        self._drained = 0
        self._loop_overflows = 0
        self._stats = SourceStats()

    # -- AudioSource ---------------------------------------------------------------------------

    @property
    def format(self) -> AudioFormat:
        return PCM16_MONO_16K

    @property
    def label(self) -> str:
        return self._label

    @property
    def stats(self) -> SourceStats:
        """Live counters (the same object every time), brought up to date on each read.

        Two threads count overflows, each in its own variable (one writer per variable, no
        lock); the sum is folded into the shared object here, on the reader's thread.
        """
        s = self._stats
        s.overflows = self._cb_overflows + self._loop_overflows
        return s

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield chunks until the source ends; raise its :class:`AudioSourceError` if it failed."""
        assert self._wakeup is not None, "start() first"
        while True:
            if self._queue:
                chunk = self._queue.popleft()
                self._stats.chunks += 1
                self._stats.bytes += len(chunk)
                yield chunk
                continue
            if self._ended:
                if self._error is not None:
                    raise self._error
                return
            self._wakeup.clear()
            await self._wakeup.wait()

    # -- extras for the UI ---------------------------------------------------------------------

    @property
    def levels(self) -> LevelReading | None:
        """The latest block's levels (updated for every block the device delivers)."""
        return self._levels

    @property
    def error(self) -> AudioSourceError | None:
        """Why the capture ended, if it failed (the meter shows it)."""
        return self._error

    @property
    def running(self) -> bool:
        return self._started and not self._ended

    @property
    def frames_captured(self) -> int:
        """Frames received from the device at its own rate (before resampling)."""
        return self._frames_in

    # -- device thread -------------------------------------------------------------------------

    def _set_input_rate(self, rate: int) -> None:
        """The device's rate, at open or when a new device takes over mid-session.

        A resampler already running is flushed first: its tail belongs to the old device's audio
        and goes out before the new device's, so nothing is dropped at the switch.
        """
        if self._resampler is not None:
            self._pending += to_pcm16(self._resampler.flush())
        self._resampler = StreamResampler(rate, TARGET_RATE) if rate != TARGET_RATE else None

    def _process_block(self, block: np.ndarray, frames: int, at: float) -> None:
        """One device block (``frames × channels`` float, or 1-D), measured at ``at``."""
        mono = mix_to_mono(block)
        peak, rms = block_levels(mono)
        self._levels = LevelReading(peak, rms, at)
        self._frames_in += frames
        out = self._resampler.process(mono) if self._resampler is not None else mono
        if not self.consume:
            self._pending.clear()
            return
        self._pending += to_pcm16(out)
        self._post_full_chunks()

    def _append_silence(self, seconds: float) -> None:
        """Keep the timeline whole across a gap the device could not fill (a device switch)."""
        if seconds > 0 and self.consume:
            self._pending += bytes(2 * round(seconds * TARGET_RATE))
            self._post_full_chunks()

    def _post_full_chunks(self) -> None:
        while len(self._pending) >= self._chunk_bytes:
            chunk = bytes(self._pending[: self._chunk_bytes])
            del self._pending[: self._chunk_bytes]
            self._post(chunk)

    def _post(self, chunk: bytes) -> None:
        if self._posted - self._drained >= self._queue_limit:
            self._cb_overflows += 1  # the loop itself is stalled; don't pile up its call queue
            return
        self._posted += 1
        try:
            self._loop.call_soon_threadsafe(self._deliver, chunk)  # type: ignore[union-attr]
        except RuntimeError:  # loop closed during shutdown
            self._posted -= 1

    # -- loop thread ---------------------------------------------------------------------------

    def _deliver(self, chunk: bytes) -> None:
        self._drained += 1
        self._accept(chunk)

    def _accept(self, chunk: bytes) -> None:
        if self._ended:
            return
        if len(self._queue) >= self._queue_limit:
            self._loop_overflows += 1
        else:
            self._queue.append(chunk)
        if self._wakeup is not None:
            self._wakeup.set()

    def _end(self, error: AudioSourceError | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._error = error
        if self._wakeup is not None:
            self._wakeup.set()

    async def _after_device_stops(self, done: asyncio.Future[Any], timeout: float, what: str) -> None:
        """Wait for the device thread to let go, then deliver the tail (if it let go in time)."""
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout)
        except asyncio.TimeoutError:
            log.warning("%s did not stop within %.0f s; leaving it", what, timeout)
        else:
            if self.consume and self._error is None:
                self._flush_tail()

    def _flush_tail(self) -> None:
        """After the device stopped: deliver what the resampler and chunker still hold."""
        if self._resampler is not None:
            self._pending += to_pcm16(self._resampler.flush())
        while self._pending:
            chunk = bytes(self._pending[: self._chunk_bytes])
            del self._pending[: self._chunk_bytes]
            self._accept(chunk)
