"""Uploading a 1 GB file to the emulator: peak extra memory and time, the app's way vs plain httpx.

Three ways to send the same file to the same emulator (``tests/fake_soniox``, run in this process
on a background thread), each in its own child process so one's memory cannot hide in another's:

* ``app``   — :func:`desktop.core.jobs.upload.upload_file`: the SDK's ``client.files.upload`` with
  the progress-counting :class:`ProgressFile` (what the jobs panel does);
* ``sdk``   — ``client.files.upload(Path)``: the SDK alone, no progress;
* ``httpx`` — a plain ``httpx.AsyncClient().post(..., files=...)`` multipart upload.

Peak extra memory is the highest resident set size sampled every 2 ms during the upload minus
the resident size just before it (Linux ``/proc/self/statm``; elsewhere ``ru_maxrss`` growth).
The file holds real (non-sparse) bytes so the read path is the real one.

``python -m bench.bench_upload [--size-mb 1024] [--keep]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MB = 1024 * 1024
KEY = "test-key"


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class PeakSampler:
    def __init__(self, interval_s: float = 0.002) -> None:
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval_s)

    def __enter__(self) -> PeakSampler:
        self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


async def upload_once(way: str, base_url: str, path: Path) -> dict[str, float]:
    import httpx
    from soniox import AsyncSonioxClient

    from desktop.core.jobs.upload import upload_file

    progress_calls = 0

    def on_progress(_sent: int, _total: int) -> None:
        nonlocal progress_calls
        progress_calls += 1

    client = AsyncSonioxClient(api_key=KEY, api_base_url=base_url, timeout_sec=600)
    plain = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=600)
    try:
        # Warm up connections and imports with a tiny upload, so the baseline includes them.
        await client.files.upload(b"RIFF\x00\x00\x00\x00WAVE", filename="warm.wav")
        await plain.post("/files", files={"file": ("warm.wav", b"RIFF\x00\x00\x00\x00WAVE")})
        baseline = rss_bytes()
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with PeakSampler() as sampler:
            if way == "app":
                uploaded = await upload_file(client, path, on_progress=on_progress)
                size = uploaded.size
            elif way == "sdk":
                size = (await client.files.upload(path)).size
            else:
                with path.open("rb") as handle:
                    response = await plain.post("/files", files={"file": (path.name, handle)})
                response.raise_for_status()
                size = response.json()["size"]
        elapsed = time.perf_counter() - started
        maxrss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before
    finally:
        await client.aclose()
        await plain.aclose()
    return {
        "seconds": elapsed,
        "size": size,
        "peak_extra_bytes": max(0, sampler.peak - baseline),
        "maxrss_growth_kb": maxrss_growth,
        "progress_calls": progress_calls,
    }


def child(args: argparse.Namespace) -> int:
    result = asyncio.run(upload_once(args.way, args.base_url, Path(args.file)))
    print(json.dumps(result))
    return 0


def make_file(path: Path, size: int) -> None:
    block = os.urandom(4 * MB)
    with path.open("wb") as handle:
        handle.write(b"RIFF\xff\xff\xff\xffWAVEfmt ")
        written = 16
        while written < size:
            chunk = block[: min(len(block), size - written)]
            handle.write(chunk)
            written += len(chunk)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3, help="uploads per way (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the test file")
    parser.add_argument(
        "--emulator-storage",
        default="/dev/shm" if Path("/dev/shm").is_dir() else "",
        help="folder (ideally tmpfs) where the emulator keeps uploads; empty for the temp folder",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--way", default="app", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)

    from tests.fake_soniox import FakeSoniox, Limits

    size = args.size_mb * MB
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    path = folder / "one-gigabyte.wav"
    print(f"Writing a {args.size_mb} MB test file …", flush=True)
    make_file(path, size)
    rows = []
    # The emulator writes each upload to its own temp folder; in RAM (tmpfs) the disk's write-back
    # noise stays out of the timings, which are then about the client and the loopback socket.
    storage = args.emulator_storage
    if storage and shutil.disk_usage(storage).free < 3 * size:
        storage = ""
    tempfile.tempdir = storage or None
    try:
        emu = FakeSoniox(api_keys={KEY}, limits=Limits(max_total_file_bytes=8 * size)).start()
    finally:
        tempfile.tempdir = None
    with emu:
        ways = ["app", "sdk", "httpx"]
        order = [w for r in range(args.repeat) for w in ways[r % 3 :] + ways[: r % 3]]  # rotate: fair to each
        for way in order:
            out = subprocess.run(
                [sys.executable, "-m", "bench.bench_upload", "--child", "--way", way,
                 "--base-url", emu.api_base_url, "--file", str(path)],
                capture_output=True, text=True, check=False, timeout=1800,
            )  # fmt: skip
            if out.returncode != 0:
                print(f"{way}: failed\n{out.stderr}")
                return 1
            result = json.loads(out.stdout.strip().splitlines()[-1])
            assert result["size"] == size, result
            rows.append((way, result))
            for record in emu.files:
                emu.state.delete_file(record["id"])  # keep the emulator's disk use to one copy
    if not args.keep:
        path.unlink(missing_ok=True)
        folder.rmdir()

    print(
        f"\nUpload of {args.size_mb} MB to the emulator (127.0.0.1, storing to {storage or 'the temp folder'}); "
        f"{args.repeat} runs per way, each in a child process"
    )
    header = ("way", "median s", "best s", "MB/s (median)", "peak extra RSS MB (max)", "progress calls")
    print(f"{header[0]:<7} {header[1]:>9} {header[2]:>7} {header[3]:>14} {header[4]:>24} {header[5]:>15}")
    for way in ("app", "sdk", "httpx"):
        runs = [r for w, r in rows if w == way]
        times = sorted(r["seconds"] for r in runs)
        median = statistics.median(times)
        peak = max(r["peak_extra_bytes"] for r in runs) / MB
        calls = max(r["progress_calls"] for r in runs)
        print(f"{way:<7} {median:>9.2f} {times[0]:>7.2f} {size / MB / median:>14.0f} {peak:>24.1f} {calls:>15}")
    print(
        "\napp = desktop.core.jobs.upload.upload_file (SDK client.files.upload + ProgressFile); "
        "sdk = client.files.upload(Path); httpx = plain httpx multipart."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
