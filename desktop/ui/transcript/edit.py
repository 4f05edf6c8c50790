"""The read-only text area of the transcript: clickable speaker labels and plain-text copying.

Split from :mod:`desktop.ui.transcript.view` because it is the mouse/clipboard layer of one
QTextEdit, independent of how the view feeds, follows, finds or exports the transcript.
``desktop.ui.transcript.view`` re-exports :class:`TranscriptEdit`.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QTextEdit, QWidget

from desktop.ui.transcript.document import clean_text
from desktop.ui.transcript.speaker_colors import SPEAKER_HREF_PREFIX


class TranscriptEdit(QTextEdit):
    """Read-only text with clickable speaker labels and plain-text copying."""

    label_clicked = Signal(str)
    context_menu_requested = Signal(QContextMenuEvent)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptText")
        self.setAccessibleName("Transcript")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(10)
        self.viewport().setMouseTracking(True)
        self._pressed_href = ""

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt override
        """Copy plain text only, without the endpoint glyphs: it is pasted into mail and notes."""
        mime = QMimeData()
        mime.setText(clean_text(self.textCursor().selection().toPlainText()))
        return mime

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._pressed_href = ""
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed_href = self.anchorAt(event.position().toPoint())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pressed, self._pressed_href = self._pressed_href, ""
        super().mouseReleaseEvent(event)
        if (
            event.button() == Qt.MouseButton.LeftButton
            and pressed.startswith(SPEAKER_HREF_PREFIX)
            and self.anchorAt(event.position().toPoint()) == pressed
            and not self.textCursor().hasSelection()
        ):
            self.label_clicked.emit(pressed[len(SPEAKER_HREF_PREFIX) :])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        over_label = self.anchorAt(event.position().toPoint()).startswith(SPEAKER_HREF_PREFIX)
        shape = Qt.CursorShape.PointingHandCursor if over_label else Qt.CursorShape.IBeamCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        self.context_menu_requested.emit(event)
