"""The Live panel through a network outage longer than its buffer: warned, reported, and recoverable.

The microphone is the project's fake PortAudio device; the service is the emulator behind a TCP
relay that blacks out (port closed, sockets reset). The session's buffer is shrunk to 2 s so a
4 s outage outlasts it. Afterwards the panel names the audio that never reached Soniox and cuts
it from the recording into a clip for a file job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from desktop.core.backoff import Backoff
from desktop.core.library.store import Library
from desktop.core.live.state import LiveState
from desktop.ui.live.panel import LivePanel
from tests.a11y import assert_accessible
from tests.audio_helpers import FakeSoundDevice
from tests.live_helpers import FAST, RATE, played_s, speech
from tests.net_relay import TcpRelay


@pytest.fixture
def library(app_home: Path) -> Iterator[Library]:
    lib = Library.open(app_home / "data")
    yield lib
    lib.close()


def run(qtbot, coro) -> None:  # noqa: ANN001
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=5000)
    task.result()


def test_an_outage_longer_than_the_buffer_is_named_and_its_audio_offered_as_a_file_job(
    qtbot,
    qloop,
    fake_soniox,
    make_context,
    library: Library,  # noqa: ANN001
) -> None:
    fake_soniox.set_script(["one two three four five six seven eight"], loop=True)
    relay = TcpRelay("127.0.0.1", fake_soniox.port)
    run(qtbot, relay.start())
    ctx = make_context(
        SimpleNamespace(api_base_url=fake_soniox.api_base_url, websocket_url=relay.url("ws", "/transcribe-websocket")),
        key="test-key",
    )
    sd = FakeSoundDevice(speech(1.0), RATE, speed=4.0, loop_for_s=60)
    options = {**FAST, "max_gap_s": 2.0, "backoff": Backoff(initial=0.05, cap=0.1, jitter=0, max_attempts=8)}
    panel = LivePanel(ctx, sd=sd, session_options=options, monitor_microphone=False, library=library)
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.show()
    clips: list[list[Path]] = []
    panel.transcribe_files_requested.connect(clips.append)
    try:
        panel.start()
        qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=5000)
        qtbot.waitUntil(lambda: played_s(panel) > 2.0, timeout=5000)
        run(qtbot, relay.black_out())
        outage_from = played_s(panel)
        qtbot.waitUntil(lambda: played_s(panel) > outage_from + 4.0, timeout=10000)
        assert panel.state is LiveState.RECONNECTING
        # Said while it happens, in the state line: how much went and that the recording has it.
        qtbot.waitUntil(lambda: "could not be kept for sending" in panel.state_label.text(), timeout=3000)
        assert "it is in the recording" in panel.state_label.text()
        run(qtbot, relay.restore())
        qtbot.waitUntil(lambda: panel.state is LiveState.RUNNING, timeout=10000)
        panel.stop()
        qtbot.waitUntil(lambda: panel.state is LiveState.FINISHED, timeout=10000)
    finally:
        run(qtbot, relay.close())

    bar = panel.lost_audio_bar
    spans = panel.controller.run.lost_spans_ms
    assert len(spans) == 1 and spans[0][1] - spans[0][0] >= 1500
    assert bar.isVisible() and "of audio was never transcribed" in bar.label.text()
    assert "It is in the recording and can be sent as a file job." in bar.label.text()
    assert_accessible(bar)
    assert bar.transcribe_button.isVisible()
    bar.transcribe_button.click()
    qtbot.waitUntil(lambda: clips != [], timeout=10000)
    (clip,) = clips[0]
    assert clip.exists() and clip.parent == panel.controller.run.audio_path.parent
    lost_s = (spans[0][1] - spans[0][0]) / 1000
    assert soundfile.info(str(clip)).duration == pytest.approx(lost_s + 1.0, abs=0.1)  # 0.5 s pad each side
    samples = soundfile.read(str(clip), dtype="float32")[0]
    assert np.abs(samples).max() > 0.1  # the speech that was said during the outage
    assert "Sent to Files for transcription" in bar.label.text()
