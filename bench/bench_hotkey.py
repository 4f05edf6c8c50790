"""Latency of the global dictation hotkey on X11: key event sent -> the trigger's press on the loop.

Under a private Xvfb, the real pynput listener (X RECORD) watches the keyboard while this process
sends Ctrl+Alt+Space with XTest (python-xlib, synced, so the server has the event when the clock
starts). Timed: until the combination's press reaches the asyncio loop (what starts dictation: the
trigger calls ``begin()`` right there), and until its release does (the trigger then waits its
auto-repeat grace, 50 ms by default, before ``end()``). 40 presses and releases, 150 ms apart.

Run: ``python -m bench.bench_hotkey`` (needs Xvfb; prints a note and exits 0 without it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

ROUNDS = 40


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    display = f":{600 + os.getpid() % 200}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
        if time.monotonic() > deadline:
            raise SystemExit("Xvfb did not start")
        time.sleep(0.05)
    return server, display


async def measure() -> tuple[list[float], list[float]]:
    from Xlib import XK, X, display
    from Xlib.ext import xtest

    from desktop.platform.hotkeys import parse_hotkey
    from desktop.platform.hotkeys.pynput_backend import PynputHotkey

    conn = display.Display()
    codes = [conn.keysym_to_keycode(XK.string_to_keysym(name)) for name in ("Control_L", "Alt_L", "space")]
    loop = asyncio.get_running_loop()
    arrived: asyncio.Queue[float] = asyncio.Queue()
    hotkey = PynputHotkey(loop)
    spec = parse_hotkey("<ctrl>+<alt>+<space>")
    assert spec is not None
    hotkey.start(spec, lambda: arrived.put_nowait(time.perf_counter()), lambda: arrived.put_nowait(time.perf_counter()))
    await asyncio.sleep(0.3)

    def send(kind: int, keys: list[int]) -> float:
        for code in keys:
            xtest.fake_input(conn, kind, code)
        started = time.perf_counter()
        conn.sync()
        return started

    presses: list[float] = []
    releases: list[float] = []
    for _ in range(ROUNDS):
        sent = send(X.KeyPress, codes)
        presses.append((await asyncio.wait_for(arrived.get(), 5) - sent) * 1000)
        await asyncio.sleep(0.15)
        sent = send(X.KeyRelease, list(reversed(codes)))
        releases.append((await asyncio.wait_for(arrived.get(), 5) - sent) * 1000)
        await asyncio.sleep(0.15)
    hotkey.stop()
    await asyncio.sleep(0.3)  # the listener thread closes its X connections before Xvfb goes
    return presses, releases


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    if shutil.which("Xvfb") is None:
        print("Xvfb is not installed: nothing measured.")
        return
    server, display = start_xvfb()
    os.environ["DISPLAY"] = display
    try:
        presses, releases = asyncio.run(measure())
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"Global hotkey through pynput (X RECORD) on Xvfb, {ROUNDS} rounds")
    for label, values in (("press -> loop", presses), ("release -> loop", releases)):
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        print(f"  {label:16} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {max(values):6.2f} ms")


if __name__ == "__main__":
    main()
