"""Level meter maths: known sine amplitudes read the expected dBFS."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.audio.levels import FLOOR_DB, block_levels, to_dbfs
from tests.audio_helpers import sine


@pytest.mark.parametrize(
    ("amplitude", "peak_db", "rms_db"),
    [(1.0, 0.0, -3.01), (0.5, -6.02, -9.03), (0.1, -20.0, -23.01), (0.001, -60.0, -63.01)],
)
def test_sine_levels(amplitude: float, peak_db: float, rms_db: float) -> None:
    peak, rms = block_levels(sine(1000, 0.1, 16000, amplitude=amplitude))
    assert peak == pytest.approx(peak_db, abs=0.5)
    assert rms == pytest.approx(rms_db, abs=0.5)


def test_levels_of_a_stereo_block_use_every_sample() -> None:
    block = np.stack([sine(1000, 0.1, 16000, amplitude=0.5), np.zeros(1600, np.float32)], axis=1)
    peak, rms = block_levels(block)
    assert peak == pytest.approx(-6.02, abs=0.1)
    assert rms == pytest.approx(-9.03 - 3.01, abs=0.1)  # half the energy


def test_silence_and_empty_blocks_read_the_floor() -> None:
    assert block_levels(np.zeros(1600, np.float32)) == (FLOOR_DB, FLOOR_DB)
    assert block_levels(np.zeros(0, np.float32)) == (FLOOR_DB, FLOOR_DB)
    assert to_dbfs(1e-9) == FLOOR_DB
