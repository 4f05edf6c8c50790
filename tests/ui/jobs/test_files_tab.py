"""The Files tab: uploaded files listed with size and time, transcribe again, delete, delete all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel
from soniox import SonioxClient

from tests.ui.jobs.test_jobs_support import PanelHost, panel_host


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def upload(fake_soniox, *names: str) -> list[str]:  # noqa: ANN001
    """Put files on the emulator the way another client would (the sync SDK)."""
    with SonioxClient(api_key="test-key", api_base_url=fake_soniox.api_base_url) as client:
        return [client.files.upload(b"RIFF\x00\x00\x00\x00WAVE" + bytes(2000), filename=n).id for n in names]


def select(table, row: int) -> None:  # noqa: ANN001
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(table.model().index(row, 0), flags)


def confirm_yes(qtbot, panel) -> str:  # noqa: ANN001
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible())
    text = panel.confirm_box.text()
    next(b for b in panel.confirm_box.buttons() if b.objectName() == "jobsConfirmYes").click()
    return text


def test_files_are_listed_newest_first_with_counts(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    upload(fake_soniox, "first.wav", "second.wav", "third.wav")
    panel = host.panel
    panel.refresh()
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 3 and panel.tabText(1) == "Files (3)")
    model = panel.files_model
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["third.wav", "second.wav", "first.wav"]
    assert model.data(model.index(0, 1)) == "2.0 KB"
    assert model.data(model.index(0, 2))  # upload time


def test_transcribe_again_from_a_file_id(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    (file_id,) = upload(fake_soniox, "interview.wav")
    panel = host.panel
    panel.refresh()
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1)
    panel.setCurrentIndex(1)
    select(panel.files_table, 0)
    assert panel.retranscribe_button.isEnabled()
    panel.retranscribe_button.click()
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    sheet = panel.job_sheet
    assert sheet.summary.text() == "Transcribe 1 file: interview.wav"
    sheet.language_id_check.setChecked(True)
    sheet.start_button.click()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1)
    assert panel.currentIndex() == 0
    (job,) = fake_soniox.transcriptions
    assert job["file_id"] == file_id and job["filename"] == "interview.wav"
    assert fake_soniox.transcription(job["id"])["request"]["enable_language_identification"] is True
    assert len(fake_soniox.files) == 1  # nothing uploaded again


def test_delete_selected_and_delete_all(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    upload(fake_soniox, "a.wav", "b.wav", "c.wav", "d.wav")
    panel = host.panel
    panel.refresh()
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 4)
    select(panel.files_table, 0)
    panel.delete_file_button.click()
    assert confirm_yes(qtbot, panel).startswith("Delete “d.wav” from Soniox?")
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 3 and panel.tabText(1) == "Files (3)")
    assert sorted(f["filename"] for f in fake_soniox.files) == ["a.wav", "b.wav", "c.wav"]

    panel.delete_all_files_button.click()
    assert confirm_yes(qtbot, panel).startswith("Delete all 3 uploaded files?")
    qtbot.waitUntil(lambda: any(t == "Deleted 3 of 3." for t in panel.notices.texts()), timeout=10_000)
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 0 and panel.tabText(1) == "Files (0)")
    assert fake_soniox.files == []
    assert not panel.files_empty.isHidden()  # (on the Files tab, not the current one)


def test_deleting_a_file_that_is_already_gone_is_not_an_error(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    (file_id,) = upload(fake_soniox, "gone.wav")
    panel = host.panel
    panel.refresh()
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1)
    fake_soniox.state.delete_file(file_id)
    select(panel.files_table, 0)
    panel.delete_file_button.click()
    confirm_yes(qtbot, panel)
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 0)
    assert not any("Could not" in t for t in panel.notices.texts())
