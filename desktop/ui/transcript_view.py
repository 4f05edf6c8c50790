"""Compatibility import path: the view lives in the :mod:`desktop.ui.transcript` package."""

from desktop.ui.transcript.view import TranscriptEdit, TranscriptView

__all__ = ["TranscriptEdit", "TranscriptView"]
