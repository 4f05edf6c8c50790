"""Backoff for safe calls, fetch-once transcripts, and the job poller's schedule (no server)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from soniox.errors import SonioxAPIError
from soniox.types import Transcription, TranscriptionTranscript

from desktop.core.backoff import Backoff
from desktop.core.jobs.poller import JobPoller
from desktop.core.jobs.retry import RetryNotice, RetryPolicy, call_safe
from desktop.core.jobs.transcript_cache import TranscriptCache


def api_error(status: int, error_type: str = "", headers: dict[str, str] | None = None) -> SonioxAPIError:
    body = {"status_code": status, "error_type": error_type or "x", "message": f"status {status}"}
    response = httpx.Response(status, json=body, headers=headers, request=httpx.Request("GET", "http://t/v1/x"))
    return SonioxAPIError.from_response(response)


def job(job_id: str, status: str) -> Transcription:
    return Transcription(
        id=job_id,
        status=status,  # type: ignore[arg-type]
        created_at=datetime.now(timezone.utc),
        model="stt-async-v5",
        filename="a.wav",
        enable_speaker_diarization=False,
        enable_language_identification=False,
    )


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(initial=1, cap=30, jitter=0)
    assert [backoff.next() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next() == 1


@pytest.mark.asyncio
async def test_safe_call_retries_429_and_5xx_and_announces_each_retry() -> None:
    failures = [api_error(429, "limit_exceeded"), api_error(503, "service_unavailable")]
    notices: list[RetryNotice] = []
    slept: list[float] = []

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    result = await call_safe(
        call, what="loading jobs", policy=RetryPolicy(attempts=5, initial_s=1), on_retry=notices.append, sleep=sleep
    )
    assert result == "ok"
    assert len(slept) == 2 and 0.8 <= slept[0] <= 1.2 and 1.6 <= slept[1] <= 2.4
    assert [n.error.status_code for n in notices] == [429, 503]
    assert notices[0].text.startswith("Soniox is busy while loading jobs; retrying in 1 s (attempt 2 of 5)")


@pytest.mark.asyncio
async def test_safe_call_honours_retry_after_and_gives_up() -> None:
    slept: list[float] = []

    async def call() -> None:
        raise api_error(429, "limit_exceeded", {"Retry-After": "7"})

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with pytest.raises(SonioxAPIError):
        await call_safe(call, what="x", policy=RetryPolicy(attempts=3, initial_s=1), sleep=sleep)
    assert slept == [7.0, 7.0]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401, 402, 404, 409])
async def test_client_errors_are_not_retried(status: int) -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise api_error(status)

    with pytest.raises(SonioxAPIError):
        await call_safe(call, what="x", sleep=lambda _s: asyncio.sleep(0))
    assert calls == 1


@pytest.mark.asyncio
async def test_transcript_is_fetched_once_even_when_asked_twice_at_once() -> None:
    gate = asyncio.Event()
    calls: list[str] = []

    async def fetch(tid: str) -> TranscriptionTranscript:
        calls.append(tid)
        await gate.wait()
        return TranscriptionTranscript(id=tid, text="hi", tokens=[])

    cache = TranscriptCache(fetch)
    first = asyncio.ensure_future(cache.get("a"))
    second = asyncio.ensure_future(cache.get("a"))
    await asyncio.sleep(0)
    gate.set()
    assert (await first).id == (await second).id == "a"
    assert (await cache.get("a")).text == "hi"
    assert calls == ["a"]
    cache.forget("a")
    await cache.get("a")
    assert calls == ["a", "a"]


@pytest.mark.asyncio
async def test_failed_transcript_fetch_is_not_cached() -> None:
    outcomes: list[Any] = [api_error(500), TranscriptionTranscript(id="a", text="ok", tokens=[])]

    async def fetch(tid: str) -> TranscriptionTranscript:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    cache = TranscriptCache(fetch)
    with pytest.raises(SonioxAPIError):
        await cache.get("a")
    assert (await cache.get("a")).text == "ok"


@pytest.mark.asyncio
async def test_poller_follows_jobs_until_they_end_then_stops() -> None:
    states = {"a": ["queued", "processing", "completed"], "b": ["processing", "error"]}
    updates: list[tuple[str, str]] = []

    async def fetch(tid: str) -> Transcription:
        seq = states[tid]
        return job(tid, seq.pop(0) if len(seq) > 1 else seq[0])

    poller = JobPoller(
        fetch, on_update=lambda j: updates.append((j.id, j.status)), backoff=Backoff(0.001, cap=0.004, jitter=0)
    )
    poller.watch(job("a", "queued"))
    poller.watch(job("b", "processing"))
    poller.watch(job("c", "completed"))  # finished jobs are never watched
    assert poller.watched == {"a", "b"}
    for _ in range(200):
        if not poller.running:
            break
        await asyncio.sleep(0.005)
    assert not poller.running and poller.watched == frozenset()
    assert ("a", "completed") in updates and ("b", "error") in updates
    assert updates.index(("a", "processing")) < updates.index(("a", "completed"))
    assert poller.delays[:3] == [0.001, 0.002, 0.004]
    assert max(poller.delays) == 0.004
    poller.stop()
