"""Moving a frameless window by dragging it anywhere (the caption overlay, the dictation pill).

Both float over other apps without a title bar, so the window itself is the handle. A window
subclasses :class:`DragToMove` instead of ``QWidget`` and says when a drag may start (the
captions only when unlocked) and what to do once it is dropped (remember where).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget


class DragToMove(QWidget):
    """Left-button drag moves the window; :meth:`drag_allowed` and :meth:`drag_ended` are the hooks."""

    _drag_from: QPoint | None = None

    def drag_allowed(self) -> bool:
        return True

    def drag_ended(self) -> None:
        """The window was dropped at its new place."""

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self.drag_allowed():
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag_from is not None:
            self.move(event.globalPosition().toPoint() - self._drag_from)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag_from is not None:
            self._drag_from = None
            self.drag_ended()
            event.accept()
            return
        super().mouseReleaseEvent(event)
