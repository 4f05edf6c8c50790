"""What the user sees when the library cannot be used: a dialog with the way out, and a History
panel that says the library is unavailable instead of looking empty.

The words come from :class:`~desktop.core.library.health.LibraryFailure` (core); these widgets
only lay them out with the file's path (selectable, to find or copy it) and hand the user's choice
back (:class:`~desktop.ui.library.availability.LibraryHost` acts on it).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library.health import LibraryFailure
from desktop.ui.widgets.buttons import make_button

DIALOG_WIDTH = 600
#: What running without a library means, said wherever the library is said to be unavailable.
EFFECT = (
    "Without it, past transcripts cannot be shown or searched, live sessions are not saved, "
    "and an interrupted session cannot be recovered."
)


class Choice(Enum):
    START_NEW = "start_new"
    CONTINUE = "continue"


def _heading(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def _text(text: str, name: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _path_field(failure: LibraryFailure, name: str, parent: QWidget) -> tuple[QLabel, QLineEdit]:
    """The file's path in a read-only field: selectable with the keyboard too (Tab, Ctrl+A, Ctrl+C)."""
    edit = QLineEdit(str(failure.path), parent)
    edit.setObjectName(name)
    edit.setAccessibleName("Library file")
    edit.setReadOnly(True)
    edit.setCursorPosition(0)
    label = QLabel("&Library file:", parent)
    label.setBuddy(edit)
    return label, edit


class LibraryUnavailableDialog(QDialog):
    """Says what is wrong with the library file and where it is; offers a new library or none.

    Escape (or closing the window) means "continue without": nothing is moved unless asked for.
    "Start a new library" is not the default button, so Enter never moves a file by accident.
    """

    chosen = Signal(object)  # Choice

    def __init__(self, failure: LibraryFailure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure = failure
        self.choice: Choice | None = None
        error = failure.user_error
        self.setObjectName("libraryUnavailableDialog")
        self.setWindowTitle("Library unavailable")
        self.setAccessibleName(error.title)

        self.title_label = _heading(error.title, "libraryUnavailableTitle", self)
        self.message_label = _text(error.message, "libraryUnavailableMessage", self)
        self.effect_label = _text(EFFECT, "libraryUnavailableEffect", self)
        self.action_label = _text(error.action, "libraryUnavailableAction", self)
        path_label, self.path_edit = _path_field(failure, "libraryUnavailablePath", self)
        self.error_label = _text("", "libraryUnavailableError", self)
        self.error_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.error_label.hide()

        self.start_new_button = make_button(
            "&Start a new library",
            "libraryStartNewButton",
            "Start a new library",
            self,
            tip="Rename the old file (it is kept in the same folder) and start an empty library now",
            auto_default=False,
        )
        self.start_new_button.clicked.connect(lambda: self._choose(Choice.START_NEW))
        self.start_new_button.setVisible(failure.can_start_new)
        self.continue_button = make_button(
            "&Continue without the library",
            "libraryContinueButton",
            "Continue without the library",
            self,
            tip="No History, and live sessions are not saved, until the app starts with a library (Esc)",
            auto_default=True,
        )
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(lambda: self._choose(Choice.CONTINUE))

        path_row = QHBoxLayout()
        path_row.addWidget(path_label)
        path_row.addWidget(self.path_edit, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_new_button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.message_label)
        layout.addLayout(path_row)
        layout.addWidget(self.effect_label)
        layout.addWidget(self.action_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.continue_button.setFocus()
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every wrapped line: a dialog's first size ignores height-for-width."""
        layout = self.layout()
        height = layout.heightForWidth(DIALOG_WIDTH) if layout is not None and layout.hasHeightForWidth() else -1
        self.resize(DIALOG_WIDTH, max(height, self.sizeHint().height()))

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.chosen.emit(choice)

    def show_error(self, text: str) -> None:
        """Starting a new library failed: say why here, and leave "continue without" to the user."""
        self.error_label.setText(text)
        self.error_label.show()
        self._fit()
        self.continue_button.setFocus()

    def reject(self) -> None:
        """Escape or the window's close button: continue without the library."""
        if self.choice is None:
            self.choice = Choice.CONTINUE
            self.chosen.emit(Choice.CONTINUE)
        super().reject()


class LibraryUnavailablePanel(QWidget):
    """Stands in for the History panel: the library is unavailable, why, and where the file is."""

    start_new_requested = Signal()

    def __init__(self, failure: LibraryFailure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure = failure
        error = failure.user_error
        self.setObjectName("historyUnavailablePanel")
        self.setAccessibleName("History unavailable")
        self.heading = _heading("History is unavailable", "historyUnavailableHeading", self)
        self.reason_label = _text(f"{error.title}. {error.message}", "historyUnavailableReason", self)
        self.effect_label = _text(EFFECT, "historyUnavailableEffect", self)
        self.action_label = _text(error.action, "historyUnavailableAction", self)
        path_label, self.path_edit = _path_field(failure, "historyUnavailablePath", self)
        self.start_new_button = make_button(
            "Start a ne&w library…",
            "historyStartNewLibraryButton",
            "Start a new library",
            self,
            tip="Choose again what to do with the library file",
        )
        self.start_new_button.clicked.connect(self.start_new_requested.emit)
        self.start_new_button.setVisible(failure.can_start_new)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.effect_label)
        layout.addWidget(path_label)
        layout.addWidget(self.path_edit)
        layout.addWidget(self.action_label)
        row = QHBoxLayout()
        row.addWidget(self.start_new_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    @property
    def text(self) -> str:
        """Everything the panel says, as a screen reader or a test reads it."""
        return "\n".join(
            label.text() for label in (self.heading, self.reason_label, self.effect_label, self.action_label)
        )
