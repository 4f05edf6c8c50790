"""macOS (Core Audio process tap + private aggregate device, read with soundcard) with PyObjC's
CoreAudio bindings and soundcard's Core Audio module faked at the boundary."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest

import desktop.audio.system.coretap as coretap
from desktop.audio.system import OutputDevice, open_system_audio
from desktop.audio.system.capture import SystemAudioCapture
from desktop.core.audio_source import AudioSourceError
from tests.audio.system_fakes import FakeRecorder, read_source
from tests.audio_helpers import dominant_frequency, pcm_to_float, sine

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
WAT = int.from_bytes(b"wat?", "big")  # what a refused tap reports


class FakeUUID:
    def UUIDString(self) -> str:  # noqa: N802 - the Objective-C name
        return "0F1E2D3C-AAAA-BBBB-CCCC-001122334455"


class FakeTapDescription:
    """``CATapDescription``: records which initialiser and setters were used."""

    made: list[FakeTapDescription] = []

    def __init__(self) -> None:
        self.init: tuple[Any, ...] = ()
        self.props: dict[str, Any] = {}
        FakeTapDescription.made.append(self)

    @classmethod
    def alloc(cls) -> FakeTapDescription:
        return cls()

    def initStereoGlobalTapButExcludeProcesses_(self, processes: list[int]) -> FakeTapDescription:  # noqa: N802
        self.init = ("global", list(processes))
        return self

    def initExcludingProcesses_andDeviceUID_withStream_(  # noqa: N802
        self, processes: list[int], uid: str, stream: int
    ) -> FakeTapDescription:
        self.init = ("device", list(processes), uid, stream)
        return self

    def setName_(self, name: str) -> None:  # noqa: N802
        self.props["name"] = name

    def setPrivate_(self, value: bool) -> None:  # noqa: N802
        self.props["private"] = value

    def setMuteBehavior_(self, value: int) -> None:  # noqa: N802
        self.props["mute"] = value

    def UUID(self) -> FakeUUID:  # noqa: N802
        return FakeUUID()


class FakeCoreAudio:
    """The PyObjC CoreAudio functions the backend calls; output parameters come back in a tuple."""

    CATapDescription = FakeTapDescription
    kAudioAggregateDeviceNameKey = "name"
    kAudioAggregateDeviceUIDKey = "uid"
    kAudioAggregateDeviceIsPrivateKey = "private"
    kAudioAggregateDeviceTapListKey = "taps"
    kAudioAggregateDeviceTapAutoStartKey = "tapautostart"
    kAudioSubTapUIDKey = "uid"
    kAudioSubTapDriftCompensationKey = "drift"

    def __init__(self, tap_status: int = 0) -> None:
        self.tap_status = tap_status
        self.calls: list[tuple[Any, ...]] = []
        self.aggregates: list[dict[str, Any]] = []

    def AudioHardwareCreateProcessTap(self, description: FakeTapDescription, out: None) -> tuple[int, int]:  # noqa: N802
        assert out is None
        self.calls.append(("create_tap", description.init))
        return (self.tap_status, 0 if self.tap_status else 77)

    def AudioHardwareCreateAggregateDevice(self, spec: dict[str, Any], out: None) -> tuple[int, int]:  # noqa: N802
        self.calls.append(("create_aggregate",))
        self.aggregates.append(spec)
        return (0, 88)

    def AudioHardwareDestroyAggregateDevice(self, device: int) -> int:  # noqa: N802
        self.calls.append(("destroy_aggregate", device))
        return 0

    def AudioHardwareDestroyProcessTap(self, tap: int) -> int:  # noqa: N802
        self.calls.append(("destroy_tap", tap))
        return 0


class Device:
    def __init__(self, id: int, name: str) -> None:
        self.id = id
        self.name = name


class FakeSoundcardCoreAudio:
    """``soundcard.coreaudio``: outputs, UIDs via its ``_CoreAudio`` helper, and the input unit."""

    def __init__(self) -> None:
        self.speakers = [Device(41, "MacBook Pro Speakers"), Device(42, "AirPods")]
        self.default = 41
        self.recorders: list[tuple[int, int, int, int]] = []
        self.opened: list[FakeRecorder] = []
        sc = self

        class _CoreAudio:
            @staticmethod
            def get_property(target: int, selector: int, ctype: str) -> tuple[int, int, str]:
                return (target, selector, ctype)

            @staticmethod
            def CFString_to_str(value: tuple[int, int, str]) -> str:  # noqa: N802
                target, selector, ctype = value
                assert selector == int.from_bytes(b"uid ", "big") and ctype == "CFStringRef"
                return f"UID-{target}"

        class _Microphone:
            def __init__(self, *, id: int) -> None:
                self.id = id
                self.channels = 2

            def recorder(self, *, samplerate: int, channels: int, blocksize: int) -> FakeRecorder:
                sc.recorders.append((self.id, samplerate, channels, blocksize))
                rec = FakeRecorder(sine(440, 3.0, samplerate, channels=2), samplerate, speed=10)
                sc.opened.append(rec)
                return rec

        self._CoreAudio = _CoreAudio
        self._Microphone = _Microphone

    def all_speakers(self) -> list[Device]:
        return list(self.speakers)

    def default_speaker(self) -> Device:
        return next(d for d in self.speakers if d.id == self.default)


@pytest.fixture
def sonoma(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coretap.platform, "mac_ver", lambda: ("14.4.1", ("", "", ""), "arm64"))
    FakeTapDescription.made.clear()


def factory(ca: FakeCoreAudio, sc: FakeSoundcardCoreAudio) -> Any:
    return lambda: coretap.CoreAudioTapBackend(coreaudio=ca, soundcard_module=sc)


@pytest.mark.asyncio
@pytest.mark.usefixtures("sonoma")
async def test_following_the_default_taps_everything_through_a_private_aggregate() -> None:
    ca, sc = FakeCoreAudio(), FakeSoundcardCoreAudio()
    cap = open_system_audio(None, backend_factory=factory(ca, sc))
    assert isinstance(cap, SystemAudioCapture)
    await cap.start()
    assert cap.label == "System audio “MacBook Pro Speakers”"
    data, _ = await read_source(cap, 1.0)
    assert dominant_frequency(pcm_to_float(data)[1600:], 16000) == pytest.approx(440, abs=1)
    (tap,) = FakeTapDescription.made
    assert tap.init == ("global", []) and tap.props["private"] is True and tap.props["mute"] == 0  # unmuted
    spec = ca.aggregates[0]
    assert spec["private"] is True and spec["tapautostart"] is True
    assert spec["taps"] == [{"uid": "0F1E2D3C-AAAA-BBBB-CCCC-001122334455", "drift": True}]
    assert sc.recorders == [(88, 48000, 2, 1920)]  # the aggregate device, read like a microphone
    # Stopping releases the recorder, then the aggregate, then the tap.
    assert sc.opened[0].exited.is_set()
    assert ca.calls[-2:] == [("destroy_aggregate", 88), ("destroy_tap", 77)]


@pytest.mark.asyncio
@pytest.mark.usefixtures("sonoma")
async def test_a_chosen_output_is_tapped_by_its_device_uid() -> None:
    ca, sc = FakeCoreAudio(), FakeSoundcardCoreAudio()
    backend = coretap.CoreAudioTapBackend(coreaudio=ca, soundcard_module=sc)
    assert backend.outputs() == [
        OutputDevice("UID-41", "MacBook Pro Speakers", True),
        OutputDevice("UID-42", "AirPods", False),
    ]
    cap = open_system_audio("UID-42", backend_factory=factory(ca, sc), follow_poll_s=30)
    await cap.start()
    await read_source(cap, 0.3)
    assert FakeTapDescription.made[0].init == ("device", [], "UID-42", 0)


@pytest.mark.asyncio
@pytest.mark.usefixtures("sonoma")
async def test_a_refused_tap_says_where_to_allow_it() -> None:
    ca, sc = FakeCoreAudio(tap_status=WAT), FakeSoundcardCoreAudio()
    with pytest.raises(AudioSourceError) as caught:
        await open_system_audio(None, backend_factory=factory(ca, sc)).start()
    assert str(caught.value) == (
        "macOS did not let Soniox Desktop tap the system audio (error 'wat?'). Allow Soniox Desktop to record "
        "system audio in System Settings → Privacy & Security → Screen & System Audio Recording → System Audio "
        "Recording Only, then start again (macOS asks the first time; if you declined, turn it on there)."
    )
    assert ("create_aggregate",) not in ca.calls


def test_support_names_the_permission_and_the_settings_pane() -> None:
    ok = coretap.support("15.1", coreaudio=FakeCoreAudio())
    assert ok.available
    assert ok.settings_url == "x-apple.systempreferences:com.apple.preference.security?Privacy_AudioCapture"
    assert "“System Audio Recording Only”" in ok.message and "Screen & System Audio Recording" in ok.message
    old = coretap.support("13.6", coreaudio=FakeCoreAudio())
    assert not old.available and old.settings_url is None
    assert old.message.startswith("System audio needs macOS 14.2 or later (this Mac runs 13.6).")
    assert "BlackHole" in old.message
    assert not coretap.support("14.2", coreaudio=object()).available  # bindings without taps


@pytest.mark.asyncio
async def test_an_old_macos_refuses_to_open_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coretap.platform, "mac_ver", lambda: ("14.1", ("", "", ""), "x86_64"))
    with pytest.raises(AudioSourceError, match=r"needs macOS 14\.2 or later \(this Mac runs 14\.1\)"):
        await open_system_audio(None, backend_factory=factory(FakeCoreAudio(), FakeSoundcardCoreAudio())).start()


def test_the_app_bundle_explains_why_it_records_system_audio() -> None:
    info = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert "the sound your Mac plays" in info["NSAudioCaptureUsageDescription"]
