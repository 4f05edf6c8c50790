"""The live caption file: last final lines, rewritten atomically, never seen half-written."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from desktop.core.captions.caption_file import CaptionFile
from desktop.core.transcript import Transcript


def tok(text: str, start: int, *, final: bool = True, **extra: Any) -> dict[str, Any]:
    return {"text": text, "is_final": final, "start_ms": start, "end_ms": start + 100, **extra}


def test_only_final_words_are_written_and_only_when_they_change(tmp_path: Path) -> None:
    now = [0.0]
    out = CaptionFile(tmp_path / "captions.txt", clock=lambda: now[0], min_interval_s=0.2)
    t = Transcript()
    t.apply([tok("Hello", 0), tok(" world", 100, final=False)])
    assert out.update(t) and (tmp_path / "captions.txt").read_text() == "Hello\n"
    t.apply([tok(" world", 100, final=False), tok(" again", 200, final=False)])
    now[0] = 1.0
    assert not out.update(t) and out.writes == 1  # the provisional tail changed, the file did not
    t.apply([tok(" world", 100)])
    now[0] = 1.1
    assert out.update(t) and (tmp_path / "captions.txt").read_text() == "Hello world\n"
    t.apply([tok(" and", 200)])
    now[0] = 1.15
    assert not out.update(t)  # too soon: held back…
    assert out.flush() and (tmp_path / "captions.txt").read_text() == "Hello world and\n"  # …not lost
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captions.txt"]  # no temporary files left


def test_translation_and_speaker_lines(tmp_path: Path) -> None:
    out = CaptionFile(tmp_path / "c.txt", with_speaker=True, min_interval_s=0)
    t = Transcript()
    t.apply(
        [
            tok("Dober dan", 0, speaker="1", language="sl", translation_status="original"),
            {"text": "Good day", "is_final": True, "speaker": "1", "language": "en"}
            | {"translation_status": "translation"},
        ]
    )
    out.update(t)
    assert (tmp_path / "c.txt").read_text() == "Speaker 1: Dober dan\nGood day\n"


def test_a_reader_never_sees_the_file_half_written(tmp_path: Path) -> None:
    path = tmp_path / "captions.txt"
    out = CaptionFile(path, lines=3, max_chars=200, min_interval_s=0)
    t = Transcript()
    t.apply([tok("start", 0)])
    out.update(t)
    seen: set[str] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(path.read_text(encoding="utf-8"))

    reader = threading.Thread(target=read)
    reader.start()
    expected = {"start\n"}
    for i in range(300):
        t.apply([tok(f" w{i:03d}" + "x" * 50, 100 + i)])
        out.update(t)
        expected.add(out.text_for(t))
    stop.set()
    reader.join()
    assert seen and seen <= expected, f"read something never written: {sorted(seen - expected)[:2]}"


def test_held_back_text_says_when_it_is_due(tmp_path: Path) -> None:
    now = [0.0]
    out = CaptionFile(tmp_path / "c.txt", clock=lambda: now[0], min_interval_s=0.2)
    t = Transcript()
    t.apply([tok("One", 0)])
    out.update(t)
    now[0] = 0.05
    t.apply([tok(" two", 100)])
    assert not out.update(t) and out.pending
    assert abs(out.due_in() - 0.15) < 1e-9
    assert out.flush() and not out.pending and (tmp_path / "c.txt").read_text() == "One two\n"
