"""A flaky network and a busy service for the REST API: rate limit, random errors, lost answers.

Why: the jobs workflow has to survive what a real batch meets — 429s with ``Retry-After``, the
odd 500/503, and answers lost after the service acted (the create happened, the client never
heard). :class:`Chaos` is an aiohttp middleware in front of the REST middleware that, once
configured (``FakeSoniox.set_chaos(...)`` or ``POST /_emulator/chaos``):

* enforces ``rate_limit_per_s`` accepted requests in any 1 s window, answering the rest 429
  with a ``Retry-After`` header and the service's ``limit_exceeded`` body;
* fails ``error_fraction`` of requests with a status drawn from ``error_statuses`` (429 and 503
  carry ``Retry-After: retry_after_s``), *before* acting, as a busy service does;
* for ``lose_fraction`` of requests performs the operation, then drops the connection without
  an answer.

Every draw comes from one ``random.Random(seed)``, so a run is repeatable. It also counts
requests per wall-clock second (``peak_per_s``) for tests and the batch benchmark.
"""

from __future__ import annotations

import collections
import logging
import math
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from .errors import injected_failure

log = logging.getLogger("fake_soniox.chaos")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ChaosConfig:
    rate_limit_per_s: float | None = None
    retry_after_s: float = 1.0
    error_fraction: float = 0.0
    error_statuses: tuple[int, ...] = (429, 500, 503)
    lose_fraction: float = 0.0
    seed: int = 0
    #: Only requests whose path matches (and method is listed; none listed: any) are affected.
    #: All of them are counted.
    path_regex: str = r"^/v1/"
    methods: tuple[str, ...] = ()


@dataclass
class ChaosStats:
    requests: int = 0
    rate_limited: int = 0
    injected: dict[int, int] = field(default_factory=dict)
    lost: int = 0
    per_second: dict[int, int] = field(default_factory=dict)
    #: (method, path) of each lost answer, in order.
    lost_requests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def peak_per_s(self) -> int:
        return max(self.per_second.values(), default=0)

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["per_second"] = {str(k): v for k, v in self.per_second.items()}
        body["peak_per_s"] = self.peak_per_s
        return body


def _area(path: str) -> str:
    for area in ("files", "transcriptions", "models", "auth"):
        if path.startswith(f"/v1/{area}"):
            return area
    return ""


class Chaos:
    """Off until :meth:`configure` is called; :meth:`reset` turns it off and clears the counts."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.config: ChaosConfig | None = None
        self.stats = ChaosStats()
        self._rng = random.Random(0)
        self._accepted: collections.deque[float] = collections.deque()

    def configure(self, **options: Any) -> ChaosConfig:
        if "error_statuses" in options:
            options["error_statuses"] = tuple(int(s) for s in options["error_statuses"])
        if "methods" in options:
            options["methods"] = tuple(str(m).upper() for m in options["methods"])
        config = ChaosConfig(**options)
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._accepted.clear()
        return config

    def reset(self) -> None:
        with self._lock:
            self.config = None
            self.stats = ChaosStats()
            self._accepted.clear()

    def snapshot(self) -> ChaosStats:
        with self._lock:
            s = self.stats
            return ChaosStats(
                s.requests, s.rate_limited, dict(s.injected), s.lost, dict(s.per_second), list(s.lost_requests)
            )

    # ------------------------------------------------------------------ decisions
    def _decide(self, request: web.Request) -> tuple[str, int, float]:
        """("pass" | "limit" | "error" | "lose", status, retry_after) for one arriving request."""
        now = self._clock()
        with self._lock:
            self.stats.requests += 1
            second = int(now)
            self.stats.per_second[second] = self.stats.per_second.get(second, 0) + 1
            config = self.config
            if config is None or not re.search(config.path_regex, request.path):
                return "pass", 0, 0.0
            if config.methods and request.method not in config.methods:
                return "pass", 0, 0.0
            limit = config.rate_limit_per_s
            if limit:
                while self._accepted and self._accepted[0] <= now - 1.0:
                    self._accepted.popleft()
                if len(self._accepted) >= limit:
                    self.stats.rate_limited += 1
                    wait = max(1.0, math.ceil(self._accepted[0] + 1.0 - now))
                    return "limit", 429, wait
                self._accepted.append(now)
            if config.error_fraction and self._rng.random() < config.error_fraction:
                status = self._rng.choice(config.error_statuses)
                self.stats.injected[status] = self.stats.injected.get(status, 0) + 1
                return "error", status, config.retry_after_s
            if config.lose_fraction and self._rng.random() < config.lose_fraction:
                self.stats.lost += 1
                self.stats.lost_requests.append((request.method, request.path))
                return "lose", 0, 0.0
            return "pass", 0, 0.0

    # ------------------------------------------------------------------ middleware
    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/v1"):
            return await handler(request)
        action, status, wait = self._decide(request)
        if action in ("limit", "error"):
            failure = injected_failure(status, None, None, _area(request.path))
            headers = {"Retry-After": str(math.ceil(wait))} if status in (429, 503) else {}
            log.info("chaos: %s %s -> %d", request.method, request.path, status)
            # Read (and drop) the body first, as a proxy does, so the client never sees a reset
            # half-way through sending instead of the answer.
            await request.read()
            return web.json_response(failure.body(), status=status, headers=headers)
        response = await handler(request)
        if action == "lose":
            log.info("chaos: %s %s done, answer lost", request.method, request.path)
            transport = request.transport
            if transport is not None:
                transport.abort()
            return web.Response(status=204)  # never sent: the connection is gone
        return response
