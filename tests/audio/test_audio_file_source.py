"""FileSource: original bytes out, paced by the file's duration, clear errors for bad files."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import soundfile

from desktop.audio.file_source import FileSource
from desktop.core.audio_source import AUTO, AudioSource, AudioSourceError
from tests.audio_helpers import sine
from tests.paths import DATA

pytestmark = pytest.mark.asyncio

MP3 = DATA / "two_way_translation.mp3"


class VirtualClock:
    """Time that only moves when the code under test sleeps, so pacing costs no wall time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def stream_all(src: FileSource) -> tuple[bytes, list[int]]:
    await src.start()
    data, sizes = bytearray(), []
    async for chunk in src.chunks():
        data.extend(chunk)
        sizes.append(len(chunk))
    return bytes(data), sizes


async def test_wav_is_streamed_unchanged_at_real_time_pace(tmp_path: Path) -> None:
    path = tmp_path / "speech.wav"
    soundfile.write(str(path), sine(440, 2.0, 16000), 16000, subtype="PCM_16")
    clock = VirtualClock()
    src = FileSource(path, clock=clock, sleep=clock.sleep)
    assert isinstance(src, AudioSource)
    data, sizes = await stream_all(src)
    assert data == path.read_bytes()
    assert src.format == AUTO
    assert src.duration_s == pytest.approx(2.0, abs=0.01)
    # ~100 ms per chunk; the last one is due when everything before it has had its time.
    assert sizes[0] == pytest.approx(3200, abs=5)
    assert clock.now == pytest.approx((len(data) - sizes[-1]) / (len(data) / 2.0), abs=1e-6)
    assert src.position_s == pytest.approx(2.0, abs=0.01)
    assert src.stats.bytes == len(data) and src.stats.chunks == len(sizes)


async def test_mp3_is_streamed_completely_and_paced_by_its_duration() -> None:
    clock = VirtualClock()
    src = FileSource(MP3, clock=clock, sleep=clock.sleep)
    data, sizes = await stream_all(src)
    assert data == MP3.read_bytes()
    assert src.duration_s == pytest.approx(4.475, abs=0.01)
    assert not src.pace_estimated and src.label == MP3.name
    assert clock.now == pytest.approx(4.475 - 0.1, abs=0.05)
    assert len(sizes) == pytest.approx(45, abs=1)


async def test_speed_factor_paces_in_wall_time() -> None:
    src = FileSource(MP3, speed=20)
    t0 = time.monotonic()
    data, _ = await stream_all(src)
    elapsed = time.monotonic() - t0
    assert data == MP3.read_bytes()
    assert elapsed >= (4.475 - 0.1) / 20 - 0.01  # not sent in one burst


async def test_unknown_length_is_paced_at_an_estimate_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "voice.amr"
    path.write_bytes(b"#!AMR\n" + bytes(range(256)) * 125)  # AMR magic; no library knows its length
    clock = VirtualClock()
    src = FileSource(path, clock=clock, sleep=clock.sleep)
    data, sizes = await stream_all(src)
    assert data == path.read_bytes()
    assert src.pace_estimated
    assert "estimated 128 kbit/s" in src.label
    assert sizes[0] == 1600
    assert clock.now == pytest.approx((len(data) - sizes[-1]) / 16000, abs=1e-6)


async def test_stop_ends_the_stream_early() -> None:
    src = FileSource(MP3, speed=1)
    await src.start()
    got = 0
    async for chunk in src.chunks():
        got += len(chunk)
        await src.stop()
    assert 0 < got < MP3.stat().st_size


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.write_bytes(b""), "the file is empty."),
        (lambda p: p.write_text("hello, this is not audio\n" * 20), "this is a text file, not audio or video."),
        (lambda p: None, "the file does not exist."),
        (lambda p: p.mkdir(), "this is a folder, not a file."),
        (lambda p: p.symlink_to(p), "this is a link that leads back to itself (a loop), not a file."),
        # An installer or a PDF with an mp3 inside plays for mutagen: it used to be streamed.
        (lambda p: p.write_bytes(b"MZ\x90\x00" + bytes(300) + MP3.read_bytes()), "this is a program, not audio"),
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01" + bytes(300) + MP3.read_bytes()), "this is a program, not audio"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n" + MP3.read_bytes()), "this is a PDF document, not audio"),
    ],
    ids=["empty", "text-renamed-wav", "missing", "folder", "symlink-loop", "exe", "elf", "pdf"],
)
async def test_bad_files_fail_with_the_file_name(tmp_path: Path, setup: Callable[[Path], object], message: str) -> None:
    path = tmp_path / "clip.wav"
    setup(path)
    with pytest.raises(AudioSourceError) as info:
        await FileSource(path).start()
    # The jobs checks refuse the same file with the same words (issue 10, item 5).
    assert str(info.value).startswith(f"“clip.wav”: {message}")


async def test_a_started_source_is_not_opened_twice() -> None:
    """The Live panel opens a file source to check it; the session's start then does nothing."""
    src = FileSource(MP3, speed=1000.0)
    await src.start()
    first = src._file
    await src.start()
    assert src._file is first
    data, _sizes = await stream_all(src)
    assert data == MP3.read_bytes()


async def test_a_read_failure_names_its_reason(tmp_path: Path) -> None:
    src = FileSource(MP3)
    await src.start()

    class Broken:
        def read(self, size: int) -> bytes:
            raise OSError()  # no errno, no words

        def close(self) -> None:
            pass

    src._file = Broken()  # type: ignore[assignment]
    with pytest.raises(AudioSourceError) as info:
        async for _chunk in src.chunks():
            pass
    assert str(info.value) == "Reading “two_way_translation.mp3” failed: os error."
