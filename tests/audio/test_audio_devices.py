"""Device list as plain data, key resolution, and re-scanning only while no stream is open."""

from __future__ import annotations

import asyncio

import pytest

from desktop.audio import devices as devmod
from desktop.audio.capture import MicrophoneCapture
from desktop.core.audio_source import AudioSourceError
from tests.audio_helpers import FakeSoundDevice, mic_device, sine


def speakers(index: int) -> dict:
    d = mic_device("Speakers", index=index, channels=0)
    d["max_output_channels"] = 2
    return d


def test_default_first_then_inputs_only() -> None:
    fake = FakeSoundDevice(
        devices=[speakers(0), mic_device("Headset", index=1), mic_device("Webcam", index=2, channels=2)],
        default_input=2,
    )
    devices = devmod.list_input_devices(fake)
    assert [d.label for d in devices] == ["System default (Webcam)", "Headset", "Webcam"]
    assert devices[0].key == "" and devices[0].is_default and devices[0].index == 2
    assert devices[2].channels == 2


def test_repeated_names_carry_the_host_api() -> None:
    fake = FakeSoundDevice(
        devices=[
            mic_device("Mic", index=0, hostapi=0),
            mic_device("Mic", index=1, hostapi=1),
            mic_device("Other", index=2, hostapi=1),
        ],
        hostapis=["MME", "WASAPI"],
    )
    keys = [d.key for d in devmod.list_input_devices(fake)]
    assert keys == ["", "Mic (MME)", "Mic (WASAPI)", "Other"]
    assert devmod.resolve_input_device(fake, "Mic (WASAPI)").index == 1
    assert devmod.resolve_input_device(fake, "Mic").index == 0  # a key saved before it repeated


def test_no_devices() -> None:
    fake = FakeSoundDevice(devices=[], default_input=-1)
    devices = devmod.list_input_devices(fake)
    assert [d.label for d in devices] == ["System default (no microphone found)"]
    with pytest.raises(AudioSourceError, match="No microphone was found"):
        devmod.resolve_input_device(fake, None)


def test_new_devices_show_only_after_refresh() -> None:
    fake = FakeSoundDevice(devices=[mic_device("Built-in", index=0)])
    fake.replug([mic_device("Built-in", index=0), mic_device("USB Mic", index=1)])
    assert [d.key for d in devmod.list_input_devices(fake)] == ["", "Built-in"]
    assert devmod.refresh_devices(fake) is True
    assert [d.key for d in devmod.list_input_devices(fake)] == ["", "Built-in", "USB Mic"]


@pytest.mark.asyncio
async def test_refresh_is_skipped_while_a_stream_is_open() -> None:
    fake = FakeSoundDevice(sine(440, 5, 16000), 16000)
    cap = MicrophoneCapture(sd=fake)
    await cap.start()
    try:
        assert devmod.open_stream_count() == 1
        assert devmod.refresh_devices(fake) is False
        assert fake.terminate_calls == 0  # PortAudio was not pulled from under the stream
    finally:
        await cap.stop()
    assert devmod.open_stream_count() == 0
    assert devmod.refresh_devices(fake) is True


@pytest.mark.asyncio
async def test_failed_capture_releases_its_stream_registration() -> None:
    fake = FakeSoundDevice(sine(440, 5, 16000), 16000, speed=5)
    fake.disconnect_after_blocks = 5
    cap = MicrophoneCapture(sd=fake, stall_timeout=0.3)
    await cap.start()
    with pytest.raises(AudioSourceError):
        async for _ in cap.chunks():
            pass
    await cap.stop()
    await asyncio.sleep(0)
    assert devmod.open_stream_count() == 0
