"""Exports: exact output on small fixtures, and the subtitle properties players rely on."""

from __future__ import annotations

import json
import re

import pytest

from desktop.core.export import (
    FORMATS,
    MAX_CUE_MS,
    MAX_LINE_CHARS,
    build_cues,
    export_transcript,
    import_json,
)
from desktop.core.transcript import Token, Transcript


def T(
    text: str,
    start: int | None = None,
    end: int | None = None,
    speaker: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    final: bool = True,
) -> Token:
    return Token(text, start, end, 0.95, final, speaker, lang, status, "en" if status == "translation" else None)


@pytest.fixture
def meeting() -> Transcript:
    """Two speakers, an endpoint, a language change, a translation and a non-final tail."""
    t = Transcript()
    t.apply(
        [
            T("Hello", 1234, 1500, "1", "en", "original"),
            T(" every", 1500, 1700, "1", "en", "original"),
            T("one.", 1700, 2000, "1", "en", "original"),
            T("Bonjour", None, None, "1", "fr", "translation"),
            T(" à tous.", None, None, "1", "fr", "translation"),
            T("<end>", 2000, 2000),
            T("Next", 2500, 2800, "1", "en", "original"),
            T(" point.", 2800, 3100, "1", "en", "original"),
            T("Hola", 4000, 4300, "2", "es", "original"),
            T(" a <todos>.", 4300, 4900, "2", "es", "original"),
            T("<fin>"),
            T(" still", 5000, 5200, "2", "es", final=False),
        ]
    )
    t.rename_speaker("1", "Alice")
    return t


PLAIN = ("txt", "srt", "vtt", "json", "md")


def test_formats_metadata() -> None:
    assert list(FORMATS) == ["txt", "srt", "vtt", "json", "md", "srt2", "vtt2", "srt_tr", "vtt_tr"]
    for key, fmt in FORMATS.items():
        assert fmt.key == key and fmt.needs_translation == (key not in PLAIN)
        assert fmt.extension == (key if key in PLAIN else key[:3])
        assert f"(*.{fmt.extension})" in fmt.filter and fmt.label
    with pytest.raises(ValueError, match="unknown export format"):
        export_transcript(Transcript(), "docx")


def test_txt(meeting: Transcript) -> None:
    assert export_transcript(meeting, "txt") == (
        "[00:00:01] Alice: Hello everyone. Next point.\n"
        "    [fr] Bonjour à tous.\n"
        "\n"
        "[00:00:04] Speaker 2: Hola a <todos>.\n"
    )


def test_srt(meeting: Transcript) -> None:
    assert export_transcript(meeting, "srt") == (
        "1\n00:00:01,234 --> 00:00:02,000\nAlice: Hello everyone.\n\n"
        "2\n00:00:02,500 --> 00:00:03,100\nAlice: Next point.\n\n"
        "3\n00:00:04,000 --> 00:00:04,900\nSpeaker 2: Hola a <todos>.\n"
    )


def test_vtt(meeting: Transcript) -> None:
    assert export_transcript(meeting, "vtt") == (
        "WEBVTT\n\n"
        "00:00:01.234 --> 00:00:02.000\n<v Alice>Hello everyone.\n\n"
        "00:00:02.500 --> 00:00:03.100\n<v Alice>Next point.\n\n"
        "00:00:04.000 --> 00:00:04.900\n<v Speaker 2>Hola a &lt;todos&gt;.\n"
    )


def test_markdown(meeting: Transcript) -> None:
    assert export_transcript(meeting, "md", title="Team call") == (
        "# Team call\n\n"
        "**Alice** · 00:00:01 · `EN`\n\n"
        "Hello everyone.\n\n"
        "> `FR` *Bonjour à tous.*\n\n"
        "Next point.\n\n"
        "**Speaker 2** · 00:00:04 · `ES`\n\n"
        "Hola a \\<todos\\>.\n"
    )


def test_markdown_tags_a_language_change_inside_a_turn() -> None:
    t = Transcript.from_tokens([T("Yes.", 0, 100, "1", "en"), T(" Sí.", 200, 300, "1", "es")])
    assert export_transcript(t, "md") == "# Transcript\n\n**Speaker 1** · 00:00:00 · `EN`\n\nYes.\n\n`ES` Sí.\n"


def test_json_has_every_final_token_and_round_trips(meeting: Transcript) -> None:
    text = export_transcript(meeting, "json")
    data = json.loads(text)
    assert data["speakers"] == {"1": "Alice", "2": "Speaker 2"}
    assert [t["text"] for t in data["tokens"]] == [
        "Hello",
        " every",
        "one.",
        "Bonjour",
        " à tous.",
        "<end>",
        "Next",
        " point.",
        "Hola",
        " a <todos>.",
        "<fin>",
    ]
    assert data["tokens"][3] == {
        "text": "Bonjour",
        "start_ms": None,
        "end_ms": None,
        "confidence": 0.95,
        "is_final": True,
        "speaker": "1",
        "language": "fr",
        "translation_status": "translation",
        "source_language": "en",
    }
    back = import_json(text)
    assert back.final_tokens == meeting.final_tokens
    assert back.speaker_label("1") == "Alice"
    for fmt in ("txt", "srt", "vtt", "md"):
        assert export_transcript(back, fmt) == export_transcript(meeting, fmt)


def test_empty_transcript() -> None:
    t = Transcript()
    assert export_transcript(t, "txt") == ""
    assert export_transcript(t, "srt") == ""
    assert export_transcript(t, "vtt") == "WEBVTT\n"
    assert json.loads(export_transcript(t, "json")) == {"speakers": {}, "tokens": []}
    assert export_transcript(t, "md") == "# Transcript\n"


def test_no_diarization_gives_one_block_per_utterance() -> None:
    t = Transcript.from_tokens([T("One.", 0, 500), T("<end>", 500, 500), T("Two.", 61_000, 61_500)])
    assert export_transcript(t, "txt") == "[00:00:00] One.\n\n[00:01:01] Two.\n"
    assert export_transcript(t, "srt") == (
        "1\n00:00:00,000 --> 00:00:00,500\nOne.\n\n2\n00:01:01,000 --> 00:01:01,500\nTwo.\n"
    )


def _long_speech(speaker: str, start: int, words: int, step: int = 300) -> list[Token]:
    text = [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
        "foxtrot",
        "golf",
        "hotel",
        "india",
        "juliett",
        "kilo",
        "lima",
    ]
    tokens = []
    for i in range(words):
        at = start + i * step
        w = text[i % len(text)] + ("." if i % 17 == 16 else "")
        tokens.append(T((" " if i else "") + w, at, at + step - 20, speaker, "en"))
    return tokens


def test_long_turn_is_split_into_two_line_cues_at_word_boundaries() -> None:
    t = Transcript.from_tokens(_long_speech("1", 0, 40))
    srt = export_transcript(t, "srt")
    assert srt.startswith(
        "1\n00:00:00,000 --> 00:00:03,580\n"
        "Speaker 1: alpha bravo charlie delta echo\n"
        "foxtrot golf hotel india juliett kilo lima\n\n"
        # A sentence end closes a cue that already holds a few words.
        "2\n00:00:03,600 --> 00:00:05,080\nSpeaker 1: alpha bravo charlie delta echo.\n\n"
        # The name counts against the first line: "juliett" would make it 43 characters.
        "3\n00:00:05,100 --> 00:00:08,080\n"
        "Speaker 1: foxtrot golf hotel india\n"
        "juliett kilo lima alpha bravo charlie\n\n"
    )


SRT_CUE = re.compile(r"(\d+)\n(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)\n((?:.+\n?)+)")


def _ms(stamp: str) -> int:
    h, m, rest = stamp.split(":")
    s, ms = re.split(r"[,.]", rest)
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def test_subtitle_properties_on_a_long_conversation() -> None:
    tokens: list[Token] = []
    at = 0
    for turn in range(12):
        speaker = "AB"[turn % 2]
        tokens += _long_speech(speaker, at, 15 + turn * 7, step=250 + turn * 40)
        at = tokens[-1].end_ms + 700
        if turn % 3 == 2:
            tokens.append(T("<end>", at, at))
    t = Transcript.from_tokens(tokens)
    t.rename_speaker("A", "Ann")

    blocks = export_transcript(t, "srt").strip("\n").split("\n\n")
    cues = [SRT_CUE.fullmatch(block) for block in blocks]
    assert all(cues), blocks
    assert [int(c.group(1)) for c in cues] == list(range(1, len(cues) + 1))
    starts = [_ms(c.group(2)) for c in cues]
    ends = [_ms(c.group(3)) for c in cues]
    assert starts == sorted(starts)
    assert all(s <= e for s, e in zip(starts, ends, strict=True))
    assert all(e - s <= MAX_CUE_MS for s, e in zip(starts, ends, strict=True))
    for c in cues:
        lines = c.group(4).rstrip("\n").split("\n")
        assert 1 <= len(lines) <= 2
        assert all(len(line) <= MAX_LINE_CHARS for line in lines), lines
        # Each cue names exactly one speaker, on its first line.
        assert lines[0].startswith(("Ann: ", "Speaker B: "))
        assert not any(line.startswith(("Ann:", "Speaker B:")) for line in lines[1:])

    # The cue text, joined, is the transcript's text: no word lost, none cut in half.
    words = " ".join(" ".join(c.lines) for c in build_cues(t)).split()
    assert words == " ".join(s.text for s in t.segments()).split()
    # No cue mixes speakers: every token spoken within a cue's time span is its speaker's.
    for cue in build_cues(t):
        inside = [x for x in tokens if x.start_ms is not None and cue.start_ms <= x.start_ms < cue.end_ms]
        assert inside and {x.speaker for x in inside if not x.is_marker} == {cue.speaker}

    vtt = export_transcript(t, "vtt")
    assert vtt.startswith("WEBVTT\n\n")
    vtt_cues = vtt.strip("\n").split("\n\n")[1:]
    assert len(vtt_cues) == len(build_cues(t))  # VTT lines need no room for a name prefix
    for block in vtt_cues:
        timing, first = block.split("\n")[:2]
        assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d", timing)
        assert first.startswith(("<v Ann>", "<v Speaker B>"))


def test_only_final_tokens_are_exported() -> None:
    t = Transcript()
    t.apply([T("Kept", 0, 100, "1"), T(" maybe", 100, 200, "1", final=False)])
    for fmt in PLAIN:  # the bilingual formats are tested with translations in test_export_bilingual
        out = export_transcript(t, fmt)
        assert "Kept" in out and "maybe" not in out, fmt
