"""X11: type through XTest (pynput), and send the paste shortcut the same way.

pynput types characters that have no key on the current layout (é, ß, 日本) by mapping a spare
keycode to their keysym for the press, so non-ASCII text arrives as typed. The events go to the
window with the input focus; nothing here touches focus.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from desktop.core.dictation.types import InsertMethod, InsertResult

#: Reads the text before the cursor in the focused field (``AtspiContext.text_before_cursor``).
BeforeCursor = Callable[[], Awaitable[str | None]]

_lock = threading.Lock()
_controller: Any = None


def controller() -> Any:
    """One pynput keyboard controller (its X connection) for the process, made on first use:
    importing pynput needs a display."""
    global _controller
    with _lock:
        if _controller is None:
            keyboard = importlib.import_module("pynput.keyboard")
            _controller = keyboard.Controller()
        return _controller


class XTestTyper:
    def __init__(self, keyboard: Any = None, *, context: BeforeCursor | None = None) -> None:
        """``context`` reads the focused field's text before the cursor (AT-SPI), if any."""
        self._keyboard = keyboard
        self._context = context

    def text_before_cursor(self) -> Awaitable[str | None] | None:
        return self._context() if self._context is not None else None

    def prepare(self) -> None:
        """Load pynput and open its X connection now (~0.7 s the first time), not at key-up."""
        keyboard = self._keyboard or controller()
        getattr(keyboard, "keyboard_mapping", None)  # pynput reads the X keyboard map on first use

    def insert(self, text: str) -> InsertResult:
        keyboard = self._keyboard or controller()
        try:
            keyboard.type(text)
        except Exception as exc:  # pynput raises Controller.InvalidCharacterException and X errors
            return InsertResult(False, InsertMethod.NONE, f"The text could not be typed: {exc}")
        return InsertResult(True, InsertMethod.TYPE)


def send_paste(terminal: bool) -> None:
    """Ctrl+V, or Ctrl+Shift+V in a terminal (where Ctrl+V is a control character)."""
    keys = importlib.import_module("pynput.keyboard").Key
    keyboard = controller()
    held = [keys.ctrl, keys.shift] if terminal else [keys.ctrl]
    for key in held:
        keyboard.press(key)
    try:
        keyboard.press("v")
        keyboard.release("v")
    finally:
        for key in reversed(held):
            keyboard.release(key)
