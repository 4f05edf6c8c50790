"""Hold-to-talk key filter: typing the key into a text field types it; auto-repeat is one press."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.ui.live.hold_to_talk import HoldToTalkFilter


def _window(qtbot) -> tuple[QWidget, QLineEdit, QPushButton]:  # noqa: ANN001
    window = QWidget()
    window.setObjectName("holdToTalkTestWindow")
    line = QLineEdit(window)
    line.setObjectName("notes")
    button = QPushButton("Other", window)
    button.setObjectName("other")
    layout = QVBoxLayout(window)
    layout.addWidget(line)
    layout.addWidget(button)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window, line, button


def _filter(qtbot) -> tuple[HoldToTalkFilter, list[str]]:  # noqa: ANN001
    talk = HoldToTalkFilter(QKeySequence(Qt.Key.Key_Space))
    talk.enabled = True
    talk.install()
    events: list[str] = []
    talk.pressed.connect(lambda: events.append("press"))
    talk.released.connect(lambda: events.append("release"))
    return talk, events


def _key(widget: QWidget, etype: QEvent.Type, *, repeat: bool = False) -> None:
    event = QKeyEvent(etype, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ", repeat)
    QApplication.sendEvent(widget, event)


def test_the_talk_key_typed_into_a_text_field_types_and_does_not_talk(qtbot) -> None:  # noqa: ANN001
    window, line, _button = _window(qtbot)  # keep the window: it owns the widgets
    assert window.isVisible()
    talk, events = _filter(qtbot)
    try:
        line.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is line)
        _key(line, QEvent.Type.KeyPress)
        _key(line, QEvent.Type.KeyRelease)
        assert line.text() == " "  # the space was typed
        assert events == [] and not talk.held
    finally:
        talk.uninstall()


def test_a_held_key_is_one_press_and_one_release_despite_auto_repeat(qtbot) -> None:  # noqa: ANN001
    window, _line, button = _window(qtbot)  # keep the window: it owns the widgets
    assert window.isVisible()
    talk, events = _filter(qtbot)
    clicks: list[bool] = []
    button.clicked.connect(lambda: clicks.append(True))
    try:
        button.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
        _key(button, QEvent.Type.KeyPress)
        assert events == ["press"] and talk.held
        for _ in range(5):  # what the OS sends while the key stays down
            _key(button, QEvent.Type.KeyRelease, repeat=True)
            _key(button, QEvent.Type.KeyPress, repeat=True)
        assert events == ["press"] and talk.held
        _key(button, QEvent.Type.KeyRelease)
        assert events == ["press", "release"] and not talk.held
        assert clicks == []  # the focused button never saw Space
    finally:
        talk.uninstall()
