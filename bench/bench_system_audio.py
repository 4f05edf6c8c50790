"""System audio under a real sound server: a private PulseAudio, a speech-like signal played into
its sink with ``pacat``, captured from the sink's monitor by the real
:func:`desktop.audio.system.open_system_audio` (pulsectl + soundcard, reader thread, resampling).

Reported: CPU seconds per minute of audio for the whole process, the reader thread (libpulse
reads, mixdown, levels, 48 kHz → 16 kHz resampling, chunking), the watcher thread (the
half-second output checks) and the asyncio loop thread (chunk delivery); and bytes: played,
captured (every monitor frame read, as 16 kHz s16le), delivered through ``chunks()``, overflows.
Captured and delivered must agree (nothing lost between the device and the consumer), and the
played signal must be found in the delivered audio. The server runs at real time, so
``--seconds`` of audio take that long.

``python -m bench.bench_system_audio [--seconds 60]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import threading
import time
from typing import Any

import numpy as np

from bench.bench_audio import cpu_s, speechlike, thread_cpu_s
from desktop.audio.resample import StreamResampler
from tests.audio_helpers import best_alignment, pcm_to_float

RATE = 16000


def thread_id(name: str) -> int | None:
    return next((t.native_id for t in threading.enumerate() if t.name == name), None)


async def run(seconds: float) -> int:
    from tests.pulse import _start_daemon

    daemon = _start_daemon()
    try:
        for key in ("PULSE_SERVER", "XDG_RUNTIME_DIR", "HOME"):
            os.environ[key] = daemon.env[key]  # soundcard connects when first imported, below
        return await measure(daemon, seconds)
    finally:
        daemon.stop()
        shutil.rmtree(daemon.runtime, ignore_errors=True)


async def measure(daemon: Any, seconds: float) -> int:
    from desktop.audio.system import open_system_audio
    from desktop.audio.system.capture import SystemAudioCapture

    signal = speechlike(seconds, RATE)[:, 0]
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes()
    cap = open_system_audio(None)
    assert isinstance(cap, SystemAudioCapture)
    await cap.start()
    delivered = bytearray()
    first_chunk = asyncio.Event()

    async def consume() -> None:
        async for chunk in cap.chunks():
            delivered.extend(chunk)
            first_chunk.set()

    consumer = asyncio.create_task(consume())
    await asyncio.wait_for(first_chunk.wait(), 10)  # the monitor delivers: measure from here
    reader, watcher = thread_id("system-audio-reader"), thread_id("system-audio-watcher")
    loop_tid = threading.current_thread().native_id
    cpu0, wall0 = cpu_s(), time.perf_counter()
    r0, w0, l0 = thread_cpu_s(reader), thread_cpu_s(watcher), thread_cpu_s(loop_tid)
    frames0 = cap.frames_captured
    player = daemon.play(pcm)
    while player.poll() is None:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    wall = time.perf_counter() - wall0
    cpu, r_cpu, w_cpu, l_cpu = (
        cpu_s() - cpu0, thread_cpu_s(reader) - r0, thread_cpu_s(watcher) - w0, thread_cpu_s(loop_tid) - l0
    )  # fmt: skip
    frames_measured = cap.frames_captured - frames0
    await cap.stop()
    await consumer
    stats = cap.stats
    captured = StreamResampler(cap.device_rate or RATE, RATE).expected_output(cap.frames_captured) * 2
    x = pcm_to_float(bytes(delivered))
    probe = signal[len(signal) // 3 : len(signal) // 3 + 5 * RATE]
    offset, corr = best_alignment(x, probe)
    audio_min = frames_measured / (cap.device_rate or RATE) / 60
    rows = [
        ("server", f"private PulseAudio, null sink at {cap.device_rate} Hz, {cap.device_channels} channel(s)"),
        ("audio", f"{seconds:g} s speech-like signal played with pacat; measured over {wall:.1f} s"),
        ("bytes played (16 kHz s16le)", f"{len(pcm):,}"),
        ("bytes captured (monitor frames as 16 kHz)", f"{captured:,} ({cap.frames_captured:,} frames)"),
        ("bytes delivered by chunks()", f"{stats.bytes:,} in {stats.chunks:,} chunks; consumer got {len(delivered):,}"),
        ("lost between capture and consumer", f"{captured - len(delivered):,} bytes, {stats.overflows} overflows"),
        ("played signal found in the delivered audio", f"correlation {corr:.4f} at {offset / RATE:.2f} s"),
        ("CPU, whole process",
         f"{cpu:.2f} s = {cpu / audio_min:.3f} s per audio minute ({cpu / wall * 100:.2f} % of a core)"),
        ("CPU, reader thread", f"{r_cpu:.2f} s = {r_cpu / audio_min:.3f} s per audio minute"),
        ("CPU, watcher thread", f"{w_cpu:.2f} s = {w_cpu / audio_min:.3f} s per audio minute"),
        ("CPU, asyncio loop thread", f"{l_cpu:.2f} s = {l_cpu / audio_min:.3f} s per audio minute"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    ok = captured == len(delivered) == stats.bytes and stats.overflows == 0 and corr > 0.98
    print("RESULT:", "OK - nothing lost" if ok else "MISMATCH")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not shutil.which("pulseaudio") or not shutil.which("pacat"):
        print("SKIPPED: needs pulseaudio and pulseaudio-utils (pacat)")
        return 0
    return asyncio.run(run(args.seconds))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
