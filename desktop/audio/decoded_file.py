"""Stream a local file as 16 kHz mono PCM where libsndfile can decode it, so a reconnect loses nothing.

:class:`~desktop.audio.file_source.FileSource` sends a file's original bytes (``audio_format:
auto``). That cannot survive a reconnect: bytes of a compressed stream do not map to time, so the
session cannot replay from the last final word, and a new connection that starts mid-file gets no
header. Decoded PCM maps bytes to milliseconds exactly, and the session replays it like the
microphone's: after a reconnect Soniox hears everything from the last finalised millisecond on.

libsndfile (``soundfile``) decodes WAV, FLAC, Ogg Vorbis/Opus, MP3, AIFF and CAF: the formats
people stream most. Others (AAC/M4A, WebM, WMA…) are streamed as they are; for those a reconnect
resumes from the current position (see ``desktop.core.live.session``). Decoding costs ~1 % of a
core for MP3 and runs on a worker thread, a second of audio at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import soundfile

from desktop.audio.file_source import FileSource
from desktop.audio.pacing import Pacer
from desktop.audio.resample import StreamResampler
from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat

log = logging.getLogger(__name__)

#: Decoded per worker-thread hop; sliced into ``chunk_ms`` pieces for the session.
DECODE_BLOCK_S = 1.0


class DecodingFileSource(FileSource):
    """A :class:`FileSource` that sends PCM when the file can be decoded, its own bytes otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Probed now, not at start(): the session's config (audio_format) is built from ``format``
        # before the source starts. Opening reads only the header (~0.3 ms for a 30-min MP3).
        self._decoder: soundfile.SoundFile | None = self._open_decoder()
        self._pcm = self._decoder is not None  # stays True after the decoder closes at the end

    @property
    def format(self) -> AudioFormat:
        return PCM16_MONO_16K if self._pcm else super().format

    @property
    def decoded(self) -> bool:
        return self._pcm

    @property
    def position_s(self) -> float:
        if not self._pcm:
            return super().position_s
        return self.stats.bytes / (PCM16_MONO_16K.bytes_per_second or 1)

    async def start(self) -> None:
        try:
            await super().start()  # the file checks: missing, not a file, empty, not audio
        except BaseException:
            self._close_decoder()
            raise

    def _open_decoder(self) -> soundfile.SoundFile | None:
        if not self.path.is_file():
            return None  # start() says why, in the file checks' words
        try:
            decoder = soundfile.SoundFile(str(self.path))
        except Exception as exc:  # LibsndfileError, RuntimeError: a format libsndfile does not know
            log.info("%s is streamed as it is (no PCM decoder: %s)", self.path.name, type(exc).__name__)
            return None
        if decoder.frames <= 0 or decoder.samplerate <= 0:
            decoder.close()
            return None
        return decoder

    async def chunks(self) -> AsyncIterator[bytes]:
        decoder = self._decoder
        if not self._pcm:
            async for chunk in super().chunks():
                yield chunk
            return
        if decoder is None:  # stopped before it began
            return
        out_rate = PCM16_MONO_16K.sample_rate or 16000
        bps = PCM16_MONO_16K.bytes_per_second or 32000
        chunk_bytes = bps * self._chunk_ms // 1000
        resampler = StreamResampler(decoder.samplerate, out_rate) if decoder.samplerate != out_rate else None
        block_frames = max(1, int(decoder.samplerate * DECODE_BLOCK_S))
        pacer = Pacer(bps, speed=self._speed, clock=self._clock, sleep=self._sleep)
        pending = b""
        try:
            exact = resampler is None and decoder.channels == 1  # 16 kHz mono: the samples as they are
            while not self._stopped:
                if exact:
                    raw = await asyncio.to_thread(decoder.buffer_read, block_frames, dtype="int16")
                    last = len(raw) < block_frames * 2
                    pending += bytes(raw)
                else:
                    block = await asyncio.to_thread(_read_mono, decoder, block_frames)
                    last = block.size < block_frames
                    if resampler is not None:
                        tail = resampler.flush() if last else np.zeros(0, np.float32)
                        block = np.concatenate([resampler.process(block), tail])
                    pending += _to_pcm16(block)
                while len(pending) >= chunk_bytes or (last and pending):
                    chunk, pending = pending[:chunk_bytes], pending[chunk_bytes:]
                    await pacer.wait(self.stats.bytes)
                    if self._stopped:
                        return
                    self.stats.chunks += 1
                    self.stats.bytes += len(chunk)
                    yield chunk
                if last:
                    return
        finally:
            self._close_decoder()
            self._close()

    async def stop(self) -> None:
        await super().stop()
        # The decoder may be mid-read on the worker thread; chunks() closes it when that returns.

    def _close_decoder(self) -> None:
        decoder, self._decoder = self._decoder, None
        if decoder is not None:
            decoder.close()


def _read_mono(decoder: soundfile.SoundFile, frames: int) -> np.ndarray:
    data: np.ndarray = decoder.read(frames, dtype="float32", always_2d=True)
    mono: np.ndarray = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return mono


def _to_pcm16(samples: np.ndarray) -> bytes:
    pcm: bytes = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return pcm
