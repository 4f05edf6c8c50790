"""macOS 14.2+: system audio is a Core Audio process tap, read through a private aggregate device.

A tap (``CATapDescription`` → ``AudioHardwareCreateProcessTap``) copies what processes play; it
has no IO path of its own, so it is wrapped in a private aggregate device
(``AudioHardwareCreateAggregateDevice`` with the tap in its tap list), which then records like a
microphone. The recording itself is soundcard's Core Audio input unit on that device: PyObjC is
used only to create and destroy the tap and the aggregate, never for the real-time IO block
(PyObjC's block-based IOProcs are the fragile part of other Python attempts).

* Following the default output, the tap is a global stereo tap of every process: it captures
  whatever the Mac plays wherever it plays it, so a change of the default output needs no switch.
* A chosen output gets a tap of that device's stream only
  (``initExcludingProcesses:andDeviceUID:withStream:``).

Permission: macOS asks once, the first time the tap records, whether the app may record system
audio ("System Audio Recording Only", shown with the ``NSAudioCaptureUsageDescription`` text in
packaging/macos/Info.plist). A refusal can look like silence rather than an error; the grant
lives in System Settings → Privacy & Security → Screen & System Audio Recording.

Not runnable here (no macOS in CI): written against PyObjC's CoreAudio bindings
(``pyobjc-framework-CoreAudio`` ≥ 10.1, output parameters returned as ``(status, value)``) and
tested with those bindings faked at the boundary.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import platform
import uuid
from typing import Any

from desktop.audio.system.backend import (
    OutputDevice,
    RecorderStream,
    SystemAudioSupport,
    no_thread_scope,
    soundcard_outputs,
)
from desktop.core.audio_source import AudioSourceError

log = logging.getLogger(__name__)

#: System Settings → Privacy & Security, at the audio-capture grant (Screen & System Audio Recording).
SETTINGS_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_AudioCapture"
SETTINGS_PATH = "System Settings → Privacy & Security → Screen & System Audio Recording → System Audio Recording Only"
MIN_VERSION = (14, 2)
#: The rate asked of the aggregate device (soundcard converts from the device's own).
RATE = 48000
#: Core Audio's four-char selector of a device's persistent UID ('uid ').
DEVICE_UID = int.from_bytes(b"uid ", "big")
CA_TAP_UNMUTED = 0
#: PyObjC spells these keys as constants; their documented string values are the fallback.
_KEYS = {
    "kAudioAggregateDeviceNameKey": "name",
    "kAudioAggregateDeviceUIDKey": "uid",
    "kAudioAggregateDeviceIsPrivateKey": "private",
    "kAudioAggregateDeviceTapListKey": "taps",
    "kAudioAggregateDeviceTapAutoStartKey": "tapautostart",
    "kAudioSubTapUIDKey": "uid",
    "kAudioSubTapDriftCompensationKey": "drift",
}

PERMISSION_WORDS = (
    "Allow Soniox Desktop to record system audio in "
    f"{SETTINGS_PATH}, then start again (macOS asks the first time; if you declined, turn it on there)."
)


def macos_version(mac_ver: str | None = None) -> tuple[int, int]:
    text = mac_ver if mac_ver is not None else platform.mac_ver()[0]
    parts = [int(p) for p in text.split(".")[:2] if p.isdigit()]
    padded = [*parts, 0, 0]
    return padded[0], padded[1]


def _fourcc(status: int) -> str:
    raw = (status & 0xFFFFFFFF).to_bytes(4, "big")
    return f"'{raw.decode('latin-1')}'" if all(32 <= b < 127 for b in raw) else str(status)


class CoreAudioTapBackend:
    """Output devices (via soundcard) and tap captures (via PyObjC) for one reader thread."""

    follows_default = True

    def __init__(self, *, coreaudio: Any = None, soundcard_module: Any = None) -> None:
        self._ca = coreaudio
        self._sc = soundcard_module

    def thread_scope(self) -> contextlib.AbstractContextManager[None]:
        return no_thread_scope()

    def _coreaudio(self) -> Any:
        if self._ca is None:
            try:
                self._ca = importlib.import_module("CoreAudio")
            except ImportError as exc:
                raise AudioSourceError(
                    "System audio is unavailable: this build lacks the Core Audio bindings "
                    "(pyobjc-framework-CoreAudio)."
                ) from exc
        return self._ca

    def _soundcard(self) -> Any:
        if self._sc is None:
            try:
                self._sc = importlib.import_module("soundcard.coreaudio")
            except Exception as exc:
                raise AudioSourceError(f"System audio is unavailable: Core Audio could not be loaded ({exc}).") from exc
        return self._sc

    def outputs(self) -> list[OutputDevice]:
        return soundcard_outputs(self._soundcard(), key=lambda speaker: self._uid(speaker.id))

    def _uid(self, device_id: int) -> str:
        helper = self._soundcard()._CoreAudio
        return str(helper.CFString_to_str(helper.get_property(device_id, DEVICE_UID, "CFStringRef")))

    def open(self, output: OutputDevice | None) -> TapStream:
        version = macos_version()
        if version < MIN_VERSION:
            raise AudioSourceError(unsupported_message(version))
        return TapStream(self._coreaudio(), self._soundcard(), output)

    def describe_failure(self, exc: BaseException, output: OutputDevice) -> str:
        return (
            f"System audio from “{output.name}” stopped: Core Audio ended the capture ({exc}). "
            "Start again; if it repeats, check the sound settings."
        )

    def close(self) -> None:
        pass


class TapStream:
    """A process tap, its private aggregate device and a soundcard recorder on it."""

    rate: int
    channels: int

    def __init__(self, ca: Any, sc: Any, output: OutputDevice | None) -> None:
        self._ca = ca
        self._tap_id: int | None = None
        self._aggregate_id: int | None = None
        self._stream: RecorderStream | None = None
        try:
            description = self._describe(output)
            status, tap_id = ca.AudioHardwareCreateProcessTap(description, None)
            if status != 0 or not tap_id:
                raise AudioSourceError(
                    f"macOS did not let Soniox Desktop tap the system audio (error {_fourcc(status)}). "
                    + PERMISSION_WORDS
                )
            self._tap_id = int(tap_id)
            tap_uid = str(description.UUID().UUIDString())
            status, aggregate_id = ca.AudioHardwareCreateAggregateDevice(self._aggregate(tap_uid), None)
            if status != 0 or not aggregate_id:
                raise AudioSourceError(
                    f"macOS could not set up the system-audio recording device (error {_fourcc(status)}). "
                    f"{PERMISSION_WORDS}"
                )
            self._aggregate_id = int(aggregate_id)
            mic = sc._Microphone(id=self._aggregate_id)
            self._stream = RecorderStream.open(mic, RATE, mic.channels)
        except AudioSourceError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise AudioSourceError(f"Could not start recording system audio ({exc}). {PERMISSION_WORDS}") from exc
        self.rate = RATE
        self.channels = self._stream.channels

    def _describe(self, output: OutputDevice | None) -> Any:
        ca = self._ca
        cls = getattr(ca, "CATapDescription", None)
        if cls is None:
            import objc

            cls = objc.lookUpClass("CATapDescription")
        if output is None:
            description = cls.alloc().initStereoGlobalTapButExcludeProcesses_([])
        else:
            description = cls.alloc().initExcludingProcesses_andDeviceUID_withStream_([], output.id, 0)
        description.setName_("Soniox Desktop system audio")
        description.setPrivate_(True)
        description.setMuteBehavior_(CA_TAP_UNMUTED)
        return description

    def _aggregate(self, tap_uid: str) -> dict[str, Any]:
        key = {name: getattr(self._ca, name, fallback) for name, fallback in _KEYS.items()}
        return {
            key["kAudioAggregateDeviceNameKey"]: "Soniox Desktop system audio",
            key["kAudioAggregateDeviceUIDKey"]: f"com.soniox.desktop.systemaudio.{uuid.uuid4()}",
            key["kAudioAggregateDeviceIsPrivateKey"]: True,
            key["kAudioAggregateDeviceTapAutoStartKey"]: True,
            key["kAudioAggregateDeviceTapListKey"]: [
                {key["kAudioSubTapUIDKey"]: tap_uid, key["kAudioSubTapDriftCompensationKey"]: True}
            ],
        }

    def read(self) -> Any:
        assert self._stream is not None
        return self._stream.read()

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()
        aggregate, self._aggregate_id = self._aggregate_id, None
        if aggregate is not None:
            with contextlib.suppress(Exception):
                self._ca.AudioHardwareDestroyAggregateDevice(aggregate)
        tap, self._tap_id = self._tap_id, None
        if tap is not None:
            with contextlib.suppress(Exception):
                self._ca.AudioHardwareDestroyProcessTap(tap)


def unsupported_message(version: tuple[int, int]) -> str:
    return (
        f"System audio needs macOS 14.2 or later (this Mac runs {version[0]}.{version[1]}). Update macOS, or "
        "install a virtual audio device (such as BlackHole), send the sound to it with a Multi-Output Device "
        "in Audio MIDI Setup, and choose it as the microphone."
    )


def support(mac_ver: str | None = None, coreaudio: Any = None) -> SystemAudioSupport:
    version = macos_version(mac_ver)
    if version < MIN_VERSION:
        return SystemAudioSupport(False, unsupported_message(version))
    if coreaudio is None:
        try:
            coreaudio = importlib.import_module("CoreAudio")
        except ImportError:
            coreaudio = None
    if coreaudio is None or not hasattr(coreaudio, "AudioHardwareCreateProcessTap"):
        return SystemAudioSupport(
            False,
            "System audio is unavailable: this build lacks the Core Audio tap bindings (pyobjc-framework-CoreAudio).",
        )
    return SystemAudioSupport(
        True,
        "macOS asks once whether Soniox Desktop may record system audio. If you declined, allow "
        f"“System Audio Recording Only” in {SETTINGS_PATH.removesuffix(' → System Audio Recording Only')}.",
        SETTINGS_URL,
    )
