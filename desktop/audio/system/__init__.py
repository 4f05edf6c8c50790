"""System audio: what the computer is playing, as a live source (the other side of a meeting).

One small interface over three OS mechanisms, each imported only on its own system:

* Linux: the monitor source of a PulseAudio / PipeWire-pulse sink (:mod:`.pulse`);
* Windows: a WASAPI loopback capture of a render endpoint (:mod:`.wasapi`);
* macOS 14.2+: a Core Audio process tap (:mod:`.coretap`), after the user allowed
  "System Audio Recording Only".

``open_system_audio(None)`` follows the default output, also when it changes mid-session.
"""

from __future__ import annotations

import sys
from typing import Any

from desktop.audio.system.backend import LoopbackBackend, OutputDevice, SystemAudioSupport
from desktop.core.audio_source import AudioSource, AudioSourceError

__all__ = ["OutputDevice", "SystemAudioSupport", "list_outputs", "open_system_audio", "system_audio_support"]


def _backend_factory() -> type[LoopbackBackend]:
    if sys.platform.startswith("linux"):
        from desktop.audio.system.pulse import PulseBackend

        return PulseBackend
    if sys.platform == "win32":
        from desktop.audio.system.wasapi import WasapiBackend

        return WasapiBackend
    if sys.platform == "darwin":
        from desktop.audio.system.coretap import CoreAudioTapBackend

        return CoreAudioTapBackend
    raise AudioSourceError(f"System audio capture is not supported on this system ({sys.platform}).")


def list_outputs() -> list[OutputDevice]:
    """The outputs whose sound can be captured, the default marked (blocking: call off the UI thread)."""
    backend = _backend_factory()()
    try:
        with backend.thread_scope():
            return backend.outputs()
    finally:
        backend.close()


def open_system_audio(output_id: str | None = None, **kw: Any) -> AudioSource:
    """A source of what ``output_id`` plays (None: the default output, followed when it changes).

    16 kHz mono s16le chunks of ~100 ms; ``start()`` raises and ``chunks()`` ends with
    :class:`AudioSourceError` in words when the output is unavailable or goes away. Keyword
    arguments go to :class:`~desktop.audio.system.capture.SystemAudioCapture` (``consume``,
    ``stall_timeout``, ``backend_factory``...).
    """
    from desktop.audio.system.capture import SystemAudioCapture

    factory = kw.pop("backend_factory", None) or _backend_factory()
    return SystemAudioCapture(factory, output_id, **kw)


def system_audio_support() -> SystemAudioSupport:
    """Whether system audio can be captured here, and what the user must do if not."""
    if sys.platform.startswith("linux"):
        from desktop.audio.system import pulse

        return pulse.support()
    if sys.platform == "win32":
        from desktop.audio.system import wasapi

        return wasapi.support()
    if sys.platform == "darwin":
        from desktop.audio.system import coretap

        return coretap.support()
    return SystemAudioSupport(False, f"System audio capture is not supported on this system ({sys.platform}).")
