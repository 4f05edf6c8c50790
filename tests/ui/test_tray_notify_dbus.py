"""End to end: jobs on the emulator finish or fail while the window is away in the tray; the
notifications reach a notification server on a private D-Bus, and clicking the finished one opens
its transcript."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from tests.platform.fake_notifications import FakeNotificationServer, private_session_bus
from tests.ui.jobs.test_jobs_panel import submit_url
from tests.ui.jobs.test_jobs_support import fast_poll
from tests.ui.test_tray import window_with_tray

pytestmark = pytest.mark.skipif(not shutil.which("dbus-daemon"), reason="needs dbus-daemon (package dbus)")


def test_jobs_ending_while_hidden_notify_over_dbus_and_a_click_opens_the_transcript(
    qtbot,  # noqa: ANN001
    qloop,  # noqa: ANN001
    fake_soniox,  # noqa: ANN001
    make_context,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        server = FakeNotificationServer()
        starting = asyncio.ensure_future(server.start(address))
        qtbot.waitUntil(lambda: server.ready, timeout=5000)
        assert starting.done()
        try:
            fake_soniox.script_job("broken", status="error", error_message="The audio could not be decoded.")
            window, _tray, _ = window_with_tray(qtbot, make_context(fake_soniox, key="test-key"), [])
            panel = window.jobs_panel
            panel.poller.backoff = fast_poll()
            panel.poller.min_gap_s = 0.02
            panel.refresh()
            window.hide()
            submit_url(panel, "https://media.example.com/talk.mp3")
            submit_url(panel, "https://media.example.com/broken.mp3")
            qtbot.waitUntil(lambda: panel.jobs_model.rowCount() == 2, timeout=10_000)
            fake_soniox.advance(5.0)
            qtbot.waitUntil(lambda: len(server.calls) == 2, timeout=10_000)

            by_title = {c.summary: c for c in server.calls}
            assert set(by_title) == {"Transcription finished", "Transcription failed"}
            done, failed = by_title["Transcription finished"], by_title["Transcription failed"]
            assert done.body == "https://media.example.com/talk.mp3." and done.app_name == "Soniox Desktop"
            assert failed.body.startswith("https://media.example.com/broken.mp3.")
            assert "could not be decoded" in failed.body and failed.hints["urgency"] == 2
            assert done.icon.startswith("file://") and done.icon.endswith("app-256.png")

            server.click(server.calls.index(done) + 1)  # the user clicks "Transcription finished"
            windows = panel.item_actions.transcript_windows
            qtbot.waitUntil(lambda: any(w.isVisible() for w in windows.values()), timeout=5000)
            assert not window.isVisible()  # the transcript opened by itself, the window stays away
            for viewer in list(windows.values()):
                viewer.close()
        finally:
            server.stop()
            window.jobs_panel.shutdown()
