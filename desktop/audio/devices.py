"""The list of microphones as plain data, and a safe way to notice devices coming and going.

Devices are identified by a *key*: the device name, or ``"Name (Host API)"`` when the same name
appears under several host APIs (Windows lists one microphone under MME, DirectSound, WASAPI...).
Indexes are not stable across PortAudio re-initialisation or reboots, so settings remember the
key; the empty key means "the system default", which follows the OS setting.

PortAudio enumerates devices once, at initialisation. :func:`refresh_devices` re-initialises it
to pick up plugged/unplugged devices, which is only safe while no stream is open (terminating
PortAudio under an open stream invalidates it). Captures register their open streams here
(:func:`stream_opened`/:func:`stream_closed`), so a refresh during a session is simply skipped
and tried again on the next poll. All PortAudio calls made through this module hold
:data:`PORTAUDIO_LOCK`, so a refresh on a worker thread never overlaps a stream being opened.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

#: Serialises PortAudio (re)initialisation, enumeration and stream opening across threads.
PORTAUDIO_LOCK = threading.RLock()
_open_streams = 0

DEFAULT_KEY = ""
#: The one name of "whatever microphone the OS is set to use", everywhere the app shows it.
DEFAULT_NAME = "System default"
_ROUTING_NAMES = ("", "default", "sysdefault")  # ALSA's routing devices name nothing real


def default_label(device_name: str = "") -> str:
    """ "System default (Webcam)", or just "System default" when the OS gives no real name."""
    named = device_name.strip().lower() not in _ROUTING_NAMES
    return f"{DEFAULT_NAME} ({device_name})" if named else DEFAULT_NAME


def microphone_name(device_name: str, *, is_default: bool) -> str:
    """How a chosen microphone is named in labels and messages (the picker's words)."""
    if is_default or device_name.strip().lower() in _ROUTING_NAMES:
        return default_label(device_name)
    return device_name


@dataclass(frozen=True)
class InputDevice:
    """One entry of the microphone list."""

    key: str  # what settings remember; "" = system default
    label: str  # what the picker shows
    index: int | None  # PortAudio index now; None when there is no device at all
    name: str
    hostapi: str = ""
    channels: int = 0
    default_samplerate: float = 0.0

    @property
    def is_default(self) -> bool:
        return self.key == DEFAULT_KEY


def load_sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio library into a readable error."""
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio shared library is missing
        from desktop.core.audio_source import AudioSourceError

        raise AudioSourceError(
            "Microphone support is unavailable: the PortAudio library could not be loaded "
            f"({exc}). On Linux install the package libportaudio2."
        ) from exc
    module: ModuleType = sounddevice
    return module


def stream_opened() -> None:
    global _open_streams
    with PORTAUDIO_LOCK:
        _open_streams += 1


def stream_closed() -> None:
    global _open_streams
    with PORTAUDIO_LOCK:
        _open_streams = max(0, _open_streams - 1)


def open_stream_count() -> int:
    return _open_streams


def refresh_devices(sd: Any = None) -> bool:
    """Re-scan devices by re-initialising PortAudio, if no stream is open; True if it did.

    Callers poll this every few seconds (the picker does, while visible). It may take tens of
    milliseconds with some host APIs, so the picker runs it on a worker thread.
    """
    sd = sd if sd is not None else load_sounddevice()
    with PORTAUDIO_LOCK:
        if _open_streams:
            return False
        try:
            sd._terminate()
            sd._initialize()
        except Exception as exc:  # PortAudioError; keep the old list rather than fail the UI
            log.warning("Could not re-scan audio devices: %s", exc)
            try:
                sd._initialize()
            except Exception:
                pass
            return False
    return True


def list_input_devices(sd: Any = None) -> list[InputDevice]:
    """System default first, then every device with inputs, in PortAudio's order."""
    sd = sd if sd is not None else load_sounddevice()
    with PORTAUDIO_LOCK:
        try:
            devices = list(sd.query_devices())
            hostapis = list(sd.query_hostapis())
            default_index = _default_input_index(sd)
        except Exception as exc:
            log.warning("Could not list audio devices: %s", exc)
            devices, hostapis, default_index = [], [], None
    inputs = [d for d in devices if int(d.get("max_input_channels", 0)) > 0]
    name_counts: dict[str, int] = {}
    for d in inputs:
        name_counts[d["name"]] = name_counts.get(d["name"], 0) + 1
    result: list[InputDevice] = []
    default_name = ""
    entries: list[InputDevice] = []
    for d in inputs:
        hostapi = _hostapi_name(hostapis, d.get("hostapi"))
        key = d["name"] if name_counts[d["name"]] == 1 or not hostapi else f"{d['name']} ({hostapi})"
        entry = InputDevice(
            key=key,
            label=key,
            index=int(d["index"]) if "index" in d else devices.index(d),
            name=d["name"],
            hostapi=hostapi,
            channels=int(d["max_input_channels"]),
            default_samplerate=float(d.get("default_samplerate") or 0.0),
        )
        if entry.index == default_index:
            default_name = entry.name
        entries.append(entry)
    # ALSA calls its routing device "default": "System default (default)" would say nothing.
    label = default_label(default_name) if entries else f"{DEFAULT_NAME} (no microphone found)"
    result.append(InputDevice(key=DEFAULT_KEY, label=label, index=default_index, name=default_name))
    result.extend(entries)
    return result


def resolve_input_device(sd: Any, device: str | int | None) -> InputDevice:
    """Find the device a key, index or None (default) refers to; raise if it is not there."""
    from desktop.core.audio_source import AudioSourceError

    devices = list_input_devices(sd)
    if device is None or device == DEFAULT_KEY:
        default = devices[0]
        if default.index is None:
            raise AudioSourceError(
                "No microphone was found. Connect one, or check that the app may use it "
                "(on macOS: System Settings → Privacy → Microphone)."
            )
        match = next((d for d in devices[1:] if d.index == default.index), None)
        return InputDevice(
            key=DEFAULT_KEY,
            label=default.label,
            index=default.index,
            name=default.name,
            hostapi=match.hostapi if match else "",
            channels=match.channels if match else 1,
            default_samplerate=match.default_samplerate if match else 0.0,
        )
    for d in devices[1:]:
        if (isinstance(device, int) and d.index == device) or d.key == device:
            return d
    if isinstance(device, str):  # a key remembered when the name was unique may now repeat
        same = [d for d in devices[1:] if d.name == device]
        if same:
            return same[0]
    raise AudioSourceError(
        f"The microphone “{device}” is not available. Check that it is connected, or choose another microphone."
    )


def _default_input_index(sd: Any) -> int | None:
    try:
        dev = sd.default.device
        idx = dev[0] if isinstance(dev, (list, tuple)) or hasattr(dev, "__getitem__") else dev
        if isinstance(idx, int) and idx >= 0:
            return idx
        info = sd.query_devices(kind="input")
        return int(info["index"])
    except Exception:  # PortAudioError: no default input device
        return None


def _hostapi_name(hostapis: list[dict[str, Any]], index: Any) -> str:
    try:
        return str(hostapis[int(index)]["name"])
    except (TypeError, ValueError, IndexError, KeyError):
        return ""
