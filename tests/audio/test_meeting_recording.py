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


def test_playback_of_a_meeting_puts_both_sides_in_both_ears(tmp_path: Path) -> None:
    from desktop.audio.playback import Player
    from tests.library_helpers import FakeOutputDevice

    recorder = TwoTrackRecorder(RATE, lambda _track: 0, lambda ext: tmp_path / f"m.{ext}")
    recorder.write(0, tone(1000))  # you speak during the first second...
    recorder.write(1, bytes(RATE * 2) + tone(1000))  # ...the other side during the next
    recorder.write(0, bytes(RATE * 2))
    recorder.close()
    played = {}
    for mix in (False, True):
        sd = FakeOutputDevice(latency=0.1)
        player = Player(sd, blocksize=1024)
        player.open(recorder.path, mix_tracks=mix)
        player.play()
        sd.stream.pump(30)  # ~1.9 s
        played[mix] = sd.stream.audio()
        player.close()
    heard = played[True]
    assert heard.shape[1] == 2
    first, second = heard[2000:14000], heard[18000:28000]
    for part in (first, second):  # each side in both ears, at its own level
        assert np.abs(part[:, 0]).max() > 0.2 and np.abs(part[:, 1]).max() > 0.2
    assert np.abs(played[False][2000:14000, 1]).max() < 0.02  # unmixed, you were only on the left
