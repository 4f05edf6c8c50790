"""At start: "a live session was interrupted" — offer it back, complete up to the crash.

The library marks sessions whose app died as interrupted (see
:meth:`Library.recover_interrupted`); this dialog lists them with what was saved (words,
length, whether audio was kept) and lets the user open one, keep them in the history, or delete
them. It is not modal: the app is usable behind it, and closing it keeps the sessions (they stay
in the history, marked "interrupted", and are not offered again).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.library.store import Library, TranscriptInfo
from desktop.ui.library.transcript_parts import meta_text
from desktop.ui.widgets.buttons import make_button

IdRole = Qt.ItemDataRole.UserRole + 1


def describe(info: TranscriptInfo) -> str:
    audio = " · audio kept" if info.audio_path else ""
    return f"{info.title} — {info.word_count:,} words{audio}\n{meta_text(info)}"


class RecoveryDialog(QDialog):
    open_requested = Signal(int)  # transcript id

    def __init__(self, library: Library, sessions: list[TranscriptInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("Interrupted session found")
        self.setAccessibleName("Interrupted session found")
        self.resize(560, 320)
        several = len(sessions) > 1
        self.intro = QLabel(
            (
                "The app closed unexpectedly during live sessions. "
                if several
                else "The app closed unexpectedly during a live session. "
            )
            + "Everything transcribed up to the moment it closed was saved:",
            self,
        )
        self.intro.setObjectName("recoveryIntro")
        self.intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("recoveryList")
        self.list.setAccessibleName("Interrupted sessions")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(2)
        for info in sessions:
            item = QListWidgetItem(describe(info), self.list)
            item.setData(IdRole, info.id)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.open_selected())

        self.open_button = self._button(
            "&Open", "recoveryOpenButton", "Open the session", "Show the recovered transcript (Enter)"
        )
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_selected)
        self.keep_button = self._button(
            "&Keep in history",
            "recoveryKeepButton",
            "Keep in history",
            "Close this message; the sessions stay in the history",
        )
        self.keep_button.clicked.connect(self.keep_all)
        self.delete_button = self._button(
            "&Delete",
            "recoveryDeleteButton",
            "Delete the session",
            "Delete the selected session and its recording",
        )
        self.delete_button.clicked.connect(self.delete_selected)

        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def _button(self, text: str, name: str, accessible: str, tip: str) -> QPushButton:
        return make_button(text, name, accessible, self, tip=tip, auto_default=False)

    def session_ids(self) -> list[int]:
        return [int(self.list.item(i).data(IdRole)) for i in range(self.list.count())]

    def _selected(self) -> tuple[int, int] | None:
        row = self.list.currentRow()
        if row < 0:
            return None
        return row, int(self.list.item(row).data(IdRole))

    def open_selected(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        row, tid = chosen
        self.library.resolve_recovery(tid)
        self.list.takeItem(row)
        self.open_requested.emit(tid)
        if not self.list.count():
            self.accept()

    def delete_selected(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        row, tid = chosen
        self.library.delete(tid)
        self.list.takeItem(row)
        if not self.list.count():
            self.accept()

    def keep_all(self) -> None:
        for tid in self.session_ids():
            self.library.resolve_recovery(tid)
        self.list.clear()
        self.accept()

    def reject(self) -> None:
        """Closing the dialog keeps the sessions, like "Keep in history"."""
        for tid in self.session_ids():
            self.library.resolve_recovery(tid)
        super().reject()


def offer_recovery(
    library: Library, parent: QWidget | None, open_transcript: Callable[[int], object]
) -> RecoveryDialog | None:
    """Find interrupted sessions and, if any, show the dialog (non-modal); returns it."""
    sessions = library.recover_interrupted()
    if not sessions:
        return None
    dialog = RecoveryDialog(library, sessions, parent)
    dialog.open_requested.connect(open_transcript)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
