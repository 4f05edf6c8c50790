"""A meeting in tone speech: what the microphone and the system audio capture, and sources for them.

``meeting_tracks`` lays out a conversation on one timeline: "Others" (the system audio, diarized
speakers 2 and 3) and "You" (speaker 1) take turns, sometimes talking over each other, and the
loudspeakers' sound reaches the microphone ``echo_db`` quieter and ``echo_delay_ms`` later (plus a
little room noise). ``PacedSource`` plays a track as a live device would: a ~100 ms chunk when it has
been captured, on a clock shared by both sources (sped up by ``speed`` so tests and benches need
not wait in real time; the echo canceller then gets the same sped-up clock).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np

from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat, AudioSourceError, SourceStats
from tests.fake_soniox.tones import VOCABULARY, attenuate, duration_ms, float_to_pcm, mix, pcm_to_float, speak

RATE = 16_000
BYTES_PER_MS = RATE * 2 // 1000
#: Plain words (no punctuation) make easy utterances; each side draws from its own half so a
#: duplicate is unambiguous when counting, and the guard has to work on timing, not on vocabulary.
PLAIN = [w for w in VOCABULARY if w.replace("'", "").isalpha() and w.islower()]


@dataclass
class Meeting:
    mic: bytes  # You + the echo of the system audio + room noise
    system: bytes  # what the loudspeakers play (the far end)
    you: list[tuple[int, str]] = field(default_factory=list)  # (start ms, word) said by You
    others: list[tuple[int, str]] = field(default_factory=list)  # (start ms, word) from the system audio

    @property
    def duration_ms(self) -> int:
        return max(len(self.mic), len(self.system)) // BYTES_PER_MS


def meeting_tracks(
    seed: int = 1,
    *,
    seconds: float = 60.0,
    echo_db: float = 18.0,
    echo_delay_ms: float = 80.0,
    overlap: float = 0.3,
    noise_dbfs: float = -70.0,
    shared_words: bool = False,
) -> Meeting:
    """A conversation of about ``seconds``: turns of 3-10 words, pauses of 0.3-1.2 s; with
    probability ``overlap`` You starts talking while Others still speak. ``shared_words`` lets
    both sides use the same words (then "the same word at the same time" must still be You's)."""
    rng = random.Random(seed)
    half = len(PLAIN) // 2
    you_vocab = PLAIN if shared_words else PLAIN[:half]
    others_vocab = PLAIN if shared_words else PLAIN[half:]
    total = int(seconds * RATE)
    you_track = np.zeros(total)
    others_track = np.zeros(total)
    meeting = Meeting(b"", b"")
    t_ms = 500
    last_was_others = False
    while True:
        others_turn = rng.random() < 0.55
        n = rng.randint(3, 10)
        words = [rng.choice(others_vocab if others_turn else you_vocab) for _ in range(n)]
        length = duration_ms(n)
        start = t_ms
        if not others_turn and last_was_others and rng.random() < overlap:
            last_start = meeting.others[-1][0]
            start = max(last_start + 400, t_ms - rng.randint(300, 1500))  # talk over the end of their turn
        if (start + length) * RATE // 1000 >= total:
            break
        speaker = rng.choice((2, 3)) if others_turn else 1
        samples = pcm_to_float(speak(words, speaker))
        i = start * RATE // 1000
        (others_track if others_turn else you_track)[i : i + len(samples)] += samples
        target = meeting.others if others_turn else meeting.you
        target.extend((start + k * duration_ms(1), w) for k, w in enumerate(words))
        t_ms = max(t_ms, start + length) + rng.randint(300, 1200)
        last_was_others = others_turn
    system = float_to_pcm(others_track)
    noise = np.random.default_rng(seed).standard_normal(total) * 10 ** (noise_dbfs / 20)
    echo = attenuate(system, echo_db, echo_delay_ms)[: total * 2]
    meeting.mic = mix(float_to_pcm(you_track + noise), echo)[: total * 2]
    meeting.system = system
    return meeting


class VirtualClock:
    """Loop time sped up ``speed`` times: both sources and the echo canceller read it."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._t0: float | None = None

    def now(self) -> float:
        loop_now = asyncio.get_running_loop().time()
        if self._t0 is None:
            self._t0 = loop_now
        return (loop_now - self._t0) * self.speed

    async def sleep_until(self, t: float) -> None:
        wait = (t - self.now()) / self.speed
        await asyncio.sleep(max(0.0, wait))


class PacedSource:
    """An AudioSource over a track laid on the shared timeline, as a device started at ``start_ms``
    captures it: from the track's ``start_ms`` on, chunk k is yielded when its last sample has been
    captured (``start_ms + (k + 1) * chunk_ms`` on ``clock``). Two sources with different
    ``start_ms`` thus deliver at different phases, with timestamps a canceller can rely on.
    ``fail_at_ms`` (of this source's own audio) raises AudioSourceError there."""

    def __init__(
        self,
        pcm: bytes,
        clock: VirtualClock,
        *,
        label: str = "paced source",
        chunk_ms: int = 100,
        start_ms: int = 0,
        fail_at_ms: int | None = None,
        fmt: AudioFormat = PCM16_MONO_16K,
    ) -> None:
        self.pcm = pcm[start_ms * BYTES_PER_MS :]
        self.clock = clock
        self._label = label
        self.chunk_ms = chunk_ms
        self.start_ms = start_ms
        self.fail_at_ms = fail_at_ms
        self._format = fmt
        self._stats = SourceStats()
        self._stopped = asyncio.Event()
        self.started = False
        self.stopped = False

    @property
    def format(self) -> AudioFormat:
        return self._format

    @property
    def label(self) -> str:
        return self._label

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def start(self) -> None:
        self.started = True
        self.clock.now()  # the shared clock starts with the first source

    async def chunks(self) -> AsyncIterator[bytes]:
        size = self.chunk_ms * BYTES_PER_MS
        for k, pos in enumerate(range(0, len(self.pcm), size)):
            if self._stopped.is_set():
                return
            if self.fail_at_ms is not None and pos >= self.fail_at_ms * BYTES_PER_MS:
                raise AudioSourceError("The device was disconnected.")
            await self.clock.sleep_until((self.start_ms + (k + 1) * self.chunk_ms) / 1000)
            chunk = self.pcm[pos : pos + size]
            self._stats.chunks += 1
            self._stats.bytes += len(chunk)
            yield chunk

    async def stop(self) -> None:
        self.stopped = True
        self._stopped.set()
