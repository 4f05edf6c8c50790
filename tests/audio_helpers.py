"""A fake ``sounddevice`` module that replays a signal through the REAL capture code.

``FakeSoundDevice`` has the slice of sounddevice's API that :mod:`desktop.audio` uses
(``query_devices``, ``query_hostapis``, ``check_input_settings``, ``default``, ``InputStream``,
``PortAudioError``, ``CallbackFlags``, ``_initialize``/``_terminate``). Its ``InputStream`` calls
the capture's callback from a background thread with float32 blocks of the configured signal, at
real time or ``speed`` times faster, reusing one buffer like PortAudio does (so code that keeps a
reference to ``indata`` is caught). Switches make it misbehave: status flags on chosen blocks, a
disconnect (callbacks stop, with or without the finished callback), failing to open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


class PortAudioError(Exception):
    """Stands in for ``sounddevice.PortAudioError``."""


class CallbackStop(Exception):
    pass


class CallbackAbort(Exception):
    pass


class CallbackFlags:
    """The two input flags of ``sounddevice.CallbackFlags``; truthy when any is set."""

    def __init__(self, input_overflow: bool = False, input_underflow: bool = False) -> None:
        self.input_overflow = input_overflow
        self.input_underflow = input_underflow

    def __bool__(self) -> bool:
        return self.input_overflow or self.input_underflow


class _Default:
    def __init__(self) -> None:
        self.device: list[int] = [-1, -1]


def sine(freq: float, seconds: float, rate: int, *, amplitude: float = 0.5, channels: int = 1) -> np.ndarray:
    """A float32 sine, shape (n,) for mono or (n, channels)."""
    t = np.arange(round(seconds * rate)) / rate
    x = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return x if channels == 1 else np.repeat(x[:, None], channels, axis=1)


def load_wav(path: str | Path) -> tuple[np.ndarray, int]:
    import soundfile

    data, rate = soundfile.read(str(path), dtype="float32", always_2d=False)
    return data, int(rate)


def pcm_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def dominant_frequency(x: np.ndarray, rate: int) -> float:
    """Frequency of the strongest FFT bin (Hann window), to within rate/len(x)."""
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.argmax(spec) * rate / x.size)


def best_alignment(captured: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """Offset of ``reference`` inside ``captured`` and the normalised correlation there."""
    n = captured.size + reference.size
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(captured, size) * np.conj(np.fft.rfft(reference, size)), size)
    offset = int(np.argmax(corr[: captured.size]))
    seg = captured[offset : offset + reference.size]
    ref = reference[: seg.size]
    denom = float(np.linalg.norm(seg) * np.linalg.norm(ref)) or 1.0
    return offset, float(np.dot(seg, ref) / denom)


def mic_device(
    name: str = "Fake USB Mic", *, index: int = 0, channels: int = 1, rate: float = 16000, hostapi: int = 0
) -> dict[str, Any]:
    return {
        "name": name,
        "index": index,
        "hostapi": hostapi,
        "max_input_channels": channels,
        "max_output_channels": 0,
        "default_samplerate": float(rate),
        "default_low_input_latency": 0.01,
        "default_high_input_latency": 0.1,
    }


class FakeSoundDevice:
    """A stand-in for the ``sounddevice`` module, driven by a numpy signal.

    ``signal`` is float32, shape (n,) or (n, channels), at ``rate``; the fake device offers
    ``channels`` inputs at default rate ``rate`` and accepts the rates in ``supported_rates``
    (default: only ``rate``); ``loop_for_s`` repeats the signal for that long. When the signal
    ends the device keeps delivering silence
    (``after="silence"``, a live microphone), stops calling back (``"stall"``), or finishes
    the stream as if unplugged (``"finish"``).
    """

    PortAudioError = PortAudioError
    CallbackFlags = CallbackFlags
    CallbackStop = CallbackStop
    CallbackAbort = CallbackAbort

    def __init__(
        self,
        signal: np.ndarray | None = None,
        rate: int = 16000,
        *,
        speed: float = 1.0,
        after: str = "silence",
        supported_rates: set[int] | None = None,
        devices: list[dict[str, Any]] | None = None,
        hostapis: list[str] | None = None,
        default_input: int = 0,
        loop_for_s: float | None = None,
    ) -> None:
        self.signal = np.zeros(0, dtype=np.float32) if signal is None else np.asarray(signal, np.float32)
        self.rate = int(rate)
        self.speed = speed
        # Repeat the signal until this much audio was delivered (long runs without a huge array).
        self.loop_for_frames = None if loop_for_s is None else round(loop_for_s * rate)
        self.after = after
        self.supported_rates = supported_rates if supported_rates is not None else {self.rate}
        channels = 1 if self.signal.ndim == 1 else self.signal.shape[1]
        self.devices = devices if devices is not None else [mic_device(channels=channels, rate=rate)]
        self.hostapi_names = hostapis or ["Fake API"]
        self.default = _Default()
        self.default_input = default_input
        self.fail_open: str | None = None  # PortAudioError message raised by InputStream()
        self.fail_start: str | None = None
        self.status_blocks: dict[int, CallbackFlags] = {}  # block index -> flags
        self.disconnect_after_blocks: int | None = None
        # "finish": callbacks stop and PortAudio calls finished_callback (device unplugged);
        # "inactive": callbacks stop and ``active`` turns False, no finished callback;
        # "stall": callbacks stop while the stream still claims to be active.
        self.disconnect_mode = "finish"
        self.streams: list[FakeInputStream] = []
        self.init_calls = 0
        self.terminate_calls = 0
        self._pending_devices: list[dict[str, Any]] | None = None
        self.blocks_delivered = 0

    # -- sounddevice API -----------------------------------------------------------------------

    def query_devices(self, device: int | str | None = None, kind: str | None = None) -> Any:
        if device is None and kind is None:
            return [dict(d) for d in self.devices]
        if device is None:
            if self.default_input < 0 or not self.devices:
                raise PortAudioError("Error querying device -1")
            device = self.default_input
        for d in self.devices:
            if d["index"] == device or d["name"] == device:
                return dict(d)
        raise PortAudioError(f"Error querying device {device}")

    def query_hostapis(self, index: int | None = None) -> Any:
        apis = [
            {
                "name": n,
                "devices": [d["index"] for d in self.devices if d["hostapi"] == i],
                "default_input_device": self.default_input,
                "default_output_device": -1,
            }
            for i, n in enumerate(self.hostapi_names)
        ]
        return apis if index is None else apis[index]

    def check_input_settings(
        self,
        device: int | None = None,
        channels: int | None = None,
        dtype: Any = None,
        extra_settings: Any = None,
        samplerate: float | None = None,
    ) -> None:
        if samplerate is not None and int(samplerate) not in self.supported_rates:
            raise PortAudioError("Invalid sample rate", -9997)

    def InputStream(self, **kwargs: Any) -> FakeInputStream:
        if self.fail_open:
            raise PortAudioError(self.fail_open, -9985)
        rate = int(kwargs.get("samplerate") or self.rate)
        if rate not in self.supported_rates:
            raise PortAudioError("Invalid sample rate", -9997)
        stream = FakeInputStream(self, **kwargs)
        self.streams.append(stream)
        return stream

    def _initialize(self) -> None:
        self.init_calls += 1
        if self._pending_devices is not None:
            self.devices, self._pending_devices = self._pending_devices, None

    def _terminate(self) -> None:
        self.terminate_calls += 1

    # -- test controls -------------------------------------------------------------------------

    def replug(self, devices: list[dict[str, Any]], default_input: int | None = None) -> None:
        """Devices changed; like PortAudio, the new list shows only after a re-initialisation."""
        self._pending_devices = devices
        if default_input is not None:
            self.default_input = default_input

    @property
    def stream(self) -> FakeInputStream:
        return self.streams[-1]


class FakeInputStream:
    """Calls ``callback(indata, frames, time, status)`` from a thread like PortAudio."""

    def __init__(
        self,
        fake: FakeSoundDevice,
        *,
        samplerate: float | None = None,
        blocksize: int | None = None,
        device: int | None = None,
        channels: int = 1,
        dtype: str = "float32",
        latency: Any = None,
        callback: Callable[..., None] | None = None,
        finished_callback: Callable[[], None] | None = None,
        **_ignored: Any,
    ) -> None:
        assert dtype == "float32", "the fake only speaks float32"
        self.fake = fake
        self.samplerate = float(samplerate or fake.rate)
        self.blocksize = int(blocksize or self.samplerate // 50)
        self.device = device
        self.channels = channels
        self.callback = callback
        self.finished_callback = finished_callback
        self.closed = False
        self._active = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._finished_called = False

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        if self.fake.fail_start:
            raise PortAudioError(self.fake.fail_start, -9985)
        self._active = True
        self._thread = threading.Thread(target=self._run, name="fake-portaudio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self._active = False
        self._call_finished()

    abort = stop

    def close(self) -> None:
        self.stop()
        self.closed = True

    def _call_finished(self) -> None:
        if not self._finished_called and self.finished_callback is not None:
            self._finished_called = True
            self.finished_callback()

    def _source_block(self, k: int) -> np.ndarray | None:
        sig = self.fake.signal
        start, end = k * self.blocksize, (k + 1) * self.blocksize
        total = self.fake.loop_for_frames
        if total is None:
            return None if start >= sig.shape[0] else sig[start:end]
        if start >= total:
            return None
        return np.take(sig, np.arange(start, min(end, total)), axis=0, mode="wrap")

    def _run(self) -> None:
        fake = self.fake
        period = self.blocksize / self.samplerate
        buf = np.zeros((self.blocksize, self.channels), dtype=np.float32)  # reused, like PortAudio
        t0 = time.monotonic()
        k = 0
        while not self._stop.is_set():
            if fake.disconnect_after_blocks is not None and k >= fake.disconnect_after_blocks:
                self._disconnect()
                return
            block = self._source_block(k)
            if block is None:
                if fake.after == "stall":
                    return
                if fake.after == "finish":
                    self._disconnect("finish")
                    return
            buf[:] = 0.0
            if block is not None:
                b = block if block.ndim == 2 else block[:, None]
                cols = min(self.channels, b.shape[1])
                buf[: b.shape[0], :cols] = b[:, :cols]
                if self.channels > b.shape[1]:
                    buf[: b.shape[0], cols:] = b[:, -1:]
            status = fake.status_blocks.get(k, CallbackFlags())
            if self.callback is not None:
                self.callback(buf, self.blocksize, None, status)
            fake.blocks_delivered += 1
            k += 1
            if fake.speed != float("inf"):
                delay = t0 + k * period / fake.speed - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return

    def _disconnect(self, mode: str | None = None) -> None:
        mode = mode or self.fake.disconnect_mode
        if mode in ("finish", "inactive"):
            self._active = False
        if mode == "finish":
            self._call_finished()
