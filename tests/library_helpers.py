"""Helpers for the library, recording and playback tests: synthetic transcripts and a fake
PortAudio output the test drives block by block (no thread, no sound card)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from desktop.core.transcript import Token

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "our",
    "budget",
    "meeting",
    "runs",
    "long",
    "and",
    "everyone",
    "agrees",
    "that",
    "the",
    "project",
    "plan",
    "needs",
    "another",
    "review",
    "before",
    "friday",
]


def spoken_tokens(
    n_words: int,
    *,
    seed: int = 0,
    speakers: int = 2,
    words_per_turn: int = 30,
    start_ms: int = 0,
    word_ms: int = 300,
    vocabulary: tuple[str, ...] | list[str] = WORDS,
) -> list[Token]:
    """Final tokens of ``n_words`` words, a speaker turn (with ``<end>``) every ``words_per_turn``."""
    rng = random.Random(seed)
    tokens: list[Token] = []
    t = start_ms
    for i in range(n_words):
        speaker = str(i // words_per_turn % speakers + 1) if speakers else None
        word = rng.choice(vocabulary)
        if i % 12 == 11:
            word += "."
        tokens.append(Token(" " + word, t, t + word_ms - 40, 0.9, True, speaker, "en"))
        t += word_ms
        if i % words_per_turn == words_per_turn - 1:
            tokens.append(Token("<end>", None, None, None, True, speaker, None))
    return tokens


def write_sine_ogg(path: Path, seconds: float, *, rate: int = 16000, freq: float = 440.0) -> Path:
    """A sine as Ogg Vorbis, written a second at a time (libsndfile's Vorbis encoder has crashed
    on a single multi-minute write)."""
    import soundfile

    t = np.arange(int(seconds * rate)) / rate
    signal = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    with soundfile.SoundFile(str(path), "w", samplerate=rate, channels=1, format="OGG", subtype="VORBIS") as f:
        for start in range(0, len(signal), rate):
            f.write(signal[start : start + rate])
    return path


class CallbackStop(Exception):
    pass


class PortAudioError(Exception):
    pass


class _TimeInfo:
    def __init__(self, current: float, dac: float) -> None:
        self.currentTime = current
        self.outputBufferDacTime = dac


class FakeOutputStream:
    """An output stream that renders only when the test calls :meth:`pump`."""

    def __init__(self, device: FakeOutputDevice, **kwargs: Any) -> None:
        self.device = device
        self.kwargs = kwargs
        self.samplerate = kwargs["samplerate"]
        self.channels = kwargs["channels"]
        self.blocksize = kwargs["blocksize"]
        self.callback = kwargs["callback"]
        self.finished_callback = kwargs.get("finished_callback")
        self.latency = device.latency
        self.time = 0.0
        self.active = False
        self.closed = False
        self.played: list[np.ndarray] = []
        self.starts = 0

    def start(self) -> None:
        self.active = True
        self.starts += 1

    def stop(self) -> None:
        self.active = False

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True
        self.active = False

    def pump(self, blocks: int = 1) -> None:
        """Render ``blocks`` blocks; the stream clock advances by one block each."""
        for _ in range(blocks):
            if not self.active:
                return
            out = np.zeros((self.blocksize, self.channels), dtype=np.float32)
            info = _TimeInfo(self.time, self.time + self.latency)
            try:
                self.callback(out, self.blocksize, info, None)
            except CallbackStop:
                self.played.append(out.copy())
                self.active = False
                if self.finished_callback is not None:
                    self.finished_callback()
                return
            self.played.append(out.copy())
            self.time += self.blocksize / self.samplerate

    def advance(self, seconds: float) -> None:
        """Let the clock run without rendering (what is buffered is being heard)."""
        self.time += seconds

    def audio(self) -> np.ndarray:
        return np.concatenate(self.played) if self.played else np.zeros((0, self.channels), np.float32)


class FakeOutputDevice:
    """Stands in for the ``sounddevice`` module on the output side."""

    CallbackStop = CallbackStop
    PortAudioError = PortAudioError

    def __init__(
        self, *, supported_rates: set[int] | None = None, default_rate: int = 48000, latency: float = 0.1
    ) -> None:
        self.supported_rates = supported_rates
        self.default_rate = default_rate
        self.latency = latency
        self.streams: list[FakeOutputStream] = []

    def OutputStream(self, **kwargs: Any) -> FakeOutputStream:  # noqa: N802 - sounddevice's name
        if self.supported_rates is not None and kwargs["samplerate"] not in self.supported_rates:
            raise PortAudioError(f"Invalid sample rate {kwargs['samplerate']}")
        stream = FakeOutputStream(self, **kwargs)
        self.streams.append(stream)
        return stream

    def query_devices(self, device: Any = None, kind: str | None = None) -> dict[str, Any]:
        return {
            "name": "Fake output",
            "default_samplerate": float(self.default_rate),
            "max_output_channels": 2,
        }

    @property
    def stream(self) -> FakeOutputStream:
        return self.streams[-1]
