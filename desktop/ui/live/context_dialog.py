"""The live session's context, edited in a dialog: it is set up once per meeting type, not
touched during a session."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.core.live.config_builder import ContextOptions
from desktop.ui.widgets.context_editor import ContextEditor


class ContextDialog(QDialog):
    def __init__(self, context: ContextOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._translation_terms = list(context.translation_terms)
        self.setObjectName("contextDialog")
        self.setWindowTitle("Context for recognition")
        self.setMinimumSize(520, 480)
        intro = QLabel("Context helps the model with names, jargon and topic. Everything here is optional.", self)
        intro.setObjectName("contextIntro")
        intro.setWordWrap(True)
        self.editor = ContextEditor(self, name_prefix="liveContext")
        self.editor.set_values(context.general, context.terms, context.text)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.setObjectName("contextButtons")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("contextOkButton")
        ok.setAccessibleName("OK")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("contextCancelButton")
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)

    def context(self) -> ContextOptions:
        return ContextOptions(
            general=[(k, v) for k, v in self.editor.general() if k and v],
            terms=self.editor.terms(),
            text=self.editor.text(),
            translation_terms=self._translation_terms,
        )
