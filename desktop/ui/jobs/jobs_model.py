"""The Jobs table: every transcription in the account, newest first, loaded as the user scrolls.

The service lists transcriptions newest first, so pages are appended in order; jobs created in
this session are put at the top. Rows change live as the poller reports new statuses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QApplication
from soniox.types import Transcription

from desktop.core.durations import duration_text
from desktop.ui import icons
from desktop.ui.jobs.formatting import STATUS_TEXT, created_text
from desktop.ui.jobs.paged_model import PagedTableModel

COL_NAME, COL_STATUS, COL_MODEL, COL_DURATION, COL_CREATED, COL_LANGUAGES = range(6)
#: Stable names of the columns, for the remembered choice of visible ones.
COLUMN_KEYS = ("name", "status", "model", "duration", "created", "languages")
#: What fits the side dock without a horizontal scroll bar; the rest are a right-click away.
DEFAULT_VISIBLE = ("name", "status", "duration")

#: The app's own icons (``resources/icons/ui``), tinted to the text colour like the rest.
_STATUS_ICONS = {"queued": "clock", "processing": "loader", "completed": "check", "error": "alert"}


def job_source(job: Transcription) -> str:
    """What the user recognises a job by: its file name, or the URL it was made from."""
    if job.audio_url and not job.file_id:
        return job.audio_url
    return job.filename or job.audio_url or job.id


class JobsTableModel(PagedTableModel[Transcription]):
    HEADERS = ("File or URL", "Status", "Model", "Duration", "Created", "Languages")
    EXTRA_ROLES = PagedTableModel.EXTRA_ROLES | {
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
    }

    def __init__(self, loader, parent: Any = None) -> None:
        super().__init__(loader, parent)
        self._icons: dict[str, QIcon] = {}

    def cells(self, item: Transcription) -> tuple[str, ...]:
        return (
            job_source(item),
            STATUS_TEXT.get(item.status, item.status),
            item.model,
            duration_text(item.audio_duration_ms),
            created_text(item.created_at),
            ", ".join(item.language_hints or []),
        )

    def status_icon(self, status: str) -> QIcon:
        palette = QApplication.palette()
        key = f"{status}:{palette.color(QPalette.ColorRole.Text).name()}"  # light and dark differ
        cached = self._icons.get(key)
        if cached is None:
            cached = self._icons[key] = icons.icon(
                _STATUS_ICONS.get(status, "info"), palette, role=QPalette.ColorRole.Text
            )
        return cached

    def extra_data(self, item: Transcription, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == COL_STATUS:
            return self.status_icon(item.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_STATUS and item.status == "error":
                return item.error_message or item.error_type or "Failed"
            if column == COL_NAME:
                return job_source(item)
            if column == COL_CREATED:
                return item.created_at.isoformat()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_DURATION:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def active_jobs(self) -> list[Transcription]:
        return [job for job in self.items() if job.status in ("queued", "processing")]
