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


def test_opening_a_meeting_plays_both_tracks_in_both_ears(tmp_path: Path, qtbot, qloop) -> None:  # noqa: ANN001
    from desktop.audio.meeting_recording import TwoTrackRecorder
    from desktop.ui.library.transcript_window import LibraryTranscriptWindow
    from tests.library_helpers import FakeOutputDevice

    library = Library(tmp_path / "library.sqlite3")
    try:
        recorder = TwoTrackRecorder(16000, lambda _track: 0, lambda ext: tmp_path / f"m.{ext}")
        recorder.write(0, bytes(32000))
        recorder.close()
        windows = []
        for kind in ("meeting", "microphone"):
            tid = library.begin_live(title=kind, source_kind=kind)
            library.append_tokens(tid, [Token("Hello", 0, 300, speaker="you")])
            library.set_audio(tid, recorder.path, owned=False)
            library.finish_live(tid, duration_ms=1000)
            window = LibraryTranscriptWindow(library, tid, sd=FakeOutputDevice(latency=0.05))
            windows.append(window)
            window.show()
            qtbot.waitUntil(lambda w=window: w.opening.done())
        meeting, other = (w.player_bar.player for w in windows)
        assert meeting.mix_tracks and not other.mix_tracks
        for window in windows:
            window.close()
    finally:
        library.close()
