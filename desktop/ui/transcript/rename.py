"""Ask the user for a speaker's name (the prompt is a plain function so tests can replace it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

#: ``prompt(parent, speaker_id, current_label) -> new name, or None when cancelled``.
NamePrompt = Callable[[QWidget, str, str], "str | None"]


def ask_speaker_name(parent: QWidget, speaker_id: str, current: str) -> str | None:
    """A small modal dialog; an empty answer restores the default "Speaker N" label."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("renameSpeakerDialog")
    dialog.setWindowTitle("Rename speaker")
    dialog.setLabelText(f"Name for {current} (leave empty for the default):")
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(current)
    dialog.setOkButtonText("Rename")
    edit = dialog.findChild(QLineEdit)
    if edit is not None:
        edit.setObjectName("speakerNameEdit")
        edit.setAccessibleName("Speaker name")
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()
