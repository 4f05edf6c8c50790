"""Gaps in the retry and poller schedules: a huge ``Retry-After`` is capped, and a new job
brings a slowed-down poller back to fast polling.

Plain asyncio, no Qt: both behaviours live in ``desktop/core/jobs``.
"""

from __future__ import annotations

import asyncio

import pytest
from soniox.errors import SonioxAPIError
from soniox.types import Transcription

from desktop.core.backoff import Backoff
from desktop.core.jobs.poller import JobPoller
from desktop.core.jobs.retry import RetryNotice, RetryPolicy, call_safe
from tests.core.jobs.test_jobs_retry_cache_poller import api_error, job


@pytest.mark.asyncio
async def test_retry_after_longer_than_the_cap_is_capped() -> None:
    """A server asking for an hour must not freeze the app for an hour: the policy cap wins."""
    slept: list[float] = []
    notices: list[RetryNotice] = []

    async def call() -> None:
        raise api_error(429, "limit_exceeded", {"Retry-After": "3600"})

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with pytest.raises(SonioxAPIError):
        await call_safe(
            call,
            what="loading jobs",
            policy=RetryPolicy(attempts=3, initial_s=1, cap_s=30),
            on_retry=notices.append,
            sleep=sleep,
        )
    assert slept == [30.0, 30.0]
    assert [n.delay_s for n in notices] == [30.0, 30.0]
    assert "retrying in 30 s" in notices[0].text


@pytest.mark.asyncio
async def test_new_job_resets_a_slow_poller_to_fast_polling() -> None:
    """A job stuck in processing slows the poller down; a freshly submitted job brings it back
    to the first (fast) interval instead of waiting out the long one."""
    fetched: list[str] = []

    async def fetch(tid: str) -> Transcription:
        fetched.append(tid)
        return job(tid, "processing")

    poller = JobPoller(fetch, on_update=lambda _j: None, backoff=Backoff(0.01, cap=10.0, jitter=0))
    try:
        poller.watch(job("slow", "processing"))
        for _ in range(400):  # let it back off to at least 0.16 s between rounds
            if poller.delays and poller.delays[-1] >= 0.16:
                break
            await asyncio.sleep(0.01)
        assert poller.delays[-1] >= 0.16
        slow_rounds = len(poller.delays)

        poller.watch(job("fresh", "queued"))
        # The long wait is cut short and the next interval starts again from the initial one.
        for _ in range(100):
            if "fresh" in fetched:
                break
            await asyncio.sleep(0.01)
        assert "fresh" in fetched
        for _ in range(100):
            if len(poller.delays) > slow_rounds + 1:
                break
            await asyncio.sleep(0.01)
        assert poller.delays[slow_rounds] == 0.01
    finally:
        poller.stop()
