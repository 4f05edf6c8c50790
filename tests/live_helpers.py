"""Shared pieces of the live-session tests: signals the emulator hears as speech or silence, the
panel with fast timings, and waits that spin Qt (which runs the client's loop) instead of blocking."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from desktop.core.backoff import Backoff
from desktop.ui.live.panel import LivePanel

DATA = Path(__file__).parent / "data"
RATE = 16000
FAST = {
    "keepalive_interval_s": 0.3,
    "finalize_min_interval_s": 0.2,
    "backoff": Backoff(initial=0.05, cap=0.2, jitter=0, max_attempts=8),
}


def speech(seconds: float, *, seed: int = 1) -> np.ndarray:
    """Noise loud enough for the emulator to count as voiced audio."""
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * 0.2).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def played_s(panel: LivePanel) -> float:
    """Seconds of audio the capture has delivered to the session so far."""
    source = panel.controller.source
    return 0.0 if source is None else source.stats.bytes / (2 * RATE)


def ended_session(qtbot, emulator, index: int = 0):  # noqa: ANN001, ANN201
    """Wait (spinning Qt, which runs the client's loop) until the emulator saw session ``index`` end."""
    qtbot.waitUntil(
        lambda: len(emulator.realtime_sessions) > index and not emulator.realtime_sessions[index].active,
        timeout=10000,
    )
    return emulator.realtime_sessions[index]


def make_panel(qtbot, ctx, sd, library=None) -> LivePanel:  # noqa: ANN001
    panel = LivePanel(ctx, sd=sd, session_options=FAST, monitor_microphone=False, library=library)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    return panel


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit mono WAV of float samples at :data:`RATE` (what a file or an http stream would hold)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
