"""One backoff for every "wait, then try again" in the app.

Retries of a REST call, the job poller's growing wait and a live session's reconnects all follow
the same shape: start at ``initial``, multiply by ``factor`` per step, stop growing at ``cap``,
spread by a little jitter so many clients (or many jobs) do not retry in lock step. Callers that
count attempts themselves use :meth:`Backoff.delay`; callers that just step use :meth:`next`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class Backoff:
    """Exponential delays: ``initial``, ×``factor`` each step, capped at ``cap``, ± ``jitter``."""

    initial: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.1
    #: Attempts allowed before :meth:`exhausted` says stop; ``None`` never gives up.
    max_attempts: int | None = None
    _step: int = 0

    def base(self, attempt: int) -> float:
        """The delay before attempt ``attempt`` (1-based), without jitter."""
        return float(min(self.cap, self.initial * self.factor ** max(attempt - 1, 0)))

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt`` (1-based), jittered, never above ``cap``."""
        value = self.base(attempt)
        if self.jitter:
            value *= 1 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, min(value, self.cap))

    def exhausted(self, attempt: int) -> bool:
        return self.max_attempts is not None and attempt > self.max_attempts

    def peek(self) -> float:
        """The next delay :meth:`next` will return, without jitter."""
        return self.base(self._step + 1)

    def next(self) -> float:
        self._step += 1
        return self.delay(self._step)

    def reset(self) -> None:
        self._step = 0
