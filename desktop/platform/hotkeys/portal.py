"""The hotkey on Wayland: the XDG desktop portal's GlobalShortcuts interface, over D-Bus.

Wayland gives no app the keys pressed in another, so the desktop itself binds the shortcut and
tells us when it goes down (``Activated``) and up (``Deactivated``). Binding is a portal
*request*: the answer comes as a ``Response`` signal on a request object, which is subscribed to
before the call so it cannot be missed. The user may confirm or change the keys in a dialog the
desktop shows the first time; the trigger it settled on is kept in :attr:`PortalHotkey.bound_trigger`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from desktop.platform.hotkeys import HotkeyError
from desktop.platform.hotkeys.spec import HotkeySpec

log = logging.getLogger(__name__)

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
REGISTRY = "org.freedesktop.host.portal.Registry"
SHORTCUT_ID = "dictate"
_RESPONSE_TIMEOUT_S = 120.0  # the user may be reading the desktop's confirmation dialog


async def _connect(bus_address: str | None) -> MessageBus:
    bus = MessageBus(bus_address=bus_address, bus_type=BusType.SESSION)
    return await bus.connect()


def _check(reply: Message, what: str) -> Message:
    if reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply.body else reply.error_name
        raise HotkeyError(f"The desktop refused to {what} ({reply.error_name}: {detail}).")
    return reply


async def portal_version(bus: MessageBus) -> int | None:
    """The GlobalShortcuts portal's ``version`` property, or None when the desktop has none."""
    reply = await bus.call(
        Message(
            destination=PORTAL_NAME,
            path=PORTAL_PATH,
            interface="org.freedesktop.DBus.Properties",
            member="Get",
            signature="ss",
            body=[SHORTCUTS, "version"],
        )
    )
    if reply.message_type == MessageType.ERROR or not reply.body:
        return None
    value = reply.body[0].value if isinstance(reply.body[0], Variant) else reply.body[0]
    return int(value) if isinstance(value, int) and value > 0 else None


def probe_portal_version(bus_address: str | None = None, timeout_s: float = 1.0) -> int | None:
    """Ask the session bus for the portal's version from a worker thread, bounded in time, so a
    synchronous caller (the Settings page, start-up) never waits on a stuck D-Bus."""
    result: list[int | None] = [None]

    async def probe() -> None:
        bus = await _connect(bus_address)
        try:
            result[0] = await portal_version(bus)
        finally:
            bus.disconnect()

    def run() -> None:
        try:
            asyncio.run(asyncio.wait_for(probe(), timeout_s))
        except Exception as exc:
            log.info("No GlobalShortcuts portal: %s", exc)

    thread = threading.Thread(target=run, name="portal-probe", daemon=True)
    thread.start()
    thread.join(timeout_s + 0.5)
    return result[0]


_cached: list[int | None] = []


def cached_portal_version() -> int | None:
    """:func:`probe_portal_version` once per run."""
    if not _cached:
        _cached.append(probe_portal_version())
    return _cached[0]


class PortalHotkey:
    """GlobalHotkey through the portal. ``start`` returns at once; binding completes on the loop,
    and a failure is reported through ``on_error`` (in words) rather than raised."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        bus_address: str | None = None,
        app_id: str = "soniox-desktop",
        description: str = "Dictate (hold or toggle, as set in Soniox Desktop)",
        response_timeout_s: float = _RESPONSE_TIMEOUT_S,
    ) -> None:
        self._loop = loop
        self._bus_address = bus_address
        self._app_id = app_id
        self._description = description
        self._response_timeout_s = response_timeout_s
        self._task: asyncio.Task[None] | None = None
        self._bus: MessageBus | None = None
        self._session: str | None = None
        self._responses: dict[str, asyncio.Future[tuple[int, dict[str, Any]]]] = {}
        self.bound_trigger: str = ""
        #: Set once the shortcut is bound (tests and the Settings page wait on it).
        self.bound = asyncio.Event()

    def start(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.stop()
        self.bound = asyncio.Event()
        loop = self._loop or asyncio.get_event_loop()
        self._task = loop.create_task(self._run(spec, on_press, on_release, on_error), name="hotkey-portal")

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
        self._close_bus()

    def _close_bus(self) -> None:
        bus, self._bus = self._bus, None
        session, self._session = self._session, None
        if bus is None:
            return
        if session and bus.connected:
            with contextlib.suppress(Exception):
                bus.send(Message(destination=PORTAL_NAME, path=session, interface=SESSION, member="Close"))
        bus.disconnect()

    async def _run(
        self,
        spec: HotkeySpec,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_error: Callable[[str], None] | None,
    ) -> None:
        try:
            await self._bind(spec, on_press, on_release)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            message = str(exc) if isinstance(exc, HotkeyError) else f"The desktop's Global Shortcuts failed ({exc})."
            log.warning("Portal hotkey: %s", message)
            self._close_bus()
            if on_error is not None:
                on_error(message + " The hotkey works only while this app is focused.")

    async def _bind(self, spec: HotkeySpec, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        bus = await _connect(self._bus_address)
        self._bus = bus
        sender = (bus.unique_name or "").lstrip(":").replace(".", "_")
        request_prefix = f"{PORTAL_PATH}/request/{sender}/"

        def handle(msg: Message) -> None:
            if msg.message_type != MessageType.SIGNAL:
                return
            if msg.interface == REQUEST and msg.member == "Response":
                future = self._responses.pop(msg.path or "", None)
                if future is not None and not future.done():
                    future.set_result((int(msg.body[0]), dict(msg.body[1])))
            elif msg.interface == SHORTCUTS and msg.body and msg.body[0] == self._session:
                if msg.body[1] != SHORTCUT_ID:
                    return
                if msg.member == "Activated":
                    on_press()
                elif msg.member == "Deactivated":
                    on_release()

        bus.add_message_handler(handle)
        for rule in (
            f"type='signal',interface='{REQUEST}',member='Response',path_namespace='{PORTAL_PATH}/request/{sender}'",
            f"type='signal',interface='{SHORTCUTS}',path='{PORTAL_PATH}'",
        ):
            _check(
                await bus.call(
                    Message(
                        destination="org.freedesktop.DBus",
                        path="/org/freedesktop/DBus",
                        interface="org.freedesktop.DBus",
                        member="AddMatch",
                        signature="s",
                        body=[rule],
                    )
                ),
                "watch for shortcut signals",
            )
        version = await portal_version(bus)
        if not version:
            raise HotkeyError("This desktop offers no Global Shortcuts portal.")
        await self._register_app(bus)

        session_token = "soniox_" + secrets.token_hex(6)
        results = await self._request(
            bus,
            request_prefix,
            "CreateSession",
            "a{sv}",
            lambda token: [{"handle_token": Variant("s", token), "session_handle_token": Variant("s", session_token)}],
            "open a Global Shortcuts session",
        )
        handle_value = results.get("session_handle")
        self._session = str(handle_value.value if isinstance(handle_value, Variant) else handle_value)
        shortcut = [
            SHORTCUT_ID,
            {"description": Variant("s", self._description), "preferred_trigger": Variant("s", spec.xdg_trigger())},
        ]
        results = await self._request(
            bus,
            request_prefix,
            "BindShortcuts",
            "oa(sa{sv})sa{sv}",
            lambda token: [self._session, [shortcut], "", {"handle_token": Variant("s", token)}],
            "bind the dictation shortcut",
        )
        bound = results.get("shortcuts")
        bound_list = bound.value if isinstance(bound, Variant) else bound
        for shortcut_id, props in bound_list or []:
            if shortcut_id == SHORTCUT_ID:
                described = props.get("trigger_description")
                self.bound_trigger = str(described.value) if isinstance(described, Variant) else ""
        log.info("Global hotkey bound through the portal (v%s): %s", version, self.bound_trigger or "no trigger yet")
        self.bound.set()

    async def _register_app(self, bus: MessageBus) -> None:
        """Tell the portal which app this is (xdg-desktop-portal 1.19+ needs it for apps that are
        not sandboxed); older portals lack the interface, which is fine."""
        reply = await bus.call(
            Message(
                destination=PORTAL_NAME,
                path=PORTAL_PATH,
                interface=REGISTRY,
                member="Register",
                signature="sa{sv}",
                body=[self._app_id, {}],
            )
        )
        if reply.message_type == MessageType.ERROR:
            log.debug("Portal app registration not available: %s", reply.error_name)

    async def _request(
        self,
        bus: MessageBus,
        request_prefix: str,
        member: str,
        signature: str,
        body: Callable[[str], list[Any]],
        what: str,
    ) -> dict[str, Any]:
        token = "soniox_" + secrets.token_hex(6)
        future: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        expected = request_prefix + token
        self._responses[expected] = future
        reply = _check(
            await bus.call(
                Message(
                    destination=PORTAL_NAME,
                    path=PORTAL_PATH,
                    interface=SHORTCUTS,
                    member=member,
                    signature=signature,
                    body=body(token),
                )
            ),
            what,
        )
        handle = str(reply.body[0]) if reply.body else expected
        if handle != expected:  # a portal older than the predictable request paths
            self._responses[handle] = self._responses.pop(expected)
        try:
            code, results = await asyncio.wait_for(future, self._response_timeout_s)
        finally:
            self._responses.pop(handle, None)
        if code == 1:
            raise HotkeyError(f"The desktop's dialog to {what} was cancelled.")
        if code != 0:
            raise HotkeyError(f"The desktop could not {what} (response {code}).")
        return results
