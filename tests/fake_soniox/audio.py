"""Audio the emulator can measure: duration and "is someone speaking" per 20 ms window.

Words are paced by the audio actually received, so the emulator needs two facts about every
stretch of audio: how long it lasts and whether it is loud enough to be speech. Raw PCM (every
``pcm_*`` layout, mu-law and A-law) and WAV (sent as ``wav`` or detected under ``auto``) are
decoded exactly. Compressed real-time streams are not decoded, so their duration is estimated at
16,000 bytes/s and all of it counts as speech; whole compressed files (uploads, fetched URLs) get
their real length from their container (``measure_duration_ms``).
"""

from __future__ import annotations

import logging
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("fake_soniox.audio")

WINDOW_MS = 20.0
COMPRESSED_BYTES_PER_SECOND = 16_000

HEADER_FORMATS = frozenset({"aac", "aiff", "amr", "asf", "flac", "mp3", "ogg", "wav", "webm"})


@dataclass(frozen=True)
class RawLayout:
    """How one raw sample is stored: numpy dtype (or a special decoder) and byte width."""

    dtype: str
    width: int


RAW_FORMATS: dict[str, RawLayout] = {
    "pcm_s8": RawLayout("i1", 1),
    "pcm_u8": RawLayout("u1", 1),
    "pcm_s16le": RawLayout("<i2", 2),
    "pcm_s16be": RawLayout(">i2", 2),
    "pcm_u16le": RawLayout("<u2", 2),
    "pcm_u16be": RawLayout(">u2", 2),
    "pcm_s24le": RawLayout("s24le", 3),
    "pcm_s24be": RawLayout("s24be", 3),
    "pcm_u24le": RawLayout("u24le", 3),
    "pcm_u24be": RawLayout("u24be", 3),
    "pcm_s32le": RawLayout("<i4", 4),
    "pcm_s32be": RawLayout(">i4", 4),
    "pcm_u32le": RawLayout("<u4", 4),
    "pcm_u32be": RawLayout(">u4", 4),
    "pcm_f32le": RawLayout("<f4", 4),
    "pcm_f32be": RawLayout(">f4", 4),
    "pcm_f64le": RawLayout("<f8", 8),
    "pcm_f64be": RawLayout(">f8", 8),
    "mulaw": RawLayout("mulaw", 1),
    "alaw": RawLayout("alaw", 1),
}

SUPPORTED_FORMATS = frozenset({"auto", *HEADER_FORMATS, *RAW_FORMATS})


def _mulaw_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = ((mantissa << 3) + 0x84) << exponent
    value = magnitude - 0x84
    return np.where(sign != 0, -value, value).astype(np.float64) / 32768.0


def _alaw_table() -> np.ndarray:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    value = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << (exponent - 1))
    return np.where(sign != 0, value, -value).astype(np.float64) / 32768.0


_MULAW = _mulaw_table()
_ALAW = _alaw_table()


def decode_raw(data: bytes, fmt: str) -> np.ndarray:
    """Samples of ``data`` (whole samples only) as float64 in roughly [-1, 1]."""
    layout = RAW_FORMATS[fmt]
    usable = len(data) - len(data) % layout.width
    buf = np.frombuffer(data[:usable], dtype=np.uint8)
    if layout.dtype in ("mulaw", "alaw"):
        return (_MULAW if layout.dtype == "mulaw" else _ALAW)[buf]
    if layout.width == 3:
        triples = buf.reshape(-1, 3).astype(np.int32)
        if layout.dtype.endswith("be"):
            triples = triples[:, ::-1]
        value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        if layout.dtype.startswith("s"):
            value = np.where(value >= 1 << 23, value - (1 << 24), value)
        else:
            value = value - (1 << 23)
        return value.astype(np.float64) / float(1 << 23)
    samples = np.frombuffer(data[:usable], dtype=np.dtype(layout.dtype)).astype(np.float64)
    kind = np.dtype(layout.dtype).kind
    if kind == "f":
        return samples
    bits = 8 * layout.width
    if kind == "u":
        samples = samples - float(1 << (bits - 1))
    return samples / float(1 << (bits - 1))


@dataclass(frozen=True)
class WavHeader:
    """What a WAV header tells: the raw layout of the data, rate, channels and where data starts."""

    raw_format: str | None
    sample_rate: int
    channels: int
    data_offset: int
    data_size: int | None = None  # None when a streaming writer left the size open (0 or 0xFFFFFFFF)


_WAV_CODECS = {
    (1, 8): "pcm_u8",
    (1, 16): "pcm_s16le",
    (1, 24): "pcm_s24le",
    (1, 32): "pcm_s32le",
    (3, 32): "pcm_f32le",
    (3, 64): "pcm_f64le",
    (6, 8): "alaw",
    (7, 8): "mulaw",
}


def looks_like_wav(prefix: bytes) -> bool:
    return len(prefix) >= 12 and prefix[:4] == b"RIFF" and prefix[8:12] == b"WAVE"


def parse_wav_header(data: bytes) -> WavHeader | None:
    """Parse a (possibly streaming) WAV header; None until the ``data`` chunk has started.

    Streaming writers put 0 or 0xFFFFFFFF in the size fields, so sizes are not trusted: all bytes
    after the ``data`` chunk header count as audio.
    """
    if not looks_like_wav(data):
        return None
    pos = 12
    codec = bits = rate = channels = 0
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if chunk_id == b"data":
            if not rate:
                return None
            fmt = _WAV_CODECS.get((codec, bits))
            return WavHeader(fmt, rate, max(1, channels), body, size if size not in (0, 0xFFFFFFFF) else None)
        if chunk_id == b"fmt ":
            if body + 16 > len(data):
                return None
            codec, channels, rate = struct.unpack_from("<HHI", data, body)
            bits = struct.unpack_from("<H", data, body + 14)[0]
            if codec == 0xFFFE and body + 26 <= len(data):  # WAVE_FORMAT_EXTENSIBLE: real codec in the GUID
                codec = struct.unpack_from("<H", data, body + 24)[0]
        pos = body + size + (size & 1)
    return None


class AudioMeter:
    """Cuts a received byte stream into 20 ms windows and says whether each one is voiced.

    Frames may split samples or headers anywhere, so undecoded bytes are carried over to the
    next ``feed``. ``threshold_dbfs`` is the RMS level above which a window counts as speech.
    """

    def __init__(
        self,
        audio_format: str,
        sample_rate: int | None,
        num_channels: int | None,
        threshold_dbfs: float = -40.0,
        keep_samples: bool = False,
    ) -> None:
        self._format = audio_format
        self._keep_samples = keep_samples
        self._samples: list[np.ndarray] = []
        self._rate = sample_rate or 0
        self._channels = num_channels or 1
        self._threshold = 10 ** (threshold_dbfs / 20.0)
        self._pending = b""
        self._raw: str | None = None
        self._decided = False
        self._compressed = False
        if audio_format in RAW_FORMATS:
            self._raw, self._decided = audio_format, True
        elif audio_format in HEADER_FORMATS and audio_format != "wav":
            self._compressed, self._decided = True, True

    @property
    def description(self) -> str:
        """How the stream is being measured (kept on the session record for debugging)."""
        if self._compressed:
            return f"compressed ({COMPRESSED_BYTES_PER_SECOND} B/s estimate)"
        if self._raw:
            return f"{self._raw} {self._rate} Hz x{self._channels}"
        return "undecided"

    @property
    def compressed(self) -> bool:
        """True when the stream is not decoded (only its length is estimated)."""
        return self._compressed

    @property
    def sample_rate(self) -> int:
        return self._rate

    def take_samples(self) -> np.ndarray:
        """Mono float samples decoded since the last call (``keep_samples=True``; acoustic mode)."""
        if not self._samples:
            return np.zeros(0)
        out = np.concatenate(self._samples)
        self._samples = []
        return out

    def _decide(self) -> bool:
        """For ``wav``/``auto``: wait for enough header bytes, then pick raw or compressed."""
        if len(self._pending) < 12:
            return False
        if not looks_like_wav(self._pending):
            self._compressed = True
            return True
        header = parse_wav_header(self._pending)
        if header is None:
            if len(self._pending) > 1 << 16:  # no data chunk in 64 KiB: treat as opaque audio
                self._compressed = True
                return True
            return False
        if header.raw_format is None:
            self._compressed = True
        else:
            self._raw, self._rate, self._channels = header.raw_format, header.sample_rate, header.channels
        self._pending = self._pending[header.data_offset :]
        return True

    def feed(self, data: bytes) -> list[tuple[float, bool]]:
        """Add bytes; return ``(duration_ms, voiced)`` for every window completed by them."""
        self._pending += data
        if not self._decided:
            self._decided = self._decide()
            if not self._decided:
                return []
        if self._compressed:
            window_bytes = int(COMPRESSED_BYTES_PER_SECOND * WINDOW_MS / 1000)
            n = len(self._pending) // window_bytes
            self._pending = self._pending[n * window_bytes :]
            return [(WINDOW_MS, True)] * n
        assert self._raw is not None
        width = RAW_FORMATS[self._raw].width
        frames_per_window = max(1, round(self._rate * WINDOW_MS / 1000))
        window_bytes = frames_per_window * self._channels * width
        n = len(self._pending) // window_bytes
        if n == 0:
            return []
        chunk, self._pending = self._pending[: n * window_bytes], self._pending[n * window_bytes :]
        samples = decode_raw(chunk, self._raw).reshape(n, frames_per_window * self._channels)
        if self._keep_samples:
            self._samples.append(samples.reshape(-1, self._channels).mean(axis=1))
        rms = np.sqrt(np.mean(np.square(samples), axis=1))
        window_ms = frames_per_window * 1000.0 / self._rate
        return [(window_ms, bool(level > self._threshold)) for level in rms]


def probe_duration_ms(path: Path) -> int | None:
    """Play length of a compressed file from its container, like the service finds it; None if unknown.

    libsndfile (soundfile) counts the frames of mp3/ogg/opus/flac/aiff/... exactly; mutagen reads
    the containers libsndfile does not open (m4a/mp4, aac, asf). Both are project dependencies.
    """
    try:
        import soundfile

        info = soundfile.info(str(path))
        if info.samplerate > 0 and info.frames > 0:
            return round(info.frames * 1000 / info.samplerate)
    except Exception as exc:  # libsndfile does not know the format (or it is not audio at all)
        log.debug("soundfile cannot read %s: %s", path, exc)
    try:
        import mutagen

        found = mutagen.File(str(path))
        length = getattr(getattr(found, "info", None), "length", None)
        if isinstance(length, int | float) and length > 0:
            return round(length * 1000)
    except Exception as exc:  # MutagenError, struct errors on truncated headers
        log.debug("mutagen cannot read %s: %s", path, exc)
    return None


def measure_duration_ms(path: Path, filename: str, size: int) -> int:
    """Duration of received audio (an upload or a fetched URL): exact for WAV, probed for compressed.

    Bytes no reader recognises (tests often upload a few arbitrary bytes) get a bitrate guess by
    extension, so such jobs still complete as they always did.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        head = b""
    header = parse_wav_header(head)
    if header is not None and header.raw_format is not None and header.sample_rate:
        width = RAW_FORMATS[header.raw_format].width
        data = max(0, size - header.data_offset)
        if header.data_size is not None:  # chunks after the audio (LIST, id3) are not audio
            data = min(data, header.data_size)
        frames = data // (width * header.channels)
        return int(frames * 1000 / header.sample_rate)
    probed = probe_duration_ms(path)
    if probed is not None:
        return probed
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    bytes_per_second = {
        "mp3": 16_000,
        "ogg": 12_000,
        "opus": 8_000,
        "m4a": 16_000,
        "aac": 16_000,
        "flac": 88_000,
        "webm": 12_000,
    }.get(ext, COMPRESSED_BYTES_PER_SECOND)
    return max(1000, math.ceil(size * 1000 / bytes_per_second))
