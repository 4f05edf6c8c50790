"""Start the app when the user logs in: one interface, one login-item mechanism per system.

* Linux (and other XDG desktops): an autostart entry, ``$XDG_CONFIG_HOME/autostart/soniox-desktop.desktop``
  (:mod:`.xdg`), which GNOME, KDE, Xfce, Cinnamon and the others read at login.
* Windows: a value under the per-user Run key, ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``
  (:mod:`.windows`); no administrator rights needed, and Task Manager's Startup tab shows it.
* macOS: the app itself as a login item through ``SMAppService.mainAppService`` on macOS 13 and
  later when running as the app bundle, else a LaunchAgent in ``~/Library/LaunchAgents`` (:mod:`.macos`).

What to start is worked out once here (:func:`launch_command`): the installed app when it is one
(a frozen bundle, or the ``soniox-desktop`` script of a pip install), ``python -m desktop`` in the
source folder when run from source, always with ``--autostart`` so it starts hidden in the tray.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

AUTOSTART_FLAG = "--autostart"


class AutostartError(Exception):
    """The login item could not be changed; the message says why and what to do, for the user."""


@dataclass(frozen=True)
class LaunchCommand:
    """The program and arguments to start at login, and the folder to start it in (if it matters)."""

    argv: tuple[str, ...]
    cwd: Path | None = None


class LoginItem(Protocol):
    def enable(self, command: LaunchCommand) -> None:
        """Start ``command`` at every login from now on (replacing an older entry of this app)."""

    def disable(self) -> None:
        """Start nothing at login any more (no error when nothing was set up)."""

    def is_enabled(self) -> bool:
        """Whether the system will start the app at the next login (as the OS sees it now)."""


def launch_command(
    *,
    executable: str | None = None,
    frozen: bool | None = None,
    package_dir: Path | None = None,
) -> LaunchCommand:
    """How to start this very installation of the app, hidden in the tray.

    The parameters default to this process (they exist so each case can be tested).
    """
    executable = executable or sys.executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    if frozen:  # a PyInstaller bundle: its executable is the app
        # ...unless it runs from an AppImage, whose mount point changes every run: start the image.
        appimage = os.environ.get("APPIMAGE")
        return LaunchCommand((appimage or executable, AUTOSTART_FLAG))
    if package_dir is None:
        import desktop

        package_dir = Path(desktop.__file__).resolve().parent
    if "site-packages" in package_dir.parts or "dist-packages" in package_dir.parts:
        script = _installed_script(Path(executable))
        if script is not None:
            return LaunchCommand((str(script), AUTOSTART_FLAG))
        return LaunchCommand((_windowless(executable), "-m", "desktop", AUTOSTART_FLAG))
    # From a source folder: that folder must be the working directory for ``-m desktop``.
    return LaunchCommand((_windowless(executable), "-m", "desktop", AUTOSTART_FLAG), cwd=package_dir.parent)


def _installed_script(python: Path) -> Path | None:
    """The ``soniox-desktop`` launcher pip put next to this Python, if it is there."""
    for name in ("soniox-desktop", "soniox-desktop.exe"):
        candidate = python.parent / name
        if candidate.is_file():
            return candidate
    return None


def _windowless(executable: str) -> str:
    """On Windows ``pythonw.exe`` (no console window at login) when it is next to ``python.exe``."""
    path = Path(executable)
    if path.name.lower() == "python.exe":
        quiet = path.with_name("pythonw.exe")
        if quiet.is_file():
            return str(quiet)
    return executable


def login_item() -> LoginItem:
    """This system's login-item mechanism."""
    if sys.platform == "win32":
        from desktop.platform.autostart.windows import RunKeyLoginItem

        return RunKeyLoginItem()
    if sys.platform == "darwin":
        from desktop.platform.autostart.macos import mac_login_item

        return mac_login_item()
    from desktop.platform.autostart.xdg import XdgAutostart

    return XdgAutostart()
