"""Real-time recognition through the SDK: token rules, finalize, endpoints, finish, translation."""

from __future__ import annotations

from typing import Any

import pytest
from soniox import AsyncSonioxClient
from soniox.types import RealtimeEvent, RealtimeSTTConfig

from tests.emulator.helpers import MS_PER_WORD, PCM_CONFIG, chunks, raw_session, silence, speech
from tests.fake_soniox import FakeSoniox

pytestmark = pytest.mark.asyncio

SCRIPT = [
    {"speaker": "1", "language": "en", "text": "Hello there, how are you today?"},
    {"speaker": "2", "language": "en", "text": "Fine thanks, and you?"},
]
WORDS = [w for u in SCRIPT for w in str(u["text"]).split()]
MARKERS = ("<end>", "<fin>")


def config(**extra: Any) -> RealtimeSTTConfig:
    return RealtimeSTTConfig(**PCM_CONFIG, **extra)


async def run(
    aclient: AsyncSonioxClient, cfg: RealtimeSTTConfig, audio: list[bytes], chunk_ms: int = 100
) -> list[RealtimeEvent]:
    """Stream ``audio`` pieces in ``chunk_ms`` frames (faster than real time), finish, read everything."""
    async with aclient.realtime.stt.connect(config=cfg) as session:
        for piece in audio:
            for frame in chunks(piece, chunk_ms):
                await session.send_byte_chunk(frame)
        await session.finish()
        return [event async for event in session.receive_events()]


def finals(events: list[RealtimeEvent]) -> list[Any]:
    return [t for e in events for t in e.tokens if t.is_final]


def words_of(tokens: list[Any]) -> list[Any]:
    return [t for t in tokens if t.text not in MARKERS and t.translation_status != "translation"]


async def test_full_session_follows_the_token_rules(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(SCRIPT)
    audio = [speech(6 * MS_PER_WORD, 1), silence(900), speech(4 * MS_PER_WORD, 2), silence(900)]
    events = await run(aclient, config(enable_speaker_diarization=True, enable_endpoint_detection=True), audio)
    total_ms = sum(len(a) for a in audio) // 32

    # Ends with exactly one finished response, after which the server closed the socket.
    assert events[-1].finished and events[-1].tokens == []
    assert not any(e.finished for e in events[:-1])
    assert all(e.error_code is None for e in events)

    # Finals come before non-finals in every response; a final token is sent exactly once.
    for event in events:
        flags = [t.is_final for t in event.tokens]
        assert flags == sorted(flags, reverse=True), flags
    final_words = words_of(finals(events))
    assert [t.text.strip() for t in final_words] == WORDS
    keys = [(t.text, t.start_ms) for t in final_words]
    assert len(keys) == len(set(keys))

    # Leading-space convention: a turn (session start, or after <end>) starts without a space.
    sequence = finals(events)
    for prev, tok in zip([None, *sequence], sequence, strict=False):
        if tok.text in MARKERS:
            continue
        starts_turn = prev is None or prev.text == "<end>"
        assert tok.text.startswith(" ") != starts_turn, (prev, tok)
    assert [t.text for t in sequence if t.text in MARKERS] == ["<end>", "<end>"]
    assert sequence[-1].text == "<end>"

    # Timestamps: monotonic, non-empty, inside the audio received; speakers from the script.
    starts = [t.start_ms for t in final_words]
    assert starts == sorted(starts)
    assert all(0 <= t.start_ms < t.end_ms <= total_ms for t in final_words)
    assert [t.speaker for t in final_words] == ["1"] * 6 + ["2"] * 4
    assert all(t.language is None for t in final_words)
    assert all(0.6 <= t.confidence <= 0.99 for t in final_words)
    progress = [(e.final_audio_proc_ms, e.total_audio_proc_ms) for e in events]
    assert all(f <= t for f, t in progress)
    assert [p[1] for p in progress] == sorted(p[1] for p in progress)
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert progress[-1] == (total_ms, total_ms)

    # What the server kept: the exact audio, frame count, the finish, a normal close.
    record = fake_soniox.wait_for_session(0)
    assert record.audio == b"".join(audio)
    assert record.frames == sum(len(list(chunks(a))) for a in audio)
    assert [c.type for c in record.controls] == ["finish"]
    assert record.close_code == 1000 and record.finished and record.error is None
    assert record.auth_method == "header" and record.key_kind == "permanent"
    assert record.final_words == WORDS
    assert record.final_text == " ".join(str(u["text"]) for u in SCRIPT)


async def test_non_final_tokens_replace_each_other(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(["one two three four"])
    events = await run(aclient, config(), [speech(4 * MS_PER_WORD), silence(1000)], chunk_ms=20)
    non_final_texts = [t.text for e in events for t in e.tokens if not t.is_final]
    # The word being spoken shows up as a growing prefix before the full word.
    assert " th" in non_final_texts and " three" in non_final_texts
    assert non_final_texts.index(" th") < non_final_texts.index(" three")
    # Every non-final set is a suffix of the stream: earlier non-finals are final or repeated.
    heard: list[str] = []
    for event in events:
        heard.extend(t.text for t in event.tokens if t.is_final)
        pending = [t.text for t in event.tokens if not t.is_final]
        full = [w for w in pending if w.strip() in {"one", "two", "three", "four"}]
        assert [w.strip() for w in heard + full] == ["one", "two", "three", "four"][: len(heard) + len(full)]


async def test_responses_are_paced_by_audio_not_frames(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    events = await run(aclient, config(), [silence(2000)], chunk_ms=20)  # 100 frames
    assert 10 <= len(events) <= 20
    assert all(e.tokens == [] for e in events)  # silence never produces words


async def test_finalize_sends_fin_after_the_words(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(SCRIPT)
    async with aclient.realtime.stt.connect(config=config()) as session:
        for frame in chunks(speech(3 * MS_PER_WORD + 100)):
            await session.send_byte_chunk(frame)
        await session.finalize()
        for frame in chunks(speech(2 * MS_PER_WORD, 3)):
            await session.send_byte_chunk(frame)
        await session.finish()
        events = [e async for e in session.receive_events()]
    fin_events = [e for e in events if any(t.text == "<fin>" for t in e.tokens)]
    assert len(fin_events) == 1
    fin = fin_events[0]
    assert fin.tokens[-1].text == "<fin>" and fin.tokens[-1].is_final
    assert all(t.is_final for t in fin.tokens)  # nothing is left non-final after finalize
    assert fin.final_audio_proc_ms == fin.total_audio_proc_ms
    final_words = [t.text.strip() for t in words_of(finals(events))]
    # The half-heard fourth word is completed by finalize; the rest continues after it.
    assert final_words == WORDS[:6]
    assert [c.type for c in fake_soniox.wait_for_session(0).controls] == ["finalize", "finish"]


async def test_finalize_with_trailing_silence_is_recorded(fake_soniox: FakeSoniox) -> None:
    frames: list[bytes | str] = [*chunks(speech(600)), '{"type": "finalize", "trailing_silence_ms": 300}', ""]
    received, code = await raw_session(fake_soniox, PCM_CONFIG, frames=frames)
    assert code == 1000
    assert received[-1]["finished"] is True
    [finalize, _finish] = fake_soniox.wait_for_session(0).controls
    assert finalize.payload == {"type": "finalize", "trailing_silence_ms": 300}
    assert finalize.audio_ms == 600


async def test_endpoint_waits_for_max_endpoint_delay_mid_utterance(
    aclient: AsyncSonioxClient, fake_soniox: FakeSoniox
) -> None:
    fake_soniox.set_script(["one two three four five six seven eight"])
    cfg = config(enable_endpoint_detection=True, max_endpoint_delay_ms=1000)
    events = await run(aclient, cfg, [speech(3 * MS_PER_WORD), silence(900), speech(MS_PER_WORD, 4), silence(5000)])
    sequence = [(t.text.strip(), e.total_audio_proc_ms) for e in events for t in e.tokens if t.is_final]
    assert [text for text, _ in sequence] == ["one", "two", "three", "four", "<end>"]
    end_at = sequence[-1][1]
    assert end_at == 3 * MS_PER_WORD + 900 + MS_PER_WORD + 1000  # silence reached the max delay
    # One <end> only, however long the silence that follows.


async def test_endpoint_comes_sooner_at_an_utterance_boundary(
    aclient: AsyncSonioxClient, fake_soniox: FakeSoniox
) -> None:
    fake_soniox.set_script(SCRIPT)
    events = await run(aclient, config(enable_endpoint_detection=True), [speech(6 * MS_PER_WORD), silence(3000)])
    ends = [e for e in events if any(t.text == "<end>" for t in e.tokens)]
    assert len(ends) == 1
    assert ends[0].total_audio_proc_ms == 6 * MS_PER_WORD + 500


async def test_no_endpoints_without_endpoint_detection(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(SCRIPT)
    events = await run(aclient, config(), [speech(6 * MS_PER_WORD), silence(3000)])
    texts = [t.text for t in finals(events)]
    assert "<end>" not in texts and len(texts) == 6


async def test_language_identification_and_default_script(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    events = await run(aclient, config(enable_language_identification=True), [speech(3000)])
    final_words = words_of(finals(events))
    assert [t.text for t in final_words[:2]] == ["Hello", " everyone,"]
    assert {t.language for t in final_words} == {"en"}
    assert all(t.speaker is None for t in final_words)
    raw = [t for r in fake_soniox.wait_for_session(0).responses for t in r["tokens"]]
    assert all("speaker" not in t and "translation_status" not in t for t in raw)


async def test_default_script_loops(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    from tests.fake_soniox import DEFAULT_SCRIPT

    n = sum(len(u.words()) for u in DEFAULT_SCRIPT)
    events = await run(aclient, config(), [speech((n + 2) * MS_PER_WORD)])
    texts = [t.text.strip() for t in words_of(finals(events))]
    assert texts[n:] == ["Hello", "everyone,"]


async def test_custom_script_does_not_loop(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(["just three words"])
    events = await run(aclient, config(), [speech(10 * MS_PER_WORD)])
    assert [t.text for t in words_of(finals(events))] == ["just", " three", " words"]


async def test_one_way_translation(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(
        [{"text": "Good morning", "translation": "Buenos días"}, {"speaker": "2", "text": "See you"}]
    )
    cfg = config(translation={"type": "one_way", "target_language": "es"}, enable_endpoint_detection=True)
    events = await run(aclient, cfg, [speech(2 * MS_PER_WORD), silence(800), speech(2 * MS_PER_WORD, 2), silence(800)])
    sequence = finals(events)
    texts = [t.text for t in sequence]
    assert texts == ["Good", " morning", " Buenos", " días", "<end>", "See", " you", " [es]", " See", " you", "<end>"]
    for tok in sequence:
        if tok.translation_status == "translation":
            assert (tok.language, tok.source_language) == ("es", "en")
            assert tok.start_ms is None and tok.end_ms is None
        elif tok.text not in MARKERS:
            assert tok.translation_status == "original" and tok.language == "en"


async def test_two_way_translation(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(
        [
            {"language": "en", "text": "Hello", "translation": "Hola"},
            {"speaker": "2", "language": "es", "text": "Hola amigo", "translation": "Hi friend"},
            {"language": "de", "text": "Hallo"},
        ]
    )
    cfg = config(translation={"type": "two_way", "language_a": "en", "language_b": "es"})
    events = await run(aclient, cfg, [speech(4 * MS_PER_WORD), silence(1000)])
    translations = [
        (t.text, t.language, t.source_language) for t in finals(events) if t.translation_status == "translation"
    ]
    assert translations == [(" Hola", "es", "en"), (" Hi", "en", "es"), (" friend", "en", "es")]
    untranslated = [t for t in finals(events) if t.text.strip() == "Hallo"]
    assert untranslated[0].translation_status == "none"
