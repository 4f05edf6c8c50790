"""Notifications over a real D-Bus (a private dbus-daemon) to a stand-in notification server that
records what reached it; the fallback when there is no server, or no bus at all."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from desktop.platform.notify import DesktopNotifications
from tests.platform.fake_notifications import FakeNotificationServer, private_session_bus

pytestmark = pytest.mark.skipif(not shutil.which("dbus-daemon"), reason="needs dbus-daemon (package dbus)")

Shown = list[tuple[str, str, bool, "Callable[[], object] | None"]]


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest_asyncio.fixture
async def server(bus: str) -> AsyncIterator[FakeNotificationServer]:
    fake = FakeNotificationServer()
    await fake.start(bus)
    yield fake
    fake.stop()


def _notifications(shown: Shown, **kw: object) -> DesktopNotifications:
    return DesktopNotifications(
        "Soniox Desktop",
        fallback=lambda *args: shown.append(args),
        timeout_s=3,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_the_title_and_body_reach_the_notification_server(server: FakeNotificationServer) -> None:
    shown: Shown = []
    notes = _notifications(shown, icon=Path("/opt/soniox/icon.png"))
    assert await notes.send("Transcription finished", "talk.wav.") is True
    assert await notes.send("Transcription failed", "bad.wav. The audio could not be decoded.", error=True)
    first, second = server.calls
    assert (first.app_name, first.summary, first.body) == ("Soniox Desktop", "Transcription finished", "talk.wav.")
    assert first.icon == "file:///opt/soniox/icon.png" and first.hints["urgency"] == 1
    assert (second.summary, second.body, second.hints["urgency"]) == (
        "Transcription failed",
        "bad.wav. The audio could not be decoded.",
        2,  # critical: a failure stays until dismissed
    )
    assert shown == []  # the server showed them: no balloon as well


@pytest.mark.asyncio
async def test_a_click_on_the_notification_runs_its_action(server: FakeNotificationServer) -> None:
    opened: list[str] = []
    notes = _notifications([])
    await notes.send("Transcription finished", "talk.wav.", on_click=lambda: opened.append("talk.wav"))
    assert server.calls[0].actions[:2] == ["default", ""]  # asked to be told of a click
    server.click(1)
    for _ in range(100):
        if opened:
            break
        await asyncio.sleep(0.02)
    assert opened == ["talk.wav"]


@pytest.mark.asyncio
async def test_without_a_notification_server_the_fallback_shows_it(bus: str) -> None:
    shown: Shown = []
    notes = _notifications(shown)
    assert await notes.send("Text copied", "It could not be typed; paste it with Ctrl+V.", error=True) is False
    assert [s[:3] for s in shown] == [("Text copied", "It could not be typed; paste it with Ctrl+V.", True)]
    # Until the service is tried again, notices go straight to the fallback (no D-Bus wait).
    assert await notes.send("Second", "body") is False
    assert [s[0] for s in shown] == ["Text copied", "Second"]


@pytest.mark.asyncio
async def test_a_server_that_appears_later_is_used_once_retried(bus: str) -> None:
    shown: Shown = []
    notes = _notifications(shown, retry_after_s=0)
    assert await notes.send("First", "no server yet") is False
    fake = FakeNotificationServer()
    await fake.start(bus)
    try:
        assert await notes.send("Second", "the server is up") is True
        assert [c.summary for c in fake.calls] == ["Second"] and [s[0] for s in shown] == ["First"]
    finally:
        fake.stop()


@pytest.mark.asyncio
async def test_without_a_session_bus_the_fallback_shows_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    shown: Shown = []
    notes = _notifications(shown)
    notes.notify("Transcription finished", "talk.wav.")  # the fire-and-forget form callers use
    await notes.drain()
    assert [s[:3] for s in shown] == [("Transcription finished", "talk.wav.", False)]
    assert notes.sent == [("Transcription finished", "talk.wav.", False)]


@pytest.mark.asyncio
async def test_closing_gives_up_on_a_notification_still_being_sent() -> None:
    started = asyncio.Event()

    class Stuck:
        async def send(self, *_args: object, **_kw: object) -> str:
            started.set()
            await asyncio.sleep(3600)  # a notification service that never answers
            return ""

    shown: Shown = []
    notes = DesktopNotifications("Soniox Desktop", fallback=lambda *a: shown.append(a), make_notifier=Stuck)  # type: ignore[arg-type]
    notes.notify("Transcription finished", "talk.wav.")
    await asyncio.wait_for(started.wait(), 5)
    notes.close()
    await asyncio.wait_for(notes.drain(), 5)  # nothing left pending when the loop goes away
    assert shown == [] and notes.sent == []
