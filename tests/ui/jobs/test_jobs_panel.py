"""The Jobs tab against the emulator: paging, live status, delete/destroy/delete all, retry, keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import Submission
from desktop.ui.jobs.side_panel import JobsSidePanel
from tests.a11y import unnamed_controls
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host, wav_file


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def loaded(qtbot, panel: JobsSidePanel, rows: int) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == rows and not panel.jobs_model.loading, timeout=10_000)


def confirm(qtbot, panel: JobsSidePanel, *, yes: bool = True) -> str:  # noqa: ANN001
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible())
    box = panel.confirm_box
    text = box.text()
    name = "jobsConfirmYes" if yes else "jobsConfirmNo"
    next(b for b in box.buttons() if b.objectName() == name).click()
    return text


def select_row(table, row: int) -> None:  # noqa: ANN001
    """Select through the selection model: ``selectRow`` obeys modifier keys left from key clicks."""
    index = table.model().index(row, 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(index, flags)


def focus(qtbot, table) -> None:  # noqa: ANN001
    """Give the table keyboard focus in an active window, as a user clicking into it does."""
    table.window().activateWindow()
    table.setFocus()
    qtbot.waitUntil(lambda: table.window().isActiveWindow() and table.hasFocus())


def submit_url(panel: JobsSidePanel, url: str, **options: object) -> Submission:
    opts = JobOptions(model="stt-async-v5", **options)  # type: ignore[arg-type]
    return panel.queue.add(Submission(opts, None, url=url))


def test_pages_load_as_the_user_scrolls_newest_first(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    fake_soniox.seed_transcriptions(260)
    gen = panel_host(qtbot, fake_soniox, make_context)
    host = next(gen)
    panel = host.panel
    loaded(qtbot, panel, 100)
    qtbot.waitUntil(lambda: panel.tabText(0) == "Jobs (260)")
    assert panel.jobs_model.pages_loaded == 1
    while panel.jobs_model.has_more:
        rows = panel.jobs_model.rowCount()
        panel.jobs_table.scrollToBottom()
        qtbot.waitUntil(lambda r=rows: panel.jobs_model.rowCount() > r or not panel.jobs_model.has_more)
    loaded(qtbot, panel, 260)
    assert panel.jobs_model.pages_loaded == 3
    jobs = panel.jobs_model.items()
    assert len({j.id for j in jobs}) == 260
    created = [j.created_at for j in jobs]
    assert created == sorted(created, reverse=True)
    assert jobs[0].filename == "seed-00259.mp3" and jobs[-1].filename == "seed-00000.mp3"
    assert panel.jobs_model.data(panel.jobs_model.index(0, 1)) == "Completed"
    assert not panel.poller.running  # nothing to watch: all finished
    gen.close()


def test_running_jobs_update_live_and_polling_backs_off(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    shown: list[str] = []
    panel.notification.connect(lambda _level, text: shown.append(text))
    loaded(qtbot, panel, 0)
    submit_url(panel, "https://media.example.com/a.mp3")
    loaded(qtbot, panel, 1)
    assert panel.jobs_model.item_at(0).status == "queued"
    assert panel.poller.running
    fake_soniox.advance(1.0)
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "processing")
    assert panel.jobs_model.data(panel.jobs_model.index(0, 3)) != ""  # the duration is known now
    fake_soniox.advance(2.0)
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed")
    qtbot.waitUntil(lambda: not panel.poller.running)
    delays = list(panel.poller.delays)
    assert delays[:2] == [0.02, 0.04] and max(delays) <= 0.1  # 1 s, 2 s, 4 s … capped, scaled down
    assert "Transcription finished: https://media.example.com/a.mp3." in shown


def test_closing_the_panel_stops_polling(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    loaded(qtbot, panel, 0)
    submit_url(panel, "https://media.example.com/a.mp3")
    loaded(qtbot, panel, 1)
    qtbot.waitUntil(lambda: panel.poller.polls >= 2)
    host.close()
    panel.close()
    assert not panel.poller.running
    polls = panel.poller.polls
    qtbot.wait(300)
    assert panel.poller.polls == polls


def test_failed_job_notifies_with_the_service_message_and_retry_replaces_it(
    qtbot,
    host: PanelHost,
    fake_soniox,  # noqa: ANN001
) -> None:
    panel = host.panel
    loaded(qtbot, panel, 0)
    fake_soniox.script_job(
        "broken",
        status="error",
        error_type="audio_decode_error",
        error_message="The audio could not be decoded.",
        times=1,
    )
    submit_url(panel, "https://media.example.com/broken.mp3", enable_speaker_diarization=True)
    loaded(qtbot, panel, 1)
    old_id = panel.jobs_model.item_at(0).id
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "error")
    qtbot.waitUntil(lambda: bool([n for n in panel.notices.notices if n.text.startswith("Transcription failed")]))
    failed = [n for n in panel.notices.notices if n.text.startswith("Transcription failed")]
    assert failed[0].text == (
        "Transcription failed: https://media.example.com/broken.mp3. The audio could not be decoded."
    )
    assert panel.jobs_model.data(panel.jobs_model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == (
        "The audio could not be decoded."
    )
    failed_job = panel.jobs_model.item_at(0)
    failed[0].action_button.click()  # "Retry" right in the notice
    panel.retry_jobs([failed_job])  # ... and Ctrl+R at once: still one new job, not two
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1 and panel.jobs_model.item_at(0).id != old_id)
    new = fake_soniox.transcription(panel.jobs_model.item_at(0).id)
    assert new["audio_url"] == "https://media.example.com/broken.mp3"
    assert new["request"]["enable_speaker_diarization"] is True  # the original options were kept
    assert [t["id"] for t in fake_soniox.transcriptions] == [new["id"]]  # the failed one was replaced
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed")


def test_delete_and_destroy_with_keys_and_confirmation(qtbot, host: PanelHost, fake_soniox, tmp_path) -> None:  # noqa: ANN001
    panel = host.panel
    loaded(qtbot, panel, 0)
    for name in ("keep file.wav", "destroy me.wav"):
        panel.queue.add(Submission(JobOptions(model="stt-async-v5"), None, path=wav_file(tmp_path, name)))
    loaded(qtbot, panel, 2)
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: {j.status for j in panel.jobs_model.items()} == {"completed"})
    assert len(fake_soniox.files) == 2

    table = panel.jobs_table
    focus(qtbot, table)
    row = next(r for r in range(2) if panel.jobs_model.item_at(r).filename == "keep file.wav")
    select_row(table, row)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert confirm(qtbot, panel) == (
        "Delete “keep file.wav”? The uploaded files stay in the Files tab. This cannot be undone."
    )
    loaded(qtbot, panel, 1)
    assert [t["filename"] for t in fake_soniox.transcriptions] == ["destroy me.wav"]
    assert len(fake_soniox.files) == 2  # delete keeps the file

    select_row(table, 0)
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    confirm(qtbot, panel, yes=False)  # cancelling changes nothing
    assert panel.jobs_model.rowCount() == 1
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert "and the uploaded files" in confirm(qtbot, panel)
    loaded(qtbot, panel, 0)
    assert fake_soniox.transcriptions == []
    assert [f["filename"] for f in fake_soniox.files] == ["keep file.wav"]
    qtbot.waitUntil(lambda: panel.tabText(0) == "Jobs (0)" and panel.tabText(1) == "Files (1)")
    assert panel.jobs_empty.isVisible()


def test_delete_all_says_how_many_and_keeps_processing_jobs(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    fake_soniox.seed_transcriptions(7)
    fake_soniox.seed_transcriptions(1, status="processing")
    panel = host.panel
    panel.refresh()
    loaded(qtbot, panel, 8)
    focus(qtbot, panel.jobs_table)
    qtbot.keyClick(
        panel.jobs_table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    text = confirm(qtbot, panel)
    assert text.startswith("Delete all 8 jobs? Jobs still processing stay.")
    qtbot.waitUntil(lambda: any(t.startswith("Deleted 7 of 8.") for t in panel.notices.texts()), timeout=10_000)
    summary = next(t for t in panel.notices.texts() if t.startswith("Deleted"))
    assert "1 still processing could not be deleted yet" in summary
    loaded(qtbot, panel, 1)
    assert [t["status"] for t in fake_soniox.transcriptions] == ["processing"]
    qtbot.waitUntil(lambda: panel.tabText(0) == "Jobs (1)")


def test_processing_jobs_cannot_be_deleted_and_the_action_says_why(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    fake_soniox.seed_transcriptions(1, status="processing")
    panel = host.panel
    panel.refresh()
    loaded(qtbot, panel, 1)
    select_row(panel.jobs_table, 0)
    assert not panel.delete_action.isEnabled()
    assert panel.delete_action.toolTip() == "A job cannot be deleted while it is processing."
    assert not panel.open_action.isEnabled()


def test_every_control_is_named(host: PanelHost) -> None:
    assert unnamed_controls(host.panel) == []
    assert isinstance(host.panel.confirm_box, (QMessageBox, type(None)))
