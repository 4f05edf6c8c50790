"""JobsService against the emulator, with no Qt at all: a tray menu or hotkey could drive it.

Plain pytest-asyncio tests; the listener records what a front end would draw.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from soniox.types import File, Transcription

from desktop.core.backoff import Backoff
from desktop.core.errors import UserError
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.retry import RetryNotice, RetryPolicy
from desktop.core.jobs.service import FollowUp, JobsNotice, JobsService, NoticeLevel
from desktop.core.jobs.submissions import Stage, Submission
from desktop.core.library.store import Library
from tests.paths import ROOT
from tests.ui.jobs.test_jobs_support import wav_file


class Recorder:
    """Everything the service told its front end, in order."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.progress: list[tuple[int, int]] = []
        self.uploaded: list[File] = []
        self.added: list[Transcription] = []
        self.updates: list[tuple[str, str]] = []
        self.finished: list[Transcription] = []
        self.gone: list[str] = []
        self.notices: list[tuple[NoticeLevel, str]] = []
        self.follow_ups: list[tuple[str, FollowUp | None]] = []
        self.errors: list[tuple[UserError, str]] = []
        self.retries: list[RetryNotice] = []

    def on_submission_changed(self, sub: Submission) -> None:
        self.stages.append(sub.stage)
        if sub.stage is Stage.UPLOADING and sub.size:
            self.progress.append((sub.sent, sub.size))

    def on_file_uploaded(self, file: File) -> None:
        self.uploaded.append(file)

    def on_job_added(self, job: Transcription) -> None:
        self.added.append(job)

    def on_job_updated(self, job: Transcription) -> None:
        self.updates.append((job.id, job.status))

    def on_job_finished(self, job: Transcription) -> None:
        self.finished.append(job)

    def on_job_gone(self, job_id: str) -> None:
        self.gone.append(job_id)

    def on_notice(self, notice: JobsNotice) -> None:
        self.notices.append((notice.level, notice.text))
        self.follow_ups.append((notice.text, notice.follow_up))
        if notice.error is not None:
            self.errors.append((notice.error, notice.text))

    def on_retry(self, notice: RetryNotice) -> None:
        self.retries.append(notice)


async def until(condition: Callable[[], Any], timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "library")


@pytest_asyncio.fixture
async def service(fake_soniox, make_context, library: Library) -> AsyncIterator[tuple[JobsService, Recorder]]:  # noqa: ANN001
    ctx = make_context(fake_soniox, key="test-key")
    recorder = Recorder()
    svc = JobsService(
        ctx.client,
        ctx.load_models,
        recorder,
        library=library,
        poll_backoff=Backoff(initial=0.02, factor=2, cap=0.1, jitter=0),
        retry_policy=RetryPolicy(attempts=3, initial_s=0.02, cap_s=0.05),
    )
    yield svc, recorder
    svc.shutdown()


def test_the_service_imports_no_qt() -> None:
    code = "import sys, desktop.core.jobs.service; sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


@pytest.mark.asyncio
async def test_a_dropped_file_becomes_a_finished_job_kept_in_the_library(
    service: tuple[JobsService, Recorder],
    fake_soniox,
    library: Library,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    svc, rec = service
    audio = wav_file(tmp_path, "meeting.wav", seconds=3.0)
    svc.submit_file(audio, JobOptions(model="stt-async-v4"))
    await until(lambda: rec.added)
    job = rec.added[0]

    assert rec.stages[:3] == [Stage.WAITING, Stage.UPLOADING, Stage.UPLOADING]
    assert Stage.CREATING in rec.stages and rec.stages[-1] is Stage.DONE
    assert rec.progress and rec.progress[-1][0] == audio.stat().st_size
    assert [f.filename for f in rec.uploaded] == ["meeting.wav"]
    assert fake_soniox.file_bytes(rec.uploaded[0].id) == audio.read_bytes()
    assert fake_soniox.transcription(job.id)["request"]["file_id"] == rec.uploaded[0].id
    assert (NoticeLevel.INFO, "Started transcribing meeting.wav.") in rec.notices

    fake_soniox.advance(fake_soniox.state.config.queue_s + 0.001)
    await until(lambda: (job.id, "processing") in rec.updates)
    fake_soniox.finish_all_jobs()
    await until(lambda: rec.finished)
    assert rec.finished[0].status == "completed"
    assert ("Transcription finished: meeting.wav.", FollowUp.OPEN_TRANSCRIPT) in rec.follow_ups

    await until(lambda: library.job_transcript_id(job.id) is not None)
    tid = library.job_transcript_id(job.id)
    assert tid is not None
    expected = "".join(t.text for t in (await svc.open_transcript(job)).tokens)
    assert expected and "".join(t.text for t in library.tokens(tid)) == expected
    assert library.info(tid) is not None


@pytest.mark.asyncio
async def test_a_failed_job_reports_the_service_message_and_retry_replaces_it(
    service: tuple[JobsService, Recorder],
    fake_soniox,  # noqa: ANN001
) -> None:
    svc, rec = service
    fake_soniox.script_job(
        "broken",
        status="error",
        error_type="audio_decode_error",
        error_message="The audio could not be decoded.",
        times=1,
    )
    svc.submit_url("https://media.example.com/broken.mp3", JobOptions(model="stt-async-v4"))
    await until(lambda: rec.added)
    failed_id = rec.added[0].id
    fake_soniox.finish_all_jobs()
    await until(lambda: rec.finished)
    assert (
        NoticeLevel.ERROR,
        "Transcription failed: https://media.example.com/broken.mp3. The audio could not be decoded.",
    ) in rec.notices
    assert rec.follow_ups[-1][1] is FollowUp.RETRY_JOB

    created = await svc.retry_job(rec.finished[0])
    assert created is not None and created.id != failed_id
    on_service = {j["id"]: j for j in fake_soniox.transcriptions}
    assert failed_id not in on_service, "the failed record is removed once the retry exists"
    assert on_service[created.id]["audio_url"] == "https://media.example.com/broken.mp3"
    assert failed_id in rec.gone and rec.added[-1].id == created.id
    fake_soniox.finish_all_jobs()
    await until(lambda: len(rec.finished) == 2)
    assert rec.finished[1].status == "completed"


@pytest.mark.asyncio
async def test_delete_all_empties_the_account(service: tuple[JobsService, Recorder], fake_soniox) -> None:  # noqa: ANN001
    svc, rec = service
    fake_soniox.seed_transcriptions(5)
    result = await svc.delete_all_jobs()
    assert fake_soniox.transcriptions == []
    assert (result.requested, result.deleted) == (5, 5)
    assert (NoticeLevel.INFO, "Deleted 5 of 5.") in rec.notices
    assert await svc.counts() == (0, 0)
