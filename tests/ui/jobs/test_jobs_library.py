"""Fetched job transcripts are kept in the local library, with speaker names and the dropped file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.submissions import Submission
from desktop.core.library.store import Library
from tests.ui.jobs.test_jobs_support import PanelHost, drag_and_drop, mime_for, panel_host, wav_file
from tests.ui.jobs.test_transcript_window import SCRIPT


@pytest.fixture
def host(qtbot, qloop, fake_soniox, make_context) -> Iterator[PanelHost]:  # noqa: ANN001
    yield from panel_host(qtbot, fake_soniox, make_context)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "library")
    yield lib
    lib.close()


def test_opened_transcript_is_kept_with_renamed_speakers(qtbot, host: PanelHost, fake_soniox, library) -> None:  # noqa: ANN001
    panel = host.panel
    panel.set_library(library)
    fake_soniox.script_job("weekly-review", script=SCRIPT, audio_duration_ms=12_000)
    options = JobOptions(model="stt-async-v5", enable_speaker_diarization=True)
    panel.queue.add(Submission(options, None, url="https://media.example.com/weekly-review.mp3"))
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1, timeout=10_000)
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed", timeout=10_000)
    job = panel.jobs_model.item_at(0)
    window = panel.open_transcript(job)
    qtbot.waitUntil(lambda: window.loaded, timeout=10_000)
    # The service writes the library from an async step, so the write lands a moment later.
    qtbot.waitUntil(lambda: library.job_transcript_id(job.id) is not None)
    tid = library.job_transcript_id(job.id)
    assert tid is not None, "the fetched transcript is in the library"
    stored = "".join(t.text for t in library.tokens(tid))
    assert "weekly review" in stored and "launch moved to Friday" in stored
    window.view.rename_speaker("2", "Maria")
    qtbot.waitUntil(lambda: library.speaker_names(tid).get("2") == "Maria")
    assert library.job_transcript_id(job.id) == tid, "saving again updates, never duplicates"
    window.view.rename_speaker("2", "")  # back to the default label
    qtbot.waitUntil(lambda: "2" not in library.speaker_names(tid))


def test_dropped_file_keeps_a_link_to_its_original_path(qtbot, host: PanelHost, fake_soniox, library, tmp_path) -> None:  # noqa: ANN001
    panel = host.panel
    panel.set_library(library)
    path = wav_file(tmp_path, "meeting.wav")
    qtbot.waitUntil(lambda: not panel.jobs_model.loading)
    assert drag_and_drop(host, mime_for([path])).isAccepted()
    qtbot.waitUntil(lambda: panel.job_sheet is not None and panel.job_sheet.isVisible())
    panel.job_sheet.start_button.click()
    qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 1, timeout=10_000)
    job = panel.jobs_model.item_at(0)
    fake_soniox.finish_all_jobs()
    qtbot.waitUntil(lambda: panel.jobs_model.item_at(0).status == "completed", timeout=10_000)
    window = panel.open_transcript(panel.jobs_model.item_at(0))
    qtbot.waitUntil(lambda: window.loaded, timeout=10_000)
    # The library keeps it on its worker thread: the write lands a moment after the window fills.
    qtbot.waitUntil(lambda: library.job_transcript_id(job.id) is not None, timeout=5_000)
    info = library.info(library.job_transcript_id(job.id))
    assert info is not None and Path(info.audio_path) == path
