"""Windows (WASAPI loopback through soundcard) with soundcard and COM faked at the boundary."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import numpy as np
import pytest

import desktop.audio.system.wasapi as wasapi
from desktop.audio.system import OutputDevice, list_outputs, open_system_audio, system_audio_support
from desktop.audio.system.capture import SystemAudioCapture
from desktop.core.audio_source import AudioSourceError
from tests.audio.system_fakes import FakeRecorder, read_source
from tests.audio_helpers import dominant_frequency, pcm_to_float, sine


class FakeOle32:
    """COM's two calls, recording which thread made them."""

    def __init__(self, result: int = 0) -> None:
        self.result = result
        self.calls: list[tuple[str, str]] = []

    def CoInitializeEx(self, reserved: object, mode: int) -> int:  # noqa: N802 - the Windows name
        assert reserved is None and mode == 0  # COINIT_MULTITHREADED
        self.calls.append(("init", threading.current_thread().name))
        return self.result

    def CoUninitialize(self) -> None:  # noqa: N802 - the Windows name
        self.calls.append(("uninit", threading.current_thread().name))


class Endpoint:
    def __init__(self, id: str, name: str, channels: int = 2) -> None:
        self.id = id
        self.name = name
        self.channels = channels


class FakeLoopback(Endpoint):
    def __init__(self, endpoint: Endpoint, soundcard: FakeSoundcard) -> None:
        super().__init__(endpoint.id, endpoint.name, endpoint.channels)
        self._sc = soundcard

    def recorder(self, *, samplerate: int, channels: int, blocksize: int) -> FakeRecorder:
        self._sc.recorder_calls.append((self.id, samplerate, channels, blocksize))
        rec = FakeRecorder(self._sc.signal, samplerate, speed=10)
        self._sc.recorders.append(rec)
        return rec


class FakeSoundcard:
    """The slice of ``soundcard`` (mediafoundation) the WASAPI backend uses."""

    def __init__(self) -> None:
        self.endpoints = [Endpoint("{0.0.0.1}", "Speakers (Realtek)", 8), Endpoint("{0.0.0.2}", "Headphones", 2)]
        self.default_id = "{0.0.0.1}"
        self.signal = sine(440, 3.0, 48000, channels=2)
        self.get_calls: list[tuple[str, bool]] = []
        self.recorder_calls: list[tuple[str, int, int, int]] = []
        self.recorders: list[FakeRecorder] = []

    def all_speakers(self) -> list[Endpoint]:
        return list(self.endpoints)

    def default_speaker(self) -> Endpoint:
        return next(e for e in self.endpoints if e.id == self.default_id)

    def get_microphone(self, id: str, include_loopback: bool = False) -> FakeLoopback:
        self.get_calls.append((id, include_loopback))
        for e in self.endpoints:
            if e.id == id and include_loopback:
                return FakeLoopback(e, self)
        raise IndexError(f"no device with id {id}")


def backend(sc: FakeSoundcard, ole: FakeOle32) -> Any:
    return lambda: wasapi.WasapiBackend(soundcard_module=sc, ole32=ole)


@pytest.mark.asyncio
async def test_the_default_endpoint_is_captured_through_wasapi_loopback_on_a_com_thread() -> None:
    sc, ole = FakeSoundcard(), FakeOle32()
    cap = open_system_audio(None, backend_factory=backend(sc, ole))
    assert isinstance(cap, SystemAudioCapture)
    await cap.start()
    assert cap.label == "System audio “Speakers (Realtek)”"
    data, error = await read_source(cap, 1.0)
    assert error == ""
    # The loopback client of the speakers' endpoint, 48 kHz, at most stereo, 40 ms blocks.
    assert sc.get_calls[0] == ("{0.0.0.1}", True)
    assert sc.recorder_calls[0] == ("{0.0.0.1}", 48000, 2, 1920)
    assert dominant_frequency(pcm_to_float(data)[1600:], 16000) == pytest.approx(440, abs=1)
    assert sc.recorders[0].exited.is_set()
    # COM joined on the reader thread (and the watcher's), and left again on each.
    reader = [c for c in ole.calls if c[1] == "system-audio-reader"]
    assert reader == [("init", "system-audio-reader"), ("uninit", "system-audio-reader")]


@pytest.mark.asyncio
async def test_an_unplugged_endpoint_ends_in_words_and_a_missing_one_does_not_open() -> None:
    sc, ole = FakeSoundcard(), FakeOle32()
    cap = open_system_audio("{0.0.0.2}", backend_factory=backend(sc, ole), follow_poll_s=30)
    await cap.start()
    reading = asyncio.ensure_future(read_source(cap, 30))
    await asyncio.sleep(0.2)
    sc.recorders[0].fail_with = RuntimeError("Error 0x88890004")  # AUDCLNT_E_DEVICE_INVALIDATED
    _, error = await reading
    assert error == (
        "The output “Headphones” was disconnected or disabled, so its sound can no longer be captured. "
        "Choose another output for the next session."
    )
    with pytest.raises(AudioSourceError, match=r"The output “\{0\.0\.0\.9\}” is not available"):
        await open_system_audio("{0.0.0.9}", backend_factory=backend(sc, ole)).start()


def test_com_in_another_mode_is_tolerated_and_a_real_failure_is_worded() -> None:
    ole = FakeOle32(result=wasapi.RPC_E_CHANGED_MODE - 2**32)  # negative HRESULT, as ctypes returns it
    with wasapi.com_scope(ole):
        pass
    assert ole.calls == [("init", "MainThread")]  # not ours to uninitialise
    with pytest.raises(AudioSourceError, match="COM error 0x80004005"), wasapi.com_scope(FakeOle32(-2147467259)):
        pass


def test_the_platform_api_lists_endpoints_with_the_default_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    sc, ole = FakeSoundcard(), FakeOle32()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "soundcard", sc)
    monkeypatch.setattr(wasapi, "_ole32", lambda: ole)
    assert list_outputs() == [
        OutputDevice("{0.0.0.1}", "Speakers (Realtek)", True),
        OutputDevice("{0.0.0.2}", "Headphones", False),
    ]
    support = system_audio_support()
    assert support.available and "no permission is needed" in support.message and support.settings_url is None
    assert np.asarray(ole.calls).shape == (2, 2)  # list_outputs joined COM and left it
