"""Edit recognition context: key/value facts, terms, and free text (live options and job sheet).

Context is how users teach the model names and jargon ("Dr. Martha Smith", "Celebrex"). Both the
live options and the job sheet edit the same three parts, so they share this one widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
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


class ContextEditor(QWidget):
    def __init__(self, parent: QWidget | None = None, *, name_prefix: str = "context") -> None:
        super().__init__(parent)
        self.setObjectName(f"{name_prefix}Editor")
        self.general_table = QTableWidget(0, 2, self)
        self.general_table.setObjectName(f"{name_prefix}General")
        self.general_table.setAccessibleName("General context: key and value pairs")
        self.general_table.setHorizontalHeaderLabels(["Key (e.g. domain)", "Value (e.g. Healthcare)"])
        self.general_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.general_table.verticalHeader().hide()
        self.general_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.general_table.setMaximumHeight(140)
        self.add_button = QPushButton("&Add pair", self)
        self.add_button.setObjectName(f"{name_prefix}Add")
        self.add_button.setAccessibleName("Add a key and value pair")
        self.add_button.clicked.connect(lambda: self.add_row("", ""))
        self.remove_button = QPushButton("Re&move pair", self)
        self.remove_button.setObjectName(f"{name_prefix}Remove")
        self.remove_button.setAccessibleName("Remove the selected key and value pair")
        self.remove_button.clicked.connect(self.remove_selected_rows)
        self.terms_edit = QPlainTextEdit(self)
        self.terms_edit.setObjectName(f"{name_prefix}Terms")
        self.terms_edit.setAccessibleName("Terms, one per line")
        self.terms_edit.setPlaceholderText("One term per line, e.g.\nCelebrex\nZyrtec")
        self.terms_edit.setMaximumHeight(90)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName(f"{name_prefix}Text")
        self.text_edit.setAccessibleName("Free text context")
        self.text_edit.setPlaceholderText("Background: an agenda, the topic, names of participants…")
        self.text_edit.setMaximumHeight(100)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._label("&General (key and value):", self.general_table, f"{name_prefix}GeneralLabel"))
        layout.addWidget(self.general_table)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self._label("&Terms (one per line):", self.terms_edit, f"{name_prefix}TermsLabel"))
        layout.addWidget(self.terms_edit)
        layout.addWidget(self._label("Free te&xt:", self.text_edit, f"{name_prefix}TextLabel"))
        layout.addWidget(self.text_edit)

    def _label(self, text: str, buddy: QWidget, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setBuddy(buddy)
        return label

    def add_row(self, key: str, value: str) -> None:
        row = self.general_table.rowCount()
        self.general_table.insertRow(row)
        key_item = QTableWidgetItem(key)
        self.general_table.setItem(row, 0, key_item)
        self.general_table.setItem(row, 1, QTableWidgetItem(value))
        if not key:
            self.general_table.setCurrentCell(row, 0)
            self.general_table.editItem(key_item)

    def remove_selected_rows(self) -> None:
        rows = {index.row() for index in self.general_table.selectedIndexes()}
        if not rows and self.general_table.currentRow() >= 0:
            rows = {self.general_table.currentRow()}
        for row in sorted(rows, reverse=True):
            self.general_table.removeRow(row)

    def set_values(self, general: Sequence[tuple[str, str]], terms: Sequence[str], text: str) -> None:
        self.general_table.setRowCount(0)
        for key, value in general:
            self.add_row(key, value)
        self.terms_edit.setPlainText("\n".join(terms))
        self.text_edit.setPlainText(text)

    def general(self) -> list[tuple[str, str]]:
        """Rows with a key or a value (half-filled rows are the caller's to validate or drop)."""
        pairs = []
        for row in range(self.general_table.rowCount()):
            key_item, value_item = self.general_table.item(row, 0), self.general_table.item(row, 1)
            key = key_item.text().strip() if key_item else ""
            value = value_item.text().strip() if value_item else ""
            if key or value:
                pairs.append((key, value))
        return pairs

    def terms(self) -> list[str]:
        return [line.strip() for line in self.terms_edit.toPlainText().splitlines() if line.strip()]

    def text(self) -> str:
        return self.text_edit.toPlainText().strip()
