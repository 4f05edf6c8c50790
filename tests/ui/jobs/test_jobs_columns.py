"""The jobs table fits its dock: no horizontal scroll bar at the dock's width, the source elided
in the middle, and the other columns one right-click (or Menu key) away, remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from desktop.ui.jobs.jobs_model import COL_CREATED, COL_DURATION, COL_LANGUAGES, COL_MODEL, COL_NAME, COL_STATUS
from desktop.ui.jobs.side_panel import JobsSidePanel
from tests.ui.jobs.test_jobs_support import FAST_RETRY, PanelHost, fast_poll, panel_host


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def _fully_shown(table, column: int) -> bool:  # noqa: ANN001
    x = table.columnViewportPosition(column)
    return not table.isColumnHidden(column) and x >= 0 and x + table.columnWidth(column) <= table.viewport().width()


def test_the_table_fits_a_dock_and_columns_can_be_chosen(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    fake_soniox.seed_transcriptions(3)
    host.resize(380, 600)  # the side dock's width in the main window
    panel = host.panel
    table = panel.jobs_table
    panel.refresh()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 3, timeout=5000)
    qtbot.wait(50)
    assert not table.horizontalScrollBar().isVisible()
    for column in (COL_NAME, COL_STATUS, COL_DURATION):
        assert _fully_shown(table, column), column
    for column in (COL_MODEL, COL_CREATED, COL_LANGUAGES):
        assert table.isColumnHidden(column)
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle  # a long URL keeps its start and end

    # The choice is in the header's menu and in the table's own context menu (keyboard path).
    chooser = panel.jobs_columns
    assert chooser.menu.menuAction() in table.actions()
    assert table.horizontalHeader().contextMenuPolicy() is Qt.ContextMenuPolicy.CustomContextMenu
    names = [a.text() for a in chooser.menu.actions()]
    assert names == ["File or URL", "Status", "Model", "Duration", "Created", "Languages"]
    assert not chooser.actions["name"].isEnabled()  # the row's identity is always shown
    chooser.actions["created"].trigger()
    chooser.actions["status"].trigger()
    assert not table.isColumnHidden(COL_CREATED) and table.isColumnHidden(COL_STATUS)
    assert panel.context.settings.ui_state["jobs_columns"] == "name,duration,created"
    assert '"jobs_columns": "name,duration,created"' in panel.context.paths.settings_file.read_text()

    # A new panel (next start) shows the same columns.
    again = JobsSidePanel(panel.context, None, poll_backoff=fast_poll(), retry_policy=FAST_RETRY)
    qtbot.addWidget(again)
    assert [again.jobs_table.isColumnHidden(c) for c in range(6)] == [False, True, True, False, False, True]
    again.shutdown()
