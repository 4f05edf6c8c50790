"""Which columns a jobs or files table shows, chosen by the user and remembered.

The jobs table has six columns but lives in a side dock about 380 px wide, so showing all of
them put Duration, Created and Languages behind a horizontal scroll bar. By default the table
shows what fits (the name, stretched and elided in the middle, plus the short columns); the
header's context menu, and a "Columns" submenu in the table's own context menu (the keyboard
path: Menu key or Shift+F10), turn the others on and off. The choice is kept in the settings'
``ui_state`` as the visible column keys, comma-separated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView

from desktop.core.settings import SettingsStore

log = logging.getLogger(__name__)


class ColumnChooser:
    """Checkable columns for ``table``; column 0 (what identifies a row) is always shown."""

    def __init__(
        self,
        table: QTableView,
        store: SettingsStore,
        *,
        setting: str,
        keys: Sequence[str],
        default_visible: Sequence[str],
    ) -> None:
        self.table = table
        self._store = store
        self._setting = setting
        self._keys = list(keys)
        model = table.model()
        self.menu = QMenu("&Columns", table)
        self.menu.setObjectName(f"{table.objectName()}ColumnsMenu")
        self.menu.setAccessibleName("Columns to show")
        self.actions: dict[str, QAction] = {}
        for column, key in enumerate(self._keys):
            title = str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
            action = QAction(title, self.menu)
            action.setObjectName(f"{table.objectName()}Column_{key}")
            action.setCheckable(True)
            action.setEnabled(column != 0)
            action.toggled.connect(lambda on, c=column: self._on_toggled(c, on))
            self.menu.addAction(action)
            self.actions[key] = action
        saved = store.ui_str(setting)
        visible = {k for k in saved.split(",") if k in self._keys} if saved else set(default_visible)
        visible.add(self._keys[0])
        for column, key in enumerate(self._keys):
            self.actions[key].blockSignals(True)
            self.actions[key].setChecked(key in visible)
            self.actions[key].blockSignals(False)
            table.setColumnHidden(column, key not in visible)

        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_header_menu)
        submenu = self.menu.menuAction()
        submenu.setObjectName(f"{table.objectName()}ColumnsAction")
        separator = QAction(table)
        separator.setSeparator(True)
        table.addAction(separator)
        table.addAction(submenu)  # the table's context menu (ActionsContextMenu) shows it too

    def visible_keys(self) -> list[str]:
        return [key for column, key in enumerate(self._keys) if not self.table.isColumnHidden(column)]

    def _show_header_menu(self, pos: QPoint) -> None:
        self.menu.popup(self.table.horizontalHeader().mapToGlobal(pos))

    def _on_toggled(self, column: int, on: bool) -> None:
        self.table.setColumnHidden(column, not on)
        self._store.settings.ui_state[self._setting] = ",".join(self.visible_keys())
        try:
            self._store.save()
        except OSError as exc:
            log.warning("Could not save the table's columns: %s", exc)
