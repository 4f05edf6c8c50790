"""The tray's "Recent transcripts": the head of the History list, with times and first words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from desktop.core.library.recent import recent_transcripts, when_text
from desktop.core.library.store import Library
from desktop.core.transcript import Token


def _words(text: str, start_ms: int = 0) -> list[Token]:
    return [Token(f" {w}", start_ms + i * 300, start_ms + i * 300 + 250) for i, w in enumerate(text.split())]


def test_the_newest_five_of_every_kind_newest_first_each_told_apart(tmp_path: Path) -> None:
    base = datetime(2026, 12, 4, 9, 0).timestamp()
    lib = Library.open(tmp_path / "data")

    def at(minute: int) -> float:
        return base + 60 * minute

    try:
        old = lib.begin_live(title="Microphone", source_kind="microphone", started_at=at(0))  # pushed out
        lib.append_tokens(old, _words("oldest words"))
        lib.finish_live(old)
        mic = lib.begin_live(title="Microphone", source_kind="microphone", started_at=at(1))
        lib.append_tokens(mic, [*_words("budget review before friday"), Token("<end>", None, None)])
        lib.finish_live(mic)
        job = SimpleNamespace(
            id="job-1",
            filename="interview.mp3",
            audio_url=None,
            file_id="f-1",
            created_at=datetime(2026, 12, 4, 9, 2),
            audio_duration_ms=1000,
        )
        job_tid = lib.save_job_transcript(job, [Token(" Hello", 0, 100), Token(" there.", 100, 200)])
        dictation = lib.begin_live(title="Dictation", source_kind="dictation", started_at=at(3))
        lib.append_tokens(dictation, _words("please send the minutes to everyone on the team by tomorrow"))
        lib.finish_live(dictation)
        empty = lib.begin_live(title="Microphone", source_kind="microphone", started_at=at(4))  # no words
        lib.finish_live(empty)
        live = lib.begin_live(title="Microphone", source_kind="microphone", started_at=at(5))  # running
        lib.append_tokens(live, _words("right now"))

        recent = recent_transcripts(lib)

        assert [r.id for r in recent] == [live, empty, dictation, job_tid, mic]
        now = base + 3600
        texts = [r.menu_text(now) for r in recent]
        assert texts[0] == "Microphone · 09:05 · recording now — “right now”"
        assert texts[1] == "Microphone · 09:04"
        assert texts[2] == "Dictation · 09:03 — “please send the minutes to everyone…”"
        assert texts[3] == "interview.mp3 · 09:02 — “Hello there.”"
        assert texts[4] == "Microphone · 09:01 — “budget review before friday”"
        assert [r.id for r in recent_transcripts(lib, 2)] == [live, empty]
    finally:
        lib.close()


def test_an_empty_library_has_no_recent_transcripts(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "data")
    try:
        assert recent_transcripts(lib) == []
    finally:
        lib.close()


def test_times_read_as_today_yesterday_this_year_or_a_date() -> None:
    now = datetime(2026, 12, 4, 10, 0).timestamp()
    assert when_text(datetime(2026, 12, 4, 8, 7).timestamp(), now) == "08:07"
    assert when_text(datetime(2026, 12, 3, 23, 59).timestamp(), now) == "yesterday 23:59"
    assert when_text(datetime(2026, 3, 1, 12, 30).timestamp(), now) == "1 Mar 12:30"
    assert when_text(datetime(2025, 12, 31, 12, 30).timestamp(), now) == "31 Dec 2025"
