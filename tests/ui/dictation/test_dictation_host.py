"""Dictation in the app: File → Dictate, the floating indicator following a dictation against the
emulator, what the user is told when the text could only be copied, and the History row."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction

from desktop.audio.levels import LevelReading
from desktop.core.dictation.service import DictationState
from desktop.core.dictation.types import FocusedApp, InsertMethod, InsertResult
from desktop.core.library.store import Library
from desktop.ui.dictation import indicator as indicator_module
from desktop.ui.dictation.host import DictationHost, connect_tray
from desktop.ui.dictation.hotkey_host import find_hotkey_host
from desktop.ui.dictation.indicator import POSITION_KEY, DictationIndicator
from desktop.ui.library.history_panel import HistoryPanel
from desktop.ui.main_window import MainWindow
from tests.core.dictation.helpers import FAST, RecordingInserter, speaking_source
from tests.core.live.test_live_session import WORDS

S = DictationState


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


def make_host(ctx, library: Library | None, inserter: RecordingInserter, **kwargs) -> DictationHost:  # noqa: ANN001
    ctx.settings.realtime_model = "stt-rt-v4"
    return DictationHost(
        ctx,
        library=lambda: library,
        source_factory=speaking_source,
        inserter=lambda: inserter,
        focused_app=lambda: FocusedApp("Editor", "editor"),
        session_options=FAST,
        **kwargs,
    )


class PreparedInserter(RecordingInserter):
    prepared = 0

    def prepare(self) -> None:
        self.prepared += 1


def test_file_menu_has_dictate_with_a_shortcut(qtbot, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    action = window.findChild(QAction, "dictateAction")
    assert action is not None and action in window.file_menu.actions()
    assert action.shortcut().toString() == "Ctrl+Shift+D"
    assert isinstance(window.dictation, DictationHost) and window.dictation.action is action
    assert window.dictation.state is S.IDLE


def test_without_a_key_dictate_says_what_to_do(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())
    qtbot.addWidget(window)
    window.dictation.toggle()
    qtbot.waitUntil(lambda: window.dictation.state is S.ERROR)
    indicator = window.dictation.indicator
    assert indicator.isVisible() and "API key in Settings" in indicator.words_label.text()
    assert "API key" in window.status.currentMessage()
    window.dictation.shutdown()


def test_a_dictation_shows_the_indicator_then_inserts_and_lists_it_in_history(
    qtbot,
    qloop,
    live_ctx,
    fake_soniox,
    library: Library,  # noqa: ANN001
) -> None:
    fake_soniox.set_script([WORDS])
    inserter = PreparedInserter(before="")
    host = make_host(live_ctx, library, inserter)
    panel = HistoryPanel(None, library)
    qtbot.addWidget(panel)
    panel.show()
    states: list[DictationState] = []
    host.state_changed.connect(states.append)

    host.toggle()  # Dictate
    indicator = host.indicator
    qtbot.waitUntil(lambda: host.state is S.LISTENING, timeout=5000)
    assert indicator.isVisible() and indicator.status_label.text() == "Listening"
    assert indicator.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert indicator.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    qtbot.waitUntil(lambda: len(indicator.words_text.split()) >= 3, timeout=5000)  # words as they come
    assert inserter.prepared == 1  # made ready (off the UI thread) while the user speaks
    host.toggle()  # Dictate again: insert
    qtbot.waitUntil(lambda: bool(inserter.inserted), timeout=5000)
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=2000)
    assert states[:3] == [S.CONNECTING, S.LISTENING, S.FINISHING] and states[-1] is S.IDLE
    assert inserter.inserted[0].startswith("One two three")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=3000)
    assert panel.model.data(panel.model.index(0)) == "Dictation → Editor"
    assert "Dictation" in panel.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    host.shutdown()
    panel.shutdown()


def test_text_only_copied_is_said_on_the_indicator(qtbot, qloop, live_ctx, fake_soniox) -> None:  # noqa: ANN001
    fake_soniox.set_script([WORDS])
    message = "Copied to the clipboard: on Wayland the app cannot type into other windows. Press Ctrl+V."
    inserter = RecordingInserter(result=InsertResult(False, InsertMethod.CLIPBOARD, message))
    host = make_host(live_ctx, None, inserter)
    notices: list[str] = []
    host.notice.connect(notices.append)
    host.toggle()
    qtbot.waitUntil(lambda: host.state is S.LISTENING, timeout=5000)
    qtbot.waitUntil(lambda: bool(host.indicator.words_text), timeout=5000)
    host.toggle()
    qtbot.waitUntil(lambda: bool(notices), timeout=5000)
    assert notices == [message]
    assert host.indicator.isVisible() and "Ctrl+V" in host.indicator.words_label.text()
    host.shutdown()


def test_an_error_stays_a_moment_then_the_indicator_goes(qtbot, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(indicator_module, "MESSAGE_S", 0.2)
    indicator = DictationIndicator()
    qtbot.addWidget(indicator)
    indicator.show_state(S.ERROR, "The microphone was disconnected. Plug it in and dictate again.")
    assert indicator.isVisible() and "disconnected" in indicator.words_label.text()
    indicator.show_state(S.IDLE)  # the service is ready again: the message still stays its time
    assert indicator.isVisible()
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=2000)


def test_dragged_indicator_remembers_where(qtbot, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    indicator = DictationIndicator(ctx.settings_store)
    qtbot.addWidget(indicator)
    indicator.show_state(S.LISTENING)
    start = indicator.pos()
    qtbot.mousePress(indicator, Qt.MouseButton.LeftButton, pos=QPoint(30, 10))
    qtbot.mouseMove(indicator, QPoint(30 - 50, 10 - 40))
    qtbot.mouseRelease(indicator, Qt.MouseButton.LeftButton, pos=QPoint(30 - 50, 10 - 40))
    moved = indicator.pos()
    assert moved != start
    assert ctx.settings.ui_state[POSITION_KEY] == f"{moved.x()},{moved.y()}"
    again = DictationIndicator(ctx.settings_store)
    qtbot.addWidget(again)
    again.show_state(S.LISTENING)
    assert again.pos() == moved


def test_the_level_follows_the_microphone_capture(qtbot) -> None:  # noqa: ANN001
    """MicrophoneCapture publishes ``levels`` as a property, read 30 times a second."""

    class Capture:
        @property
        def levels(self) -> LevelReading:
            return LevelReading(-12.0, -20.0, time.monotonic())

    indicator = DictationIndicator()
    qtbot.addWidget(indicator)
    indicator.show_state(S.LISTENING)
    indicator.follow_levels(Capture())
    qtbot.waitUntil(lambda: indicator.level.peak_db == -12.0 and indicator.level.rms_db == -20.0, timeout=1000)
    indicator.show_state(S.IDLE)
    assert indicator.level.peak_db < -60 and not indicator.isVisible()


def test_the_global_hotkey_drives_the_windows_dictation(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context())  # no API key: a press is answered with what to do
    qtbot.addWidget(window)
    hotkey = window.dictation.hotkey
    assert hotkey is not None and find_hotkey_host(window) is hotkey
    assert hotkey.trigger.target is window.dictation
    hotkey.trigger.press()
    qtbot.waitUntil(lambda: window.dictation.state is S.ERROR, timeout=3000)
    hotkey.trigger.release()
    assert "API key in Settings" in window.dictation.indicator.words_label.text()
    window.dictation.shutdown()
    hotkey.shutdown()


def test_the_tray_dictates_through_the_host_and_shows_it(qtbot, qloop, live_ctx, fake_soniox) -> None:  # noqa: ANN001
    """The main window offers ``set_dictation`` and ``show_dictating`` (handed on to its tray); a stand-in here."""

    class Tray:
        def __init__(self) -> None:
            self.dictate = None
            self.shown: list[bool] = []

        def set_dictation(self, dictate) -> None:  # noqa: ANN001
            self.dictate = dictate

        def show_dictating(self, active: bool) -> None:
            self.shown.append(active)

    fake_soniox.set_script([WORDS])
    inserter = RecordingInserter(before="")
    host = make_host(live_ctx, None, inserter)
    tray = Tray()
    connect_tray(host, tray)
    assert tray.shown == [False]
    tray.dictate()  # the tray's Dictate
    qtbot.waitUntil(lambda: host.state is S.LISTENING, timeout=5000)
    assert tray.shown[-1] is True
    qtbot.waitUntil(lambda: bool(host.indicator.words_text), timeout=5000)
    tray.dictate()  # "Stop dictating"
    qtbot.waitUntil(lambda: bool(inserter.inserted), timeout=5000)
    qtbot.waitUntil(lambda: tray.shown[-1] is False, timeout=2000)
    host.shutdown()
