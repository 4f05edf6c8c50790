"""The Files table: files uploaded to Soniox (name, size, upload time), newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from soniox.types import File

from desktop.ui.jobs.formatting import created_text, size_text
from desktop.ui.jobs.paged_model import PagedTableModel

COL_FILE_NAME, COL_FILE_SIZE, COL_FILE_CREATED = range(3)


class FilesTableModel(PagedTableModel[File]):
    HEADERS = ("Name", "Size", "Uploaded")
    EXTRA_ROLES = PagedTableModel.EXTRA_ROLES | {Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole}

    def cells(self, item: File) -> tuple[str, ...]:
        return (item.filename, size_text(item.size), created_text(item.created_at))

    def extra_data(self, item: File, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_FILE_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_FILE_NAME:
                return f"{item.filename}\n{item.id}"
            if column == COL_FILE_SIZE:
                return f"{item.size:,} bytes"
            if column == COL_FILE_CREATED:
                return item.created_at.isoformat()
        return None
