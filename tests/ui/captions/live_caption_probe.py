"""A live session captioned by the overlay, in its own process on a real X server, for the AT-SPI test.

Starts the emulator and a fake microphone in-process, opens the app's main window, turns captions on
and starts a live session. Prints ``READY <caption text>`` once the overlay shows the last words, then
keeps the app running (so a screen-reader client can read it) until killed or ``seconds`` pass.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import numpy as np
import qasync
from PySide6.QtWidgets import QApplication

from desktop.audio.capture import capture_factory
from desktop.core.context import AppContext, EndpointOverrides
from desktop.core.paths import AppPaths
from desktop.ui.main_window import MainWindow
from tests.audio_helpers import FakeSoundDevice
from tests.fake_soniox import FakeSoniox
from tests.live_helpers import FAST, RATE, silence, speech

PHRASE = "captions read by a screen reader"


def main() -> None:
    seconds = float(sys.argv[1])
    emu = FakeSoniox(api_keys={"test-key"}).start()
    emu.set_script([{"speaker": "1", "text": PHRASE}])
    os.environ["SONIOX_API_KEY"] = "test-key"
    app = QApplication(["captionprobe"])
    app.setApplicationName("captionprobe")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ctx = AppContext.create(AppPaths.default(), EndpointOverrides(emu.api_base_url, emu.websocket_url))
    window = MainWindow(ctx)
    panel = window.live_panel
    panel._capture_factory = capture_factory(
        FakeSoundDevice(np.concatenate([speech(2.5), silence(1.0)]), RATE, speed=4.0)
    )
    panel._session_options = FAST
    panel.options_form.diarization_check.setChecked(True)
    window.show()
    window.captions_action.setChecked(True)

    async def run() -> None:
        panel.start()
        overlay = window.captions.overlay
        assert overlay is not None
        deadline = time.monotonic() + 20
        while PHRASE not in overlay.text() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        print("READY", overlay.text().replace("\n", " | "), flush=True)
        await asyncio.sleep(seconds)
        panel.cancel()

    with loop:
        loop.run_until_complete(run())
    emu.stop()


if __name__ == "__main__":
    main()
