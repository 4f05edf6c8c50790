"""What the user can do to jobs and files in the side panel: open, retry, delete, destroy, delete all.

Composed into :class:`~desktop.ui.jobs.side_panel.JobsSidePanel` (not a mixin): it receives the
service, the notice area, the files model and the few panel callbacks it needs, and acts on the
items it is given, so it never reaches into its host. The panel keeps selection and enabling.
Every destructive action asks first, in a non-blocking box that names what goes (and, for
"delete all", how many); every failure is shown through :func:`describe_error`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtWidgets import QMessageBox, QWidget
from soniox.types import File, Transcription

from desktop.core.errors import describe_error
from desktop.core.jobs.jobs_repo import BulkResult
from desktop.core.jobs.service import JobsService
from desktop.ui.async_tools import spawn
from desktop.ui.jobs.files_model import FilesTableModel
from desktop.ui.jobs.jobs_model import job_source
from desktop.ui.jobs.notifications import Level, NotificationArea

log = logging.getLogger(__name__)


class JobsPanelActions:
    """Open, retry and delete jobs and files, asking first where something is lost."""

    def __init__(
        self,
        service: JobsService,
        *,
        parent: QWidget,
        notices: NotificationArea,
        files_model: FilesTableModel,
        adjust_counts: Callable[..., None],
        refresh: Callable[[], None],
        transcribe_file: Callable[[File], object],
    ) -> None:
        self.service = service
        self._parent = parent
        self.notices = notices
        self.files_model = files_model
        self.adjust_counts = adjust_counts
        self.refresh = refresh
        self.transcribe_file = transcribe_file
        self.confirm_box: QMessageBox | None = None
        self.transcript_windows: dict[str, QWidget] = {}
        #: Speaker names given in transcript windows, per job, kept while the app runs.
        self.speaker_names: dict[str, dict[str, str]] = {}

    def _confirm(self, title: str, text: str, confirm: str, on_yes: Callable[[], object]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, self._parent)
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

    def open_transcript(self, job: Transcription) -> QWidget | None:
        """Show the transcript window of a completed job (one window per job; fetched once)."""
        if job.status != "completed":
            self.notices.post(f"{job_source(job)} has no transcript yet: it is {job.status}.", Level.INFO)
            return None
        from desktop.ui.jobs.transcript_window import TranscriptWindow

        window = self.transcript_windows.get(job.id)
        if window is None:
            window = TranscriptWindow(
                job, self.service.cache, self._parent, names=self.speaker_names, on_transcript=self._keep_transcript
            )
            window.destroyed.connect(lambda _o=None, jid=job.id: self.transcript_windows.pop(jid, None))
            self.transcript_windows[job.id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def retry_jobs(self, jobs: Sequence[Transcription]) -> None:
        """Ask the service to create each failed job again (it refuses a second retry of one job)."""
        for job in jobs:
            spawn(self.service.retry_job(job), name="jobs-retry")

    def delete_jobs(self, jobs: list[Transcription], *, destroy: bool) -> None:
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
                self.service.repo.count_transcriptions,
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

    def delete_files(self, files: list[File]) -> None:
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
                await self.service.repo.delete_file(file.id)
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
                self.service.repo.count_files,
                "Jobs not yet finished will fail. This cannot be undone.",
                self.service.delete_all_files,
            ),
            name="files-delete-all",
        )

    async def _run_bulk(self, operation: Callable[..., Awaitable[BulkResult]], what: str) -> BulkResult | None:
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
            result = await operation(on_progress=progress)
        except Exception as exc:
            self.notices.clear_key(f"bulk-{what}")
            self.notices.post_error(describe_error(exc), context=f"Could not delete all {what}")
            return None
        level = Level.INFO if not result.failures and not result.still_processing else Level.WARNING
        self.notices.post(result.summary, level, key=f"bulk-{what}")
        self.refresh()
        return result

    def _keep_transcript(self, job: Transcription, tokens: list[object], names: dict[str, str]) -> None:
        spawn(self.service.keep_transcript(job, list(tokens), names), name="jobs-keep-transcript")
