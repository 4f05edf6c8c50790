"""Backoff for calls that are safe to repeat, and how to tell whether a failed call happened.

*Safe* calls are retried blindly: reads (list, get, transcript) and deletes, which end in the
same state however often they run. Creating a transcription or uploading a file is retried only
when the failure proves it did not happen (:func:`outcome_of` says ``NOT_DONE``: a 429, a 503,
a connection never made); when the answer was lost (``UNKNOWN``: timeout, dropped connection,
a 5xx) the submission queue first looks the call up by its ``client_reference_id`` and adopts
what the service already made, because a blind second create would bill twice.

Each retry is announced through ``on_retry`` so the UI can say "Soniox is busy, retrying in 4 s"
rather than looking frozen.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
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
        if is_quota_full(exc):
            return False
        return (exc.status_code or 0) in RETRY_STATUSES or (exc.status_code or 0) >= 500
    return isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError))


@dataclass
class RetryPolicy:
    attempts: int = 5
    initial_s: float = 1.0
    cap_s: float = 30.0

    def backoff(self) -> Backoff:
        return Backoff(initial=self.initial_s, cap=self.cap_s)


def retry_after(exc: BaseException) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), if any."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_retry_after = retry_after  # the name older callers use


class Outcome(enum.Enum):
    """What a failed create or upload tells about the state of the service."""

    #: The service refused before acting (429 rate limit, 503, no connection): send it again.
    NOT_DONE = "not_done"
    #: The request went out and no reliable answer came back: it may have happened.
    UNKNOWN = "unknown"
    #: A refusal that sending again will not change (400, 401, 402, a full account).
    FINAL = "final"


def is_quota_full(exc: BaseException) -> bool:
    """A 429 about a *total* count or size limit: only deleting things helps, not waiting."""
    if not isinstance(exc, SonioxAPIError) or exc.status_code != 429:
        return False
    message = (exc.api_error.message if exc.api_error else str(exc)).lower()
    return message.startswith("total ")


def outcome_of(exc: BaseException) -> Outcome:
    if isinstance(exc, SonioxAPIError):
        status = exc.status_code or 0
        if status == 429:
            return Outcome.FINAL if is_quota_full(exc) else Outcome.NOT_DONE
        if status in (408, 503):
            return Outcome.NOT_DONE
        if status >= 500:
            return Outcome.UNKNOWN
        return Outcome.FINAL
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Outcome.NOT_DONE
    if isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
        return Outcome.UNKNOWN
    return Outcome.FINAL


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
            hinted = retry_after(exc)
            if hinted is not None:
                delay = min(max(delay, hinted), policy.cap_s)
            if on_retry is not None:
                on_retry(RetryNotice(what, attempt, policy.attempts, delay, describe_error(exc)))
            await sleep(delay)
