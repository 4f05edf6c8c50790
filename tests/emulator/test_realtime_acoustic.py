"""Acoustic mode: real-time sessions transcribe the tone-coded words their own audio carries.

Everything goes through the official SDK, like the other emulator tests. Speech is made by
``tones.speak``; echoes are attenuated, delayed copies mixed in with ``tones.mix``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from soniox import AsyncSonioxClient
from soniox.types import RealtimeEvent, RealtimeSTTConfig
from websockets.sync.client import connect

from tests.emulator.helpers import PCM_CONFIG, chunks, silence, speech
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.tones import VOCABULARY, attenuate, decode, duration_ms, mix, pcm_to_float, speak

MARKERS = ("<end>", "<fin>")


def said(text: str) -> list[str]:
    return text.split()


OTHERS = said("Thanks for having me. Shall we start with the quarterly numbers?")
YOU = said("Hello everyone, thanks for joining the call today. Let us move on to the product roadmap for next quarter.")
REPO = Path(__file__).resolve().parents[2]


def config(**extra: Any) -> RealtimeSTTConfig:
    return RealtimeSTTConfig(**PCM_CONFIG, **extra)


async def run(aclient: AsyncSonioxClient, cfg: RealtimeSTTConfig, audio: bytes) -> list[RealtimeEvent]:
    async with aclient.realtime.stt.connect(config=cfg) as session:
        for frame in chunks(audio, 100):
            await session.send_byte_chunk(frame)
            await asyncio.sleep(0)  # let a concurrent session interleave
        await session.finish()
        return [event async for event in session.receive_events()]


def final_words(events: list[RealtimeEvent]) -> list[Any]:
    return [t for e in events for t in e.tokens if t.is_final and t.text not in MARKERS]


def texts(tokens: list[Any]) -> list[str]:
    return [t.text.strip() for t in tokens]


@pytest.fixture
def acoustic(fake_soniox: FakeSoniox) -> FakeSoniox:
    fake_soniox.set_acoustic(True)
    return fake_soniox


def test_tone_speech_round_trips_offline() -> None:
    assert [w.text for w in decode(speak(YOU, 2))] == YOU
    assert {w.speaker for w in decode(speak(YOU, 3))} == {"3"}
    assert len(speak(["yes", "no"])) == 2 * duration_ms(2) * 16  # 16 kHz s16le
    with pytest.raises(ValueError, match="not in the tone vocabulary"):
        speak(["flibbertigibbet"])
    assert len(set(VOCABULARY)) == len(VOCABULARY) > 200


@pytest.mark.asyncio
async def test_two_sessions_hear_their_own_words(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    mic = speak(YOU, 1) + silence(700)
    system = speak(OTHERS, 2) + silence(700)
    you, others = await asyncio.gather(
        run(aclient, config(), mic), run(aclient, config(enable_speaker_diarization=True), system)
    )
    assert texts(final_words(you)) == YOU
    assert texts(final_words(others)) == OTHERS
    assert {t.speaker for t in final_words(others)} == {"2"}  # from the speaker tone
    assert all(t.speaker is None for t in final_words(you))  # diarization off: no speaker
    # Timestamps come from the audio: word k starts near k * 360 ms.
    starts = [t.start_ms for t in final_words(others)]
    assert all(abs(s - k * duration_ms(1)) <= 40 for k, s in enumerate(starts)), starts
    assert all(t.end_ms - t.start_ms >= 250 for t in final_words(others))
    records = [acoustic.wait_for_session(i) for i in range(2)]
    assert sorted(r.final_words for r in records) == sorted([YOU, OTHERS])
    assert all(r.measured_as.endswith(", acoustic") for r in records)


@pytest.mark.asyncio
async def test_a_quiet_delayed_echo_under_louder_speech_is_not_heard(
    aclient: AsyncSonioxClient, acoustic: FakeSoniox
) -> None:
    loud = speak(YOU, 1)
    echo = attenuate(speak(OTHERS, 2), 20, delay_ms=80)  # -20 dB, 80 ms late, shorter than YOU
    events = await run(aclient, config(enable_speaker_diarization=True), mix(loud, echo) + silence(700))
    assert texts(final_words(events)) == YOU
    assert {t.speaker for t in final_words(events)} == {"1"}


@pytest.mark.asyncio
async def test_an_echo_alone_is_heard_as_the_other_sides_words(
    aclient: AsyncSonioxClient, acoustic: FakeSoniox
) -> None:
    # What a microphone picks up from loudspeakers when nobody in the room talks: -20 dB is loud
    # enough to be recognised, which is exactly the duplicate-words problem echo cancelling solves.
    events = await run(aclient, config(), silence(300) + attenuate(speak(OTHERS, 2), 20, 80) + silence(700))
    assert texts(final_words(events)) == OTHERS


@pytest.mark.asyncio
async def test_a_residue_below_the_threshold_is_silence(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    quiet = attenuate(speak(OTHERS, 2), 40, delay_ms=80)
    events = await run(aclient, config(enable_endpoint_detection=True), speak(["yes."]) + quiet + silence(300))
    tokens = [t for e in events for t in e.tokens if t.is_final]
    # "yes." then an endpoint 500 ms into the residue: it counts as silence, not speech.
    assert texts(tokens) == ["yes.", "<end>"]
    end_at = next(e.total_audio_proc_ms for e in events if any(t.text == "<end>" for t in e.tokens))
    assert end_at <= duration_ms(1) + 600


@pytest.mark.asyncio
async def test_noise_is_voiced_but_says_nothing(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    events = await run(aclient, config(enable_endpoint_detection=True), speak(["yes"]) + speech(3000))
    # No words from noise, and no endpoint while it lasts (it is sound, just no known word).
    assert [t.text.strip() for e in events for t in e.tokens if t.is_final] == ["yes"]


@pytest.mark.asyncio
async def test_finalize_and_endpoint_work_on_heard_words(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    first = said("Sure. Revenue grew")
    second = said("twelve percent compared to last year.")
    async with aclient.realtime.stt.connect(config=config(enable_endpoint_detection=True)) as session:
        for frame in chunks(speak(first), 100):
            await session.send_byte_chunk(frame)
        await session.finalize()
        for frame in chunks(speak(second) + silence(1500), 100):
            await session.send_byte_chunk(frame)
        await session.finish()
        events = [e async for e in session.receive_events()]
    sequence = [t.text.strip() for e in events for t in e.tokens if t.is_final]
    assert sequence == [*first, "<fin>", *second, "<end>"]
    fin = next(e for e in events if any(t.text == "<fin>" for t in e.tokens))
    assert all(t.is_final for t in fin.tokens)
    # Non-final prefixes while a word is heard, then the full word.
    non_final = [t.text for e in events for t in e.tokens if not t.is_final]
    assert any(0 < len(x.strip()) < len("percent") and "percent".startswith(x.strip()) for x in non_final)


@pytest.mark.asyncio
async def test_resampled_audio_is_heard_at_its_own_rate(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    base = pcm_to_float(speak(OTHERS, 2) + silence(500))
    n = len(base) * 3
    up = np.interp(np.arange(n) / 3, np.arange(len(base)), base)  # 48 kHz, linear interpolation
    cfg = RealtimeSTTConfig(
        model="stt-rt-v5", audio_format="pcm_f32le", sample_rate=48_000, num_channels=1, enable_speaker_diarization=True
    )
    async with aclient.realtime.stt.connect(config=cfg) as session:
        data = up.astype("<f4").tobytes()
        for i in range(0, len(data), 19_200):
            await session.send_byte_chunk(data[i : i + 19_200])
        await session.finish()
        events = [e async for e in session.receive_events()]
    assert texts(final_words(events)) == OTHERS


@pytest.mark.asyncio
async def test_script_mode_is_unchanged_when_acoustic_is_off(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    acoustic.set_acoustic(False)
    acoustic.set_script(["one two"])
    events = await run(aclient, config(), speak(["yes", "no"]))  # tones are just "voiced" here
    assert texts(final_words(events)) == ["one", "two"]


def test_http_control_and_cli_flag(fake_soniox: FakeSoniox, tmp_path: Path) -> None:
    with httpx.Client(base_url=fake_soniox.base_url, timeout=10) as http:
        assert http.get("/_emulator/state").json()["acoustic"] is False
        assert http.post("/_emulator/acoustic", json={"on": True}).json() == {"ok": True}
        assert fake_soniox.state.config.acoustic is True
        assert http.get("/_emulator/state").json()["acoustic"] is True
        assert http.post("/_emulator/acoustic", json={"on": "yes"}).status_code == 400
        assert http.post("/_emulator/acoustic", json={"on": False}).json() == {"ok": True}
        assert fake_soniox.state.config.acoustic is False

    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_soniox", "--port", "0", "--acoustic"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        with connect(urls["websocket_url"], additional_headers={"Authorization": "Bearer test-key"}) as ws:
            ws.send(json.dumps(PCM_CONFIG))
            ws.send(speak(["Shall", "we", "start"], 2) + silence(300))
            ws.send("")
            frames = [json.loads(m) for m in ws]
        words = [t["text"].strip() for f in frames for t in f["tokens"] if t["is_final"]]
        assert words == ["Shall", "we", "start"]
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.asyncio
async def test_finalize_in_the_middle_of_a_word_makes_it_final_once(
    aclient: AsyncSonioxClient, acoustic: FakeSoniox
) -> None:
    audio = speak(["Shall", "we", "start"])
    cut = (duration_ms(1) + 200) * 32  # 200 ms into "we"
    async with aclient.realtime.stt.connect(config=config()) as session:
        for frame in chunks(audio[:cut], 100):
            await session.send_byte_chunk(frame)
        await session.finalize()
        for frame in chunks(audio[cut:] + silence(700), 100):
            await session.send_byte_chunk(frame)
        await session.finish()
        events = [e async for e in session.receive_events()]
    sequence = [t.text.strip() for e in events for t in e.tokens if t.is_final]
    # "we" is completed by finalize; the rest of its tones after it is not a second "we".
    assert sequence == ["Shall", "we", "<fin>", "start"]


@pytest.mark.asyncio
async def test_translation_follows_heard_words(aclient: AsyncSonioxClient, acoustic: FakeSoniox) -> None:
    cfg = config(translation={"type": "one_way", "target_language": "es"})
    events = await run(aclient, cfg, speak(["Hello", "everyone,"]) + silence(700))
    tokens = [t for e in events for t in e.tokens if t.is_final]
    originals = [t.text.strip() for t in tokens if t.translation_status == "original"]
    translated = [t.text.strip() for t in tokens if t.translation_status == "translation"]
    assert originals == ["Hello", "everyone,"]
    assert translated and all(t.language == "es" for t in tokens if t.translation_status == "translation")
