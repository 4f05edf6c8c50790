"""After an export: where the file went, and a way to get there ("Show in folder").

A save dialog closes and the file is simply somewhere; this strip under the transcript's toolbar
names the file and its folder (selectable, for copying) and opens the folder in the system's
file manager. The opener is an attribute (``open_url``) so tests need not launch a file manager.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from desktop.ui.widgets.buttons import make_button


class ExportNotice(QFrame):
    """ "Saved “talk.srt” in /home/me/Documents  [Show in folder] [Dismiss]"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportNotice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.path: Path | None = None
        self.label = QLabel(self)
        self.label.setObjectName("exportNoticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = make_button(
            "Sho&w in folder",
            "showExportFolderButton",
            "Show the exported file in its folder",
            self,
            slot=self.show_in_folder,
        )
        self.dismiss_button = make_button(
            "Dismiss", "dismissExportNoticeButton", "Dismiss the export message", self, slot=self.hide
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def show_saved(self, path: Path) -> None:
        self.path = path
        self.label.setText(f"Saved “{path.name}” in {path.parent}")
        self.setAccessibleDescription(self.label.text())
        self.show()

    def show_in_folder(self) -> bool:
        """Open the exported file's folder; if no file manager answers, say where it is."""
        if self.path is None:
            return False
        ok = bool(self.open_url(QUrl.fromLocalFile(str(self.path.parent))))
        if not ok:
            self.label.setText(f"Could not open a file manager. The file is {self.path}")
        return ok
