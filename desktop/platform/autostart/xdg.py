"""The XDG autostart entry: ``$XDG_CONFIG_HOME/autostart/soniox-desktop.desktop``.

Every XDG desktop (GNOME, KDE Plasma, Xfce, Cinnamon, MATE, LXQt) starts the entries in that
folder at login. The entry is a desktop entry whose ``Exec`` follows the Desktop Entry
Specification's quoting (reserved characters quoted, ``"`$\\`` escaped, then the value's own
``\\`` escaping, ``%`` doubled), so a path with spaces or a dollar sign still starts the right
program. ``X-GNOME-Autostart-enabled`` is written for GNOME's "Startup Applications", which
turns an entry off by setting it to false rather than deleting it; ``Hidden=true`` means the
same everywhere. Both are honoured when reading the state back.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from desktop import APP_ID, APP_NAME
from desktop.core.atomic_file import write_text_atomically
from desktop.platform.autostart import AutostartError, LaunchCommand

ENTRY_NAME = f"{APP_ID}.desktop"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def autostart_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    config = env.get("XDG_CONFIG_HOME") or ""
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "autostart"


def quote_exec_argument(arg: str) -> str:
    """One ``Exec`` argument as the Desktop Entry Specification wants it, before value escaping."""
    arg = arg.replace("%", "%%")
    if not arg or any(c in _RESERVED for c in arg):
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'
    return arg


def escape_value(text: str) -> str:
    """A desktop entry string value: backslash, newline, tab and carriage return escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def entry_text(command: LaunchCommand) -> str:
    exec_line = " ".join(quote_exec_argument(a) for a in command.argv)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={APP_NAME}",
        "Comment=Start Soniox Desktop in the system tray when you log in",
        f"Exec={escape_value(exec_line)}",
    ]
    if command.cwd is not None:
        lines.append(f"Path={escape_value(str(command.cwd))}")
    lines += [
        f"Icon={APP_ID}",
        "Terminal=false",
        f"StartupWMClass={APP_ID}",
        "X-GNOME-Autostart-enabled=true",
    ]
    return "\n".join(lines) + "\n"


def read_entry(text: str) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group (values as written, not unescaped)."""
    values: dict[str, str] = {}
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1]
            continue
        if group == "Desktop Entry" and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


class XdgAutostart:
    """A :class:`~desktop.platform.autostart.LoginItem` through the XDG autostart folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or autostart_dir()
        self.path = self.folder / ENTRY_NAME

    def enable(self, command: LaunchCommand) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text_atomically(self.path, entry_text(command))
        except OSError as exc:
            raise AutostartError(
                f"Could not write the login entry {self.path}: {exc.strerror or exc}. "
                f"Check that you can write to {self.folder}."
            ) from exc

    def disable(self) -> None:
        try:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        except OSError as exc:
            raise AutostartError(
                f"Could not remove the login entry {self.path}: {exc.strerror or exc}. Delete that file to stop it."
            ) from exc

    def is_enabled(self) -> bool:
        try:
            values = read_entry(self.path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return False
        if values.get("Hidden", "").lower() == "true":
            return False
        if values.get("X-GNOME-Autostart-enabled", "").lower() == "false":
            return False
        return bool(values.get("Exec"))
