"""Microphone capture: PortAudio's thread in, 100 ms chunks of 16 kHz mono s16le out.

Threading model (the reason this module exists):

* PortAudio calls :meth:`MicrophoneCapture._callback` on its own real-time thread. The callback
  never blocks, never logs and never touches Qt: it hands the block to the shared pipeline of
  :class:`~desktop.audio.block_capture.BlockCapture` (mono, levels, 16 kHz, 100 ms chunks posted
  to the loop with ``loop.call_soon_threadsafe`` into a bounded deque, overflows counted), which
  system audio uses as well. PortAudio's own status flags (input overflow...) are counted in
  ``stats.status_flags``. Nothing is dropped silently.
* A watchdog on the loop checks four times a second that the device is still alive: PortAudio's
  finished callback, ``stream.active`` going false, or no callback for ``stall_timeout`` seconds
  all mean the device went away, and :meth:`chunks` then raises :class:`AudioSourceError` after
  the chunks already captured, so a session ends cleanly and keeps its transcript.

Monitor mode (``consume=False``) runs the device only for the level meter: chunks are discarded
in the callback (not an overflow, nobody asked for them) and no loop traffic happens. Setting
``consume = True`` on a running capture starts delivering from the next chunk on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from desktop.audio import devices as devmod
from desktop.audio.block_capture import TARGET_RATE, BlockCapture
from desktop.audio.device_errors import explain_device_error
from desktop.core.audio_source import AudioSourceError, SourceStats

log = logging.getLogger(__name__)

#: Callback block length: short enough for a lively meter (25 updates/s), long enough to be cheap.
#: Each wake-up of the callback has a fixed cost (measured ~0.5 ms with cold caches whatever the
#: block size), so 40 ms blocks cost about half the CPU of 20 ms ones (bench/bench_audio.py).
BLOCK_MS = 40
#: At most this many channels are opened and averaged (a "default" device may offer 32).
MAX_CHANNELS = 2


class MicrophoneCapture(BlockCapture):
    """An :class:`~desktop.core.audio_source.AudioSource` reading a PortAudio input device."""

    def __init__(
        self,
        device: str | int | None = None,
        *,
        sd: Any = None,
        loop: asyncio.AbstractEventLoop | None = None,
        chunk_ms: int = 100,
        queue_chunks: int = 50,
        consume: bool = True,
        stall_timeout: float = 1.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self._is_default = device in (None, "")
        self._device_name = "" if self._is_default else str(device)
        super().__init__(
            loop=loop,
            chunk_ms=chunk_ms,
            queue_chunks=queue_chunks,
            consume=consume,
            label=f"Microphone “{self.display_name}”",
        )
        self._device_request = device
        self._sd = sd
        self._stall_timeout = stall_timeout
        self._stop_timeout = stop_timeout
        self.device_rate: int | None = None
        self.device_channels: int | None = None

        self._stream: Any = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._closing: asyncio.Future[Any] | None = None

        # Written only by the PortAudio thread.
        self._last_callback = 0.0
        self._status_count = 0
        self._status_names: dict[str, int] = {}
        self._callback_error: BaseException | None = None
        self._finished = False

    # -- AudioSource ---------------------------------------------------------------------------

    @property
    def stats(self) -> SourceStats:
        """Live counters, with PortAudio's status flags folded in on the reader's thread."""
        s = super().stats
        s.status_flags = self._status_count
        return s

    async def start(self) -> None:
        """Open and start the device; raises :class:`AudioSourceError` if it cannot be opened.

        Calling it on a capture already running in monitor mode just switches it to consuming.
        """
        if self._started:
            self.consume = True
            return
        self.open(asyncio.get_running_loop())

    def open(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Synchronous part of :meth:`start` (opening a device is quick), for the Qt monitor."""
        if self._started:
            return
        self._loop = self._loop or loop or asyncio.get_event_loop()  # the running loop in practice
        self._wakeup = asyncio.Event()
        sd = self._sd if self._sd is not None else devmod.load_sounddevice()
        self._sd = sd
        info = devmod.resolve_input_device(sd, self._device_request)
        self._device_name = info.name or self._device_name
        self._label = f"Microphone “{self.display_name}”"
        channels = max(1, min(MAX_CHANNELS, info.channels or 1))
        with devmod.PORTAUDIO_LOCK:
            try:
                rate = self._choose_rate(sd, info, channels)
                stream = sd.InputStream(
                    samplerate=rate,
                    blocksize=max(1, rate * BLOCK_MS // 1000),
                    device=info.index,
                    channels=channels,
                    dtype="float32",
                    latency="high",
                    callback=self._callback,
                    finished_callback=self._finished_callback,
                )
            except (sd.PortAudioError, ValueError, OSError) as exc:
                raise self._open_error(exc) from exc
            devmod.stream_opened()
            self.device_rate, self.device_channels = rate, channels
            self._set_input_rate(rate)
            self._last_callback = time.monotonic()
            self._stream = stream
            try:
                stream.start()
            except (sd.PortAudioError, ValueError, OSError) as exc:
                self._stream = None
                with contextlib.suppress(Exception):
                    stream.close()
                devmod.stream_closed()
                raise self._open_error(exc) from exc
        self._started = True
        log.info(
            "Microphone %r open at %d Hz, %d channel(s)%s",
            self.display_name,
            rate,
            channels,
            " (resampling to 16 kHz)" if self._resampler else "",
        )
        self._watchdog = self._loop.call_later(0.25, self._watch)

    async def stop(self) -> None:
        """Stop the device; chunks already captured (and the last partial one) are still yielded."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        stream, self._stream = self._stream, None
        if stream is not None:
            closing = asyncio.get_running_loop().run_in_executor(None, _close_stream, stream, False)
            # Counted closed only once PortAudio really closed it: a device rescan (Pa_Terminate)
            # while a stuck stream is still closing would pull the library from under it.
            closing.add_done_callback(lambda _f: devmod.stream_closed())
            await self._after_device_stops(closing, self._stop_timeout, "The audio device")
        elif self._closing is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._closing), self._stop_timeout)
        self._end(None)

    # -- extras for the UI ---------------------------------------------------------------------

    @property
    def device_name(self) -> str:
        return self._device_name

    @property
    def status_flag_counts(self) -> dict[str, int]:
        """How often each PortAudio status flag was seen, e.g. ``{"input_overflow": 2}``."""
        return dict(self._status_names)

    # -- PortAudio thread ----------------------------------------------------------------------

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._last_callback = time.monotonic()
        try:
            if status:
                self._status_count += 1
                for name in ("input_overflow", "input_underflow"):
                    if getattr(status, name, False):
                        self._status_names[name] = self._status_names.get(name, 0) + 1
            self._process_block(indata, frames, self._last_callback)
        except Exception as exc:  # never let an exception escape into PortAudio
            self._callback_error = exc

    def _finished_callback(self) -> None:
        self._finished = True

    # -- loop thread ---------------------------------------------------------------------------

    def _watch(self) -> None:
        self._watchdog = None
        if self._ended or self._stream is None:
            return
        if self._callback_error is not None:
            exc, self._callback_error = self._callback_error, None
            log.error("Audio callback failed", exc_info=exc)
            self._fail(f"Audio from the microphone “{self.display_name}” could not be processed: {exc}")
            return
        alive = not self._finished
        if alive:
            try:
                alive = bool(self._stream.active)
            except Exception:
                alive = False
        if alive and time.monotonic() - self._last_callback > self._stall_timeout:
            alive = False
        if not alive:
            log.warning("Microphone %r stopped delivering audio", self._device_name)
            self._fail(f"The microphone “{self.display_name}” was disconnected.")
            return
        self._watchdog = self._loop.call_later(0.25, self._watch)  # type: ignore[union-attr]

    def _fail(self, message: str) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            self._closing = self._loop.run_in_executor(None, _close_stream, stream, True)  # type: ignore[union-attr]
            self._closing.add_done_callback(lambda _f: devmod.stream_closed())
        self._end(AudioSourceError(message))

    # -- helpers -------------------------------------------------------------------------------

    def _choose_rate(self, sd: Any, info: devmod.InputDevice, channels: int) -> int:
        try:
            sd.check_input_settings(device=info.index, channels=channels, dtype="float32", samplerate=TARGET_RATE)
            return TARGET_RATE
        except (sd.PortAudioError, ValueError):
            pass
        rate = round(info.default_samplerate or 0)
        if rate <= 0:
            rate = round(sd.query_devices(info.index)["default_samplerate"])
        return rate

    @property
    def display_name(self) -> str:
        """The device as the picker names it ("System default (…)" for the default one)."""
        return devmod.microphone_name(self._device_name, is_default=self._is_default)

    def _open_error(self, exc: BaseException) -> AudioSourceError:
        log.info("Opening microphone %r failed: %s", self._device_name or "default", exc)
        return AudioSourceError(f"Could not open the microphone “{self.display_name}”: {explain_device_error(exc)}")


def _close_stream(stream: Any, abort: bool) -> None:
    """Stop and close a stream on a worker thread (PortAudio's stop waits for the callback)."""
    with contextlib.suppress(Exception):
        if abort:
            stream.abort()
        else:
            stream.stop()
    with contextlib.suppress(Exception):
        stream.close()


def capture_factory(sd: Any = None) -> Callable[..., MicrophoneCapture]:
    """A factory bound to one sounddevice module (the real one, or a test fake)."""

    def make(device: str | int | None = None, **kwargs: Any) -> MicrophoneCapture:
        return MicrophoneCapture(device, sd=sd, **kwargs)

    return make
