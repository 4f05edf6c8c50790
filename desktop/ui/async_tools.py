"""Glue between Qt and the asyncio loop (qasync), kept in one place.

Coroutines started from the UI are tracked so the window can cancel them on shutdown; their
exceptions are logged rather than lost ("Task exception was never retrieved").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

_tasks: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, Any], *, name: str | None = None, owner: QObject | None = None
) -> asyncio.Task[Any]:
    """Run ``coro`` on the app's loop, keep a reference, and log an unexpected failure.

    With ``owner``, the task is cancelled when that widget is destroyed, so a coroutine never
    resumes to update a widget that no longer exists.
    """
    task = asyncio.ensure_future(coro)
    if name:
        task.set_name(name)
    _tasks.add(task)
    if owner is not None:
        owner.destroyed.connect(lambda *_: task.cancel())

    def _done(t: asyncio.Task[Any]) -> None:
        _tasks.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.error("Background task %s failed", t.get_name(), exc_info=t.exception())

    task.add_done_callback(_done)
    return task


async def cancel_all(timeout_s: float = 3.0) -> None:
    """Cancel every task started with :func:`spawn` and wait briefly for them to unwind."""
    pending = [t for t in _tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout_s)
