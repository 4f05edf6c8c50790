"""The job sheet: async models from /v1/models, options as sent, defaults remembered, URL entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QFileDialog

from desktop.core.settings import SettingsStore
from desktop.ui.jobs.job_sheet import JobSheet
from tests.a11y import unnamed_controls
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host, wav_file


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def open_sheet_for_file(qtbot, host: PanelHost, path: Path, monkeypatch) -> JobSheet:  # noqa: ANN001
    host.panel.open_files_dialog()  # returns at once, the chooser open
    chooser = host.panel.sheet_flow.file_dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    chooser.filesSelected.emit([str(path)])  # what choosing the file and "Open" does
    chooser.reject()
    qtbot.waitUntil(lambda: host.panel.job_sheet is not None and host.panel.job_sheet.isVisible())
    return host.panel.job_sheet


def test_models_come_from_the_service_and_unsupported_options_are_disabled(
    qtbot,
    host: PanelHost,
    tmp_path,
    monkeypatch,  # noqa: ANN001
) -> None:
    sheet = open_sheet_for_file(qtbot, host, wav_file(tmp_path), monkeypatch)
    ids = [sheet.model_combo.itemData(i) for i in range(sheet.model_combo.count())]
    assert ids == ["stt-async-v5", "stt-async-v4", "stt-async-v3"]  # async models only, from /v1/models
    assert sheet.hints.list_view.model().rowCount() == 60  # the model's languages are listed
    assert sheet.strict_check.isEnabled()
    sheet.model_combo.setCurrentIndex(ids.index("stt-async-v3"))  # no strict hints on v3
    assert not sheet.strict_check.isEnabled()
    assert sheet.strict_check.toolTip() == "This model does not support strict language hints."
    assert unnamed_controls(sheet) == []


def test_every_option_reaches_the_service_and_is_remembered(
    qtbot,
    host: PanelHost,
    fake_soniox,
    tmp_path,
    monkeypatch,  # noqa: ANN001
) -> None:
    panel = host.panel
    sheet = open_sheet_for_file(qtbot, host, wav_file(tmp_path, "lecture.wav"), monkeypatch)
    sheet.hints.set_selected(["en", "de"])
    sheet.strict_check.setChecked(True)
    sheet.diarization_check.setChecked(True)
    sheet.language_id_check.setChecked(True)
    sheet._add_general_row("domain", "physics")
    sheet.terms_edit.setPlainText("Higgs\nboson")
    sheet.text_edit.setPlainText("A lecture on particles.")
    sheet.translation_combo.setCurrentIndex(sheet.translation_combo.findData("two_way"))
    sheet.language_a_combo.setCurrentIndex(sheet.language_a_combo.findData("en"))
    sheet.language_b_combo.setCurrentIndex(sheet.language_b_combo.findData("de"))
    sheet.webhook_edit.setText("https://hooks.example.com/soniox")
    sheet.header_name_edit.setText("X-Hook-Token")
    sheet.header_value_edit.setText("hook-secret-1")
    sheet.reference_edit.setText("lecture-42")
    assert sheet.start_button.isEnabled()
    sheet.start_button.click()
    qtbot.waitUntil(lambda: len(fake_soniox.transcriptions) == 1, timeout=10_000)
    request = fake_soniox.transcription(fake_soniox.transcriptions[0]["id"])["request"]
    assert request["language_hints"] == ["en", "de"] and request["language_hints_strict"] is True
    assert request["enable_speaker_diarization"] is True and request["enable_language_identification"] is True
    assert request["context"] == {
        "general": [{"key": "domain", "value": "physics"}],
        "terms": ["Higgs", "boson"],
        "text": "A lecture on particles.",
    }
    assert request["translation"] == {"type": "two_way", "language_a": "en", "language_b": "de"}
    assert request["webhook_url"] == "https://hooks.example.com/soniox"
    assert request["webhook_auth_header_name"] == "X-Hook-Token"
    assert request["webhook_auth_header_value"] == "hook-secret-1"
    assert request["client_reference_id"] == "lecture-42"
    assert fake_soniox.files[0]["client_reference_id"] == "lecture-42"

    # Remembered: in the settings file (without the secret) and in the next sheet.
    settings_file = panel.context.paths.settings_file
    saved = SettingsStore(settings_file).settings.defaults["jobs"]
    assert saved["language_hints"] == ["en", "de"] and saved["translation"] == "two_way"
    assert "hook-secret-1" not in settings_file.read_text()
    assert keyring.get_password("soniox-desktop", "jobs-webhook-auth-header-value") == "hook-secret-1"
    sheet2 = open_sheet_for_file(qtbot, host, wav_file(tmp_path, "next.wav"), monkeypatch)
    again = sheet2.options()
    assert again.language_hints == ["en", "de"] and again.context_terms == ["Higgs", "boson"]
    assert again.translation_language_b == "de" and again.webhook_auth_header_value == "hook-secret-1"
    sheet2.reject()


def test_sheet_blocks_until_problems_are_fixed(qtbot, host: PanelHost, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    sheet = open_sheet_for_file(qtbot, host, wav_file(tmp_path), monkeypatch)
    sheet.translation_combo.setCurrentIndex(sheet.translation_combo.findData("one_way"))
    assert not sheet.start_button.isEnabled()
    assert sheet.problems_label.text() == "Choose the language to translate into."
    sheet.target_combo.setCurrentIndex(sheet.target_combo.findData("fr"))
    sheet.webhook_edit.setText("hooks.example.com")
    assert sheet.problems_label.text() == "The webhook URL must start with http:// or https://."
    sheet.webhook_edit.setText("")
    assert sheet.start_button.isEnabled()
    sheet.reject()


def test_url_dialog_takes_a_link_from_the_clipboard_and_creates_an_audio_url_job(
    qtbot,
    host: PanelHost,
    fake_soniox,  # noqa: ANN001
) -> None:
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText("https://media.example.com/podcast.mp3")
    panel = host.panel
    panel.open_url_dialog()
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    sheet = panel.job_sheet
    assert sheet.url_edit.text() == "https://media.example.com/podcast.mp3"
    sheet.url_edit.setText("podcast.mp3")
    assert not sheet.start_button.isEnabled()
    assert sheet.problems_label.text() == "The address must start with http:// or https://."
    sheet.url_edit.setText("https://media.example.com/podcast.mp3")
    sheet.start_button.click()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1)
    (job,) = fake_soniox.transcriptions
    assert job["audio_url"] == "https://media.example.com/podcast.mp3" and job["file_id"] is None
    assert fake_soniox.files == []
