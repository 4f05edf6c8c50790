"""Where compressed streams can restart on a new connection: frame boundaries and header pages."""

from __future__ import annotations

import struct

import numpy as np
import soundfile

from desktop.audio.stream_resume import FrameResume, OggResume, WavResume, mp3_frame_length, resume_for

MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x00])  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding


def mp3_stream(frames: int, seed: int = 0) -> bytes:
    """CBR MP3 frames (417 bytes each) whose payload never holds 0xFF, so syncs are only real ones."""
    rng = np.random.default_rng(seed)
    body = 417 - 4
    return b"".join(MP3_HEADER + bytes(rng.integers(0, 0xFF, body, dtype=np.uint8)) for _ in range(frames))


def test_mp3_frames_are_found_and_confirmed_by_the_next_one() -> None:
    data = mp3_stream(10)
    assert mp3_frame_length(data, 0) == 417
    resume = resume_for(data, 16000)
    assert isinstance(resume, FrameResume) and resume.header == b"" and resume.header_size == 0
    assert resume.sync(data[1000:], 1000) == 2 * 417 + 417 - 1000
    # A lone false sync inside payload is not taken: its "next frame" is not there.
    fake = bytearray(data)
    fake[1100:1104] = MP3_HEADER
    assert resume.sync(bytes(fake[1000:]), 1000) == 1251 - 1000


def test_an_id3_tag_holds_no_audio_time() -> None:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 1, 0]) + bytes(128)  # 128-byte tag body
    resume = resume_for(tag + mp3_stream(3), 16000)
    assert isinstance(resume, FrameResume) and resume.header_size == 10 + 128


def test_ogg_resumes_after_its_header_pages(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "talk.ogg"
    noise = np.random.default_rng(0).uniform(-0.3, 0.3, 16000 * 10).astype(np.float32)
    soundfile.write(str(path), noise, 16000, format="OGG", subtype="VORBIS")
    data = path.read_bytes()
    resume = resume_for(data, 6000)
    assert isinstance(resume, OggResume)
    header = resume.header
    assert header.startswith(b"OggS") and 0 < len(header) < len(data)
    assert struct.unpack_from("<q", data, len(header) + 6)[0] != 0  # the next page carries audio
    cut = len(header) + 50
    skip = resume.sync(data[cut:], cut)
    assert skip is not None and data[cut + skip : cut + skip + 4] == b"OggS"
    # Header + pages from a later boundary decode: what the service will get after a reconnect.
    (tmp_path / "resumed.ogg").write_bytes(header + data[cut + skip :])
    assert soundfile.info(str(tmp_path / "resumed.ogg")).samplerate == 16000


def test_wav_resumes_on_a_block_boundary_after_its_header(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "talk.wav"
    soundfile.write(str(path), np.zeros((16000, 2), dtype=np.float32), 16000, subtype="PCM_16")
    data = path.read_bytes()
    resume = resume_for(data, 64000)
    assert isinstance(resume, WavResume) and resume.block_align == 4 and resume.header == data[:44]
    assert resume.sync(data[45:], 45) == 3  # 44 + 4k: the next block starts at 48
    assert resume.sync(data[48:], 48) == 0


def test_containers_with_an_index_elsewhere_cannot_be_resumed() -> None:
    assert resume_for(b"\x00\x00\x00\x18ftypM4A " + bytes(64), 16000) is None
    assert resume_for(b"\x1a\x45\xdf\xa3" + bytes(64), 16000) is None
