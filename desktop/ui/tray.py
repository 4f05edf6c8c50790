"""The app's place in the system tray (Windows, Linux) or menu bar (macOS).

The icon says the live state at a glance (idle, listening, error: a microphone, a red dot, a
warning) and its menu reaches what a user wants without the window: start or stop a live
session, live captions, the window itself, Settings and Quit. Clicking the icon shows the window.
While the window is hidden, what the jobs panel would say (a job finished or failed) comes as a
notification from the tray.

Closing the window while the tray is there asks once whether to keep running in the tray (so
captions and live sessions go on) or to quit, and remembers the answer in settings
(``ui_state["close_to_tray"]``: "yes"/"no"). Without a tray (a desktop without one, or the
offscreen platform) nothing changes: closing the window quits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QColor, QIcon
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon, QWidget

from desktop.core.context import AppContext
from desktop.core.live.state import LiveState
from desktop.ui import icons

log = logging.getLogger(__name__)

CLOSE_TO_TRAY_KEY = "close_to_tray"

_STATE_ICONS: dict[str, tuple[str, str]] = {
    "idle": ("mic", "#6b7280"),
    "listening": ("record", "#dc2626"),
    "error": ("alert", "#d97706"),
}


def state_of(live: LiveState) -> str:
    """Which of the tray's three looks a live state takes."""
    if live is LiveState.ERROR:
        return "error"
    if live.is_active:
        return "listening"
    return "idle"


def tray_icon(state: str) -> QIcon:
    name, color = _STATE_ICONS[state]
    result = QIcon()
    for size in (16, 22, 32, 64):
        result.addPixmap(icons.render(name, size, QColor(color)))
    return result


class AppTray(QObject):
    """Tray icon and menu for ``window`` (a MainWindow: its actions are shared, not copied)."""

    state_changed = Signal(str)

    def __init__(
        self,
        context: AppContext,
        window: QWidget,
        *,
        start_stop: Callable[[], None],
        actions: dict[str, QAction],
        available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
    ) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self._start_stop = start_stop
        self.available = available()
        self.state = "idle"
        self.icon = QSystemTrayIcon(tray_icon("idle"), self)
        self.icon.setObjectName("appTrayIcon")
        self.icon.setToolTip("Soniox Desktop — ready")
        self.menu = QMenu(window)
        self.menu.setObjectName("trayMenu")
        self.menu.setAccessibleName("Soniox Desktop")
        self.show_action = self._add("Show &window", "trayShowAction", self.show_window)
        self.live_action = self._add("Start &live session", "trayLiveAction", self._start_stop)
        self.menu.addSeparator()
        for key in ("captions", "settings"):
            if key in actions:
                self.menu.addAction(actions[key])
        self.menu.addSeparator()
        if "quit" in actions:
            self.menu.addAction(actions["quit"])
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        if self.available:
            self.icon.show()

    def _add(self, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    # -- state --------------------------------------------------------------------------------
    def follow(self, live: LiveState, detail: str = "") -> None:
        """Show the live session's state on the icon, its tooltip and the Start/Stop item."""
        state = state_of(live)
        self.live_action.setText("S&top live session" if live.is_active else "Start &live session")
        tip = {"idle": "ready", "listening": "listening", "error": detail or "stopped by an error"}[state]
        self.icon.setToolTip(f"Soniox Desktop — {tip}")
        if state != self.state:
            self.state = state
            self.icon.setIcon(tray_icon(state))
            self.state_changed.emit(state)

    def notify(self, text: str, *, error: bool = False) -> None:
        """A desktop notification from the tray (jobs finishing or failing while the window is hidden)."""
        kind = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
        self.icon.showMessage("Soniox Desktop", text, kind, 8000)

    # -- window -------------------------------------------------------------------------------
    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window()

    def keeps_running_on_close(self, ask: Callable[[], bool | None] | None = None) -> bool:
        """Whether closing the window should leave the app in the tray; asks the first time.

        ``ask`` returns True (keep running), False (quit) or None (the user backed out: the
        window stays open and nothing is remembered).
        """
        if not self.available:
            return False
        saved = self.context.settings_store.ui_str(CLOSE_TO_TRAY_KEY)
        if saved in ("yes", "no"):
            return saved == "yes"
        answer = (ask or self._ask)()
        if answer is None:
            raise _StayOpen
        self.context.settings.ui_state[CLOSE_TO_TRAY_KEY] = "yes" if answer else "no"
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not remember the close choice: %s", exc)
        return answer

    def _ask(self) -> bool | None:
        box = QMessageBox(self.window)
        box.setObjectName("closeToTrayQuestion")
        box.setWindowTitle("Keep running in the tray?")
        box.setText("Keep Soniox Desktop running in the system tray when its window is closed?")
        box.setInformativeText(
            "Live sessions and captions go on, and the tray icon brings the window back. "
            "Quit from the tray menu or with Ctrl+Q. You will not be asked again."
        )
        keep = box.addButton("&Keep running", QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName("keepRunningButton")
        quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.DestructiveRole)
        quit_button.setObjectName("quitOnCloseButton")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        if clicked is keep:
            return True
        if clicked is quit_button:
            return False
        return None


class _StayOpen(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The user cancelled the close question: keep the window open."""


StayOpen = _StayOpen
