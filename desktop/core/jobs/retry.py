"""Backoff for calls that are safe to repeat, and the schedule the job poller follows.

Only *safe* calls are retried by themselves: reads (list, get, transcript) and deletes, which
end in the same state however often they run. Creating a transcription or uploading a file is
not repeated behind the user's back — a timed-out create may have succeeded, and a second one
would bill twice — so those failures are shown with a Retry button instead.

Each retry is announced through ``on_retry`` so the UI can say "Soniox is busy, retrying in 4 s"
rather than looking frozen.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from soniox.errors import SonioxAPIError

from desktop.core.errors import UserError, describe_error

T = TypeVar("T")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryNotice:
    """What the UI shows while a safe call waits to be tried again."""

    what: str
    attempt: int
    attempts: int
    delay_s: float
    error: UserError

    @property
    def text(self) -> str:
        why = "Soniox is busy" if self.error.status_code == 429 else self.error.title
        return (
            f"{why} while {self.what}; retrying in {self.delay_s:.0f} s "
            f"(attempt {self.attempt + 1} of {self.attempts})."
        )


RetryCallback = Callable[[RetryNotice], None]


def is_retriable(exc: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections: worth another try for a safe call."""
    if isinstance(exc, SonioxAPIError):
        return (exc.status_code or 0) in RETRY_STATUSES or (exc.status_code or 0) >= 500
    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


@dataclass
class Backoff:
    """Exponential delays: ``initial``, x``factor`` each step, capped at ``cap``, with small jitter.

    Used both for retries of one call and for polling running jobs (1 s, 2 s, 4 s … 30 s).
    """

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.1
    _step: int = 0

    def peek(self) -> float:
        return min(self.cap, self.initial * self.factor**self._step)

    def next(self) -> float:
        base = self.peek()
        self._step += 1
        if self.jitter:
            base *= 1 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, min(base, self.cap))

    def reset(self) -> None:
        self._step = 0


@dataclass
class RetryPolicy:
    attempts: int = 5
    initial_s: float = 1.0
    cap_s: float = 30.0

    def backoff(self) -> Backoff:
        return Backoff(initial=self.initial_s, cap=self.cap_s)


def _retry_after(exc: BaseException) -> float | None:
    """Honour a ``Retry-After`` header in seconds when the service sends one."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


async def call_safe(
    fn: Callable[[], Awaitable[T]],
    *,
    what: str,
    policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run a safe call, retrying 429/5xx/network failures with backoff; re-raise the last error."""
    policy = policy or RetryPolicy()
    backoff = policy.backoff()
    attempt = 0
    while True:
        try:
            return await fn()
        except Exception as exc:
            attempt += 1
            if attempt >= policy.attempts or not is_retriable(exc):
                raise
            delay = backoff.next()
            hinted = _retry_after(exc)
            if hinted is not None:
                delay = min(max(delay, hinted), policy.cap_s)
            if on_retry is not None:
                on_retry(RetryNotice(what, attempt, policy.attempts, delay, describe_error(exc)))
            await sleep(delay)
