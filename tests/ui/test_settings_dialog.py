"""Settings as a user would use them: region and custom URLs, defaults from /v1/models, the key."""

from __future__ import annotations

import json

import keyring
from PySide6.QtCore import Qt

from desktop.core.secrets import KEYRING_SERVICE, KEYRING_USER
from desktop.ui.main_window import MainWindow
from tests.a11y import assert_accessible


def _settings(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window, window.open_settings()


def test_defaults_are_filled_from_models_and_saved(qtbot, qloop, fake_soniox, make_context) -> None:
    ctx = make_context(fake_soniox, key="test-key")
    _window, dialog = _settings(qtbot, ctx)
    assert_accessible(dialog)
    qtbot.waitUntil(lambda: dialog.realtime_combo.count() > 0, timeout=5000)
    live_ids = [dialog.realtime_combo.itemData(i) for i in range(dialog.realtime_combo.count())]
    file_ids = [dialog.async_combo.itemData(i) for i in range(dialog.async_combo.count())]
    assert "stt-rt-v5" in live_ids and all("rt" in m for m in live_ids)
    assert "stt-async-v5" in file_ids and all("async" in m for m in file_ids)
    dialog.realtime_combo.setCurrentIndex(live_ids.index("stt-rt-v5"))
    qtbot.waitUntil(lambda: len(dialog.languages.codes()) >= 50, timeout=2000)
    dialog.languages.set_selected(["en", "de"])
    dialog.tabs.setCurrentIndex(2)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    saved = json.loads(ctx.paths.settings_file.read_text())
    assert saved["realtime_model"] == "stt-rt-v5"
    assert saved["language_hints"] == ["en", "de"]
    assert "test-key" not in ctx.paths.settings_file.read_text()


def test_custom_region_urls_are_validated(qtbot, qloop, fake_soniox, make_context) -> None:
    ctx = make_context(fake_soniox, key="test-key")
    _window, dialog = _settings(qtbot, ctx)
    form = dialog.region_form
    form.combo.setCurrentIndex(form.combo.findData("custom"))
    form.api_edit.setText("ftp://nope")
    dialog.save()
    assert dialog.isVisible()
    assert "REST base URL" in dialog.error_label.text()
    form.api_edit.setText("https://proxy.example.com/v1")
    form.ws_edit.setText("wss://proxy.example.com/transcribe-websocket")
    dialog.save()
    assert not dialog.isVisible()
    saved = json.loads(ctx.paths.settings_file.read_text())
    assert saved["region"] == "custom"
    assert saved["custom_api_base_url"] == "https://proxy.example.com/v1"


def test_replacing_the_key_stores_the_new_one(qtbot, qloop, fake_soniox, make_context) -> None:
    fake_soniox.add_api_key("second-key")
    ctx = make_context(fake_soniox, key="test-key")
    _window, dialog = _settings(qtbot, ctx)
    assert "test…" in dialog.key_status.text() or "Current key" in dialog.key_status.text()
    assert "test-key" not in dialog.key_status.text()
    dialog.key_form.set_key("second-key")
    dialog.save()
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USER) == "second-key"
    assert ctx.api_key == "second-key"


def test_remove_key_forgets_it(qtbot, qloop, fake_soniox, make_context) -> None:
    ctx = make_context(fake_soniox, key="test-key")
    window, dialog = _settings(qtbot, ctx)
    qtbot.mouseClick(dialog.remove_key_button, Qt.MouseButton.LeftButton)
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USER) is None
    assert ctx.api_key == ""
    assert "No API key" in dialog.key_status.text()
    assert "No API key" in window.status.connection.text()


def test_keep_recordings_is_a_setting(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    ctx = make_context(fake_soniox, key="test-key")
    _window, dialog = _settings(qtbot, ctx)
    assert dialog.keep_recordings_check.isChecked()  # on by default
    dialog.keep_recordings_check.setChecked(False)
    dialog.save()
    assert json.loads(ctx.paths.settings_file.read_text())["keep_recordings"] is False


def test_keep_recordings_in_settings_updates_the_live_panel(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    ctx = make_context(fake_soniox, key="test-key")
    window, dialog = _settings(qtbot, ctx)
    assert window.live_panel.record_check.isChecked()
    dialog.keep_recordings_check.setChecked(False)
    dialog.save()
    assert not window.live_panel.record_check.isChecked()
