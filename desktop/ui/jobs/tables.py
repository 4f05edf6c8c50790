"""Table views tuned for long lists: fixed row height, no per-row measuring, elided text.

``ResizeToContents`` would measure every loaded row on each change, which is what makes big
tables stutter; fixed heights and interactive column widths keep scrolling 10,000 rows smooth.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


def make_table(
    model: QAbstractItemModel,
    parent: QWidget,
    *,
    name: str,
    accessible: str,
    widths: Sequence[int] = (),
    stretch_column: int = 0,
) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setSortingEnabled(False)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vertical = view.verticalHeader()
    vertical.hide()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 10)
    horizontal = view.horizontalHeader()
    horizontal.setHighlightSections(False)
    horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    horizontal.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


def selected_rows(table: QTableView) -> list[int]:
    """The selected rows in order, or the focused current row when nothing is selected."""
    model: QItemSelectionModel | None = table.selectionModel()  # None before a model is set
    rows = sorted({index.row() for index in model.selectedRows()}) if model is not None else []
    if not rows and table.currentIndex().isValid() and table.hasFocus():
        rows = [table.currentIndex().row()]
    return rows
