"""Test doubles for live-session tests and the latency bench: a numpy PCM source and a recording listener.

The source plays a plan of noise bursts ("speech" to the emulator) and zeros (silence) faster than
real time, and remembers every chunk it yielded, so a test can compare what reached the emulator
byte for byte with what was captured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from soniox.types import RealtimeEvent, Token

from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat, AudioSourceError, SourceStats
from desktop.core.errors import UserError
from desktop.core.live.state import LiveState, LiveStats, NullListener

RATE = 16000
BYTES_PER_MS = RATE * 2 // 1000


def make_pcm(plan: Sequence[tuple[str, int]], seed: int = 0) -> bytes:
    """PCM16 mono 16 kHz: ``("speech", ms)`` is loud noise, ``("silence", ms)`` is zeros."""
    rng = np.random.default_rng(seed)
    parts = []
    for kind, ms in plan:
        n = RATE * ms // 1000
        if kind == "speech":
            parts.append((rng.uniform(-0.4, 0.4, n) * 32767).astype("<i2"))
        else:
            parts.append(np.zeros(n, dtype="<i2"))
    return b"".join(p.tobytes() for p in parts)


def bursts(count: int, speech_ms: int = 300, gap_ms: int = 300, lead_ms: int = 200) -> list[tuple[str, int]]:
    """``count`` bursts of ``speech_ms``: with the emulator's 300 ms per word, one word per burst."""
    plan: list[tuple[str, int]] = [("silence", lead_ms)]
    for _ in range(count):
        plan += [("speech", speech_ms), ("silence", gap_ms)]
    return plan


def burst_starts_ms(count: int, speech_ms: int = 300, gap_ms: int = 300, lead_ms: int = 200) -> list[int]:
    return [lead_ms + i * (speech_ms + gap_ms) for i in range(count)]


class NumpySource:
    """An AudioSource over precomputed PCM, yielding ``chunk_ms`` chunks every ``pace_s`` seconds.

    ``repeat`` loops the audio until ``stop()``; ``hold`` makes the source go quiet (yield nothing)
    at the end until ``stop()``, like a microphone nobody speaks into that the user has not stopped;
    ``fail_after_ms`` raises AudioSourceError once
    that much audio was yielded (a microphone being unplugged); ``tag`` is called at each yield
    and stored with the chunk (e.g. whether the session is transmitting at that moment).
    """

    def __init__(
        self,
        pcm: bytes,
        *,
        chunk_ms: int = 100,
        pace_s: float = 0.002,
        repeat: bool = False,
        hold: bool = False,
        fail_after_ms: int | None = None,
        tag: Callable[[], object] | None = None,
        fmt: AudioFormat = PCM16_MONO_16K,
    ) -> None:
        self._pcm = pcm
        self._chunk = chunk_ms * BYTES_PER_MS
        self._pace = pace_s
        self._repeat = repeat
        self._hold = hold
        self._fail_after = None if fail_after_ms is None else fail_after_ms * BYTES_PER_MS
        self.tag = tag
        self._format = fmt
        self._stats = SourceStats()
        self._stopped = asyncio.Event()
        self.started = False
        self.stopped = False
        self.yielded: list[tuple[bytes, object]] = []
        self.chunks_closed = False

    @property
    def format(self) -> AudioFormat:
        return self._format

    @property
    def label(self) -> str:
        return "numpy test source"

    @property
    def stats(self) -> SourceStats:
        return self._stats

    @property
    def produced(self) -> bytes:
        return b"".join(c for c, _ in self.yielded)

    def produced_where(self, predicate: Callable[[object], bool]) -> bytes:
        return b"".join(c for c, t in self.yielded if predicate(t))

    async def start(self) -> None:
        self.started = True

    async def chunks(self) -> AsyncIterator[bytes]:
        pos = 0
        total = 0
        try:
            while not self._stopped.is_set():
                if pos >= len(self._pcm):
                    if self._hold:
                        await self._stopped.wait()
                        return
                    if not self._repeat:
                        return
                    pos = 0
                if self._fail_after is not None and total >= self._fail_after:
                    raise AudioSourceError("The microphone was disconnected.")
                chunk = self._pcm[pos : pos + self._chunk]
                pos += len(chunk)
                total += len(chunk)
                self.yielded.append((chunk, self.tag() if self.tag else None))
                self._stats.chunks += 1
                self._stats.bytes += len(chunk)
                yield chunk
                if self._pace > 0:
                    await asyncio.sleep(self._pace)
                else:
                    await asyncio.sleep(0)
        finally:
            self.chunks_closed = True

    async def stop(self) -> None:
        self.stopped = True
        self._stopped.set()


@dataclass
class Recorder(NullListener):
    """Keeps everything the session reported, in order, with arrival times."""

    states: list[tuple[LiveState, str]] = field(default_factory=list)
    responses: list[tuple[list[Token], int, RealtimeEvent, float]] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    pending: list[bool] = field(default_factory=list)
    reconnecting: list[tuple[int, float, UserError]] = field(default_factory=list)
    errors: list[UserError] = field(default_factory=list)
    stats: list[LiveStats] = field(default_factory=list)
    after_terminal: list[str] = field(default_factory=list)

    def _check(self, name: str) -> None:
        if self.states and self.states[-1][0].is_terminal:
            self.after_terminal.append(name)

    def on_state(self, state: LiveState, detail: str) -> None:
        self._check("on_state")
        self.states.append((state, detail))

    def on_tokens(self, tokens: list[Token], offset_ms: int, event: RealtimeEvent) -> None:
        self._check("on_tokens")
        self.responses.append((tokens, offset_ms, event, time.perf_counter()))

    def on_connection_replaced(self, offset_ms: int) -> None:
        self._check("on_connection_replaced")
        self.replaced.append(offset_ms)

    def on_finalize_pending(self, pending: bool) -> None:
        self._check("on_finalize_pending")
        self.pending.append(pending)

    def on_reconnecting(self, attempt: int, delay_s: float, error: UserError) -> None:
        self._check("on_reconnecting")
        self.reconnecting.append((attempt, delay_s, error))

    def on_error(self, error: UserError) -> None:
        self._check("on_error")
        self.errors.append(error)

    def on_stats(self, stats: LiveStats) -> None:
        self._check("on_stats")
        self.stats.append(stats)

    @property
    def state_names(self) -> list[str]:
        return [s.value for s, _ in self.states]

    def final_words(self) -> list[tuple[str, int, int]]:
        """Final word tokens on the session timeline (offset applied), markers left out."""
        out = []
        for tokens, offset, _, _ in self.responses:
            for t in tokens:
                if t.is_final and t.text not in ("<fin>", "<end>") and t.start_ms is not None:
                    out.append((t.text, t.start_ms + offset, (t.end_ms or t.start_ms) + offset))
        return out


async def until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Wait for ``condition`` on the running loop (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
