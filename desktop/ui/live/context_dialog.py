"""Edit the session context: key/value facts, terms to recognise, and free text.

Context is how users teach the model names and jargon ("Dr. Martha Smith", "Celebrex"); it is
edited in a dialog because it is set up once per meeting type, not touched during a session.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.live.config_builder import ContextOptions


class ContextDialog(QDialog):
    def __init__(self, context: ContextOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._translation_terms = list(context.translation_terms)
        self.setObjectName("contextDialog")
        self.setWindowTitle("Context for recognition")
        self.setMinimumSize(520, 480)
        intro = QLabel(
            "Context helps the model with names, jargon and topic. Everything here is optional.", self
        )
        intro.setObjectName("contextIntro")
        intro.setWordWrap(True)

        self.general_table = QTableWidget(0, 2, self)
        self.general_table.setObjectName("contextGeneralTable")
        self.general_table.setAccessibleName("Facts as key and value")
        self.general_table.setHorizontalHeaderLabels(["Key (e.g. domain)", "Value (e.g. Healthcare)"])
        self.general_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.general_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for key, value in context.general:
            self._add_row(key, value)
        self.add_row_button = QPushButton("&Add fact", self)
        self.add_row_button.setObjectName("contextAddFactButton")
        self.add_row_button.setAccessibleName("Add fact")
        self.add_row_button.clicked.connect(lambda: self._add_row("", ""))
        self.remove_row_button = QPushButton("&Remove fact", self)
        self.remove_row_button.setObjectName("contextRemoveFactButton")
        self.remove_row_button.setAccessibleName("Remove selected fact")
        self.remove_row_button.clicked.connect(self._remove_rows)

        self.terms_edit = QPlainTextEdit("\n".join(context.terms), self)
        self.terms_edit.setObjectName("contextTermsEdit")
        self.terms_edit.setAccessibleName("Terms, one per line")
        self.terms_edit.setPlaceholderText("One term per line, e.g.\nCelebrex\nZyrtec")
        self.text_edit = QPlainTextEdit(context.text, self)
        self.text_edit.setObjectName("contextTextEdit")
        self.text_edit.setAccessibleName("Background text")
        self.text_edit.setPlaceholderText("Free text about the conversation: agenda, participants, topic…")

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

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_row_button)
        row.addWidget(self.remove_row_button)
        form = QFormLayout()
        facts_label = QLabel("&Facts:", self)
        facts_label.setBuddy(self.general_table)
        terms_label = QLabel("&Terms:", self)
        terms_label.setBuddy(self.terms_edit)
        text_label = QLabel("&Background:", self)
        text_label.setBuddy(self.text_edit)
        form.addRow(facts_label, self.general_table)
        form.addRow("", row)
        form.addRow(terms_label, self.terms_edit)
        form.addRow(text_label, self.text_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form, 1)
        layout.addWidget(buttons)

    def _add_row(self, key: str, value: str) -> None:
        row = self.general_table.rowCount()
        self.general_table.insertRow(row)
        self.general_table.setItem(row, 0, QTableWidgetItem(key))
        self.general_table.setItem(row, 1, QTableWidgetItem(value))
        if not key:
            self.general_table.setCurrentCell(row, 0)
            self.general_table.editItem(self.general_table.item(row, 0))

    def _remove_rows(self) -> None:
        rows = sorted({index.row() for index in self.general_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.general_table.removeRow(row)

    def context(self) -> ContextOptions:
        general = []
        for row in range(self.general_table.rowCount()):
            key_item, value_item = self.general_table.item(row, 0), self.general_table.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            value = value_item.text().strip() if value_item else ""
            if key and value:
                general.append((key, value))
        terms = [line.strip() for line in self.terms_edit.toPlainText().splitlines() if line.strip()]
        return ContextOptions(
            general=general,
            terms=terms,
            text=self.text_edit.toPlainText().strip(),
            translation_terms=self._translation_terms,
        )
