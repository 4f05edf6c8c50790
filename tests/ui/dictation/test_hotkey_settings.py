"""Settings → Dictation as a user works it: record a shortcut by pressing it, cancel, remove it,
pick hold or toggle and the insertion method, read what works here, all from the keyboard."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.platform.hotkeys import HotkeySupport
from desktop.ui.dictation.hotkey_edit import HotkeyEdit
from desktop.ui.dictation.settings_section import DictationSettings
from desktop.ui.main_window import MainWindow
from tests.a11y import assert_accessible
from tests.core.dictation.fakes import FakeDictation
from tests.ui.dictation.hotkey_helpers import install_test_hotkey
from tests.ui.dictation.test_hotkey_host import GLOBAL, FakeGlobalHotkey

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.fixture
def opened(qtbot, qloop, make_context):  # noqa: ANN001
    ctx = make_context()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    backend = FakeGlobalHotkey()
    target = FakeDictation(connect_s=0.01, finish_s=0.01)
    host = install_test_hotkey(window, lambda: target, support=GLOBAL, global_factory=lambda _s: backend)
    window.show()
    dialog = window.open_settings()
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    return ctx, dialog, host, backend, target


def _to_dictation_tab(qtbot, dialog) -> DictationSettings:  # noqa: ANN001
    QTest.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # "Di&ctation"

    assert dialog.tabs.currentWidget() is dialog.dictation
    QTest.keyClick(dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # "Hot&key:"
    qtbot.waitUntil(dialog.dictation.hotkey_edit.hasFocus, timeout=2000)
    return dialog.dictation


def test_record_a_new_shortcut_by_pressing_it_and_save(qtbot, opened) -> None:  # noqa: ANN001
    ctx, dialog, host, backend, target = opened
    assert_accessible(dialog)
    page = _to_dictation_tab(qtbot, dialog)
    edit = page.hotkey_edit
    assert host.trigger.suspended, "the global hotkey fires while its shortcut is being recorded"
    assert edit.text() == "" and "now Ctrl+Alt+Space" in edit.placeholderText()

    backend.press()  # the user tries the old hotkey in the field: no dictation
    backend.release()
    qtbot.wait(120)
    assert target.calls == []

    QTest.keyPress(edit, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    QTest.keyPress(edit, Qt.Key.Key_Alt, CTRL_ALT)
    assert edit.text() == "Ctrl+Alt+…"
    QTest.keyPress(edit, Qt.Key.Key_D, CTRL_ALT)  # Alt+D is also a mnemonic elsewhere: not here
    assert edit.text() == "Ctrl+Alt+D"
    assert dialog.isVisible() and dialog.tabs.currentWidget() is page
    QTest.keyRelease(edit, Qt.Key.Key_D, CTRL_ALT)
    QTest.keyRelease(edit, Qt.Key.Key_Alt, Qt.KeyboardModifier.ControlModifier)
    QTest.keyRelease(edit, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
    assert edit.text() == "Ctrl+Alt+D"

    QTest.keyClick(edit, Qt.Key.Key_Tab)  # the keyboard path goes on
    assert not edit.hasFocus() and not host.trigger.suspended
    assert edit.text() == "Ctrl+Alt+D"
    QTest.keyClick(dialog, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert page.mode_combo.hasFocus()
    page.mode_combo.setCurrentIndex(page.mode_combo.findData("toggle"))
    QTest.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    assert page.insert_combo.hasFocus()
    page.insert_combo.setCurrentIndex(page.insert_combo.findData("paste"))
    assert [page.insert_combo.itemText(i) for i in range(3)] == [
        "Automatic",
        "Type the text",
        "Paste from the clipboard",
    ]
    dialog.save()
    assert not dialog.isVisible()
    saved = json.loads(ctx.paths.settings_file.read_text())
    assert saved["dictation_hotkey"] == "<ctrl>+<alt>+d"
    assert saved["dictation_mode"] == "toggle"
    assert saved["dictation_insert"] == "paste"
    assert backend.started[-1] == "<ctrl>+<alt>+d", "the running hotkey did not follow the saved setting"
    assert host.trigger.mode == "toggle"


def test_escape_gives_the_old_shortcut_back_without_closing_the_dialog(qtbot, opened) -> None:  # noqa: ANN001
    _ctx, dialog, host, _backend, _target = opened
    edit = _to_dictation_tab(qtbot, dialog).hotkey_edit
    QTest.keyClick(edit, Qt.Key.Key_F9, Qt.KeyboardModifier.ShiftModifier)
    assert edit.text() == "Shift+F9"
    QTest.keyClick(edit, Qt.Key.Key_Escape)
    assert dialog.isVisible(), "Escape in the field closed the dialog"
    assert not edit.hasFocus() and not host.trigger.suspended
    assert edit.text() == "Ctrl+Alt+Space" and edit.hotkey() == "<ctrl>+<alt>+<space>"


def test_backspace_removes_the_hotkey(qtbot, opened) -> None:  # noqa: ANN001
    ctx, dialog, host, backend, _target = opened
    edit = _to_dictation_tab(qtbot, dialog).hotkey_edit
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    assert edit.text() == "None (no global hotkey)"
    dialog.save()
    assert json.loads(ctx.paths.settings_file.read_text())["dictation_hotkey"] == ""
    assert backend.stops == 1 and host.spec is None
    assert host.status == "No dictation hotkey is set."


def test_a_bare_letter_is_refused_with_the_reason(qtbot, opened) -> None:  # noqa: ANN001
    _ctx, dialog, _host, _backend, _target = opened
    page = _to_dictation_tab(qtbot, dialog)
    QTest.keyClick(page.hotkey_edit, Qt.Key.Key_D)
    assert page.hotkey_problem.isVisible()
    assert "alone would start dictation whenever you type it" in page.hotkey_problem.text()
    assert page.hotkey_edit.hotkey() == "<ctrl>+<alt>+<space>"
    QTest.keyClick(page.hotkey_edit, Qt.Key.Key_Space, Qt.KeyboardModifier.MetaModifier)
    assert not page.hotkey_problem.isVisible()
    assert page.hotkey_edit.hotkey() == "<cmd>+<space>"


def test_what_works_here_is_said_and_a_mac_gets_a_button_to_the_permission(qtbot, qloop, monkeypatch) -> None:  # noqa: ANN001
    from desktop.core.settings import Settings

    opened_urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened_urls.append(url.toString()))
    denied = HotkeySupport("pynput", True, "macOS has not yet allowed this app to see the keyboard.", "x-apple.x?y")
    page = DictationSettings(Settings(), support=denied)
    qtbot.addWidget(page)
    page.show()
    assert_accessible(page)
    assert page.support_label.text() == denied.message
    assert page.permission_button.isVisible()
    qtbot.mouseClick(page.permission_button, Qt.MouseButton.LeftButton)
    assert opened_urls == ["x-apple.x?y"]

    fine = DictationSettings(Settings(), support=GLOBAL)
    qtbot.addWidget(fine)
    fine.show()
    assert not fine.permission_button.isVisible()


def test_the_running_hotkeys_status_is_shown(qtbot, opened) -> None:  # noqa: ANN001
    _ctx, dialog, _host, _backend, _target = opened
    assert dialog.dictation.support_label.text() == "Ctrl+Alt+Space: The hotkey works in every app."


def test_the_field_shows_the_platforms_names(qtbot) -> None:  # noqa: ANN001
    edit = HotkeyEdit("<ctrl>+<alt>+<space>", system="darwin")
    qtbot.addWidget(edit)
    assert edit.text() == "Ctrl+Option+Space"
    none = HotkeyEdit("")
    qtbot.addWidget(none)
    assert none.text() == "None (no global hotkey)" and none.hotkey() == ""


def test_alt_and_a_letter_is_recorded_not_taken_by_the_dialogs_mnemonic(qtbot, opened) -> None:  # noqa: ANN001
    _ctx, dialog, _host, _backend, _target = opened
    page = _to_dictation_tab(qtbot, dialog)
    QTest.keyClick(page.hotkey_edit, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # Alt+D is "&Defaults"
    assert dialog.tabs.currentWidget() is page
    assert page.hotkey_edit.text() == "Alt+D" and page.hotkey_edit.hotkey() == "<alt>+d"
