"""Windows: system audio is a WASAPI loopback capture of a render endpoint, through soundcard.

soundcard opens a shared-mode client with the loopback flag on the speaker's endpoint
(``get_microphone(<speaker id>, include_loopback=True)``) and asks WASAPI to convert to the
rate and channels we want, so 48 kHz stereo is requested whatever the mix format; WASAPI
delivers nothing while nothing plays, which soundcard turns into silence of the right length.

COM must be initialised on every thread that touches it. soundcard initialises it only on the
thread that first imports it (and Qt has already made the GUI thread single-threaded), so the
reader thread joins the multithreaded apartment itself for as long as it runs (:func:`com_scope`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from desktop.audio.system.backend import OutputDevice, RecorderStream, SystemAudioSupport, soundcard_outputs
from desktop.core.audio_source import AudioSourceError

log = logging.getLogger(__name__)

#: The rate asked of WASAPI (it converts from the mix format; 48 kHz is the usual one).
RATE = 48000
COINIT_MULTITHREADED = 0x0
RPC_E_CHANGED_MODE = 0x80010106
#: IAudioClient errors that mean "the endpoint went away" (unplugged, disabled, driver reset).
DEVICE_GONE = ("0x88890004", "0x88890026")  # AUDCLNT_E_DEVICE_INVALIDATED, AUDCLNT_E_RESOURCES_INVALIDATED


def _ole32() -> Any:
    import ctypes

    return ctypes.windll.ole32  # type: ignore[attr-defined]


@contextlib.contextmanager
def com_scope(ole32: Any = None) -> Iterator[None]:
    """This thread in COM's multithreaded apartment while the block runs."""
    ole32 = ole32 if ole32 is not None else _ole32()
    hr = ole32.CoInitializeEx(None, COINIT_MULTITHREADED) & 0xFFFFFFFF
    joined = hr in (0, 1)  # S_OK, S_FALSE (already initialised): both need CoUninitialize
    if not joined and hr != RPC_E_CHANGED_MODE:
        raise AudioSourceError(f"System audio is unavailable: Windows audio could not start (COM error 0x{hr:08x}).")
    try:
        yield
    finally:
        if joined:
            ole32.CoUninitialize()


class WasapiBackend:
    """Render endpoints and their loopback captures (one reader thread)."""

    follows_default = False

    def __init__(self, *, soundcard_module: Any = None, ole32: Any = None) -> None:
        self._sc = soundcard_module
        self._ole32 = ole32

    def thread_scope(self) -> contextlib.AbstractContextManager[None]:
        return com_scope(self._ole32)

    def _soundcard(self) -> Any:
        if self._sc is None:
            try:
                import soundcard
            except Exception as exc:
                message = f"System audio is unavailable: Windows audio could not be loaded ({exc})."
                raise AudioSourceError(message) from exc
            self._sc = soundcard
        return self._sc

    def outputs(self) -> list[OutputDevice]:
        return soundcard_outputs(self._soundcard())

    def open(self, output: OutputDevice | None) -> RecorderStream:
        assert output is not None, "WASAPI captures one endpoint at a time"
        sc = self._soundcard()
        try:
            loopback = sc.get_microphone(output.id, include_loopback=True)
            return RecorderStream.open(loopback, RATE, loopback.channels)
        except IndexError as exc:  # soundcard: "no device with id ..."
            raise AudioSourceError(
                f"The output “{output.name}” is not available. Check that it is connected, or choose another output."
            ) from exc
        except Exception as exc:
            raise AudioSourceError(
                f"Could not capture the sound of “{output.name}” ({exc}). Check that it is enabled in the "
                "Windows sound settings, then try again."
            ) from exc

    def describe_failure(self, exc: BaseException, output: OutputDevice) -> str:
        if any(code in str(exc).lower() for code in DEVICE_GONE):
            return (
                f"The output “{output.name}” was disconnected or disabled, so its sound can no longer "
                "be captured. Choose another output for the next session."
            )
        return f"System audio from “{output.name}” stopped ({exc}). Check the Windows sound settings, then start again."

    def close(self) -> None:
        pass


def support() -> SystemAudioSupport:
    return SystemAudioSupport(
        True,
        "System audio is captured from the chosen output with Windows' loopback recording; no permission is needed.",
    )
