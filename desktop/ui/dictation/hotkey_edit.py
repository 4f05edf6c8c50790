"""A field that records a key combination: focus it, press the keys, read "Ctrl+Alt+Space".

While it has the focus it receives every key (Alt+letter too, before the dialog's mnemonics),
and tells its owner with ``capturing_changed`` so the global hotkey does not fire on the very keys
being recorded. Escape gives the previous value back and moves on; Backspace or Delete remove the
hotkey; Tab still moves the focus, so the keyboard path through the dialog is not trapped here.
A combination that would fire while typing (a bare letter) is refused with the reason.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from desktop.platform.hotkeys.spec import MODIFIERS, HotkeySpec, HotkeySpecError, modifier_names, parse_hotkey
from desktop.ui.dictation.qt_keys import key_token, modifier_token, modifier_tokens

NO_HOTKEY_TEXT = "None (no global hotkey)"
PROMPT_TEXT = "Press the keys…"
_PASS_THROUGH = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


class HotkeyEdit(QLineEdit):
    #: True while the field has the focus and records keys.
    capturing_changed = Signal(bool)
    #: The recorded combination changed: its pynput notation ("" = no hotkey).
    hotkey_changed = Signal(str)
    #: Why the last combination was refused, in words ("" when nothing was refused).
    problem_changed = Signal(str)

    def __init__(self, hotkey: str = "", parent: QWidget | None = None, *, system: str = sys.platform) -> None:
        super().__init__(parent)
        self.setObjectName("dictationHotkeyEdit")
        self.setAccessibleName("Dictation hotkey")
        self.setAccessibleDescription(
            "Focus this field and press the key combination. Escape cancels, Backspace removes the hotkey."
        )
        self.setReadOnly(True)  # typed text never lands here; keys are interpreted instead
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._system = system
        self._spec: HotkeySpec | None = None
        self._before: HotkeySpec | None = None
        self._capturing = False
        self._recorded = False  # a combination was recorded since the field got the focus
        try:
            self._spec = parse_hotkey(hotkey)
        except HotkeySpecError:
            self._spec = None
        self._show_value()

    # -- value -------------------------------------------------------------------------------------
    def spec(self) -> HotkeySpec | None:
        return self._spec

    def hotkey(self) -> str:
        """In pynput notation, as ``settings.dictation_hotkey`` stores it ("" = none)."""
        return self._spec.to_pynput() if self._spec is not None else ""

    def set_hotkey(self, hotkey: str) -> None:
        self._spec = parse_hotkey(hotkey)
        self._show_value()

    def label(self) -> str:
        return self._spec.label(self._system) if self._spec is not None else NO_HOTKEY_TEXT

    def _show_value(self) -> None:
        self.setText("" if self._capturing else self.label())
        prompt = f"{PROMPT_TEXT} (now {self.label()})" if self._spec is not None else PROMPT_TEXT
        self.setPlaceholderText(prompt if self._capturing else NO_HOTKEY_TEXT)

    def _set(self, spec: HotkeySpec | None) -> None:
        changed = spec != self._spec
        self._spec = spec
        self._recorded = True
        self.setText(self.label())
        self.problem_changed.emit("")
        if changed:
            self.hotkey_changed.emit(self.hotkey())

    # -- focus = capturing -------------------------------------------------------------------------
    @property
    def capturing(self) -> bool:
        return self._capturing

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        self._before = self._spec
        self._recorded = False
        self._capturing = True
        self._show_value()
        self.capturing_changed.emit(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        if not self._capturing:
            return
        self._capturing = False
        self._show_value()
        self.capturing_changed.emit(False)

    # -- keys ----------------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        # Take every key before the dialog's shortcuts and mnemonics do, except Tab (focus moves on).
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() not in _PASS_THROUGH
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in _PASS_THROUGH:
            super().keyPressEvent(event)
            return
        event.accept()
        if event.isAutoRepeat():
            return
        held = modifier_tokens(event.modifiers(), self._system)
        if key == Qt.Key.Key_Escape and not held:
            restored = self._before
            if restored != self._spec:
                self._spec = restored
                self.hotkey_changed.emit(self.hotkey())
            self._recorded = False
            self.problem_changed.emit("")
            if not self.focusNextChild():
                self.clearFocus()
            return
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) and not held:
            self._set(None)
            return
        pressed_modifier = modifier_token(key, self._system)
        if pressed_modifier is not None:  # platforms differ on whether it is in modifiers() yet
            self._show_partial(held | {pressed_modifier})
            return
        token = key_token(key)
        if token is None:
            self.problem_changed.emit("That key cannot be used for a hotkey here; try another.")
            return
        spec = HotkeySpec(held, token)
        problem = spec.problem()
        if problem:
            self.problem_changed.emit(problem)
            self.setText("")
            return
        self._set(spec)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        event.accept()
        released = modifier_token(event.key(), self._system)
        if self._capturing and not event.isAutoRepeat() and released is not None:
            self._show_partial(modifier_tokens(event.modifiers(), self._system) - {released})

    def _show_partial(self, held: frozenset[str]) -> None:
        """While modifiers are held, show them ("Ctrl+Alt+…"); once all are let go, what was recorded."""
        if not held:
            self.setText(self.label() if self._recorded else "")
            return
        names = modifier_names(self._system)
        self.setText("+".join(names[m] for m in MODIFIERS if m in held) + "+…")
