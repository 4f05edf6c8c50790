"""From "the user chose files or a link" to submissions: the checks, the job sheet, the defaults.

Composed into the jobs side panel; receives the context (settings, models, key), the service it
submits to, the notice area and the parent for dialogs, so it never reaches into the panel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget
from soniox.types import File, Model

from desktop.core.context import AppContext
from desktop.core.errors import describe_error
from desktop.core.jobs.file_checks import check_files, check_url
from desktop.core.jobs.job_defaults import default_job_options, remember_job_options
from desktop.core.jobs.job_options import find_model
from desktop.core.jobs.service import JobsService
from desktop.ui.async_tools import spawn
from desktop.ui.jobs.job_sheet import MODE_FILE_ID, MODE_FILES, MODE_URL, JobSheet
from desktop.ui.jobs.notifications import Level, NotificationArea

log = logging.getLogger(__name__)

MEDIA_FILTER = (
    "Audio and video (*.mp3 *.wav *.flac *.ogg *.opus *.m4a *.mp4 *.aac *.aiff *.aif *.amr *.asf *.wma "
    "*.webm *.mkv *.mov *.avi *.3gp *.mpeg *.mpg);;All files (*)"
)


class JobSheetFlow:
    """Checks chosen files/links, opens the job sheet, remembers its options and submits."""

    def __init__(
        self,
        context: AppContext,
        service: JobsService,
        notices: NotificationArea,
        parent: QWidget,
        *,
        on_submitted: Callable[[], None],
    ) -> None:
        self.context = context
        self.service = service
        self.notices = notices
        self._parent = parent
        self._on_submitted = on_submitted
        self.job_sheet: JobSheet | None = None
        #: The open "Transcribe files" chooser, while it is open.
        self.file_dialog: QFileDialog | None = None

    def open_files_dialog(self) -> None:
        """ "Transcribe files…" (Ctrl+O): pick files, then the job sheet.

        Returns at once: the chooser is opened with ``open()`` (window-modal, no nested event
        loop), because a screen reader's "press" on the button or menu item waits for the
        handler, and ``getOpenFileNames`` would keep it waiting until the dialog closed.
        """
        if self.file_dialog is not None:
            self.file_dialog.raise_()
            self.file_dialog.activateWindow()
            return
        folder = self.context.settings_store.ui_str("jobs_last_folder")
        dialog = QFileDialog(self._parent, "Transcribe files", folder, MEDIA_FILTER)
        dialog.setObjectName("transcribeFilesDialog")
        dialog.setAccessibleName("Choose files to transcribe")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self._on_files_chosen)
        dialog.finished.connect(self._on_file_dialog_closed)
        self.file_dialog = dialog
        dialog.open()

    def _on_file_dialog_closed(self, _result: int) -> None:
        self.file_dialog = None

    def _on_files_chosen(self, paths: Sequence[str]) -> None:
        if paths:
            self.context.settings.ui_state["jobs_last_folder"] = str(Path(paths[0]).parent)
            self.submit_paths([Path(p) for p in paths])

    def open_url_dialog(self, url: str = "") -> None:
        """ "Transcribe URL…" (Ctrl+Shift+O): the job sheet with a URL field (the clipboard's link if any)."""
        if not url:
            clip = QGuiApplication.clipboard().text().strip()
            url = clip if clip and check_url(clip) is None else ""
        spawn(self._open_sheet(MODE_URL, url=url), name="jobs-url-sheet")

    def submit_paths(self, paths: Sequence[Path]) -> None:
        """Check dropped or chosen files; refuse the clearly wrong ones, ask options for the rest."""
        accepted, refused = check_files(paths)
        if refused:
            lines = "\n".join(f"• {r.message}" for r in refused)
            noun = "file was" if len(refused) == 1 else "files were"
            self.notices.post(f"{len(refused)} {noun} not sent:\n{lines}", Level.WARNING, key="refused")
        if accepted:
            spawn(self._open_sheet(MODE_FILES, paths=[c.path for c in accepted]), name="jobs-files-sheet")

    def open_for_file(self, file: File) -> None:
        """ "Transcribe again…" on an uploaded file: the job sheet for that file id."""
        spawn(self._open_sheet(MODE_FILE_ID, file=file), name="jobs-file-sheet")

    def submit_urls(self, urls: Sequence[str]) -> None:
        good = [u for u in urls if check_url(u) is None]
        if good:
            self.open_url_dialog(good[0])
        for url in good[1:]:
            self.notices.post(f"Only one link at a time; {url} was not sent.", Level.WARNING)

    async def _ensure_models(self) -> list[Model]:
        await self.context.load_models()
        return self.context.async_models()

    async def _open_sheet(
        self, mode: str, *, paths: Sequence[Path] = (), url: str = "", file: File | None = None
    ) -> JobSheet | None:
        if not self.context.api_key:
            self.notices.post("Add your Soniox API key in Settings first.", Level.ERROR, key="no-key")
            return None
        try:
            models = await self._ensure_models()
        except Exception as exc:
            self.notices.post_error(describe_error(exc), context="Could not load the models", key="models")
            return None
        if self.job_sheet is not None:
            self.job_sheet.reject()
        sources = [p.name for p in paths] if paths else ([file.filename] if file else [])
        sheet = JobSheet(models, default_job_options(self.context), self._parent, mode=mode, sources=sources, url=url)
        sheet.setObjectName("jobSheet")
        self.job_sheet = sheet

        def accepted() -> None:
            options = sheet.options()
            remember_job_options(self.context, options)
            model = find_model(models, options.model)
            if mode == MODE_URL:
                self.service.submit_url(sheet.url(), options, model)
            elif mode == MODE_FILE_ID and file is not None:
                self.service.transcribe_file_id(file.id, file.filename, options, model, size=file.size)
            else:
                for path in paths:
                    self.service.submit_file(path, options, model)
            self._on_submitted()

        sheet.accepted.connect(accepted)
        sheet.finished.connect(lambda _r: setattr(self, "job_sheet", None) if self.job_sheet is sheet else None)
        sheet.open()
        return sheet
