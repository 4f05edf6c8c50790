"""How the emulator measures audio it cannot understand: formats, durations, loudness."""

from __future__ import annotations

import io
import wave
from typing import Any

import numpy as np
import pytest

from tests.emulator.helpers import raw_session
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.audio import RAW_FORMATS, AudioMeter, decode_raw, parse_wav_header


def encode(samples: np.ndarray, fmt: str) -> bytes:
    """Float samples in [-1, 1] to raw bytes of ``fmt`` (the inverse of decode_raw)."""
    layout = RAW_FORMATS[fmt]
    if fmt in ("mulaw", "alaw"):
        # Pick, per sample, the code whose decoded value is nearest: exact enough for a meter.
        table = decode_raw(bytes(range(256)), fmt)
        return np.abs(table[None, :] - samples[:, None]).argmin(axis=1).astype(np.uint8).tobytes()
    bits = 8 * layout.width
    if layout.width == 3:
        ints = np.round(samples * (2**23 - 1)).astype(np.int32)
        if fmt.startswith("pcm_u"):
            ints = ints + (1 << 23)
        raw = np.stack([(ints >> s) & 0xFF for s in (0, 8, 16)], axis=1).astype(np.uint8)
        return (raw[:, ::-1] if fmt.endswith("be") else raw).tobytes()
    dtype = np.dtype(layout.dtype)
    if dtype.kind == "f":
        return samples.astype(dtype).tobytes()
    ints = np.round(samples * (2 ** (bits - 1) - 1))
    if dtype.kind == "u":
        ints = ints + 2 ** (bits - 1)
    return ints.astype(dtype).tobytes()


@pytest.mark.parametrize("fmt", sorted(RAW_FORMATS))
def test_every_raw_format_round_trips_and_meters(fmt: str) -> None:
    rng = np.random.default_rng(1)
    loud = np.clip(rng.standard_normal(8000) * 0.3, -0.99, 0.99)
    quiet = np.zeros(8000)
    data = encode(np.concatenate([loud, quiet]), fmt)
    decoded = decode_raw(data, fmt)
    assert decoded.shape == (16000,)
    tolerance = 0.05 if fmt in ("mulaw", "alaw", "pcm_s8", "pcm_u8") else 1e-3
    assert np.allclose(decoded[:8000], loud, atol=tolerance)
    meter = AudioMeter(fmt, 16000, 1)
    windows = meter.feed(data[:1001]) + meter.feed(data[1001:])  # split mid-sample on purpose
    assert sum(ms for ms, _ in windows) == pytest.approx(1000)
    assert [v for _, v in windows] == [True] * 25 + [False] * 25


def test_stereo_and_odd_rates() -> None:
    stereo = AudioMeter("pcm_s16le", 44100, 2)
    windows = stereo.feed(bytes(44100 * 2 * 2))
    assert sum(ms for ms, _ in windows) == pytest.approx(1000, abs=20)
    assert not any(v for _, v in windows)


def wav_bytes(seconds: float, rate: int = 8000, loud: bool = True) -> bytes:
    buf = io.BytesIO()
    frames = int(rate * seconds)
    samples = np.random.default_rng(2).standard_normal(frames) * (8000 if loud else 0)
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buf.getvalue()


def test_wav_header_parsing() -> None:
    data = wav_bytes(0.5)
    header = parse_wav_header(data)
    assert header is not None
    assert (header.raw_format, header.sample_rate, header.channels, header.data_offset) == ("pcm_s16le", 8000, 1, 44)
    assert parse_wav_header(data[:30]) is None  # header not complete yet


@pytest.mark.asyncio
@pytest.mark.parametrize("audio_format", ["auto", "wav"])
async def test_wav_stream_is_decoded(fake_soniox: FakeSoniox, audio_format: str) -> None:
    data = wav_bytes(1.2)
    frames: list[Any] = [data[i : i + 700] for i in range(0, len(data), 700)]
    received, _ = await raw_session(
        fake_soniox, {"model": "stt-rt-v5", "audio_format": audio_format}, frames=[*frames, ""]
    )
    assert received[-1]["total_audio_proc_ms"] == 1200
    record = fake_soniox.wait_for_session(0)
    assert record.measured_as == "pcm_s16le 8000 Hz x1"
    assert len(record.final_words) == 4  # 1.2 s of speech at 300 ms per word


@pytest.mark.asyncio
async def test_compressed_audio_is_estimated(fake_soniox: FakeSoniox) -> None:
    data = b"ID3" + bytes(range(256)) * 125  # 32 KB of "mp3"
    received, _ = await raw_session(fake_soniox, {"model": "stt-rt-v5", "audio_format": "auto"}, frames=[data, ""])
    assert received[-1]["total_audio_proc_ms"] == 2000  # at 16,000 bytes/s
    assert fake_soniox.wait_for_session(0).measured_as.startswith("compressed")


@pytest.mark.asyncio
async def test_quiet_noise_is_not_speech(fake_soniox: FakeSoniox) -> None:
    rng = np.random.default_rng(3)
    hiss = (rng.standard_normal(16000) * 100).astype("<i2").tobytes()  # about -50 dBFS
    config = {"model": "stt-rt-v5", "audio_format": "pcm_s16le", "sample_rate": 16000, "num_channels": 1}
    received, _ = await raw_session(fake_soniox, config, frames=[hiss, ""])
    assert all(not r["tokens"] for r in received)
