"""macOS login items: ``SMAppService.mainAppService`` (macOS 13+, the app bundle), else a LaunchAgent.

``SMAppService`` registers the app bundle itself; macOS lists it under System Settings > General >
Login Items, where the user can turn it off, and may ask the user to approve it first
("requires approval"), which is said in words rather than shown as on. A plain ``python -m
desktop`` (from source) or an older macOS gets a LaunchAgent,
``~/Library/LaunchAgents/com.soniox.desktop.plist`` with ``RunAtLoad``, which launchd runs at login.
"""

from __future__ import annotations

import contextlib
import platform
import plistlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from desktop.core.atomic_file import write_text_atomically
from desktop.platform.autostart import AutostartError, LaunchCommand, LoginItem

LABEL = "com.soniox.desktop"

# SMAppServiceStatus
NOT_REGISTERED = 0
ENABLED = 1
REQUIRES_APPROVAL = 2
NOT_FOUND = 3

APPROVAL_TEXT = (
    "macOS needs your approval to start Soniox Desktop at login: open System Settings > General > "
    "Login Items and turn Soniox Desktop on."
)


class AppServiceLoginItem:
    """The app bundle as a login item through ServiceManagement's ``SMAppService`` (pyobjc)."""

    def __init__(self, service_management: ModuleType | Any) -> None:
        self.sm = service_management

    def _service(self) -> Any:
        return self.sm.SMAppService.mainAppService()

    def enable(self, command: LaunchCommand) -> None:  # the bundle starts itself: no command needed
        service = self._service()
        if service.status() == ENABLED:
            return
        ok, error = service.registerAndReturnError_(None)
        status = service.status()
        if status == REQUIRES_APPROVAL:
            with contextlib.suppress(Exception):
                self.sm.SMAppService.openSystemSettingsLoginItems()
            raise AutostartError(APPROVAL_TEXT)
        if not ok or status != ENABLED:
            detail = error.localizedDescription() if error is not None else f"status {status}"
            raise AutostartError(
                f"macOS did not add Soniox Desktop to the login items ({detail}). "
                "Add it in System Settings > General > Login Items."
            )

    def disable(self) -> None:
        service = self._service()
        if service.status() in (NOT_REGISTERED, NOT_FOUND):
            return
        ok, error = service.unregisterAndReturnError_(None)
        if not ok:
            detail = error.localizedDescription() if error is not None else "unknown reason"
            raise AutostartError(
                f"macOS did not remove Soniox Desktop from the login items ({detail}). "
                "Remove it in System Settings > General > Login Items."
            )

    def is_enabled(self) -> bool:
        return bool(self._service().status() == ENABLED)


class LaunchAgentLoginItem:
    """A per-user LaunchAgent that launchd runs once at login (``RunAtLoad``)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or Path.home() / "Library" / "LaunchAgents"
        self.path = self.folder / f"{LABEL}.plist"

    def enable(self, command: LaunchCommand) -> None:
        agent: dict[str, Any] = {
            "Label": LABEL,
            "ProgramArguments": list(command.argv),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        if command.cwd is not None:
            agent["WorkingDirectory"] = str(command.cwd)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_text_atomically(self.path, plistlib.dumps(agent).decode("utf-8"))
        except OSError as exc:
            raise AutostartError(
                f"Could not write the login agent {self.path}: {exc.strerror or exc}. "
                f"Check that you can write to {self.folder}."
            ) from exc

    def disable(self) -> None:
        try:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        except OSError as exc:
            raise AutostartError(f"Could not remove the login agent {self.path}: {exc.strerror or exc}.") from exc

    def is_enabled(self) -> bool:
        try:
            agent = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(agent.get("RunAtLoad")) and not agent.get("Disabled", False) and bool(agent.get("ProgramArguments"))


def in_app_bundle(executable: str | None = None) -> bool:
    """Running as ``Soniox Desktop.app/Contents/MacOS/...`` (what SMAppService registers)."""
    parts = Path(executable or sys.executable).resolve().parts
    return len(parts) >= 4 and parts[-2] == "MacOS" and parts[-3] == "Contents" and parts[-4].endswith(".app")


def mac_login_item(
    *,
    macos_version: str | None = None,
    bundled: bool | None = None,
    service_management: ModuleType | Any | None = None,
) -> LoginItem:
    """SMAppService for the app bundle on macOS 13+, a LaunchAgent otherwise."""
    version = macos_version if macos_version is not None else platform.mac_ver()[0]
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    bundled = in_app_bundle() if bundled is None else bundled
    if major >= 13 and bundled:
        if service_management is None:
            try:
                import ServiceManagement as service_management  # type: ignore[import-not-found, no-redef, unused-ignore]
            except ImportError:
                service_management = None
        if service_management is not None and hasattr(service_management, "SMAppService"):
            return AppServiceLoginItem(service_management)
    return LaunchAgentLoginItem()
