"""The speaker-coloured transcript view shared by live sessions and the file-transcript viewer."""

from desktop.ui.transcript.view import TranscriptEdit, TranscriptView

__all__ = ["TranscriptEdit", "TranscriptView"]
