"""Uploads go through the SDK, stream from disk in chunks and report real byte progress."""

from __future__ import annotations

import asyncio
import tracemalloc
from pathlib import Path

import pytest
from soniox import AsyncSonioxClient

from desktop.core.jobs.upload import ProgressFile, upload_file
from tests.fake_soniox import FakeSoniox

MB = 1024 * 1024


def make_file(path: Path, size: int) -> Path:
    """A file with a WAV header and a sparse body: big on disk, cheap to create."""
    with path.open("wb") as handle:
        handle.write(b"RIFF\x00\x00\x00\x00WAVEfmt ")
        handle.truncate(size)
    return path


def test_progress_file_counts_reads_and_caps_each_read(tmp_path: Path) -> None:
    path = make_file(tmp_path / "a.wav", 3 * MB + 17)
    seen: list[tuple[int, int]] = []
    with ProgressFile(path, lambda sent, total: seen.append((sent, total)), min_interval_s=0) as stream:
        assert stream.read(-1) and stream.tell() == MB  # "read everything" still returns one chunk
        while stream.read(256 * 1024):
            pass
        assert stream.largest_read == MB
        stream.seek(0)
    assert seen[-1] == (0, 3 * MB + 17)  # a rewind shows as a rewind, not as progress
    assert (3 * MB + 17, 3 * MB + 17) in seen


@pytest.mark.asyncio
async def test_upload_streams_through_the_sdk_with_progress(tmp_path: Path) -> None:
    size = 48 * MB
    path = make_file(tmp_path / "big talk.wav", size)
    progress: list[int] = []
    with FakeSoniox(api_keys={"test-key"}) as emu:
        client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url)
        try:
            tracemalloc.start()
            try:
                uploaded = await upload_file(client, path, on_progress=lambda sent, _total: progress.append(sent))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        finally:
            await client.aclose()
        assert uploaded.filename == "big talk.wav" and uploaded.size == size
        assert emu.file_path(uploaded.id).stat().st_size == size
    # Streaming, not loading: the whole process (client and emulator) never held even 1/4 of it.
    assert peak < size / 4, f"peak traced memory {peak / MB:.1f} MB for a {size / MB:.0f} MB upload"
    assert progress == sorted(progress) and progress[-1] == size
    assert len(progress) >= 3  # several intermediate reports, not just "done"


@pytest.mark.asyncio
async def test_cancelling_an_upload_stops_it_and_closes_the_file(tmp_path: Path) -> None:
    path = make_file(tmp_path / "slow.wav", 64 * MB)
    streams: list[ProgressFile] = []
    started = asyncio.Event()
    with FakeSoniox(api_keys={"test-key"}) as emu:
        client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url)
        try:
            original = ProgressFile.read

            def spy(self: ProgressFile, size: int = -1) -> bytes:
                if self not in streams:
                    streams.append(self)
                if self.position > 4 * MB:
                    started.set()
                return original(self, size)

            ProgressFile.read = spy  # type: ignore[method-assign]
            try:
                task = asyncio.ensure_future(upload_file(client, path))
                await asyncio.wait_for(started.wait(), 10)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            finally:
                ProgressFile.read = original  # type: ignore[method-assign]
        finally:
            await client.aclose()
        assert emu.files == []
    assert streams and streams[0].closed and streams[0].high_water < 64 * MB
