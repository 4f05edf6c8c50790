"""The meeting's two-track recording: each track on the meeting's clock, in one stereo file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from desktop.audio.meeting_recording import TwoTrackRecorder

RATE = 16000


def tone(ms: int) -> bytes:
    t = np.arange(RATE * ms // 1000) / RATE
    return (np.sin(2 * np.pi * 440 * t) * 0.3 * 32767).astype("<i2").tobytes()


def onset_ms(track: np.ndarray) -> float:
    loud = np.flatnonzero(np.abs(track) > 0.05)
    return float(loud[0]) * 1000 / RATE


def test_a_track_that_started_later_is_preceded_by_that_much_silence(tmp_path: Path) -> None:
    starts = {0: 0, 1: 700}  # the system audio's first audio came 0.7 s after the microphone's
    opened: list[object] = []
    recorder = TwoTrackRecorder(RATE, starts.get, lambda ext: tmp_path / f"meeting.{ext}", opened.append)
    recorder.write(0, bytes(RATE * 2 * 2 // 5))  # 400 ms of quiet on the microphone
    recorder.write(0, tone(600))  # then it speaks at 0.4 s
    recorder.write(1, tone(500))  # the system audio sounds from its own start: 0.7 s
    recorder.write(0, bytes(RATE * 2))
    recorder.close()
    assert opened == [recorder]
    samples, rate = soundfile.read(recorder.path, dtype="float32", always_2d=True)
    assert rate == RATE and samples.shape[1] == 2
    assert abs(onset_ms(samples[:, 0]) - 400) < 30
    assert abs(onset_ms(samples[:, 1]) - 700) < 30
    assert abs(len(samples) * 1000 / RATE - 2000) < 40  # the longer track's length, the other padded


def test_a_track_that_stops_becomes_silence_and_does_not_hold_the_other_back(tmp_path: Path) -> None:
    recorder = TwoTrackRecorder(RATE, lambda _track: 0, lambda ext: tmp_path / f"m.{ext}")
    recorder.write(1, tone(300))
    recorder.end(1)  # the system audio went away
    for _ in range(20):
        recorder.write(0, tone(100))
    assert recorder.duration_ms >= 1900  # written as it came, not held for the ended track
    recorder.close()
    samples, _ = soundfile.read(recorder.path, dtype="float32", always_2d=True)
    assert np.abs(samples[RATE // 2 :, 1]).max() < 0.02


def test_a_stalled_track_is_padded_so_memory_stays_bounded(tmp_path: Path) -> None:
    recorder = TwoTrackRecorder(RATE, lambda _track: 0, lambda ext: tmp_path / f"m.{ext}", max_skew_ms=1000)
    recorder.write(1, tone(100))  # the system audio delivers once, then stalls
    for _ in range(50):
        recorder.write(0, tone(100))
    assert recorder.duration_ms >= 3900  # all but the last second was written out
    recorder.close()
