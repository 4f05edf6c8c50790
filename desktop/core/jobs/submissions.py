"""What happens between "the user dropped a file" and "a job exists on Soniox".

Each dropped file or pasted URL becomes a :class:`Submission` that stays visible through every
stage (waiting, uploading with byte progress, creating) and, if anything fails, stays with its
error and can be retried from the stage that failed: a file that uploaded but whose job could
not be created is not uploaded again. Nothing the user started disappears silently; it leaves
the list only when its job exists on the service, or when the user cancels or dismisses it.

Uploads run two at a time so a folder of files does not open dozens of connections.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from soniox.types import File, Model, Transcription

from desktop.core.errors import UserError, describe_error
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.jobs_repo import JobsRepository

log = logging.getLogger(__name__)

MAX_PARALLEL = 2


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
    ) -> None:
        self.repo = repo
        self._on_change = on_change
        self._on_created = on_created
        self._on_uploaded = on_uploaded
        self._gate = asyncio.Semaphore(parallel)
        self.items: dict[int, Submission] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._cleanup: asyncio.Future[None] | None = None

    def add(self, submission: Submission) -> Submission:
        self.items[submission.key] = submission
        self._on_change(submission)
        self._start(submission)
        return submission

    def retry(self, key: int) -> None:
        sub = self.items.get(key)
        if sub is None or sub.active:
            return
        sub.stage = Stage.WAITING
        sub.error = None
        self._on_change(sub)
        self._start(sub)

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
        sub.stage = Stage.CANCELLED
        if sub.file_id and sub.transcription is None and sub.path is not None:
            self._cleanup = asyncio.ensure_future(self._delete_orphan(sub.file_id))
        self._on_change(sub)

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
                    sub.stage = Stage.UPLOADING
                    sub.sent = 0
                    self._on_change(sub)
                    uploaded = await self.repo.upload(
                        sub.path,
                        on_progress=lambda sent, total: self._progress(sub, sent, total),
                        client_reference_id=sub.options.client_reference_id.strip() or None,
                    )
                    sub.file_id = uploaded.id
                    sub.uploaded = uploaded
                    sub.sent = sub.size = max(sub.size, uploaded.size)
                    if self._on_uploaded is not None:
                        self._on_uploaded(sub, uploaded)
                sub.stage = Stage.CREATING
                self._on_change(sub)
                job = await self.repo.create_transcription(
                    sub.options,
                    sub.model,
                    file_id=sub.file_id,
                    audio_url=None if sub.file_id else sub.url,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                sub.failed_stage = sub.stage
                sub.stage = Stage.FAILED
                sub.error = describe_error(exc)
                log.info("Submission %s failed while %s: %s", sub.key, sub.failed_stage.value, sub.error.error_type)
                self._on_change(sub)
                return
            sub.transcription = job
            sub.stage = Stage.DONE
            self.items.pop(sub.key, None)
            self._on_change(sub)
            self._on_created(sub, job)

    def _progress(self, sub: Submission, sent: int, total: int) -> None:
        sub.sent, sub.size = sent, total
        self._on_change(sub)
