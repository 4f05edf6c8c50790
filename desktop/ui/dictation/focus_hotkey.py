"""The hotkey while this app has the focus: the fallback where no global hotkey is possible.

On Wayland without the GlobalShortcuts portal (or when pynput cannot start) the combination is
watched by an event filter on the whole application. It has the same start/stop shape as the
global backends, so the host drives both alike. Key events are taken at the window, once each,
before the focused widget: a matched combination is consumed (a text field must not type the
space of Ctrl+Alt+Space), except while the Settings field records a new shortcut.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication

from desktop.platform.hotkeys.spec import HotkeySpec
from desktop.ui.dictation.qt_keys import key_token, modifier_token, modifier_tokens


class FocusHotkey(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("focusHotkey")
        self._spec: HotkeySpec | None = None
        self._on_press: Callable[[], None] | None = None
        self._on_release: Callable[[], None] | None = None
        self.active = False
        #: While True (the Settings field is recording), keys pass through untouched.
        self.passthrough = False

    def start(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.stop()
        self._spec, self._on_press, self._on_release = spec, on_press, on_release
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._release()
        self._spec = None

    def _release(self) -> None:
        if self.active:
            self.active = False
            if self._on_release is not None:
                self._on_release()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.ApplicationStateChange:
            if QApplication.applicationState() != Qt.ApplicationState.ApplicationActive:
                self._release()  # the key-up will happen in another app, where we cannot see it
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(watched, QWindow):
            return False
        spec = self._spec
        if spec is None or self.passthrough or not isinstance(event, QKeyEvent) or event.isAutoRepeat():
            return False
        token = key_token(event.key())
        if kind == QEvent.Type.KeyPress:
            if not self.active and token == spec.key and modifier_tokens(event.modifiers()) == spec.modifiers:
                self.active = True
                if self._on_press is not None:
                    self._on_press()
                return True
            return False
        if self.active and (token == spec.key or modifier_token(event.key()) in spec.modifiers):
            self._release()
            return token == spec.key
        return False
