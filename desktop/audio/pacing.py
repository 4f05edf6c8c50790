"""What a compressed file or stream is, how many bytes one second of it takes, and real-time pacing.

Files and URLs are sent to the realtime API in their original container (``audio_format:
auto``), so the app never decodes them; but they must be sent at about real-time speed, as a
live source would be. That needs the byte rate: the exact one from the file's duration when a
library can read it, else one sniffed from the first bytes (WAV's header states it, an MP3
frame header states its bitrate, FLAC's STREAMINFO gives the duration), else an estimate of
128 kbit/s that the source's label then admits to.
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Awaitable, Callable

from desktop.core.media_sniff import sniff_container

#: Pace used when nothing better is known: 128 kbit/s, a common bitrate for compressed speech/music.
ESTIMATED_BYTES_PER_SECOND = 16000

SUPPORTED_CONTAINERS = "wav, mp3, ogg, flac, webm, aac, m4a, aiff, amr, asf"

_MP3_KBPS = {
    (3, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # MPEG-1 layer II
    (2, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer III
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer II
}


def sniff_byte_rate(head: bytes, total_size: int | None = None) -> float | None:
    """Bytes per second stated by the header, where the format states it; else None."""
    kind = sniff_container(head)
    if kind == "wav":
        return _wav_byte_rate(head)
    if kind == "mp3":
        return _mp3_byte_rate(head)
    if kind == "flac" and total_size:
        duration = _flac_duration(head)
        return total_size / duration if duration else None
    if kind == "ogg":
        return _vorbis_byte_rate(head)
    return None


def looks_like_text(head: bytes) -> bool:
    """True for HTML, JSON, playlists and other text (what a wrong link usually returns)."""
    sample = head[:512].lstrip().lower()
    if sample.startswith((b"<!doctype", b"<html", b"<?xml", b"{", b"[", b"#extm3u")):
        return True
    if not sample:
        return False
    printable = sum(32 <= b < 127 or b in (9, 10, 13) for b in sample)
    return printable / len(sample) > 0.95


class Pacer:
    """Waits so that bytes go out no faster than ``bytes_per_second`` × ``speed``.

    ``clock`` and ``sleep`` are injectable so tests can run a 10-minute file in virtual time.
    """

    def __init__(
        self,
        bytes_per_second: float,
        *,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.bytes_per_second = max(1.0, float(bytes_per_second))
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._t0: float | None = None

    async def wait(self, bytes_sent: int) -> None:
        """Return when ``bytes_sent`` bytes are due (the first call starts the clock)."""
        now = self._clock()
        if self._t0 is None:
            self._t0 = now
        due = self._t0 + bytes_sent / self.bytes_per_second / self.speed
        if due > now:
            await self._sleep(due - now)


def _wav_byte_rate(head: bytes) -> float | None:
    pos = 12
    while pos + 8 <= len(head):
        cid, size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if cid == b"fmt " and pos + 16 <= len(head):
            rate = struct.unpack_from("<I", head, pos + 16)[0]
            return float(rate) if rate > 0 else None
        pos += 8 + size + (size & 1)
    return None


def _mp3_byte_rate(head: bytes) -> float | None:
    pos = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
        pos = 10 + size
    end = min(len(head) - 4, pos + 8192)
    while pos <= end:
        if head[pos] == 0xFF and (head[pos + 1] & 0xE0) == 0xE0:
            version = (head[pos + 1] >> 3) & 0x03  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
            layer = (head[pos + 1] >> 1) & 0x03  # 1 = III, 2 = II
            index = head[pos + 2] >> 4
            table = _MP3_KBPS.get((3 if version == 3 else 2, layer))
            if table and 0 < index < 15 and version != 1:
                return table[index] * 1000 / 8
        pos += 1
    return None


def _flac_duration(head: bytes) -> float | None:
    if len(head) < 8 + 34 or head[4] & 0x7F != 0:  # first block must be STREAMINFO
        return None
    info = head[8 : 8 + 34]
    bits = int.from_bytes(info[10:18], "big")
    rate = bits >> 44
    total = bits & ((1 << 36) - 1)
    return total / rate if rate and total else None


def _vorbis_byte_rate(head: bytes) -> float | None:
    at = head.find(b"\x01vorbis")
    if at < 0 or at + 7 + 20 > len(head):
        return None
    nominal = struct.unpack_from("<i", head, at + 7 + 13)[0]  # bits per second
    return nominal / 8 if nominal > 0 else None
