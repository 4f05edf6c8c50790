"""The "Start Soniox Desktop when I log in" checkbox of Settings.

It shows what the system will really do at the next login (the entry may have been removed, or
turned off in GNOME's Startup Applications or Task Manager, since the app last looked), not just
what was last chosen here; saving makes the system match the box and remembers the choice in
``settings.start_at_login``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QWidget

from desktop.core.context import AppContext
from desktop.platform.autostart import AutostartError, LaunchCommand, LoginItem, launch_command, login_item

log = logging.getLogger(__name__)


class StartAtLoginCheck(QCheckBox):
    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        item: LoginItem | None = None,
        command: Callable[[], LaunchCommand] = launch_command,
    ) -> None:
        super().__init__("Start Soniox Desktop when I lo&g in", parent)
        self.context = context
        self.item = item or login_item()
        self._command = command
        self.setObjectName("startAtLoginCheck")
        self.setAccessibleName("Start Soniox Desktop when I log in")
        self.setToolTip("It starts hidden in the system tray; the tray icon brings the window back")
        self.setChecked(self.enabled_now())

    def enabled_now(self) -> bool:
        try:
            return self.item.is_enabled()
        except Exception:  # a login item that cannot be read is shown as off
            log.exception("Could not read the login item")
            return False

    def apply(self) -> str | None:
        """Make the system match the box; None when it does, else what went wrong (for the user)."""
        wanted = self.isChecked()
        try:
            if wanted != self.enabled_now():
                if wanted:
                    self.item.enable(self._command())
                else:
                    self.item.disable()
        except AutostartError as exc:
            log.warning("Start at login could not be changed: %s", exc)
            self.setChecked(self.enabled_now())
            self.context.settings.start_at_login = self.isChecked()
            return str(exc)
        self.context.settings.start_at_login = wanted
        return None
