"""The last caption lines of a live transcript: speakers, provisional tail, translation, wrapping."""

from __future__ import annotations

from typing import Any

from desktop.core.captions.lines import caption_lines
from desktop.core.transcript import Transcript


def tok(text: str, start: int, *, final: bool = True, speaker: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"text": text, "is_final": final, "start_ms": start, "end_ms": start + 100}
    if speaker is not None:
        data["speaker"] = speaker
    data.update(extra)
    return data


def test_final_text_then_the_provisional_tail_of_the_current_speaker() -> None:
    t = Transcript()
    t.apply([tok("Hello", 0, speaker="1"), tok(" there", 100, speaker="1"), tok(" how", 200, final=False, speaker="1")])
    (line,) = caption_lines(t, max_lines=2)
    assert (line.speaker_label, line.final, line.provisional) == ("Speaker 1", "Hello there", " how")
    assert line.text == "Hello there how"


def test_each_speaker_gets_its_own_line_and_only_the_last_lines_are_kept() -> None:
    t = Transcript()
    t.apply([tok("One.", 0, speaker="1"), tok("<end>", 100, speaker="1")])
    t.apply([tok("Two.", 200, speaker="2"), tok("<end>", 300, speaker="2")])
    t.apply([tok("Three", 400, speaker="1"), tok(" more", 500, final=False, speaker="1")])
    t.rename_speaker("2", "Maria")
    lines = caption_lines(t, max_lines=2)
    assert [(x.speaker_label, x.text) for x in lines] == [("Maria", "Two."), ("Speaker 1", "Three more")]


def test_long_text_wraps_at_spaces_and_keeps_the_final_provisional_split() -> None:
    t = Transcript()
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
    t.apply([tok(("" if i == 0 else " ") + w, i * 100) for i, w in enumerate(words[:6])])
    t.apply([tok(" eta", 600, final=False), tok(" theta", 700, final=False)])
    lines = caption_lines(t, max_lines=3, max_chars=20)
    assert [x.text for x in lines] == ["alpha beta gamma", "delta epsilon zeta", "eta theta"]
    assert lines[-1].final == "" and lines[-1].provisional == "eta theta"
    assert caption_lines(t, max_lines=1, max_chars=20)[0].text == "eta theta"


def test_the_translation_goes_with_the_newest_line_of_its_speaker() -> None:
    t = Transcript()
    t.apply(
        [
            tok("Dober dan", 0, speaker="1", language="sl", translation_status="original"),
            {"text": "Good day", "is_final": True, "speaker": "1", "language": "en"}
            | {"translation_status": "translation"},
        ]
    )
    (line,) = caption_lines(t)
    assert (line.text, line.translation, line.translation_language) == ("Dober dan", "Good day", "en")


def test_a_three_hour_transcript_costs_what_a_short_one_does() -> None:
    t = Transcript()
    for i in range(20_000):
        t.apply([tok(f" word{i}", i * 300, speaker=str(i // 50 % 3 + 1))])
    lines = caption_lines(t, max_lines=2, max_chars=40)
    assert lines[-1].text.endswith("word19999")
