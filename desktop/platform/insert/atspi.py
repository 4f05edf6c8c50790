"""Linux: the text before the cursor in the focused field, read over AT-SPI (what screen readers use).

Dictated words are fitted to what is already there (a space, a capital), and only the
accessibility bus can tell another app's text on Linux. AT-SPI has no "which object has the
focus" call, so this follows focus events as screen readers do: it registers for
``object:state-changed:focused`` on the accessibility bus and keeps the last object that gained
focus; at insertion time it asks that object for the caret offset and the text before it.

Everything may be missing (no accessibility bus, an app without accessibility, a field that is
not text): the answer is then None and the caller assumes a space, as on the other systems.
Talks D-Bus through dbus-fast (asyncio), so it runs on the app's loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

#: The text asked for before the caret: enough to see the sentence end and the whitespace.
CONTEXT_CHARS = 64
CALL_TIMEOUT_S = 0.15  # a hung app must not hold up the insertion
_MATCH = "type='signal',interface='org.a11y.atspi.Event.Object',member='StateChanged'"


class AtspiContext:
    """Follows focus on the accessibility bus; ``text_before_cursor()`` asks the focused field."""

    def __init__(self) -> None:
        self._bus: MessageBus | None = None
        self._focused: tuple[str, str] | None = None  # (app bus name, object path)
        self.started = False

    async def start(self) -> bool:
        """Connect and register for focus events; False when there is no accessibility bus."""
        if self.started:
            return self._bus is not None
        self.started = True
        try:
            session = await MessageBus(bus_type=BusType.SESSION).connect()
            try:
                reply = await _call(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress", "", [])
            finally:
                session.disconnect()
            bus = await MessageBus(bus_address=str(reply[0])).connect()
            await _call(
                bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s", [_MATCH]
            )
            bus.add_message_handler(self._on_message)
            await _call(
                bus,
                "org.a11y.atspi.Registry",
                "/org/a11y/atspi/registry",
                "org.a11y.atspi.Registry",
                "RegisterEvent",
                "s",
                ["object:state-changed:focused"],
            )
        except Exception as exc:
            log.info("No AT-SPI: the text before the cursor will be guessed (%s)", exc)
            return False
        self._bus = bus
        return True

    def _on_message(self, message: Message) -> bool:
        if (
            message.message_type is MessageType.SIGNAL
            and message.member == "StateChanged"
            and message.body
            and message.body[0] == "focused"
            and message.sender
            and message.path
        ):
            if message.body[1]:
                self._focused = (message.sender, message.path)
            elif self._focused == (message.sender, message.path):
                self._focused = None
        return False  # not handled: other handlers may see it

    async def text_before_cursor(self) -> str | None:
        bus, focused = self._bus, self._focused
        if bus is None or focused is None:
            return None
        name, path = focused
        try:
            (caret,) = await _call(bus, name, path, "org.a11y.atspi.Text", "GetCaretOffset", "", [])
            if caret < 0:
                return None
            start = max(0, int(caret) - CONTEXT_CHARS)
            (text,) = await _call(bus, name, path, "org.a11y.atspi.Text", "GetText", "ii", [start, int(caret)])
        except Exception as exc:  # not a text field, the app went away, it did not answer in time
            log.debug("AT-SPI text before the cursor unavailable: %s", exc)
            return None
        text = str(text)
        if start > 0 and not text:
            return None
        return text

    def close(self) -> None:
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None


async def _call(
    bus: MessageBus, destination: str, path: str, interface: str, member: str, signature: str, body: list[Any]
) -> list[Any]:
    message = Message(
        destination=destination, path=path, interface=interface, member=member, signature=signature, body=body
    )
    reply = await asyncio.wait_for(bus.call(message), CALL_TIMEOUT_S * 4 if member == "GetAddress" else CALL_TIMEOUT_S)
    if reply.message_type is MessageType.ERROR:
        detail = reply.body[0] if reply.body else ""
        raise OSError(f"{interface}.{member}: {reply.error_name} {detail}")
    # Some toolkits (Qt) wrap answers in variants.
    return [value.value if isinstance(value, Variant) else value for value in reply.body]
