"""Clips of the audio a live session never sent, cut from its Ogg Opus recording for a file job."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from desktop.audio.clip import ClipError, write_lost_clips

RATE = 16000


def recording_with_tone(path: Path, seconds: int, tone_at: tuple[float, float]) -> None:
    """Silence with a loud 440 Hz tone from tone_at[0] to tone_at[1] seconds, as Ogg Opus."""
    t = np.arange(seconds * RATE) / RATE
    audio = np.zeros_like(t)
    on = (t >= tone_at[0]) & (t < tone_at[1])
    audio[on] = 0.5 * np.sin(2 * np.pi * 440 * t[on])
    soundfile.write(str(path), (audio * 32767).astype("<i2"), RATE, format="OGG", subtype="OPUS")


def test_each_lost_span_becomes_a_clip_holding_that_audio_with_a_little_either_side(tmp_path: Path) -> None:
    rec = tmp_path / "Live 2026-12-04.opus"
    recording_with_tone(rec, 30, (10.0, 14.0))
    clips = write_lost_clips(rec, [(10_000, 14_000), (20_000, 22_000)], pad_ms=500)

    assert [c.name for c in clips] == [
        "Live 2026-12-04 missing 0h00m10s-0h00m14s.ogg",
        "Live 2026-12-04 missing 0h00m20s-0h00m22s.ogg",
    ]
    first, info = soundfile.read(str(clips[0]), dtype="float32"), soundfile.info(str(clips[0]))
    assert info.samplerate == RATE and info.duration == pytest.approx(5.0, abs=0.05)
    audio = first[0]
    loud = np.flatnonzero(np.abs(audio) > 0.1)
    # The tone fills the span, which starts after the 0.5 s pad and ends 0.5 s before the clip does.
    assert loud[0] / RATE == pytest.approx(0.5, abs=0.05) and loud[-1] / RATE == pytest.approx(4.5, abs=0.05)
    second = soundfile.read(str(clips[1]), dtype="float32")[0]
    assert np.abs(second).max() < 0.05  # that span held silence, and so does its clip


def test_an_unreadable_recording_says_so_in_words(tmp_path: Path) -> None:
    rec = tmp_path / "broken.opus"
    rec.write_bytes(b"not audio at all")
    with pytest.raises(ClipError, match="could not be read"):
        write_lost_clips(rec, [(0, 1000)])
