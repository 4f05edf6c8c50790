"""The per-user Run key: ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

Windows starts every value of that key at login; writing it needs no administrator rights, and
Task Manager's Startup tab lists it. Task Manager does not delete a value it turns off: it marks
it off under ``...\\Explorer\\StartupApproved\\Run`` (first byte odd = off). That mark is read as
"not enabled", and turning the app on again here removes it, as turning it on in Task Manager does.

From a source folder (no installed launcher) the command runs ``desktop`` with the source folder
put first on ``sys.path``, since a Run value has no working directory of its own.
"""

from __future__ import annotations

import subprocess
from types import ModuleType
from typing import Any

from desktop import APP_NAME
from desktop.platform.autostart import AutostartError, LaunchCommand

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
VALUE_NAME = APP_NAME


def command_line(command: LaunchCommand) -> str:
    """The Run value: one command line, quoted the way Windows programs parse their arguments."""
    return subprocess.list2cmdline(run_argv(command))


def run_argv(command: LaunchCommand) -> list[str]:
    """The arguments the Run value starts (a source-folder start made independent of the cwd)."""
    argv = list(command.argv)
    if command.cwd is not None and argv[1:3] == ["-m", "desktop"]:
        source = str(command.cwd)
        bootstrap = (
            f"import runpy,sys;sys.path.insert(0,{source!r});sys.argv[0]='desktop';"
            "runpy.run_module('desktop',run_name='__main__',alter_sys=True)"
        )
        argv = [argv[0], "-c", bootstrap, *argv[3:]]
    return argv


class RunKeyLoginItem:
    """A :class:`~desktop.platform.autostart.LoginItem` through the per-user Run key."""

    def __init__(self, registry: ModuleType | Any | None = None) -> None:
        if registry is None:
            import winreg as registry  # type: ignore[no-redef, unused-ignore]  # Windows only
        self.reg: Any = registry

    def enable(self, command: LaunchCommand) -> None:
        reg = self.reg
        try:
            with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.SetValueEx(key, VALUE_NAME, 0, reg.REG_SZ, command_line(command))
        except OSError as exc:
            raise AutostartError(
                f"Windows did not let the app add itself to the programs started at login ({exc}). "
                "Add it in Settings > Apps > Startup instead."
            ) from exc
        if self._turned_off_in_task_manager():
            try:
                with reg.OpenKey(reg.HKEY_CURRENT_USER, APPROVED_KEY, 0, reg.KEY_SET_VALUE) as key:
                    reg.DeleteValue(key, VALUE_NAME)
            except OSError as exc:
                raise AutostartError(
                    "Soniox Desktop is turned off in Task Manager's Startup tab and could not turn itself "
                    f"back on ({exc}). Turn it on there (Task Manager > Startup apps)."
                ) from exc

    def disable(self) -> None:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, VALUE_NAME)
        except FileNotFoundError:
            return  # nothing to remove
        except OSError as exc:
            raise AutostartError(
                f"Windows did not let the app remove itself from the programs started at login ({exc}). "
                "Turn it off in Task Manager > Startup apps."
            ) from exc

    def is_enabled(self) -> bool:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_READ) as key:
                value, _kind = reg.QueryValueEx(key, VALUE_NAME)
        except OSError:
            return False
        return bool(value) and not self._turned_off_in_task_manager()

    def _turned_off_in_task_manager(self) -> bool:
        reg = self.reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, APPROVED_KEY, 0, reg.KEY_READ) as key:
                data, _kind = reg.QueryValueEx(key, VALUE_NAME)
        except OSError:
            return False
        return isinstance(data, (bytes, bytearray)) and len(data) > 0 and bool(data[0] & 1)
