"""The same job's length reads the same in the jobs table, the job's transcript window and the
history row (it used to be "1:59" in jobs and "01:58" in the history)."""

from __future__ import annotations

from datetime import datetime, timezone

from desktop.core.library.records import TranscriptInfo
from desktop.ui.jobs.jobs_model import COL_DURATION, JobsTableModel
from desktop.ui.jobs.transcript_window import TranscriptWindow
from desktop.ui.library.transcript_parts import meta_text
from tests.job_helpers import NeverLoads, completed_job

MS = 118_600


def _info() -> TranscriptInfo:
    return TranscriptInfo(
        id=1,
        kind="file",
        title="talk.wav",
        created_at=datetime.now(timezone.utc).timestamp(),
        ended_at=None,
        duration_ms=MS,
        source_kind="file",
        source_label="talk.wav",
        source_uri=None,
        status="complete",
        end_reason=None,
        recovery_pending=False,
        token_count=0,
        word_count=0,
        speakers=(),
        job_id="job-1",
        audio_path=None,
        audio_owned=False,
        audio_format=None,
        updated_at=0.0,
    )


def test_jobs_history_and_transcript_window_agree(qtbot, qloop) -> None:  # noqa: ANN001
    job = completed_job(audio_duration_ms=MS)
    table_text = JobsTableModel(lambda _cursor: None).cells(job)[COL_DURATION]
    window = TranscriptWindow(job, NeverLoads())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    history_parts = meta_text(_info()).split(" · ")
    assert table_text == "1:59"
    assert "1:59" in window.header.text().split(" · ")
    assert "1:59" in history_parts
