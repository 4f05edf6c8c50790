"""First start, as a new user meets it: onboarding, a wrong key, a right key, no keyring."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import Qt

from desktop.core.secrets import KEYRING_SERVICE, KEYRING_USER, KeySource
from desktop.ui.main_window import MainWindow
from desktop.ui.status import Connection
from tests.a11y import assert_accessible


def _window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def test_first_start_without_key_opens_onboarding(qtbot, qloop, fake_soniox, make_context) -> None:
    window = _window(qtbot, make_context(fake_soniox))
    assert window.status.connection.state is Connection.NO_KEY
    window.start_up()
    dialog = window.onboarding
    assert dialog is not None and dialog.isVisible()
    assert "console.soniox.com" in dialog.findChild(type(dialog.key_form.result_label), "onboardingIntro").text()
    assert_accessible(dialog)
    assert_accessible(window)


def test_wrong_key_is_refused_with_a_clear_message(qtbot, qloop, fake_soniox, make_context) -> None:
    window = _window(qtbot, make_context(fake_soniox))
    dialog = window.open_onboarding()
    qtbot.keyClicks(dialog.key_form.key_edit, "not-a-valid-key")
    qtbot.mouseClick(dialog.key_form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "✗" in dialog.key_form.result_label.text(), timeout=5000)
    assert "did not accept" in dialog.key_form.result_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)
    assert dialog.isVisible(), "a rejected key must not be saved"
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USER) is None


def test_right_key_is_tested_saved_in_keyring_and_connects(qtbot, qloop, fake_soniox, make_context) -> None:
    ctx = make_context(fake_soniox)
    window = _window(qtbot, ctx)
    window.start_up()
    dialog = window.onboarding
    qtbot.keyClicks(dialog.key_form.key_edit, "test-key")
    qtbot.mouseClick(dialog.key_form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "✓" in dialog.key_form.result_label.text(), timeout=5000)
    assert "models available" in dialog.key_form.result_label.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USER) == "test-key"
    assert ctx.key_source is KeySource.KEYRING
    qtbot.waitUntil(lambda: window.status.connection.state is Connection.READY, timeout=5000)
    settings_text = ctx.paths.settings_file.read_text()
    assert "test-key" not in settings_text


def test_no_keyring_offers_run_only_or_private_file(qtbot, qloop, fake_soniox, make_context) -> None:
    keyring.set_keyring(FailKeyring())
    ctx = make_context(fake_soniox)
    window = _window(qtbot, ctx)
    dialog = window.open_onboarding()
    assert dialog.key_form.storage_box.isVisible()
    assert "no keyring" in dialog.key_form.no_keyring_label.text()
    dialog.key_form.file_radio.setChecked(True)
    qtbot.keyClicks(dialog.key_form.key_edit, "test-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    key_file: Path = ctx.paths.key_file
    assert key_file.read_text() == "test-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ctx.key_source is KeySource.FILE
    assert "test-key" not in ctx.paths.settings_file.read_text()


def test_no_keyring_run_only_keeps_nothing_on_disk(qtbot, qloop, fake_soniox, make_context) -> None:
    keyring.set_keyring(FailKeyring())
    ctx = make_context(fake_soniox)
    window = _window(qtbot, ctx)
    dialog = window.open_onboarding()
    assert dialog.key_form.session_radio.isChecked()  # the safest choice is the default
    qtbot.keyClicks(dialog.key_form.key_edit, "test-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert ctx.key_source is KeySource.SESSION
    assert not ctx.paths.key_file.exists()
    qtbot.waitUntil(lambda: window.status.connection.state is Connection.READY, timeout=5000)


def test_environment_key_is_used_without_onboarding(qtbot, qloop, fake_soniox, make_context, monkeypatch) -> None:
    monkeypatch.setenv("SONIOX_API_KEY", "test-key")
    ctx = make_context(fake_soniox)
    assert ctx.key_source is KeySource.ENVIRONMENT
    window = _window(qtbot, ctx)
    window.start_up()
    assert window.onboarding is None
    qtbot.waitUntil(lambda: window.status.connection.state is Connection.READY, timeout=5000)


def test_unreachable_server_says_so(qtbot, qloop, make_context) -> None:
    from desktop.core.context import EndpointOverrides

    ctx = make_context(None, key="test-key")
    ctx.overrides = EndpointOverrides("http://127.0.0.1:9/v1", "ws://127.0.0.1:9/transcribe-websocket")
    ctx.reload_key()
    window = _window(qtbot, ctx)
    window.start_up()
    qtbot.waitUntil(lambda: window.status.connection.state is Connection.OFFLINE, timeout=10000)
    assert "internet connection" in window.status.connection.text()


def test_a_pinned_run_offers_no_region_and_keeps_the_saved_one(qtbot, qloop, fake_soniox, make_context) -> None:
    ctx = make_context(fake_soniox)  # pinned to the emulator, as with --api-base-url
    ctx.settings.region = "eu"
    window = _window(qtbot, ctx)
    dialog = window.open_onboarding()
    assert not dialog.region_form.isVisible()
    assert dialog.pinned_note.isVisible()
    assert fake_soniox.api_base_url in dialog.pinned_note.text()
    qtbot.keyClicks(dialog.key_form.key_edit, "test-key")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert ctx.settings.region == "eu"


def test_an_unpinned_run_offers_the_region(qtbot, qloop, make_context) -> None:
    window = _window(qtbot, make_context())
    dialog = window.open_onboarding()
    assert dialog.region_form.isVisible()
    assert not dialog.pinned_note.isVisible()
