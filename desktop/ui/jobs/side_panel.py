"""The side panel: "Jobs (N)" and "Files (N)" — a view of :class:`~desktop.core.jobs.service.JobsService`.

The service owns the jobs workflow (submit, upload, create, poll, fetch, keep in the library,
retry, delete) and decides what to tell the user; :class:`PanelJobsListener` draws its events
here. The panel holds the tables, menus and notices, and forwards user actions: the job sheet
flow to :class:`JobSheetFlow`, actions on existing items to :class:`JobsPanelActions`.

For the main window: ``JobsSidePanel(context)``, ``refresh()`` once connected,
``install_drop_target(window)``,
``open_files_dialog()``, ``open_url_dialog()``, ``shutdown()``; signals ``job_finished``,
``notification``, ``counts_changed``.

At ~520 lines it holds the two tabs' layout, their selection-dependent enabling and the public
API the main window uses; no jobs logic lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from soniox import AsyncSonioxClient
from soniox.types import File, Transcription

from desktop.core.backoff import Backoff
from desktop.core.context import AppContext
from desktop.core.errors import describe_error
from desktop.core.jobs.jobs_repo import ACTIVE_STATUSES
from desktop.core.jobs.retry import RetryPolicy
from desktop.core.jobs.service import JobsService
from desktop.core.jobs.submissions import Submission
from desktop.ui import icons, theme
from desktop.ui.async_tools import spawn
from desktop.ui.jobs import jobs_model
from desktop.ui.jobs.columns import ColumnChooser
from desktop.ui.jobs.drop_overlay import FileDropController
from desktop.ui.jobs.files_model import FilesTableModel
from desktop.ui.jobs.job_sheet import JobSheet
from desktop.ui.jobs.jobs_model import JobsTableModel
from desktop.ui.jobs.notifications import NotificationArea
from desktop.ui.jobs.panel_actions import JobsPanelActions
from desktop.ui.jobs.panel_listener import PanelJobsListener
from desktop.ui.jobs.panel_widgets import add_separator, make_action, make_icon_button
from desktop.ui.jobs.sheet_flow import JobSheetFlow
from desktop.ui.jobs.tables import make_table, selected_rows
from desktop.ui.jobs.upload_list import UploadList
from desktop.ui.widgets.buttons import make_button

log = logging.getLogger(__name__)


def _empty_icon(parent: QWidget, name: str, icon: str) -> QLabel:
    """The picture above an empty tab's words (hidden with them once there is something to list)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
    icons.set_pixmap(label, icon, theme.ICON_SIZE_LARGE)
    return label


class JobsSidePanel(QTabWidget):
    #: A job this panel watched reached "completed" or "error" (the Transcription).
    job_finished = Signal(object)
    #: A notice was shown: (level, text) — the main window may mirror it in the status bar.
    notification = Signal(str, str)
    #: The same with the notice's action: (level, text, (label, callback) or None), so a desktop
    #: notification shown while the window is hidden can do what the notice's button does.
    notice_posted = Signal(str, str, object)
    #: (number of jobs, number of files) in the account, as shown in the tab titles.
    counts_changed = Signal(int, int)

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        poll_backoff: Backoff | None = None,
        retry_policy: RetryPolicy | None = None,
        page_size: int = 200,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("jobsSidePanel")
        self.setAccessibleName("Jobs and files")
        self._alive = True
        self.job_count: int | None = None
        self.file_count: int | None = None
        self.drop_controller: FileDropController | None = None

        #: Every jobs rule lives in the service; this panel draws its events (PanelJobsListener).
        self.service = JobsService(
            self._client,
            context.load_models,
            _RetryAllAwareListener(self),
            poll_backoff=poll_backoff,
            retry_policy=retry_policy,
            page_size=page_size,
        )
        self.repo = self.service.repo
        self.cache = self.service.cache
        self.poller = self.service.poller
        self.queue = self.service.queue

        self.jobs_model = JobsTableModel(lambda cursor: self.repo.list_transcriptions(cursor), self)
        self.files_model = FilesTableModel(lambda cursor: self.repo.list_files(cursor), self)
        self.addTab(self._build_jobs_tab(), "Jobs")
        self.addTab(self._build_files_tab(), "Files")
        self.sheet_flow = JobSheetFlow(
            context, self.service, self.notices, self, on_submitted=lambda: self.setCurrentIndex(0)
        )
        self.item_actions = JobsPanelActions(
            self.service,
            parent=self,
            notices=self.notices,
            files_model=self.files_model,
            adjust_counts=self.adjust_counts,
            refresh=self.refresh,
            transcribe_file=self.sheet_flow.open_for_file,
        )
        self._update_titles()

        self.jobs_model.page_loaded.connect(self._on_jobs_page)
        self.jobs_model.load_failed.connect(lambda exc: self._load_failed("Could not load jobs", exc))
        self.jobs_model.loading_changed.connect(self._update_empty_states)
        self.files_model.load_failed.connect(lambda exc: self._load_failed("Could not load files", exc))
        self.files_model.loading_changed.connect(self._update_empty_states)
        # The table hides while empty: any row that arrives (a new job, a page) must bring it back.
        for model in (self.jobs_model, self.files_model):
            model.rowsInserted.connect(self._update_empty_states)
            model.rowsRemoved.connect(self._update_empty_states)
            model.modelReset.connect(self._update_empty_states)
        self.files_model.page_loaded.connect(lambda _n: self._update_empty_states())
        self.jobs_table.selectionModel().selectionChanged.connect(self._update_job_actions)
        self.files_table.selectionModel().selectionChanged.connect(self._update_file_actions)
        self.jobs_model.dataChanged.connect(self._update_job_actions)
        self.notices.posted.connect(self.notification)
        self.notices.posted_with_action.connect(self.notice_posted)

        context.on_change(self._on_context_changed)
        # No load here: the host calls refresh() once it knows the key and endpoint work, so a
        # wrong key or no network is reported once (by the connection check), not four times.

    # ================================================================== building
    def _build_jobs_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("jobsTab")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.add_files_button = _panel_button(
            "Transcribe files…", "transcribeFilesButton", "Transcribe files", self.open_files_dialog, page
        )
        self.add_files_button.setToolTip("Choose audio or video files to transcribe (Ctrl+O), or drop them here")
        self.add_url_button = _panel_button(
            "URL…", "transcribeUrlButton", "Transcribe a URL", self.open_url_dialog, page
        )
        self.add_url_button.setToolTip("Transcribe audio or video from an http(s) address (Ctrl+Shift+O)")
        bar.addWidget(self.add_files_button)
        bar.addWidget(self.add_url_button)
        bar.addStretch(1)
        self.refresh_action = make_action("&Refresh", "refreshJobsAction", self.refresh, "F5", page)
        self.refresh_jobs_button = make_icon_button(
            "refresh",
            "Refresh jobs and files (F5)",
            "refreshJobsButton",
            self.refresh_action,
            page,
        )
        bar.addWidget(self.refresh_jobs_button)
        layout.addLayout(bar)

        self.notices = NotificationArea(page)
        layout.addWidget(self.notices)
        self.upload_list = UploadList(page)
        self.upload_list.cancel_requested.connect(self.service.cancel_submission)
        self.upload_list.retry_requested.connect(self.service.retry_submission)
        self.upload_list.dismiss_requested.connect(self.service.dismiss_submission)
        layout.addWidget(self.upload_list)
        # What the automatic re-sends could not fix, in one go (shown only while something failed).
        self.retry_all_action = make_action(
            "Retry all failed", "retryAllFailedAction", self.retry_all_failed, "Ctrl+Shift+R", page
        )
        self.retry_all_button = make_button(
            "Retry all failed",
            "retryAllFailedButton",
            "Retry all failed uploads and jobs",
            page,
            tip="Send every failed file or URL again (Ctrl+Shift+R)",
            slot=self.retry_all_failed,
        )
        retry_bar = QHBoxLayout()
        retry_bar.addStretch(1)
        retry_bar.addWidget(self.retry_all_button)
        layout.addLayout(retry_bar)
        self.update_retry_all()

        self.jobs_empty_icon = _empty_icon(page, "jobsEmptyIcon", "inbox")
        layout.addWidget(self.jobs_empty_icon)
        self.jobs_empty = QLabel(page)
        self.jobs_empty.setObjectName("jobsEmptyState")
        self.jobs_empty.setWordWrap(True)
        # Icon above, words below, the pair centred in the space the hidden table leaves.
        self.jobs_empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.jobs_empty)
        self.jobs_table = make_table(
            self.jobs_model,
            page,
            name="jobsTable",
            accessible="Transcription jobs",
            widths=(180, 105, 100, 62, 122, 80),
        )
        self.jobs_table.doubleClicked.connect(lambda _i: self.open_selected_transcript())
        layout.addWidget(self.jobs_table, 1)
        self.jobs_loading = QLabel("Loading…", page)
        self.jobs_loading.setObjectName("jobsLoading")
        self.jobs_loading.hide()
        layout.addWidget(self.jobs_loading)

        table = self.jobs_table
        self.open_action = make_action(
            "&Open transcript", "openTranscriptAction", self.open_selected_transcript, Qt.Key.Key_Return, table
        )
        self.open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self.retry_action = make_action(
            "&Retry failed job", "retryJobAction", self.retry_selected_jobs, "Ctrl+R", table
        )
        add_separator(table)
        self.delete_action = make_action(
            "&Delete job", "deleteJobAction", self.delete_selected_jobs, QKeySequence.StandardKey.Delete, table
        )
        self.destroy_action = make_action(
            "Delete job and its &file", "destroyJobAction", self.destroy_selected_jobs, "Shift+Delete", table
        )
        add_separator(table)
        self.delete_all_jobs_action = make_action(
            "Delete &all jobs…",
            "deleteAllJobsAction",
            lambda: self.item_actions.delete_all_jobs(),
            "Ctrl+Shift+Delete",
            table,
        )
        self.jobs_columns = ColumnChooser(
            table,
            self.context.settings_store,
            setting="jobs_columns",
            keys=jobs_model.COLUMN_KEYS,
            default_visible=jobs_model.DEFAULT_VISIBLE,
        )
        self._update_job_actions()
        return page

    def _build_files_tab(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("filesTab")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.retranscribe_button = _panel_button(
            "Transcribe again…",
            "retranscribeFileButton",
            "Transcribe the selected file again",
            self.transcribe_selected_file,
            page,
        )
        self.delete_file_button = _panel_button(
            "Delete", "deleteFileButton", "Delete the selected files", self.delete_selected_files, page
        )
        self.delete_all_files_button = _panel_button(
            "Delete all…",
            "deleteAllFilesButton",
            "Delete all files",
            lambda: self.item_actions.delete_all_files(),
            page,
        )
        bar.addWidget(self.retranscribe_button)
        bar.addWidget(self.delete_file_button)
        bar.addStretch(1)
        bar.addWidget(self.delete_all_files_button)
        refresh = make_action("&Refresh", "refreshFilesAction", self.refresh, "F5", page)
        self.refresh_files_button = make_icon_button(
            "refresh", "Refresh jobs and files (F5)", "refreshFilesButton", refresh, page
        )
        bar.addWidget(self.refresh_files_button)
        layout.addLayout(bar)
        self.files_empty_icon = _empty_icon(page, "filesEmptyIcon", "upload")
        layout.addWidget(self.files_empty_icon)
        self.files_empty = QLabel(page)
        self.files_empty.setObjectName("filesEmptyState")
        self.files_empty.setWordWrap(True)
        # Icon above, words below, the pair centred in the space the hidden table leaves.
        self.files_empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.files_empty)
        self.files_table = make_table(
            self.files_model, page, name="filesTable", accessible="Uploaded files", widths=(220, 80, 130)
        )
        self.files_table.doubleClicked.connect(lambda _i: self.transcribe_selected_file())
        layout.addWidget(self.files_table, 1)
        table = self.files_table
        self.retranscribe_action = make_action(
            "&Transcribe again…", "retranscribeFileAction", self.transcribe_selected_file, Qt.Key.Key_Return, table
        )
        self.retranscribe_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        add_separator(table)
        self.delete_file_action = make_action(
            "&Delete file", "deleteFileAction", self.delete_selected_files, QKeySequence.StandardKey.Delete, table
        )
        self.delete_all_files_action = make_action(
            "Delete &all files…",
            "deleteAllFilesAction",
            lambda: self.item_actions.delete_all_files(),
            "Ctrl+Shift+Delete",
            table,
        )
        self._update_file_actions()
        return page

    # ================================================================== public API
    def install_drop_target(self, window: QWidget) -> FileDropController:
        """Let ``window`` (usually the main window) take dropped files and links anywhere on it."""
        self.drop_controller = FileDropController(window, self.submit_paths, self.submit_urls)
        # Qt offers a drag only to widgets that accept drops, walking up to the top-level window;
        # when this panel's dock floats it is its own window, so the panel must accept drops too.
        self.setAcceptDrops(True)
        return self.drop_controller

    def open_files_dialog(self) -> None:
        """ "Transcribe files…" (Ctrl+O): pick files, then the job sheet."""
        self.sheet_flow.open_files_dialog()

    def open_url_dialog(self, url: str = "") -> None:
        """ "Transcribe URL…" (Ctrl+Shift+O): the job sheet with a URL field."""
        self.sheet_flow.open_url_dialog(url)

    def submit_paths(self, paths: Sequence[Path]) -> None:
        self.sheet_flow.submit_paths(paths)

    def submit_urls(self, urls: Sequence[str]) -> None:
        self.sheet_flow.submit_urls(urls)

    @property
    def job_sheet(self) -> JobSheet | None:
        """The open job sheet, if any (one at a time)."""
        return self.sheet_flow.job_sheet

    def refresh(self) -> None:
        """Reload both lists from the first page and recount."""
        if not self._alive:
            return
        if not self.context.api_key:
            self.jobs_model.clear()
            self.files_model.clear()
            self.job_count = self.file_count = None
            self._update_titles()
            self._update_empty_states()
            return
        self.jobs_model.reload()
        self.files_model.reload()
        spawn(self._refresh_counts(), name="jobs-counts")

    def shutdown(self) -> None:
        """Stop polling and pending work (the panel or the app is closing)."""
        self._alive = False
        self.service.shutdown()
        for window in list(self.item_actions.transcript_windows.values()):
            window.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # ================================================================== counts & states
    def _client(self) -> AsyncSonioxClient:
        return self.context.client()

    def _on_context_changed(self) -> None:
        if not self._alive:
            return
        self.service.forget_account()
        self.refresh()

    async def _refresh_counts(self) -> None:
        try:
            self.job_count = await self.repo.count_transcriptions()
            self.file_count = await self.repo.count_files()
        except Exception as exc:
            log.info("Counting jobs failed: %s", describe_error(exc).error_type)
        self._update_titles()

    def adjust_counts(self, jobs: int = 0, files: int = 0) -> None:
        if self.job_count is not None:
            self.job_count = max(0, self.job_count + jobs)
        if self.file_count is not None:
            self.file_count = max(0, self.file_count + files)
        self._update_titles()

    def _update_titles(self) -> None:
        jobs = "Jobs" if self.job_count is None else f"Jobs ({self.job_count:,})"
        files = "Files" if self.file_count is None else f"Files ({self.file_count:,})"
        self.setTabText(0, jobs)
        self.setTabText(1, files)
        self.counts_changed.emit(self.job_count or 0, self.file_count or 0)
        self._update_empty_states()

    def _update_empty_states(self) -> None:
        if not self.context.api_key:
            text = "Add your Soniox API key in Settings to see and start file transcriptions."
            self.jobs_empty.setText(text)
            self.files_empty.setText(text)
            self.jobs_empty.show()
            self.files_empty.show()
            self.jobs_empty_icon.show()
            self.files_empty_icon.show()
            self.jobs_table.hide()
            self.files_table.hide()
            self.jobs_loading.hide()
            return
        no_jobs = self.jobs_model.rowCount() == 0 and not self.jobs_model.loading
        self.jobs_empty.setText(
            "No transcription jobs yet. Drop audio or video files anywhere on the window, "
            "or use Transcribe files… (Ctrl+O) or URL… (Ctrl+Shift+O)."
        )
        self.jobs_empty.setVisible(no_jobs)
        self.jobs_empty_icon.setVisible(no_jobs)
        # Only the message while there is nothing to list: an empty table with headers is noise.
        self.jobs_table.setVisible(not no_jobs)
        self.jobs_loading.setText("Loading jobs…" if self.jobs_model.rowCount() == 0 else "Loading more jobs…")
        self.jobs_loading.setVisible(self.jobs_model.loading)
        self.files_empty.setText("No uploaded files. Files you transcribe are uploaded and listed here.")
        no_files = self.files_model.rowCount() == 0 and not self.files_model.loading
        self.files_empty.setVisible(no_files)
        self.files_empty_icon.setVisible(no_files)
        self.files_table.setVisible(not no_files)

    def _load_failed(self, what: str, exc: BaseException) -> None:
        self._update_empty_states()
        self.notices.post_error(describe_error(exc), context=what, key=what, action=("Try again", self.refresh))

    @property
    def alive(self) -> bool:
        """False once the panel shut down: late service events must not touch its widgets."""
        return self._alive

    def set_library(self, library: Any) -> None:
        """Fetched transcripts and dropped files' paths are kept in ``library`` from now on."""
        self.service.set_library(library)

    # ================================================================== selection → actions
    @property
    def confirm_box(self) -> QMessageBox | None:
        """The open "are you sure" box, if any (one at a time)."""
        return self.item_actions.confirm_box

    @property
    def transcript_windows(self) -> dict[str, QWidget]:
        """Open transcript windows by job id (one per job)."""
        return self.item_actions.transcript_windows

    def selected_jobs(self) -> list[Transcription]:
        rows = selected_rows(self.jobs_table)
        return [job for row in rows if (job := self.jobs_model.item_at(row)) is not None]

    def selected_files(self) -> list[File]:
        return [f for row in selected_rows(self.files_table) if (f := self.files_model.item_at(row)) is not None]

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
        one = len(self.selected_files()) == 1
        some = bool(self.selected_files())
        self.retranscribe_action.setEnabled(one)
        self.retranscribe_button.setEnabled(one)
        self.delete_file_action.setEnabled(some)
        self.delete_file_button.setEnabled(some)

    def open_transcript(self, job: Transcription) -> QWidget | None:
        return self.item_actions.open_transcript(job)

    def retry_jobs(self, jobs: Sequence[Transcription]) -> None:
        self.item_actions.retry_jobs(jobs)

    def open_selected_transcript(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) == 1:
            self.item_actions.open_transcript(jobs[0])

    def retry_all_failed(self) -> int:
        """Retry every failed submission (the button and Ctrl+Shift+R); returns how many."""
        count = self.service.retry_all_failed()
        self.update_retry_all()
        return count

    def update_retry_all(self) -> None:
        failed = len(self.service.queue.failed)
        self.retry_all_button.setVisible(failed > 0)
        self.retry_all_button.setText(f"Retry all failed ({failed})" if failed else "Retry all failed")
        self.retry_all_action.setEnabled(failed > 0)

    def retry_selected_jobs(self) -> None:
        self.item_actions.retry_jobs([j for j in self.selected_jobs() if j.status == "error"])

    def delete_selected_jobs(self) -> None:
        self.item_actions.delete_jobs(self.selected_jobs(), destroy=False)

    def destroy_selected_jobs(self) -> None:
        self.item_actions.delete_jobs(self.selected_jobs(), destroy=True)

    def transcribe_selected_file(self) -> None:
        files = self.selected_files()
        if len(files) == 1:
            self.item_actions.transcribe_file(files[0])

    def delete_selected_files(self) -> None:
        self.item_actions.delete_files(self.selected_files())

    # ================================================================== polling
    def _on_jobs_page(self, added: int) -> None:
        self._update_empty_states()
        rows = self.jobs_model.rowCount()
        for row in range(rows - added, rows):
            job = self.jobs_model.item_at(row)
            if job is not None and job.status in ACTIVE_STATUSES:
                self.service.watch(job)


class _RetryAllAwareListener(PanelJobsListener):
    """The panel's listener, also keeping "Retry all failed" in step with the failed rows."""

    def on_submission_changed(self, sub: Submission) -> None:
        super().on_submission_changed(sub)
        if self._panel.alive:
            self._panel.update_retry_all()


def _panel_button(text: str, name: str, accessible: str, slot: Callable[[], object], parent: QWidget) -> QPushButton:
    return make_button(text, name, accessible, parent, slot=slot)


__all__ = ["JobsSidePanel"]
