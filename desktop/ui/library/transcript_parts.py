"""The pieces of the library's transcript window that are not the window: the text prompt, the
header's date and details line, and the view subclass that lets the window extend its menu.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, QPoint
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from desktop.core.durations import duration_text
from desktop.core.library.store import TranscriptInfo
from desktop.ui.transcript.view import TranscriptView

#: ``prompt(parent, title, label, current) -> new text, or None when cancelled``.
TextPrompt = Callable[[QWidget, str, str, str], "str | None"]

SOURCE_NAMES = {
    "microphone": "Microphone",
    "file": "File",
    "url": "Stream",
    "system": "System audio",
    "meeting": "Meeting",
    "job-file": "File job",
    "job-url": "URL job",
    "dictation": "Dictation",
}


def ask_text(parent: QWidget, title: str, label: str, current: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setObjectName("libraryTextDialog")
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(current)
    edit = dialog.findChild(QLineEdit)
    if edit is not None:
        edit.setObjectName("libraryTextEdit")
        edit.setAccessibleName(title)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


def date_text(epoch_s: float) -> str:
    """Day, month name, year and time in the user's language (month names are localised)."""
    when = QDateTime.fromSecsSinceEpoch(int(epoch_s))
    return QLocale().toString(when, "ddd d MMM yyyy, HH:mm")


def meta_text(info: TranscriptInfo) -> str:
    parts = [date_text(info.created_at)]
    if info.duration_ms:
        parts.append(duration_text(info.duration_ms))
    source = SOURCE_NAMES.get(info.source_kind, info.source_kind or "Transcript")
    if info.source_label and info.source_label != info.title:
        source = f"{source}: {info.source_label}"
    parts.append(source)
    labels = info.speaker_labels
    if labels:
        parts.append(", ".join(labels[:4]) + (f" +{len(labels) - 4}" if len(labels) > 4 else ""))
    if info.status == "active":
        parts.append("● recording now")
    elif info.interrupted:
        parts.append("interrupted (recovered)")
    return " · ".join(parts)


class LibraryTranscriptView(TranscriptView):
    """The shared view, told it shows a finished text: no following the end, extra menu items."""

    def __init__(self, parent: QWidget | None = None, **kwargs: Any) -> None:
        # A stored transcript is read from the top (or a search hit), never pulled to its end.
        super().__init__(parent, follow_live=False, **kwargs)
        #: ``extend(menu, document_position)`` adds the window's own items.
        self.menu_extender: Callable[[QMenu, int], None] | None = None

    def build_context_menu(self, pos: QPoint) -> QMenu:
        menu = super().build_context_menu(pos)
        if self.menu_extender is not None:
            self.menu_extender(menu, self.editor.cursorForPosition(pos).position())
        return menu


def file_stem(title: str) -> str:
    safe = "".join(c if c.isalnum() or c in " -_." else "_" for c in title).strip(" .")
    return safe[:80] or "transcript"
