"""One dictation through the real parts, in its own process on an X server (for the e2e test):
the PulseAudio virtual microphone (fed here from the FIFO), the emulator, XTest typing or
clipboard + Ctrl+V into whichever window has the focus, the floating indicator.

``python -m tests.ui.dictation.dictation_probe API_URL WS_URL FIFO METHOD HOME`` prints one JSON
line (what was inserted and how, what the indicator showed, the focused window before and after),
then waits for a line on stdin before it exits. ``--tab-first``: once AT-SPI is followed, press
Tab (moving the target's focus into its text box) before dictating. ``--hotkey``: hold
Ctrl+Alt+Space with xdotool (the global hotkey, an X11 key grab) instead of calling begin/end.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from desktop.core.context import AppContext, EndpointOverrides
from desktop.core.dictation.service import Dictation
from desktop.core.dictation.types import DictationState
from desktop.core.library.store import Library
from desktop.core.paths import AppPaths
from desktop.core.secrets import KeySource
from desktop.platform.focus.x11 import X11Focus
from desktop.ui.dictation.host import DictationHost
from desktop.ui.dictation.hotkey_host import install_dictation_hotkey
from tests.core.live.test_live_session_support import make_pcm
from tests.pulse import Feeder

WORDS = 6


def focused_window() -> str:
    return subprocess.run(["xdotool", "getwindowfocus"], capture_output=True, text=True).stdout.strip()


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the dictation did not get there")
        await asyncio.sleep(0.02)


def keys(action: str) -> None:
    subprocess.run(["xdotool", action, "ctrl+alt+space"], check=True)


async def dictate(
    api: str, ws: str, fifo: str, method: str, home: str, tab_first: bool, hotkey: bool
) -> dict[str, object]:
    ctx = AppContext.create(AppPaths.default(), EndpointOverrides(api, ws))
    ctx.set_key("test-key", KeySource.SESSION)
    ctx.settings.realtime_model = "stt-rt-v4"
    ctx.settings.dictation_insert = method
    library = Library.open(Path(home) / "library")
    host = DictationHost(ctx, library=lambda: library, keep_open_s=0)
    if tab_first:  # watch focus over AT-SPI, then move it: the app learns which field has it
        started = host.follow_focus()
        assert started is not None
        out_atspi = await started
        subprocess.run(["xdotool", "key", "Tab"], check=True)
        await asyncio.sleep(0.5)
    done: list[Dictation] = []
    host.done.connect(done.append)
    if hotkey:  # the real global hotkey (a key grab on X11), held with xdotool
        ctx.settings.dictation_hotkey = "<ctrl>+<alt>+space"
        ctx.settings.dictation_mode = "hold"
        anchor = QObject()
        hotkeys = install_dictation_hotkey(ctx, lambda: host, anchor)
        await asyncio.sleep(0.5)  # the listener is up
    out: dict[str, object] = {"focus_before": focused_window(), "app": None}
    if tab_first:
        out["atspi"] = out_atspi
        out["atspi_before"] = await host._atspi.text_before_cursor()  # type: ignore[union-attr]
        out["atspi_focused"] = host._atspi._focused  # type: ignore[union-attr]
    app = X11Focus()()
    out["app"] = app.name if app else None
    feeder = Feeder(Path(fifo), make_pcm([("speech", 300), ("silence", 200)] * WORDS), lead_silence_s=0.2)
    feeder.start()
    try:
        started = time.perf_counter()
        if hotkey:
            keys("keydown")
            await wait_for(lambda: host.state is DictationState.LISTENING)
        else:
            await host.begin()
        out["begin_ms"] = round((time.perf_counter() - started) * 1000, 1)  # cold: PortAudio + handshake
        indicator = host.indicator
        out["listening"] = {"state": host.state.value, "shown": indicator.isVisible()}
        feeder.play()
        while not feeder.signal_done.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.8)  # the last word's audio reaches the emulator
        out["words_shown"] = indicator.words_text
        out["focus_while_listening"] = focused_window()
        if hotkey:
            keys("keyup")
            await wait_for(lambda: bool(done))
        else:
            await host.end()
        await asyncio.sleep(1.0)  # the clipboard is restored 0.5 s after a paste
        out["shown_after"] = indicator.isVisible()
        out["state_after"] = host.state.value
        out["focus_after"] = focused_window()
        if done:
            d = done[0]
            out["inserted"] = d.inserted
            out["method"] = d.result.method.value
            out["ok"] = d.result.ok
            out["history"] = [i.title for i in library.list_transcripts()]
        # Stay alive (answering clipboard requests: on X11 the clipboard lives in its owner) until
        # the test has read the target's clipboard.
        print(json.dumps(out), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    finally:
        if hotkey:
            hotkeys.shutdown()
        host.shutdown()
        await host.service.close()
        feeder.stop()
        library.close()
    return out


def main() -> int:
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("desktop.platform.insert.atspi").setLevel(logging.DEBUG)
    api, ws, fifo, method, home = sys.argv[1:6]
    tab_first = "--tab-first" in sys.argv[6:]
    hotkey = "--hotkey" in sys.argv[6:]
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(dictate(api, ws, fifo, method, home, tab_first, hotkey))
    return 0


if __name__ == "__main__":
    sys.exit(main())
