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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from soniox.errors import SonioxAPIError

from desktop.core.backoff import Backoff
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
