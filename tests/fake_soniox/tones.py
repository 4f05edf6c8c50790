"""Tone-coded speech: audio that carries its own words, for the emulator's acoustic mode.

The scripted recogniser hands out the next script word whenever it hears voiced audio, so two
sessions cannot hear *different* words and an echo of one side in the other side's microphone
cannot be recognised as that side's words. Meetings need both. Tone speech fixes that without a
speech model: every word of a fixed vocabulary is a chord of two tones on a 50 Hz grid between
300 and 3400 Hz, plus one speaker tone in a band of its own (3500-3800 Hz).

Why these choices:

* 40 ms analysis windows (a 20 ms hop) give 25 Hz FFT bins at every common sample rate (8, 16,
  22.05, 44.1, 48 kHz all divide into whole 40 ms windows), so grid tones always fall on a bin
  centre and a Hann window leaves nothing on the neighbouring grid tones (two bins away). The
  code survives resampling, delay and gain changes because it is only *which* tones sound;
* the two word tones of one voice are equally loud, so "the two strongest tones, clearly above
  the third" picks the louder of two overlapping voices and calls an equal mix garbled
  (nothing), as a real recogniser would mostly fail on it;
* a word is a run of hops with the same code lasting at least ``MIN_WORD_HOPS`` (120 ms); the
  short fragments an echo leaves in the 60 ms gaps between the louder voice's words are too short
  to be words, and a sudden drop of more than 12 dB inside a run starts a new run (the echo's
  tail of a word is not the word itself);
* tones below ``THRESHOLD_DBFS`` (per-tone amplitude) are silence: the quiet residue an echo
  canceller leaves is not speech, while an untreated echo at -12...-25 dB is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import count

import numpy as np

from .script import DEFAULT_SCRIPT

RATE = 16_000
HOP_MS = 20.0
WINDOW_MS = 40.0
GRID_HZ = tuple(range(300, 3401, 50))  # 63 word tones
SPEAKER_HZ = (3500, 3600, 3700, 3800)  # speakers 1..4
MIN_SEPARATION_STEPS = 4  # the two tones of a word are at least 200 Hz apart
DEFAULT_AMPLITUDE = 0.15  # per tone: three tones peak at 0.45 full scale, about -15 dBFS RMS
THRESHOLD_DBFS = -50.0  # per-tone amplitude below which nothing is heard
PAIR_MARGIN_DB = 9.0  # the second tone of a word may be this much weaker than the first ...
THIRD_MARGIN_DB = 6.0  # ... and any third tone must be this much weaker than the second
SPEAKER_MARGIN_DB = 12.0  # the speaker tone may be this much weaker than the word's tones
RUN_BREAK_DB = 12.0  # a drop this large inside a run of one code starts a new run
MIN_WORD_HOPS = 6  # 120 ms of the same code make a word
RAMP_MS = 5.0

_COMMON_TEXT = """
a about after again agree all also always am an and any anything are around as ask at back be
because been before being below better between both but by call can can't could day did do does
doing done don't down each early end enough even every first for from get go going good got great
had has have he hear hello help her here hi him his how i i'm if in into is it it's just know last
later let like look make many may maybe me meeting mean more morning most much must my need never
new next no not nothing now of off ok okay on once one only or other our out over please plan
point question really right said same say see she should so some something sorry start still
sure take talk team than thank thanks that that's the their them then there these they thing
think this those though three through time to today together too two under until up us very
want was way we we're well were what when where which while who why will with work would yeah
year yes yet you you're your
Yes. No. Okay. Right. Sure. Thanks. Hello. Great. Good. you? yes? that? it? now? today? too.
yes, no, okay, so, well, right, now, today. tomorrow. later. here. there. it. that. this. too,
yes. no. okay. right. sure. thanks. good. great. fine. fine, fine done. agreed. exactly. really?
"""
COMMON_WORDS: tuple[str, ...] = tuple(_COMMON_TEXT.split())


def _vocabulary() -> tuple[str, ...]:
    """Script words first (as the script writes them, punctuation attached), then common words."""
    seen: dict[str, None] = {}
    for utt in DEFAULT_SCRIPT:
        for word in utt.words():
            seen.setdefault(word, None)
    for word in COMMON_WORDS:
        seen.setdefault(word, None)
    return tuple(seen)


def _codes(n: int) -> list[tuple[int, int]]:
    """``n`` tone pairs (grid indexes), spread by a fixed shuffle so neighbouring words differ a lot."""
    pairs = [(i, j) for i in range(len(GRID_HZ)) for j in range(i + MIN_SEPARATION_STEPS, len(GRID_HZ))]
    random.Random(20261204).shuffle(pairs)
    if n > len(pairs):
        raise ValueError(f"{n} words do not fit in {len(pairs)} tone codes")
    return pairs[:n]


VOCABULARY: tuple[str, ...] = _vocabulary()
_CODE_OF: dict[str, tuple[int, int]] = dict(zip(VOCABULARY, _codes(len(VOCABULARY)), strict=True))
_WORD_OF: dict[tuple[int, int], str] = {code: word for word, code in _CODE_OF.items()}


def speakable(word: str) -> bool:
    return word in _CODE_OF


def speak(
    words: list[str] | str,
    speaker: int = 1,
    *,
    word_ms: int = 300,
    gap_ms: int = 60,
    amplitude: float = DEFAULT_AMPLITUDE,
    rate: int = RATE,
) -> bytes:
    """Mono s16le PCM that acoustic mode recognises as exactly ``words`` said by ``speaker``.

    ``words`` may be a list or a whitespace-separated string; every word must be in
    ``VOCABULARY`` (punctuation is part of the word, as in the scripts). Each word sounds for
    ``word_ms`` and is followed by ``gap_ms`` of silence, so the audio lasts
    ``len(words) * (word_ms + gap_ms)`` ms. ``amplitude`` is per tone (three tones sound at once).
    """
    items = words.split() if isinstance(words, str) else list(words)
    unknown = [w for w in items if w not in _CODE_OF]
    if unknown:
        raise ValueError(f"not in the tone vocabulary: {unknown!r}")
    if not 1 <= speaker <= len(SPEAKER_HZ):
        raise ValueError(f"speaker must be 1..{len(SPEAKER_HZ)}")
    if word_ms < 140:
        raise ValueError("word_ms below 140 ms is too short to be heard as a word")
    n_word = round(rate * word_ms / 1000)
    n_gap = round(rate * gap_ms / 1000)
    t = np.arange(n_word) / rate
    ramp_n = max(1, round(rate * RAMP_MS / 1000))
    envelope = np.ones(n_word)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp_n) / ramp_n)
    envelope[:ramp_n] = ramp
    envelope[-ramp_n:] = ramp[::-1]
    spk = np.sin(2 * np.pi * SPEAKER_HZ[speaker - 1] * t)
    pieces: list[np.ndarray] = []
    for word in items:
        i, j = _CODE_OF[word]
        tone = np.sin(2 * np.pi * GRID_HZ[i] * t) + np.sin(2 * np.pi * GRID_HZ[j] * t) + spk
        pieces.append(tone * envelope * amplitude)
        pieces.append(np.zeros(n_gap))
    signal = np.concatenate(pieces) if pieces else np.zeros(0)
    return np.clip(np.round(signal * 32767), -32768, 32767).astype("<i2").tobytes()


def duration_ms(n_words: int, *, word_ms: int = 300, gap_ms: int = 60) -> int:
    """How long ``speak`` audio of ``n_words`` words lasts."""
    return n_words * (word_ms + gap_ms)


def pcm_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def float_to_pcm(samples: np.ndarray) -> bytes:
    return np.clip(np.round(samples * 32768), -32768, 32767).astype("<i2").tobytes()


def mix(*tracks: bytes) -> bytes:
    """Sum s16le tracks (the shorter ones padded with silence), clipping at full scale."""
    arrays = [pcm_to_float(t) for t in tracks]
    out = np.zeros(max((len(a) for a in arrays), default=0))
    for a in arrays:
        out[: len(a)] += a
    return float_to_pcm(out)


def attenuate(pcm: bytes, db: float, delay_ms: float = 0.0, rate: int = RATE) -> bytes:
    """``pcm`` made ``db`` dB quieter (db > 0) and ``delay_ms`` later: an echo of it."""
    samples = pcm_to_float(pcm) * 10 ** (-db / 20)
    pad = np.zeros(round(rate * delay_ms / 1000))
    return float_to_pcm(np.concatenate([pad, samples]))


@dataclass(frozen=True)
class HeardWord:
    """A word the decoder is sure of: a run of at least ``MIN_WORD_HOPS`` hops of one code."""

    ident: int
    text: str
    speaker: str
    start_ms: float


@dataclass(frozen=True)
class Hop:
    """One 20 ms hop of audio: how long, whether anything audible sounds, and the word it is part of.

    ``word`` is None while a run is too short to be a word, in silence and in garbled audio.
    """

    duration_ms: float
    voiced: bool
    word: HeardWord | None


_ids = count(1)


class ToneDecoder:
    """Streaming decoder: feed mono float samples (any rate), get ``Hop`` results in time order.

    The window of hop ``i`` is centred on it (it reaches 10 ms before and 10 ms after), so each
    hop is reported 20 ms after its audio arrived; ``flush`` reports the rest at end of stream.
    """

    def __init__(
        self,
        rate: int,
        *,
        threshold_dbfs: float = THRESHOLD_DBFS,
        min_word_hops: int = MIN_WORD_HOPS,
    ) -> None:
        if rate < 8000:
            raise ValueError("tone speech needs a sample rate of at least 8 kHz")
        self.rate = rate
        self.hop = max(1, round(rate * HOP_MS / 1000))
        self.window = 2 * self.hop
        self.hop_ms = self.hop * 1000.0 / rate
        self._threshold = 10 ** (threshold_dbfs / 20)
        self._min_hops = min_word_hops
        self._taper = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(self.window) / self.window)  # periodic Hann
        self._scale = 2.0 / float(self._taper.sum())
        bin_hz = rate / self.window
        self._grid_bins = np.array([round(f / bin_hz) for f in GRID_HZ])
        self._speaker_bins = np.array([round(f / bin_hz) for f in SPEAKER_HZ])
        top = min(4000.0, rate / 2 - bin_hz)
        self._voice_lo, self._voice_hi = round(100 / bin_hz), round(top / bin_hz)
        self._buf = np.zeros(self.hop // 2)  # the first window starts half a hop before the audio
        self._next = 0  # index into _buf of the next window's start
        self._real = 0  # samples of real audio received (not padding)
        self._hops_out = 0
        self._run_code: tuple[tuple[int, int], int] | None = None
        self._run_start = 0
        self._run_len = 0
        self._run_peak = 0.0
        self._run_word: HeardWord | None = None

    # ------------------------------------------------------------------ frames
    def _classify(self, frame: np.ndarray) -> tuple[bool, tuple[tuple[int, int], int] | None, float]:
        """(voiced, code or None, level of the strongest word tone) of one window."""
        amp = np.abs(np.fft.rfft(frame * self._taper)) * self._scale
        voiced = bool(amp[self._voice_lo : self._voice_hi + 1].max(initial=0.0) >= self._threshold)
        words = amp[self._grid_bins]
        order = np.argsort(words)[::-1]
        a1, a2, a3 = words[order[0]], words[order[1]], words[order[2]]
        if a1 < self._threshold or a2 < self._threshold:
            return voiced, None, float(a1)
        if a2 < a1 * 10 ** (-PAIR_MARGIN_DB / 20) or a3 > a2 * 10 ** (-THIRD_MARGIN_DB / 20):
            return voiced, None, float(a1)
        spk = amp[self._speaker_bins]
        s_order = np.argsort(spk)[::-1]
        s1, s2 = spk[s_order[0]], spk[s_order[1]]
        if s1 < max(self._threshold, a2 * 10 ** (-SPEAKER_MARGIN_DB / 20)) or s2 > s1 * 10 ** (-THIRD_MARGIN_DB / 20):
            return voiced, None, float(a1)
        i, j = sorted((int(order[0]), int(order[1])))
        return voiced, ((i, j), int(s_order[0]) + 1), float(a1)

    def _segment(self, code: tuple[tuple[int, int], int] | None, level: float) -> HeardWord | None:
        """Group hops into runs of one code; a run long enough is a word (if the code is one)."""
        same = code is not None and code == self._run_code and level >= self._run_peak * 10 ** (-RUN_BREAK_DB / 20)
        if same:
            self._run_len += 1
            self._run_peak = max(self._run_peak, level)
        else:
            self._run_code, self._run_start, self._run_len = code, self._hops_out, 1
            self._run_peak, self._run_word = level, None
        if code is None:
            return None
        if self._run_word is None and self._run_len >= self._min_hops:
            text = _WORD_OF.get(code[0])
            if text is not None:
                self._run_word = HeardWord(next(_ids), text, str(code[1]), self._run_start * self.hop_ms)
        return self._run_word

    def _take(self, final: bool) -> list[Hop]:
        hops: list[Hop] = []
        while True:
            hop_start = self._hops_out * self.hop  # in real-audio samples
            remaining = self._real - hop_start
            if remaining <= 0:
                break
            end = self._next + self.window
            if end > len(self._buf):
                if not final:
                    break
                self._buf = np.concatenate([self._buf, np.zeros(end - len(self._buf))])
            voiced, code, level = self._classify(self._buf[self._next : end])
            word = self._segment(code, level)
            duration = min(self.hop, remaining) * 1000.0 / self.rate
            hops.append(Hop(duration, voiced or word is not None, word))
            self._next += self.hop
            self._hops_out += 1
        if self._next > 4 * self.window:  # drop consumed samples now and then
            self._buf = self._buf[self._next :]
            self._next = 0
        return hops

    def feed(self, samples: np.ndarray) -> list[Hop]:
        """Add mono float samples in [-1, 1]; return every hop whose window is now complete."""
        self._buf = np.concatenate([self._buf, np.asarray(samples, dtype=np.float64)])
        self._real += len(samples)
        return self._take(final=False)

    def flush(self) -> list[Hop]:
        """End of stream: the hops still waiting for their window's second half."""
        return self._take(final=True)


def decode(pcm: bytes, rate: int = RATE, **kw: float) -> list[HeardWord]:
    """Every word in a whole s16le recording (for tests and benches that check audio offline)."""
    decoder = ToneDecoder(rate, **kw)  # type: ignore[arg-type]
    seen: dict[int, HeardWord] = {}
    for hop in [*decoder.feed(pcm_to_float(pcm)), *decoder.flush()]:
        if hop.word is not None:
            seen.setdefault(hop.word.ident, hop.word)
    return list(seen.values())
