"""The microphone is open only while it is needed: while the user tests it, and during a session.

Runs the real panel, the real capture code on the fake sounddevice (which records every stream
opened and whether it is still active), the real SDK and the emulator. "Open" below means a
stream the fake device reports active: what lights the system's "microphone in use" indicator.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from desktop.core.live.state import LiveState
from desktop.ui.live.panel import LivePanel
from desktop.ui.live.source_bar import SourceKind
from tests.a11y import assert_accessible
from tests.audio_helpers import FakeSoundDevice
from tests.live_helpers import FAST, RATE, played_s, silence, speech


def open_streams(sd: FakeSoundDevice) -> int:
    return sum(1 for stream in sd.streams if stream.active)


def monitoring_panel(qtbot, ctx, sd) -> LivePanel:  # noqa: ANN001
    """The panel as the main window builds it: allowed to monitor the microphone."""
    panel = LivePanel(ctx, sd=sd, session_options=FAST)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=2000)
    return panel


def test_microphone_opens_only_while_tested_and_during_a_session(qtbot, qloop, fake_soniox, live_ctx) -> None:  # noqa: ANN001
    fake_soniox.set_script(["testing one two"])
    sd = FakeSoundDevice(np.concatenate([speech(1.5), silence(0.5)]), RATE, speed=4.0)
    panel = monitoring_panel(qtbot, live_ctx, sd)
    test = panel.source_bar.test_button
    assert_accessible(panel)
    assert test.objectName() == "liveTestMicButton" and test.accessibleName() == "Test microphone"
    assert test.shortcut() == QKeySequence("Ctrl+Shift+M")
    assert test.isVisible() and test.isCheckable() and not test.isChecked()

    # Shown, before Start: nothing is open, and the meter says how to see the level.
    qtbot.wait(150)
    assert sd.streams == [] and panel.monitor.capture is None
    assert "Test microphone" in panel.source_bar.meter.message

    # Test on (by its shortcut): the meter opens the microphone and shows its level.
    QTest.keyClick(panel, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(test.isChecked, timeout=1000)  # a button's shortcut animates a click
    qtbot.waitUntil(lambda: open_streams(sd) == 1, timeout=2000)
    qtbot.waitUntil(lambda: panel.source_bar.meter.peak_db > -40, timeout=3000)

    # Test off: closed again.
    qtbot.mouseClick(test, Qt.MouseButton.LeftButton)
    assert not test.isChecked()
    qtbot.waitUntil(lambda: open_streams(sd) == 0, timeout=2000)
    assert panel.monitor.capture is None
    assert "Test microphone" in panel.source_bar.meter.message

    # Test on, then Start: the session takes the device (one stream open, the session's).
    qtbot.mouseClick(test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_streams(sd) == 1, timeout=2000)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
    assert not test.isChecked() and not test.isEnabled()
    assert open_streams(sd) == 1 and panel.monitor.capture is None
    qtbot.waitUntil(lambda: played_s(panel) > 1.5, timeout=8000)

    # Stop: the session's stream closes, and the meter does not reopen the microphone.
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    qtbot.waitUntil(lambda: open_streams(sd) == 0, timeout=3000)
    qtbot.wait(200)
    assert open_streams(sd) == 0 and panel.monitor.capture is None
    assert test.isEnabled() and not test.isChecked()
    assert "Test microphone" in panel.source_bar.meter.message


def test_hiding_the_panel_or_choosing_another_source_ends_a_test(qtbot, qloop, live_ctx) -> None:  # noqa: ANN001
    sd = FakeSoundDevice(speech(1.0), RATE)
    panel = monitoring_panel(qtbot, live_ctx, sd)
    test = panel.source_bar.test_button
    qtbot.mouseClick(test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_streams(sd) == 1, timeout=2000)
    panel.source_bar.set_kind(SourceKind.FILE)
    qtbot.waitUntil(lambda: open_streams(sd) == 0, timeout=2000)
    assert not test.isChecked()

    panel.source_bar.set_kind(SourceKind.MICROPHONE)
    qtbot.wait(100)
    assert open_streams(sd) == 0  # coming back to the microphone does not open it by itself
    qtbot.mouseClick(test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_streams(sd) == 1, timeout=2000)
    panel.hide()
    qtbot.waitUntil(lambda: open_streams(sd) == 0, timeout=2000)
    assert not test.isChecked()
    panel.show()
    qtbot.wait(100)
    assert open_streams(sd) == 0
