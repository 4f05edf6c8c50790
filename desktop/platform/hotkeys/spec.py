"""A hotkey as the app stores it (pynput's notation, ``<ctrl>+<alt>+<space>``) and shows it.

One parsed form serves every backend: pynput's events are matched against it, the Wayland portal
gets it as an XDG shortcut trigger (``CTRL+ALT+space``), Qt's focus-only fallback and the Settings
field convert to and from it, and the user reads it as "Ctrl+Alt+Space". Parsing is lenient with
what a hand-edited settings file may hold (``space`` without brackets, ``<ctrl_l>``), writing is
strict pynput notation.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

#: Modifier tokens in the order they are written and shown.
MODIFIERS: tuple[str, ...] = ("ctrl", "alt", "shift", "cmd")
_MODIFIER_ALIASES = {
    "ctrl": "ctrl",
    "ctrl_l": "ctrl",
    "ctrl_r": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "alt_l": "alt",
    "alt_r": "alt",
    "option": "alt",
    "shift": "shift",
    "shift_l": "shift",
    "shift_r": "shift",
    "cmd": "cmd",
    "cmd_l": "cmd",
    "cmd_r": "cmd",
    "super": "cmd",
    "win": "cmd",
    "meta": "cmd",
}
#: Named (non-character) keys, in pynput's ``Key`` names, with how they are shown.
NAMED_KEYS: dict[str, str] = {
    "space": "Space",
    "enter": "Enter",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Delete",
    "insert": "Insert",
    "home": "Home",
    "end": "End",
    "page_up": "Page Up",
    "page_down": "Page Down",
    "up": "Up",
    "down": "Down",
    "left": "Left",
    "right": "Right",
    "pause": "Pause",
    "print_screen": "Print Screen",
    "scroll_lock": "Scroll Lock",
    "menu": "Menu",
    "esc": "Esc",
    **{f"f{n}": f"F{n}" for n in range(1, 25)},
}
#: Keys a hotkey may use without a modifier: pressing them never types anything.
_BARE_OK = {"pause", "insert", "print_screen", "scroll_lock", "menu", *(f"f{n}" for n in range(1, 25))}
#: Key names in the XDG shortcuts format (xkb keysym names) where they differ from ours.
_XKB_NAMES = {
    "enter": "Return",
    "esc": "Escape",
    "backspace": "BackSpace",
    "page_up": "Page_Up",
    "page_down": "Page_Down",
    "print_screen": "Print",
    "scroll_lock": "Scroll_Lock",
}


def modifier_names(system: str = sys.platform) -> dict[str, str]:
    """How each modifier is called on ``system``'s keyboards."""
    names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "cmd": "Super"}
    if system == "darwin":
        names.update(alt="Option", cmd="Cmd")
    elif system == "win32":
        names["cmd"] = "Win"
    return names


class HotkeySpecError(ValueError):
    """A hotkey text that cannot be used; the message says why, in words."""


@dataclass(frozen=True)
class HotkeySpec:
    modifiers: frozenset[str]
    #: A ``NAMED_KEYS`` name, one lower-case character, or ``vk<number>`` (a raw key code).
    key: str

    def to_pynput(self) -> str:
        parts = [f"<{m}>" for m in MODIFIERS if m in self.modifiers]
        if self.key in NAMED_KEYS:
            parts.append(f"<{self.key}>")
        elif self.key.startswith("vk"):
            parts.append(f"<{self.key[2:]}>")
        else:
            parts.append(self.key)
        return "+".join(parts)

    def label(self, system: str = sys.platform) -> str:
        """As the user reads it on this system: "Ctrl+Alt+Space", "Ctrl+Option+Space", "Super+F9"."""
        parts = [modifier_names(system)[m] for m in MODIFIERS if m in self.modifiers]
        if self.key in NAMED_KEYS:
            parts.append(NAMED_KEYS[self.key])
        elif self.key.startswith("vk"):
            parts.append(f"Key {self.key[2:]}")
        else:
            parts.append(self.key.upper())
        return "+".join(parts)

    def xdg_trigger(self) -> str:
        """The preferred trigger handed to the GlobalShortcuts portal (XDG shortcuts format)."""
        names = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "cmd": "LOGO"}
        parts = [names[m] for m in MODIFIERS if m in self.modifiers]
        parts.append(self.xkb_key_name())
        return "+".join(parts)

    def xkb_key_name(self) -> str:
        """The key as an xkb keysym name ("space", "F9", "Return", "d"), as X11 and the portal call it;
        a raw key code stays ``vk<number>`` (on X11 pynput's key codes are keysyms)."""
        key = self.key
        if key.startswith("f") and key[1:].isdigit():
            return key.upper()
        if key in _XKB_NAMES:
            return _XKB_NAMES[key]
        if key in NAMED_KEYS:
            return NAMED_KEYS[key].replace(" ", "_") if key != "space" else "space"
        return key

    def problem(self) -> str | None:
        """Why this combination would be a bad global hotkey, in words; None if it is fine."""
        if not self.modifiers and self.key not in _BARE_OK:
            return (
                f"{self.label()} alone would start dictation whenever you type it. "
                "Add Ctrl, Alt, Shift or the Super key, or use a function key such as F9."
            )
        if self.modifiers == frozenset({"shift"}) and self.key not in _BARE_OK and self.key not in NAMED_KEYS:
            return f"{self.label()} is how a capital letter or symbol is typed. Add Ctrl or Alt."
        return None


def _parts(text: str) -> list[str]:
    """Split on "+", keeping a "+" that is itself the key (``<ctrl>++``)."""
    parts: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char == "+" and i != start:
            parts.append(text[start:i])
            start = i + 1
    if start >= len(text):
        raise HotkeySpecError(f"“{text}” ends with “+”: the key after it is missing.")
    parts.append(text[start:])
    return parts


def parse_hotkey(text: str) -> HotkeySpec | None:
    """``settings.dictation_hotkey`` parsed; None for "" (no global hotkey). Raises HotkeySpecError."""
    text = text.strip()
    if not text:
        return None
    modifiers: set[str] = set()
    key: str | None = None
    for raw in _parts(text):
        name = raw[1:-1] if len(raw) > 2 and raw[0] == "<" and raw[-1] == ">" else raw
        lowered = name.lower()
        if lowered in _MODIFIER_ALIASES:
            modifiers.add(_MODIFIER_ALIASES[lowered])
            continue
        if key is not None:
            raise HotkeySpecError(f"“{text}” has two keys besides the modifiers; a hotkey has one.")
        if len(name) == 1:
            key = name.lower()
        elif lowered in NAMED_KEYS:
            key = lowered
        elif lowered in ("return",):
            key = "enter"
        elif lowered in ("escape",):
            key = "esc"
        elif name.isdigit():
            key = f"vk{int(name)}"
        else:
            raise HotkeySpecError(f"“{raw}” in “{text}” is not a key this app knows.")
    if key is None:
        raise HotkeySpecError(f"“{text}” has only modifiers; add the key to press with them.")
    return HotkeySpec(frozenset(modifiers), key)
