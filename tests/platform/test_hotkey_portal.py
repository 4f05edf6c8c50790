"""The Wayland hotkey through the GlobalShortcuts portal, against a fake portal on a private bus.

A private ``dbus-daemon`` runs per test and a fake portal (tests/platform/fake_portal.py) owns the
portal's name on it, so the real D-Bus wire protocol, match rules and request/response dance are
exercised. Skipped only where dbus-daemon is missing (CI installs the dbus package).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from desktop.platform.hotkeys import HotkeySupport, hotkey_support
from desktop.platform.hotkeys.portal import PortalHotkey, probe_portal_version
from desktop.platform.hotkeys.spec import parse_hotkey
from tests.platform.fake_portal import FakePortal

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="needs dbus-daemon")


@pytest.fixture
def bus_address() -> Iterator[str]:
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--print-address=1", "--nofork", "--nopidfile"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    try:
        assert address.startswith("unix:"), address
        yield address
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


async def wait_for(condition, timeout_s: float = 3.0) -> None:  # noqa: ANN001
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_the_shortcut_is_bound_and_its_activation_presses_and_releases(bus_address: str) -> None:
    portal = FakePortal()
    await portal.start(bus_address)
    events: list[str] = []
    errors: list[str] = []
    hotkey = PortalHotkey(bus_address=bus_address)
    hotkey.start(
        parse_hotkey("<ctrl>+<alt>+space"),
        lambda: events.append("press"),
        lambda: events.append("release"),
        errors.append,
    )
    await asyncio.wait_for(hotkey.bound.wait(), 5)
    assert errors == []
    bind = next(body for name, body in portal.calls if name.endswith("BindShortcuts"))
    ((shortcut_id, props),) = bind[1]
    assert shortcut_id == "dictate"
    assert props["preferred_trigger"].value == "CTRL+ALT+space"
    assert hotkey.bound_trigger == "Ctrl+Alt+Space"

    portal.emit("Activated")
    portal.emit("Deactivated")
    portal.emit("Activated", shortcut_id="something-else")
    portal.emit("Activated", session="/org/freedesktop/portal/desktop/session/x/other")
    await wait_for(lambda: len(events) >= 2)
    await asyncio.sleep(0.1)
    assert events == ["press", "release"]

    hotkey.stop()
    await wait_for(lambda: portal.closed == portal.sessions)
    portal.emit("Activated")
    await asyncio.sleep(0.1)
    assert events == ["press", "release"], "a press reached the app after stop()"
    portal.stop()


@pytest.mark.asyncio
async def test_a_cancelled_dialog_is_reported_in_words(bus_address: str) -> None:
    portal = FakePortal(bind_response=1)
    await portal.start(bus_address)
    errors: list[str] = []
    hotkey = PortalHotkey(bus_address=bus_address)
    hotkey.start(parse_hotkey("<ctrl>+<alt>+space"), lambda: None, lambda: None, errors.append)
    await wait_for(lambda: bool(errors))
    assert "cancelled" in errors[0] and "only while this app is focused" in errors[0]
    assert not hotkey.bound.is_set()
    portal.stop()


@pytest.mark.asyncio
async def test_a_desktop_without_the_portal_is_reported(bus_address: str) -> None:
    portal = FakePortal(version=None)
    await portal.start(bus_address)
    errors: list[str] = []
    hotkey = PortalHotkey(bus_address=bus_address)
    hotkey.start(parse_hotkey("<ctrl>+<alt>+space"), lambda: None, lambda: None, errors.append)
    await wait_for(lambda: bool(errors))
    assert "no Global Shortcuts portal" in errors[0]
    portal.stop()


@pytest.mark.asyncio
async def test_the_version_probe_decides_between_portal_and_focus_only(bus_address: str) -> None:
    portal = FakePortal(version=2)
    await portal.start(bus_address)
    version = await asyncio.to_thread(probe_portal_version, bus_address)
    assert version == 2
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    support = hotkey_support(system="linux", env=wayland, portal_version=lambda: version)
    assert support.backend == "portal" and support.works_globally
    portal.stop()
    await asyncio.sleep(0.05)
    none = await asyncio.to_thread(probe_portal_version, bus_address)
    assert none is None
    support = hotkey_support(system="linux", env=wayland, portal_version=lambda: none)
    assert isinstance(support, HotkeySupport)
    assert support.backend == "focus_only" and not support.works_globally
    assert "only while this app's window is focused" in support.message
