"""What ``--self-test`` checks of the desktop integration in a frozen bundle.

Every backend here is imported lazily and by platform, and some libraries find their own files
at run time (soundcard reads its cffi declarations from ``*.py.h`` files next to its modules,
livekit loads a 28 MB native library from a package folder). PyInstaller cannot see either, and a
bundle that lost one still starts: the fault would only show when a user picks "System audio",
starts a meeting or presses the dictation hotkey. So the self-test asks for each piece here,
without opening a device, a display or a D-Bus connection (none exist on a build machine).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

#: Modules each system's backends import (by name, lazily) that the bundle must carry.
_MODULES: dict[str, tuple[str, ...]] = {
    "linux": (
        "soundcard",
        "pulsectl",
        "pynput.keyboard._xorg",
        "Xlib.display",
        "dbus_fast.aio",
        "desktop_notifier.backends.dbus",
    ),
    "win32": ("soundcard", "pynput.keyboard._win32", "desktop_notifier.backends.winrt"),
    "darwin": ("soundcard", "pynput.keyboard._darwin", "desktop_notifier.backends.macos"),
}

#: Files a library opens itself, by package: ``(package, file name)``.
_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "linux": (("soundcard", "pulseaudio.py.h"),),
    "win32": (("soundcard", "mediafoundation.py.h"),),
    "darwin": (("soundcard", "coreaudio.py.h"),),
}


def _platform_key() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def bundle_problems() -> list[str]:
    """What is missing for this system's integration; empty when everything is there."""
    key = _platform_key()
    problems: list[str] = []
    for name in _MODULES.get(key, ()):
        if not _has_module(name):
            problems.append(f"module {name} is not in the bundle")
    for package, filename in _FILES.get(key, ()):
        # Not importlib.resources.files: that imports the package, and soundcard connects to
        # the sound server at import.
        try:
            spec = importlib.util.find_spec(package)
        except ImportError:
            spec = None
        folders = list(spec.submodule_search_locations or ()) if spec is not None else []
        if not any((Path(folder) / filename).is_file() for folder in folders):
            problems.append(f"{package}/{filename} is not in the bundle")
    problems.extend(_echo_canceller_problems())
    return problems


def _has_module(name: str) -> bool:
    """Whether ``name`` can be found, without importing its parents (pynput's package imports
    its X11 backend, which needs a display; soundcard's connects to the sound server)."""
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except ImportError:
        return False
    if spec is None or not rest:
        return spec is not None
    folders = [str(Path(folder, *rest[:-1])) for folder in spec.submodule_search_locations or ()]
    return importlib.machinery.PathFinder.find_spec(name, folders) is not None


def _echo_canceller_problems() -> list[str]:
    """Load livekit's native library and run one 10 ms frame through AEC3."""
    try:
        from livekit import rtc

        apm = rtc.AudioProcessingModule(echo_cancellation=True)
        silence = bytes(320)
        apm.process_reverse_stream(rtc.AudioFrame(silence, 16000, 1, 160))
        apm.process_stream(rtc.AudioFrame(silence, 16000, 1, 160))
    except Exception as exc:  # any failure here means meetings lose echo cancelling
        return [f"echo cancellation (livekit) does not load: {type(exc).__name__}: {exc}"]
    return []
