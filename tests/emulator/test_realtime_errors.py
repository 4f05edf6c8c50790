"""Real-time errors: config validation, authentication, timeouts, limits and injected faults."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
from soniox import AsyncSonioxClient
from soniox.types import RealtimeEvent, RealtimeSTTConfig
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.emulator.helpers import MS_PER_WORD, PCM_CONFIG, chunks, raw_session, silence, speech
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox import errors as E

pytestmark = pytest.mark.asyncio


def assert_error_frame(frame: dict[str, Any], code: int, error_type: str, message: str | None = None) -> None:
    assert frame["tokens"] == []
    assert frame["error_code"] == code
    assert frame["error_type"] == error_type
    if message is not None:
        assert frame["error_message"] == message
    uuid.UUID(frame["request_id"])
    assert frame["more_info"] == "https://soniox.com/docs/api-reference/errors#" + error_type.replace("_", "-")
    RealtimeEvent.model_validate(frame)


async def expect_error(
    emu: FakeSoniox, config: Any, code: int, error_type: str, message: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    received, close_code = await raw_session(emu, config, **kwargs)
    assert len(received) == 1, received
    assert_error_frame(received[0], code, error_type, message)
    assert close_code == 1000
    record = emu.wait_for_session(-1)
    assert record.error == received[0] and not record.active
    return received[0]


@pytest.mark.parametrize(
    ("changes", "code", "error_type", "message"),
    [
        ({"model": "stt-rt-v9"}, 400, "model_not_available", E.RT_INVALID_MODEL),
        ({"model": "stt-async-v5"}, 400, "model_not_available", E.RT_INVALID_MODEL),
        ({"model": None}, 400, "model_not_available", E.RT_INVALID_MODEL),
        ({"audio_format": None}, 400, "invalid_request", E.RT_MISSING_FORMAT),
        ({"audio_format": "avi"}, 400, "invalid_request", "Invalid audio data format: avi"),
        ({"sample_rate": None}, 400, "invalid_request", E.RT_MISSING_SAMPLE_RATE),
        ({"num_channels": None}, 400, "invalid_request", E.RT_MISSING_CHANNELS),
        ({"audio_format": "mulaw", "num_channels": 0}, 400, "invalid_request", E.RT_MISSING_CHANNELS),
        ({"max_endpoint_delay_ms": 100}, 400, "invalid_request", None),
        ({"max_endpoint_delay_ms": 3001}, 400, "invalid_request", None),
        ({"model": "stt-rt-v3", "max_endpoint_delay_ms": 1000}, 400, "invalid_request", None),
        ({"endpoint_sensitivity": 1.5}, 400, "invalid_request", None),
        ({"model": "stt-rt-v3", "endpoint_sensitivity": 0.5}, 400, "invalid_request", None),
        ({"endpoint_latency_adjustment_level": 4}, 400, "invalid_request", None),
        ({"model": "stt-rt-v3", "endpoint_latency_adjustment_level": 1}, 400, "invalid_request", None),
        ({"language_hints": ["xx"]}, 400, "invalid_request", E.RT_INVALID_LANGUAGE_HINT),
        ({"language_hints": ["en", "en"]}, 400, "invalid_request", E.RT_DUPLICATE_LANGUAGE_HINTS),
        ({"translation": {"type": "one_way"}}, 400, "invalid_request", E.RT_INVALID_TRANSLATION_TARGET),
        (
            {"translation": {"type": "two_way", "language_a": "en"}},
            400,
            "invalid_request",
            E.RT_INVALID_TRANSLATION_TARGET,
        ),
        ({"translation": {"type": "sideways"}}, 400, "invalid_request", None),
        ({"translation": "es"}, 400, "invalid_request", None),
        ({"client_reference_id": "x" * 257}, 400, "invalid_request", E.RT_CLIENT_REF_TOO_LONG),
        ({"context": "x" * 10_001}, 400, "invalid_request", E.RT_CONTEXT_TOO_LONG),
        ({"context": {"general": "medicine"}}, 400, "invalid_request", E.RT_START_MALFORMED),
        ({"enable_endpoint_detection": "yes"}, 400, "invalid_request", E.RT_START_MALFORMED),
    ],
)
async def test_config_validation(
    fake_soniox: FakeSoniox, changes: dict[str, Any], code: int, error_type: str, message: str | None
) -> None:
    config = {**PCM_CONFIG, **changes}
    config = {k: v for k, v in config.items() if v is not None}
    await expect_error(fake_soniox, config, code, error_type, message, frames=[speech(100)])
    assert fake_soniox.wait_for_session(0).config == config


@pytest.mark.parametrize(
    "changes",
    [
        {"audio_format": "auto", "sample_rate": None, "num_channels": None},
        {"model": "stt-rt-v4", "endpoint_sensitivity": -1.0, "endpoint_latency_adjustment_level": 3},
        {"model": "stt-rt-v3", "endpoint_latency_adjustment_level": 0, "language_hints_strict": True},
        {"max_endpoint_delay_ms": 500, "enable_endpoint_detection": True, "client_reference_id": "x" * 256},
        {
            "context": {
                "general": [{"key": "domain", "value": "medicine"}],
                "text": "t",
                "terms": ["a"],
                "translation_terms": [{"source": "a", "target": "b"}],
            }
        },
        {"context": "A plain text context.", "language_hints": ["en", "es"], "unknown_option": 1},
        {"translation": {"type": "two_way", "language_a": "en", "language_b": "es"}},
    ],
)
async def test_valid_configs_are_accepted(fake_soniox: FakeSoniox, changes: dict[str, Any]) -> None:
    config = {k: v for k, v in {**PCM_CONFIG, **changes}.items() if v is not None}
    received, code = await raw_session(fake_soniox, config, frames=[silence(100), ""])
    assert code == 1000 and received[-1]["finished"] is True


@pytest.mark.parametrize(
    ("first", "message"),
    [
        (b"\x00\x01", E.RT_START_NOT_TEXT),
        ("{not json", E.RT_START_MALFORMED),
        ("[1, 2]", E.RT_START_MALFORMED),
        ("", E.RT_START_MALFORMED),
    ],
)
async def test_bad_start_request(fake_soniox: FakeSoniox, first: str | bytes, message: str) -> None:
    await expect_error(fake_soniox, first, 400, "invalid_request", message)


@pytest.mark.parametrize(
    ("control", "message"),
    [
        ('{"type": "pause"}', E.RT_CONTROL_INVALID_TYPE),
        ("{oops", E.RT_CONTROL_MALFORMED),
        ('{"no_type": 1}', E.RT_CONTROL_MALFORMED),
        ('{"type": "finalize", "trailing_silence_ms": -5}', E.RT_CONTROL_MALFORMED),
    ],
)
async def test_bad_control_messages(fake_soniox: FakeSoniox, control: str, message: str) -> None:
    received, code = await raw_session(fake_soniox, PCM_CONFIG, frames=[speech(200), control])
    assert_error_frame(received[-1], 400, "invalid_request", message)
    assert all("error_code" not in r for r in received[:-1])
    assert code == 1000


# ---------------------------------------------------------------------------------- auth
async def test_deprecated_api_key_in_config(fake_soniox: FakeSoniox) -> None:
    config = {**PCM_CONFIG, "api_key": "test-key"}
    received, code = await raw_session(fake_soniox, config, key=None, frames=[speech(300), ""])
    assert received[-1]["finished"] is True and code == 1000
    record = fake_soniox.wait_for_session(0)
    assert record.auth_method == "config_api_key"
    assert record.config is not None and record.config["api_key"] == "<redacted>"


async def test_key_in_both_places_is_rejected(fake_soniox: FakeSoniox) -> None:
    await expect_error(fake_soniox, {**PCM_CONFIG, "api_key": "test-key"}, 400, "invalid_request", E.RT_BOTH_API_KEYS)


async def test_missing_key(fake_soniox: FakeSoniox) -> None:
    frame = await expect_error(fake_soniox, PCM_CONFIG, 401, "unauthenticated", key=None)
    assert frame["error_message"].startswith("Missing API key.")


@pytest.mark.parametrize("key", ["wrong", "snx_temp_not-issued"])
async def test_wrong_key(fake_soniox: FakeSoniox, key: str) -> None:
    message = E.RT_INVALID_TEMP_KEY if key.startswith("snx_temp_") else E.RT_INVALID_API_KEY
    await expect_error(fake_soniox, PCM_CONFIG, 401, "unauthenticated", message, key=key)


async def test_sdk_surfaces_auth_errors_as_events(fake_soniox: FakeSoniox) -> None:
    async with (
        AsyncSonioxClient(api_key="wrong", websocket_base_url=fake_soniox.websocket_url) as bad,
        bad.realtime.stt.connect(config=RealtimeSTTConfig(**PCM_CONFIG)) as session,
    ):
        events = [e async for e in session.receive_events()]
    assert len(events) == 1 and events[0].error_code == 401
    assert events[0].model_extra is not None and events[0].model_extra["error_type"] == "unauthenticated"


async def test_temporary_keys(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    temp = await aclient.auth.create_temporary_api_key(expires_in_seconds=60)
    cfg = RealtimeSTTConfig(**PCM_CONFIG)
    async with aclient.realtime.stt.connect(config=cfg, api_key=temp.api_key) as session:
        await session.send_byte_chunk(speech(300))
        await session.finish()
        events = [e async for e in session.receive_events()]
    assert events[-1].finished
    assert fake_soniox.wait_for_session(0).key_kind == "temporary"

    tts = await aclient.auth.create_temporary_api_key(usage_type="tts_rt", expires_in_seconds=60)
    await expect_error(fake_soniox, PCM_CONFIG, 401, "unauthenticated", E.RT_INVALID_TEMP_KEY, key=tts.api_key)

    fake_soniox.advance(61)  # the first key expires
    await expect_error(fake_soniox, PCM_CONFIG, 401, "unauthenticated", E.RT_INVALID_TEMP_KEY, key=temp.api_key)

    once = await aclient.auth.create_temporary_api_key(expires_in_seconds=60, single_use=True)
    received, _ = await raw_session(fake_soniox, PCM_CONFIG, key=once.api_key, frames=[""])
    assert received[-1]["finished"] is True
    await expect_error(fake_soniox, PCM_CONFIG, 401, "unauthenticated", E.RT_INVALID_TEMP_KEY, key=once.api_key)


async def test_temporary_key_session_duration_cap(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    temp = await aclient.auth.create_temporary_api_key(expires_in_seconds=60, max_session_duration_seconds=1)
    started = time.monotonic()
    async with connect(fake_soniox.websocket_url, additional_headers={"Authorization": f"Bearer {temp.api_key}"}) as ws:
        await ws.send(json.dumps(PCM_CONFIG))
        frames: list[dict[str, Any]] = []
        with pytest.raises(ConnectionClosed):
            while True:  # keep streaming: the cap applies even to a busy session
                await ws.send(silence(20))
                try:
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 0.05)))
                except asyncio.TimeoutError:
                    pass
    errors = [f for f in frames if "error_code" in f]
    assert_error_frame(errors[-1], 403, "temp_api_key_session_expired")
    assert 0.9 <= time.monotonic() - started < 3


# ---------------------------------------------------------------------------------- timeouts
async def test_idle_session_times_out_without_keepalive() -> None:
    with FakeSoniox(idle_timeout_s=0.4) as emu:
        started = time.monotonic()
        received, code = await raw_session(emu, PCM_CONFIG, frames=[speech(200)])
        assert_error_frame(received[-1], 408, "request_timeout", E.RT_REQUEST_TIMEOUT)
        assert 0.35 <= time.monotonic() - started < 2
        assert code == 1000


async def test_no_config_times_out() -> None:
    with FakeSoniox(idle_timeout_s=0.3) as emu:
        received, _ = await raw_session(emu, None)
        assert_error_frame(received[-1], 408, "request_timeout", E.RT_START_TIMEOUT)


async def test_keepalive_keeps_an_idle_session_open() -> None:
    with FakeSoniox(idle_timeout_s=0.4) as emu:
        async with (
            AsyncSonioxClient(api_key="test-key", websocket_base_url=emu.websocket_url) as sdk,
            sdk.realtime.stt.connect(config=RealtimeSTTConfig(**PCM_CONFIG)) as session,
        ):
            await session.send_byte_chunk(speech(MS_PER_WORD * 2))
            for _ in range(6):  # 1.2 s idle, three idle timeouts' worth
                await asyncio.sleep(0.2)
                await session.keep_alive()
            await session.send_byte_chunk(speech(MS_PER_WORD))
            await session.finish()
            events = [e async for e in session.receive_events()]
        assert events[-1].finished and all(e.error_code is None for e in events)
        record = emu.wait_for_session(0)
        assert [c.type for c in record.controls] == ["keepalive"] * 6 + ["finish"]
        stamps = [c.received_at for c in record.controls]
        assert stamps == sorted(stamps)


async def test_keepalive_before_config_is_allowed() -> None:
    with FakeSoniox(idle_timeout_s=0.4) as emu:
        async with connect(emu.websocket_url, additional_headers={"Authorization": "Bearer test-key"}) as ws:
            for _ in range(3):
                await asyncio.sleep(0.2)
                await ws.send('{"type": "keepalive"}')
            await ws.send(json.dumps(PCM_CONFIG))
            await ws.send("")
            frames = [json.loads(m) async for m in ws]
        assert frames[-1]["finished"] is True


# ---------------------------------------------------------------------------------- limits & faults
async def test_concurrency_limit(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_limits(max_concurrent_sessions=2)
    headers = {"Authorization": "Bearer test-key"}
    async with (
        connect(fake_soniox.websocket_url, additional_headers=headers) as one,
        connect(fake_soniox.websocket_url, additional_headers=headers) as two,
    ):
        for ws in (one, two):
            await ws.send(json.dumps(PCM_CONFIG))
            await ws.send(silence(200))
            await ws.recv()  # a response proves the session was accepted
        await expect_error(fake_soniox, PCM_CONFIG, 429, "limit_exceeded", E.RT_CONCURRENCY)
        await one.send("")
        [m async for m in one]
    received, _ = await raw_session(fake_soniox, PCM_CONFIG, frames=[""])
    assert received[-1]["finished"] is True


async def test_balance_exhausted(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_balance_exhausted("organization_monthly_budget_exhausted")
    await expect_error(
        fake_soniox,
        PCM_CONFIG,
        402,
        "organization_monthly_budget_exhausted",
        "Organization monthly budget exhausted. Please increase it.",
    )


async def test_injected_503_after_some_audio(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(error_code=503, error_type="service_unavailable", after_audio_ms=1000)
    async with aclient.realtime.stt.connect(config=RealtimeSTTConfig(**PCM_CONFIG)) as session:
        sent = 0
        for frame in chunks(speech(2000)):
            try:
                await session.send_byte_chunk(frame)
                sent += len(frame)
            except Exception:
                break
            await asyncio.sleep(0.005)
        events = [e async for e in session.receive_events()]
    assert events[-1].error_code == 503
    assert events[-1].error_message == E.RT_SERVICE_UNAVAILABLE
    assert not any(e.finished for e in events)
    record = fake_soniox.wait_for_session(0)
    assert 1000 <= record.audio_ms < 1200
    assert record.audio == speech(2000)[: record.audio_bytes]
    # Only that session: the next one is healthy.
    received, _ = await raw_session(fake_soniox, PCM_CONFIG, frames=[speech(1200), ""])
    assert received[-1]["finished"] is True


async def test_injected_abrupt_close(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=500)
    async with connect(fake_soniox.websocket_url, additional_headers={"Authorization": "Bearer test-key"}) as ws:
        await ws.send(json.dumps(PCM_CONFIG))
        with pytest.raises(ConnectionClosed):
            for frame in chunks(speech(2000)):
                await ws.send(frame)
                await asyncio.sleep(0.01)
            async for _ in ws:
                pass
        assert ws.close_code == 1006
    record = fake_soniox.wait_for_session(0)
    assert record.close_code == 1006 and record.error is None and not record.finished

    # Through the SDK the stream simply ends: no finished response, no error event.
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=300)
    async with aclient.realtime.stt.connect(config=RealtimeSTTConfig(**PCM_CONFIG)) as session:
        await session.send_byte_chunk(speech(400))
        events = [e async for e in session.receive_events()]
    assert not any(e.finished or e.error_code for e in events)


async def test_injected_slow_responses(aclient: AsyncSonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(response_delay_s=0.4)
    async with aclient.realtime.stt.connect(config=RealtimeSTTConfig(**PCM_CONFIG)) as session:
        started = time.monotonic()
        await session.send_byte_chunk(speech(300))
        first = await session.receive_event()
        elapsed = time.monotonic() - started
        await session.finish()
        rest = [e async for e in session.receive_events()]
    assert first is not None and 0.4 <= elapsed < 2
    assert rest[-1].finished


async def test_injection_by_session_index(fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(error_code=500, session_index=1)
    ok, _ = await raw_session(fake_soniox, PCM_CONFIG, frames=[""])
    assert ok[-1]["finished"] is True
    failed, _ = await raw_session(fake_soniox, PCM_CONFIG, frames=[""])
    assert_error_frame(failed[-1], 500, "internal_error", E.RT_INTERNAL)
