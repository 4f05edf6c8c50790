"""Adding a context pair puts the cursor in the new row's key cell, ready to type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from desktop.ui.widgets.context_editor import ContextEditor


def test_add_pair_opens_the_new_key_cell_for_editing(qtbot) -> None:  # noqa: ANN001
    editor = ContextEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.add_row("domain", "Healthcare")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    table = editor.general_table
    assert table.rowCount() == 2
    assert (table.currentRow(), table.currentColumn()) == (1, 0)
    assert table.state() is QAbstractItemView.State.EditingState
    assert editor.general() == [("domain", "Healthcare")]
