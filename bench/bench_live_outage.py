"""Network outages during a live session: how much voiced audio ends up without a final word.

A live session runs against the emulator behind a TCP relay (``tests/net_relay.py``). After some
speech the relay blacks out (port closed, every socket reset), then comes back on the same port.
Speech is a 300 ms burst every 600 ms, which the emulator hears as one word each. Afterwards every
burst is checked: covered by a final word on the session timeline or not, and any word said twice.

By default the audio plays 50× faster than real time with the reconnect backoff scaled down to
match, so a 240 s outage takes seconds; ``--realtime`` plays at real pace with the app's own
backoff (0.5 → 8 s) for the stated outages (takes as long as they do).

Run: ``python -m bench.bench_live_outage [--realtime] [seconds ...]`` (default: 60 240).
"""

from __future__ import annotations

import asyncio
import sys
import time

from soniox import AsyncSonioxClient

from desktop.core.backoff import Backoff
from desktop.core.live import LiveOptions, LiveSession, LiveState, build_realtime_config
from desktop.core.live.reconnect import default_reconnect_backoff
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

LEAD_S = TAIL_S = 15
WORDS = "one two three four five six seven eight nine ten eleven twelve"


async def one_outage(outage_s: int, *, realtime: bool) -> dict[str, float]:
    emu = FakeSoniox(api_keys={"test-key"}).start()
    emu.set_script([WORDS], loop=True)
    relay = TcpRelay("127.0.0.1", emu.port)
    await relay.start()
    client = AsyncSonioxClient(
        api_key="test-key", api_base_url=emu.api_base_url, websocket_base_url=relay.url("ws", "/transcribe-websocket")
    )
    count = (LEAD_S + outage_s + TAIL_S) * 1000 // 600
    pcm = make_pcm(bursts(count))
    source = NumpySource(pcm, pace_s=0.1 if realtime else 0.002, hold=True)
    backoff = default_reconnect_backoff() if realtime else Backoff(initial=0.01, cap=0.16, jitter=0, max_attempts=8)
    rec = Recorder()
    options = LiveOptions(model="stt-rt-v4", language_hints=["en"])
    session = LiveSession(
        lambda: client, build_realtime_config(options, None, source.format), source, rec, backoff=backoff
    )
    produced = lambda: len(source.produced) // BYTES_PER_MS  # noqa: E731
    started = time.perf_counter()
    try:
        await session.start()
        await until(lambda: produced() >= LEAD_S * 1000, timeout=LEAD_S * 3 + 10)
        await relay.black_out()
        down_at = time.perf_counter()
        await until(lambda: produced() >= (LEAD_S + outage_s) * 1000, timeout=outage_s * 3 + 30)
        down_s = time.perf_counter() - down_at
        await relay.restore()
        back_at = time.perf_counter()
        await until(lambda: session.state is LiveState.RUNNING, timeout=60)
        reconnect_s = time.perf_counter() - back_at
        await until(lambda: len(source.produced) == len(pcm), timeout=TAIL_S * 3 + 30)
        await until(
            lambda: emu.realtime_sessions[-1].audio_bytes + rec.replaced[-1] * BYTES_PER_MS >= len(pcm), timeout=60
        )
        await session.stop()
    finally:
        await client.aclose()
        await relay.close()
        emu.stop()
    words = rec.final_words()
    starts = [s for _, s, _ in words]
    expected = burst_starts_ms(count)
    uncovered = [b for b in expected if not any(s < b + 300 and e > b for _, s, e in words)]
    return {
        "outage_s": outage_s,
        "wall_outage_s": down_s,
        "attempts": len(rec.reconnecting),
        "reconnect_after_restore_s": reconnect_s,
        "voiced_s": len(expected) * 0.3,
        "uncovered_voiced_s": len(uncovered) * 0.3,
        "duplicated_words": len(starts) - len(set(starts)) + max(0, len(starts) - len(expected)),
        "lost_spans": len(rec.stats[-1].lost_spans_ms),
        "wall_s": time.perf_counter() - started,
    }


def main(argv: list[str]) -> None:
    realtime = "--realtime" in argv
    outages = [int(a) for a in argv if a.isdigit()] or [60, 240]
    print(f"Outage bench ({'real time, app backoff' if realtime else '50x real time, scaled backoff'})")
    header = "outage  attempts  back-after  voiced  uncovered  duplicated  lost-spans  wall"
    print(header)
    for outage in outages:
        r = asyncio.run(one_outage(outage, realtime=realtime))
        print(
            f"{r['outage_s']:>5.0f}s  {r['attempts']:>8.0f}  {r['reconnect_after_restore_s']:>9.2f}s"
            f"  {r['voiced_s']:>5.0f}s  {r['uncovered_voiced_s']:>8.1f}s  {r['duplicated_words']:>10.0f}"
            f"  {r['lost_spans']:>10.0f}  {r['wall_s']:>5.1f}s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
