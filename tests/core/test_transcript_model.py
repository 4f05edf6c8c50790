"""The transcript model: Soniox token rules, segments, speakers, offsets and file transcripts."""

from __future__ import annotations

import time
from typing import Any

import pytest
from soniox.types.common import Token as SdkToken
from soniox.types.realtime import RealtimeEvent

from desktop.core.transcript import Token, Transcript


def tok(
    text: str,
    start: int | None = None,
    end: int | None = None,
    *,
    final: bool = True,
    speaker: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """A token as the realtime API sends it (absent fields omitted, like the server does)."""
    data: dict[str, Any] = {"text": text, "is_final": final, "confidence": 0.9}
    if start is not None:
        data["start_ms"] = start
        data["end_ms"] = end if end is not None else start + 100
    for key, value in (
        ("speaker", speaker),
        ("language", lang),
        ("translation_status", status),
        ("source_language", source),
    ):
        if value is not None:
            data[key] = value
    return data


def nf(text: str, start: int, **kw: Any) -> dict[str, Any]:
    return tok(text, start, final=False, **kw)


# ---------------------------------------------------------------------------------------- Token
def test_token_from_sdk_and_dict_round_trip() -> None:
    sdk = SdkToken(
        text=" world",
        start_ms=120,
        end_ms=300,
        confidence=0.8,
        is_final=False,
        speaker="2",
        language="en",
        translation_status="original",
        extra_field="ignored",
    )
    token = Token.from_sdk(sdk)
    assert token == Token(" world", 120, 300, 0.8, False, "2", "en", "original", None)
    assert Token.from_dict(token.to_dict()) == token
    assert set(token.to_dict()) == {
        "text",
        "start_ms",
        "end_ms",
        "confidence",
        "is_final",
        "speaker",
        "language",
        "translation_status",
        "source_language",
    }
    # File transcripts carry no is_final: every token there is final.
    assert Token.from_sdk(SdkToken(text="a")).is_final is True
    assert Token.from_sdk(SdkToken(text="a"), default_final=False).is_final is False


def test_token_is_frozen_and_slotted() -> None:
    token = Token("<end>")
    assert token.is_end and token.is_marker and not token.is_fin
    assert Token("<fin>").is_fin
    assert not hasattr(token, "__dict__")
    with pytest.raises(AttributeError):
        token.text = "x"  # type: ignore[misc]


# ----------------------------------------------------------------------------------- token rules
def test_non_final_tokens_are_replaced_and_finals_accumulate() -> None:
    t = Transcript()
    d1 = t.apply([nf("How", 0), nf("'re", 100)])
    assert d1.finals == () and d1.tail_changed
    assert [p.token.text for p in d1.tail] == ["How", "'re"]

    d2 = t.apply([nf("How", 0), nf(" are", 100)])
    assert d2.tail_tokens == (Token("How", 0, 100, 0.9, False), Token(" are", 100, 200, 0.9, False))

    d3 = t.apply([tok("How", 0), tok(" are", 100), nf(" you", 200)])
    assert [tok.text for tok in d3.new_final_tokens] == ["How", " are"]
    assert [tok.text for tok in d3.tail_tokens] == [" you"]
    assert t.text() == "How are"
    assert t.text(include_tail=True) == "How are you"

    # The same tail again changes nothing: the view may skip the response entirely.
    d4 = t.apply([nf(" you", 200)])
    assert d4.is_empty and not d4.tail_changed

    # A response without non-final tokens clears the tail.
    d5 = t.apply([tok(" you", 200), tok("?", 300)])
    assert d5.tail_changed and d5.tail == ()
    assert t.text() == "How are you?"
    assert [x.text for x in t.final_tokens] == ["How", " are", " you", "?"]


def test_accepts_sdk_realtime_events() -> None:
    event = RealtimeEvent.validate_event(
        '{"tokens":[{"text":"Hi","start_ms":0,"end_ms":90,"confidence":0.9,"is_final":true,'
        '"speaker":"1","language":"en"},{"text":" there","start_ms":100,"end_ms":200,'
        '"confidence":0.5,"is_final":false,"speaker":"1","language":"en"}],'
        '"final_audio_proc_ms":90,"total_audio_proc_ms":200}'
    )
    t = Transcript()
    delta = t.apply(event.tokens)
    assert [p.token.text for p in delta.finals] == ["Hi"]
    assert delta.tail_tokens[0].is_final is False
    assert t.speakers == ["1"]


def test_out_of_order_final_is_applied_and_flagged_without_raising() -> None:
    t = Transcript()
    delta = t.apply([tok("a", 0), nf(" b", 100), tok(" c", 200), {"text": None, "is_final": True}])
    assert delta.out_of_order
    assert t.anomalies == 1
    assert t.text() == "a c"
    assert delta.tail_tokens[0].text == " b"


def test_end_and_fin_markers() -> None:
    t = Transcript()
    assert not t.finalize_seen
    delta = t.apply([tok("Hi", 0, speaker="1"), tok("<end>", 100, 100)])
    assert delta.endpoints == 1 and not delta.fin_seen
    assert t.endpoint_count == 1
    delta = t.apply([tok(" again", 200, speaker="1"), tok("<fin>")])
    assert delta.fin_seen and t.finalize_seen
    t.expect_finalize()
    assert not t.finalize_seen
    # Markers are kept as final tokens (for JSON) but never become text.
    assert [x.text for x in t.final_tokens] == ["Hi", "<end>", " again", "<fin>"]
    assert t.text() == "Hi\nagain"
    segs = t.segments()
    assert len(segs) == 2 and segs[0].ended and not segs[1].ended
    assert segs[0].text == "Hi"


def test_non_final_marker_is_dropped() -> None:
    t = Transcript()
    delta = t.apply([nf("x", 0), {"text": "<end>", "is_final": False}])
    assert [p.token.text for p in delta.tail] == ["x"]
    assert delta.out_of_order


def test_discard_tail() -> None:
    t = Transcript()
    t.apply([tok("a", 0), nf(" b", 100)])
    delta = t.discard_tail()
    assert delta.tail_changed and delta.tail == ()
    assert t.tail_tokens == ()
    assert t.discard_tail().is_empty


def test_offset_is_added_to_timestamps() -> None:
    t = Transcript()
    t.apply([tok("one", 0, 400)])
    delta = t.apply([tok(" two", 0, 300), nf(" three", 300, lang="en")], offset_ms=60_000)
    assert delta.finals[0].token.start_ms == 60_000 and delta.finals[0].token.end_ms == 60_300
    assert delta.tail[0].token.start_ms == 60_300
    translation = t.apply([tok("x", status="translation")], offset_ms=5).finals[0].token
    assert translation.start_ms is None  # translated tokens have no timestamps to move
    assert t.segments()[0].end_ms == 60_300


def test_a_new_connections_first_word_is_spaced_from_the_text_before_it() -> None:
    """After a reconnect the service starts a new text: its first word has no leading space."""
    t = Transcript()
    t.apply([tok("one", 0), tok(" four", 300)])
    t.start_connection()
    tail = t.apply([nf("five", 0), nf(" six", 300)], offset_ms=1000).tail
    assert [p.token.text for p in tail] == [" five", " six"]
    t.apply([tok("five", 0), tok(" six", 300)], offset_ms=1000)
    t.apply([tok(" seven", 600)], offset_ms=1000)
    assert "".join(x.text for x in t.final_tokens) == "one four five six seven"


def test_no_space_is_added_where_the_script_has_none_or_one_is_there() -> None:
    t = Transcript()
    t.apply([tok("今天", 0)])
    t.start_connection()
    t.apply([tok("天气", 0)], offset_ms=500)
    t.apply([tok("end.", 600)])
    t.start_connection()
    t.apply([tok(" Next", 0)], offset_ms=900)
    empty = Transcript()
    empty.start_connection()  # a first connection: nothing to join
    empty.apply([tok("Hello", 0)])
    assert "".join(x.text for x in t.final_tokens) == "今天天气end. Next"
    assert empty.final_tokens[0].text == "Hello"


# -------------------------------------------------------------------------------------- segments
def test_segments_split_at_speaker_end_and_language() -> None:
    t = Transcript()
    t.apply(
        [
            tok("Hello", 0, speaker="1", lang="en"),
            tok(" there.", 100, speaker="1", lang="en"),
            tok("<end>", 200, 200),
            tok("Second", 300, speaker="1", lang="en"),
            tok(" utterance.", 400, speaker="1", lang="en"),
            tok(" Hola", 500, speaker="1", lang="es"),
            tok(" amigo.", 600, speaker="1", lang="es"),
            tok("Hi", 700, speaker="2", lang="en"),
            tok(" there", 800),  # no speaker/language: continues the current segment
        ]
    )
    segs = t.segments()
    assert [(s.speaker, s.language, s.text) for s in segs] == [
        ("1", "en", "Hello there."),
        ("1", "en", "Second utterance."),
        ("1", "es", "Hola amigo."),
        ("2", "en", "Hi there"),
    ]
    assert [s.turn_start for s in segs] == [True, False, False, True]
    assert [s.language_changed for s in segs] == [True, False, True, True]
    assert [(s.start_ms, s.end_ms) for s in segs] == [(0, 200), (300, 500), (500, 700), (700, 900)]
    assert [s.index for s in segs] == [0, 1, 2, 3]
    assert segs[0].tokens[-1].is_end and segs[0].ended


def test_placements_tell_the_view_where_tokens_go() -> None:
    t = Transcript()
    d = t.apply([tok("A", 0, speaker="1"), tok(" b", 100, speaker="1"), tok("C", 200, speaker="2")])
    assert [(p.token.text, p.segment, p.opens is not None) for p in d.finals] == [
        ("A", 0, True),
        (" b", 0, False),
        ("C", 1, True),
    ]
    head = d.finals[2].opens
    assert head is not None and head.speaker == "2" and head.turn_start and head.start_ms == 200


def test_tail_is_laid_out_as_provisional_segments_without_touching_finals() -> None:
    t = Transcript()
    t.apply([tok("A", 0, speaker="1")])
    d = t.apply([nf(" b", 100, speaker="1"), nf("C", 200, speaker="2"), nf(" d", 300, speaker="2")])
    assert [(p.segment, p.opens is not None) for p in d.tail] == [(0, False), (1, True), (1, False)]
    assert t.segment_count == 1  # the provisional turn is not a segment yet
    # When it turns final it really opens segment 1.
    d = t.apply([tok(" b", 100, speaker="1"), tok("C", 200, speaker="2")])
    assert d.finals[1].opens is not None and d.finals[1].segment == 1
    assert t.segment_count == 2


def test_translations_attach_to_their_segment() -> None:
    t = Transcript()
    t.apply(
        [
            tok("Hello", 0, speaker="1", lang="en", status="original"),
            tok(" all,", 100, speaker="1", lang="en", status="original"),
            tok("Bonjour", speaker="1", lang="fr", status="translation", source="en"),
            tok(" à tous,", speaker="1", lang="fr", status="translation", source="en"),
            tok("Hola", 300, speaker="2", lang="es", status="original"),
            # A late translation of speaker 1 lands in speaker 1's segment, not in speaker 2's.
            tok(" merci.", speaker="1", lang="fr", status="translation", source="en"),
            tok("Salut", speaker="2", lang="fr", status="translation", source="es"),
            tok("<end>", 400, 400),
            # A translation after the endpoint still belongs to the segment it translates.
            tok(" les amis.", speaker="2", lang="fr", status="translation", source="es"),
        ]
    )
    segs = t.segments()
    assert len(segs) == 2
    assert segs[0].text == "Hello all," and segs[0].translation_text == "Bonjour à tous, merci."
    assert segs[0].translation_language == "fr"
    assert segs[1].text == "Hola" and segs[1].translation_text == "Salut les amis."
    assert t.text() == "Hello all,\nHola"


def test_translation_before_any_original_opens_a_segment() -> None:
    t = Transcript()
    t.apply([tok("Salut", speaker="3", lang="fr", status="translation", source="en")])
    seg = t.segments()[0]
    assert seg.speaker == "3" and seg.language == "en" and seg.text == "" and seg.translation_text == "Salut"


# -------------------------------------------------------------------------------------- speakers
def test_rename_speaker_applies_to_the_whole_transcript() -> None:
    t = Transcript()
    t.apply([tok("a", 0, speaker="1"), tok("b", 100, speaker="2"), tok("c", 200, speaker="1")])
    assert t.speakers == ["1", "2"]
    assert t.speaker_label("1") == "Speaker 1"
    t.rename_speaker("1", "  Alice ")
    assert t.speaker_label("1") == "Alice" and t.speaker_label("2") == "Speaker 2"
    assert t.speaker_names == {"1": "Alice"}
    t.rename_speaker("1", "")
    assert t.speaker_label("1") == "Speaker 1" and t.speaker_names == {}
    assert t.speaker_label(None) == "Speaker"


# -------------------------------------------------------------------------------- file transcripts
def test_from_tokens_treats_everything_as_final() -> None:
    sdk_tokens = [
        SdkToken(text="Good", start_ms=0, end_ms=100, confidence=0.9, speaker="1", language="en"),
        SdkToken(text=" day.", start_ms=100, end_ms=200, confidence=0.9, speaker="1", language="en"),
        {"text": "Hi", "start_ms": 300, "end_ms": 400, "speaker": "2", "is_final": False},
    ]
    t = Transcript.from_tokens(sdk_tokens)
    assert all(x.is_final for x in t.final_tokens)
    assert t.tail_tokens == ()
    assert [s.text for s in t.segments()] == ["Good day.", "Hi"]
    assert len(t) == 3


def test_to_dict_from_dict_round_trip() -> None:
    t = Transcript()
    t.apply([tok("a", 0, speaker="1"), tok("<end>", 50, 50), tok("b", 100, speaker="2"), nf(" c", 200)])
    t.rename_speaker("2", "Bob")
    data = t.to_dict()
    assert data["speakers"] == {"1": "Speaker 1", "2": "Bob"}
    assert [x["text"] for x in data["tokens"]] == ["a", "<end>", "b"]  # the tail is not final
    back = Transcript.from_dict(data)
    assert back.final_tokens == t.final_tokens
    assert back.speaker_names == {"2": "Bob"}


def test_replay_draws_every_segment_once() -> None:
    t = Transcript()
    t.apply(
        [
            tok("A", 0, speaker="1"),
            tok("T", speaker="1", status="translation"),
            tok(" b", 100, speaker="1"),
            tok("<end>", 200, 200),
            tok("C", 300, speaker="2"),
            nf(" d", 400, speaker="2"),
        ]
    )
    replay = t.replay()
    assert replay.reset
    assert [(p.token.text, p.segment, p.opens is not None) for p in replay.finals] == [
        ("A", 0, True),
        (" b", 0, False),
        ("T", 0, False),
        ("<end>", 0, False),
        ("C", 1, True),
    ]
    assert [p.token.text for p in replay.tail] == [" d"]


# ------------------------------------------------------------------------------------- scalability
def test_apply_cost_does_not_grow_with_transcript_length() -> None:
    """One response after 100k final tokens costs about what it costs after 1k."""

    def build(n: int) -> Transcript:
        t = Transcript()
        t.apply(
            [
                Token(" w", i * 10, i * 10 + 9, 0.9, True, str(1 + (i // 50) % 3), "en")
                if i % 40
                else Token("<end>", i * 10, i * 10)
                for i in range(n)
            ]
        )
        return t

    def per_response(t: Transcript) -> float:
        start_ms = len(t) * 10
        best = float("inf")
        for rep in range(5):
            began = time.perf_counter()
            for i in range(50):
                at = start_ms + (rep * 50 + i) * 10
                t.apply([tok(" x", at, speaker="1"), nf(" y", at + 5, speaker="1"), nf(" z", at + 7)])
            best = min(best, time.perf_counter() - began)
        return best

    small, large = build(1_000), build(100_000)
    assert large.segment_count > 2_000
    assert per_response(large) < per_response(small) * 3 + 0.005
