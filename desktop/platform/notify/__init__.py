"""Desktop notifications: the system's own (desktop-notifier), the tray's balloon when there is none.

desktop-notifier speaks each system's notification service: org.freedesktop.Notifications over
D-Bus on Linux, WinRT toasts on Windows 10+, UserNotifications on macOS (from the app bundle).
It never raises when a notification cannot be shown (it logs), so whether one was shown is read
from its "dispatched" callback; when none answers in time (no notification server, no session
bus, an unbundled macOS app) the ``fallback`` shows it instead — the app passes the tray icon's
message balloon. After a failure the service is left alone for a while, so a desktop without one
does not cost a D-Bus round trip and a logged traceback per notice.

Clicking a notification runs its ``on_click`` where the service reports clicks (D-Bus servers
with actions, except Xfce's; Windows; macOS); elsewhere the click does nothing, so ``on_click``
must only add a shortcut, never be the only way to something.

Callers use the small :class:`Notifier` interface (``notify(title, body, error=..., on_click=...)``),
which returns at once; the sending happens on the running asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: ``fallback(title, body, error, on_click)``: show it some other way (the tray's balloon).
Fallback = Callable[[str, str, bool, "Callable[[], object] | None"], None]

SEND_TIMEOUT_S = 5.0
RETRY_AFTER_S = 60.0


class Notifier(Protocol):
    def notify(
        self, title: str, body: str, *, error: bool = False, on_click: Callable[[], object] | None = None
    ) -> None:
        """Show a notification now (returns at once); ``error`` makes it urgent where that exists."""


class DesktopNotifications:
    """A :class:`Notifier` through desktop-notifier, falling back to ``fallback``."""

    def __init__(
        self,
        app_name: str,
        *,
        fallback: Fallback | None = None,
        icon: Path | None = None,
        timeout_s: float = SEND_TIMEOUT_S,
        retry_after_s: float = RETRY_AFTER_S,
        make_notifier: Callable[[], Any] | None = None,
    ) -> None:
        self.app_name = app_name
        self.fallback = fallback
        self.icon = icon
        self.timeout_s = timeout_s
        self.retry_after_s = retry_after_s
        self._make_notifier = make_notifier or self._desktop_notifier
        self._notifier: Any = None
        self._down_until = 0.0
        self._tasks: set[asyncio.Task[bool]] = set()
        #: (title, body, shown by the system) of each notification, newest last (for logs and tests).
        self.sent: list[tuple[str, str, bool]] = []

    def _desktop_notifier(self) -> Any:
        from desktop_notifier import DesktopNotifier, Icon  # imported on first use: it loads dbus-fast

        notifier = DesktopNotifier(self.app_name, Icon(path=self.icon) if self.icon is not None else None)
        if type(notifier._backend).__name__ == "DummyNotificationCenter":
            return None  # this system has no service desktop-notifier can reach: always the fallback
        return notifier

    def notify(
        self, title: str, body: str, *, error: bool = False, on_click: Callable[[], object] | None = None
    ) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop to send on (shutting down): show it the other way now
            self._fall_back(title, body, error, on_click)
            return
        task = asyncio.ensure_future(self.send(title, body, error=error, on_click=on_click))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send(
        self, title: str, body: str, *, error: bool = False, on_click: Callable[[], object] | None = None
    ) -> bool:
        """Show it; True when the system's notification service took it, False when the fallback did."""
        shown = False
        if time.monotonic() >= self._down_until:
            shown = await self._send_native(title, body, error, on_click)
            if not shown:
                self._down_until = time.monotonic() + self.retry_after_s
        self.sent.append((title, body, shown))
        if not shown:
            self._fall_back(title, body, error, on_click)
        return shown

    async def _send_native(self, title: str, body: str, error: bool, on_click: Callable[[], object] | None) -> bool:
        from desktop_notifier import Urgency

        try:
            if self._notifier is None:
                self._notifier = self._make_notifier()
            if self._notifier is None:
                return False
            dispatched = asyncio.Event()
            await asyncio.wait_for(
                self._notifier.send(
                    title,
                    body,
                    urgency=Urgency.Critical if error else Urgency.Normal,
                    on_dispatched=dispatched.set,
                    on_clicked=(lambda: _run_click(on_click)) if on_click is not None else None,
                ),
                self.timeout_s,
            )
        except (TimeoutError, asyncio.TimeoutError):
            log.warning("The notification service did not answer within %.1f s", self.timeout_s)
            self._notifier = None  # a fresh connection next time
            return False
        except Exception:
            log.exception("Could not send a notification")
            self._notifier = None
            return False
        if not dispatched.is_set():
            log.info("No notification service took the notification; showing it from the tray")
            self._notifier = None
        return dispatched.is_set()

    def _fall_back(self, title: str, body: str, error: bool, on_click: Callable[[], object] | None) -> None:
        if self.fallback is None:
            log.info("Notification not shown (no notification service): %s: %s", title, body)
            return
        try:
            self.fallback(title, body, error, on_click)
        except Exception:
            log.exception("The fallback notification failed")

    def close(self) -> None:
        """Give up on notifications still being sent (the app is quitting: its loop is about to go)."""
        for task in list(self._tasks):
            task.cancel()

    async def drain(self) -> None:
        """Until every notification sent so far is shown or given up on (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _run_click(on_click: Callable[[], object] | None) -> None:
    if on_click is None:
        return
    try:
        on_click()
    except Exception:
        log.exception("Opening what a notification was about failed")
