"""The application's own keys (Quit, Settings, Transcribe files/URL) work from every window, not
only the main one: a transcript window that has the focus still quits with Ctrl+Q."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from desktop.ui.jobs.transcript_window import TranscriptWindow
from desktop.ui.main_window import MainWindow
from tests.job_helpers import NeverLoads, completed_job


def _press(qtbot, target, sequence: QKeySequence) -> None:  # noqa: ANN001
    combo = sequence[0]  # type: ignore[index]
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


def _transcript_window_in_front(qtbot, window: MainWindow) -> TranscriptWindow:  # noqa: ANN001
    other = TranscriptWindow(completed_job(), NeverLoads(), window)  # type: ignore[arg-type]
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=2000)
    return other


def test_quit_and_settings_keys_work_from_a_transcript_window(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.show()
    other = _transcript_window_in_front(qtbot, window)

    _press(qtbot, other.view.editor, window.settings_action.shortcut())
    qtbot.waitUntil(lambda: window.settings_dialog is not None, timeout=2000)
    window.settings_dialog.reject()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=2000)

    with qtbot.waitSignal(window.closed, timeout=2000):
        _press(qtbot, other.view.editor, window.quit_action.shortcut())


def test_transcribe_keys_work_from_a_transcript_window(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.show()
    opened: list[str] = []
    window.jobs_panel.sheet_flow.open_files_dialog = lambda: opened.append("files")  # type: ignore[method-assign]
    other = _transcript_window_in_front(qtbot, window)
    _press(qtbot, other.view.editor, QKeySequence("Ctrl+O"))
    qtbot.waitUntil(lambda: opened == ["files"], timeout=2000)
    for action in (window.quit_action, window.settings_action, window.transcribe_files_action):
        assert action.shortcutContext() is Qt.ShortcutContext.ApplicationShortcut
