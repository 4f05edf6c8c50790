"""Acoustic echo cancellation for meetings: the other side's voice taken out of the microphone.

In a meeting on loudspeakers the microphone hears the remote people too, and their words would be
transcribed twice: once from the system audio, once (as "You") from the microphone. WebRTC's AEC3
(through livekit's ``rtc.AudioProcessingModule``) removes that echo when it is given, in 10 ms
frames, the *far end* (what the loudspeakers play: the system audio as it is captured) before the
*near end* (the microphone) frames that contain its echo.

Alignment is the whole difficulty. Both sources hand ~100 ms chunks to the asyncio loop at their
own pace, so a microphone chunk can arrive before the system-audio chunk covering the same moment;
if the near end were processed first, its echo would precede its reference and could not be
cancelled. So every frame gets a capture time (:class:`StreamClock`: the stream's sample count
laid on the loop clock at the *earliest* arrival seen lately, since a chunk can be delivered late
but never before it was captured; this keeps the loop's jitter out of the alignment), far frames
wait in a small FIFO, and each microphone frame is processed after every far frame captured at or
before it. A microphone chunk waits (at most ``max_wait_s``, about one chunk) for the system audio
to catch up; if the system audio stops or ends, the microphone goes on alone. AEC3 estimates the
remaining acoustic delay itself (up to several hundred ms).

livekit is 28 MB and loaded only here, on first use. If it cannot be loaded, :func:`cancel_echo`
returns the sources untouched, logs why, and says so on the microphone wrapper
(``echo_cancelling`` False, ``echo_status`` in words) so the caller can tell the user.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from desktop.core.audio_source import AudioFormat, AudioSource, SourceWrapper

log = logging.getLogger(__name__)

FRAME_MS = 10
#: AEC3 works on 16, 32 and 48 kHz; the sources are meant to be 16 kHz mono s16le.
SUPPORTED_RATES = (16000, 32000, 48000)


class EchoProcessor(Protocol):
    """The part of ``rtc.AudioProcessingModule`` used here (also what a test may stand in for)."""

    def process_reverse_stream(self, frame: Any) -> None: ...

    def process_stream(self, frame: Any) -> None: ...


@dataclass(frozen=True)
class EchoTiming:
    """Tolerances of the alignment, in seconds of the canceller's clock.

    ``max_wait_s``: how long a microphone chunk may wait for the system audio (about one chunk);
    ``far_idle_s``: no system audio for this long means it stalled, and the microphone stops
    waiting for it; ``gap_s``: a delivery this much later than the stream's pace is a gap, not
    jitter (see :class:`StreamClock`). A test running on a sped-up clock scales them with it.
    """

    max_wait_s: float = 0.15
    far_idle_s: float = 0.5
    gap_s: float = 0.3

    def scaled(self, factor: float) -> EchoTiming:
        return EchoTiming(self.max_wait_s * factor, self.far_idle_s * factor, self.gap_s * factor)


@dataclass(frozen=True)
class _Frame:
    at: float  # loop time the frame's first sample was captured (estimated)
    data: bytes


def _default_processor() -> tuple[EchoProcessor, Callable[[bytes, int], Any]]:
    """AEC3 with a high-pass filter (hum and DC hurt its linear filter); no noise suppression or
    gain control, which would change what the service hears beyond removing the echo."""
    from livekit import rtc

    apm = rtc.AudioProcessingModule(
        echo_cancellation=True, noise_suppression=False, high_pass_filter=True, auto_gain_control=False
    )

    def make_frame(data: bytes, rate: int) -> Any:
        return rtc.AudioFrame(bytearray(data), rate, 1, rate * FRAME_MS // 1000)

    return apm, make_frame


class StreamClock:
    """Capture times of a stream's samples, from the loop times its chunks arrived.

    A chunk arrives some time after its last sample was captured: a fixed latency plus jitter
    (the callback thread, the loop being busy). Taking, over the last ``window_s``, the smallest
    ``arrival - samples so far / rate`` filters the jitter out and follows slow clock drift. A
    stream that delivered nothing for a while (some loopback captures send no audio while nothing
    plays) shows up as a jump of more than ``gap_s``: the clock then starts over from there.
    """

    def __init__(self, rate: int, window_s: float = 10.0, gap_s: float = 0.3) -> None:
        self.rate = rate
        self.window_s = window_s
        self.gap_s = gap_s
        self.samples = 0
        self._mins: deque[tuple[float, float]] = deque()  # (arrival, offset), offsets increasing
        self.last_arrival = float("-inf")
        self.restarts = 0  # gaps seen (for diagnostics)

    def arrived(self, n_samples: int, at: float) -> float:
        """A chunk of ``n_samples`` arrived at ``at``: the capture time of its first sample."""
        first = self.samples
        self.samples += n_samples
        self.last_arrival = at
        offset = at - self.samples / self.rate
        if self._mins and offset - self._mins[0][1] > self.gap_s:
            self._mins.clear()  # a gap in the stream, not jitter: what came before no longer lines up
            self.restarts += 1
        while self._mins and self._mins[-1][1] >= offset:
            self._mins.pop()
        self._mins.append((at, offset))
        while self._mins[0][0] < at - self.window_s:
            self._mins.popleft()
        return self._mins[0][1] + first / self.rate

    @property
    def until(self) -> float:
        """Capture time of the end of the last sample received."""
        return self._mins[0][1] + self.samples / self.rate if self._mins else float("-inf")


class EchoCanceller:
    """One AEC3 instance shared by the two wrappers. Everything runs on the loop thread."""

    def __init__(
        self,
        sample_rate: int,
        *,
        processor: tuple[EchoProcessor, Callable[[bytes, int], Any]] | None = None,
        clock: Callable[[], float] | None = None,
        timing: EchoTiming | None = None,
        fifo_s: float = 2.0,
    ) -> None:
        self.timing = timing or EchoTiming()
        self.rate = sample_rate
        self.frame_bytes = sample_rate * FRAME_MS // 1000 * 2
        self._apm, self._make_frame = processor if processor is not None else _default_processor()
        self._clock = clock
        self._fifo: deque[_Frame] = deque()
        self._fifo_limit = max(1, round(fifo_s * 1000 / FRAME_MS))
        self._far_rest = b""
        self._near_rest = b""
        self._far_clock = StreamClock(sample_rate, gap_s=self.timing.gap_s)
        self._near_clock = StreamClock(sample_rate, gap_s=self.timing.gap_s)
        self._far_running = False
        self._far_moved = asyncio.Event()
        #: Frames processed, for tests and benches.
        self.far_frames = 0
        self.near_frames = 0

    def now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    # -- far end ----------------------------------------------------------------------------------
    def far_started(self) -> None:
        self._far_running = True

    def far_ended(self) -> None:
        """The system audio is over: the microphone no longer waits for it."""
        self._far_running = False
        self._far_moved.set()

    def push_far(self, chunk: bytes, at: float) -> None:
        """Queue a system-audio chunk that arrived at ``at``."""
        start = self._far_clock.arrived(len(chunk) // 2, at) - len(self._far_rest) / (2 * self.rate)
        data = self._far_rest + chunk
        n = len(data) // self.frame_bytes
        self._far_rest = data[n * self.frame_bytes :]
        for i in range(n):
            self._fifo.append(
                _Frame(start + i * FRAME_MS / 1000, data[i * self.frame_bytes : (i + 1) * self.frame_bytes])
            )
        while len(self._fifo) > self._fifo_limit:  # nobody processes the microphone: keep AEC3 fed
            self._render(self._fifo.popleft())
        self._far_moved.set()

    def _render(self, frame: _Frame) -> None:
        self._apm.process_reverse_stream(self._make_frame(frame.data, self.rate))
        self.far_frames += 1

    # -- near end ---------------------------------------------------------------------------------
    def _far_live(self) -> bool:
        return self._far_running and self.now() - self._far_clock.last_arrival < self.timing.far_idle_s

    def near_arrived(self, chunk: bytes, at: float) -> tuple[float, float]:
        """A microphone chunk arrived at ``at``: capture times of its first sample and of its end."""
        start = self._near_clock.arrived(len(chunk) // 2, at)
        return start, self._near_clock.until

    async def wait_for_far(self, until: float, arrived: float) -> None:
        """Wait until the far end has delivered audio captured up to ``until``: at most
        ``timing.max_wait_s`` after the microphone chunk ``arrived``, and not at all when the far end has
        ended or stalled (the microphone must not lag behind)."""
        deadline = arrived + self.timing.max_wait_s
        while self._far_live() and self._far_clock.until < until:
            remaining = deadline - self.now()
            if remaining <= 0:
                return
            self._far_moved.clear()
            try:
                await asyncio.wait_for(self._far_moved.wait(), timeout=remaining)
            except TimeoutError:
                return

    def process_near(self, chunk: bytes, captured: float) -> bytes:
        """The microphone chunk whose first sample was ``captured`` then, without the far end's echo.

        Whole 10 ms frames are processed; a trailing part frame waits for the next chunk, so the
        output has exactly as many bytes as the input over the stream (see :meth:`flush_near`).
        """
        start = captured - len(self._near_rest) / (2 * self.rate)
        data = self._near_rest + chunk
        n = len(data) // self.frame_bytes
        self._near_rest = data[n * self.frame_bytes :]
        out = bytearray()
        for i in range(n):
            stamp = start + i * FRAME_MS / 1000
            while self._fifo and self._fifo[0].at <= stamp:
                self._render(self._fifo.popleft())
            frame = self._make_frame(data[i * self.frame_bytes : (i + 1) * self.frame_bytes], self.rate)
            self._apm.process_stream(frame)
            out += bytes(frame.data)
            self.near_frames += 1
        return bytes(out)

    def flush_near(self) -> bytes:
        """The part frame left at the end of the microphone stream, as it was (too short for AEC3)."""
        rest, self._near_rest = self._near_rest, b""
        return rest


class SystemAudioTee(SourceWrapper):
    """The system audio, passed through unchanged while feeding the canceller its far end."""

    def __init__(self, inner: AudioSource, canceller: EchoCanceller) -> None:
        super().__init__(inner)
        self.canceller = canceller

    async def chunks(self) -> AsyncIterator[bytes]:
        self.canceller.far_started()
        try:
            async for chunk in self.inner.chunks():
                self.canceller.push_far(chunk, self.canceller.now())
                yield chunk
        finally:
            self.canceller.far_ended()


_END = object()


class EchoCancelledMicrophone(SourceWrapper):
    """The microphone with the system audio's echo removed; ends (or fails) when the microphone does.

    A pump task reads the microphone so every chunk is stamped when it arrives, even while an
    earlier one waits for the system audio to catch up.
    """

    echo_cancelling = True
    echo_status = "Echo cancellation is on."

    def __init__(self, inner: AudioSource, canceller: EchoCanceller, *, queue_chunks: int = 50) -> None:
        super().__init__(inner)
        self.canceller = canceller
        self._queue_chunks = queue_chunks

    async def _pump(self, queue: asyncio.Queue[tuple[bytes, float] | BaseException | object]) -> None:
        try:
            async for chunk in self.inner.chunks():
                if queue.qsize() >= self._queue_chunks:
                    self.inner.stats.overflows += 1  # the consumer stalled: drop, and say so
                    continue
                queue.put_nowait((chunk, self.canceller.now()))
        except Exception as exc:  # AudioSourceError and the like: re-raised by chunks()
            queue.put_nowait(exc)
        finally:
            queue.put_nowait(_END)

    async def chunks(self) -> AsyncIterator[bytes]:
        queue: asyncio.Queue[tuple[bytes, float] | BaseException | object] = asyncio.Queue()
        pump = asyncio.create_task(self._pump(queue), name="echo-mic-pump")
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, tuple)
                chunk, at = item
                start, end = self.canceller.near_arrived(chunk, at)
                await self.canceller.wait_for_far(end, at)
                out = self.canceller.process_near(chunk, start)
                if out:
                    yield out
            rest = self.canceller.flush_near()
            if rest:
                yield rest
        finally:
            if not pump.done():
                pump.cancel()
                await asyncio.gather(pump, return_exceptions=True)


class PassThroughMicrophone(SourceWrapper):
    """The microphone as it is, when echo cancellation cannot run; says why."""

    echo_cancelling = False

    def __init__(self, inner: AudioSource, status: str) -> None:
        super().__init__(inner)
        self.echo_status = status

    def chunks(self) -> AsyncIterator[bytes]:
        return self.inner.chunks()


def _unsupported(mic: AudioFormat, system: AudioFormat) -> str | None:
    for name, fmt in (("microphone", mic), ("system audio", system)):
        if fmt.audio_format != "pcm_s16le" or fmt.num_channels != 1 or fmt.sample_rate not in SUPPORTED_RATES:
            return f"the {name} is not 16-bit mono PCM at 16, 32 or 48 kHz"
    if mic.sample_rate != system.sample_rate:
        return "the microphone and the system audio have different sample rates"
    return None


def cancel_echo(
    mic: AudioSource,
    system: AudioSource,
    *,
    processor: tuple[EchoProcessor, Callable[[bytes, int], Any]] | None = None,
    clock: Callable[[], float] | None = None,
    timing: EchoTiming | None = None,
) -> tuple[AudioSource, AudioSource]:
    """(the microphone without the system audio's echo, the system audio teed as the reference).

    Both keep the AudioSource contract. Without echo cancellation (livekit missing, formats it
    cannot take) the microphone comes back as a :class:`PassThroughMicrophone` whose
    ``echo_status`` says why, and the system audio unchanged.
    """
    reason = _unsupported(mic.format, system.format)
    if reason is None and processor is None:
        try:
            processor = _default_processor()
        except Exception as exc:  # ImportError, or the native library failing to load
            log.warning("Echo cancellation unavailable: %s", exc)
            reason = f"the echo canceller could not be loaded ({exc})"
    if reason is not None:
        status = (
            f"Echo cancellation is off: {reason}. Use headphones, or the other side's words may also appear as yours."
        )
        log.warning("%s", status)
        return PassThroughMicrophone(mic, status), system
    rate = mic.format.sample_rate
    assert rate is not None
    canceller = EchoCanceller(rate, processor=processor, clock=clock, timing=timing)
    return EchoCancelledMicrophone(mic, canceller), SystemAudioTee(system, canceller)
