"""Streaming rational resampler (polyphase windowed sinc) with state carried across blocks.

Many microphones only open at 44.1 or 48 kHz while the service wants 16 kHz. Resampling each
block on its own would click at every block boundary, so :class:`StreamResampler` keeps the
input tail it still needs and the exact position of the next output sample; feeding it a signal
in blocks of any size gives the same output as feeding it in one piece.

Design: output sample ``n`` sits at input position ``n * down / up``. Its value is the input
convolved with a Kaiser-windowed sinc low-pass whose cutoff is just under the lower of the two
Nyquist frequencies (so downsampling does not alias). The filter is tabulated for each of the
``up`` fractional phases once, so per block the work is one gather and one multiply-add of
``taps`` values per output sample: about 50 µs per 40 ms block for 48 kHz → 16 kHz. numpy only;
scipy would be a large dependency for this one function.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: Zero crossings of the sinc kept on each side of the centre (filter quality vs cost).
ZERO_CROSSINGS = 16
#: Cutoff as a fraction of the lower Nyquist frequency, leaving room for the transition band.
ROLLOFF = 0.92
KAISER_BETA = 8.6
#: Above this many phases (rates with a tiny common divisor) the table would get large; such
#: rates are approximated by the nearest ratio with at most this many phases.
MAX_PHASES = 4096


class StreamResampler:
    """Resample a mono float stream from ``in_rate`` to ``out_rate`` block by block."""

    def __init__(self, in_rate: int, out_rate: int) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        g = math.gcd(self.in_rate, self.out_rate)
        up, down = self.out_rate // g, self.in_rate // g
        if up > MAX_PHASES:
            frac = _limit_ratio(up, down, MAX_PHASES)
            up, down = frac
        self.up, self.down = up, down
        cutoff = ROLLOFF * min(1.0, up / down)  # relative to the input Nyquist frequency
        half = math.ceil(ZERO_CROSSINGS / cutoff)
        # Taps at input offsets d = -half+1 .. half around floor(position).
        self._offsets = np.arange(-half + 1, half + 1, dtype=np.int64)
        self.taps = self._offsets.size
        phases = np.arange(up, dtype=np.float64)[:, None] / up
        u = phases - self._offsets[None, :]  # distance from each tap to the output position
        window = np.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (u / half) ** 2, 0.0, None))) / np.i0(KAISER_BETA)
        table = cutoff * np.sinc(cutoff * u) * window
        table /= table.sum(axis=1, keepdims=True)  # unity gain at DC for every phase
        self._table = table.astype(np.float32)
        # History: input samples from absolute index ``_buf_start``; the signal is zero before 0.
        self._buf = np.zeros(half - 1, dtype=np.float32)
        self._buf_start = -(half - 1)
        self._next_out = 0  # absolute index of the next output sample
        self._in_count = 0  # input samples received so far

    @property
    def latency_in_samples(self) -> int:
        """Input samples the filter must see past a position before it can produce it."""
        return int(self._offsets[-1])

    def expected_output(self, input_samples: int) -> int:
        """How many output samples ``input_samples`` of input correspond to (rounded down)."""
        return input_samples * self.up // self.down

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed mono float samples; return every output sample that is now fully determined."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        if self.up == self.down:
            return x.copy()
        self._buf = np.concatenate((self._buf, x)) if self._buf.size else x.copy()
        self._in_count += x.size
        return self._drain(self._in_count - 1)

    def flush(self) -> np.ndarray:
        """Pad with silence and return the outputs still owed for the input seen so far."""
        if self.up == self.down:
            return np.zeros(0, dtype=np.float32)
        total = self.expected_output(self._in_count)
        pad = np.zeros(self.latency_in_samples + 1, dtype=np.float32)
        self._buf = np.concatenate((self._buf, pad))
        out = self._drain(self._in_count - 1 + pad.size, limit=total)
        return out

    def _drain(self, last_input: int, limit: int | None = None) -> np.ndarray:
        # Output n needs input up to floor(n*down/up) + offsets[-1] <= last_input.
        max_base = last_input - int(self._offsets[-1])
        end = (max_base * self.up) // self.down + 1 if max_base >= 0 else 0
        if limit is not None:
            end = min(end, limit)
        if end <= self._next_out:
            return np.zeros(0, dtype=np.float32)
        n = np.arange(self._next_out, end, dtype=np.int64)
        pos = n * self.down
        base = pos // self.up
        # Row r of the window view is the ``taps`` inputs starting at buffer index r: gathering
        # whole rows is about twice as fast as gathering single elements.
        # (as_strided directly: sliding_window_view's checks cost more than the maths here.)
        rows = base - self._buf_start + int(self._offsets[0])
        step = self._buf.strides[0]
        if self.up == 1:  # integer decimation (48 kHz -> 16 kHz): one phase, one mat-vec
            windows = as_strided(self._buf[rows[0] :], shape=(rows.size, self.taps), strides=(step * self.down, step))
            out = np.ascontiguousarray(windows) @ self._table[0]
        else:
            windows = as_strided(self._buf, shape=(self._buf.size - self.taps + 1, self.taps), strides=(step, step))
            phase = pos - base * self.up
            out = np.einsum("ij,ij->i", windows[rows], self._table[phase])
        out = out.astype(np.float32, copy=False)
        self._next_out = end
        # Keep only what the next output still needs.
        next_base = (end * self.down) // self.up
        keep_from = next_base + int(self._offsets[0])
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:].copy()
            self._buf_start = keep_from
        return np.asarray(out, dtype=np.float32)


def _limit_ratio(up: int, down: int, max_up: int) -> tuple[int, int]:
    """Closest fraction to up/down whose numerator is at most ``max_up`` (odd device rates)."""
    from fractions import Fraction

    # Limiting the denominator of the inverse ratio limits our numerator.
    inv = Fraction(down, up).limit_denominator(max_up)
    return inv.denominator, inv.numerator
