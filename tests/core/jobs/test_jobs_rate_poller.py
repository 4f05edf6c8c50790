"""The shared rate gate (pace, Retry-After, upload slots) and the list-based poller (no server)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from soniox.errors import SonioxAPIError
from soniox.types import Transcription

from desktop.core.backoff import Backoff
from desktop.core.jobs.jobs_repo import Page
from desktop.core.jobs.poller import JobPoller
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import Outcome, outcome_of, retry_after


def api_error(status: int, message: str = "busy", headers: dict[str, str] | None = None) -> SonioxAPIError:
    body = {"status_code": status, "error_type": "limit_exceeded", "message": message}
    response = httpx.Response(status, json=body, headers=headers, request=httpx.Request("POST", "http://t/v1/x"))
    return SonioxAPIError.from_response(response)


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def gate_on(fake: FakeTime, **options: float) -> RateGate:
    return RateGate(clock=fake.clock, sleep=fake.sleep, **options)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_requests_are_spaced_at_the_rate() -> None:
    fake = FakeTime()
    gate = gate_on(fake, rate=4)
    starts = []
    for _ in range(5):
        await gate.acquire()
        starts.append(fake.now)
    assert starts == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.asyncio
async def test_a_429_pauses_everyone_for_its_retry_after_and_slows_the_rate() -> None:
    gate = RateGate(rate=20)  # the real clock: Retry-After is whole seconds
    await gate.acquire()
    t0 = time.monotonic()
    gate.on_error(api_error(429, headers={"Retry-After": "1"}))
    assert gate.rate == pytest.approx(14.0) and gate.paused_for == pytest.approx(1.0, abs=0.05)
    starts: list[float] = []

    async def one() -> None:
        await gate.acquire()
        starts.append(time.monotonic() - t0)

    await asyncio.gather(one(), one(), one())
    assert starts[0] >= 1.0  # nobody goes before the service said
    assert starts[1] - starts[0] >= 1 / 14 - 0.01 and starts[2] - starts[1] >= 1 / 14 - 0.01  # then one at a time
    for _ in range(200):
        gate.on_success()
    assert gate.rate == 20  # won back, never above the maximum


@pytest.mark.asyncio
async def test_a_429_without_a_hint_pauses_for_the_default_and_a_flood_cuts_once() -> None:
    fake = FakeTime()
    gate = gate_on(fake, rate=10, default_pause_s=1.5)
    for _ in range(5):  # five calls in flight all get the same 429
        gate.on_error(api_error(429))
    assert gate.paused_for == pytest.approx(1.5)
    assert gate.rate == pytest.approx(7.0)
    assert gate.throttled == 5


@pytest.mark.asyncio
async def test_only_a_429_slows_everyone_down() -> None:
    fake = FakeTime()
    gate = gate_on(fake, rate=10)
    gate.on_error(api_error(503, headers={"Retry-After": "2"}))  # that call waits; the others go on
    gate.on_error(api_error(500, headers={"Retry-After": "9"}))
    gate.on_error(httpx.ReadTimeout("slow"))
    assert gate.paused_for == 0 and gate.rate == 10 and gate.throttled == 0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(api_error(429, headers={"Retry-After": "4"})) == 4.0
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 28 <= (retry_after(api_error(429, headers={"Retry-After": when})) or 0) <= 30
    assert retry_after(api_error(429, headers={"Retry-After": "soon"})) is None
    assert retry_after(api_error(429)) is None


def test_what_a_failure_says_about_whether_the_call_happened() -> None:
    assert outcome_of(api_error(429, "Requests per minute limit has been exceeded")) is Outcome.NOT_DONE
    assert outcome_of(api_error(503)) is Outcome.NOT_DONE
    assert outcome_of(httpx.ConnectError("refused")) is Outcome.NOT_DONE
    assert outcome_of(api_error(500)) is Outcome.UNKNOWN
    assert outcome_of(httpx.ReadTimeout("slow")) is Outcome.UNKNOWN
    assert outcome_of(httpx.RemoteProtocolError("Server disconnected without sending a response.")) is Outcome.UNKNOWN
    assert outcome_of(api_error(400)) is Outcome.FINAL
    assert outcome_of(api_error(402)) is Outcome.FINAL
    full = "Total file count limit has been exceeded for your organization. Please delete some."
    assert outcome_of(api_error(429, full)) is Outcome.FINAL  # waiting will not free space


@pytest.mark.asyncio
async def test_uploads_in_flight_are_bounded() -> None:
    gate = RateGate(rate=1000, max_uploads=2)
    in_flight = peak = 0

    async def upload() -> None:
        nonlocal in_flight, peak
        async with gate.upload_slot():
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1

    await asyncio.gather(*(upload() for _ in range(7)))
    assert peak == 2


# -- the poller --------------------------------------------------------------------------------
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def job(n: int, status: str = "queued") -> Transcription:
    return Transcription(
        id=f"job-{n:04d}",
        status=status,  # type: ignore[arg-type]
        created_at=T0 + timedelta(seconds=n),
        model="stt-async-v5",
        filename=f"{n}.wav",
        enable_speaker_diarization=False,
        enable_language_identification=False,
    )


class FakeJobs:
    """The list and get endpoints over a dict of jobs, newest first, counting every request."""

    def __init__(self, jobs: list[Transcription]) -> None:
        self.jobs = {j.id: j for j in jobs}
        self.gets = 0
        self.pages = 0
        self.times: list[float] = []

    async def get(self, job_id: str) -> Transcription:
        self.gets += 1
        self.times.append(time.monotonic())
        if job_id not in self.jobs:
            raise api_error(404)
        return self.jobs[job_id]

    async def page(self, cursor: str | None, limit: int) -> Page[Transcription]:
        self.pages += 1
        self.times.append(time.monotonic())
        ordered = sorted(self.jobs.values(), key=lambda j: j.created_at, reverse=True)
        start = int(cursor or 0)
        items = ordered[start : start + limit]
        more = start + limit < len(ordered)
        return Page(items, str(start + limit) if more else None)

    def finish(self, *ids: str) -> None:
        for job_id in ids:
            self.jobs[job_id] = self.jobs[job_id].model_copy(update={"status": "completed"})


def poller_for(fake: FakeJobs, updates: list[tuple[str, str]], gone: list[str], **options: object) -> JobPoller:
    return JobPoller(
        fake.get,
        fetch_page=fake.page,
        on_update=lambda j: updates.append((j.id, j.status)),
        on_gone=gone.append,
        backoff=Backoff(initial=0.01, cap=0.02, jitter=0),
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.asyncio
async def test_many_running_jobs_are_read_from_the_list_one_request_per_page() -> None:
    jobs = [job(n) for n in range(250)]
    fake = FakeJobs(jobs)
    updates: list[tuple[str, str]] = []
    poller = poller_for(fake, updates, [], page_size=100)
    for j in jobs:
        poller._watched[j.id] = j  # watched without starting the loop: one round by hand
    fake.finish("job-0000", "job-0249")
    await poller.poll_once()
    assert fake.pages == 3 and fake.gets == 0
    assert ("job-0000", "completed") in updates and ("job-0249", "completed") in updates
    assert len(updates) == 250 and len(poller.watched) == 248


@pytest.mark.asyncio
async def test_paging_stops_once_every_watched_job_was_seen() -> None:
    fake = FakeJobs([job(n) for n in range(1000)])
    poller = poller_for(fake, [], [], page_size=100)
    for n in range(950, 1000):  # the newest 50 are the running ones
        poller._watched[f"job-{n:04d}"] = fake.jobs[f"job-{n:04d}"]
    await poller.poll_once()
    assert fake.pages == 1 and fake.gets == 0


@pytest.mark.asyncio
async def test_a_few_jobs_are_fetched_one_by_one() -> None:
    fake = FakeJobs([job(n) for n in range(3)])
    poller = poller_for(fake, [], [])
    for j in fake.jobs.values():
        poller._watched[j.id] = j
    await poller.poll_once()
    assert fake.gets == 3 and fake.pages == 0


@pytest.mark.asyncio
async def test_a_watched_job_missing_from_the_list_is_checked_alone_and_dropped_if_gone() -> None:
    jobs = [job(n) for n in range(20)]
    fake = FakeJobs(jobs)
    gone: list[str] = []
    poller = poller_for(fake, [], gone)
    for j in jobs:
        poller._watched[j.id] = j
    del fake.jobs["job-0005"]  # deleted elsewhere
    await poller.poll_once()
    assert fake.pages == 1 and fake.gets == 1
    assert gone == ["job-0005"] and "job-0005" not in poller.watched


@pytest.mark.asyncio
async def test_300_jobs_arriving_one_by_one_do_not_make_a_burst_of_requests() -> None:
    """Each new job used to reset the wait and trigger a round of one GET per job."""
    fake = FakeJobs([])
    poller = poller_for(fake, [], [], page_size=200, min_gap_s=0.1)
    started = time.monotonic()
    for n in range(300):
        fake.jobs[f"job-{n:04d}"] = job(n)
        poller.watch(fake.jobs[f"job-{n:04d}"])
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.3)
    elapsed = time.monotonic() - started
    poller.stop()
    rounds = poller.polls
    assert rounds <= elapsed / 0.1 + 2
    # A round is a couple of pages (and the odd single check), whatever the number of jobs.
    assert fake.pages + fake.gets <= rounds * 2 + 5
    busiest = max(sum(1 for t in fake.times if s <= t < s + 0.1) for s in fake.times)
    assert busiest <= 7
