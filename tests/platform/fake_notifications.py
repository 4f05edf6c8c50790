# ruff: noqa: F821, F722, N802 - D-Bus signatures are written as annotations, D-Bus names are CamelCase
"""A private D-Bus session bus and a stand-in notification server that records what reaches it.

The server implements the org.freedesktop.Notifications methods desktop-notifier calls (Notify,
GetCapabilities, GetServerInformation, CloseNotification) and the ActionInvoked signal, which
:meth:`FakeNotificationServer.click` emits as a notification server does when the user clicks.

(No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from the
annotations, and must see them as written.)
"""

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

# No service directories: nothing on this machine is started by D-Bus activation, so "no
# notification server" really means none.
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_session_bus() -> Iterator[str]:
    """A dbus-daemon of our own; yields its address."""
    with tempfile.TemporaryDirectory(prefix="tray-dbus-") as folder:
        config = Path(folder) / "session.conf"
        config.write_text(CONFIG.format(dir=folder))
        daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert daemon.stdout is not None
            address = daemon.stdout.readline().strip()
            assert address, "dbus-daemon printed no address"
            yield address
        finally:
            daemon.terminate()
            daemon.wait(10)


@dataclass
class Notify:
    app_name: str
    icon: str
    summary: str
    body: str
    actions: list
    hints: dict
    timeout: int


class FakeNotificationServer(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(NAME)
        self.calls: list = []
        self.bus: Any = None
        self.ready = False

    @method()
    def Notify(
        self,
        app_name: "s",
        replaces_id: "u",
        app_icon: "s",
        summary: "s",
        body: "s",
        actions: "as",
        hints: "a{sv}",
        expire_timeout: "i",
    ) -> "u":
        self.calls.append(
            Notify(
                app_name, app_icon, summary, body, list(actions), {k: v.value for k, v in hints.items()}, expire_timeout
            )
        )
        return len(self.calls)

    @method()
    def GetCapabilities(self) -> "as":
        return ["body", "actions"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["Fake Notifications", "tests", "1.0", "1.2"]

    @method()
    def CloseNotification(self, nid: "u") -> None:
        return None

    @signal()
    def ActionInvoked(self, nid, key) -> "us":
        return [nid, key]

    @signal()
    def NotificationClosed(self, nid, reason) -> "uu":
        return [nid, reason]

    def click(self, nid: int) -> None:
        """What a server does when the user clicks the notification's body."""
        self.ActionInvoked(nid, "default")

    async def start(self, address: str) -> None:
        self.bus = await MessageBus(bus_address=address).connect()
        self.bus.export(PATH, self)
        await self.bus.request_name(NAME)
        self.ready = True

    def stop(self) -> None:
        if self.bus is not None:
            self.bus.disconnect()


def bus_env(address: str) -> dict:
    return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
