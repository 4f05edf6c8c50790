"""The transcript viewer: speaker blocks, rename, search, export, copy; fetched once per job."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import Submission
from desktop.ui.jobs.transcript_window import TranscriptWindow, export_basename
from tests.a11y import unnamed_controls
from tests.ui.jobs.test_jobs_support import PanelHost, panel_host


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


SCRIPT = [
    {
        "speaker": "1",
        "language": "en",
        "text": "Good morning, this is the weekly review.",
        "translation": "Buenos días.",
    },
    {"speaker": "2", "language": "en", "text": "Thanks. The launch moved to Friday.", "translation": "Gracias."},
    {
        "speaker": "1",
        "language": "en",
        "text": "Then we publish the notes on Monday.",
        "translation": "Luego el lunes.",
    },
]


def completed_job(qtbot, host: PanelHost, fake_soniox, *, translate: bool = False):  # noqa: ANN001, ANN201
    panel = host.panel
    fake_soniox.script_job("weekly-review", script=SCRIPT, audio_duration_ms=12_000)
    # The job is submitted the way the sheet does it, from a URL.
    options = JobOptions(
        model="stt-async-v5",
        enable_speaker_diarization=True,
        enable_language_identification=True,
        translation="one_way" if translate else "none",
        translation_target="es" if translate else "",
    )
    panel.queue.add(Submission(options, None, url="https://media.example.com/weekly-review.mp3"))
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1, timeout=10_000)
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed", timeout=10_000)
    return panel.jobs_model.item_at(0)


def test_open_shows_speaker_blocks_with_times_and_translations(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    job = completed_job(qtbot, host, fake_soniox, translate=True)
    table = panel.jobs_table
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    table.selectionModel().setCurrentIndex(table.model().index(0, 0), flags)
    host.activateWindow()
    table.setFocus()
    qtbot.waitUntil(lambda: host.isActiveWindow() and table.hasFocus())
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: job.id in panel.transcript_windows)
    window = panel.transcript_windows[job.id]
    assert isinstance(window, TranscriptWindow)
    qtbot.waitUntil(lambda: window.loaded, timeout=10_000)
    text = window.view.toPlainText()
    assert "Speaker 1" in text and "Speaker 2" in text
    assert "Good morning, this is the weekly review." in text
    assert "The launch moved to Friday." in text
    assert "Buenos días." in text  # the translation under the original
    assert "0:00" in text  # a time per turn
    assert window.windowTitle() == "https://media.example.com/weekly-review.mp3 — Transcript"
    assert "2 speakers" in window.status.text()
    assert unnamed_controls(window) == []
    window.timestamps_check.setChecked(False)
    assert "0:00" not in window.view.toPlainText()


def test_rename_search_export_and_copy(qtbot, host: PanelHost, fake_soniox, tmp_path: Path) -> None:  # noqa: ANN001
    panel = host.panel
    job = completed_job(qtbot, host, fake_soniox)
    window = panel.open_transcript(job)
    qtbot.waitUntil(lambda: window.loaded, timeout=10_000)
    view = window.view

    view.name_prompt = lambda _parent, _sid, _current: "Ana"
    view.prompt_rename("1")
    assert "Ana" in view.toPlainText() and "Speaker 1" not in view.toPlainText()

    view.open_find_bar()
    view.find_bar.edit.setText("Friday")
    qtbot.waitUntil(lambda: view.find_bar.match_count == 1)

    exported: dict[str, str] = {}
    for fmt in ("txt", "srt", "vtt", "json", "md"):
        target = tmp_path / f"{export_basename(job)}.{fmt}"
        assert view.export_to_file(target, fmt)
        exported[fmt] = target.read_text(encoding="utf-8")
    assert "Ana" in exported["txt"] and "Speaker 2" in exported["txt"]
    assert exported["srt"].startswith("1\n00:00:") and "-->" in exported["srt"] and "Ana" in exported["srt"]
    assert exported["vtt"].startswith("WEBVTT") and "<v Ana>" in exported["vtt"]
    assert json.loads(exported["json"])["speakers"]["1"] == "Ana"
    assert exported["md"].startswith("# https://media.example.com/weekly-review.mp3")
    view.copy_to_clipboard("txt")
    assert QGuiApplication.clipboard().text() == exported["txt"]

    # Names survive closing and reopening the window (for this session).
    window.close()
    qtbot.waitUntil(lambda: job.id not in panel.transcript_windows)
    again = panel.open_transcript(job)
    qtbot.waitUntil(lambda: again.loaded)
    assert "Ana" in again.view.toPlainText()


def test_same_transcript_opened_twice_is_fetched_once(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    job = completed_job(qtbot, host, fake_soniox)
    first = panel.open_transcript(job)
    assert panel.open_transcript(job) is first  # the same window is raised, not a second one
    qtbot.waitUntil(lambda: first.loaded)
    first.close()
    qtbot.waitUntil(lambda: job.id not in panel.transcript_windows)
    # Any further request for it would now fail: reopening must come from the cache.
    fake_soniox.fail_next("GET", r"/transcript$", 500, times=10)
    second = panel.open_transcript(job)
    qtbot.waitUntil(lambda: second.loaded)
    assert panel.cache.fetches == 1
    assert "weekly review" in second.view.toPlainText()


def test_a_failed_fetch_says_why_and_can_be_retried(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    panel = host.panel
    job = completed_job(qtbot, host, fake_soniox)
    fake_soniox.fail_next("GET", r"/transcript$", 404, error_type="transcription_not_found")
    window = panel.open_transcript(job)
    qtbot.waitUntil(lambda: window.retry_button.isVisible())
    assert window.status.text().startswith("Could not load the transcript. Transcription not found.")
    assert "Refresh the list." in window.status.text()
    window.retry_button.click()
    qtbot.waitUntil(lambda: window.loaded)
    assert not window.retry_button.isVisible()


def test_a_long_transcript_opens_at_the_top(qtbot, host: PanelHost, fake_soniox) -> None:  # noqa: ANN001
    long_script = [
        {"speaker": str(1 + i % 2), "language": "en", "text": f"Sentence number {i} of a long talk."}
        for i in range(120)
    ]
    fake_soniox.script_job("long-talk", script=long_script, audio_duration_ms=600_000)
    panel = host.panel
    panel.queue.add(
        Submission(
            JobOptions(model="stt-async-v5", enable_speaker_diarization=True),
            None,
            url="https://media.example.com/long-talk.mp3",
        )
    )
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1, timeout=10_000)
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed", timeout=10_000)
    window = panel.open_transcript(panel.jobs_model.item_at(0))
    window.resize(700, 400)
    qtbot.waitUntil(lambda: window.loaded, timeout=10_000)
    qtbot.wait(50)
    scroll = window.view.editor.verticalScrollBar()
    assert scroll.maximum() > 0, "the transcript is longer than the window"
    assert scroll.value() == 0, "a finished transcript is read from the top"
    assert not window.view.jump_button.isVisible()
