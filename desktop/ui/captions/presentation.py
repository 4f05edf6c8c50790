"""Presentation mode: the live transcript full-screen in very large type, for a room or a stream.

It is a second view of the live controller's transcript (the Live panel's view goes on as before),
so it can go on a projector while the laptop screen keeps the app. It follows the newest words;
Esc leaves it, Ctrl++ / Ctrl+- change the type size.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.core.segments import TranscriptDelta
from desktop.ui.live.controller import LiveController
from desktop.ui.transcript.view import TranscriptView

DEFAULT_PT = 40
MIN_PT, MAX_PT = 18, 120


class PresentationWindow(QWidget):
    closed = Signal()

    def __init__(self, live: LiveController, *, font_pt: int = DEFAULT_PT) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("presentationWindow")
        self.setWindowTitle("Live transcript — presentation")
        self.setAccessibleName("Live transcript, presentation")
        self.live = live
        self.view = TranscriptView(self, show_toolbar=False, export_title="Live transcript", follow_live=True)
        self.view.setObjectName("presentationView")
        self.view.editor.setCursorWidth(0)  # nobody types here: no blinking caret on the projector
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addWidget(self.view)
        self.font_pt = font_pt
        self._apply_font()
        self.view.set_transcript(live.transcript)
        live.delta_ready.connect(self._on_delta)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_Escape), self.close),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.set_font_pt(self.font_pt + 4)),
            (QKeySequence("Ctrl+="), lambda: self.set_font_pt(self.font_pt + 4)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.set_font_pt(self.font_pt - 4)),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(slot)

    def set_font_pt(self, size: int) -> None:
        self.font_pt = min(max(size, MIN_PT), MAX_PT)
        self._apply_font()

    def _apply_font(self) -> None:
        font = self.view.editor.font()
        font.setPointSize(self.font_pt)
        self.view.editor.setFont(font)

    def _on_delta(self, delta: TranscriptDelta) -> None:
        if self.live.transcript is not self.view.transcript:  # a new session began
            self.view.set_transcript(self.live.transcript)
            return
        self.view.apply_delta(delta)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.live.delta_ready.disconnect(self._on_delta)
        self.closed.emit()
        super().closeEvent(event)
