"""CPU of a meeting's pipeline, and whether every captured byte is sent, over 10 minutes of audio.

The pipeline is the app's, end to end on the client side: two device-like sources deliver 48 kHz
float blocks that are resampled to 16 kHz s16le as the capture does (``StreamResampler``), the
microphone goes through ``cancel_echo`` (WebRTC AEC3 via livekit) with the system audio as its
far end, and each stream runs in its own ``LiveRun`` (LiveSession, the official SDK over a
WebSocket) with a library entry and its Opus recording (``tap_for_recording``).

The emulator runs in a separate process (``python -m tests.fake_soniox --acoustic``) so its CPU is
not counted; this process's CPU time (all threads, ``getrusage``) is. Audio is played on a clock
sped up ``SPEED`` times, so 10 minutes take about a minute: per-chunk work is the same as in real
time, only timers that tick on wall time (keepalives, watchdogs) fire less often, which makes the
figure slightly optimistic, by their share.

A run half as long without ``cancel_echo`` gives the pipeline's cost without echo cancelling, and
AEC3 and the resampler are also timed alone. ``BENCH_MEETING_SPEED=1 BENCH_MEETING_MINUTES=1``
runs in real time, to check that the speed-up does not flatter the figure.

Goal: <= 5 % of one core (3 CPU-seconds per audio minute), and bytes captured = bytes sent.

Run: ``python -m bench.bench_meeting_cpu``.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
from soniox import AsyncSonioxClient

from desktop.audio.echo import EchoCanceller, EchoTiming, cancel_echo
from desktop.audio.recording import StreamRecorder, tap_for_recording, wait_for_writers
from desktop.audio.resample import StreamResampler
from desktop.core.audio_source import PCM16_MONO_16K, AudioFormat, SourceStats
from desktop.core.library.store import Library
from desktop.core.live import LiveOptions, LiveState
from desktop.core.live.run import LiveRun, LiveRunSettings, SourceKind, SourceOrigin
from tests.meeting_audio import VirtualClock, meeting_tracks
from tests.meeting_echo import FAST

ROOT = Path(__file__).resolve().parents[1]
SPEED = float(os.environ.get("BENCH_MEETING_SPEED", "10"))
MINUTES = int(os.environ.get("BENCH_MEETING_MINUTES", "10"))
LOOP_S = 60  # a 60 s meeting, played ten times
DEVICE_RATE = 48_000


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def upsample(pcm: bytes) -> np.ndarray:
    """The 16 kHz track as a 48 kHz device would deliver it (float32), computed before timing."""
    x = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    return np.interp(np.arange(len(x) * 3) / 3, np.arange(len(x)), x).astype(np.float32)


class DeviceSource:
    """48 kHz float blocks of ``chunk_ms`` resampled to 16 kHz s16le per chunk, as the capture does."""

    def __init__(self, track: np.ndarray, loops: int, clock: VirtualClock, label: str, start_ms: int) -> None:
        self.track = track
        self.loops = loops
        self.clock = clock
        self._label = label
        self.start_ms = start_ms
        self._stats = SourceStats()
        self.resampler = StreamResampler(DEVICE_RATE, 16_000)

    @property
    def format(self) -> AudioFormat:
        return PCM16_MONO_16K

    @property
    def label(self) -> str:
        return self._label

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def start(self) -> None:
        self.clock.now()

    async def chunks(self) -> AsyncIterator[bytes]:
        block = DEVICE_RATE // 10
        k = 0
        for _ in range(self.loops):
            for pos in range(0, len(self.track) - block + 1, block):
                await self.clock.sleep_until((self.start_ms + (k + 1) * 100) / 1000)
                k += 1
                out = self.resampler.process(self.track[pos : pos + block])
                chunk = np.clip(np.round(out * 32767), -32768, 32767).astype("<i2").tobytes()
                self._stats.chunks += 1
                self._stats.bytes += len(chunk)
                yield chunk

    async def stop(self) -> None:
        return


async def run_pipeline(
    urls: dict[str, str], mic: DeviceSource, system: DeviceSource, home: Path, *, aec: bool
) -> dict[str, float]:
    library = Library(home / "library.sqlite3")
    timing = EchoTiming().scaled(mic.clock.speed)
    clean_mic, tee = cancel_echo(mic, system, clock=mic.clock.now, timing=timing) if aec else (mic, system)
    client = AsyncSonioxClient(
        api_key="test-key", api_base_url=urls["api_base_url"], websocket_base_url=urls["websocket_url"]
    )

    def run_for(source: object, diarize: bool) -> LiveRun:
        return LiveRun(
            lambda: client,
            LiveOptions(model="stt-rt-v4", enable_speaker_diarization=diarize, language_hints=["en"]),
            None,
            source,  # type: ignore[arg-type]
            SourceOrigin(SourceKind.MICROPHONE),
            library=library,
            record=tap_for_recording,
            settings=LiveRunSettings(keep_audio=True, session_options=FAST),
        )

    runs = [run_for(clean_mic, False), run_for(tee, True)]
    cpu0, wall0 = cpu_s(), time.perf_counter()
    await asyncio.gather(*(r.start() for r in runs))
    while not all(r.state.is_terminal for r in runs):
        await asyncio.sleep(0.05)
    cpu1, wall1 = cpu_s(), time.perf_counter()
    await client.aclose()
    assert all(r.state is LiveState.FINISHED for r in runs), [r.state for r in runs]
    recordings = [r.audio_path for r in runs]
    sizes = [p.stat().st_size if p is not None and p.exists() else 0 for p in recordings]
    library.close()
    return {"cpu": cpu1 - cpu0, "wall": wall1 - wall0, "rec_mic": sizes[0], "rec_system": sizes[1]}


def aec_only_cpu(mic_pcm: bytes, system_pcm: bytes) -> float:
    """CPU seconds of AEC3 alone for the same audio (one pass over ``LOOP_S``)."""
    canceller = EchoCanceller(16_000, clock=lambda: 0.0)
    step = 3200
    started = cpu_s()
    for i, pos in enumerate(range(0, min(len(mic_pcm), len(system_pcm)) - step + 1, step)):
        canceller.push_far(system_pcm[pos : pos + step], 0.1 * (i + 1))
        start, _ = canceller.near_arrived(mic_pcm[pos : pos + step], 0.1 * (i + 1))
        canceller.process_near(mic_pcm[pos : pos + step], start)
    return cpu_s() - started


def resampling_cpu(tracks: list[np.ndarray]) -> float:
    """CPU seconds of 48 -> 16 kHz resampling alone for ``tracks`` (one pass over ``LOOP_S``)."""
    started = cpu_s()
    for track in tracks:
        resampler = StreamResampler(DEVICE_RATE, 16_000)
        for pos in range(0, len(track) - 4800 + 1, 4800):
            out = resampler.process(track[pos : pos + 4800])
            np.clip(np.round(out * 32767), -32768, 32767).astype("<i2").tobytes()
    return cpu_s() - started


def recording_cpu(tracks: list[bytes], home: Path) -> float:
    """CPU seconds of the app's Opus recorder alone for ``tracks`` (one pass over ``LOOP_S``)."""
    started = cpu_s()
    for i, pcm in enumerate(tracks):
        recorder = StreamRecorder(PCM16_MONO_16K, lambda ext, i=i: home / f"rec{i}.{ext}")
        for pos in range(0, len(pcm), 3200):
            recorder.write(pcm[pos : pos + 3200])
        recorder.close()
    wait_for_writers(30)
    return cpu_s() - started


def main() -> int:
    meeting = meeting_tracks(11, seconds=LOOP_S, echo_db=18, echo_delay_ms=100)
    mic_track, system_track = upsample(meeting.mic), upsample(meeting.system)
    audio_min = MINUTES
    loops = MINUTES * 60 // LOOP_S
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_soniox", "--port", "0", "--acoustic"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        baseline_loops = max(1, loops // 2)
        clock = VirtualClock(SPEED)
        with tempfile.TemporaryDirectory(prefix="bench-meeting-") as home:
            plain = asyncio.run(
                run_pipeline(
                    urls,
                    DeviceSource(mic_track, baseline_loops, clock, "Microphone", 30),
                    DeviceSource(system_track, baseline_loops, clock, "System audio", 80),
                    Path(home),
                    aec=False,
                )
            )
        clock = VirtualClock(SPEED)
        mic = DeviceSource(mic_track, loops, clock, "Microphone", 30)
        system = DeviceSource(system_track, loops, clock, "System audio", 80)
        with tempfile.TemporaryDirectory(prefix="bench-meeting-") as home:
            result = asyncio.run(run_pipeline(urls, mic, system, Path(home), aec=True))
        base = urls["api_base_url"].removesuffix("/v1")
        sessions = httpx.get(base + "/_emulator/realtime_sessions", timeout=30).json()["sessions"][-2:]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    sent = sorted(s["audio_bytes"] for s in sessions)
    captured = sorted([mic.stats.bytes, system.stats.bytes])
    per_min = result["cpu"] / audio_min
    aec = aec_only_cpu(meeting.mic, meeting.system) / (LOOP_S / 60)
    resampling = resampling_cpu([mic_track, system_track]) / (LOOP_S / 60)
    with tempfile.TemporaryDirectory(prefix="bench-meeting-") as home:
        recording = recording_cpu([meeting.mic, meeting.system], Path(home)) / (LOOP_S / 60)
    print(f"{MINUTES} min of meeting audio (two streams), clock x{SPEED:g}: {result['wall']:.1f} s wall")
    print(f"CPU, whole pipeline:  {per_min:.2f} s per audio minute = {100 * per_min / 60:.2f} % of one core")
    plain_min = plain["cpu"] / (baseline_loops * LOOP_S / 60)
    print(f"  same without AEC:    {plain_min:.2f} s per audio minute = {100 * plain_min / 60:.2f} % of one core")
    print(f"  of which AEC3 alone: {aec:.2f} s per audio minute = {100 * aec / 60:.2f} % of one core")
    print(f"  resampling (both):   {resampling:.2f} s per audio minute = {100 * resampling / 60:.2f} % of one core")
    print(f"  Opus recording (both): {recording:.2f} s per audio minute = {100 * recording / 60:.2f} % of one core")
    print(f"bytes captured (mic, system): {mic.stats.bytes}, {system.stats.bytes}")
    print(f"bytes sent     (per session): {', '.join(str(s) for s in sent)}")
    print(f"captured == sent: {captured == sent}")
    print(f"recordings: mic {result['rec_mic'] / 1e6:.2f} MB, system {result['rec_system'] / 1e6:.2f} MB (Opus)")
    print("goal: <= 5 % of one core; every captured byte sent")
    return 0 if captured == sent else 1


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
