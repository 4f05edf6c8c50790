"""The live session against the emulator: real sockets, the real SDK, audio compared byte for byte.

Each test plays numpy PCM (noise bursts the emulator hears as one word each, zeros as silence)
faster than real time, then checks both sides: what reached the emulator (config, audio, control
messages) and what the listener saw (states, tokens, errors).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from soniox import AsyncSonioxClient

from desktop.core.audio_source import AUTO
from desktop.core.backoff import Backoff
from desktop.core.live import LiveOptions, LiveSession, LiveState, build_realtime_config
from tests.core.live.test_live_session_support import (
    BYTES_PER_MS,
    NumpySource,
    Recorder,
    burst_starts_ms,
    bursts,
    make_pcm,
    until,
)
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.records import RealtimeSessionSnapshot

pytestmark = pytest.mark.asyncio

WORDS = "one two three four five six seven eight nine ten eleven twelve"


@pytest.fixture(autouse=True)
def no_asyncio_complaints(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No "Task was destroyed but it is pending", unretrieved task exceptions or unclosed transports."""
    caplog.set_level(logging.WARNING, logger="asyncio")
    yield
    gc.collect()
    complaints = [r.getMessage() for r in caplog.records if r.name == "asyncio" and r.levelno >= logging.WARNING]
    assert complaints == []


@asynccontextmanager
async def sdk_client(emu: FakeSoniox, key: str = "test-key") -> AsyncIterator[AsyncSonioxClient]:
    client = AsyncSonioxClient(api_key=key, api_base_url=emu.api_base_url, websocket_base_url=emu.websocket_url)
    try:
        yield client
    finally:
        await client.aclose()


def session_for(client: AsyncSonioxClient, source: NumpySource, rec: Recorder, **kwargs: Any) -> LiveSession:
    """``backoff=(first, ..., last)`` is shorthand for a jitter-free doubling from first to last."""
    if isinstance(kwargs.get("backoff"), tuple):
        delays = kwargs.pop("backoff")
        kwargs["backoff"] = Backoff(
            initial=delays[0], cap=delays[-1], jitter=0, max_attempts=kwargs.pop("max_reconnects", 8)
        )
    options = LiveOptions(model="stt-rt-v4", enable_speaker_diarization=True, language_hints=["en"])
    config = build_realtime_config(options, None, source.format)
    return LiveSession(lambda: client, config, source, rec, **kwargs)


def controls(snap: RealtimeSessionSnapshot, kind: str) -> list[Any]:
    return [c for c in snap.controls if c.type == kind]


def live_controls(emu: FakeSoniox, kind: str, index: int = 0) -> list[Any]:
    sessions = emu.realtime_sessions
    return controls(sessions[index], kind) if len(sessions) > index else []


def assert_clean_end(rec: Recorder, source: NumpySource, session: LiveSession) -> None:
    assert rec.after_terminal == [], "callbacks arrived after the terminal state"
    assert source.stopped and source.chunks_closed
    assert session.state.is_terminal
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert leftover == [], "tasks left running after the session ended"


async def test_stop_delivers_the_last_words_and_finishes(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([" ".join(WORDS.split()[:8])])
    plan = bursts(8)
    plan[-1] = ("silence", 100)  # the last word is not final yet when the user presses Stop
    pcm = make_pcm(plan)
    source = NumpySource(pcm, pace_s=0.005, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec)
        await session.start()
        assert session.state is LiveState.RUNNING
        await until(lambda: len(rec.final_words()) == 7, what="seven final words")
        await until(lambda: fake_soniox.realtime_sessions[0].audio_bytes == len(pcm), what="all audio sent")
        await session.stop()

    assert rec.state_names == ["connecting", "running", "finishing", "finished"]
    words = rec.final_words()
    assert [w for w, _, _ in words] == [("" if i == 0 else " ") + w for i, w in enumerate(WORDS.split()[:8])]
    assert [s for _, s, _ in words] == burst_starts_ms(8)
    assert rec.responses[-1][2].finished
    snap = fake_soniox.wait_for_session(0)
    assert snap.config == {
        "model": "stt-rt-v4",
        "audio_format": "pcm_s16le",
        "sample_rate": 16000,
        "num_channels": 1,
        "language_hints": ["en"],
        "enable_speaker_diarization": True,
    }
    assert snap.audio == source.produced == pcm
    assert [c.type for c in snap.controls] == ["finish"]
    assert snap.finished and snap.close_code == 1000
    assert rec.stats and rec.stats[-1].bytes_sent == len(pcm)
    assert rec.stats[-1].audio_s == pytest.approx(len(pcm) / 32000)
    assert rec.errors == []
    assert_clean_end(rec, source, session)
    assert len(fake_soniox.realtime_sessions) == 1


async def test_source_that_ends_finishes_the_session_by_itself(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script(["alpha beta gamma"])
    source = NumpySource(make_pcm(bursts(3)), pace_s=0.001)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec)
        await session.start()
        await session.wait_closed()
    assert rec.state_names[-1] == "finished"
    assert "".join(w for w, _, _ in rec.final_words()) == "alpha beta gamma"
    assert fake_soniox.wait_for_session(0).finished


async def test_cancel_drops_at_once_without_finishing(fake_soniox: FakeSoniox) -> None:
    source = NumpySource(make_pcm(bursts(4)), pace_s=0.005, repeat=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec)
        await session.start()
        await until(lambda: len(rec.responses) >= 3, what="some responses")
        session.cancel()
        assert session.state is LiveState.CANCELED  # at once, not after cleanup
        assert [t for t in asyncio.all_tasks() if t.get_name() == "live-session" and not t.done()]
        await session.wait_closed()
        snap = fake_soniox.wait_for_session(0)

    assert rec.state_names == ["connecting", "running", "canceled"]
    assert controls(snap, "finish") == []
    assert not snap.finished
    assert snap.close_code == 1000  # closed by us, not dropped
    assert_clean_end(rec, source, session)


async def test_finalize_requests_are_throttled_and_pending_clears_on_fin(fake_soniox: FakeSoniox) -> None:
    source = NumpySource(make_pcm(bursts(4)), pace_s=0.005, repeat=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, finalize_min_interval_s=0.4)
        await session.start()
        await until(lambda: len(rec.responses) >= 2, what="first responses")
        results = [session.request_finalize() for _ in range(4)]
        assert results == [True, True, False, False]
        assert session.finalize_pending
        await until(lambda: len(live_controls(fake_soniox, "finalize")) == 2, what="two finalize messages")
        await until(lambda: not session.finalize_pending, what="pending cleared")
        sent = live_controls(fake_soniox, "finalize")
        assert sent[1].received_at - sent[0].received_at >= 0.2  # 0.4 s apart, less send jitter
        fins = [t for tokens, _, _, _ in rec.responses for t in tokens if t.text == "<fin>"]
        assert len(fins) == 2
        assert rec.pending == [True, False]
        await session.stop()
    assert rec.states[-1][0] is LiveState.FINISHED
    assert rec.stats[-1].finalizes == 2


async def test_hold_to_talk_sends_audio_only_while_held_and_survives_idle_timeout() -> None:
    emu = FakeSoniox(api_keys={"test-key"}, idle_timeout_s=1.0).start()
    try:
        rec = Recorder()
        holder: list[LiveSession] = []
        source = NumpySource(
            make_pcm(bursts(20)), pace_s=0.005, repeat=True, tag=lambda: holder[0].transmitting if holder else None
        )
        async with sdk_client(emu) as client:
            session = session_for(client, source, rec, keepalive_interval_s=0.25, transmitting=False)
            holder.append(session)
            await session.start()
            for _press in range(2):
                before = len(live_controls(emu, "keepalive"))
                # Released for longer than the service's idle limit: keepalives must carry it.
                await until(lambda b=before: len(live_controls(emu, "keepalive")) >= b + 5, what="keepalives")
                got = emu.realtime_sessions[0].audio_ms
                session.set_transmitting(True)
                await until(lambda g=got: emu.realtime_sessions[0].audio_ms >= g + 1500, what="audio while held")
                session.set_transmitting(False)
                assert session.finalize_pending
                await until(lambda: not session.finalize_pending, what="<fin> after release")
            await session.stop()
        snap = emu.wait_for_session(0)
    finally:
        emu.stop()

    assert len(emu.realtime_sessions) == 1 and snap.error is None and snap.finished
    assert rec.state_names == ["connecting", "running", "finishing", "finished"]
    held = source.produced_where(lambda t: t is True)
    assert snap.audio == held  # nothing from the released periods, nothing lost while held
    assert len(held) < len(source.produced)
    finalizes = controls(snap, "finalize")
    assert len(finalizes) == 2
    # Keepalives only while no audio flowed: before the first press or at a release position.
    pause_positions = {0.0} | {f.audio_ms for f in finalizes}
    keepalives = controls(snap, "keepalive")
    assert len(keepalives) >= 10
    assert {k.audio_ms for k in keepalives} <= pause_positions
    assert rec.pending == [True, False, True, False]
    assert len(rec.final_words()) >= 4
    assert rec.stats[-1].discarded_chunks > 0
    assert_clean_end(rec, source, session)


@pytest.mark.parametrize(
    ("fault", "title"),
    [
        ({"error_code": 503}, "Service interrupted"),
        ({"abrupt_close": True}, "Connection lost"),
    ],
    ids=["503", "abrupt-close"],
)
async def test_reconnects_and_replays_so_no_word_is_lost(
    fake_soniox: FakeSoniox, fault: dict[str, Any], title: str
) -> None:
    fake_soniox.set_script([WORDS])
    fake_soniox.inject_realtime(after_audio_ms=3000, **fault)
    pcm = make_pcm(bursts(12))
    source = NumpySource(pcm, pace_s=0.01, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        # The backoff lets the source run on while disconnected: that gap audio must arrive too.
        session = session_for(client, source, rec, backoff=(0.15,))
        await session.start()
        await until(lambda: len(rec.replaced) == 1, what="reconnect")
        await until(
            lambda: fake_soniox.realtime_sessions[-1].audio_bytes + rec.replaced[0] * BYTES_PER_MS >= len(pcm),
            what="all audio on the new connection",
        )
        await session.stop()

    assert rec.state_names == ["connecting", "running", "reconnecting", "running", "finishing", "finished"]
    assert [(a, d) for a, d, _ in rec.reconnecting] == [(1, 0.15)]
    assert rec.reconnecting[0][2].title == title
    first, second = fake_soniox.wait_for_session(0), fake_soniox.wait_for_session(1)
    assert not first.finished and second.finished

    # Offset = what the old connection had finalised when it broke, as last reported to us.
    offset = rec.replaced[0]
    old = [ev for _, off, ev, _ in rec.responses if off == 0]
    assert offset == old[-1].final_audio_proc_ms and offset > 0
    assert all(off == offset for _, off, _, _ in rec.responses[len(old) :])
    # Audio: the old connection got a prefix; the new one everything from the offset on, gap included.
    assert first.audio == pcm[: len(first.audio)]
    assert second.audio == pcm[offset * BYTES_PER_MS :]
    assert offset * BYTES_PER_MS <= len(first.audio)
    # Sent-but-unfinalised audio went again (at least what the old connection recorded receiving).
    assert rec.stats[-1].replayed_bytes >= len(first.audio) - offset * BYTES_PER_MS > 0
    # Words: every burst once, at its place on the session timeline.
    starts = [s for _, s, _ in rec.final_words()]
    assert starts == burst_starts_ms(12)
    old_final_ends = [t.end_ms for ev in old for t in ev.tokens if t.is_final and t.end_ms is not None]
    assert old_final_ends and max(old_final_ends) <= offset
    assert rec.errors == []
    assert_clean_end(rec, source, session)


@pytest.mark.parametrize("reconnects", [2, 3])
async def test_each_reconnect_offsets_timestamps_by_all_audio_before_it(
    fake_soniox: FakeSoniox, reconnects: int
) -> None:
    """Connection k's times start at 0; the session must add what ALL earlier connections
    finalised, not only the last one's, or words after a second outage land too early."""
    fake_soniox.set_script([WORDS])
    for index in range(reconnects):
        fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=2500, session_index=index)
    pcm = make_pcm(bursts(16))
    source = NumpySource(pcm, pace_s=0.01, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, backoff=(0.05,))
        await session.start()
        await until(lambda: len(rec.replaced) == reconnects, what=f"{reconnects} reconnects", timeout=30)
        await until(
            lambda: fake_soniox.realtime_sessions[-1].audio_bytes + rec.replaced[-1] * BYTES_PER_MS >= len(pcm),
            what="all audio on the last connection",
            timeout=30,
        )
        await session.stop()

    offsets = rec.replaced
    assert len(offsets) == reconnects and offsets == sorted(offsets) and offsets[0] > 0
    # Each offset adds the previous connection's finalised audio to the offset it ran at.
    previous = 0
    for offset in offsets:
        ran_at_previous = [ev for _, off, ev, _ in rec.responses if off == previous]
        assert ran_at_previous and offset == previous + ran_at_previous[-1].final_audio_proc_ms
        previous = offset
    # Every connection after the first got the audio from its offset on (sent again if needed).
    for index, offset in enumerate(offsets, start=1):
        snap = fake_soniox.wait_for_session(index)
        assert snap.audio[:16000] == pcm[offset * BYTES_PER_MS : offset * BYTES_PER_MS + 16000]
    # Words: every burst once, at its place on the session timeline.
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(16)
    assert rec.errors == []
    assert_clean_end(rec, source, session)


async def test_stop_while_reconnecting_still_delivers_the_last_words(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=3000)
    pcm = make_pcm(bursts(6))
    source = NumpySource(pcm, pace_s=0.002, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, backoff=(0.3,))
        await session.start()
        await until(lambda: session.state is LiveState.RECONNECTING, what="reconnecting")
        await until(lambda: len(source.produced) == len(pcm), what="all audio captured")
        assert session.state is LiveState.RECONNECTING  # the user presses Stop during the outage
        await session.stop()

    assert rec.state_names == ["connecting", "running", "reconnecting", "finishing", "finished"]
    second = fake_soniox.wait_for_session(1)
    assert second.finished and second.audio == pcm[rec.replaced[0] * BYTES_PER_MS :]
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(6)
    assert_clean_end(rec, source, session)


async def test_container_audio_resumes_from_the_current_position(fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=1000)
    data = bytes(range(1, 256)) * 500  # opaque "compressed" audio; the emulator counts 16 kB/s as speech
    source = NumpySource(data, pace_s=0.005, hold=True, fmt=AUTO)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, backoff=(0.05,))
        await session.start()
        await until(lambda: len(rec.replaced) == 1, what="reconnect")
        await until(lambda: len(source.produced) == len(data), what="all audio read")
        await session.stop()

    first, second = fake_soniox.wait_for_session(0), fake_soniox.wait_for_session(1)
    assert first.config is not None and first.config["audio_format"] == "auto"
    assert first.audio == data[: len(first.audio)]
    # No replay: the new connection continues where the old one's sending stopped.
    assert second.audio == data[len(data) - len(second.audio) :]
    assert len(first.audio) + len(second.audio) <= len(data)
    assert rec.stats[-1].replayed_bytes == 0
    old = [ev for _, off, ev, _ in rec.responses if off == 0]
    assert rec.replaced == [old[-1].total_audio_proc_ms]
    assert rec.state_names[-1] == "finished"
    assert_clean_end(rec, source, session)


@pytest.mark.parametrize(
    ("setup", "error_type", "title", "message"),
    [
        ("wrong-key", "unauthenticated", "API key not accepted", "Soniox did not accept the API key."),
        ("balance", "organization_balance_exhausted", "Out of credit", "Your Soniox organization has no balance left."),
        ("429", "limit_exceeded", "Limit reached", "Your organization has exceeded max number of concurrent requests."),
    ],
)
async def test_client_errors_end_the_session_without_reconnecting(
    fake_soniox: FakeSoniox, setup: str, error_type: str, title: str, message: str
) -> None:
    key = "wrong-key" if setup == "wrong-key" else "test-key"
    if setup == "balance":
        fake_soniox.set_balance_exhausted()
    if setup == "429":
        fake_soniox.inject_realtime(error_code=429, after_audio_ms=500)
    source = NumpySource(make_pcm(bursts(6)), pace_s=0.005, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox, key) as client:
        session = session_for(client, source, rec, backoff=(0.01,))
        await session.start()
        await session.wait_closed()

    assert rec.state_names[-1] == "error"
    assert rec.reconnecting == [] and rec.replaced == []
    assert [(e.error_type, e.title, e.message) for e in rec.errors] == [(error_type, title, message)]
    assert rec.states[-1][1] == message
    assert len(fake_soniox.realtime_sessions) == 1
    assert_clean_end(rec, source, session)


async def test_reconnecting_gives_up_after_max_reconnects(fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(error_code=503, after_audio_ms=300, times=3)
    source = NumpySource(make_pcm(bursts(6)), pace_s=0.005, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, backoff=(0.01, 0.02), max_reconnects=2)
        await session.start()
        await session.wait_closed()
    assert [(a, d) for a, d, _ in rec.reconnecting] == [(1, 0.01), (2, 0.02)]
    assert rec.state_names == ["connecting", "running", "reconnecting", "running", "reconnecting", "running", "error"]
    assert rec.state_names[-1] == "error"
    assert rec.errors[-1].error_type == "service_unavailable"
    assert len(fake_soniox.realtime_sessions) == 3
    assert_clean_end(rec, source, session)


async def test_source_failure_finishes_gracefully_and_reports_it(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS])
    pcm = make_pcm(bursts(8))
    source = NumpySource(pcm, pace_s=0.005, fail_after_ms=2500)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec)
        await session.start()
        await session.wait_closed()

    snap = fake_soniox.wait_for_session(0)
    assert snap.finished and [c.type for c in snap.controls] == ["finish"]
    assert snap.audio == pcm[: 2500 * BYTES_PER_MS]
    assert rec.state_names == ["connecting", "running", "finishing", "error"]
    assert [e.message for e in rec.errors] == ["The microphone was disconnected."]
    assert rec.responses[-1][2].finished  # the words said before the failure all arrived final
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(4)
    assert_clean_end(rec, source, session)


async def test_stop_gives_up_when_the_service_never_confirms(fake_soniox: FakeSoniox) -> None:
    fake_soniox.inject_realtime(response_delay_s=1.5)  # longer than the stop timeout below
    source = NumpySource(make_pcm(bursts(2)), pace_s=0.005, hold=True)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        session = session_for(client, source, rec, stop_timeout_s=0.2)
        await session.start()
        await until(lambda: fake_soniox.realtime_sessions[0].audio_bytes > 0, what="audio")
        await session.stop()
    assert rec.state_names == ["connecting", "running", "finishing", "error"]
    assert rec.errors[-1].error_type == "finish_timeout"
    assert_clean_end(rec, source, session)


async def test_first_connection_failure_is_reported_at_once() -> None:
    emu = FakeSoniox(api_keys={"test-key"}).start()
    url = emu.websocket_url
    emu.stop()  # nothing listens on that port any more
    client = AsyncSonioxClient(api_key="test-key", api_base_url="http://127.0.0.1:9/v1", websocket_base_url=url)
    source = NumpySource(make_pcm(bursts(2)), pace_s=0.005, hold=True)
    rec = Recorder()
    try:
        session = session_for(client, source, rec)
        await session.start()
        await session.wait_closed()
    finally:
        await client.aclose()
    assert rec.state_names == ["connecting", "error"]
    assert rec.errors[0].title == "Could not reach Soniox"
    assert rec.reconnecting == []
    assert_clean_end(rec, source, session)


async def test_stop_before_start_and_double_stop_are_harmless(fake_soniox: FakeSoniox) -> None:
    source = NumpySource(make_pcm(bursts(1)), pace_s=0.001)
    rec = Recorder()
    async with sdk_client(fake_soniox) as client:
        idle = session_for(client, NumpySource(b""), Recorder())
        await idle.stop()
        assert idle.state is LiveState.FINISHED
        session = session_for(client, source, rec)
        await session.start()
        await asyncio.gather(session.stop(), session.stop())
        session.cancel()  # after the end: no effect
    assert rec.state_names[-1] == "finished"
    assert rec.after_terminal == []
