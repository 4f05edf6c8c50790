"""Draws JobsService events in the jobs side panel: rows, counts, upload list and notices.

Why a separate object: the service decides what happened and what to say; this adapter only
turns each event into a widget change, so the panel holds no jobs rules of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication
from soniox.types import File, Transcription

from desktop.core.jobs.retry import RetryNotice
from desktop.core.jobs.service import FollowUp, JobsNotice, NoticeLevel
from desktop.core.jobs.submissions import Submission
from desktop.ui.jobs.notifications import Level

if TYPE_CHECKING:
    from desktop.ui.jobs.side_panel import JobsSidePanel

_LEVELS = {NoticeLevel.INFO: Level.INFO, NoticeLevel.WARNING: Level.WARNING, NoticeLevel.ERROR: Level.ERROR}


class PanelJobsListener:
    """A JobsListener that updates one JobsSidePanel; ignores events after the panel closed."""

    def __init__(self, panel: JobsSidePanel) -> None:
        self._panel = panel

    def on_submission_changed(self, sub: Submission) -> None:
        if self._panel.alive:
            self._panel.upload_list.show_submission(sub)

    def on_file_uploaded(self, file: File) -> None:
        self._panel.files_model.prepend(file)
        self._panel.adjust_counts(files=1)

    def on_job_added(self, job: Transcription) -> None:
        self._panel.jobs_model.prepend(job)
        self._panel.adjust_counts(jobs=1)

    def on_job_updated(self, job: Transcription) -> None:
        if self._panel.alive:
            self._panel.jobs_model.update(job)

    def on_job_finished(self, job: Transcription) -> None:
        if not self._panel.alive:
            return
        self._panel.job_finished.emit(job)
        window = self._panel.window()
        if window is not None:
            QApplication.alert(window)

    def on_job_gone(self, job_id: str) -> None:
        if self._panel.jobs_model.remove(job_id):
            self._panel.adjust_counts(jobs=-1)

    def on_notice(self, notice: JobsNotice) -> None:
        if not self._panel.alive:
            return
        panel = self._panel
        action: tuple[str, Callable[[], None]] | None = None
        job = notice.job
        if notice.follow_up is FollowUp.OPEN_TRANSCRIPT and job is not None:
            finished = job

            def open_it() -> None:
                panel.open_transcript(finished)

            action = (notice.follow_up.value, open_it)
        elif notice.follow_up is FollowUp.RETRY_JOB and job is not None:
            action = (notice.follow_up.value, lambda: panel.retry_jobs([job]))
        timeout_ms = int(notice.timeout_s * 1000) if notice.timeout_s is not None else None
        if notice.error is not None:
            panel.notices.post_error(notice.error, context=notice.text, key=notice.key, action=action)
        else:
            panel.notices.post(notice.text, _LEVELS[notice.level], key=notice.key, action=action, timeout_ms=timeout_ms)

    def on_retry(self, notice: RetryNotice) -> None:
        if self._panel.alive:
            self._panel.notices.post(
                notice.text, Level.WARNING, key="retry", timeout_ms=int(notice.delay_s * 1000) + 2000
            )
