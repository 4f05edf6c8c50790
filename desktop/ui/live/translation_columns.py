"""Where the Live panel shows a two-way translated session as two columns.

Only a run whose config asks for ``two_way`` translation gets them: a splitter puts the columns
(one per language, see ``ui/transcript/bilingual_view``) above the usual transcript view, which
keeps its toolbar (Export, Find) and the speaker renaming. Any other run hides them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from desktop.core.segments import TranscriptDelta
from desktop.core.transcript import Transcript
from desktop.ui.transcript.bilingual_view import BilingualView


def two_way_languages(config: Any) -> tuple[str, str] | None:
    """``(language_a, language_b)`` when ``config`` (a realtime config) asks for two-way translation."""
    translation = getattr(config, "translation", None)
    if isinstance(translation, dict):
        kind, a, b = translation.get("type"), translation.get("language_a"), translation.get("language_b")
    else:
        kind = getattr(translation, "type", None)
        a, b = getattr(translation, "language_a", None), getattr(translation, "language_b", None)
    kind = getattr(kind, "value", kind)
    if kind == "two_way" and isinstance(a, str) and isinstance(b, str) and a and b:
        return a, b
    return None


class TranslationColumns(QSplitter):
    """The splitter holding the columns (when a two-way run shows) and ``view`` below them."""

    def __init__(self, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("liveTranscriptSplitter")
        self.setChildrenCollapsible(False)
        self.columns: BilingualView | None = None
        self.addWidget(view)

    def follow(self, config: Any, transcript: Transcript) -> None:
        """Show columns for ``transcript`` if ``config`` is two-way, else none."""
        languages = two_way_languages(config)
        if languages is None:
            if self.columns is not None:
                self.columns.hide()
            return
        if self.columns is None or self.columns.bilingual.rows.languages != languages:
            if self.columns is not None:
                self.columns.deleteLater()
            self.columns = BilingualView(*languages, self)
            self.insertWidget(0, self.columns)
            self.setStretchFactor(0, 3)
            self.setStretchFactor(1, 1)
        self.columns.set_transcript(transcript)
        self.columns.show()

    def apply_delta(self, delta: TranscriptDelta) -> None:
        if self.columns is not None and self.columns.isVisible():
            self.columns.apply_delta(delta)
