"""The hotkey host: starts the hotkey from the settings, restarts it when they change, falls back
to the focus-only hotkey when the global one cannot run, and drives the dictation target."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from desktop.core.settings import SettingsStore
from desktop.platform.hotkeys import HotkeyError, HotkeySpec, HotkeySupport
from desktop.ui.dictation.hotkey_host import HotkeyHost, install_dictation_hotkey
from tests.core.dictation.fakes import FakeDictation

GLOBAL = HotkeySupport("pynput", True, "The hotkey works in every app.")
FOCUS_ONLY = HotkeySupport("focus_only", False, "The hotkey works only while this app's window is focused.")


class FakeGlobalHotkey:
    """A global backend the test presses by hand (the real ones are tested under Xvfb and D-Bus)."""

    def __init__(self, fail: str = "") -> None:
        self.fail = fail
        self.started: list[str] = []
        self.stops = 0
        self.press: Callable[[], None] | None = None
        self.release: Callable[[], None] | None = None
        self.on_error: Callable[[str], None] | None = None

    def start(self, spec: HotkeySpec, on_press, on_release, on_error=None) -> None:  # noqa: ANN001
        if self.fail:
            raise HotkeyError(self.fail)
        self.started.append(spec.to_pynput())
        self.press, self.release, self.on_error = on_press, on_release, on_error

    def stop(self) -> None:
        self.stops += 1


@pytest.fixture
def store(tmp_path) -> SettingsStore:  # noqa: ANN001
    return SettingsStore(tmp_path / "settings.json")


def make_host(store: SettingsStore, backend: FakeGlobalHotkey | None, support: HotkeySupport = GLOBAL):
    target = FakeDictation(connect_s=0.01, finish_s=0.01)
    host = HotkeyHost(lambda: target, store, support=support, global_factory=lambda _s: backend)
    host.apply_settings()
    return host, target


def test_the_stored_hotkey_drives_begin_and_end_and_follows_settings_changes(qtbot, qloop, store) -> None:  # noqa: ANN001
    backend = FakeGlobalHotkey()
    host, target = make_host(store, backend)
    assert backend.started == ["<ctrl>+<alt>+<space>"]
    assert host.status == "Ctrl+Alt+Space: The hotkey works in every app."
    backend.press()
    qtbot.waitUntil(lambda: target.state.name == "LISTENING", timeout=2000)
    backend.release()
    qtbot.waitUntil(lambda: target.calls == ["begin", "end"] and not host.trigger.busy, timeout=2000)

    host.apply_settings()  # saved without a change: the listener is not restarted
    assert backend.started == ["<ctrl>+<alt>+<space>"] and backend.stops == 0

    store.settings.dictation_hotkey = "<cmd>+<f9>"
    store.settings.dictation_mode = "toggle"
    host.apply_settings()
    assert backend.started == ["<ctrl>+<alt>+<space>", "<cmd>+<f9>"] and backend.stops == 1
    assert host.trigger.mode == "toggle"
    backend.press()
    backend.release()
    qtbot.waitUntil(lambda: target.state.name == "LISTENING" and not host.trigger.busy, timeout=2000)

    store.settings.dictation_hotkey = ""
    host.apply_settings()
    assert backend.stops == 2
    assert host.status == "No dictation hotkey is set."


def test_changing_the_hotkey_while_held_ends_the_dictation(qtbot, qloop, store) -> None:  # noqa: ANN001
    backend = FakeGlobalHotkey()
    host, target = make_host(store, backend)
    backend.press()
    qtbot.waitUntil(lambda: target.state.name == "LISTENING", timeout=2000)
    store.settings.dictation_hotkey = "<ctrl>+<alt>+d"
    host.apply_settings()
    qtbot.waitUntil(lambda: target.calls == ["begin", "end"], timeout=2000)


def test_a_broken_setting_is_reported_and_nothing_listens(qtbot, qloop, store) -> None:  # noqa: ANN001
    store.settings.dictation_hotkey = "<ctrl>+<hyperdrive>"
    backend = FakeGlobalHotkey()
    host, _target = make_host(store, backend)
    assert backend.started == []
    assert "not usable" in host.status and "Set a new one in Settings" in host.status


def _window_with_field(qtbot) -> tuple[QWidget, QLineEdit]:  # noqa: ANN001
    window = QWidget()
    window.setObjectName("someWindow")
    field = QLineEdit(window)
    field.setObjectName("someField")
    QVBoxLayout(window).addWidget(field)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    return window, field


def test_when_the_global_hotkey_cannot_start_it_works_while_focused_and_says_so(qtbot, qloop, store) -> None:  # noqa: ANN001
    host, target = make_host(store, FakeGlobalHotkey(fail="The keyboard listener could not start (no RECORD)."))
    assert host.focus_only
    assert host.status.startswith("The keyboard listener could not start")
    assert "Ctrl+Alt+Space works only while this app is focused" in host.status
    window, field = _window_with_field(qtbot)
    handle = window.windowHandle()
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    QTest.keyPress(handle, Qt.Key.Key_Space, mods)
    qtbot.waitUntil(lambda: target.state.name == "LISTENING", timeout=2000)
    QTest.keyRelease(handle, Qt.Key.Key_Space, mods)
    qtbot.waitUntil(lambda: target.calls == ["begin", "end"] and not host.trigger.busy, timeout=2000)
    assert field.text() == "", "the hotkey's space reached the text field"
    QTest.keyClick(handle, Qt.Key.Key_Space)  # a plain space is typing, not the hotkey
    assert field.text() == " "
    assert target.calls == ["begin", "end"]


def test_focus_only_backend_and_a_portal_that_gives_up_later(qtbot, qloop, store) -> None:  # noqa: ANN001
    host, _target = make_host(store, None, FOCUS_ONLY)
    assert host.focus_only and host.status == "Ctrl+Alt+Space: " + FOCUS_ONLY.message

    portal = FakeGlobalHotkey()
    host2, _ = make_host(store, portal, HotkeySupport("portal", True, "Global Shortcuts."))
    assert not host2.focus_only
    portal.on_error("The desktop's dialog to bind the dictation shortcut was cancelled.")
    assert host2.focus_only and "cancelled" in host2.status and portal.stops == 1
    host2.apply_settings()  # Settings saved again: the desktop is asked again
    assert not host2.focus_only and portal.started == ["<ctrl>+<alt>+<space>"] * 2
    host.shutdown()
    host2.shutdown()


def test_suspended_while_recording_in_settings_then_live_again(qtbot, qloop, store) -> None:  # noqa: ANN001
    backend = FakeGlobalHotkey()
    host, target = make_host(store, backend)
    host.set_suspended(True)
    backend.press()
    backend.release()
    qtbot.wait(150)
    assert target.calls == []
    host.set_suspended(False)
    backend.press()
    backend.release()
    qtbot.waitUntil(lambda: target.calls == ["begin", "end"] and not host.trigger.busy, timeout=2000)


def test_install_follows_saved_settings(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    ctx = make_context()
    parent = QWidget()
    qtbot.addWidget(parent)
    backend = FakeGlobalHotkey()
    host = install_dictation_hotkey(ctx, FakeDictation, parent, support=GLOBAL, global_factory=lambda _s: backend)
    assert backend.started == ["<ctrl>+<alt>+<space>"]
    ctx.settings.dictation_hotkey = "<ctrl>+<shift>+<f2>"
    ctx.settings_changed()
    assert backend.started[-1] == "<ctrl>+<shift>+<f2>"
    assert host.spec is not None and host.spec.label("linux") == "Ctrl+Shift+F2"


def test_the_listener_starts_after_the_windows_first_paint(qtbot, qloop, make_context) -> None:  # noqa: ANN001
    from desktop.ui.main_window import MainWindow
    from tests.ui.dictation.hotkey_helpers import install_test_hotkey

    window = MainWindow(make_context())
    qtbot.addWidget(window)
    backend = FakeGlobalHotkey()
    install_test_hotkey(window, FakeDictation, support=GLOBAL, global_factory=lambda _s: backend)
    assert backend.started == [], "the listener started before the window was even shown"
    window.show()
    qtbot.waitUntil(lambda: backend.started == ["<ctrl>+<alt>+<space>"], timeout=3000)


class GrabbingHotkey(FakeGlobalHotkey):
    """A backend that holds the keys for itself (the X11 grab) and so can be paused."""

    def __init__(self) -> None:
        super().__init__()
        self.paused: list[bool] = []

    def set_paused(self, paused: bool) -> None:
        self.paused.append(paused)


def test_recording_a_shortcut_pauses_a_grabbing_backend_so_the_field_gets_the_keys(qtbot, qloop, store) -> None:  # noqa: ANN001
    backend = GrabbingHotkey()
    host, _target = make_host(store, backend)
    host.set_suspended(True)
    assert backend.paused == [True]
    host.set_suspended(False)
    assert backend.paused == [True, False]
    host.shutdown()


def test_a_shut_down_host_does_not_start_again_on_a_late_paint_or_save(qtbot, qloop, store) -> None:  # noqa: ANN001
    backend = FakeGlobalHotkey()
    host, _target = make_host(store, backend)
    host.shutdown()
    store.settings.dictation_hotkey = "<cmd>+<f9>"
    host.apply_settings()
    assert backend.started == ["<ctrl>+<alt>+<space>"] and backend.stops == 1
