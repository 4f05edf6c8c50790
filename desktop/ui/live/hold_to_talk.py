"""Hold a key (default Space) to talk: audio reaches the service only while it is held.

The filter sits on the application so the key works wherever focus is in the window, except in
text inputs, where Space must still type a space. Auto-repeat is ignored, so holding the key is
one press and one release.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QKeySequenceEdit, QLineEdit, QPlainTextEdit, QTextEdit

_TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QKeySequenceEdit)


def key_of(sequence: QKeySequence) -> int | None:
    """The single key (with modifiers) a sequence names, or None for an empty sequence."""
    if sequence.isEmpty():
        return None
    return sequence[0].toCombined()  # type: ignore[index]  # the stubs lack QKeySequence.__getitem__


class HoldToTalkFilter(QObject):
    pressed = Signal()
    released = Signal()

    def __init__(self, key: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._key = key_of(key)
        self._held = False
        self.enabled = False

    @property
    def held(self) -> bool:
        return self._held

    def set_key(self, key: QKeySequence) -> None:
        self._key = key_of(key)

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self._held:
            self._held = False
            self.released.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not self.enabled or self._key is None:
            return False
        etype = event.type()
        if etype not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        combined = event.keyCombination().toCombined()
        if combined != self._key:
            return False
        focus = QApplication.focusWidget()
        if isinstance(focus, _TEXT_INPUTS) and not getattr(focus, "isReadOnly", lambda: False)():
            return False
        if etype == QEvent.Type.ShortcutOverride:
            event.accept()  # keep the key from triggering a focused button's shortcut
            return True
        if event.isAutoRepeat():
            return True
        if etype == QEvent.Type.KeyPress and not self._held:
            self._held = True
            self.pressed.emit()
        elif etype == QEvent.Type.KeyRelease and self._held:
            self._held = False
            self.released.emit()
        return True
