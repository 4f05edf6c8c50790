"""One pace for every REST call the jobs service makes, so a batch slows down when Soniox asks.

Why: with 600 files dropped at once, uploads, creates, polls and list pages all compete. Each
call used to go out as soon as it was ready, and a 429 only failed the one call that got it —
the others kept the rate up, so the next ones failed too. :class:`RateGate` is shared by them
all (the jobs repository asks it before each request):

* requests start at most ``rate`` per second, spaced evenly (no bursts);
* a 429 (or a 503 with ``Retry-After``) pauses *every* caller until the time the service named
  (``Retry-After``) or, without a hint, ``default_pause_s``; a 429 also halves the rate
  (never below ``min_rate``), and each success wins a little of it back (AIMD, as TCP does);
* at most ``max_uploads`` uploads are in flight, so a folder does not open dozens of streams.

Time and sleeping are injectable so tests run it on a fake clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from soniox.errors import SonioxAPIError

from desktop.core.jobs.retry import retry_after

T = TypeVar("T")

DEFAULT_RATE = 10.0
DEFAULT_MAX_UPLOADS = 2


class RateGate:
    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        min_rate: float = 0.5,
        decrease: float = 0.7,
        increase: float | None = None,
        default_pause_s: float = 1.0,
        max_pause_s: float = 120.0,
        max_uploads: int = DEFAULT_MAX_UPLOADS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.max_rate = rate
        self.rate = rate
        self.min_rate = min_rate
        self.decrease = decrease
        #: Rate won back per success (default: the whole range back in about 50 successes).
        self.increase = rate / 50 if increase is None else increase
        self.default_pause_s = default_pause_s
        self.max_pause_s = max_pause_s
        self.max_uploads = max_uploads
        self._clock = clock
        self._sleep = sleep
        self._next_start = 0.0
        self._paused_until = 0.0
        self._last_cut = -1e9
        self._uploads: asyncio.Semaphore | None = None
        #: How many requests went through, and how many times the service said "slow down".
        self.requests = 0
        self.throttled = 0

    @property
    def paused_for(self) -> float:
        """Seconds left of the pause the service asked for (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self) -> None:
        """Wait for this caller's turn: after any pause, and ``1 / rate`` after the previous start."""
        while True:
            now = self._clock()
            start = max(now, self._next_start, self._paused_until)
            # Book the slot before sleeping, so waiters line up instead of all waking at once.
            self._next_start = start + 1.0 / self.rate
            if start > now:
                await self._sleep(start - now)
            if self._clock() + 1e-9 >= self._paused_until:
                self.requests += 1
                return
            # A 429 arrived while this caller slept: queue again behind the new pause.

    def on_success(self) -> None:
        self.rate = min(self.max_rate, self.rate + self.increase)

    def on_error(self, exc: BaseException) -> None:
        """Learn from a failed call: a 429 slows everyone down.

        A 503's ``Retry-After`` is honoured by the call that got it (its own retry waits that
        long), not by everyone: one busy backend is not a rate limit on the account.
        """
        if not isinstance(exc, SonioxAPIError):
            return
        status = exc.status_code or 0
        hint = retry_after(exc)
        if status == 429:
            self.throttled += 1
            self._pause(hint if hint is not None else self.default_pause_s)
            now = self._clock()
            # Several calls in flight get the same 429: slow down once a second, not once per call.
            if now - self._last_cut >= 1.0:
                self._last_cut = now
                self.rate = max(self.min_rate, self.rate * self.decrease)

    def _pause(self, seconds: float) -> None:
        until = self._clock() + min(max(0.0, seconds), self.max_pause_s)
        self._paused_until = max(self._paused_until, until)
        self._next_start = max(self._next_start, self._paused_until)

    @asynccontextmanager
    async def upload_slot(self) -> AsyncIterator[None]:
        """Hold one of the ``max_uploads`` upload slots for the duration of an upload."""
        if self._uploads is None:
            self._uploads = asyncio.Semaphore(self.max_uploads)
        async with self._uploads:
            yield

    async def run(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run one request at the gate's pace and let its outcome steer the pace."""
        await self.acquire()
        try:
            result = await fn()
        except Exception as exc:
            self.on_error(exc)
            raise
        self.on_success()
        return result
