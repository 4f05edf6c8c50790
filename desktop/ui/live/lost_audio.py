"""The bar that offers to transcribe, as a file job, the audio a live session could not send.

Shown after a session whose outage outlasted the replay buffer (see ``desktop.core.live.outage``).
The words come from core; this widget only cuts the clips off the UI thread and hands their paths
on through ``clips_ready``, which the main window routes to the jobs panel like a dropped file.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from desktop.core.live.outage import lost_text
from desktop.ui.async_tools import spawn
from desktop.ui.widgets.buttons import make_button

log = logging.getLogger(__name__)


class LostAudioBar(QFrame):
    clips_ready = Signal(list)  # list[Path]: files to transcribe as jobs

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lostAudioBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._recording: Path | None = None
        self._spans: tuple[tuple[int, int], ...] = ()
        self.label = QLabel(self)
        self.label.setObjectName("lostAudioText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.transcribe_button = make_button(
            "&Transcribe the missing part",
            "transcribeLostAudioButton",
            "Transcribe the missing part as a file job",
            self,
            tip="Cut the audio that was never sent from the recording and transcribe it as a file job",
            slot=self._transcribe,
        )
        self.dismiss_button = make_button(
            "Dismiss", "dismissLostAudioButton", "Dismiss the missing-audio notice", self, slot=self.hide
        )
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.transcribe_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def offer(self, spans: tuple[tuple[int, int], ...], recording: Path | None) -> None:
        """Show the notice for ``spans`` (hidden when there are none)."""
        self._spans, self._recording = spans, recording
        available = recording is not None and recording.exists()
        text = lost_text(spans, recording=available)
        if text is None:
            self.hide()
            return
        self.label.setText(text)
        self.transcribe_button.setVisible(available)
        self.transcribe_button.setEnabled(True)
        self.show()

    def _transcribe(self) -> None:
        if self._recording is None or not self._spans:
            return
        self.transcribe_button.setEnabled(False)
        spawn(self._cut(self._recording, self._spans), name="cut-lost-audio", owner=self)

    async def _cut(self, recording: Path, spans: tuple[tuple[int, int], ...]) -> None:
        from desktop.audio.clip import ClipError, write_lost_clips  # soundfile and numpy: only now

        self.label.setText("Cutting the missing part from the recording…")
        try:
            clips = await asyncio.to_thread(write_lost_clips, recording, spans)
        except ClipError as exc:
            log.warning("Could not cut the lost audio: %s", exc)
            self.label.setText(f"{exc} The recording is kept; you can transcribe it as a whole from History.")
            self.transcribe_button.setEnabled(True)
            return
        names = ", ".join(p.name for p in clips)
        self.label.setText(f"Sent to Files for transcription: {names}.")
        self.transcribe_button.hide()
        self.clips_ready.emit(clips)
