"""The jobs workflow without any UI: submit, upload, create, watch, fetch and keep transcripts.

Why it exists: the jobs side panel used to own the repository, poller, submission queue, cache,
library writes and the wording of every notice, so no other front end (tray menu, global hotkey,
notifications) could submit or watch a job without it. :class:`JobsService` owns all of that and
reports through :class:`JobsListener`; a front end only forwards user actions and draws events.

Qt-free on purpose (import-linter keeps ``desktop.core`` away from PySide6), so it runs under a
plain asyncio loop in tests and under qasync in the app.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from soniox import AsyncSonioxClient
from soniox.types import File, Model, Transcription, TranscriptionTranscript

from desktop.core.backoff import Backoff
from desktop.core.errors import UserError, describe_error
from desktop.core.jobs.job_options import JobOptions, find_model
from desktop.core.jobs.jobs_repo import ACTIVE_STATUSES, BulkResult, JobsRepository
from desktop.core.jobs.poller import JobPoller
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import Outcome, RetryNotice, RetryPolicy, outcome_of
from desktop.core.jobs.submissions import AUTO_ATTEMPTS, Submission, SubmissionQueue, is_generated_tag, new_tag
from desktop.core.jobs.transcript_cache import TranscriptCache

log = logging.getLogger(__name__)


class NoticeLevel(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class FollowUp(enum.Enum):
    """What a notice offers to do next; the front end draws it as a button."""

    OPEN_TRANSCRIPT = "Open"
    RETRY_JOB = "Retry"


@dataclass(frozen=True)
class JobsNotice:
    """Something the user should be told, decided here so every front end says the same."""

    level: NoticeLevel
    text: str
    key: str
    timeout_s: float | None = None
    follow_up: FollowUp | None = None
    job: Transcription | None = None
    error: UserError | None = None


class JobsListener(Protocol):
    """What a front end hears from the service. Every method may be a no-op (see NullJobsListener)."""

    def on_submission_changed(self, sub: Submission) -> None: ...
    def on_file_uploaded(self, file: File) -> None: ...
    def on_job_added(self, job: Transcription) -> None: ...
    def on_job_updated(self, job: Transcription) -> None: ...
    def on_job_finished(self, job: Transcription) -> None: ...
    def on_job_gone(self, job_id: str) -> None: ...
    def on_notice(self, notice: JobsNotice) -> None: ...
    def on_retry(self, notice: RetryNotice) -> None: ...


class NullJobsListener:
    """A listener that ignores everything; subclass it and override only what you draw."""

    def on_submission_changed(self, sub: Submission) -> None:
        pass

    def on_file_uploaded(self, file: File) -> None:
        pass

    def on_job_added(self, job: Transcription) -> None:
        pass

    def on_job_updated(self, job: Transcription) -> None:
        pass

    def on_job_finished(self, job: Transcription) -> None:
        pass

    def on_job_gone(self, job_id: str) -> None:
        pass

    def on_notice(self, notice: JobsNotice) -> None:
        pass

    def on_retry(self, notice: RetryNotice) -> None:
        pass


def job_label(job: Transcription) -> str:
    """What the user recognises a job by: its file name, or the URL it was made from."""
    if job.audio_url and not job.file_id:
        return job.audio_url
    return job.filename or job.audio_url or job.id


def options_from_job(job: Transcription) -> JobOptions:
    """The options a finished job reveals, for retrying one this session did not create."""
    return JobOptions(
        model=job.model,
        language_hints=list(job.language_hints or []),
        enable_speaker_diarization=job.enable_speaker_diarization,
        enable_language_identification=job.enable_language_identification,
        webhook_url=job.webhook_url or "",
        # A tag the app made up to find a lost answer is not the user's reference; a retry gets its own.
        client_reference_id="" if is_generated_tag(job.client_reference_id) else job.client_reference_id or "",
    )


class JobsService:
    """Owns every jobs collaborator; front ends call its methods and listen to its events.

    ``client_factory`` and ``load_models`` are usually ``context.client`` and
    ``context.load_models``; taking them as callables keeps the service free of the app context
    (a new key or endpoint is picked up at the next call).

    ``gate`` paces every REST call of the service (see ``rate.py``); ``submit_policy`` is the
    backoff of automatic re-sends of uploads and creates (default: ``AUTO_ATTEMPTS`` tries on the
    timings of ``retry_policy``).
    """

    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        load_models: Callable[[], Awaitable[Sequence[Model]]],
        listener: JobsListener | None = None,
        *,
        library: Any = None,
        poll_backoff: Backoff | None = None,
        retry_policy: RetryPolicy | None = None,
        page_size: int = 200,
        gate: RateGate | None = None,
        submit_policy: RetryPolicy | None = None,
    ) -> None:
        self._listener: JobsListener = listener or NullJobsListener()
        self._load_models = load_models
        self._library = library
        self._created_options: dict[str, JobOptions] = {}
        self._retrying: set[str] = set()
        self._retry_tags: dict[str, str] = {}
        self._retry_unsure: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._known_status: dict[str, str] = {}
        # Without a Retry-After hint, a 429 pauses everyone for the retry policy's first wait.
        gate = gate or RateGate(default_pause_s=retry_policy.initial_s if retry_policy else 1.0)
        self.repo = JobsRepository(
            client_factory, policy=retry_policy, on_retry=self._on_retry, page_size=page_size, gate=gate
        )
        self.cache = TranscriptCache(self.repo.get_transcript)
        self.poller = JobPoller(
            lambda job_id: self.repo.get_transcription(job_id, retry=False),
            fetch_page=self.repo.poll_page,
            on_update=self._on_polled,
            on_gone=self._on_gone,
            on_error=self._on_poll_error,
            backoff=poll_backoff,
        )
        self.queue = SubmissionQueue(
            self.repo,
            on_change=self._listener.on_submission_changed,
            on_created=self._on_created,
            on_uploaded=lambda _sub, file: self._listener.on_file_uploaded(file),
            policy=submit_policy
            or RetryPolicy(attempts=AUTO_ATTEMPTS, initial_s=self.repo.policy.initial_s, cap_s=self.repo.policy.cap_s),
        )

    # -- submitting ----------------------------------------------------------------------------
    def submit_file(self, path: Path, options: JobOptions, model: Model | None = None) -> Submission:
        return self.queue.add(Submission(options=options, model=model, path=path))

    def submit_url(self, url: str, options: JobOptions, model: Model | None = None) -> Submission:
        return self.queue.add(Submission(options=options, model=model, url=url))

    def transcribe_file_id(
        self, file_id: str, name: str, options: JobOptions, model: Model | None = None, *, size: int = 0
    ) -> Submission:
        """Make a new job from a file already on Soniox (no upload)."""
        return self.queue.add(Submission(options=options, model=model, file_id=file_id, name=name, size=size))

    def watch(self, job: Transcription) -> None:
        """Follow a job found elsewhere (e.g. a loaded page) until it ends."""
        self._known_status[job.id] = job.status
        self.poller.watch(job)

    def _on_created(self, sub: Submission, job: Transcription) -> None:
        if sub.path is not None:
            self._spawn(self._keep_in_library(job, link_path=sub.path))
        self._created_options[job.id] = sub.options
        self._add(job)
        self._listener.on_notice(
            JobsNotice(NoticeLevel.INFO, f"Started transcribing {sub.label}.", f"started-{sub.key}", timeout_s=5)
        )
        if job.status not in ACTIVE_STATUSES:
            # Adopted after a lost answer, it may have ended already: report the end as a poll would.
            self._known_status[job.id] = "queued"
            self._on_polled(job)

    def _add(self, job: Transcription) -> None:
        self._listener.on_job_added(job)
        self.watch(job)

    # -- watching ------------------------------------------------------------------------------
    def _on_polled(self, job: Transcription) -> None:
        before = self._known_status.get(job.id)
        self._known_status[job.id] = job.status
        self._listener.on_job_updated(job)
        was_active = before is None or before in ACTIVE_STATUSES
        if job.status in ACTIVE_STATUSES or not was_active:
            return
        if job.status == "completed":
            self._listener.on_notice(
                JobsNotice(
                    NoticeLevel.INFO,
                    f"Transcription finished: {job_label(job)}.",
                    f"done-{job.id}",
                    follow_up=FollowUp.OPEN_TRANSCRIPT,
                    job=job,
                )
            )
            if self._library is not None:
                self._spawn(self._fetch_and_keep(job))
        else:
            reason = job.error_message or "Soniox did not say why."
            self._listener.on_notice(
                JobsNotice(
                    NoticeLevel.ERROR,
                    f"Transcription failed: {job_label(job)}. {reason}",
                    f"done-{job.id}",
                    follow_up=FollowUp.RETRY_JOB,
                    job=job,
                )
            )
        self._listener.on_job_finished(job)

    def _on_gone(self, job_id: str) -> None:
        self._known_status.pop(job_id, None)
        self._listener.on_job_gone(job_id)

    def _on_poll_error(self, exc: BaseException) -> None:
        err = describe_error(exc)
        delay = self.poller.backoff.peek()
        self._listener.on_notice(
            JobsNotice(
                NoticeLevel.WARNING,
                f"Could not check the running jobs: {err.title}. {err.message} "
                f"Trying again in {max(1, round(delay))} s.",
                "poll",
                timeout_s=delay + 3,
            )
        )

    def _on_retry(self, notice: RetryNotice) -> None:
        self._listener.on_retry(notice)

    # -- transcripts and the library -----------------------------------------------------------
    async def open_transcript(self, job: Transcription) -> TranscriptionTranscript:
        """The transcript through the cache (one request however often it is asked for)."""
        return await self.cache.get(job.id)

    async def _fetch_and_keep(self, job: Transcription) -> None:
        try:
            transcript = await self.open_transcript(job)
        except Exception as exc:
            self._listener.on_notice(self._error_notice(exc, f"Could not fetch {job_label(job)}", f"fetch-{job.id}"))
            return
        await self._keep_in_library(job, tokens=list(transcript.tokens))

    async def keep_transcript(self, job: Transcription, tokens: list[Any], names: dict[str, str]) -> None:
        """Keep a transcript (with the speaker names a window gave) in the library."""
        await self._keep_in_library(job, tokens=tokens, names=names)

    async def _keep_in_library(
        self,
        job: Transcription,
        *,
        tokens: list[Any] | None = None,
        names: dict[str, str] | None = None,
        link_path: Path | None = None,
    ) -> None:
        """The one place the service writes the library; the transcript is saved on its worker thread."""
        if self._library is None:
            return
        try:
            if link_path is not None:
                self._library.link_job_audio(job.id, link_path)
            if tokens is not None:
                await self._library.save_job_transcript_async(job, tokens, names or {})
        except Exception:
            log.exception("Could not keep job %s in the library", job.id)

    def set_library(self, library: Any) -> None:
        self._library = library

    # -- actions on existing jobs --------------------------------------------------------------
    async def retry_job(self, job: Transcription) -> Transcription | None:
        """Create the job again from its file or URL, then remove the failed record.

        One retry per job at a time: two clicks must not create (and bill) two transcriptions.
        """
        if job.id in self._retrying:
            return None
        self._retrying.add(job.id)
        try:
            options = self._created_options.get(job.id) or options_from_job(job)
            try:
                created = await self._create_again(job, options)
            except Exception as exc:
                self._listener.on_notice(
                    self._error_notice(
                        exc,
                        f"Could not retry {job_label(job)}",
                        f"retry-{job.id}",
                        job=job,
                        follow_up=FollowUp.RETRY_JOB,
                    )
                )
                return None
            self._created_options[created.id] = options
            self.queue.claimed_jobs.add(created.id)
            self._retry_tags.pop(job.id, None)
            try:
                await self.repo.delete_transcription(job.id)
                self._on_gone(job.id)
            except Exception as exc:
                log.info("Removing the failed job after a retry failed: %s", describe_error(exc).error_type)
            self._add(created)
            self._listener.on_notice(JobsNotice(NoticeLevel.INFO, f"Retrying {job_label(job)}.", f"done-{job.id}", 5))
            return created
        finally:
            self._retrying.discard(job.id)

    async def _create_again(self, job: Transcription, options: JobOptions) -> Transcription:
        """Create ``job`` again under one tag per failed job, adopting a create whose answer was lost.

        The tag outlives a failed attempt, so pressing Retry after a timeout first looks for the
        job that timeout may have made instead of billing a second one.
        """
        tag = self._retry_tags.setdefault(job.id, options.client_reference_id.strip() or new_tag())
        file_id = job.file_id
        audio_url = None if job.file_id else job.audio_url

        async def find() -> Transcription | None:
            return await self.repo.find_transcription(
                tag, file_id=file_id, audio_url=audio_url, exclude=self.queue.claimed_jobs
            )

        if job.id in self._retry_unsure:
            found = await find()
            self._retry_unsure.discard(job.id)
            if found is not None:
                return found
        model = find_model(list(await self._load_models()), options.model)
        try:
            return await self.repo.create_transcription(
                options, model, file_id=file_id, audio_url=audio_url, client_reference_id=tag
            )
        except Exception as exc:
            if outcome_of(exc) is not Outcome.UNKNOWN:
                raise
            self._retry_unsure.add(job.id)
            found = await find()
            self._retry_unsure.discard(job.id)
            if found is None:
                raise
            return found

    async def delete_job(self, job_id: str) -> None:
        self.poller.forget(job_id)
        await self.repo.delete_transcription(job_id)
        self.cache.forget(job_id)
        self._on_gone(job_id)

    async def destroy_job(self, job: Transcription) -> None:
        """Delete the job and the file it was made from."""
        self.poller.forget(job.id)
        await self.repo.destroy_transcription(job)
        self.cache.forget(job.id)
        self._on_gone(job.id)

    async def delete_all_jobs(self, on_progress: Callable[[int, int], None] | None = None) -> BulkResult:
        self.poller.clear()
        result = await self.repo.delete_all_transcriptions(on_progress=on_progress)
        self.cache.clear()
        self._known_status.clear()
        clean = not result.failures and not result.still_processing
        level = NoticeLevel.INFO if clean else NoticeLevel.WARNING
        self._listener.on_notice(JobsNotice(level, result.summary, "bulk-jobs"))
        return result

    async def delete_all_files(self, on_progress: Callable[[int, int], None] | None = None) -> BulkResult:
        return await self.repo.delete_all_files(on_progress=on_progress)

    async def counts(self) -> tuple[int, int]:
        """How many jobs and files the account holds."""
        return await self.repo.count_transcriptions(), await self.repo.count_files()

    @staticmethod
    def _error_notice(
        exc: BaseException,
        context: str,
        key: str,
        *,
        job: Transcription | None = None,
        follow_up: FollowUp | None = None,
    ) -> JobsNotice:
        error = describe_error(exc)
        return JobsNotice(NoticeLevel.ERROR, context, key, follow_up=follow_up, job=job, error=error)

    # -- lifetime ------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def forget_account(self) -> None:
        """The key or endpoint changed: stop watching and drop cached transcripts of the old account."""
        self.poller.clear()
        self.cache.clear()
        self._known_status.clear()

    def shutdown(self) -> None:
        self.poller.stop()
        self.queue.stop()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    def retry_submission(self, key: int) -> None:
        self.queue.retry(key)

    def retry_all_failed(self) -> int:
        """Start every failed submission again; returns how many (0: nothing had failed)."""
        count = self.queue.retry_all_failed()
        if count:
            noun = "submission" if count == 1 else "submissions"
            self._listener.on_notice(
                JobsNotice(NoticeLevel.INFO, f"Retrying {count} failed {noun}.", "retry-all", timeout_s=5)
            )
        return count

    def cancel_submission(self, key: int) -> None:
        self.queue.cancel(key)

    def dismiss_submission(self, key: int) -> None:
        self.queue.dismiss(key)

    @property
    def pending_submissions(self) -> Sequence[Submission]:
        return self.queue.pending
