"""Real drag-and-drop onto the window: highlight, refusals up front, upload, job, completion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QDockWidget, QLineEdit, QMainWindow

from desktop.ui.jobs.drop_overlay import split_mime
from desktop.ui.jobs.side_panel import JobsSidePanel
from tests.ui.jobs.test_jobs_support import (
    PanelHost,
    drag_and_drop,
    drag_enter,
    drag_leave,
    drag_move,
    mime_for,
    panel_host,
    wav_file,
)


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


def test_split_mime_separates_files_links_and_text() -> None:
    mime = mime_for([Path("/tmp/a.wav")], ["https://example.com/b.mp3", "ftp://x/c.mp3"])
    paths, urls = split_mime(mime)
    assert paths == [Path("/tmp/a.wav")] and urls == ["https://example.com/b.mp3"]
    text = QMimeData()
    text.setText("https://example.com/link.mp3\nnot a link")
    assert split_mime(text) == ([], ["https://example.com/link.mp3"])
    plain = QMimeData()
    plain.setText("just words")
    assert split_mime(plain) == ([], [])


def test_drag_over_the_window_shows_the_highlight_and_leaving_hides_it(host: PanelHost, tmp_path: Path) -> None:
    overlay = host.panel.drop_controller.overlay
    mime = mime_for([wav_file(tmp_path)])
    enter = drag_enter(host, mime)
    assert enter.isAccepted()
    assert overlay.isVisible()
    assert overlay.label.text() == "Drop to transcribe 1 file"
    assert overlay.geometry() == host.rect()
    drag_move(host, mime)
    assert overlay.isVisible()
    drag_leave(host)
    assert not overlay.isVisible()


def test_plain_text_drags_are_left_to_text_fields(host: PanelHost) -> None:
    field = QLineEdit(host)
    field.setObjectName("someField")
    mime = QMimeData()
    mime.setText("hello")
    drag_enter(field, mime)
    assert not host.panel.drop_controller.overlay.isVisible()


def test_dropped_files_are_uploaded_and_transcribed(qtbot, host: PanelHost, fake_soniox, tmp_path: Path) -> None:  # noqa: ANN001
    panel = host.panel
    good = [wav_file(tmp_path, "meeting one.wav"), wav_file(tmp_path, "meeting two.wav")]
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("not audio")
    qtbot.waitUntil(lambda: not panel.jobs_model.loading)

    dropped = drag_and_drop(host, mime_for([*good, empty, text]))
    assert dropped.isAccepted()
    assert not panel.drop_controller.overlay.isVisible()

    notices = panel.notices.texts()
    assert len(notices) == 1
    assert "2 files were not sent" in notices[0]
    assert "empty.mp3: the file is empty." in notices[0]
    assert "notes.txt: this is a text file, not audio or video." in notices[0]

    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    sheet = panel.job_sheet
    assert sheet.summary.text() == "Transcribe 2 files: meeting one.wav, meeting two.wav"
    sheet.diarization_check.setChecked(True)
    sheet.start_button.click()

    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 2, timeout=10_000)
    assert sorted(f["filename"] for f in fake_soniox.files) == ["meeting one.wav", "meeting two.wav"]
    for f in fake_soniox.files:
        assert fake_soniox.file_bytes(f["id"]) == next(p for p in good if p.name == f["filename"]).read_bytes()
    qtbot.waitUntil(lambda: not panel.upload_list.rows)
    assert panel.files_model.rowCount() == 2
    requests = [fake_soniox.transcription(t["id"])["request"] for t in fake_soniox.transcriptions]
    assert all(r["enable_speaker_diarization"] is True for r in requests)
    assert {panel.jobs_model.item_at(r).status for r in range(2)} == {"queued"}

    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: {panel.jobs_model.item_at(r).status for r in range(2)} == {"completed"}, timeout=10_000)
    qtbot.waitUntil(lambda: sum("Transcription finished" in t for t in panel.notices.texts()) == 2)
    assert panel.tabText(0) == "Jobs (2)" and panel.tabText(1) == "Files (2)"
    qtbot.waitUntil(lambda: not panel.poller.running)


def test_dropped_link_opens_the_url_sheet_and_creates_an_audio_url_job(
    qtbot,
    host: PanelHost,
    fake_soniox,  # noqa: ANN001
) -> None:
    panel = host.panel
    dropped = drag_and_drop(host, mime_for(urls=["https://media.example.com/keynote.mp4"]))
    assert dropped.isAccepted()
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    assert panel.job_sheet.url_edit.text() == "https://media.example.com/keynote.mp4"
    panel.job_sheet.start_button.click()
    qtbot.waitUntil(lambda: len(fake_soniox.transcriptions) == 1)
    assert fake_soniox.transcriptions[0]["audio_url"] == "https://media.example.com/keynote.mp4"


def test_drop_on_a_child_widget_or_a_floating_dock_reaches_the_panel(
    qtbot,
    qloop,
    fake_soniox,
    make_context,
    tmp_path,  # noqa: ANN001
) -> None:
    ctx = make_context(fake_soniox, key="test-key")
    window = QMainWindow()
    window.setObjectName("dockHost")
    qtbot.addWidget(window)
    window.setCentralWidget(QLineEdit(window))
    panel = JobsSidePanel(ctx, window)
    dock = QDockWidget("Jobs", window)
    dock.setObjectName("jobsDock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    panel.install_drop_target(window)
    window.show()
    # A drop on the central text field, then on the undocked (floating) panel itself.
    drag_and_drop(window.centralWidget(), mime_for([wav_file(tmp_path, "one.wav")]))
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    assert panel.job_sheet.summary.text() == "Transcribe 1 file: one.wav"
    panel.job_sheet.reject()
    dock.setFloating(True)
    qtbot.waitUntil(lambda: panel.job_sheet is None)
    drag_and_drop(panel.jobs_table.viewport(), mime_for([wav_file(tmp_path, "two.wav")]))
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    assert panel.job_sheet.summary.text() == "Transcribe 1 file: two.wav"
    panel.job_sheet.reject()
    panel.shutdown()
