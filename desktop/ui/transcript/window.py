"""What every transcript window shares: a top-level window around a :class:`TranscriptView`.

Job transcripts (``desktop.ui.jobs.transcript_window``) and stored ones
(``desktop.ui.library.transcript_window``) differ in where the words come from and what can be
done to them (playback, corrections), but are read the same way: the "Show times" toggle, Ctrl+W
to close, Escape that first closes the find bar and then the window, and the window deleting
itself when closed. Subclasses build their header and add their view with :meth:`set_view`,
laying their widgets out in :attr:`body`.

It is a :class:`QMainWindow` (not a bare ``QWidget`` with the Window flag) so screen readers
announce it as a window (role Window) named by its title, like the main window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QMainWindow, QWidget

from desktop.ui.transcript.view import TranscriptView


class TranscriptWindowBase(QMainWindow):
    view: TranscriptView

    def __init__(
        self, parent: QWidget | None, *, object_name: str, times_object_name: str, size: tuple[int, int]
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName(object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(*size)
        #: Where subclasses put their layout (a main window's content is its central widget).
        self.body = QWidget(self)
        self.body.setObjectName(f"{object_name}Body")
        self.setCentralWidget(self.body)
        self.timestamps_check = QCheckBox("Show &times", self)
        self.timestamps_check.setObjectName(times_object_name)
        self.timestamps_check.setAccessibleName("Show times")
        self.timestamps_check.setChecked(True)

    def set_view(self, view: TranscriptView) -> None:
        """Adopt the view: the times toggle drives it and the window's keys are installed."""
        self.view = view
        self.timestamps_check.toggled.connect(self._on_show_times)
        self.add_shortcut(QKeySequence(QKeySequence.StandardKey.Close), self.close)
        self.add_shortcut(QKeySequence(Qt.Key.Key_Escape), self._escape)

    def add_shortcut(self, keys: QKeySequence, slot: Callable[[], object]) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowTitleChange:
            self.setAccessibleName(self.windowTitle())  # what a screen reader says on focus

    def _on_show_times(self, on: bool) -> None:
        self.view.set_show_timestamps(on)

    def _escape(self) -> None:
        if self.view.find_bar.isVisible():
            self.view.find_bar.close_bar()
        else:
            self.close()
