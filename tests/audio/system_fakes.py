"""Fakes at the OS boundary of system audio, shared by the capture, Windows and macOS tests.

:class:`FakeRecorder` stands in for a soundcard recorder: ``record(numframes)`` returns the next
``frames × channels`` block of a signal (silence once it ran out), paced at ``speed`` × real
time, and can be told to fail. :class:`Outputs` is the "world" of outputs a fake backend
reports; the reader thread and the watcher thread each get their own backend object, so the
world is shared state the test changes mid-session (a new default, an output unplugged).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from desktop.audio.system.backend import OutputDevice, RecorderStream
from desktop.core.audio_source import AudioSourceError


class FakeRecorder:
    """A soundcard recorder context manager replaying ``signal`` (frames × channels)."""

    def __init__(self, signal: np.ndarray, rate: int, *, speed: float = 1.0) -> None:
        self.signal = signal if signal.ndim == 2 else signal[:, None]
        self.rate = rate
        self.speed = speed
        self.pos = 0
        self.entered = threading.Event()
        self.exited = threading.Event()
        self.fail_with: BaseException | None = None
        self.block_forever = False
        self.calls: list[int] = []
        self._t0 = 0.0

    def __enter__(self) -> FakeRecorder:
        self._t0 = time.monotonic()
        self.entered.set()
        return self

    def __exit__(self, *exc: object) -> None:
        self.exited.set()

    def record(self, numframes: int) -> np.ndarray:
        self.calls.append(numframes)
        if self.fail_with is not None:
            raise self.fail_with
        while self.block_forever and not self.exited.is_set():
            time.sleep(0.01)
        due = self._t0 + (self.pos + numframes) / self.rate / self.speed
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        block = self.signal[self.pos : self.pos + numframes]
        self.pos += numframes
        if len(block) < numframes:
            pad = np.zeros((numframes - len(block), self.signal.shape[1]), np.float32)
            block = np.concatenate([block, pad])
        return block.astype(np.float32)


class Outputs:
    """The outputs the fake OS has now, and what each one plays."""

    def __init__(self, *devices: OutputDevice, rate: int = 48000, speed: float = 1.0) -> None:
        self.devices = list(devices)
        self.rate = rate
        self.speed = speed
        self.signals: dict[str, np.ndarray] = {}
        self.recorders: dict[str, list[FakeRecorder]] = {}
        self.lock = threading.Lock()
        self.list_error: AudioSourceError | None = None

    def play(self, output_id: str, signal: np.ndarray) -> None:
        """What ``output_id`` plays from the moment a capture opens it (frames × channels)."""
        self.signals[output_id] = signal if signal.ndim == 2 else signal[:, None]

    def set_default(self, output_id: str) -> None:
        with self.lock:
            self.devices = [OutputDevice(d.id, d.name, d.id == output_id) for d in self.devices]

    def remove(self, output_id: str) -> None:
        with self.lock:
            self.devices = [d for d in self.devices if d.id != output_id]

    def recorder(self, output_id: str) -> FakeRecorder:
        signal = self.signals.get(output_id, np.zeros((0, 2), np.float32))
        rec = FakeRecorder(signal, self.rate, speed=self.speed)
        self.recorders.setdefault(output_id, []).append(rec)
        return rec


class FakeBackend:
    """A :class:`~desktop.audio.system.backend.LoopbackBackend` over an :class:`Outputs` world."""

    follows_default = False

    def __init__(self, world: Outputs) -> None:
        self.world = world
        self.closed = False

    @contextlib.contextmanager
    def _scope(self) -> Iterator[None]:
        yield

    def thread_scope(self) -> contextlib.AbstractContextManager[None]:
        return self._scope()

    def outputs(self) -> list[OutputDevice]:
        if self.world.list_error is not None:
            raise self.world.list_error
        with self.world.lock:
            return list(self.world.devices)

    def open(self, output: OutputDevice | None) -> RecorderStream:
        assert output is not None
        if all(d.id != output.id for d in self.outputs()):
            raise AudioSourceError(f"The output “{output.name}” is not available any more.")
        rec = self.world.recorder(output.id)
        return RecorderStream(rec, self.world.rate, rec.signal.shape[1], self.world.rate * 40 // 1000)

    def describe_failure(self, exc: BaseException, output: OutputDevice) -> str:
        return f"“{output.name}” failed: {exc}"

    def close(self) -> None:
        self.closed = True


async def read_source(cap: Any, seconds: float, timeout: float = 10.0) -> tuple[bytes, str]:
    """Chunks until ``seconds`` of audio arrived (then stop) or the source ended; and its error."""
    out = bytearray()
    error = ""

    async def run() -> None:
        nonlocal error
        try:
            async for chunk in cap.chunks():
                out.extend(chunk)
                if len(out) >= seconds * 32000:
                    await cap.stop()
        except AudioSourceError as exc:
            error = str(exc)

    await asyncio.wait_for(run(), timeout)
    return bytes(out), error


def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)
