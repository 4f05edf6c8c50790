"""The transcript model lives in three modules; every name still imports from desktop.core.transcript."""

from __future__ import annotations

import desktop.core.segments as segments
import desktop.core.tokens as tokens
import desktop.core.transcript as transcript


def test_old_import_path_gives_the_same_objects() -> None:
    for name in ("Token", "END_TOKEN", "FIN_TOKEN", "MARKERS"):
        assert getattr(transcript, name) is getattr(tokens, name)
    for name in ("Segment", "SegmentHead", "Placement", "TranscriptDelta", "TRANSLATION_LOOKBACK"):
        assert getattr(transcript, name) is getattr(segments, name)
    assert set(transcript.__all__) >= {"Token", "Transcript", "TranscriptDelta", "Segment", "Placement"}


def test_split_modules_build_a_transcript_together() -> None:
    t = transcript.Transcript()
    hi = tokens.Token("Hi", 0, 10, 0.9, True, "1", "en", None, None)
    delta = t.apply([hi, {"text": " there", "is_final": False}])
    assert isinstance(delta, segments.TranscriptDelta)
    assert t.text(include_tail=True) == "Hi there" and t.text() == "Hi"


def test_transcript_edit_still_imports_from_the_view_module() -> None:
    from desktop.ui.transcript import edit, view

    assert view.TranscriptEdit is edit.TranscriptEdit
