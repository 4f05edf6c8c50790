"""The streaming resampler: continuity across blocks, frequency preserved, no aliasing."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.audio.resample import StreamResampler
from tests.audio_helpers import dominant_frequency, sine


def run_in_blocks(r: StreamResampler, x: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out, i = [], 0
    while i < x.size:
        n = int(rng.integers(1, 2500))
        out.append(r.process(x[i : i + n]))
        i += n
    out.append(r.flush())
    return np.concatenate(out)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000, 44056])
def test_sine_survives_resampling_in_random_blocks(rate: int) -> None:
    x = sine(1000, 1.0, rate)
    r = StreamResampler(rate, 16000)
    y = run_in_blocks(r, x)
    assert y.size == r.expected_output(x.size)
    n = np.arange(y.size)
    ideal = 0.5 * np.sin(2 * np.pi * 1000 * n * r.down / (r.up * rate))
    # Sample-accurate everywhere away from the signal's own start and end: no clicks at joins.
    assert np.max(np.abs(y[100:-100] - ideal[100:-100])) < 1e-3
    assert dominant_frequency(y, 16000) == pytest.approx(1000, abs=2)


def test_blocks_give_the_same_output_as_one_piece() -> None:
    x = np.random.default_rng(3).standard_normal(44100).astype(np.float32) * 0.1
    one = StreamResampler(44100, 16000)
    whole = np.concatenate([one.process(x), one.flush()])
    pieces = run_in_blocks(StreamResampler(44100, 16000), x, seed=7)
    np.testing.assert_allclose(pieces, whole, atol=1e-6)


def test_tones_above_the_new_nyquist_are_removed_not_folded() -> None:
    x = sine(12000, 1.0, 44100, amplitude=0.5)  # would alias to 4 kHz if not filtered
    y = run_in_blocks(StreamResampler(44100, 16000), x)
    rms = np.sqrt(np.mean(y[200:-200] ** 2))
    assert 20 * np.log10(rms / (0.5 / np.sqrt(2))) < -60


def test_same_rate_is_a_copy() -> None:
    r = StreamResampler(16000, 16000)
    x = sine(440, 0.1, 16000)
    y = r.process(x)
    assert np.array_equal(x, y) and y is not x
