"""A searchable multi-select of languages, used for language hints in settings and the panels.

Soniox models support about 60 languages; a filter box plus a checkable list keeps that usable
from the keyboard (type to filter, arrows to move, Space to check) and shows the choice in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget


class LanguagePicker(QWidget):
    selection_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None, *, name: str = "Language hints") -> None:
        super().__init__(parent)
        self.setObjectName("languagePicker")
        self._model = QStandardItemModel(self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._proxy.setFilterKeyColumn(0)
        self._order: list[str] = []
        self._updating = False

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("languageFilter")
        self.filter_edit.setAccessibleName(f"Filter {name.lower()}")
        self.filter_edit.setPlaceholderText("Type to filter languages…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._proxy.setFilterFixedString)

        self.list_view = QListView(self)
        self.list_view.setObjectName("languageList")
        self.list_view.setAccessibleName(name)
        self.list_view.setModel(self._proxy)
        self.list_view.setMinimumHeight(120)

        self.summary = QLabel(self)
        self.summary.setObjectName("languageSummary")
        self.summary.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.filter_edit)
        self.filter_edit.returnPressed.connect(self._toggle_first_match)
        self._model.itemChanged.connect(self._on_item_changed)
        self._update_summary()

    def set_languages(self, languages: Iterable[tuple[str, str]], selected: Sequence[str] = ()) -> None:
        """Show ``(code, name)`` pairs; keep the selected codes that the new list still has."""
        keep = list(selected) if selected else list(self._order)
        # Not blockSignals(): the filter proxy (and so the list the user sees) must hear the rows.
        self._updating = True
        self._model.clear()
        for code, name in sorted(languages, key=lambda pair: pair[1].lower()):
            item = QStandardItem(f"{name} ({code})")
            item.setData(code, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(Qt.CheckState.Checked if code in keep else Qt.CheckState.Unchecked)
            self._model.appendRow(item)
        self._updating = False
        available = set(self.codes())
        self._order = [code for code in keep if code in available]
        self._update_summary()

    def codes(self) -> list[str]:
        return [self._model.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self._model.rowCount())]

    def selected(self) -> list[str]:
        """Selected language codes, in the order the user picked them."""
        return list(self._order)

    def set_selected(self, codes: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(codes))
        self._updating = True
        for row in range(self._model.rowCount()):
            item = self._model.item(row)
            code = item.data(Qt.ItemDataRole.UserRole)
            item.setCheckState(Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked)
        self._updating = False
        available = set(self.codes())
        self._order = [c for c in wanted if c in available]
        self._update_summary()
        self.selection_changed.emit(self.selected())

    def _toggle_first_match(self) -> None:
        if self._proxy.rowCount() == 0:
            return
        item = self._model.itemFromIndex(self._proxy.mapToSource(self._proxy.index(0, 0)))
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
        self.filter_edit.clear()

    def _on_item_changed(self, item: QStandardItem) -> None:
        if self._updating:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            if code not in self._order:
                self._order.append(code)
        elif code in self._order:
            self._order.remove(code)
        self._update_summary()
        self.selection_changed.emit(self.selected())

    def _update_summary(self) -> None:
        if not self._order:
            self.summary.setText("No hints: the language is detected automatically.")
        else:
            self.summary.setText("Hints: " + ", ".join(self._order))
