"""The names dictation's parts share: its states, what an insertion reports, the focused app.

Kept apart from the service so ``desktop.platform`` (inserters, focus detection) can implement
these protocols without importing the service and, with it, the SDK.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol


class DictationState(str, enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"  # key down, the session is not up yet (audio is already kept)
    LISTENING = "listening"
    FINISHING = "finishing"  # key up: waiting for the last words, then inserting
    ERROR = "error"


class InsertMethod(str, enum.Enum):
    TYPE = "type"  # synthesized key presses (XTest, SendInput)
    PASTE = "paste"  # clipboard + the paste shortcut, the previous clipboard restored after
    CLIPBOARD = "clipboard"  # only copied: the user pastes it (no way to insert, or a secure field)
    NONE = "none"


@dataclass(frozen=True)
class InsertResult:
    """What became of the text. ``message`` is for the user whenever they must act (or know)."""

    ok: bool
    method: InsertMethod
    message: str = ""


class TextInserter(Protocol):
    """Puts text where the focused app's cursor is, without taking focus from it."""

    def insert(self, text: str) -> InsertResult: ...

    def text_before_cursor(self) -> str | Awaitable[str | None] | None:
        """The focused field's text before the cursor, when the OS says (else None: unknown).

        May be awaitable (AT-SPI asks the app over D-Bus); it is asked at key-up, while Soniox
        finalizes, so it costs the user no time."""


@dataclass(frozen=True)
class FocusedApp:
    """The app the words go to: ``name`` is what the user knows it as (history label)."""

    name: str
    #: Stable identity: WM_CLASS on X11, the executable on Windows, the bundle id on macOS.
    app_id: str = ""
    window_title: str = ""
    #: A terminal emulator (pasting there needs Shift+Insert or Ctrl+Shift+V, not Ctrl+V).
    is_terminal: bool = False

    @property
    def key(self) -> str:
        return self.app_id or self.name


UNKNOWN_APP = FocusedApp("Unknown app")

TERMINALS = frozenset(
    {
        "xterm", "uxterm", "gnome-terminal", "gnome-terminal-server", "konsole", "xfce4-terminal",
        "terminator", "tilix", "alacritty", "kitty", "urxvt", "rxvt", "st", "wezterm", "foot",
        "terminal", "iterm2", "com.apple.terminal", "com.googlecode.iterm2", "windowsterminal",
        "cmd", "powershell", "pwsh", "conhost", "mintty",
    }
)  # fmt: skip


def looks_like_terminal(*names: str) -> bool:
    """Whether any of an app's names (WM_CLASS parts, executable, bundle id) is a known terminal."""
    for name in names:
        base = name.lower().rsplit("/", 1)[-1].rsplit("\\", 1)[-1].removesuffix(".exe")
        if base in TERMINALS:
            return True
    return False
