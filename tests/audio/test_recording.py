"""Recording live audio: PCM to Ogg Opus as it streams, URL bytes as-is, files linked, only
transmitted audio kept, and a file that is readable after the writing process was SIGKILLed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from desktop.audio.recording import (
    PassthroughRecorder,
    Plan,
    RecordingTap,
    StreamRecorder,
    make_recorder,
    recording_plan,
)
from desktop.core.audio_source import AUTO, PCM16_MONO_16K, AudioFormat, SourceStats
from tests.audio_helpers import dominant_frequency
from tests.paths import ROOT

RATE = 16000


def tone(seconds: float, freq: float = 440.0) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.4 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2").tobytes()


class ListSource:
    """A minimal AudioSource yielding given chunks."""

    def __init__(self, chunks: list[bytes], fmt: AudioFormat = PCM16_MONO_16K, **attrs: object) -> None:
        self._chunks = chunks
        self._format = fmt
        self._stats = SourceStats()
        self.started = self.stopped = False
        for name, value in attrs.items():
            setattr(self, name, value)

    @property
    def format(self) -> AudioFormat:
        return self._format

    @property
    def label(self) -> str:
        return "list"

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def start(self) -> None:
        self.started = True

    async def chunks(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    async def stop(self) -> None:
        self.stopped = True


def test_plans_follow_the_source() -> None:
    assert recording_plan(ListSource([]).format) is Plan.ENCODE
    assert recording_plan(AUTO, local_file=True) is Plan.LINK
    assert recording_plan(AUTO) is Plan.COPY
    assert recording_plan(AudioFormat("mulaw", 8000, 1)) is Plan.NONE
    assert make_recorder(ListSource([], AudioFormat("mulaw", 8000, 1)), lambda ext: Path("unused")) is None


def test_pcm_is_encoded_to_ogg_opus_with_the_same_content(tmp_path: Path) -> None:
    opened: list[Path] = []
    recorder = StreamRecorder(PCM16_MONO_16K, lambda ext: tmp_path / f"rec.{ext}", lambda r: opened.append(r.path))
    audio = tone(3.0)
    for i in range(0, len(audio), 3201):  # odd-sized chunks: a sample may straddle two chunks
        recorder.write(audio[i : i + 3201])
    recorder.close()
    assert opened == [tmp_path / "rec.opus"]
    info = soundfile.info(str(tmp_path / "rec.opus"))
    assert info.format == "OGG" and info.subtype == "OPUS" and info.samplerate == RATE
    assert abs(info.duration - 3.0) < 0.01 and recorder.duration_ms == 3000
    data, _rate = soundfile.read(str(tmp_path / "rec.opus"), dtype="float32")
    assert abs(dominant_frequency(data, RATE) - 440) < 5
    assert (tmp_path / "rec.opus").stat().st_size < len(audio) / 4  # compressed


def test_url_bytes_are_kept_as_they_came(tmp_path: Path) -> None:
    recorder = PassthroughRecorder(lambda ext: tmp_path / f"stream.{ext}")
    chunks = [b"ID3\x04\x00" + b"a" * 100, b"b" * 50]
    for chunk in chunks:
        recorder.write(chunk)
    assert (tmp_path / "stream.mp3").read_bytes() == b"".join(chunks)  # flushed without close
    recorder.close()
    assert recorder.audio_format == "mp3"


def test_a_write_failure_stops_the_recording_not_the_stream(tmp_path: Path) -> None:
    recorder = StreamRecorder(PCM16_MONO_16K, lambda ext: tmp_path / "missing-dir" / f"r.{ext}")
    source = ListSource([tone(0.1), tone(0.1)])
    tap = RecordingTap(source, recorder)

    async def drain() -> list[bytes]:
        return [c async for c in tap.chunks()]

    assert len(asyncio.run(drain())) == 2  # the session still got every chunk
    recorder.close()
    assert recorder.failed and "could not be created" in (recorder.error or "")


def test_the_tap_records_only_while_transmitting_and_forwards_everything(tmp_path: Path) -> None:
    chunks = [tone(0.1, 440), tone(0.1, 440), tone(0.1, 880), tone(0.1, 440)]
    source = ListSource(chunks, label_value="x")
    recorder = StreamRecorder(PCM16_MONO_16K, lambda ext: tmp_path / f"r.{ext}")
    tap = RecordingTap(source, recorder)
    sending = iter([True, True, False, True])  # hold-to-talk released for the third chunk
    tap.should_record = lambda: next(sending)

    async def run() -> list[bytes]:
        await tap.start()
        got = [c async for c in tap.chunks()]
        await tap.stop()
        return got

    assert asyncio.run(run()) == chunks
    assert source.started and source.stopped
    assert tap.format is PCM16_MONO_16K and tap.stats is source.stats and tap.label_value == "x"
    recorder.close()
    data, _ = soundfile.read(str(tmp_path / "r.opus"), dtype="float32")
    assert abs(len(data) - 3 * 1600) < 10  # the discarded chunk is not in the recording
    assert abs(dominant_frequency(data, RATE) - 440) < 5


WRITER = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    from pathlib import Path
    from desktop.audio.recording import StreamRecorder
    from desktop.core.audio_source import PCM16_MONO_16K
    target = Path(sys.argv[1])
    recorder = StreamRecorder(PCM16_MONO_16K, lambda ext: target)
    t = np.arange(1600) / 16000
    chunk = (0.4 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes()
    start = time.monotonic()
    for i in range(1, 600):  # real-time pace, like a microphone
        recorder.write(chunk)
        print(json.dumps({"written_ms": i * 100}), flush=True)
        time.sleep(max(0.0, start + i * 0.1 - time.monotonic()))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_recording_is_readable_after_the_writer_is_killed(tmp_path: Path) -> None:
    target = tmp_path / "killed.opus"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    written = 0
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while written < 3000 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        written = json.loads(line)["written_ms"]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL and written >= 3000
    info = soundfile.info(str(target))
    # At most about a second is lost (a page is written at least every half second).
    assert written / 1000 - 1.0 <= info.duration <= written / 1000 + 0.2
    with soundfile.SoundFile(str(target)) as f:
        f.seek(int(1.0 * RATE))  # seekable, as the player needs
        block = f.read(4000, dtype="float32")
    assert abs(dominant_frequency(block, RATE) - 440) < 10


def _open_fds_to(path: Path) -> list[str]:
    """The file descriptors of this process pointing at ``path`` (Linux /proc)."""
    fd_dir = Path("/proc/self/fd")
    found = []
    for fd in fd_dir.iterdir():
        try:
            if Path(os.readlink(fd)) == path:
                found.append(fd.name)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open files")
def test_a_full_disk_closes_the_recording_and_keeps_what_was_written(tmp_path: Path) -> None:
    """ENOSPC mid-stream: the file is released (not leaked open) and what was written plays."""
    import errno
    import io

    buf = io.BytesIO()
    with soundfile.SoundFile(buf, "w", samplerate=RATE, channels=1, format="OGG", subtype="OPUS") as f:
        f.write(np.frombuffer(tone(4.0), dtype="<i2"))
    stream = buf.getvalue()
    limit = len(stream) // 2

    class DiskFills(PassthroughRecorder):
        def _write(self, chunk: bytes) -> None:
            if self.bytes_in + len(chunk) > limit:
                raise OSError(errno.ENOSPC, "No space left on device")
            super()._write(chunk)

    recorder = DiskFills(lambda ext: tmp_path / f"stream.{ext}")
    for i in range(0, len(stream), 1000):
        recorder.write(stream[i : i + 1000])
    path = tmp_path / "stream.ogg"
    assert recorder.failed
    assert _open_fds_to(path.resolve()) == []  # closed at the failure, before any close()
    data, rate = soundfile.read(str(path), dtype="float32")
    assert rate == RATE and len(data) > RATE // 2  # the first page(s) of the tone survived
    assert abs(dominant_frequency(data, RATE) - 440) < 5
    recorder.close()
