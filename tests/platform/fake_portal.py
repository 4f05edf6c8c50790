"""A tiny stand-in for xdg-desktop-portal's GlobalShortcuts on a private session bus (dbus-fast).

It answers the calls the app makes (version property, Registry.Register, CreateSession,
BindShortcuts) the way the real portal does, with Response signals on the request objects, and
lets a test press and release the bound shortcut by emitting Activated/Deactivated.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from desktop.platform.hotkeys.portal import PORTAL_NAME, PORTAL_PATH, REQUEST, SHORTCUTS


class FakePortal:
    def __init__(self, version: int | None = 1, bind_response: int = 0, trigger_description: str = "Ctrl+Alt+Space"):
        self.version = version
        self.bind_response = bind_response
        self.trigger_description = trigger_description
        self.calls: list[tuple[str, list[Any]]] = []
        self.sessions: list[str] = []
        self.closed: list[str] = []
        self.bus: MessageBus | None = None
        self._ids = itertools.count(1)

    async def start(self, address: str) -> None:
        self.bus = await MessageBus(bus_address=address).connect()
        self.bus.add_message_handler(self._handle)
        await self.bus.request_name(PORTAL_NAME)

    def stop(self) -> None:
        if self.bus is not None:
            self.bus.disconnect()

    def _respond_later(self, path: str, code: int, results: dict[str, Variant]) -> None:
        assert self.bus is not None
        signal = Message.new_signal(path, REQUEST, "Response", "ua{sv}", [code, results])
        asyncio.get_running_loop().call_later(0.01, self.bus.send, signal)

    def _handle(self, msg: Message) -> Message | bool | None:
        if msg.message_type != MessageType.METHOD_CALL:
            return None
        self.calls.append((f"{msg.interface}.{msg.member}", list(msg.body)))
        sender = (msg.sender or "").lstrip(":").replace(".", "_")
        if msg.interface == "org.freedesktop.DBus.Properties" and msg.member == "Get":
            if self.version is None or msg.body[0] != SHORTCUTS:
                return Message.new_error(msg, "org.freedesktop.DBus.Error.UnknownInterface", "no such interface")
            return Message.new_method_return(msg, "v", [Variant("u", self.version)])
        if msg.interface == "org.freedesktop.host.portal.Registry":
            return Message.new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "old portal")
        if msg.interface == SHORTCUTS and msg.member == "CreateSession":
            options = msg.body[0]
            request = f"{PORTAL_PATH}/request/{sender}/{options['handle_token'].value}"
            session = f"{PORTAL_PATH}/session/{sender}/{options['session_handle_token'].value}"
            self.sessions.append(session)
            self._respond_later(request, 0, {"session_handle": Variant("s", session)})
            return Message.new_method_return(msg, "o", [request])
        if msg.interface == SHORTCUTS and msg.member == "BindShortcuts":
            _session, shortcuts, _parent, options = msg.body
            request = f"{PORTAL_PATH}/request/{sender}/{options['handle_token'].value}"
            bound = [
                [
                    sid,
                    {
                        "description": props["description"],
                        "trigger_description": Variant("s", self.trigger_description),
                    },
                ]
                for sid, props in shortcuts
            ]
            self._respond_later(request, self.bind_response, {"shortcuts": Variant("a(sa{sv})", bound)})
            return Message.new_method_return(msg, "o", [request])
        if msg.interface == "org.freedesktop.portal.Session" and msg.member == "Close":
            self.closed.append(msg.path or "")
            return Message.new_method_return(msg)
        return None

    def emit(self, member: str, shortcut_id: str = "dictate", session: str | None = None) -> None:
        assert self.bus is not None
        self.bus.send(
            Message.new_signal(
                PORTAL_PATH,
                SHORTCUTS,
                member,
                "osta{sv}",
                [session or self.sessions[-1], shortcut_id, next(self._ids), {}],
            )
        )
