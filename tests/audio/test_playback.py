"""Playback: bit-exact at 1x, speed without pitch change, position as heard, pause/seek/end,
device-rate fallback, unreadable files. The output device is a fake the test pumps."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import soundfile

from desktop.audio import devices as devmod
from desktop.audio.playback import PlaybackError, Player
from desktop.audio.timestretch import TimeStretcher
from tests.audio_helpers import dominant_frequency
from tests.library_helpers import FakeOutputDevice, write_sine_ogg

RATE = 16000
BLOCK = 1024


@pytest.fixture
def ogg(tmp_path: Path) -> Path:
    return write_sine_ogg(tmp_path / "tone.ogg", 4.0, freq=440.0)


def _player(path: Path, sd: FakeOutputDevice | None = None) -> tuple[Player, FakeOutputDevice]:
    sd = sd or FakeOutputDevice(latency=0.1)
    player = Player(sd, blocksize=BLOCK)
    player.open(path)
    return player, sd


def test_plays_the_file_unchanged_at_normal_speed(ogg: Path) -> None:
    player, sd = _player(ogg)
    assert player.duration_ms == 4000 and player.sample_rate == RATE and player.channels == 1
    player.play()
    sd.stream.pump(20)
    expected, _ = soundfile.read(str(ogg), dtype="float32", always_2d=True)
    played = sd.stream.audio()
    assert np.array_equal(played, expected[: len(played)])
    player.close()


def test_position_is_what_is_heard_not_what_was_decoded(ogg: Path) -> None:
    player, sd = _player(ogg)
    player.play()
    sd.stream.pump(10)  # 0.64 s decoded; the first block reached the speaker at 0.1 s
    heard = sd.stream.time - sd.latency
    assert abs(player.position_ms - heard * 1000) <= 5
    sd.stream.advance(0.03)  # time passes within a block
    assert abs(player.position_ms - (heard + 0.03) * 1000) <= 5
    player.close()


def test_pause_resumes_where_the_listener_was(ogg: Path) -> None:
    player, sd = _player(ogg)
    player.play()
    sd.stream.pump(10)
    player.pause()
    paused_at = player.position_ms
    assert not player.playing and not sd.stream.active
    assert abs(paused_at - (sd.stream.time - sd.latency) * 1000) <= 5
    sd.stream.advance(5.0)  # nothing moves while paused
    assert player.position_ms == paused_at
    player.play()
    before = len(sd.stream.played)
    sd.stream.pump(1)
    expected, _ = soundfile.read(str(ogg), dtype="float32", always_2d=True)
    start = paused_at * RATE // 1000
    resumed = sd.stream.played[before]
    assert np.allclose(resumed, expected[start : start + BLOCK], atol=1e-6)
    player.close()


def test_seek_jumps_and_playback_continues_from_there(ogg: Path) -> None:
    player, sd = _player(ogg)
    player.seek(2500)
    assert player.position_ms == 2500
    player.play()
    sd.stream.pump(1)
    expected, _ = soundfile.read(str(ogg), dtype="float32", always_2d=True)
    assert np.allclose(sd.stream.played[0], expected[40000 : 40000 + BLOCK], atol=1e-6)
    player.seek(-50)
    assert player.position_ms == 0
    player.seek(99_000)
    assert player.position_ms == 4000
    player.close()


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_speed_changes_tempo_not_pitch(ogg: Path, speed: float) -> None:
    player, sd = _player(ogg)
    player.set_speed(speed)
    player.play()
    sd.stream.pump(20)  # 1.28 s of output
    out = sd.stream.audio()[:, 0]
    assert abs(dominant_frequency(out[2048:], RATE) - 440) < 8
    sd.stream.advance(sd.latency)
    heard_file_s = player.position_ms / 1000
    assert abs(heard_file_s - 20 * BLOCK / RATE * speed) < 0.1
    player.close()


def test_speed_can_change_while_playing_without_losing_the_place(ogg: Path) -> None:
    player, sd = _player(ogg)
    player.play()
    sd.stream.pump(10)
    before = player.position_ms
    player.set_speed(2.0)
    assert abs(player.position_ms - before) <= 5
    assert player.speed == 2.0
    player.set_speed(9.0)
    assert player.speed == 2.0  # clamped to the range offered
    player.close()


def test_the_end_stops_and_play_starts_again_from_the_top(ogg: Path) -> None:
    player, sd = _player(ogg)
    player.seek(3900)
    player.play()
    sd.stream.pump(10)
    assert player.finished and not player.playing
    assert player.position_ms == 4000
    player.play()
    assert player.playing and player.position_ms == 0
    player.close()


def test_a_device_that_refuses_the_rate_gets_resampled_audio(ogg: Path) -> None:
    sd = FakeOutputDevice(supported_rates={48000}, default_rate=48000, latency=0.05)
    player, sd = _player(ogg, sd)
    player.play()
    assert player.device_rate == 48000 and sd.stream.samplerate == 48000
    sd.stream.pump(30)
    out = sd.stream.audio()[:, 0]
    assert abs(dominant_frequency(out[4096:], 48000) - 440) < 8
    heard = sd.stream.time - sd.latency
    assert abs(player.position_ms - heard * 1000) < 60  # within the resampler's buffering
    player.close()


def test_the_open_stream_holds_off_device_rescans(ogg: Path) -> None:
    before = devmod.open_stream_count()
    player, _sd = _player(ogg)
    player.play()
    assert devmod.open_stream_count() == before + 1
    player.close()
    assert devmod.open_stream_count() == before


def test_unplayable_and_missing_files_are_explained(tmp_path: Path) -> None:
    player = Player(FakeOutputDevice())
    with pytest.raises(PlaybackError, match="not found"):
        player.open(tmp_path / "gone.ogg")
    fake = tmp_path / "movie.m4a"
    fake.write_bytes(b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 200)
    with pytest.raises(PlaybackError, match="cannot be played"):
        player.open(fake)


def test_stereo_files_play_in_stereo(tmp_path: Path) -> None:
    t = np.arange(RATE) / RATE
    stereo = np.stack([np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 600 * t)], axis=1).astype(np.float32) * 0.3
    path = tmp_path / "stereo.wav"
    soundfile.write(str(path), stereo, RATE)
    player, sd = _player(path)
    player.play()
    sd.stream.pump(8)
    out = sd.stream.audio()
    assert out.shape[1] == 2
    assert abs(dominant_frequency(out[:, 0], RATE) - 300) < 10
    assert abs(dominant_frequency(out[:, 1], RATE) - 600) < 10
    player.close()


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.25, 2.0])
def test_wsola_keeps_duration_pitch_and_level(speed: float) -> None:
    t = np.arange(RATE * 3) / RATE
    signal = (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    pos = [0]

    def read(n: int) -> np.ndarray:
        block = signal[pos[0] : pos[0] + n]
        pos[0] += len(block)
        return block[:, None]

    stretcher = TimeStretcher(read, RATE, 1)
    stretcher.set_speed(speed)
    blocks = []
    spans = []
    while not stretcher.ended and len(blocks) < 1000:
        out, start, end = stretcher.render(BLOCK)
        blocks.append(out[:, 0])
        spans.append((start, end))
    y = np.concatenate(blocks)
    voiced = np.nonzero(np.abs(y) > 1e-3)[0]
    assert abs((voiced[-1] + 1) / RATE - 3 / speed) < 0.06
    middle = y[RATE // 4 : int(RATE * (3 / speed - 0.25))]
    assert abs(dominant_frequency(middle, RATE) - 220) < 3
    rms = np.sqrt(np.mean(middle[: len(middle) // 320 * 320].reshape(-1, 320) ** 2, axis=1))
    assert rms.min() > 0.3 and rms.max() < 0.4  # no dips or bumps where frames join (0.354 ideal)
    # The spans walk through the input at the chosen speed, without gaps.
    assert all(abs(b[0] - a[1]) < 1e-6 for a, b in itertools.pairwise(spans) if b[0] < len(signal))
