"""Play speech faster or slower without the chipmunk effect: streaming WSOLA in numpy.

Plain resampling changes the pitch with the speed; people reviewing a transcript at 1.5x want
normal voices. WSOLA (waveform-similarity overlap-add, Verhelst & Roelands 1993) builds the
output from Hann-windowed frames of the input laid at a fixed synthesis hop ``Hs`` (50 % overlap,
so the windows sum to one), while the input is read at ``speed * Hs`` per frame. Each frame is
shifted by up to ``±search`` so that it continues the previous frame's waveform as closely as
possible (cross-correlation with the previous frame's natural continuation); that alignment is
what keeps the pitch and avoids phasing.

Cheapness: the alignment is searched on a mono copy decimated to about 8 kHz (speech periods
are resolved well enough there), which keeps the cost at roughly a millisecond per second of
48 kHz audio. At 1x the input is copied through untouched (bit-exact).

The stretcher pulls its input from ``read(n)`` (sequential decoder reads) and reports, for every
block it renders, which span of *input* positions the block covers: that is what the player
needs to say which word is being heard.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MIN_SPEED = 0.5
MAX_SPEED = 2.0
FRAME_MS = 40.0
SEARCH_MS = 10.0
_ANALYSIS_RATE = 8000
_READ_BLOCK = 4096


class TimeStretcher:
    """Streaming time-scale modification of a (frames, channels) float32 signal."""

    def __init__(self, read: Callable[[int], np.ndarray], sample_rate: int, channels: int) -> None:
        self._read = read
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        n = int(self.sample_rate * FRAME_MS / 1000)
        n += n % 2
        self._n = n
        self._hs = n // 2
        self._search = int(self.sample_rate * SEARCH_MS / 1000)
        self._dec = max(1, self.sample_rate // _ANALYSIS_RATE)
        self._window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)).astype(np.float32)[:, None]
        self._speed = 1.0
        self.reset(0)

    # ------------------------------------------------------------------------ state
    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change the speed; continues from the current input position with a short fade-in."""
        speed = float(min(MAX_SPEED, max(MIN_SPEED, speed)))
        if speed != self._speed:
            self._speed = speed
            self.reset(round(self._pos))

    @property
    def position(self) -> float:
        """Input position (in samples) of the next sample to be rendered."""
        return self._pos

    def reset(self, position: int) -> None:
        """Start again at input ``position`` (the caller has seeked its decoder there)."""
        self._buf = np.zeros((0, self.channels), dtype=np.float32)
        self._buf_start = int(position)
        self._eof = False
        self._pos = float(position)  # analysis position of the next frame
        self._prev: int | None = None  # input start of the previous frame
        self._ola = np.zeros((self._n, self.channels), dtype=np.float32)
        self._pending = np.zeros((0, self.channels), dtype=np.float32)
        self._pending_src: list[tuple[int, float, float]] = []  # (samples, src_start, src_end)

    @property
    def ended(self) -> bool:
        """Everything the input had has been rendered."""
        return self._eof and self._pos >= self._buf_start + len(self._buf) and len(self._pending) == 0

    # ------------------------------------------------------------------------ input
    def _ensure(self, end: int) -> None:
        """Read until the buffer reaches absolute input index ``end`` (or the input ends)."""
        have = self._buf_start + len(self._buf)
        parts = [self._buf]
        while have < end and not self._eof:
            want = max(end - have, _READ_BLOCK)
            block = np.asarray(self._read(want), dtype=np.float32)
            if block.ndim == 1:
                block = block[:, None]
            if len(block) < want:
                self._eof = True
            if len(block):
                parts.append(block[:, : self.channels])
                have += len(block)
        if len(parts) > 1:
            self._buf = np.concatenate(parts)

    def _slice(self, start: int, length: int) -> np.ndarray:
        """Input ``start .. start+length`` with zeros where there is none (before 0, after the end)."""
        out = np.zeros((length, self.channels), dtype=np.float32)
        lo = max(start, self._buf_start)
        hi = min(start + length, self._buf_start + len(self._buf))
        if hi > lo:
            out[lo - start : hi - start] = self._buf[lo - self._buf_start : hi - self._buf_start]
        return out

    def _trim(self, keep_from: int) -> None:
        drop = keep_from - self._buf_start
        if drop > _READ_BLOCK:
            self._buf = self._buf[drop:]
            self._buf_start = keep_from

    # ------------------------------------------------------------------------ output
    def render(self, frames: int) -> tuple[np.ndarray, float, float]:
        """The next ``frames`` output samples and the input span ``[start, end)`` they cover.

        After the input ends the rest is silence (check :attr:`ended`).
        """
        src_start = self._pending_src[0][1] if self._pending_src else self._pos
        if self._speed == 1.0 and not len(self._pending):
            start = round(self._pos)
            self._ensure(start + frames)
            out = self._slice(start, frames)
            available = max(0, min(frames, self._buf_start + len(self._buf) - start))
            self._pos = float(start + available)
            self._trim(start + available)
            return out, float(start), self._pos
        while len(self._pending) < frames and not (self._eof and self._pos >= self._buf_start + len(self._buf)):
            self._frame()
        out = np.zeros((frames, self.channels), dtype=np.float32)
        take = min(frames, len(self._pending))
        out[:take] = self._pending[:take]
        self._pending = self._pending[take:]
        src_end = self._consume_src(take)
        return out, src_start, src_end if take else src_start

    def _consume_src(self, n: int) -> float:
        end = self._pending_src[0][1] if self._pending_src else self._pos
        while n > 0 and self._pending_src:
            count, start, stop = self._pending_src[0]
            if count <= n:
                n -= count
                end = stop
                self._pending_src.pop(0)
            else:
                frac = n / count
                mid = start + (stop - start) * frac
                self._pending_src[0] = (count - n, mid, stop)
                end = mid
                n = 0
        return end

    def _frame(self) -> None:
        n, hs, search = self._n, self._hs, self._search
        a = round(self._pos)
        if self._prev is None:
            start = a
            self._ensure(a + n)
        else:
            natural_start = self._prev + hs
            lo = a - search
            self._ensure(max(a + search + n, natural_start + n))
            d = self._dec
            natural = self._slice(natural_start, n).mean(axis=1)[::d]
            region = self._slice(lo, 2 * search + n).mean(axis=1)[::d]
            corr = np.correlate(region, natural, mode="valid")
            start = lo + int(np.argmax(corr)) * d if corr.size and np.any(corr) else a
        frame = self._slice(start, n) * self._window
        self._ola += frame
        ready = self._ola[:hs].copy()
        self._ola[:-hs] = self._ola[hs:]
        self._ola[-hs:] = 0.0
        step = hs * self._speed
        self._pending = np.concatenate((self._pending, ready)) if len(self._pending) else ready
        self._pending_src.append((hs, self._pos, self._pos + step))
        self._prev = start
        self._pos += step
        self._trim(min(a - search, start + hs) - 1)
