"""What happens between "the user dropped a file" and "a job exists on Soniox".

Each dropped file or pasted URL becomes a :class:`Submission` that stays visible through every
stage (waiting, uploading with byte progress, creating) and, if anything fails, stays with its
error and can be retried from the stage that failed: a file that uploaded but whose job could
not be created is not uploaded again. Nothing the user started disappears silently; it leaves
the list only when its job exists on the service, or when the user cancels or dismisses it.

Sending again is automatic where that is safe (see ``retry.py``): a refusal that proves nothing
happened (429, 503, no connection) is sent again after the wait the service asked for; an answer
that was lost (timeout, dropped connection, 5xx) is first looked up on the service by the
submission's own ``client_reference_id`` (:attr:`Submission.tag`) and the job or file found is
adopted, so a flaky network never bills a job twice nor leaves an upload without its job. Only
what still fails after ``policy.attempts`` tries (or can never work, like a 400) waits for Retry.

At most ``parallel`` submissions run at once; the repository's rate gate also bounds the uploads
in flight and paces every request.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from soniox.types import File, Model, Transcription

from desktop.core.errors import UserError, describe_error
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.jobs_repo import JobsRepository
from desktop.core.jobs.retry import Outcome, RetryPolicy, outcome_of, retry_after

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_PARALLEL = 4
#: Tries of one step (upload or create) before the row waits for the user's Retry.
AUTO_ATTEMPTS = 8
#: Prefix of the ``client_reference_id`` the app makes up when the user gave none.
TAG_PREFIX = "sdx-"


def new_tag() -> str:
    return TAG_PREFIX + uuid.uuid4().hex


def is_generated_tag(reference: str | None) -> bool:
    return bool(reference) and str(reference).startswith(TAG_PREFIX) and len(str(reference)) == len(new_tag())


class Stage(enum.Enum):
    WAITING = "waiting"
    UPLOADING = "uploading"
    CREATING = "creating"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DONE = "done"


_ids = itertools.count(1)


@dataclass
class Submission:
    options: JobOptions
    model: Model | None = None
    path: Path | None = None
    url: str | None = None
    file_id: str | None = None
    size: int = 0
    sent: int = 0
    stage: Stage = Stage.WAITING
    error: UserError | None = None
    failed_stage: Stage | None = None
    transcription: Transcription | None = None
    uploaded: File | None = None
    #: What to call it when there is no local path (a file already on Soniox).
    name: str = ""
    key: int = field(default_factory=lambda: next(_ids))
    #: The ``client_reference_id`` its upload and job carry: the user's, or one made up for it.
    tag: str = ""
    #: A request of the current step went out and its answer was lost: look it up before resending.
    unsure: bool = False
    #: Tries of the current step so far, and the wait before the next one (shown in the row).
    attempts: int = 0
    wait_s: float = 0.0
    #: The upload was made by this submission (so it is deleted if no job comes of it).
    owns_file: bool = False

    def __post_init__(self) -> None:
        if not self.tag:
            self.tag = self.options.client_reference_id.strip() or new_tag()

    @property
    def label(self) -> str:
        if self.path is not None:
            return self.path.name
        return self.name or self.url or self.file_id or "?"

    @property
    def fraction(self) -> float:
        return self.sent / self.size if self.size else 0.0

    @property
    def active(self) -> bool:
        return self.stage in (Stage.WAITING, Stage.UPLOADING, Stage.CREATING)


class SubmissionQueue:
    """Runs submissions with at most ``parallel`` at once and reports every change."""

    def __init__(
        self,
        repo: JobsRepository,
        *,
        on_change: Callable[[Submission], None],
        on_created: Callable[[Submission, Transcription], None],
        on_uploaded: Callable[[Submission, File], None] | None = None,
        parallel: int = MAX_PARALLEL,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.repo = repo
        self._on_change = on_change
        self._on_created = on_created
        self._on_uploaded = on_uploaded
        self._gate = asyncio.Semaphore(parallel)
        #: ``policy.attempts`` tries of a step before the row waits for Retry, on its backoff.
        self.policy = policy or RetryPolicy(attempts=AUTO_ATTEMPTS, initial_s=1.0, cap_s=30.0)
        self._sleep = sleep
        self.items: dict[int, Submission] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._cleanup: asyncio.Future[None] | None = None
        #: Jobs and files already tied to a submission: a lookup never adopts one twice.
        self.claimed_jobs: set[str] = set()
        self.claimed_files: set[str] = set()
        #: Times the user pressed Retry (one row or "Retry all failed").
        self.manual_retries = 0
        #: Automatic tries after a failure, and lost answers resolved by adopting what existed.
        self.auto_retries = 0
        self.adopted = 0

    def add(self, submission: Submission) -> Submission:
        self.items[submission.key] = submission
        self._on_change(submission)
        self._start(submission)
        return submission

    def retry(self, key: int) -> None:
        sub = self.items.get(key)
        if sub is None or sub.active:
            return
        self.manual_retries += 1
        sub.stage = Stage.WAITING
        sub.error = None
        self._on_change(sub)
        self._start(sub)

    @property
    def failed(self) -> list[Submission]:
        return [sub for sub in self.items.values() if sub.stage is Stage.FAILED]

    def retry_all_failed(self) -> int:
        """Retry every failed submission; returns how many were started again."""
        failed = self.failed
        for sub in failed:
            self.retry(sub.key)
        return len(failed)

    def cancel(self, key: int) -> None:
        """Stop it wherever it is; an upload already finished is deleted from the service."""
        sub = self.items.get(key)
        if sub is None:
            return
        task = self._tasks.pop(key, None)
        if task is not None and not task.done():
            task.cancel()
        self._finish_cancel(sub)

    def dismiss(self, key: int) -> None:
        """Remove a failed or cancelled submission from the list."""
        sub = self.items.get(key)
        if sub is not None and not sub.active:
            self.items.pop(key, None)
            sub.stage = Stage.CANCELLED
            self._drop_orphan(sub, maybe_stored=sub.unsure and sub.failed_stage is Stage.UPLOADING)
            self._on_change(sub)

    def stop(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    @property
    def pending(self) -> list[Submission]:
        return list(self.items.values())

    def _finish_cancel(self, sub: Submission) -> None:
        self.items.pop(sub.key, None)
        was_uploading = sub.stage is Stage.UPLOADING
        sub.stage = Stage.CANCELLED
        self._drop_orphan(sub, maybe_stored=was_uploading or (sub.unsure and sub.failed_stage is Stage.UPLOADING))
        self._on_change(sub)

    def _drop_orphan(self, sub: Submission, *, maybe_stored: bool = False) -> None:
        """An upload this submission made that will never get its job is deleted from the service.

        ``maybe_stored``: an upload was under way or its answer was lost, so the file may be on
        the service without the app knowing its id; it is looked up by the tag and deleted.
        """
        if sub.transcription is not None or sub.path is None:
            return
        if sub.file_id and sub.owns_file:
            self._cleanup = asyncio.ensure_future(self._delete_orphan(sub.file_id))
            sub.file_id = None
            sub.uploaded = None
            sub.owns_file = False
        elif maybe_stored and not sub.file_id:
            self._cleanup = asyncio.ensure_future(self._delete_lost_upload(sub.tag, sub.path))

    async def _delete_lost_upload(self, tag: str, path: Path) -> None:
        try:
            found = await self.repo.find_file(
                tag, filename=path.name, size=path.stat().st_size, exclude=self.claimed_files
            )
            if found is not None:
                await self.repo.delete_file(found.id)
        except Exception:
            log.info("Could not look for the upload of a dropped submission", exc_info=True)

    async def _delete_orphan(self, file_id: str) -> None:
        try:
            await self.repo.delete_file(file_id)
        except Exception:
            log.info("Could not delete the uploaded file of a cancelled submission", exc_info=True)

    def _start(self, sub: Submission) -> None:
        task = asyncio.ensure_future(self._run(sub))
        self._tasks[sub.key] = task
        key = sub.key
        task.add_done_callback(lambda t: self._forget_task(key, t))

    def _forget_task(self, key: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            self._tasks.pop(key, None)

    async def _run(self, sub: Submission) -> None:
        async with self._gate:
            if sub.key not in self.items:
                return
            try:
                if sub.path is not None and sub.file_id is None:
                    uploaded = await self._upload(sub)
                    sub.file_id = uploaded.id
                    sub.uploaded = uploaded
                    sub.owns_file = True
                    self.claimed_files.add(uploaded.id)
                    sub.sent = sub.size = max(sub.size, uploaded.size)
                    if self._on_uploaded is not None:
                        self._on_uploaded(sub, uploaded)
                job = await self._create(sub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._fail(sub, exc)
                return
            sub.transcription = job
            sub.stage = Stage.DONE
            self.items.pop(sub.key, None)
            self._on_change(sub)
            self._on_created(sub, job)

    def _fail(self, sub: Submission, exc: BaseException) -> None:
        sub.failed_stage = sub.stage
        sub.stage = Stage.FAILED
        sub.error = describe_error(exc)
        sub.wait_s = 0.0
        log.info("Submission %s failed while %s: %s", sub.key, sub.failed_stage.value, sub.error.error_type)
        if sub.failed_stage is Stage.CREATING and outcome_of(exc) is Outcome.FINAL and not sub.unsure:
            # The service will never make this job from the upload: delete it rather than leave
            # it behind; Retry uploads again (after the user fixed what the error names).
            self._drop_orphan(sub)
        self._on_change(sub)

    async def _upload(self, sub: Submission) -> File:
        path = sub.path
        assert path is not None
        size = path.stat().st_size

        async def send() -> File:
            sub.sent = 0
            return await self.repo.upload(
                path, on_progress=lambda sent, total: self._progress(sub, sent, total), client_reference_id=sub.tag
            )

        async def find() -> File | None:
            return await self.repo.find_file(sub.tag, filename=path.name, size=size, exclude=self.claimed_files)

        return await self._step(sub, Stage.UPLOADING, send, find)

    async def _create(self, sub: Submission) -> Transcription:
        audio_url = None if sub.file_id else sub.url

        async def send() -> Transcription:
            return await self.repo.create_transcription(
                sub.options, sub.model, file_id=sub.file_id, audio_url=audio_url, client_reference_id=sub.tag
            )

        async def find() -> Transcription | None:
            return await self.repo.find_transcription(
                sub.tag, file_id=sub.file_id, audio_url=audio_url, exclude=self.claimed_jobs
            )

        job = await self._step(sub, Stage.CREATING, send, find)
        self.claimed_jobs.add(job.id)
        return job

    async def _step(
        self,
        sub: Submission,
        stage: Stage,
        send: Callable[[], Awaitable[T]],
        find: Callable[[], Awaitable[T | None]],
    ) -> T:
        """Send one step until it is done, adopting its result when an earlier answer was lost.

        A step is sent again only when the service cannot have acted on the previous try: after
        a refusal (429, 503) or once a lookup by the submission's tag found nothing.
        """
        sub.stage = stage
        sub.attempts = 0
        sub.wait_s = 0.0
        self._on_change(sub)
        backoff = self.policy.backoff()
        while True:
            try:
                if sub.unsure:
                    found = await find()
                    sub.unsure = False
                    if found is not None:
                        self.adopted += 1
                        log.info("Submission %s: adopted what a lost answer had made", sub.key)
                        return found
                return await send()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                outcome = outcome_of(exc)
                if outcome is Outcome.FINAL:
                    raise
                if outcome is Outcome.UNKNOWN and not sub.unsure:
                    sub.unsure = True  # the send may have worked: look before sending again
                sub.attempts += 1
                if sub.attempts >= self.policy.attempts:
                    raise
                delay = backoff.next()
                hinted = retry_after(exc)
                if hinted is not None:
                    delay = max(delay, min(hinted, self.policy.cap_s * 4))
                if outcome is Outcome.UNKNOWN and sub.unsure and sub.attempts == 1:
                    delay = 0.0  # look it up at once; the lookup is a cheap, safe read
                self.auto_retries += 1
                sub.error = describe_error(exc)
                sub.wait_s = delay
                self._on_change(sub)
                log.info("Submission %s: %s failed (%s); trying again in %.1f s", sub.key, stage.value, outcome, delay)
                if delay:
                    await self._sleep(delay)
                sub.error = None
                sub.wait_s = 0.0
                self._on_change(sub)

    def _progress(self, sub: Submission, sent: int, total: int) -> None:
        sub.sent, sub.size = sent, total
        self._on_change(sub)
