"""Emulator lifecycle (threads, stop with open sessions) and the pure recognition model."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.emulator.helpers import PCM_CONFIG, silence, speech
from tests.fake_soniox import FakeSoniox, Utterance
from tests.fake_soniox.recognizer import Recognizer, RecognizerSettings, SessionOptions


def test_context_manager_and_urls() -> None:
    with FakeSoniox(api_keys={"k"}) as emu:
        assert emu.api_base_url == f"http://127.0.0.1:{emu.port}/v1"
        assert emu.websocket_url == f"ws://127.0.0.1:{emu.port}/transcribe-websocket"
        assert httpx.get(emu.api_base_url + "/models", headers={"Authorization": "Bearer k"}).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(emu.api_base_url + "/models", timeout=2)


def test_control_methods_are_thread_safe(fake_soniox: FakeSoniox) -> None:
    """Hammer the state from several threads while requests are served."""
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            with httpx.Client(base_url=fake_soniox.api_base_url, headers={"Authorization": "Bearer test-key"}) as http:
                for i in range(20):
                    http.post(
                        "/transcriptions",
                        json={"model": "stt-async-v5", "audio_url": f"https://example.com/{n}-{i}.mp3"},
                    )
                    fake_soniox.advance(0.2)
                    _ = fake_soniox.transcriptions, fake_soniox.realtime_sessions
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    fake_soniox.finish_all_jobs()
    assert len(fake_soniox.transcriptions) == 80
    assert {t["status"] for t in fake_soniox.transcriptions} == {"completed"}


@pytest.mark.asyncio
async def test_stop_ends_open_sessions_promptly() -> None:
    emu = FakeSoniox().start()
    async with connect(emu.websocket_url, additional_headers={"Authorization": "Bearer test-key"}) as ws:
        await ws.send(json.dumps(PCM_CONFIG))
        await ws.send(speech(300))
        await ws.recv()
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, emu.stop)
        assert time.monotonic() - started < 5
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.recv()
    assert ws.close_code == 1001


def feed(rec: Recognizer, ms: int, voiced: bool) -> list[dict[str, object]]:
    out = []
    for _ in range(ms // 20):
        rec.feed_window(20.0, voiced)
        response = rec.take_response()
        if response is not None:
            out.append(response)
    return out


def test_recognizer_final_lag_and_cadence() -> None:
    rec = Recognizer([Utterance("1", "en", "alpha beta")], SessionOptions(), loop=False)
    responses = feed(rec, 300, True) + feed(rec, 900, False)
    assert [r["total_audio_proc_ms"] for r in responses] == list(range(120, 1201, 120))
    final_at = [r["total_audio_proc_ms"] for r in responses for t in r["tokens"] if t["is_final"]]  # type: ignore[union-attr]
    assert final_at == [960]  # "alpha" ended at 300 ms, final once 600 ms more arrived (next response)


def test_recognizer_settings_change_the_pace() -> None:
    fast = RecognizerSettings(ms_per_word=100, final_lag_ms=200, response_interval_ms=40)
    rec = Recognizer([Utterance("1", "en", "a b c d e")], SessionOptions(), fast, loop=False)
    responses = feed(rec, 500, True) + feed(rec, 400, False)
    finals = [
        (t["text"], r["total_audio_proc_ms"])
        for r in responses
        for t in r["tokens"]  # type: ignore[union-attr]
        if t["is_final"]
    ]
    assert [text.strip() for text, _ in finals] == ["a", "b", "c", "d", "e"]
    assert 700 <= finals[-1][1] < 740  # "e" ended at 500 ms, final after 200 ms more, at the next response


def test_recognizer_never_sends_two_ends_in_a_row() -> None:
    rec = Recognizer([Utterance("1", "en", "one two")], SessionOptions(endpoint_detection=True), loop=False)
    responses = feed(rec, 600, True) + feed(rec, 10_000, False) + feed(rec, 600, True) + feed(rec, 10_000, False)
    texts = [t["text"] for r in responses for t in r["tokens"] if t["is_final"]]  # type: ignore[union-attr]
    assert texts == ["one", " two", "<end>"]  # the script is over: the second speech burst is not words


def test_endpoint_sensitivity_shortens_boundary_endpoints() -> None:
    def end_time(sensitivity: float) -> int:
        options = SessionOptions(endpoint_detection=True, endpoint_sensitivity=sensitivity)
        rec = Recognizer([Utterance("1", "en", "hi")], options, loop=False)
        for r in feed(rec, 300, True) + feed(rec, 3000, False):
            if any(t["text"] == "<end>" for t in r["tokens"]):  # type: ignore[union-attr]
                return int(r["total_audio_proc_ms"])  # type: ignore[arg-type]
        raise AssertionError("no endpoint")

    assert end_time(1.0) < end_time(0.0) < end_time(-1.0)


def test_silence_only_keeps_progress_moving() -> None:
    rec = Recognizer([Utterance("1", "en", "x")], SessionOptions(), loop=False)
    responses = feed(rec, 1000, False)
    assert all(r["tokens"] == [] for r in responses)
    assert responses[-1]["final_audio_proc_ms"] == 360  # total minus the final lag
    assert rec.finish()[-1] == {
        "tokens": [],
        "final_audio_proc_ms": 1000,
        "total_audio_proc_ms": 1000,
        "finished": True,
    }
    assert silence(10) == bytes(320)
