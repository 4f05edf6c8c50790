"""MicrophoneCapture end to end with a fake sounddevice replaying signals through the real code."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import numpy as np
import pytest

from desktop.audio.capture import MicrophoneCapture
from desktop.audio.resample import StreamResampler
from desktop.core.audio_source import PCM16_MONO_16K, AudioSource, AudioSourceError
from tests.audio_helpers import (
    CallbackFlags,
    FakeSoundDevice,
    dominant_frequency,
    load_wav,
    mic_device,
    pcm_to_float,
    sine,
)

pytestmark = pytest.mark.asyncio


async def collect(cap: MicrophoneCapture, nbytes: int, timeout: float = 10.0) -> bytes:
    """Read chunks until ``nbytes`` arrived, then stop and drain what stop() flushes."""
    out = bytearray()

    async def run() -> None:
        it = cap.chunks()
        async for chunk in it:
            out.extend(chunk)
            if len(out) >= nbytes:
                await cap.stop()
        # after stop the iterator ends once the flushed tail is yielded

    await asyncio.wait_for(run(), timeout)
    return bytes(out)


async def test_is_an_audio_source_with_pcm16_format() -> None:
    cap = MicrophoneCapture(sd=FakeSoundDevice(sine(440, 1, 16000)))
    assert isinstance(cap, AudioSource)
    assert cap.format == PCM16_MONO_16K


async def test_44k1_stereo_arrives_as_16k_mono_with_exact_length_and_frequency() -> None:
    sig = np.concatenate([sine(440, 2.0, 44100, channels=2), np.zeros((44100, 2), np.float32)])
    fake = FakeSoundDevice(sig, 44100, speed=20)
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    assert cap.device_rate == 44100 and cap.device_channels == 2
    data = await collect(cap, 3 * 32000)
    # Every frame the device delivered comes out resampled, none lost, tail flushed at stop.
    expected = StreamResampler(44100, 16000).expected_output(cap.frames_captured)
    assert len(data) == 2 * expected
    x = pcm_to_float(data)
    assert dominant_frequency(x[:32000], 16000) == pytest.approx(440, abs=1)
    n = np.arange(32000)
    ideal = 0.5 * np.sin(2 * np.pi * 440 * n / 16000)
    # No clicks at chunk or block joins: the output follows the ideal sine sample by sample.
    assert np.max(np.abs(x[100:31900] - ideal[100:31900])) < 2e-3
    assert np.max(np.abs(x[32500:48000])) < 1e-3  # and the silence after it is silent
    assert cap.stats.overflows == 0
    assert cap.stats.bytes == len(data)


async def test_stereo_is_mixed_down_by_averaging_channels() -> None:
    left = sine(440, 1.0, 16000, amplitude=0.6)
    right = sine(1000, 1.0, 16000, amplitude=0.2)
    fake = FakeSoundDevice(np.stack([left, right], axis=1), 16000, speed=20)
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    assert cap.device_rate == 16000  # the device accepts 16 kHz: no resampling
    x = pcm_to_float(await collect(cap, 32000))
    expected = (left + right) / 2
    assert np.max(np.abs(x[:16000] - expected)) <= 1.0 / 32768 + 1e-7


async def test_wav_replay_matches_the_file(tmp_path: Path) -> None:
    import soundfile

    path = tmp_path / "tone.wav"
    soundfile.write(str(path), sine(300, 1.5, 48000, amplitude=0.3, channels=2), 48000, subtype="PCM_16")
    sig, rate = load_wav(path)
    cap = MicrophoneCapture(sd=FakeSoundDevice(sig, rate, speed=20))
    await cap.start()
    x = pcm_to_float(await collect(cap, 24000 * 2))
    assert dominant_frequency(x[:24000], 16000) == pytest.approx(300, abs=1)
    assert 20 * math.log10(np.max(np.abs(x[:24000]))) == pytest.approx(20 * math.log10(0.3), abs=0.2)


async def test_chunks_are_100_ms() -> None:
    cap = MicrophoneCapture(sd=FakeSoundDevice(sine(440, 2, 48000), 48000, speed=20))
    await cap.start()
    sizes = []
    async for chunk in cap.chunks():
        sizes.append(len(chunk))
        if len(sizes) == 5:
            break
    await cap.stop()
    assert sizes == [3200] * 5


async def test_consumer_that_does_not_read_causes_counted_overflows_and_bounded_memory() -> None:
    fake = FakeSoundDevice(sine(440, 3.0, 16000), 16000, speed=30, after="stall")
    cap = MicrophoneCapture(sd=fake, queue_chunks=5, stall_timeout=30)
    await cap.start()
    total_blocks = math.ceil(3.0 * 16000 / fake.stream.blocksize)
    while fake.blocks_delivered < total_blocks:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # let the posted chunks reach the loop
    assert len(cap._queue) == 5  # bounded however long the consumer ignores it
    await cap.stop()
    got = [c async for c in cap.chunks()]
    assert len(got) == 5
    produced = 3 * 10  # 3 s of 100 ms chunks (the fake delivers whole 40 ms blocks)
    assert cap.stats.overflows == produced - 5
    assert cap.stats.chunks == 5


async def test_portaudio_status_flags_are_counted() -> None:
    fake = FakeSoundDevice(sine(440, 1, 16000), 16000, speed=20)
    fake.status_blocks = {
        3: CallbackFlags(input_overflow=True),
        7: CallbackFlags(input_overflow=True),
        9: CallbackFlags(input_underflow=True),
    }
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    await collect(cap, 32000)
    assert cap.stats.status_flags == 3
    assert cap.status_flag_counts == {"input_overflow": 2, "input_underflow": 1}


@pytest.mark.parametrize("mode", ["finish", "inactive", "stall"])
async def test_disconnect_ends_chunks_with_an_error_after_the_captured_audio(mode: str) -> None:
    fake = FakeSoundDevice(sine(440, 5, 16000), 16000, speed=5)
    fake.disconnect_after_blocks = 20  # 0.8 s of audio in 40 ms blocks
    fake.disconnect_mode = mode
    cap = MicrophoneCapture(sd=fake, stall_timeout=0.4)
    await cap.start()
    got = bytearray()
    with pytest.raises(AudioSourceError, match=r"The microphone “System default \(Fake USB Mic\)” was disconnected"):
        async with asyncio.timeout(5):
            async for chunk in cap.chunks():
                got.extend(chunk)
    assert len(got) == 8 * 3200  # everything captured before the failure was delivered
    assert cap.error is not None and not cap.running
    await cap.stop()  # stopping after a failure is harmless


async def test_open_failure_names_the_device_and_explains() -> None:
    fake = FakeSoundDevice(sine(440, 1, 16000), 16000)
    fake.fail_open = "Device unavailable"
    cap = MicrophoneCapture("Fake USB Mic", sd=fake)
    with pytest.raises(AudioSourceError) as info:
        await cap.start()
    msg = str(info.value)
    assert "Could not open the microphone “Fake USB Mic”" in msg
    assert "in use by another program or was unplugged" in msg  # PortAudio's words, explained
    assert "Privacy → Microphone" in msg


async def test_unknown_device_is_reported_not_silently_replaced() -> None:
    cap = MicrophoneCapture("Gone Mic", sd=FakeSoundDevice(sine(440, 1, 16000), 16000))
    with pytest.raises(AudioSourceError, match="“Gone Mic” is not available"):
        await cap.start()


async def test_no_microphone_at_all() -> None:
    fake = FakeSoundDevice(devices=[], default_input=-1)
    with pytest.raises(AudioSourceError, match="No microphone was found"):
        await MicrophoneCapture(sd=fake).start()


async def test_falls_back_to_device_rate_when_16k_is_refused() -> None:
    fake = FakeSoundDevice(sine(440, 1, 48000), 48000, speed=20)
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    assert fake.stream.samplerate == 48000
    assert fake.stream.channels == 1
    await cap.stop()


async def test_opens_at_16k_when_the_device_supports_it() -> None:
    fake = FakeSoundDevice(sine(440, 1, 16000), 16000, supported_rates={16000, 48000})
    fake.devices = [mic_device(rate=48000, channels=4)]
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    assert fake.stream.samplerate == 16000
    assert fake.stream.channels == 2  # at most two channels are opened and averaged
    await cap.stop()


async def test_monitor_mode_measures_levels_without_queueing() -> None:
    fake = FakeSoundDevice(sine(440, 3, 16000, amplitude=0.5), 16000, speed=10)
    cap = MicrophoneCapture(sd=fake, consume=False, queue_chunks=3)
    cap.open(asyncio.get_running_loop())
    async with asyncio.timeout(5):
        while cap.levels is None or fake.blocks_delivered < 60:
            await asyncio.sleep(0.01)
    reading = cap.levels
    assert reading is not None
    assert reading.peak_db == pytest.approx(-6.02, abs=0.5)
    assert reading.rms_db == pytest.approx(-9.03, abs=0.5)
    assert len(cap._queue) == 0 and cap.stats.overflows == 0  # discarded, not counted
    # A session taking over the running capture starts receiving from then on.
    await cap.start()
    first = await asyncio.wait_for(cap.chunks().__anext__(), 5)
    assert len(first) == 3200
    await cap.stop()


async def test_stop_ends_an_idle_iterator() -> None:
    cap = MicrophoneCapture(sd=FakeSoundDevice(sine(440, 1, 16000), 16000))
    await cap.start()

    async def drain() -> int:
        return sum([len(c) async for c in cap.chunks()])

    task = asyncio.create_task(drain())
    await asyncio.sleep(0.15)
    await cap.stop()
    assert await asyncio.wait_for(task, 5) > 0
