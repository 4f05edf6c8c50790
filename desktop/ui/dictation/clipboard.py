"""The Qt clipboard as :class:`desktop.platform.insert.Clipboard` (Linux: X11 and Wayland).

``desktop.platform`` never imports Qt, and on Linux the app's own Qt clipboard is the reliable
one: Qt owns the X selection and answers the target app's request from the running event loop.
"""

from __future__ import annotations

from PySide6.QtGui import QClipboard, QGuiApplication


class QtClipboard:
    def __init__(self, clipboard: QClipboard | None = None) -> None:
        self._clipboard = clipboard

    @property
    def clipboard(self) -> QClipboard:
        return self._clipboard if self._clipboard is not None else QGuiApplication.clipboard()

    def text(self) -> str | None:
        mime = self.clipboard.mimeData(QClipboard.Mode.Clipboard)
        if not mime.hasText():
            return None
        return self.clipboard.text(QClipboard.Mode.Clipboard)

    def set_text(self, text: str) -> None:
        self.clipboard.setText(text, QClipboard.Mode.Clipboard)
