"""Dictation speed: from key release to the text inserted, against the emulator.

The release-to-text time has three parts: the app sending the finalize (release → the SDK's
``finalize()`` has written it), the service answering it (→ the frame with ``<fin>`` arrives on
the socket), and the app turning that into inserted text (arrival → SDK parsing → session →
transcript → formatting → the inserter returned → the library row written). The first and last
are the app's own share (goal: p95 ≤ 50 ms); the middle one is the service's and is reported
apart, as is the whole.

Also measured: how long ``begin()`` takes to be listening, on a cold start (microphone + WebSocket
handshake) and on the kept-open session (the reason it is kept open between dictations).

Runs ``DICTATIONS`` dictations on one kept-open session, as the app does, with an inserter that
records the text (and, when ``DISPLAY`` is set, a second run typing it through XTest).

Run: ``python -m bench.bench_dictation``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from soniox import AsyncSonioxClient
from soniox.realtime.async_stt import AsyncRealtimeSTTSession
from websockets.frames import Opcode

from desktop.core.dictation.service import Dictation, DictationListener, DictationService
from desktop.core.dictation.types import FocusedApp, InsertMethod, InsertResult, TextInserter
from desktop.core.library.store import Library
from desktop.core.live import LiveOptions
from tests.core.live.test_live_session_support import NumpySource, make_pcm
from tests.fake_soniox import FakeSoniox

DICTATIONS = 60
COLD_STARTS = 8
SPEECH_MS = 1500  # audio sent per dictation before the key is released
PACE_S = 0.02  # 100 ms chunks every 20 ms: five times real time

arrivals: list[float] = []
finalize_sent: list[float] = []
_enter = AsyncRealtimeSTTSession.__aenter__
_finalize = AsyncRealtimeSTTSession.finalize


async def _timed_enter(self: AsyncRealtimeSTTSession) -> AsyncRealtimeSTTSession:
    """Timestamp every complete frame as the socket delivers it (before any parsing)."""
    result = await _enter(self)
    assembler = self._ws.recv_messages  # type: ignore[union-attr]
    put = assembler.put

    def timed_put(frame: Any) -> None:
        if frame.fin and frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            arrivals.append(time.perf_counter())
        put(frame)

    assembler.put = timed_put  # type: ignore[method-assign]
    return result


async def _timed_finalize(self: AsyncRealtimeSTTSession, *args: Any, **kwargs: Any) -> Any:
    result = await _finalize(self, *args, **kwargs)
    finalize_sent.append(time.perf_counter())  # written to the socket
    return result


AsyncRealtimeSTTSession.__aenter__ = _timed_enter  # type: ignore[method-assign]
AsyncRealtimeSTTSession.finalize = _timed_finalize  # type: ignore[method-assign]


class Recorder:
    def __init__(self) -> None:
        self.text: list[str] = []

    def text_before_cursor(self) -> str | None:
        return None

    def insert(self, text: str) -> InsertResult:
        self.text.append(text)
        return InsertResult(True, InsertMethod.TYPE)


class Done(DictationListener):
    def __init__(self) -> None:
        self.done: list[Dictation] = []

    def on_done(self, dictation: Dictation) -> None:
        self.done.append(dictation)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, values: list[float]) -> str:
    return (
        f"{name:<44} n={len(values):>3}  p50 {statistics.median(values):7.1f} ms  "
        f"p95 {pct(values, 0.95):7.1f} ms  max {max(values):7.1f} ms"
    )


def source() -> NumpySource:
    plan = [("silence", 100)] + [("speech", 300), ("silence", 100)] * 10
    return NumpySource(make_pcm(plan), pace_s=PACE_S, repeat=True)


async def run(emu: FakeSoniox, inserter: TextInserter, library: Library, label: str) -> list[str]:
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url, websocket_base_url=emu.websocket_url)
    done = Done()
    service = DictationService(
        lambda: client,
        source,
        lambda: inserter,
        lambda: FocusedApp("Bench", "bench"),
        options=lambda: (LiveOptions(model="stt-rt-v4", language_hints=["en"]), None),
        library=lambda: library,
        listener=done,
        keep_open_s=60,
    )
    lines = []
    begin_warm: list[float] = []
    send_ms: list[float] = []
    answer_ms: list[float] = []
    own_after_ms: list[float] = []
    own_ms: list[float] = []
    total_ms: list[float] = []
    try:
        for i in range(DICTATIONS):
            started = time.perf_counter()
            await service.begin()
            if i:
                begin_warm.append((time.perf_counter() - started) * 1000)
            # Read after begin(): the first dictation of a run is on a new session (comparing with
            # the previous run's session made its utterance a minute long).
            before = 0.0 if i == 0 else emu.realtime_sessions[-1].audio_ms
            while (emu.realtime_sessions[-1].audio_ms - before) < SPEECH_MS:
                await asyncio.sleep(0.01)
            count = len(done.done)
            await service.end()
            if len(done.done) == count:
                continue  # nothing final to insert (should not happen with speech)
            t = done.done[-1].timings
            sent = next(s for s in reversed(finalize_sent) if s >= t.released)
            fin_arrival = max(a for a in arrivals if a <= t.fin)
            send_ms.append((sent - t.released) * 1000)
            answer_ms.append((fin_arrival - sent) * 1000)
            own_after_ms.append((t.inserted - fin_arrival) * 1000)
            own_ms.append(send_ms[-1] + own_after_ms[-1])
            total_ms.append(t.total_ms)
    finally:
        await service.close()
        await client.aclose()
    lines.append(f"-- {label}: {len(total_ms)} dictations on {service.sessions_opened} session(s)")
    lines.append(row("release → finalize sent (app)", send_ms))
    lines.append(row("finalize sent → <fin> arrived (service)", answer_ms))
    lines.append(row("<fin> arrived → text inserted (app)", own_after_ms))
    lines.append(row("app's share (sum of the two)", own_ms))
    lines.append(row("release → text inserted (all)", total_ms))
    lines.append(row("begin() → listening, kept-open session", begin_warm))
    slowest = max(range(len(own_after_ms)), key=own_after_ms.__getitem__)
    chars = len(done.done[slowest].inserted)
    lines.append(f"slowest insertion: dictation #{slowest + 1} ({own_after_ms[slowest]:.1f} ms, {chars} characters)")
    lines.append(f"characters per dictation: median {statistics.median(len(d.inserted) for d in done.done):.0f}")
    goal = pct(own_ms, 0.95)
    lines.append(f"app's share p95 {goal:.1f} ms: {'within' if goal <= 50 else 'OVER'} the 50 ms goal")
    return lines


async def cold_starts(emu: FakeSoniox) -> list[str]:
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url, websocket_base_url=emu.websocket_url)
    times: list[float] = []
    try:
        for _ in range(COLD_STARTS):
            service = DictationService(
                lambda: client,
                source,
                Recorder,
                lambda: None,
                options=lambda: (LiveOptions(model="stt-rt-v4"), None),
                keep_open_s=0,
            )
            started = time.perf_counter()
            await service.begin()
            times.append((time.perf_counter() - started) * 1000)
            service.cancel()
            await service.close()
    finally:
        await client.aclose()
    return [row("begin() → listening, cold (new session)", times) + "  (loopback emulator: no network RTT)"]


def xtest_inserter() -> TextInserter | None:
    if not os.environ.get("DISPLAY"):
        return None
    from desktop.platform.insert.x11 import XTestTyper

    typer = XTestTyper()
    typer.prepare()  # as the host does while the first dictation is spoken
    return typer


async def main() -> int:
    emu = FakeSoniox(api_keys={"test-key"}).start()
    emu.set_script(["the quick brown fox jumps over the lazy dog"], loop=True)
    home = Path(tempfile.mkdtemp(prefix="bench-dictation-"))
    library = Library(home / "library.sqlite3")
    try:
        out = await run(emu, Recorder(), library, "recording inserter (the app's own work)")
        typer = xtest_inserter()
        if typer is not None:
            out += await run(emu, typer, library, f"XTest typing on {os.environ['DISPLAY']}")
        else:
            out.append("-- XTest typing: skipped (no DISPLAY)")
        out += await cold_starts(emu)
    finally:
        library.close()
        emu.stop()
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
