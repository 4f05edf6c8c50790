"""Peak and RMS levels of an audio block, in dBFS, cheap enough for PortAudio's callback.

The meter must move before any session starts (so people can check their microphone), so the
capture computes a reading for every block it receives and publishes the latest one as a single
immutable object: replacing an attribute is atomic under the GIL, so the UI thread can read it
at any rate without locks and without ever making the audio thread wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


#: Anything quieter reads as this; digital silence has no finite dB value.
FLOOR_DB = -100.0


@dataclass(frozen=True)
class LevelReading:
    """One block's levels; ``at`` is ``time.monotonic()`` when it was measured."""

    peak_db: float
    rms_db: float
    at: float


def to_dbfs(amplitude: float) -> float:
    """Full-scale amplitude (1.0 = 0 dBFS) to dB, floored at :data:`FLOOR_DB`."""
    if amplitude <= 0.0:
        return FLOOR_DB
    return max(FLOOR_DB, 20.0 * math.log10(amplitude))


def block_levels(samples: np.ndarray) -> tuple[float, float]:
    """Peak and RMS of a float block scaled to ±1.0 full scale, in dBFS.

    RMS is referenced to a full-scale square wave, as most meters do: a full-scale sine reads
    0 dBFS peak and -3.01 dBFS RMS.
    """
    import numpy as np  # here: the meter widget imports this module long before audio flows

    if samples.size == 0:
        return FLOOR_DB, FLOOR_DB
    flat = samples.reshape(-1)
    peak = float(np.max(np.abs(flat)))
    # float64 accumulation: float32 sums of thousands of squares lose the quiet end of the scale.
    rms = math.sqrt(float(np.dot(flat, flat.astype(np.float64))) / flat.size)
    return to_dbfs(peak), to_dbfs(rms)
