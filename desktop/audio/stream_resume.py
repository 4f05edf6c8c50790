"""Where a compressed stream can be restarted on a new connection, and what must go before it.

A live session that reconnects must send the new connection audio it can decode, starting no
later than the last word Soniox finalised. Raw PCM can start anywhere; a compressed stream only
at a frame boundary, and some containers only after their header:

* **MP3** and **ADTS AAC** (most internet radio) are sequences of self-contained frames, each
  starting with a sync word: resume at the first valid frame whose successor is also where its
  length says (so a false sync inside audio data is not taken).
* **Ogg** (Vorbis, Opus) is a sequence of pages; a decoder needs the stream's header pages (the
  pages with granule position 0 at its start) before any audio page: send those, then resume at
  a page boundary.
* **WAV** over HTTP: its header, then the data from a block boundary.

Containers that keep their index elsewhere (MP4/M4A, WebM) cannot be resumed mid-way; for them
:func:`resume_for` returns None and the session resumes from the current position.

The session maps time to bytes with ``byte_rate`` (exact for CBR and PCM, an estimate for VBR),
so it resumes a little *before* the last final word and drops re-transcribed words it has already
(see ``desktop.core.live.session``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from desktop.core.audio_source import StreamResume
from desktop.core.media_sniff import sniff_container

_MP3_BITRATES = {
    # (version bit, layer) -> kbit/s by index; version 1 = MPEG-1, 0 = MPEG-2/2.5
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (0, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (0, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (0, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def mp3_frame_length(data: bytes, i: int) -> int | None:
    """Length of the MPEG audio frame whose header starts at ``i``, or None if it is not one."""
    if i + 4 > len(data) or data[i] != 0xFF or (data[i + 1] & 0xE0) != 0xE0:
        return None
    version = (data[i + 1] >> 3) & 0x03  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
    layer_bits = (data[i + 1] >> 1) & 0x03  # 3 = layer I, 2 = II, 1 = III, 0 reserved
    bitrate_index = data[i + 2] >> 4
    rate_index = (data[i + 2] >> 2) & 0x03
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer = 4 - layer_bits
    kbps = _MP3_BITRATES[(1 if version == 3 else 0, layer)][bitrate_index]
    rate = _MP3_RATES[version][rate_index]
    padding = (data[i + 2] >> 1) & 0x01
    if layer == 1:
        return (12 * kbps * 1000 // rate + padding) * 4
    per_frame = 144 if (layer == 2 or version == 3) else 72
    return per_frame * kbps * 1000 // rate + padding


def adts_frame_length(data: bytes, i: int) -> int | None:
    """Length of the ADTS (AAC) frame whose header starts at ``i``, or None if it is not one."""
    if i + 7 > len(data) or data[i] != 0xFF or (data[i + 1] & 0xF6) != 0xF0:
        return None
    if ((data[i + 2] >> 2) & 0x0F) >= len(_ADTS_RATES):
        return None
    length = ((data[i + 3] & 0x03) << 11) | (data[i + 4] << 3) | (data[i + 5] >> 5)
    header = 7 if data[i + 1] & 0x01 else 9
    return length if length > header else None


@dataclass(frozen=True)
class FrameResume:
    """MP3 or ADTS: no header needed; resume at a frame confirmed by the next one."""

    byte_rate: float
    header_size: int = 0  # an ID3 tag before the first frame holds no audio time
    adts: bool = False

    @property
    def header(self) -> bytes:
        return b""

    def sync(self, data: bytes, position: int) -> int | None:
        frame_length = adts_frame_length if self.adts else mp3_frame_length
        for i in range(len(data) - 1):
            if data[i] != 0xFF:
                continue
            length = frame_length(data, i)
            if length is None:
                continue
            following = i + length
            if following + 2 > len(data) or frame_length(data, following) is not None:
                return i  # confirmed by the next frame (or the data ends there)
        return None


@dataclass(frozen=True)
class OggResume:
    """Ogg: the header pages first, then any later page."""

    byte_rate: float
    header: bytes

    @property
    def header_size(self) -> int:
        return len(self.header)

    def sync(self, data: bytes, position: int) -> int | None:
        i = data.find(b"OggS")
        while i != -1:
            if _ogg_page_length(data, i) is not None:
                return i
            i = data.find(b"OggS", i + 1)
        return None


@dataclass(frozen=True)
class WavResume:
    """WAV over HTTP: its header, then data from a block boundary."""

    byte_rate: float
    header: bytes
    block_align: int

    @property
    def header_size(self) -> int:
        return len(self.header)

    def sync(self, data: bytes, position: int) -> int | None:
        skip = -(position - len(self.header)) % self.block_align
        return skip if skip < len(data) else None


def resume_for(head: bytes, byte_rate: float) -> StreamResume | None:
    """How to restart the stream whose first bytes are ``head``; None if it cannot be restarted."""
    container = sniff_container(head)
    if container in ("mp3", "aac"):
        skip = _id3_size(head)
        first = head[skip : skip + 2]
        adts = len(first) == 2 and (first[1] & 0x06) == 0
        return FrameResume(byte_rate, header_size=skip, adts=adts)
    if container == "ogg":
        header = _ogg_header_pages(head)
        return OggResume(byte_rate, header) if header else None
    if container == "wav":
        return _wav_resume(head, byte_rate)
    return None


def _id3_size(head: bytes) -> int:
    if len(head) < 10 or head[:3] != b"ID3":
        return 0
    size = 0
    for b in head[6:10]:
        size = (size << 7) | (b & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def _ogg_page_length(data: bytes, i: int) -> int | None:
    if i + 27 > len(data) or data[i : i + 4] != b"OggS" or data[i + 4] != 0:
        return None
    segments = data[i + 26]
    if i + 27 + segments > len(data):
        return None
    return 27 + segments + sum(data[i + 27 : i + 27 + segments])


def _ogg_header_pages(head: bytes) -> bytes:
    """The pages at the stream's start whose granule position is 0: the codec headers."""
    pos = 0
    while True:
        length = _ogg_page_length(head, pos)
        if length is None or pos + length > len(head):
            return b""  # the header pages did not fit in the first bytes: cannot resume
        granule = struct.unpack_from("<q", head, pos + 6)[0]
        if granule != 0:
            return head[:pos]
        pos += length


def _wav_resume(head: bytes, byte_rate: float) -> WavResume | None:
    pos = 12
    block_align = 0
    while pos + 8 <= len(head):
        chunk, size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if chunk == b"fmt " and pos + 22 <= len(head):
            block_align = struct.unpack_from("<H", head, pos + 20)[0]
        if chunk == b"data":
            return WavResume(byte_rate, head[: pos + 8], max(1, block_align)) if block_align else None
        pos += 8 + size + (size & 1)
    return None
