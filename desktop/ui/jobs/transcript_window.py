"""A window showing the transcript of a completed file job, with the live view's reading tools.

The text is drawn by the shared :class:`TranscriptView` (speaker-coloured blocks, click a speaker
to rename, Ctrl+F to search, Export to TXT/SRT/VTT/JSON/Markdown, copy), with timestamps per turn
on by default since a file transcript is read, not followed. The transcript comes from the
panel's :class:`TranscriptCache`, so opening the same job again costs no request. Speaker names
given here are kept for the rest of the session in the ``names`` dict the panel passes in, so
closing and reopening the window keeps them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from soniox.types import Transcription

from desktop.core.durations import duration_text
from desktop.core.errors import describe_error
from desktop.core.jobs.transcript_cache import TranscriptCache
from desktop.core.transcript import Transcript
from desktop.ui.async_tools import spawn
from desktop.ui.jobs.formatting import created_text
from desktop.ui.jobs.jobs_model import job_source
from desktop.ui.transcript.view import TranscriptView
from desktop.ui.transcript.window import TranscriptWindowBase


def export_basename(job: Transcription) -> str:
    """A file name stem for exports: the audio's own name without its extension."""
    source = job.filename or job_source(job)
    stem = Path(source.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]).stem
    return stem or "transcript"


log = logging.getLogger(__name__)


class TranscriptWindow(TranscriptWindowBase):
    def __init__(
        self,
        job: Transcription,
        cache: TranscriptCache,
        parent: QWidget | None = None,
        *,
        names: dict[str, dict[str, str]] | None = None,
        on_transcript: Callable[[Transcription, list[Any], dict[str, str]], None] | None = None,
    ) -> None:
        super().__init__(
            parent, object_name="transcriptWindow", times_object_name="transcriptShowTimes", size=(760, 640)
        )
        self.job = job
        self.cache = cache
        self._names = names if names is not None else {}
        # Called with the tokens and speaker names once loaded and after each rename, so the
        # local library keeps the transcript after the service deletes it.
        self._on_transcript = on_transcript
        self._tokens: list[Any] = []
        self.loaded = False
        self.setWindowTitle(f"{job_source(job)} — Transcript")

        self.header = QLabel(self._header_text(), self)
        self.header.setObjectName("transcriptHeader")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.timestamps_check)

        self.status = QLabel("Loading the transcript…", self)
        self.status.setObjectName("transcriptStatus")
        self.status.setWordWrap(True)
        self.retry_button = QPushButton("&Try again", self)
        self.retry_button.setObjectName("transcriptRetry")
        self.retry_button.setAccessibleName("Try loading the transcript again")
        self.retry_button.clicked.connect(self.load)
        self.retry_button.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.retry_button)

        self.set_view(TranscriptView(self, show_timestamps=True, export_title=job_source(job), follow_live=False))
        self.view.export_basename = export_basename(job)
        self.view.speaker_renamed.connect(self._remember_names)

        layout = QVBoxLayout(self.body)
        layout.addLayout(top)
        layout.addLayout(status_row)
        layout.addWidget(self.view, 1)
        self.load()

    def _header_text(self) -> str:
        job = self.job
        parts = [job_source(job), job.model]
        if job.audio_duration_ms:
            parts.append(duration_text(job.audio_duration_ms))
        parts.append(created_text(job.created_at))
        if job.language_hints:
            parts.append("hints: " + ", ".join(job.language_hints))
        return " · ".join(parts)

    def load(self) -> None:
        self.retry_button.hide()
        self.status.setText("Loading the transcript…")
        self.status.show()
        spawn(self._load(), name="transcript-load", owner=self)

    async def _load(self) -> None:
        try:
            raw = await self.cache.get(self.job.id)
        except Exception as exc:
            err = describe_error(exc)
            self.status.setText(f"Could not load the transcript. {err.title}. {err.message} {err.action}".strip())
            self.retry_button.show()
            return
        transcript = Transcript.from_tokens(raw.tokens)
        for speaker_id, name in self._names.get(self.job.id, {}).items():
            transcript.rename_speaker(speaker_id, name)
        self.view.set_transcript(transcript)
        self.loaded = True
        self._tokens = list(raw.tokens)
        self._keep()
        speakers = len(transcript.speakers)
        words = len(raw.text.split())
        detail = f"{words:,} words" + (f", {speakers} speakers" if speakers > 1 else "")
        self.status.setText(f"{detail}. Click a speaker's name to rename them; Ctrl+F searches.")

    def _remember_names(self, _speaker_id: str, _label: str) -> None:
        self._names[self.job.id] = self.view.transcript.speaker_names
        self._keep()

    def _keep(self) -> None:
        if self._on_transcript is None or not self.loaded:
            return
        try:
            transcript = self.view.transcript
            # Every speaker, "" for the default label: a name reset to "Speaker 2" is reset there too.
            names = {sid: transcript.speaker_names.get(sid, "") for sid in transcript.speakers}
            self._on_transcript(self.job, self._tokens, names)
        except Exception:  # the library is a safety net; a failure there must not break the viewer
            log.exception("Could not keep the transcript in the library")
