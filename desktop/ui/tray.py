"""The app's place in the system tray (Windows, Linux) or menu bar (macOS).

The icon says the state at a glance (idle, listening, dictating, error: a microphone, a red dot,
a blue waveform, a warning) and its menu reaches what a user wants without the window: start or
stop a live session, dictate, reopen one of the last few transcripts, live captions, the window
itself, Settings and Quit. Clicking the icon shows the window. While the window is hidden, what
the jobs panel would say (a job finished or failed) comes as a desktop notification.

Dictation is not the tray's: the dictation host hands over what "Dictate" does (``dictate``) and
says when it is dictating (:meth:`AppTray.follow_dictation`). Dictating outranks the live state
on the icon, because a dictation types into another app and the user must see that it listens.

Closing the window while the tray is there asks once whether to keep running in the tray (so
captions and live sessions go on) or to quit, and remembers the answer in settings
(``ui_state["close_to_tray"]``: "yes"/"no"). Without a tray (a desktop without one, or the
offscreen platform) nothing changes: closing the window quits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QColor, QIcon
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon, QWidget

from desktop import APP_NAME
from desktop.core.context import AppContext
from desktop.core.library.recent import RecentTranscript
from desktop.core.live.state import LiveState
from desktop.platform.notify import DesktopNotifications, Notifier
from desktop.ui import icons
from desktop.ui.resources import resource_path

log = logging.getLogger(__name__)

CLOSE_TO_TRAY_KEY = "close_to_tray"

_STATE_ICONS: dict[str, tuple[str, str]] = {
    "idle": ("mic", "#6b7280"),
    "listening": ("record", "#dc2626"),
    "dictating": ("waveform", "#2563eb"),
    "error": ("alert", "#d97706"),
}


def split_notice(text: str) -> tuple[str, str]:
    """A notice's "What happened: details" as a notification's title and body."""
    head, sep, rest = text.partition(": ")
    if sep and rest.strip() and len(head) <= 60:
        return head, rest.strip()
    return APP_NAME, text


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


async def install_when_ready(window: Any, wait_s: float = 15.0, step_s: float = 0.5) -> AppTray | None:
    """``window.install_tray()`` once the desktop has a tray, trying for up to ``wait_s``.

    At login the app may start before the panel that holds the tray (autostart entries run in
    parallel): an app started hidden waits for it rather than showing its window at once.
    """
    deadline = time.monotonic() + wait_s
    while True:
        tray: AppTray | None = window.install_tray()
        if tray is not None or time.monotonic() >= deadline:
            return tray
        await asyncio.sleep(step_s)


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
        dictate: Callable[[], object] | None = None,
        recent: Callable[[], Sequence[RecentTranscript] | None] | None = None,
        open_transcript: Callable[[int], object] | None = None,
    ) -> None:
        """``recent`` lists the newest transcripts (None: there is no library), ``open_transcript``
        opens one by id; ``dictate`` is what the "Dictate" item does (no item without it)."""
        super().__init__(window)
        self.context = context
        self.window = window
        self._start_stop = start_stop
        self._dictate = dictate
        self._recent = recent
        self._open_transcript = open_transcript
        self.available = available()
        self.state = "idle"
        self._live_state = "idle"
        self._live_tip = "ready"
        self._dictating = False
        self.icon = QSystemTrayIcon(tray_icon("idle"), self)
        self.icon.setObjectName("appTrayIcon")
        self.icon.setToolTip("Soniox Desktop — ready")
        self.menu = QMenu(window)
        self.menu.setObjectName("trayMenu")
        self.menu.setAccessibleName("Soniox Desktop")
        self.show_action = self._add("Show &window", "trayShowAction", self.show_window)
        self.live_action = self._add("Start &live session", "trayLiveAction", self._start_stop)
        self.dictate_action = self._add("&Dictate", "trayDictateAction", self._on_dictate)
        self.dictate_action.setToolTip("Speak, and the text is typed into the app you were using")
        self.dictate_action.setVisible(dictate is not None)
        self.menu.addSeparator()
        self.recent_menu = QMenu("&Recent transcripts", self.menu)
        self.recent_menu.setObjectName("trayRecentMenu")
        self.recent_menu.setAccessibleName("Recent transcripts")
        self.recent_menu.menuAction().setObjectName("trayRecentAction")
        self.menu.addMenu(self.recent_menu)
        # Filled when about to show (the tray menu and the submenu: a D-Bus menu host may ask
        # for either first), so it never lists a transcript that was deleted since.
        self.menu.aboutToShow.connect(self.refresh_recent)
        self.recent_menu.aboutToShow.connect(self.refresh_recent)
        self.refresh_recent()
        self.menu.addSeparator()
        for key in ("captions", "settings"):
            if key in actions:
                self.menu.addAction(actions[key])
        self.menu.addSeparator()
        if "quit" in actions:
            self.menu.addAction(actions["quit"])
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self._message_click: Callable[[], object] | None = None
        self.icon.messageClicked.connect(self._on_message_clicked)
        icon = resource_path("icons/app-256.png")
        self._notifications = DesktopNotifications(APP_NAME, fallback=self.show_message, icon=icon)
        self.notifier: Notifier = self._notifications
        if self.available:
            self.icon.show()

    def _add(self, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    # -- dictation and recent transcripts --------------------------------------------------------
    def set_dictate(self, dictate: Callable[[], object] | None) -> None:
        """What "Dictate" does (the dictation host calls this once it exists); None hides the item."""
        self._dictate = dictate
        self.dictate_action.setVisible(dictate is not None)

    def _on_dictate(self) -> None:
        if self._dictate is not None:
            self._dictate()

    def refresh_recent(self) -> None:
        """List the newest transcripts in the submenu, each opening its transcript window."""
        self.recent_menu.clear()
        entries: Sequence[RecentTranscript] | None = None
        if self._recent is not None:
            try:
                entries = self._recent()
            except Exception:  # a menu must open whatever the library does
                log.exception("Could not list the recent transcripts")
        if not entries:
            empty = QAction("(none yet)" if entries is not None else "(the library is not available)", self.recent_menu)
            empty.setObjectName("trayRecentNone")
            empty.setEnabled(False)
            self.recent_menu.addAction(empty)
            return
        for number, entry in enumerate(entries, start=1):
            text = entry.menu_text().replace("&", "&&")
            action = QAction(f"&{number} {text}" if number < 10 else text, self.recent_menu)
            action.setObjectName("trayRecentItem")
            action.setData(entry.id)
            action.triggered.connect(lambda _checked=False, tid=entry.id: self._open(tid))
            self.recent_menu.addAction(action)

    def _open(self, transcript_id: int) -> None:
        if self._open_transcript is not None:
            self._open_transcript(transcript_id)

    # -- state --------------------------------------------------------------------------------
    def follow(self, live: LiveState, detail: str = "") -> None:
        """Show the live session's state on the icon, its tooltip and the Start/Stop item."""
        self._live_state = state_of(live)
        self.live_action.setText("S&top live session" if live.is_active else "Start &live session")
        self._live_tip = {"idle": "ready", "listening": "listening", "error": detail or "stopped by an error"}[
            self._live_state
        ]
        self._show_state()

    def follow_dictation(self, active: bool) -> None:
        """Dictation started (connecting, listening, finishing) or ended: the icon says so."""
        self._dictating = active
        self.dictate_action.setText("Stop &dictating" if active else "&Dictate")
        self._show_state()

    def _show_state(self) -> None:
        state = "dictating" if self._dictating else self._live_state
        tip = "dictating" if self._dictating else self._live_tip
        self.icon.setToolTip(f"Soniox Desktop — {tip}")
        if state != self.state:
            self.state = state
            self.icon.setIcon(tray_icon(state))
            self.state_changed.emit(state)

    def notify(self, text: str, *, error: bool = False, on_click: Callable[[], object] | None = None) -> None:
        """A desktop notification (jobs finishing or failing while the window is hidden).

        "What: details" becomes the title and the body ("Transcription finished" / "talk.wav.").
        """
        title, body = split_notice(text)
        self.notifier.notify(title, body, error=error, on_click=on_click)

    def show_message(self, title: str, body: str, error: bool, on_click: Callable[[], object] | None) -> None:
        """The tray icon's own balloon: where the system has no notification service."""
        kind = QSystemTrayIcon.MessageIcon.Warning if error else QSystemTrayIcon.MessageIcon.Information
        self._message_click = on_click
        self.icon.showMessage(title, body, kind, 8000)

    def _on_message_clicked(self) -> None:
        click, self._message_click = self._message_click, None
        if click is not None:
            click()

    def shutdown(self) -> None:
        """The app is quitting: stop sending notifications and take the icon away."""
        self._notifications.close()
        self.icon.hide()

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
