"""Drive a batch of file submissions through JobsService against a chaotic emulator, and audit it.

Shared by ``test_jobs_chaos.py`` (60 files, fast timings) and ``bench/bench_jobs_batch.py``
(600 files). Qt-free. What is audited is what a user would care about, read from the emulator's
own records: jobs billed twice (two jobs with one submission's tag), uploads left without a job,
jobs on the service the app never heard of, and how many times someone had to press Retry.
"""

from __future__ import annotations

import asyncio
import collections
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from soniox import AsyncSonioxClient
from soniox.types import Model, Transcription

from desktop.core.backoff import Backoff
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import RetryPolicy
from desktop.core.jobs.service import JobsService, NullJobsListener
from desktop.core.jobs.submissions import Stage, Submission
from tests.fake_soniox.server import FakeSoniox


def tiny_wav(folder: Path, name: str, samples: int = 1600) -> Path:
    """A valid 16 kHz mono WAV (0.1 s by default): the batch is about requests, not bytes."""
    data = b"\x00\x01" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    path = folder / name
    path.write_bytes(header + fmt + b"data" + struct.pack("<I", len(data)) + data)
    return path


class BatchListener(NullJobsListener):
    def __init__(self) -> None:
        self.added: dict[str, Transcription] = {}
        self.finished: set[str] = set()
        self.failed_rows: set[int] = set()

    def on_submission_changed(self, sub: Submission) -> None:
        if sub.stage is Stage.FAILED:
            self.failed_rows.add(sub.key)

    def on_job_added(self, job: Transcription) -> None:
        self.added[job.id] = job

    def on_job_finished(self, job: Transcription) -> None:
        self.finished.add(job.id)


@dataclass
class BatchReport:
    files: int
    done: int = 0
    rows_failed_once: int = 0
    manual_retries: int = 0
    duplicated_jobs: int = 0
    orphan_uploads: int = 0
    unknown_jobs: int = 0
    jobs_on_service: int = 0
    files_on_service: int = 0
    finished_seen: int = 0
    auto_retries: int = 0
    adopted: int = 0
    requests: int = 0
    peak_per_s: int = 0
    rate_limited: int = 0
    injected: dict[int, int] = field(default_factory=dict)
    lost: int = 0
    lost_creates: int = 0
    lost_uploads: int = 0
    poll_page_requests: int = 0
    poll_job_requests: int = 0
    wall_s: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"files submitted              {self.files}",
            f"jobs created (done)          {self.done}",
            f"jobs duplicated              {self.duplicated_jobs}",
            f"orphan uploads               {self.orphan_uploads}",
            f"jobs the app never heard of  {self.unknown_jobs}",
            f"rows that failed             {self.rows_failed_once}",
            f"manual retries               {self.manual_retries}",
            f"jobs seen finishing          {self.finished_seen}",
            f"automatic re-sends           {self.auto_retries}",
            f"lost answers adopted         {self.adopted}",
            f"requests                     {self.requests}",
            f"peak req/s                   {self.peak_per_s}",
            f"429 from the rate limit      {self.rate_limited}",
            f"injected errors              {dict(sorted(self.injected.items()))}",
            f"answers lost (create/upload) {self.lost} ({self.lost_creates}/{self.lost_uploads})",
            f"poll requests (pages/jobs)   {self.poll_page_requests}/{self.poll_job_requests}",
            f"wall time                    {self.wall_s:.1f} s",
        ]


def audit(emulator: FakeSoniox, listener: BatchListener, report: BatchReport, tags: Sequence[str]) -> None:
    jobs = emulator.transcriptions
    files = emulator.files
    by_tag = collections.Counter(job.get("client_reference_id") for job in jobs)
    report.duplicated_jobs = sum(by_tag[tag] - 1 for tag in tags if by_tag[tag] > 1)
    used = {job.get("file_id") for job in jobs}
    report.orphan_uploads = sum(1 for f in files if f["id"] not in used)
    report.unknown_jobs = sum(1 for job in jobs if job["id"] not in listener.added)
    report.jobs_on_service = len(jobs)
    report.files_on_service = len(files)
    report.finished_seen = len(listener.finished)
    stats = emulator.chaos_stats()
    report.requests = stats.requests
    report.peak_per_s = stats.peak_per_s
    report.rate_limited = stats.rate_limited
    report.injected = dict(stats.injected)
    report.lost = stats.lost
    report.lost_creates = sum(1 for m, p in stats.lost_requests if m == "POST" and p == "/v1/transcriptions")
    report.lost_uploads = sum(1 for m, p in stats.lost_requests if m == "POST" and p == "/v1/files")


async def run_batch(
    emulator: FakeSoniox,
    folder: Path,
    *,
    files: int,
    gate: RateGate,
    submit_policy: RetryPolicy,
    poll_backoff: Backoff,
    retry_policy: RetryPolicy | None = None,
    timeout_s: float = 600.0,
    manual_retry_rounds: int = 5,
) -> BatchReport:
    """Submit ``files`` tiny WAVs at once, wait until every job ended, press Retry only if needed."""
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emulator.api_base_url)
    listener = BatchListener()

    async def no_models() -> Sequence[Model]:
        return ()

    service = JobsService(
        lambda: client,
        no_models,
        listener,
        poll_backoff=poll_backoff,
        retry_policy=retry_policy or RetryPolicy(attempts=5, initial_s=0.05, cap_s=1.0),
        gate=gate,
        submit_policy=submit_policy,
    )
    report = BatchReport(files=files)
    paths = [tiny_wav(folder, f"batch-{i:04d}.wav") for i in range(files)]
    started = time.perf_counter()
    deadline = started + timeout_s
    subs = [service.submit_file(path, JobOptions(model="stt-async-v5")) for path in paths]
    try:
        for _ in range(manual_retry_rounds + 1):
            while any(sub.active for sub in subs) and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
            failed = [sub for sub in subs if sub.stage is Stage.FAILED]
            if not failed:
                break
            report.manual_retries += service.retry_all_failed()
        while len(listener.finished) < len(listener.added) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        report.wall_s = time.perf_counter() - started
        report.done = sum(1 for sub in subs if sub.stage is Stage.DONE)
        report.rows_failed_once = len(listener.failed_rows)
        report.auto_retries = service.queue.auto_retries
        report.adopted = service.queue.adopted
        report.poll_page_requests = service.poller.page_requests
        report.poll_job_requests = service.poller.job_requests
        await asyncio.sleep(0.3)  # let a cleanup delete (of an orphan) land before counting
        audit(emulator, listener, report, [sub.tag for sub in subs])
    finally:
        service.shutdown()
        await client.aclose()
    return report


def chaos_emulator(**timing: Any) -> FakeSoniox:
    """An emulator whose jobs move with wall time (queued, then processing, then done)."""
    return FakeSoniox(api_keys={"test-key"}, real_time_jobs=True, **timing)
