"""The submissions in flight: one row per file or URL with its progress, stage and buttons.

A row shows real upload progress (bytes read from disk), then "Creating job…"; it disappears
once the job exists (the job then lives in the table). A failed row stays, with the service's
message and Retry / Dismiss, so nothing the user started vanishes unseen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.jobs.submissions import Stage, Submission
from desktop.ui.jobs.formatting import size_text
from desktop.ui.widgets.buttons import make_button


def stage_text(sub: Submission) -> str:
    if sub.wait_s > 0 and sub.error is not None and sub.stage in (Stage.UPLOADING, Stage.CREATING):
        step = "upload" if sub.stage is Stage.UPLOADING else "job"
        return f"{sub.error.title}: sending the {step} again in {sub.wait_s:.0f} s (try {sub.attempts + 1})…"
    if sub.stage is Stage.WAITING:
        return "Waiting to upload…" if sub.path is not None and not sub.file_id else "Waiting…"
    if sub.stage is Stage.UPLOADING:
        if sub.size and sub.sent >= sub.size:
            return f"Sent {size_text(sub.size)}; waiting for Soniox to confirm the upload…"
        if sub.size:
            return f"Uploading {size_text(sub.sent)} of {size_text(sub.size)}"
        return "Uploading…"
    if sub.stage is Stage.CREATING:
        return "Creating the transcription job…"
    if sub.stage is Stage.FAILED and sub.error is not None:
        where = "Upload failed" if sub.failed_stage is Stage.UPLOADING else "Could not create the job"
        return f"{where}: {sub.error.title}. {sub.error.message} {sub.error.action}".strip()
    return sub.stage.value


class SubmissionRow(QFrame):
    cancel_requested = Signal(int)
    retry_requested = Signal(int)
    dismiss_requested = Signal(int)

    def __init__(self, sub: Submission, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = sub.key
        self.setObjectName("submissionRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel(sub.label, self)
        self.name.setObjectName("submissionName")
        self.name.setToolTip(str(sub.path) if sub.path else (sub.url or ""))
        self.status = QLabel(self)
        self.status.setObjectName("submissionStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("submissionProgress")
        self.progress.setAccessibleName(f"Upload progress of {sub.label}")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.cancel_button = self._button("Cancel", "submissionCancel", f"Cancel {sub.label}")
        self.retry_button = self._button("Retry", "submissionRetry", f"Retry {sub.label}")
        self.dismiss_button = self._button("Dismiss", "submissionDismiss", f"Dismiss {sub.label}")
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit(self.key))
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.key))
        self.dismiss_button.clicked.connect(lambda: self.dismiss_requested.emit(self.key))

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.cancel_button, 0, 1)
        grid.addWidget(self.retry_button, 0, 2)
        grid.addWidget(self.dismiss_button, 0, 3)
        grid.addWidget(self.progress, 1, 0, 1, 4)
        grid.addWidget(self.status, 2, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.update_from(sub)

    def _button(self, text: str, name: str, accessible: str) -> QPushButton:
        return make_button(text, name, accessible, self)

    def update_from(self, sub: Submission) -> None:
        self.status.setText(stage_text(sub))
        failed = sub.stage is Stage.FAILED
        uploading = sub.stage is Stage.UPLOADING
        if uploading and sub.size:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * sub.fraction))
            self.progress.setFormat(f"{sub.fraction * 100:.0f}%")
        elif sub.stage in (Stage.CREATING, Stage.WAITING) and not failed:
            self.progress.setRange(0, 0)  # busy indicator: no byte count to show
        self.progress.setVisible(not failed)
        self.cancel_button.setVisible(sub.active)
        self.retry_button.setVisible(failed)
        self.dismiss_button.setVisible(failed)
        self.setProperty("stage", sub.stage.value)


class UploadList(QScrollArea):
    cancel_requested = Signal(int)
    retry_requested = Signal(int)
    dismiss_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("uploadList")
        self.setAccessibleName("Uploads in progress")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMaximumHeight(240)
        self._inner = QWidget(self)
        self._inner.setObjectName("uploadListInner")
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self.rows: dict[int, SubmissionRow] = {}
        self.hide()

    def show_submission(self, sub: Submission) -> None:
        """Add, update or remove the row of ``sub`` according to its stage."""
        row = self.rows.get(sub.key)
        if sub.stage in (Stage.DONE, Stage.CANCELLED):
            if row is not None:
                self.rows.pop(sub.key)
                row.hide()
                row.deleteLater()
        elif row is None:
            row = SubmissionRow(sub, self._inner)
            row.cancel_requested.connect(self.cancel_requested)
            row.retry_requested.connect(self.retry_requested)
            row.dismiss_requested.connect(self.dismiss_requested)
            self._layout.insertWidget(self._layout.count() - 1, row)
            self.rows[sub.key] = row
        else:
            row.update_from(sub)
        self.setVisible(bool(self.rows))
        self._fit()

    def _fit(self) -> None:
        """As tall as the rows need, up to the maximum; beyond that the list scrolls."""
        self._inner.adjustSize()
        wanted = self._layout.sizeHint().height() + 2 * self.frameWidth()
        self.setMinimumHeight(min(wanted, self.maximumHeight()))
