"""Bilingual and translation-only subtitles: the translation under each cue, shared by text length."""

from __future__ import annotations

from typing import Any

from desktop.core.export import FORMATS, export_transcript, formats_for
from desktop.core.transcript import Transcript


def original(text: str, start: int, end: int, speaker: str = "1") -> dict[str, Any]:
    return {
        "text": text,
        "is_final": True,
        "start_ms": start,
        "end_ms": end,
        "speaker": speaker,
        "language": "sl",
        "translation_status": "original",
    }


def translated(text: str, speaker: str = "1") -> dict[str, Any]:
    return {"text": text, "is_final": True, "speaker": speaker, "language": "en", "translation_status": "translation"}


def two_way() -> Transcript:
    t = Transcript()
    t.apply([original("Dober", 0, 400), original(" dan", 400, 800), original("<end>", 800, 800)])
    t.apply([translated("Good"), translated(" day")])
    t.apply([original("Hvala", 1000, 1500, speaker="2"), original("<end>", 1500, 1500, speaker="2")])
    t.apply([translated("Thanks", speaker="2")])
    return t


def test_bilingual_srt_puts_the_translation_under_each_original() -> None:
    assert export_transcript(two_way(), "srt2") == (
        "1\n00:00:00,000 --> 00:00:00,800\nSpeaker 1: Dober dan\nGood day\n\n"
        "2\n00:00:01,000 --> 00:00:01,500\nSpeaker 2: Hvala\nThanks\n"
    )


def test_bilingual_vtt_sets_the_translation_in_italics() -> None:
    text = export_transcript(two_way(), "vtt2")
    assert "00:00:00.000 --> 00:00:00.800\n<v Speaker 1>Dober dan\n<i>Good day</i>" in text


def test_translation_only_subtitles_keep_the_originals_timing() -> None:
    assert export_transcript(two_way(), "srt_tr") == (
        "1\n00:00:00,000 --> 00:00:00,800\nSpeaker 1: Good day\n\n2\n00:00:01,000 --> 00:00:01,500\nSpeaker 2: Thanks\n"
    )
    assert "<v Speaker 2>Thanks" in export_transcript(two_way(), "vtt_tr")


def test_a_long_segment_shares_its_translation_over_its_cues_by_length() -> None:
    t = Transcript()
    words = [f"beseda{i}" for i in range(20)]
    t.apply([original(("" if i == 0 else " ") + w, i * 500, i * 500 + 400) for i, w in enumerate(words)])
    t.apply([translated(" ".join(f"word{i}" for i in range(20)))])
    srt = export_transcript(t, "srt2")
    blocks = srt.strip().split("\n\n")
    assert len(blocks) >= 2
    english = " ".join(line for b in blocks for line in b.split("\n")[2:] if line.startswith("word"))
    assert english == " ".join(f"word{i}" for i in range(20))  # every word once, in order
    first_en = [line for line in blocks[0].split("\n") if line.startswith("word")]
    assert first_en and first_en[0].startswith("word0")


def test_bilingual_formats_are_offered_only_for_translated_transcripts() -> None:
    plain = Transcript()
    plain.apply([{"text": "Hi", "is_final": True, "start_ms": 0, "end_ms": 100}])
    assert not any(f.needs_translation for f in formats_for(plain).values())
    assert set(formats_for(two_way())) == set(FORMATS)
    # The plain formats still hold the original only.
    assert "Good day" not in export_transcript(two_way(), "srt")
