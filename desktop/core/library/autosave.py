"""Write a live session's final tokens to the library as they arrive: batched, never later than
:data:`DEFAULT_INTERVAL_S` after they arrived.

Every realtime response (several a second) may carry a few final tokens. One transaction per
response would cost a WAL append each time; buffering them forever would lose them in a crash.
The autosave buffers the tokens and commits one transaction per batch: the first token of a batch
arms a timer, and when it fires (or the batch grows past :data:`MAX_BATCH`) the batch is written.
A SIGKILL therefore loses at most the tokens of the last ``interval_s`` (0.5 s by default: the
promise to the user is one second, and the other half covers a busy loop) plus the non-final tail,
which is never stored because it may still change.

Scheduling is injected (``call_later``), so the same code runs on the app's asyncio loop, in
tests with a fake clock, and in the benchmark. A failed write (disk full) keeps the batch and
retries with the next one, and is reported once through ``on_error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from desktop.core.library.store import Library
from desktop.core.transcript import Token

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 0.5
#: A batch this large is written at once (a reconnect replay can deliver many tokens together).
MAX_BATCH = 2000


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


CallLater = Callable[[float, Callable[[], None]], TimerHandle]


def _loop_call_later(delay: float, callback: Callable[[], None]) -> TimerHandle:
    return asyncio.get_event_loop().call_later(delay, callback)


class Autosave:
    """Buffers final tokens of one live session and commits them in batches."""

    def __init__(
        self,
        library: Library,
        transcript_id: int,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        call_later: CallLater | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.library = library
        self.transcript_id = transcript_id
        self.interval_s = interval_s
        self._call_later = call_later or _loop_call_later
        self._on_error = on_error
        self._pending: list[Token] = []
        self._timer: TimerHandle | None = None
        self._closed = False
        self._failed = False
        self.batches = 0
        self.saved = 0

    @property
    def pending(self) -> int:
        """Tokens received but not yet committed."""
        return len(self._pending)

    def add(self, tokens: Iterable[Any]) -> None:
        """Queue final tokens (non-final ones are ignored: they may still change)."""
        if self._closed:
            return
        new = [t for t in tokens if isinstance(t, Token) and t.is_final]
        if not new:
            return
        self._pending.extend(new)
        if len(self._pending) >= MAX_BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = self._call_later(self.interval_s, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> bool:
        """Commit what is pending now; False if the write failed (the tokens stay pending)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return True
        batch = self._pending
        try:
            self.library.append_tokens(self.transcript_id, batch)
        except Exception as exc:
            log.warning("Autosave of %d tokens failed: %s", len(batch), exc)
            if not self._failed and self._on_error is not None:
                self._on_error(exc)
            self._failed = True
            if not self._closed:
                self._timer = self._call_later(self.interval_s, self._on_timer)
            return False
        self._pending = []
        self.batches += 1
        self.saved += len(batch)
        self._failed = False
        return True

    def close(self) -> bool:
        """Write what is left and stop; later tokens are ignored."""
        ok = self.flush()
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return ok
