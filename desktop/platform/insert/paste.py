"""Insert by pasting: the text on the clipboard, the paste shortcut sent, the old clipboard back.

The previous clipboard is put back ``restore_after_s`` later, not at once: the target app reads
the clipboard when it handles the key press, which may be after ``send_paste`` returned. Only
text is restored (an image on the clipboard is lost: said in the README).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from desktop.core.dictation.types import FocusedApp, InsertMethod, InsertResult

log = logging.getLogger(__name__)

RESTORE_AFTER_S = 0.5


class Clipboard(Protocol):
    def text(self) -> str | None:
        """The clipboard's text now (None: empty or not text)."""

    def set_text(self, text: str) -> None: ...


class PasteInserter:
    """``context`` reads the focused field's text before the cursor (AT-SPI on Linux), if any."""

    def __init__(
        self,
        clipboard: Clipboard,
        send_paste: Callable[[bool], None],
        call_later: Callable[[float, Callable[[], None]], Any],
        *,
        focused_app: Callable[[], FocusedApp | None] = lambda: None,
        blocked: Callable[[], str | None] | None = None,
        restore_after_s: float = RESTORE_AFTER_S,
        context: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        """``blocked()`` says why keys cannot be sent now (macOS: no Accessibility permission,
        a password field has secure input on), or None."""
        self.clipboard = clipboard
        self._send_paste = send_paste
        self._call_later = call_later
        self._focused_app = focused_app
        self._blocked = blocked
        self.restore_after_s = restore_after_s
        self._context = context
        self._saved: str | None = None
        self._ours: str | None = None  # what we put there (restore only if it is still that)
        self._pending = 0

    def text_before_cursor(self) -> Awaitable[str | None] | None:
        return self._context() if self._context is not None else None

    def insert(self, text: str) -> InsertResult:
        reason = self._blocked() if self._blocked is not None else None
        if reason:
            self.clipboard.set_text(text)
            return InsertResult(False, InsertMethod.CLIPBOARD, reason)
        if self._pending == 0:
            self._saved = self.clipboard.text()  # a second paste before the restore keeps the first's original
        self.clipboard.set_text(text)
        self._ours = text
        app = self._focused_app()
        try:
            self._send_paste(bool(app and app.is_terminal))
        except Exception as exc:
            log.warning("Sending the paste shortcut failed", exc_info=True)
            return InsertResult(
                False, InsertMethod.CLIPBOARD, f"Copied to the clipboard; the paste key could not be sent ({exc})."
            )
        self._pending += 1
        self._call_later(self.restore_after_s, self._restore)
        return InsertResult(True, InsertMethod.PASTE)

    def _restore(self) -> None:
        self._pending -= 1
        if self._pending > 0:
            return
        saved, ours = self._saved, self._ours
        self._saved = self._ours = None
        if saved is None:
            return
        if self.clipboard.text() != ours:
            return  # the user copied something else meanwhile: leave theirs
        self.clipboard.set_text(saved)


class ClipboardOnlyInserter:
    """Where text cannot be sent to another app: copy it and tell the user to paste."""

    def __init__(self, clipboard: Clipboard, *, reason: str) -> None:
        self.clipboard = clipboard
        self.reason = reason

    def text_before_cursor(self) -> str | None:
        return None

    def insert(self, text: str) -> InsertResult:
        self.clipboard.set_text(text.lstrip())
        return InsertResult(False, InsertMethod.CLIPBOARD, self.reason)
