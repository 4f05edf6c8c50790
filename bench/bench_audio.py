"""Microphone pipeline under load: 10 minutes of audio, device → capture → SDK → emulator.

A fake sounddevice (tests/audio_helpers.py) plays a 48 kHz stereo signal — the usual laptop
microphone format, so mixdown and resampling are exercised — through the real
:class:`~desktop.audio.capture.MicrophoneCapture` at ``--speed`` × real time, and every chunk
goes to a realtime session of the emulator via the official SDK. Reported: frames captured,
bytes produced, bytes sent, bytes the emulator received (must all agree, content included),
overflows and PortAudio flags (must be 0), and CPU seconds per minute of audio: for the whole
process (getrusage), the emulator's thread (it shares the process), the capture callback alone
(timed around the real callback), the asyncio loop thread (chunk delivery + SDK), and the app's
side (process minus emulator; this also contains the fake device's own block generation, which
PortAudio would do in C).

``python -m bench.bench_audio [--minutes 10] [--speed 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import sys
import threading
import time

import numpy as np
from soniox import AsyncSonioxClient
from soniox.types import RealtimeSTTConfig

from desktop.audio.capture import MicrophoneCapture
from desktop.audio.resample import StreamResampler
from tests.audio_helpers import FakeSoundDevice
from tests.fake_soniox import FakeSoniox

DEVICE_RATE = 48000


def speechlike(seconds: float, rate: int) -> np.ndarray:
    """Stereo bursts of a harmonic tone with syllable-rate envelope, separated by pauses."""
    t = np.arange(round(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * f * t) / (i + 1) for i, f in enumerate((180, 360, 540, 900, 1400)))
    envelope = (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) * ((t % 2.0) < 1.5)
    mono = (0.25 * voice * envelope).astype(np.float32)
    return np.stack([mono, 0.8 * mono], axis=1)


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def thread_cpu_s(native_id: int | None) -> float:
    """CPU seconds of one thread of this process (Linux /proc); 0 where unavailable."""
    if native_id is None:
        return 0.0
    try:
        with open(f"/proc/self/task/{native_id}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def emulator_thread_id() -> int | None:
    return next((t.native_id for t in threading.enumerate() if t.name == "fake-soniox"), None)


async def run(minutes: float, speed: float) -> int:
    seconds = minutes * 60
    emu = FakeSoniox(api_keys={"test-key"}, idle_timeout_s=120).start()
    fake = FakeSoundDevice(speechlike(10.0, DEVICE_RATE), DEVICE_RATE, speed=speed, after="stall",
                           loop_for_s=seconds)  # fmt: skip
    cap = MicrophoneCapture(sd=fake, stall_timeout=30)
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url,
                               websocket_base_url=emu.websocket_url)  # fmt: skip
    config = RealtimeSTTConfig(model="stt-rt-v5", audio_format="pcm_s16le", sample_rate=16000, num_channels=1)
    sent = hashlib.sha256()
    sent_bytes = 0
    max_send_s = 0.0
    events = 0
    emu_tid = emulator_thread_id()
    main_tid = threading.main_thread().native_id
    callback_cpu = [0.0, 0]
    real_callback = cap._callback

    def timed_callback(*args: object) -> None:  # CPU of our callback alone, not the fake's
        t = time.thread_time()
        real_callback(*args)  # type: ignore[arg-type]
        callback_cpu[0] += time.thread_time() - t
        callback_cpu[1] += 1

    cap._callback = timed_callback  # type: ignore[method-assign]
    cpu0, emu0, main0, wall0 = cpu_s(), thread_cpu_s(emu_tid), thread_cpu_s(main_tid), time.perf_counter()
    try:
        async with client.realtime.stt.connect(config=config) as session:

            async def receive() -> None:
                nonlocal events
                async for _event in session.receive_events():
                    events += 1

            async def stop_when_played() -> None:
                while fake.blocks_delivered * fake.stream.blocksize < fake.loop_for_frames:  # type: ignore[operator]
                    await asyncio.sleep(0.05)
                await cap.stop()

            receiver = asyncio.create_task(receive())
            await cap.start()
            stopper = asyncio.create_task(stop_when_played())
            async for chunk in cap.chunks():
                t = time.perf_counter()
                await session.send_byte_chunk(chunk)
                max_send_s = max(max_send_s, time.perf_counter() - t)
                sent.update(chunk)
                sent_bytes += len(chunk)
            await stopper
            await session.finish()
            await asyncio.wait_for(receiver, 60)
        wall = time.perf_counter() - wall0
        cpu, emu_cpu, main_cpu = cpu_s() - cpu0, thread_cpu_s(emu_tid) - emu0, thread_cpu_s(main_tid) - main0
        snap = emu.wait_for_session(0, timeout=30)
    finally:
        await client.aclose()
        emu.stop()

    stats = cap.stats
    expected = StreamResampler(DEVICE_RATE, 16000).expected_output(cap.frames_captured) * 2
    received_ok = hashlib.sha256(snap.audio).hexdigest() == sent.hexdigest()
    audio_min = seconds / 60
    block_ms = fake.stream.blocksize * 1000 // DEVICE_RATE
    rows = [
        ("audio", f"{minutes:g} min, {DEVICE_RATE} Hz stereo float32 -> 16 kHz mono s16le, {speed:g}x real time"),
        ("wall time", f"{wall:.1f} s"),
        ("frames captured (device rate)", f"{cap.frames_captured:,} (expected {round(seconds * DEVICE_RATE):,})"),
        ("bytes produced by the capture", f"{stats.bytes:,} (expected {expected:,}), {stats.chunks:,} chunks"),
        ("bytes sent via SDK", f"{sent_bytes:,}"),
        ("bytes the emulator received",
         f"{snap.audio_bytes:,} in {snap.frames:,} frames, content equal: {received_ok}"),
        ("overflows / PortAudio flags", f"{stats.overflows} / {stats.status_flags}"),
        ("realtime responses received", f"{events:,}"),
        ("slowest send_byte_chunk", f"{max_send_s * 1000:.1f} ms"),
        ("CPU, whole process", f"{cpu:.2f} s = {cpu / audio_min:.3f} s per audio minute"),
        ("CPU, emulator thread", f"{emu_cpu:.2f} s = {emu_cpu / audio_min:.3f} s per audio minute"),
        ("CPU, capture callback only",
         f"{callback_cpu[0]:.2f} s = {callback_cpu[0] / audio_min:.3f} s per audio minute, "
         f"{callback_cpu[0] / max(1, callback_cpu[1]) * 1e6:.0f} µs per {block_ms} ms block"),
        ("CPU, asyncio loop thread (chunks + SDK)",
         f"{main_cpu:.2f} s = {main_cpu / audio_min:.3f} s per audio minute"),
        ("CPU, app side (process - emulator)",
         f"{cpu - emu_cpu:.2f} s = {(cpu - emu_cpu) / audio_min:.3f} s per audio minute "
         f"({(cpu - emu_cpu) / seconds * 100:.2f} % of one core at real time)"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    ok = (
        stats.bytes == sent_bytes == snap.audio_bytes == expected
        and received_ok
        and stats.overflows == 0
        and cap.frames_captured == round(seconds * DEVICE_RATE)
    )
    print("RESULT:", "OK - nothing dropped" if ok else "MISMATCH")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speed", type=float, default=10.0, help="times real time (10 min at 10x = 1 min)")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.minutes, args.speed))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
