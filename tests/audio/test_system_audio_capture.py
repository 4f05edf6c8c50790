"""SystemAudioCapture's own logic (reader thread, switching, failures in words, overflow counting,
recording) with the OS faked at the backend boundary (tests/audio/system_fakes.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import soundfile

from desktop.audio.recording import tap_for_recording
from desktop.audio.resample import StreamResampler
from desktop.audio.system import OutputDevice, open_system_audio
from desktop.audio.system.capture import SystemAudioCapture
from desktop.core.audio_source import PCM16_MONO_16K, AudioSource, AudioSourceError
from tests.audio.system_fakes import FakeBackend, Outputs, read_source, wait_for
from tests.audio_helpers import dominant_frequency, pcm_to_float, sine

pytestmark = pytest.mark.asyncio

SPEAKERS = OutputDevice("spk", "Built-in speakers", True)
HEADSET = OutputDevice("hs", "USB headset", False)


def capture(world: Outputs, output_id: str | None = None, **kw: object) -> SystemAudioCapture:
    source = open_system_audio(output_id, backend_factory=lambda: FakeBackend(world), **kw)
    assert isinstance(source, SystemAudioCapture)
    return source


async def test_48k_stereo_from_the_default_output_arrives_as_16k_mono_in_full() -> None:
    world = Outputs(SPEAKERS, HEADSET, speed=10)
    world.play("spk", sine(440, 3.0, 48000, channels=2))
    cap = capture(world)
    assert isinstance(cap, AudioSource) and cap.format == PCM16_MONO_16K
    await cap.start()
    assert cap.label == "System audio “Built-in speakers”"
    assert (cap.device_rate, cap.device_channels) == (48000, 2)
    data, error = await read_source(cap, 2.0)
    assert error == ""
    # Every frame read comes out resampled (none lost), the resampler's tail flushed at stop.
    assert len(data) == 2 * StreamResampler(48000, 16000).expected_output(cap.frames_captured)
    x = pcm_to_float(data)
    assert dominant_frequency(x[1600:30000], 16000) == pytest.approx(440, abs=1)
    assert cap.levels is not None and cap.levels.peak_db == pytest.approx(-6.0, abs=0.2)
    assert cap.stats.chunks == -(-len(data) // 3200) and cap.stats.overflows == 0
    assert world.recorders["spk"][0].calls[0] == 1920  # 40 ms blocks at the device's rate
    assert world.recorders["spk"][0].exited.is_set()


async def test_a_new_default_output_is_followed_and_the_gap_is_filled() -> None:
    world = Outputs(SPEAKERS, HEADSET)
    world.play("spk", sine(440, 5.0, 48000, channels=2))
    world.play("hs", sine(880, 5.0, 48000, channels=1))
    cap = capture(world, follow_poll_s=0.05)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 1.6))
    await asyncio.sleep(0.6)
    world.set_default("hs")
    data, error = await reading
    assert error == "" and cap.switches == 1
    assert cap.output_name == "USB headset" and cap.label == "System audio “USB headset”"
    assert cap.device_channels == 1
    assert world.recorders["spk"][0].exited.is_set()
    x = pcm_to_float(data)
    assert dominant_frequency(x[1600:8000], 16000) == pytest.approx(440, abs=1)
    assert dominant_frequency(x[-8000:-1600], 16000) == pytest.approx(880, abs=1)


async def test_the_chosen_output_unplugged_ends_the_source_in_words_after_its_audio() -> None:
    world = Outputs(SPEAKERS, HEADSET)
    world.play("hs", sine(440, 5.0, 48000, channels=2))
    cap = capture(world, "hs", follow_poll_s=0.05)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 30))
    await asyncio.sleep(0.5)
    world.remove("hs")
    data, error = await reading
    assert error == (
        "The output “USB headset” was removed or unplugged, so its sound can no longer be captured. "
        "Choose another output for the next session."
    )
    assert len(data) >= 0.3 * 32000  # the audio before the unplug is kept
    assert cap.error is not None and str(cap.error) == error
    await cap.stop()  # harmless after a failure


async def test_the_chosen_output_ignores_a_change_of_default() -> None:
    world = Outputs(SPEAKERS, HEADSET)
    world.play("hs", sine(440, 2.0, 48000, channels=2))
    cap = capture(world, "hs", follow_poll_s=0.05)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 0.8))
    await asyncio.sleep(0.2)
    world.set_default("hs")
    world.set_default("spk")
    _, error = await reading
    assert error == "" and cap.switches == 0 and cap.output_name == "USB headset"


async def test_a_failing_stream_moves_to_the_new_default_or_ends_in_the_backends_words() -> None:
    world = Outputs(SPEAKERS, HEADSET)
    cap = capture(world, follow_poll_s=10)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 30))
    await asyncio.sleep(0.2)
    world.set_default("hs")  # the OS already moved on when the stream breaks
    world.recorders["spk"][0].fail_with = RuntimeError("device invalidated")
    await asyncio.sleep(0.3)
    assert cap.switches == 1 and cap.running
    world.recorders["hs"][0].fail_with = RuntimeError("device invalidated")  # nothing to move to now
    _, error = await reading
    assert error == "“USB headset” failed: device invalidated"


async def test_a_stream_that_stops_delivering_ends_in_words() -> None:
    world = Outputs(SPEAKERS)
    cap = capture(world, stall_timeout=0.3)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 30))
    await asyncio.sleep(0.2)
    world.recorders["spk"][0].block_forever = True
    _, error = await reading
    assert (
        error == "System audio from “Built-in speakers” stopped arriving. Check the sound settings, then start again."
    )


async def test_opening_fails_in_words() -> None:
    with pytest.raises(AudioSourceError, match="No sound output was found"):
        await capture(Outputs()).start()
    with pytest.raises(AudioSourceError, match="The output “hdmi” is not available"):
        await capture(Outputs(SPEAKERS), "hdmi").start()
    broken = Outputs(SPEAKERS)
    broken.list_error = AudioSourceError("The sound server stopped.")
    with pytest.raises(AudioSourceError, match=r"The sound server stopped\."):
        await capture(broken).start()


async def test_a_consumer_that_falls_behind_loses_counted_chunks_only() -> None:
    world = Outputs(SPEAKERS, speed=20)
    world.play("spk", sine(440, 3.0, 48000, channels=2))
    cap = capture(world, queue_chunks=3)
    await cap.start()
    wait_for(lambda: cap.frames_captured >= 48000 * 2)  # the loop is blocked: nothing is drained
    await asyncio.sleep(0)  # the posts run now, into a full queue
    data, _ = await read_source(cap, 0.25)
    produced = cap.frames_captured // 3  # 16 kHz samples
    assert cap.stats.overflows > 0
    assert cap.stats.overflows * 3200 + len(data) == pytest.approx(produced * 2, abs=2 * 3200)


async def test_monitor_mode_measures_levels_without_delivering() -> None:
    world = Outputs(SPEAKERS)
    world.play("spk", sine(440, 2.0, 48000, channels=2, amplitude=0.1))
    cap = capture(world, consume=False)
    await cap.start()
    await asyncio.sleep(0.3)
    assert cap.levels is not None and cap.levels.peak_db == pytest.approx(-20.0, abs=0.2)
    await cap.stop()
    assert [c async for c in cap.chunks()] == []


async def test_the_recording_tap_keeps_system_audio_like_the_microphones(tmp_path: Path) -> None:
    world = Outputs(SPEAKERS, speed=10)
    world.play("spk", sine(440, 1.5, 48000, channels=2))
    opened: list[object] = []
    tap = tap_for_recording(capture(world), lambda ext: tmp_path / f"rec.{ext}", opened.append, lambda: True)
    assert tap is not None
    await tap.start()
    out = bytearray()
    async for chunk in tap.chunks():
        out.extend(chunk)
        if len(out) >= 1.5 * 32000:
            await tap.stop()
    tap.recorder.close()  # type: ignore[attr-defined]
    assert tap.label == "System audio “Built-in speakers”" and tap.levels is not None
    audio, rate = soundfile.read(tmp_path / "rec.opus", dtype="float32")
    assert rate == 48000 or rate == 16000
    assert len(audio) / rate == pytest.approx(len(out) / 32000, abs=0.05)
    assert dominant_frequency(audio[rate // 10 : rate], rate) == pytest.approx(440, abs=2)
