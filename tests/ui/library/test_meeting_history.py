"""A meeting in the history: its line says "Meeting" and names both sides."""

from __future__ import annotations

from pathlib import Path

from desktop.core.library.store import Library
from desktop.core.tokens import Token
from desktop.ui.library.transcript_parts import meta_text


def test_a_meeting_reads_as_a_meeting_with_you_and_the_speakers(tmp_path: Path, qapp) -> None:  # noqa: ANN001
    library = Library(tmp_path / "library.sqlite3")
    try:
        tid = library.begin_live(title="Meeting", source_kind="meeting", source_label="Microphone + System audio")
        library.append_tokens(
            tid,
            [
                Token("Hello", 0, 300, speaker="you"),
                Token(" Hi", 900, 1200, speaker="2"),
            ],
        )
        library.finish_live(tid, duration_ms=65_000)
        library.set_speaker_name(tid, "2", "Dana")
        info = library.info(tid)
        assert info is not None
        parts = meta_text(info).split(" · ")
        assert "Meeting: Microphone + System audio" in parts
        assert "You, Dana" in parts
    finally:
        library.close()
