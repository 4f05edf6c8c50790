"""A batch on a flaky network: 429s, 5xx, lost answers and a rate limit, and still no double billing.

JobsService (no Qt) against the emulator with chaos on. What is asserted is read from the
emulator's own records: one job per submission (by its client_reference_id), no upload left
without its job, every submission done and every job seen to the end, no Retry pressed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from soniox import AsyncSonioxClient

from desktop.core.backoff import Backoff
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import RetryPolicy
from desktop.core.jobs.service import JobsService
from desktop.core.jobs.submissions import Stage
from tests.core.jobs.batch_support import BatchListener, chaos_emulator, run_batch, tiny_wav
from tests.fake_soniox.server import FakeSoniox


@pytest.fixture
def emulator() -> Iterator[FakeSoniox]:
    emu = chaos_emulator(queue_s=0.1, process_s=0.2).start()
    try:
        yield emu
    finally:
        emu.stop()


def fast_gate() -> RateGate:
    # The emulator says Retry-After: 1; capping the pause keeps the test in seconds (the cap
    # itself, and honouring the header, are tested in test_jobs_rate.py).
    return RateGate(rate=30, default_pause_s=0.05, max_pause_s=0.1, max_uploads=3)


FAST_SUBMIT = RetryPolicy(attempts=12, initial_s=0.02, cap_s=0.2)


@pytest.mark.asyncio
async def test_sixty_files_on_a_flaky_network_bill_once_orphan_nothing_and_need_no_retry(
    emulator: FakeSoniox, tmp_path: Path
) -> None:
    emulator.set_chaos(rate_limit_per_s=25, error_fraction=0.1, lose_fraction=0.1, seed=7)
    report = await run_batch(
        emulator,
        tmp_path,
        files=60,
        gate=fast_gate(),
        submit_policy=FAST_SUBMIT,
        poll_backoff=Backoff(initial=0.05, cap=0.2, jitter=0),
        timeout_s=90,
    )
    # The chaos really hit creates and uploads (else this test proves nothing).
    assert report.lost_creates >= 1 and report.lost_uploads >= 1, report.lines()
    assert sum(report.injected.values()) >= 5, report.lines()

    assert report.done == 60, report.lines()
    assert report.jobs_on_service == 60 and report.duplicated_jobs == 0, report.lines()
    assert report.orphan_uploads == 0 and report.files_on_service == 60, report.lines()
    assert report.unknown_jobs == 0, report.lines()
    assert report.manual_retries == 0 and report.rows_failed_once == 0, report.lines()
    assert report.finished_seen == 60, report.lines()
    assert report.poll_page_requests > 0  # 60 running jobs are read from the list


@pytest.mark.asyncio
async def test_a_lost_create_answer_is_adopted_not_created_again(emulator: FakeSoniox, tmp_path: Path) -> None:
    emulator.set_chaos(lose_fraction=1.0, path_regex=r"^/v1/transcriptions$", methods=["POST"])
    svc, listener, client = make_service(emulator)
    try:
        sub = svc.submit_file(tiny_wav(tmp_path, "lost.wav"), JobOptions(model="stt-async-v5"))
        await wait_for(lambda: not sub.active)
        assert sub.stage is Stage.DONE
        jobs = emulator.transcriptions
        assert len(jobs) == 1 and jobs[0]["client_reference_id"] == sub.tag
        assert sub.transcription is not None and sub.transcription.id == jobs[0]["id"]
        assert list(listener.added) == [jobs[0]["id"]]  # the app follows the job that exists
        assert emulator.chaos_stats().lost == 1
    finally:
        svc.shutdown()
        await client.aclose()


@pytest.mark.asyncio
async def test_a_lost_upload_answer_is_adopted_not_uploaded_again(emulator: FakeSoniox, tmp_path: Path) -> None:
    emulator.set_chaos(lose_fraction=1.0, path_regex=r"^/v1/files$", methods=["POST"])
    svc, _listener, client = make_service(emulator)
    try:
        sub = svc.submit_file(tiny_wav(tmp_path, "lost.wav"), JobOptions(model="stt-async-v5"))
        await wait_for(lambda: not sub.active)
        assert sub.stage is Stage.DONE
        files = emulator.files
        assert len(files) == 1 and files[0]["client_reference_id"] == sub.tag
        assert emulator.transcriptions[0]["file_id"] == files[0]["id"]
    finally:
        svc.shutdown()
        await client.aclose()


@pytest.mark.asyncio
async def test_an_upload_whose_job_can_never_be_made_is_deleted(emulator: FakeSoniox, tmp_path: Path) -> None:
    emulator.set_balance_exhausted()
    svc, _listener, client = make_service(emulator)
    try:
        sub = svc.submit_file(tiny_wav(tmp_path, "broke.wav"), JobOptions(model="stt-async-v5"))
        await wait_for(lambda: not sub.active)
        assert sub.stage is Stage.FAILED and sub.error is not None and sub.error.status_code == 402
        await wait_for(lambda: not emulator.files)
        assert emulator.transcriptions == []
        emulator.set_balance_exhausted(None)
        svc.retry_submission(sub.key)  # Retry uploads again, then creates the job
        await wait_for(lambda: not sub.active)
        assert sub.stage is Stage.DONE and len(emulator.files) == 1 and len(emulator.transcriptions) == 1
    finally:
        svc.shutdown()
        await client.aclose()


@pytest.mark.asyncio
async def test_retry_all_failed_starts_every_failed_submission_again(emulator: FakeSoniox, tmp_path: Path) -> None:
    emulator.set_balance_exhausted()
    svc, _listener, client = make_service(emulator)
    try:
        subs = [svc.submit_file(tiny_wav(tmp_path, f"f{i}.wav"), JobOptions(model="stt-async-v5")) for i in range(3)]
        await wait_for(lambda: all(s.stage is Stage.FAILED for s in subs))
        emulator.set_balance_exhausted(None)
        assert svc.retry_all_failed() == 3
        await wait_for(lambda: all(s.stage is Stage.DONE for s in subs))
        assert len(emulator.transcriptions) == 3 and svc.retry_all_failed() == 0
    finally:
        svc.shutdown()
        await client.aclose()


@pytest.mark.asyncio
async def test_dismissing_an_upload_whose_answer_was_never_found_deletes_the_stored_file(
    emulator: FakeSoniox, tmp_path: Path
) -> None:
    # The upload is stored but its answer lost, and every lookup fails too: the row gives up unsure.
    emulator.set_chaos(lose_fraction=1.0, path_regex=r"^/v1/files$")
    svc, _listener, client = make_service(emulator)
    try:
        sub = svc.submit_file(tiny_wav(tmp_path, "limbo.wav"), JobOptions(model="stt-async-v5"))
        await wait_for(lambda: not sub.active)
        assert sub.stage is Stage.FAILED and sub.unsure
        assert len(emulator.files) == 1  # never sent twice while it could not be looked up
        emulator.clear_faults()
        svc.dismiss_submission(sub.key)
        await wait_for(lambda: not emulator.files)
    finally:
        svc.shutdown()
        await client.aclose()


@pytest.mark.asyncio
async def test_retrying_a_failed_job_whose_answer_is_lost_adopts_the_new_job(emulator: FakeSoniox) -> None:
    emulator.script_job("broken", status="error", error_type="audio_decode_error", error_message="Bad audio.")
    svc, listener, client = make_service(emulator)
    try:
        sub = svc.submit_url("https://media.example.com/broken.mp3", JobOptions(model="stt-async-v5"))
        await wait_for(lambda: listener.finished)
        assert sub.transcription is not None
        failed = await svc.repo.get_transcription(sub.transcription.id)
        assert failed.status == "error"
        emulator.set_chaos(lose_fraction=1.0, path_regex=r"^/v1/transcriptions$", methods=["POST"])
        created = await svc.retry_job(failed)
        assert created is not None  # found by its tag, not reported as a failure
        jobs = emulator.transcriptions
        assert [j["id"] for j in jobs] == [created.id]  # the failed one replaced, no second create
        assert emulator.chaos_stats().lost == 1
    finally:
        svc.shutdown()
        await client.aclose()


def make_service(emulator: FakeSoniox) -> tuple[JobsService, BatchListener, AsyncSonioxClient]:
    client = AsyncSonioxClient(api_key="test-key", api_base_url=emulator.api_base_url)
    listener = BatchListener()

    async def no_models() -> tuple[()]:
        return ()

    svc = JobsService(
        lambda: client,
        no_models,
        listener,
        poll_backoff=Backoff(initial=0.05, cap=0.2, jitter=0),
        retry_policy=RetryPolicy(attempts=3, initial_s=0.02, cap_s=0.05),
        gate=fast_gate(),
        submit_policy=FAST_SUBMIT,
    )
    return svc, listener, client


async def wait_for(condition, timeout_s: float = 10.0) -> None:  # noqa: ANN001
    import asyncio

    for _ in range(int(timeout_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
