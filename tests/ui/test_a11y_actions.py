"""A screen reader can do what a mouse does: reach and hear the Export menu, know a transcript
window is a window, press "Transcribe files…" and get control back at once; and an export says
where the file went, with a way to open its folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from desktop.core.transcript import Token, Transcript
from desktop.ui.jobs.transcript_window import TranscriptWindow
from desktop.ui.transcript import TranscriptView
from tests.a11y import assert_accessible
from tests.job_helpers import NeverLoads, completed_job
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host


def _transcript() -> Transcript:
    return Transcript.from_tokens(
        [Token("Hello", 0, 300, 0.9, True, "1", "en", None, None), Token(" there.", 300, 600, 0.9, True, "1")]
    )


@pytest.fixture
def view(qtbot) -> TranscriptView:  # noqa: ANN001
    widget = TranscriptView()
    qtbot.addWidget(widget)
    widget.resize(640, 400)
    widget.show()
    widget.set_transcript(_transcript())
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    return widget


def _menu_seen_when(qtbot, act) -> QMenu | None:  # noqa: ANN001
    """Run ``act`` (which opens a popup menu modally) and return the menu that was shown."""
    seen: list[QMenu] = []

    def look() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            seen.append(popup)
            popup.close()
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(20, look)
    act()
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    return seen[0]


def test_export_menu_is_reachable_from_the_keyboard_and_named(qtbot, view: TranscriptView) -> None:  # noqa: ANN001
    button = view.export_button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    menu = view.export_menu
    assert menu.accessibleName() == "Export formats" and menu.accessibleDescription()
    for action in menu.actions():
        if not action.isSeparator():
            assert action.text() and action.toolTip() and action.objectName()
    iface = QAccessible.queryAccessibleInterface(button)
    assert iface.text(QAccessible.Text.Name) == "Export transcript"
    assert "menu" in iface.text(QAccessible.Text.Description)

    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=1000)
    assert _menu_seen_when(qtbot, lambda: qtbot.keyClick(button, Qt.Key.Key_Space)) is menu
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    assert _menu_seen_when(qtbot, lambda: qtbot.keyClick(view.editor, Qt.Key.Key_E, ctrl_shift)) is menu


def test_export_says_where_the_file_went_and_shows_its_folder(view: TranscriptView, tmp_path: Path) -> None:
    opened: list[QUrl] = []
    view.export_notice.open_url = lambda url: opened.append(url) or True
    view.save_file_prompt = lambda *_args: str(tmp_path / "talk")
    assert not view.export_notice.isVisible()
    path = view.export_via_dialog("srt")
    assert path is not None and Path(path).read_text(encoding="utf-8").startswith("1\n")
    notice = view.export_notice
    assert notice.isVisible()
    assert notice.label.text() == f"Saved “talk.srt” in {tmp_path.resolve()}"
    assert_accessible(notice)
    notice.show_button.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path.resolve()))]
    notice.dismiss_button.click()
    assert not notice.isVisible()


def test_transcript_window_is_announced_as_a_window_named_by_its_title(qtbot, qloop) -> None:  # noqa: ANN001
    job = completed_job()
    window = TranscriptWindow(job, NeverLoads())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    assert window.isWindow()
    iface = QAccessible.queryAccessibleInterface(window)
    assert iface.role() == QAccessible.Role.Window
    assert window.accessibleName() == window.windowTitle() == "talk.wav — Transcript"
    assert iface.text(QAccessible.Text.Name) == "talk.wav — Transcript"
    assert_accessible(window)


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def test_pressing_transcribe_files_through_accessibility_returns_at_once(qtbot, host: PanelHost) -> None:  # noqa: ANN001
    button = host.panel.add_files_button
    flow = host.panel.sheet_flow
    # Connected after the panel's handler, so it runs once that handler has returned: it records
    # whether the chooser was open and waiting for the user by then (not run and closed already).
    after_handler: list[bool] = []
    button.clicked.connect(
        lambda: after_handler.append(getattr(flow, "file_dialog", None) is not None and flow.file_dialog.isVisible())
    )
    # Safety net: if the handler blocked in a modal dialog, close it so the test fails, not hangs.
    QTimer.singleShot(1500, lambda: [w.reject() for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog)])
    action = QAccessible.queryAccessibleInterface(button).actionInterface()
    assert QAccessibleActionInterface.pressAction() in action.actionNames()
    action.doAction(QAccessibleActionInterface.pressAction())
    qtbot.waitUntil(lambda: bool(after_handler), timeout=3000)
    assert after_handler == [True]
    chooser = flow.file_dialog
    assert chooser.objectName() == "transcribeFilesDialog" and chooser.accessibleName()
    chooser.reject()
    qtbot.waitUntil(lambda: flow.file_dialog is None, timeout=1000)
