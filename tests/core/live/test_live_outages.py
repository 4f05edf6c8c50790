"""Live sessions through networks that fail the way real ones do: long blackouts and silent stalls.

A :class:`~tests.net_relay.TcpRelay` sits between the SDK and the emulator. Audio plays faster than
real time, so "a 240 s blackout" is 240 s of *audio* captured while the port is closed and every
socket reset (a few seconds of wall time); the backoff is scaled down to match. What is checked is
what a user would check afterwards: every spoken burst is covered by exactly one final word at its
place on the timeline, and whatever could not be kept is reported as a lost span.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
import soundfile
from soniox import AsyncSonioxClient

from desktop.audio.decoded_file import DecodingFileSource
from desktop.audio.stream_resume import FrameResume
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
from tests.net_relay import TcpRelay

pytestmark = pytest.mark.asyncio

WORDS = "one two three four five six seven eight nine ten eleven twelve"
BURST_MS = 600  # bursts(): 300 ms of speech, 300 ms of silence


@asynccontextmanager
async def relayed_client(emu: FakeSoniox) -> AsyncIterator[tuple[AsyncSonioxClient, TcpRelay]]:
    relay = TcpRelay("127.0.0.1", emu.port)
    await relay.start()
    client = AsyncSonioxClient(
        api_key="test-key",
        api_base_url=emu.api_base_url,
        websocket_base_url=relay.url("ws", "/transcribe-websocket"),
    )
    try:
        yield client, relay
    finally:
        await client.aclose()
        await relay.close()


def make_session(client: AsyncSonioxClient, source: NumpySource, rec: Recorder, **kwargs: object) -> LiveSession:
    options = LiveOptions(model="stt-rt-v4", language_hints=["en"])
    config = build_realtime_config(options, None, source.format)
    # Scaled down from 0.5→8 s like the audio is sped up; still gives up after 8 *answered* failures.
    backoff = Backoff(initial=0.01, factor=2.0, cap=0.05, jitter=0, max_attempts=8)
    return LiveSession(lambda: client, config, source, rec, backoff=backoff, **kwargs)  # type: ignore[arg-type]


async def all_audio_on_the_last_connection(emu: FakeSoniox, rec: Recorder, pcm: bytes, *, timeout: float) -> None:
    """Wait until the newest connection has had everything after its offset (replay included)."""

    def done() -> bool:
        return emu.realtime_sessions[-1].audio_bytes + rec.replaced[-1] * BYTES_PER_MS >= len(pcm)

    await until(done, what="all audio on the last connection", timeout=timeout)


def produced_ms(source: NumpySource) -> int:
    return len(source.produced) // BYTES_PER_MS


@pytest.mark.parametrize("blackout_s", [60, 240])
async def test_a_long_blackout_loses_no_word(fake_soniox: FakeSoniox, blackout_s: int) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    before_s = after_s = 15
    count = (before_s + blackout_s + after_s) * 1000 // BURST_MS
    pcm = make_pcm(bursts(count))
    source = NumpySource(pcm, pace_s=0.002, hold=True)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, relay):
        session = make_session(client, source, rec)
        await session.start()
        await until(lambda: produced_ms(source) >= before_s * 1000, what="audio before the blackout")
        await relay.black_out()
        await until(lambda: produced_ms(source) >= (before_s + blackout_s) * 1000, what="blackout audio", timeout=60)
        assert session.state is LiveState.RECONNECTING
        held = session.stats
        assert held.backlog_s >= blackout_s - 5 and held.backlog_capacity_s == 300
        await relay.restore()
        await until(lambda: session.state is LiveState.RUNNING, what="reconnected", timeout=20)
        await until(lambda: len(source.produced) == len(pcm), what="all audio captured", timeout=60)
        await all_audio_on_the_last_connection(fake_soniox, rec, pcm, timeout=60)
        await session.stop()

    # Many more refused attempts than the 8 the session allows Soniox itself: none was counted.
    assert len(rec.reconnecting) > 8
    assert rec.errors == []
    assert rec.state_names[-1] == "finished"
    assert rec.stats[-1].lost_spans_ms == () and rec.stats[-1].dropped_bytes == 0
    # Every burst said, before, during and after the blackout, is one final word at its place.
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(count)


async def test_an_outage_longer_than_the_buffer_reports_exactly_what_was_lost(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    capacity_s, blackout_s = 10, 25
    count = (5 + blackout_s + 5) * 1000 // BURST_MS
    pcm = make_pcm(bursts(count))
    source = NumpySource(pcm, pace_s=0.002, hold=True)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, relay):
        session = make_session(client, source, rec, max_gap_s=capacity_s)
        await session.start()
        await until(lambda: produced_ms(source) >= 5000, what="audio before the blackout")
        await relay.black_out()
        await until(lambda: produced_ms(source) >= (5 + blackout_s) * 1000, what="blackout audio", timeout=30)
        assert session.stats.lost_spans_ms, "the overflow is known while it happens"
        await relay.restore()
        await until(lambda: len(source.produced) == len(pcm), what="all audio captured", timeout=30)
        await all_audio_on_the_last_connection(fake_soniox, rec, pcm, timeout=30)
        await session.stop()

    assert rec.errors == [] and rec.state_names[-1] == "finished"
    spans = rec.stats[-1].lost_spans_ms
    assert len(spans) == 1
    # From the old connection's last finalised millisecond to where the new connection's audio began.
    old_final = [ev.final_audio_proc_ms for _, off, ev, _ in rec.responses if off == 0][-1]
    assert spans[0] == (old_final, rec.replaced[0])
    # At least the blackout minus what the buffer holds (the outage lasted until the reconnect).
    assert spans[0][1] - spans[0][0] >= (blackout_s - capacity_s) * 1000 - 1000
    assert rec.stats[-1].dropped_bytes > 0
    words = rec.final_words()
    # Outside the lost span every burst is covered by a final word, and no word is said twice
    # (the emulator may split the one burst the buffer kept only part of into two words).
    for burst in burst_starts_ms(count):
        if all(burst + 300 <= a or burst >= b for a, b in spans):
            assert any(s < burst + 300 and e > burst for _, s, e in words), f"burst at {burst} ms not covered"
    ordered = sorted((s, e) for _, s, e in words)
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(ordered)), "overlapping words: one said twice"
    # Nothing is invented for the span that was never sent.
    assert all(e <= a or s >= b for _, s, e in words for a, b in spans)


async def test_a_silent_stall_is_noticed_while_it_lasts_and_loses_nothing(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    count = 40
    pcm = make_pcm(bursts(count))
    source = NumpySource(pcm, pace_s=0.01, hold=True)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, relay):
        session = make_session(client, source, rec, response_timeout_s=0.5, connect_timeout_s=0.5)
        await session.start()
        await until(lambda: produced_ms(source) >= 4000, what="audio before the stall")
        relay.stall()
        # websockets' pings would take ~40 s; the session must notice while the stall lasts.
        await until(lambda: session.state is LiveState.RECONNECTING, what="stall noticed", timeout=5)
        assert rec.reconnecting[0][2].error_type == "connection_stalled"
        assert session.state is LiveState.RECONNECTING
        relay.resume()
        await until(lambda: len(source.produced) == len(pcm), what="all audio captured", timeout=30)
        await until(lambda: session.state is LiveState.RUNNING, what="reconnected", timeout=20)
        await all_audio_on_the_last_connection(fake_soniox, rec, pcm, timeout=30)
        await session.stop()

    assert rec.errors == [] and rec.state_names[-1] == "finished"
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(count)


async def test_stop_during_an_endless_outage_reports_the_unsent_audio_as_lost(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    pcm = make_pcm(bursts(20))
    source = NumpySource(pcm, pace_s=0.002, hold=True)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, relay):
        session = make_session(client, source, rec, stop_timeout_s=0.5)
        await session.start()
        await until(lambda: produced_ms(source) >= 4000, what="audio before the blackout")
        await relay.black_out()
        await until(lambda: len(source.produced) == len(pcm), what="all audio captured")
        await session.stop()

    assert rec.state_names[-1] == "error"
    spans = rec.stats[-1].lost_spans_ms
    assert len(spans) == 1
    start, end = spans[0]
    final_end = max(e for _, _, e in rec.final_words())
    assert final_end <= start + 300 and end == len(pcm) // BYTES_PER_MS


async def test_a_local_file_resumes_from_the_last_final_word_after_a_reconnect(
    fake_soniox: FakeSoniox, tmp_path: Path
) -> None:
    """A file libsndfile decodes goes out as PCM, so a reconnect replays its unfinalised tail."""
    fake_soniox.set_script([WORDS], loop=True)
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=3000)
    count = 12
    pcm = make_pcm(bursts(count))
    path = tmp_path / "interview.flac"
    soundfile.write(str(path), np.frombuffer(pcm, "<i2"), 16000, format="FLAC")
    source = DecodingFileSource(path, speed=25.0)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, _relay):
        session = make_session(client, source, rec)  # type: ignore[arg-type]
        await session.start()
        await session.wait_closed()

    assert rec.state_names[-1] == "finished" and rec.errors == []
    first, second = fake_soniox.wait_for_session(0), fake_soniox.wait_for_session(1)
    assert first.config is not None and first.config["audio_format"] == "pcm_s16le"
    # The new connection heard everything from the old one's last finalised millisecond on.
    assert second.audio == pcm[rec.replaced[0] * BYTES_PER_MS :]
    assert rec.stats[-1].replayed_bytes > 0
    assert [s for _, s, _ in rec.final_words()] == burst_starts_ms(count)


class ResumableStream(NumpySource):
    """A compressed (``auto``) stream of CBR MP3 frames, resumable at frame boundaries."""

    def __init__(self, data: bytes, **kwargs: object) -> None:
        super().__init__(data, fmt=AUTO, **kwargs)  # type: ignore[arg-type]
        self.resume = FrameResume(16000)  # 128 kbit/s; the emulator hears 16 kB/s of speech too


async def test_a_compressed_stream_restarts_at_a_frame_before_the_last_final_word(fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_script([WORDS], loop=True)
    fake_soniox.inject_realtime(abrupt_close=True, after_audio_ms=3000)
    stream = mp3_stream(16000 * 8 // 417)  # ~8 s
    source = ResumableStream(stream, pace_s=0.01, hold=True)
    rec = Recorder()
    async with relayed_client(fake_soniox) as (client, _relay):
        session = make_session(client, source, rec)  # type: ignore[arg-type]
        await session.start()
        await until(lambda: len(rec.replaced) == 1, what="reconnect")
        await until(lambda: len(source.produced) == len(stream), what="all audio read")
        await until(
            lambda: fake_soniox.realtime_sessions[-1].audio_bytes >= len(stream) - rec.replaced[0] * 16,
            what="the rest on the new connection",
        )
        await session.stop()

    assert rec.state_names[-1] == "finished" and rec.errors == []
    first, second = fake_soniox.wait_for_session(0), fake_soniox.wait_for_session(1)
    old_final = [ev.final_audio_proc_ms for _, off, ev, _ in rec.responses if off == 0][-1]
    # The new connection starts at a frame boundary at or before the old connection's last final word…
    restart = len(stream) - len(second.audio)
    assert second.audio[:2] == b"\xff\xfb" and restart % 417 == 0 and second.audio == stream[restart:]
    assert restart * 1000 / 16000 <= old_final and restart < len(first.audio)
    assert rec.replaced == [round(restart * 1000 / 16000)]
    # …so the words continue without a hole, and none is said twice.
    words = sorted((s, e) for _, s, e in rec.final_words())
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(words)]
    assert max(gaps) < 300, f"audio not covered by words: {max(gaps)} ms"
    assert min(gaps) > -150, "a word repeated after the restart"
    assert words[-1][1] >= len(stream) * 1000 // 16000 - 300


def mp3_stream(frames: int) -> bytes:
    header = bytes([0xFF, 0xFB, 0x90, 0x00])  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames
    rng = np.random.default_rng(3)
    return b"".join(header + bytes(rng.integers(0, 0xFF, 413, dtype=np.uint8)) for _ in range(frames))
