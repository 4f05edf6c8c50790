"""Start at login: the XDG autostart entry for real (on disk, validated, launched by GLib's own
desktop-entry parser), the Windows Run key and macOS login items with the OS faked at the boundary
(winreg, ServiceManagement), and the command each installation starts."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from desktop.platform.autostart import AUTOSTART_FLAG, AutostartError, LaunchCommand, launch_command
from desktop.platform.autostart.macos import (
    APPROVAL_TEXT,
    ENABLED,
    NOT_REGISTERED,
    REQUIRES_APPROVAL,
    AppServiceLoginItem,
    LaunchAgentLoginItem,
    in_app_bundle,
    mac_login_item,
)
from desktop.platform.autostart.windows import APPROVED_KEY, RUN_KEY, RunKeyLoginItem, command_line, run_argv
from desktop.platform.autostart.xdg import XdgAutostart, autostart_dir, read_entry
from tests.paths import ROOT

# --------------------------------------------------------------------------------- Linux (XDG)


def test_the_entry_goes_to_xdg_config_home_and_is_a_valid_desktop_entry(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    item = XdgAutostart()
    assert item.path == tmp_path / "config" / "autostart" / "soniox-desktop.desktop"
    assert not item.is_enabled()
    item.enable(LaunchCommand(("/opt/Soniox Desktop/soniox-desktop", AUTOSTART_FLAG)))
    assert item.path.is_file() and item.is_enabled()
    values = read_entry(item.path.read_text(encoding="utf-8"))
    assert values["Type"] == "Application" and values["Name"] == "Soniox Desktop"
    assert values["Exec"] == '"/opt/Soniox Desktop/soniox-desktop" --autostart'
    assert values["X-GNOME-Autostart-enabled"] == "true" and "Path" not in values
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(item.path)], capture_output=True, text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    item.disable()
    assert not item.path.exists() and not item.is_enabled()
    item.disable()  # nothing left to remove: no error


def test_without_xdg_config_home_the_entry_is_under_dot_config() -> None:
    home = Path.home()
    assert autostart_dir({}) == home / ".config" / "autostart"
    assert autostart_dir({"XDG_CONFIG_HOME": "relative/dir"}) == home / ".config" / "autostart"  # spec: ignored
    assert autostart_dir({"XDG_CONFIG_HOME": "/x/cfg"}) == Path("/x/cfg/autostart")


def test_an_entry_turned_off_by_the_desktop_reads_as_off(tmp_path: Path) -> None:
    item = XdgAutostart(tmp_path)
    item.enable(LaunchCommand(("soniox-desktop", AUTOSTART_FLAG)))
    text = item.path.read_text(encoding="utf-8")
    item.path.write_text(text.replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"))
    assert not item.is_enabled()  # GNOME's Startup Applications switch
    item.path.write_text(text + "Hidden=true\n")
    assert not item.is_enabled()
    item.enable(LaunchCommand(("soniox-desktop", AUTOSTART_FLAG)))  # turning it on again rewrites it
    assert item.is_enabled()


def test_a_read_only_folder_is_said_in_words(tmp_path: Path) -> None:
    blocker = tmp_path / "autostart"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(AutostartError, match="Could not write the login entry"):
        XdgAutostart(blocker).enable(LaunchCommand(("soniox-desktop",)))


@pytest.mark.skipif(not shutil.which("gio"), reason="needs gio (libglib2.0-bin) to launch a desktop entry")
def test_glib_launches_exactly_the_program_arguments_and_folder_written(tmp_path: Path) -> None:
    folder = tmp_path / "odd $folder (1)"
    folder.mkdir()
    script = folder / "record args.py"
    out = tmp_path / "launched.json"
    script.write_text(
        "import json, os, sys\n"
        f"open({str(out)!r}, 'w').write(json.dumps({{'argv': sys.argv[1:], 'cwd': os.getcwd()}}))\n"
    )
    item = XdgAutostart(tmp_path / "autostart")
    args = ('say "hi" `now`', "50% \\ done", r"\\server\share", AUTOSTART_FLAG)
    item.enable(LaunchCommand((sys.executable, str(script), *args), cwd=folder))
    subprocess.run(["gio", "launch", str(item.path)], check=True, timeout=30, capture_output=True)
    deadline = time.monotonic() + 10
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    launched = json.loads(out.read_text())
    assert launched == {"argv": list(args), "cwd": str(folder)}


# ------------------------------------------------------------------------- what gets started


def test_a_bundle_starts_itself_and_a_pip_install_its_launcher(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("APPIMAGE", raising=False)
    assert launch_command(executable="/opt/soniox/soniox-desktop", frozen=True) == LaunchCommand(
        ("/opt/soniox/soniox-desktop", AUTOSTART_FLAG)
    )
    assert launch_command(executable="/tmp/.mount_x1/soniox-desktop", frozen=True) == LaunchCommand(
        ("/tmp/.mount_x1/soniox-desktop", AUTOSTART_FLAG)
    )
    monkeypatch.setenv("APPIMAGE", "/home/me/Apps/Soniox_Desktop.AppImage")
    assert launch_command(executable="/tmp/.mount_x1/soniox-desktop", frozen=True) == LaunchCommand(
        ("/home/me/Apps/Soniox_Desktop.AppImage", AUTOSTART_FLAG)
    )
    monkeypatch.delenv("APPIMAGE")
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "soniox-desktop").write_text("#!launcher")
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "desktop"
    installed = launch_command(executable=str(venv_bin / "python"), frozen=False, package_dir=site)
    assert installed == LaunchCommand((str(venv_bin / "soniox-desktop"), AUTOSTART_FLAG))


def test_from_source_the_command_really_starts_this_source_tree(tmp_path: Path) -> None:
    command = launch_command()
    assert command.argv == (sys.executable, "-m", "desktop", AUTOSTART_FLAG)
    assert command.cwd == ROOT
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ran = subprocess.run(
        [*command.argv[:-1], "--version"], cwd=command.cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0 and ran.stdout.startswith("soniox-desktop "), ran.stderr


# ----------------------------------------------------------------------- Windows (faked winreg)


class FakeKey:
    def __init__(self, registry: FakeWinreg, path: str) -> None:
        self.registry, self.path = registry, path

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeWinreg:
    """The few winreg calls the Run key needs, over a dict; errors as winreg raises them."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_READ = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1
    REG_BINARY = 3

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[Any, int]]] = {}
        self.denied = False

    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> FakeKey:  # noqa: N802
        if self.denied:
            raise PermissionError(5, "Access is denied")
        self.keys.setdefault(f"{root}\\{path}", {})
        return FakeKey(self, f"{root}\\{path}")

    def OpenKey(self, root: str, path: str, reserved: int = 0, access: int = 1) -> FakeKey:  # noqa: N802
        if f"{root}\\{path}" not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return FakeKey(self, f"{root}\\{path}")

    def SetValueEx(self, key: FakeKey, name: str, reserved: int, kind: int, value: Any) -> None:  # noqa: N802
        self.keys[key.path][name] = (value, kind)

    def QueryValueEx(self, key: FakeKey, name: str) -> tuple[Any, int]:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self.keys[key.path][name]

    def DeleteValue(self, key: FakeKey, name: str) -> None:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del self.keys[key.path][name]


def test_windows_writes_and_removes_the_run_value(tmp_path: Path) -> None:
    reg = FakeWinreg()
    item = RunKeyLoginItem(reg)
    assert not item.is_enabled()
    item.disable()  # no key yet: nothing to do
    item.enable(LaunchCommand((r"C:\Program Files\Soniox Desktop\soniox-desktop.exe", AUTOSTART_FLAG)))
    assert reg.keys[f"HKCU\\{RUN_KEY}"]["Soniox Desktop"] == (
        r'"C:\Program Files\Soniox Desktop\soniox-desktop.exe" --autostart',
        reg.REG_SZ,
    )
    assert item.is_enabled()
    item.disable()
    assert "Soniox Desktop" not in reg.keys[f"HKCU\\{RUN_KEY}"] and not item.is_enabled()


def test_windows_honours_and_clears_task_managers_off_switch() -> None:
    reg = FakeWinreg()
    item = RunKeyLoginItem(reg)
    item.enable(LaunchCommand(("soniox-desktop.exe", AUTOSTART_FLAG)))
    reg.keys[f"HKCU\\{APPROVED_KEY}"] = {"Soniox Desktop": (b"\x03" + bytes(11), reg.REG_BINARY)}
    assert not item.is_enabled()  # turned off in Task Manager > Startup apps
    item.enable(LaunchCommand(("soniox-desktop.exe", AUTOSTART_FLAG)))
    assert item.is_enabled() and "Soniox Desktop" not in reg.keys[f"HKCU\\{APPROVED_KEY}"]
    reg.keys[f"HKCU\\{APPROVED_KEY}"]["Soniox Desktop"] = (b"\x02" + bytes(11), reg.REG_BINARY)
    assert item.is_enabled()  # marked on


def test_windows_refusal_is_said_in_words() -> None:
    reg = FakeWinreg()
    reg.denied = True
    with pytest.raises(AutostartError, match="Settings > Apps > Startup"):
        RunKeyLoginItem(reg).enable(LaunchCommand(("soniox-desktop.exe",)))


def test_windows_from_source_runs_desktop_whatever_the_working_folder(tmp_path: Path) -> None:
    command = LaunchCommand((sys.executable, "-m", "desktop", AUTOSTART_FLAG), cwd=ROOT)
    argv = run_argv(command)
    assert argv[1] == "-c" and argv[-1] == AUTOSTART_FLAG
    assert command_line(command).startswith(sys.executable)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ran = subprocess.run(
        [*argv[:-1], "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )  # from elsewhere: the Run value has no working folder
    assert ran.returncode == 0 and ran.stdout.startswith("soniox-desktop "), ran.stderr


# -------------------------------------------------------------------------------------- macOS


class FakeService:
    def __init__(self, after_register: int = ENABLED) -> None:
        self.state = NOT_REGISTERED
        self.after_register = after_register

    def status(self) -> int:
        return self.state

    def registerAndReturnError_(self, _error: None) -> tuple[bool, None]:  # noqa: N802
        self.state = self.after_register
        return True, None

    def unregisterAndReturnError_(self, _error: None) -> tuple[bool, None]:  # noqa: N802
        self.state = NOT_REGISTERED
        return True, None


def _service_management(service: FakeService) -> SimpleNamespace:
    opened: list[int] = []
    sm_class = SimpleNamespace(
        mainAppService=lambda: service, openSystemSettingsLoginItems=lambda: opened.append(1), opened=opened
    )
    return SimpleNamespace(SMAppService=sm_class)


def test_macos_13_registers_the_bundle_with_smappservice() -> None:
    service = FakeService()
    item = mac_login_item(macos_version="14.5", bundled=True, service_management=_service_management(service))
    assert isinstance(item, AppServiceLoginItem)
    assert not item.is_enabled()
    item.enable(LaunchCommand(("ignored",)))
    assert service.state == ENABLED and item.is_enabled()
    item.disable()
    assert service.state == NOT_REGISTERED and not item.is_enabled()


def test_macos_approval_needed_is_said_and_opens_login_items() -> None:
    sm = _service_management(FakeService(after_register=REQUIRES_APPROVAL))
    item = mac_login_item(macos_version="13.0", bundled=True, service_management=sm)
    with pytest.raises(AutostartError) as raised:
        item.enable(LaunchCommand(("ignored",)))
    assert str(raised.value) == APPROVAL_TEXT and sm.SMAppService.opened == [1]
    assert not item.is_enabled()


def test_macos_from_source_or_before_13_uses_a_launch_agent(tmp_path: Path) -> None:
    sm = _service_management(FakeService())
    assert isinstance(mac_login_item(macos_version="12.7", bundled=True, service_management=sm), LaunchAgentLoginItem)
    assert isinstance(mac_login_item(macos_version="14.0", bundled=False, service_management=sm), LaunchAgentLoginItem)
    assert in_app_bundle("/Applications/Soniox Desktop.app/Contents/MacOS/soniox-desktop")
    assert not in_app_bundle("/usr/local/bin/python3")
    agent = LaunchAgentLoginItem(tmp_path / "LaunchAgents")
    assert not agent.is_enabled()
    agent.enable(LaunchCommand(("/usr/bin/python3", "-m", "desktop", AUTOSTART_FLAG), cwd=Path("/src/soniox")))
    plist = plistlib.loads((tmp_path / "LaunchAgents" / "com.soniox.desktop.plist").read_bytes())
    assert plist == {
        "Label": "com.soniox.desktop",
        "ProgramArguments": ["/usr/bin/python3", "-m", "desktop", AUTOSTART_FLAG],
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "WorkingDirectory": "/src/soniox",
    }
    assert agent.is_enabled()
    agent.disable()
    assert not agent.is_enabled() and not agent.path.exists()
