"""System audio as a live source: a loopback reader thread in, 100 ms chunks of 16 kHz mono out.

Threading model:

* Loopback reads block (soundcard's ``record()`` waits for the frames), so a dedicated **reader
  thread** opens the output, reads ~40 ms blocks and hands each to the shared pipeline of
  :class:`~desktop.audio.block_capture.BlockCapture` (mono, levels for the meter, 16 kHz, 100 ms
  chunks posted to the loop into a bounded deque, overflows counted). The asyncio loop never
  waits on the device. Everything OS-specific is behind a
  :class:`~desktop.audio.system.backend.LoopbackBackend`, used by the reader thread only.
* A **watcher thread** (its own backend, so its own server connection) asks for the outputs every
  ``follow_poll_s``, independently of the reads: a read may block for seconds when the server
  moves a stream whose source vanished, and the check must not wait for it.
* **Following the default output** (``output_id=None``): when the watcher sees another output
  become the default, the reader closes the old stream after its current block and opens the new
  one's, in the same session. The moment the switch takes is filled with
  silence, so the source's timeline stays on the wall clock (a meeting merges it with the
  microphone's). An output that fails under a default-following capture is replaced by the new
  default the same way.
* **Failing in words**: a chosen output that disappears, a stream that errors with no default to
  fall back on, a sound server that goes away, or no block for ``stall_timeout`` seconds (the
  loop-side watchdog) end :meth:`chunks` with an
  :class:`~desktop.core.audio_source.AudioSourceError` after the chunks already captured, so the
  session ends cleanly and keeps its words.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from desktop.audio.block_capture import BlockCapture
from desktop.audio.system.backend import LoopbackBackend, LoopbackStream, OutputDevice
from desktop.core.audio_source import AudioSourceError

log = logging.getLogger(__name__)

BackendFactory = Callable[[], LoopbackBackend]


class SystemAudioCapture(BlockCapture):
    """An :class:`~desktop.core.audio_source.AudioSource` of what an output plays."""

    def __init__(
        self,
        backend_factory: BackendFactory,
        output_id: str | None = None,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        chunk_ms: int = 100,
        queue_chunks: int = 50,
        consume: bool = True,
        follow_poll_s: float = 0.5,
        stall_timeout: float = 3.0,
        open_timeout: float = 10.0,
        stop_timeout: float = 5.0,
    ) -> None:
        super().__init__(loop=loop, chunk_ms=chunk_ms, queue_chunks=queue_chunks, consume=consume)
        self._backend_factory = backend_factory
        self._output_id = output_id or None
        self._follow_poll_s = follow_poll_s
        self._stall_timeout = stall_timeout
        self._open_timeout = open_timeout
        self._stop_timeout = stop_timeout
        self._set_label(output_id or "")
        self._thread: threading.Thread | None = None
        self._opened: asyncio.Future[None] | None = None
        self._finished: asyncio.Future[None] | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._stop_requested = False
        # Written only by the reader thread.
        self.output: OutputDevice | None = None
        self.device_rate: int | None = None
        self.device_channels: int | None = None
        self.switches = 0
        self._last_block = 0.0
        self._reader_error: str | None = None
        self._reader_done = False
        # Written only by the watcher thread.
        self._switch_to: OutputDevice | None = None
        self._gone_error: str | None = None

    @property
    def following_default(self) -> bool:
        return self._output_id is None

    def _set_label(self, name: str) -> None:
        self._label = f"System audio “{name}”" if name else "System audio"

    # -- AudioSource ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the output on the reader thread; raises :class:`AudioSourceError` if it cannot."""
        if self._started:
            self.consume = True
            return
        self._started = True
        loop = asyncio.get_running_loop()
        self._loop = self._loop or loop
        self._wakeup = asyncio.Event()
        self._opened = loop.create_future()
        self._finished = loop.create_future()
        self._last_block = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="system-audio-reader", daemon=True)
        self._thread.start()
        try:
            await asyncio.wait_for(asyncio.shield(self._opened), self._open_timeout)
        except asyncio.TimeoutError:
            self._stop_requested = True
            self._end(None)
            raise AudioSourceError(
                "The system audio output did not start within "
                f"{self._open_timeout:.0f} seconds. Check the sound settings, then try again."
            ) from None
        except AudioSourceError:
            self._end(None)
            raise
        self._watchdog = loop.call_later(0.25, self._watch)

    async def stop(self) -> None:
        """Stop reading; chunks already captured (and the last partial one) are still yielded."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        self._stop_requested = True
        finished = self._finished
        if finished is not None and not self._ended:
            await self._after_device_stops(finished, self._stop_timeout, "System audio")
        self._end(None)

    # -- extras for the UI ---------------------------------------------------------------------

    @property
    def output_name(self) -> str:
        return self.output.name if self.output is not None else ""

    # -- reader thread -------------------------------------------------------------------------

    def _run(self) -> None:
        stream: LoopbackStream | None = None
        backend: LoopbackBackend | None = None
        try:
            backend = self._backend_factory()
            with backend.thread_scope():
                try:
                    output, stream = self._open_first(backend)
                except AudioSourceError as exc:
                    self._call_loop(self._opened_with, exc)
                    return
                self._call_loop(self._opened_with, None)
                stream = self._read_loop(backend, output, stream)
        except AudioSourceError as exc:  # a switch to the new default output failed to open
            self._reader_error = str(exc)
        except Exception as exc:  # a backend bug must still end the source in words
            log.exception("System audio reader failed")
            self._reader_error = f"System audio stopped because of an unexpected error: {exc}"
            self._call_loop(self._opened_with, AudioSourceError(self._reader_error))
        finally:
            if stream is not None:
                stream.close()
            if backend is not None:
                backend.close()
            self._reader_done = True
            self._call_loop(self._finished_now)

    def _open_first(self, backend: LoopbackBackend) -> tuple[OutputDevice, LoopbackStream]:
        outputs = backend.outputs()
        if self._output_id is None:
            output = next((o for o in outputs if o.is_default), None)
            if output is None:
                raise AudioSourceError("No sound output was found, so there is no system audio to capture.")
            stream = backend.open(None if backend.follows_default else output)
        else:
            output = next((o for o in outputs if o.id == self._output_id), None)
            if output is None:
                raise AudioSourceError(
                    f"The output “{self._output_id}” is not available. Check that it is connected, "
                    "or choose another output."
                )
            stream = backend.open(output)
        self._use(output, stream)
        return output, stream

    def _use(self, output: OutputDevice, stream: LoopbackStream) -> None:
        self.output = output
        self._set_label(output.name)
        self.device_rate, self.device_channels = stream.rate, stream.channels
        self._set_input_rate(stream.rate)
        log.info("System audio from %r at %d Hz, %d channel(s)", output.name, stream.rate, stream.channels)

    def _read_loop(self, backend: LoopbackBackend, output: OutputDevice, stream: LoopbackStream) -> LoopbackStream:
        if not backend.follows_default or self._output_id is not None:
            threading.Thread(target=self._watch_outputs, name="system-audio-watcher", daemon=True).start()
        while not self._stop_requested:
            try:
                block = stream.read()
            except Exception as exc:
                if self._stop_requested:
                    break
                log.warning("System audio from %r failed: %s", output.name, exc)
                replacement = self._current_default(backend, output) if self.following_default else None
                if replacement is None:
                    self._reader_error = backend.describe_failure(exc, output)
                    break
                output, stream = self._switch(backend, stream, replacement)
                continue
            now = time.monotonic()
            self._last_block = now
            self._process_block(block, len(block), now)
            target = self._switch_to
            if target is not None and target.id != output.id:
                output, stream = self._switch(backend, stream, target)
        return stream

    # -- watcher thread ------------------------------------------------------------------------

    def _watch_outputs(self) -> None:
        try:
            backend = self._backend_factory()
        except Exception:
            log.exception("System audio watcher could not start")
            return
        try:
            with backend.thread_scope():
                while not self._stop_requested and not self._ended:
                    time.sleep(self._follow_poll_s)
                    output = self.output
                    if output is None or self._stop_requested:
                        continue
                    try:
                        self._switch_to = self._check(backend, output)
                    except AudioSourceError as exc:
                        self._gone_error = str(exc)
                        return
        except Exception:
            log.exception("System audio watcher failed")
        finally:
            backend.close()

    def _check(self, backend: LoopbackBackend, output: OutputDevice) -> OutputDevice | None:
        """The output to switch to now (None: stay); raises when the chosen output is gone."""
        outputs = backend.outputs()
        if self.following_default:
            default = next((o for o in outputs if o.is_default), None)
            if default is not None and default.id != output.id:
                return default
            if default is None and all(o.id != output.id for o in outputs):
                raise AudioSourceError(f"The output “{output.name}” was removed and no other output is left.")
            return None
        if all(o.id != output.id for o in outputs):
            raise AudioSourceError(
                f"The output “{output.name}” was removed or unplugged, so its sound can no longer be "
                "captured. Choose another output for the next session."
            )
        return None

    def _current_default(self, backend: LoopbackBackend, failed: OutputDevice) -> OutputDevice | None:
        try:
            outputs = backend.outputs()
        except AudioSourceError:
            return None
        default = next((o for o in outputs if o.is_default), None)
        if default is None or (default.id == failed.id and not backend.follows_default):
            return None
        return default

    def _switch(
        self, backend: LoopbackBackend, old: LoopbackStream, target: OutputDevice
    ) -> tuple[OutputDevice, LoopbackStream]:
        began = time.monotonic()
        old.close()
        stream = backend.open(None if backend.follows_default else target)  # raises in words
        self._use(target, stream)
        self.switches += 1
        self._append_silence(time.monotonic() - began)
        log.info("System audio now follows %r", target.name)
        return target, stream

    def _call_loop(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(callback, *args)  # type: ignore[union-attr]
        except RuntimeError:  # loop closed during shutdown
            pass

    # -- loop thread ---------------------------------------------------------------------------

    def _opened_with(self, error: AudioSourceError | None) -> None:
        if self._opened is None or self._opened.done():
            return
        if error is None:
            self._opened.set_result(None)
        else:
            self._opened.set_exception(error)

    def _finished_now(self) -> None:
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(None)

    def _watch(self) -> None:
        self._watchdog = None
        if self._ended or self._stop_requested:
            return
        error = self._gone_error or self._reader_error
        if error is not None:
            self._fail(error)
            return
        if self._reader_done:
            self._fail("System audio stopped unexpectedly.")
            return
        if time.monotonic() - self._last_block > self._stall_timeout:
            name = self.output_name or "the output"
            log.warning("System audio from %r stopped delivering", name)
            self._fail(f"System audio from “{name}” stopped arriving. Check the sound settings, then start again.")
            return
        self._watchdog = self._loop.call_later(0.25, self._watch)  # type: ignore[union-attr]

    def _fail(self, message: str) -> None:
        self._stop_requested = True  # the reader closes its stream once its read returns
        self._end(AudioSourceError(message))
