"""What the user can do to jobs and files in the side panel: open, retry, delete, destroy, delete all.

A mixin of :class:`~desktop.ui.jobs.side_panel.JobsSidePanel`, kept apart so the panel module
holds the layout and the flow from drop to job, and this one the actions on existing items.
Every destructive action asks first, in a non-blocking box that names what goes (and, for
"delete all", how many); every failure is shown through :func:`describe_error`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QTableView, QWidget
from soniox.types import File, Model, Transcription

from desktop.core.errors import describe_error
from desktop.core.jobs.jobs_repo import BulkResult, JobsRepository
from desktop.core.jobs.poller import JobPoller
from desktop.core.jobs.service import JobsService
from desktop.core.jobs.transcript_cache import TranscriptCache
from desktop.ui.async_tools import spawn
from desktop.ui.jobs.files_model import FilesTableModel
from desktop.ui.jobs.job_sheet import MODE_FILE_ID
from desktop.ui.jobs.jobs_model import JobsTableModel, job_source
from desktop.ui.jobs.notifications import Level, NotificationArea

log = logging.getLogger(__name__)


class PanelActions:
    """Job and file actions; the panel provides the attributes declared here."""

    repo: JobsRepository
    cache: TranscriptCache
    poller: JobPoller
    notices: NotificationArea
    jobs_model: JobsTableModel
    files_model: FilesTableModel
    jobs_table: QTableView
    files_table: QTableView
    confirm_box: QMessageBox | None
    transcript_windows: dict[str, QWidget]
    speaker_names: dict[str, dict[str, str]]
    service: JobsService
    open_action: QAction
    retry_action: QAction
    delete_action: QAction
    destroy_action: QAction
    retranscribe_action: QAction
    retranscribe_button: QWidget
    delete_file_action: QAction
    delete_file_button: QWidget

    if TYPE_CHECKING:  # provided by the panel

        def adjust_counts(self, jobs: int = 0, files: int = 0) -> None: ...
        async def _ensure_models(self) -> list[Model]: ...
        async def _open_sheet(self, mode: str, *, file: File | None = None) -> object: ...
        def refresh(self) -> None: ...

    # ================================================================== selection helpers
    def _selected(self, table: QTableView) -> list[int]:
        model = table.selectionModel()
        rows = sorted({index.row() for index in model.selectedRows()}) if model is not None else []
        if not rows and table.currentIndex().isValid() and table.hasFocus():
            rows = [table.currentIndex().row()]
        return rows

    def selected_jobs(self) -> list[Transcription]:
        return [job for row in self._selected(self.jobs_table) if (job := self.jobs_model.item_at(row)) is not None]

    def selected_files(self) -> list[File]:
        return [f for row in self._selected(self.files_table) if (f := self.files_model.item_at(row)) is not None]

    def _update_job_actions(self, *_args: object) -> None:
        jobs = self.selected_jobs()
        self.open_action.setEnabled(len(jobs) == 1 and jobs[0].status == "completed")
        self.retry_action.setEnabled(any(j.status == "error" for j in jobs))
        deletable = bool(jobs) and all(j.status != "processing" for j in jobs)
        self.delete_action.setEnabled(deletable)
        self.destroy_action.setEnabled(deletable)
        tip = "" if deletable or not jobs else "A job cannot be deleted while it is processing."
        self.delete_action.setToolTip(tip)
        self.destroy_action.setToolTip(tip)

    def _update_file_actions(self, *_args: object) -> None:
        files = self.selected_files()
        self.retranscribe_action.setEnabled(len(files) == 1)
        self.retranscribe_button.setEnabled(len(files) == 1)
        self.delete_file_action.setEnabled(bool(files))
        self.delete_file_button.setEnabled(bool(files))

    def _confirm(self, title: str, text: str, confirm: str, on_yes: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("jobsConfirm")
        yes = box.addButton(confirm, QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName("jobsConfirmYes")
        yes.setAccessibleName(confirm.replace("&", ""))
        no = box.addButton(QMessageBox.StandardButton.Cancel)
        no.setObjectName("jobsConfirmNo")
        no.setAccessibleName("Cancel")
        box.setDefaultButton(no)

        def done(_result: int) -> None:
            if box.clickedButton() is yes:
                on_yes()
            if self.confirm_box is box:
                self.confirm_box = None

        box.finished.connect(done)
        self.confirm_box = box
        box.open()
        return box

    # ================================================================== job actions
    def open_selected_transcript(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) == 1:
            self.open_transcript(jobs[0])

    def open_transcript(self, job: Transcription) -> QWidget | None:
        """Show the transcript window of a completed job (one window per job; fetched once)."""
        if job.status != "completed":
            self.notices.post(f"{job_source(job)} has no transcript yet: it is {job.status}.", Level.INFO)
            return None
        from desktop.ui.jobs.transcript_window import TranscriptWindow

        window = self.transcript_windows.get(job.id)
        if window is None:
            window = TranscriptWindow(
                job, self.cache, self, names=self.speaker_names, on_transcript=self._keep_transcript
            )
            window.destroyed.connect(lambda _o=None, jid=job.id: self.transcript_windows.pop(jid, None))
            self.transcript_windows[job.id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def retry_selected_jobs(self) -> None:
        self.retry_jobs([j for j in self.selected_jobs() if j.status == "error"])

    def retry_jobs(self, jobs: Sequence[Transcription]) -> None:
        """Ask the service to create each failed job again (it refuses a second retry of one job)."""
        for job in jobs:
            spawn(self.service.retry_job(job), name="jobs-retry")

    def delete_selected_jobs(self) -> None:
        self._delete_jobs(self.selected_jobs(), destroy=False)

    def destroy_selected_jobs(self) -> None:
        self._delete_jobs(self.selected_jobs(), destroy=True)

    def _delete_jobs(self, jobs: list[Transcription], *, destroy: bool) -> None:
        if not jobs:
            return
        busy = [j for j in jobs if j.status == "processing"]
        if busy:
            self.notices.post(
                f"{job_source(busy[0])} is still processing and cannot be deleted yet. Try again when it has finished.",
                Level.WARNING,
            )
            return
        what = f"“{job_source(jobs[0])}”" if len(jobs) == 1 else f"{len(jobs)} jobs"
        if destroy:
            text = f"Delete {what} and the uploaded files they were made from? This cannot be undone."
            title, confirm = "Delete jobs and files", "Delete jobs and &files"
        else:
            text = f"Delete {what}? The uploaded files stay in the Files tab. This cannot be undone."
            title, confirm = "Delete jobs", "&Delete"
        self._confirm(title, text, confirm, lambda: spawn(self._run_delete_jobs(jobs, destroy), name="jobs-delete"))

    async def _run_delete_jobs(self, jobs: list[Transcription], destroy: bool) -> None:
        for job in jobs:
            try:
                if destroy:
                    await self.service.destroy_job(job)
                else:
                    await self.service.delete_job(job.id)
            except Exception as exc:
                self.notices.post_error(describe_error(exc), context=f"Could not delete {job_source(job)}")
                continue
            if destroy and job.file_id and self.files_model.remove(job.file_id):
                self.adjust_counts(files=-1)
            window = self.transcript_windows.pop(job.id, None)
            if window is not None:
                window.close()

    def delete_all_jobs(self) -> None:
        spawn(
            self._confirm_delete_all(
                "job",
                "jobs",
                self.repo.count_transcriptions,
                "Jobs still processing stay. Uploaded files are kept. This cannot be undone.",
                self.service.delete_all_jobs,
            ),
            name="jobs-delete-all",
        )

    async def _confirm_delete_all(
        self,
        one: str,
        many: str,
        count: Callable[[], Awaitable[int]],
        consequence: str,
        operation: Callable[..., Awaitable[BulkResult]],
    ) -> None:
        """The one "delete all" confirmation: count first, say how many go, then run in bulk."""
        try:
            total = await count()
        except Exception as exc:
            self.notices.post_error(describe_error(exc), context=f"Could not count the {many}")
            return
        if total == 0:
            self.notices.post(f"There are no {many} to delete.", Level.INFO)
            return
        noun = one if total == 1 else many
        uploaded = "uploaded " if many == "files" else ""
        self._confirm(
            f"Delete all {many}",
            f"Delete all {total:,} {uploaded}{noun}? {consequence}",
            f"Delete all {total:,} {noun}",
            lambda: spawn(self._run_bulk(operation, many), name=f"{many}-bulk"),
        )

    # ================================================================== file actions
    def transcribe_selected_file(self) -> None:
        files = self.selected_files()
        if len(files) == 1:
            spawn(self._open_sheet(MODE_FILE_ID, file=files[0]), name="jobs-file-sheet")

    def delete_selected_files(self) -> None:
        files = self.selected_files()
        if not files:
            return
        what = f"“{files[0].filename}”" if len(files) == 1 else f"{len(files)} files"
        self._confirm(
            "Delete files",
            f"Delete {what} from Soniox? Jobs made from them keep their transcripts; "
            "jobs not yet finished will fail. This cannot be undone.",
            "&Delete",
            lambda: spawn(self._run_delete_files(files), name="files-delete"),
        )

    async def _run_delete_files(self, files: list[File]) -> None:
        for file in files:
            try:
                await self.repo.delete_file(file.id)
            except Exception as exc:
                self.notices.post_error(describe_error(exc), context=f"Could not delete {file.filename}")
                continue
            if self.files_model.remove(file.id):
                self.adjust_counts(files=-1)

    def delete_all_files(self) -> None:
        spawn(
            self._confirm_delete_all(
                "file",
                "files",
                self.repo.count_files,
                "Jobs not yet finished will fail. This cannot be undone.",
                self.service.delete_all_files,
            ),
            name="files-delete-all",
        )

    async def _run_bulk(self, operation: Callable[..., object], what: str) -> BulkResult | None:
        notice = self.notices.post(f"Finding all {what} to delete…", Level.INFO, key=f"bulk-{what}", timeout_ms=0)
        last = 0.0

        def progress(done: int, total: int) -> None:
            # Thousands of deletions: update one notice's text a few times a second, no more.
            nonlocal last
            now = time.monotonic()
            if done == total or now - last >= 0.2:
                last = now
                with contextlib.suppress(RuntimeError):  # the user may have dismissed the notice
                    notice.set_text(f"Deleting {what}: {done:,} of {total:,}…")

        try:
            result: BulkResult = await operation(on_progress=progress)  # type: ignore[operator]
        except Exception as exc:
            self.notices.clear_key(f"bulk-{what}")
            self.notices.post_error(describe_error(exc), context=f"Could not delete all {what}")
            return None
        level = Level.INFO if not result.failures and not result.still_processing else Level.WARNING
        self.notices.post(result.summary, level, key=f"bulk-{what}")
        self.refresh()
        return result
