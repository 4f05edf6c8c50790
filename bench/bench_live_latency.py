"""Latency from a realtime response arriving on the socket to the listener (and to a TranscriptView).

A live session runs against the emulator (``tests/fake_soniox``) with PCM played ten times faster
than real time, so a few hundred responses arrive in a few seconds. "Arrival" is when the WebSocket
library parses the frame off the socket (``data_received`` → its message queue), timestamped by
wrapping that queue; the k-th arrival is paired with the k-th ``on_tokens`` call (the session
passes every response on, in order). Two runs:

* plain asyncio: arrival → ``on_tokens`` (SDK parsing + the session's bookkeeping);
* qasync (the app's loop), with a :class:`TranscriptView`: arrival → ``on_tokens``, → words in the
  view's document (the live controller applied it and the view drew its delta), → painted (a forced viewport repaint).

Run: ``python -m bench.bench_live_latency`` (offscreen Qt; needs the dev dependencies).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from soniox import AsyncSonioxClient
from soniox.realtime.async_stt import AsyncRealtimeSTTSession
from soniox.types import RealtimeEvent, Token
from websockets.frames import Opcode

from desktop.core.live import LiveOptions, LiveSession, NullListener, build_realtime_config
from tests.core.live.test_live_session_support import NumpySource, bursts, make_pcm
from tests.fake_soniox import FakeSoniox

AUDIO_BURSTS = 60  # 60 x 600 ms of audio: ~300 responses at the emulator's 120 ms cadence
PACE_S = 0.01  # 100 ms chunks every 10 ms: ten times real time

arrivals: list[float] = []
_original_enter = AsyncRealtimeSTTSession.__aenter__


async def _instrumented_enter(self: AsyncRealtimeSTTSession) -> AsyncRealtimeSTTSession:
    """Enter as the SDK does, then timestamp every complete data frame the socket delivers."""
    result = await _original_enter(self)
    assembler = self._ws.recv_messages  # type: ignore[union-attr]
    put = assembler.put

    def timed_put(frame: Any) -> None:
        if frame.fin and frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            arrivals.append(time.perf_counter())
        put(frame)

    assembler.put = timed_put  # type: ignore[method-assign]
    return result


AsyncRealtimeSTTSession.__aenter__ = _instrumented_enter  # type: ignore[method-assign]


class TimingListener(NullListener):
    """Records when each response reached the listener, and optionally hands it to a view."""

    def __init__(self, view: Any = None) -> None:
        self.view = view
        # The app's own path: the live controller applies the response to its transcript and
        # emits the delta, which the view draws (a direct, synchronous connection, as in the panel).
        self.controller: Any = None
        if view is not None:
            from desktop.core.live.run import LiveRun, SourceKind, SourceOrigin
            from desktop.ui.live.controller import LiveController

            self.controller = LiveController()
            # The run the panel would start, fed the responses this session receives.
            self.run = LiveRun(
                lambda: None,  # type: ignore[arg-type,return-value]  # never connects
                LiveOptions(model="stt-rt-v4", enable_speaker_diarization=True),
                None,
                NumpySource(make_pcm(bursts(1))),
                SourceOrigin(SourceKind.MICROPHONE),
                self.controller,
                transcript=self.controller.transcript,
            )
            view.set_transcript(self.controller.transcript)
            self.controller.delta_ready.connect(view.apply_delta)
        self.at_callback: list[float] = []
        self.in_view: list[float] = []
        self.painted: list[float] = []
        self.final = ""

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        self.at_callback.append(time.perf_counter())
        if self.view is not None:
            self.run.events.on_tokens(tokens, offset_ms, event)
            self.in_view.append(time.perf_counter())
            self.view.editor.viewport().repaint()
            self.painted.append(time.perf_counter())


async def run_session(emu: FakeSoniox, listener: TimingListener) -> None:
    arrivals.clear()
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url, websocket_base_url=emu.websocket_url)
    source = NumpySource(make_pcm(bursts(AUDIO_BURSTS, gap_ms=300)), pace_s=PACE_S)
    config = build_realtime_config(LiveOptions(model="stt-rt-v4", enable_speaker_diarization=True), None, source.format)
    session = LiveSession(lambda: client, config, source, listener)
    try:
        await session.start()
        await session.wait_closed()
    finally:
        await client.aclose()
    if session.state.value != "finished":
        raise SystemExit(f"session ended in state {session.state.value}")


def summary(label: str, ends: list[float]) -> str:
    if len(ends) != len(arrivals):
        raise SystemExit(f"{label}: {len(arrivals)} frames arrived but {len(ends)} callbacks were made")
    ms = sorted((e - a) * 1000 for a, e in zip(arrivals, ends, strict=True))
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"{label:<34} {len(ms):>5} {statistics.median(ms):>10.3f} {p99:>10.3f} {ms[-1]:>10.3f}"


def header() -> str:
    return f"{'':<34} {'n':>5} {'median ms':>10} {'p99 ms':>10} {'max ms':>10}"


def plain_asyncio(emu: FakeSoniox) -> list[str]:
    listener = TimingListener()
    asyncio.run(run_session(emu, listener))
    return [summary("asyncio: socket -> on_tokens", listener.at_callback)]


def with_qt(emu: FakeSoniox) -> list[str]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.ui.transcript.view import TranscriptView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = TranscriptView()
    view.resize(900, 600)
    view.show()
    listener = TimingListener(view)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_session(emu, listener))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    words = len(view.editor.toPlainText().split())
    view.close()
    return [
        summary("qasync: socket -> on_tokens", listener.at_callback),
        summary("qasync: socket -> words in view", listener.in_view),
        summary("qasync: socket -> view repainted", listener.painted),
        f"(view holds {words} words at the end)",
    ]


def main() -> int:
    steps: list[Callable[[FakeSoniox], list[str]]] = [plain_asyncio, with_qt]
    print(f"Live session response latency, {AUDIO_BURSTS * 0.6:.0f} s of audio at 10x real time via the emulator")
    print(header())
    with FakeSoniox(api_keys={"test-key"}) as emu:
        for step in steps:
            for line in step(emu):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
