"""Shows the caption overlay and feeds it the live transcript, whatever started the session.

The overlay follows :class:`~desktop.ui.live.controller.LiveController`'s transcript, so any live
run (the Live panel's, later a tray's or a hotkey's) is captioned the same way. Updates are cheap
(the last few segments only, see ``desktop.core.captions.lines``): one per response.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.core.captions.caption_file import CaptionFile
from desktop.core.captions.lines import caption_lines
from desktop.core.captions.prefs import CaptionPrefs
from desktop.core.context import AppContext
from desktop.ui.captions.overlay import CaptionOverlay
from desktop.ui.live.controller import LiveController

log = logging.getLogger(__name__)

PREFS_KEY = "captions"
CAPTION_FILE_KEY = "caption_file"
SAVE_DELAY_MS = 500  # a drag or a resize saves once, when it settles


class CaptionsController(QObject):
    visibility_changed = Signal(bool)

    def __init__(self, context: AppContext, live: LiveController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.live = live
        self.prefs = CaptionPrefs.from_json(context.settings_store.ui_str(PREFS_KEY))
        self.overlay: CaptionOverlay | None = None
        self.caption_file: CaptionFile | None = None
        saved_file = context.settings_store.ui_str(CAPTION_FILE_KEY)
        if saved_file:
            self.caption_file = CaptionFile(Path(saved_file))
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush_caption_file)
        live.delta_ready.connect(self._on_delta)

    @property
    def visible(self) -> bool:
        return self.overlay is not None and self.overlay.isVisible()

    def set_visible(self, on: bool) -> None:
        if on == self.visible:
            return
        if on:
            overlay = self._overlay()
            overlay.place()
            self.refresh()
            overlay.show()
        elif self.overlay is not None:
            self.overlay.hide()
        self.visibility_changed.emit(on)

    def set_locked(self, locked: bool) -> None:
        self._overlay().set_locked(locked)

    def refresh(self) -> None:
        if self.overlay is None:
            return
        width = max(200, self.overlay.width())
        max_chars = max(16, int(width / (self.prefs.font_pt * 0.55)))
        self.overlay.show_lines(caption_lines(self.live.transcript, max_lines=self.prefs.lines, max_chars=max_chars))

    def _on_delta(self, _delta: object) -> None:
        if self.visible:
            self.refresh()
        if self.caption_file is not None:
            try:
                self.caption_file.update(self.live.transcript)
            except OSError as exc:
                log.warning("Could not write the caption file: %s", exc)
            if self.caption_file.pending and not self._flush_timer.isActive():
                # Held back by the interval: write it when due, even if no other words come.
                self._flush_timer.start(int(self.caption_file.due_in() * 1000) + 1)

    def _flush_caption_file(self) -> None:
        if self.caption_file is None:
            return
        try:
            self.caption_file.flush()
        except OSError as exc:
            log.warning("Could not write the caption file: %s", exc)

    def set_caption_file(self, path: Path | None) -> None:
        """Write the last final lines to ``path`` as they change (None: stop); remembered."""
        self.caption_file = CaptionFile(path) if path is not None else None
        self.context.settings.ui_state[CAPTION_FILE_KEY] = str(path) if path is not None else ""
        self._save()
        if self.caption_file is not None:
            self.caption_file.update(self.live.transcript)

    def _overlay(self) -> CaptionOverlay:
        if self.overlay is None:
            self.overlay = CaptionOverlay(self.prefs)
            self.overlay.prefs_changed.connect(self._save_timer.start)
            self.overlay.prefs_changed.connect(self.refresh)
            self.overlay.hide_requested.connect(lambda: self.set_visible(False))
        return self.overlay

    def _save(self) -> None:
        self.context.settings.ui_state[PREFS_KEY] = self.prefs.to_json()
        try:
            self.context.settings_store.save()
        except OSError as exc:
            log.warning("Could not save the caption settings: %s", exc)

    def close(self) -> None:
        if self.caption_file is not None:
            try:
                self.caption_file.flush()
            except OSError as exc:
                log.warning("Could not write the caption file: %s", exc)
        if self._save_timer.isActive():
            self._save_timer.stop()
            self._save()
        if self.overlay is not None:
            self.overlay.close()
            self.overlay.deleteLater()
            self.overlay = None
