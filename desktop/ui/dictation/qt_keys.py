"""Qt key events as hotkey tokens (the names ``desktop.platform.hotkeys.spec`` uses).

Used by the Settings field that records a shortcut and by the focus-only hotkey, so a combination
recorded in Qt is the one pynput and the portal later match. On macOS Qt reports the Command key
as Control (and Control as Meta); the tokens name the physical keys.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt

_NAMED = {
    Qt.Key.Key_Space: "space",
    Qt.Key.Key_Return: "enter",
    Qt.Key.Key_Enter: "enter",
    Qt.Key.Key_Tab: "tab",
    Qt.Key.Key_Backspace: "backspace",
    Qt.Key.Key_Delete: "delete",
    Qt.Key.Key_Insert: "insert",
    Qt.Key.Key_Home: "home",
    Qt.Key.Key_End: "end",
    Qt.Key.Key_PageUp: "page_up",
    Qt.Key.Key_PageDown: "page_down",
    Qt.Key.Key_Up: "up",
    Qt.Key.Key_Down: "down",
    Qt.Key.Key_Left: "left",
    Qt.Key.Key_Right: "right",
    Qt.Key.Key_Pause: "pause",
    Qt.Key.Key_Print: "print_screen",
    Qt.Key.Key_ScrollLock: "scroll_lock",
    Qt.Key.Key_Menu: "menu",
    Qt.Key.Key_Escape: "esc",
}


def modifier_token(key: int, system: str = sys.platform) -> str | None:
    """The modifier a key *is* (pressed alone), or None."""
    mac = system == "darwin"
    if key == Qt.Key.Key_Control:
        return "cmd" if mac else "ctrl"
    if key == Qt.Key.Key_Meta:
        return "ctrl" if mac else "cmd"
    if key in (Qt.Key.Key_Super_L, Qt.Key.Key_Super_R):
        return "cmd"
    if key == Qt.Key.Key_Alt:
        return "alt"
    if key == Qt.Key.Key_Shift:
        return "shift"
    return None


def modifier_tokens(modifiers: Qt.KeyboardModifier, system: str = sys.platform) -> frozenset[str]:
    mac = system == "darwin"
    held: set[str] = set()
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        held.add("cmd" if mac else "ctrl")
    if modifiers & Qt.KeyboardModifier.MetaModifier:
        held.add("ctrl" if mac else "cmd")
    if modifiers & Qt.KeyboardModifier.AltModifier:
        held.add("alt")
    if modifiers & Qt.KeyboardModifier.ShiftModifier:
        held.add("shift")
    return frozenset(held)


def key_token(key: int) -> str | None:
    """A non-modifier key's token: ``space``, ``f9``, ``d``, ``!``; None for keys a hotkey can't use."""
    try:
        named = _NAMED.get(Qt.Key(key))
    except ValueError:
        named = None
    if named is not None:
        return named
    if Qt.Key.Key_F1 <= key <= Qt.Key.Key_F24:
        return f"f{key - Qt.Key.Key_F1 + 1}"
    if 0x20 < key < 0x7F:  # Qt's codes for printable ASCII keys are the (upper-case) characters
        return chr(key).lower()
    return None
