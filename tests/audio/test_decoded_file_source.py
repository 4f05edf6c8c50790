"""DecodingFileSource: files libsndfile knows go out as 16 kHz mono PCM (exactly replayable), others as they are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from desktop.audio.decoded_file import DecodingFileSource
from desktop.core.audio_source import AUTO, PCM16_MONO_16K, AudioSourceError
from tests.audio.test_audio_file_source import VirtualClock
from tests.paths import DATA

pytestmark = pytest.mark.asyncio


async def drain(src: DecodingFileSource) -> tuple[bytes, VirtualClock]:
    await src.start()
    out = bytearray()
    async for chunk in src.chunks():
        assert len(chunk) <= 3200
        out += chunk
    return bytes(out), src._clock  # type: ignore[return-value]


def source(path: Path) -> DecodingFileSource:
    clock = VirtualClock()
    return DecodingFileSource(path, clock=clock, sleep=clock.sleep)


async def test_a_44k_stereo_wav_becomes_16k_mono_pcm_at_real_time_pace(tmp_path: Path) -> None:
    t = np.arange(int(44100 * 3.0)) / 44100
    left = np.where((t >= 1.0) & (t < 2.0), 0.5 * np.sin(2 * np.pi * 300 * t), 0.0)
    path = tmp_path / "talk.wav"
    soundfile.write(str(path), np.stack([left, left], axis=1), 44100, subtype="PCM_16")
    src = source(path)
    assert src.format == PCM16_MONO_16K and src.decoded  # known before start: the config needs it

    pcm, clock = await drain(src)
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32767
    assert len(samples) == pytest.approx(3 * 16000, abs=40)
    loud = np.flatnonzero(np.abs(samples) > 0.2)
    assert loud[0] / 16000 == pytest.approx(1.0, abs=0.01) and loud[-1] / 16000 == pytest.approx(2.0, abs=0.01)
    assert clock.now == pytest.approx(3.0, abs=0.15)  # paced like the file plays
    assert src.position_s == pytest.approx(3.0, abs=0.01)


async def test_an_mp3_is_decoded_too() -> None:
    src = source(DATA / "two_way_translation.mp3")
    assert src.format == PCM16_MONO_16K
    pcm, _ = await drain(src)
    duration = soundfile.info(str(DATA / "two_way_translation.mp3")).duration
    assert len(pcm) / 32000 == pytest.approx(duration, abs=0.1)


async def test_a_format_libsndfile_cannot_decode_is_streamed_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "talk.aac"
    frame = bytes([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC]) + bytes(9)  # ADTS header + payload
    path.write_bytes(frame * 2000)
    src = source(path)
    assert src.format == AUTO and not src.decoded
    data, _ = await drain(src)
    assert data == path.read_bytes()


async def test_a_missing_file_still_fails_at_start_with_the_file_checks_words(tmp_path: Path) -> None:
    src = source(tmp_path / "gone.mp3")
    assert src.format == AUTO
    with pytest.raises(AudioSourceError, match=r"gone\.mp3"):
        await src.start()
