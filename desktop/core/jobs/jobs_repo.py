"""Every Soniox call the jobs and files panel makes, in one place with one retry policy.

Reads and deletes go through :func:`call_safe` (retried on 429/5xx with the notice shown to the
user); creates and uploads do not (see ``retry.py`` for why — the submission queue decides when
they may be sent again, after looking them up with :meth:`JobsRepository.find_transcription` and
:meth:`JobsRepository.find_file`). Every request, retried or not, waits its turn at one shared
:class:`~desktop.core.jobs.rate.RateGate`, so a 429 slows the whole service down. The client is
fetched from a factory on every call, so a key or region change takes effect on the next request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from soniox import AsyncSonioxClient
from soniox.errors import SonioxConflictError, SonioxNotFoundError
from soniox.types import File, Model, Transcription, TranscriptionTranscript

from desktop.core.errors import UserError, describe_error
from desktop.core.jobs.job_options import JobOptions
from desktop.core.jobs.rate import RateGate
from desktop.core.jobs.retry import RetryCallback, RetryPolicy, call_safe
from desktop.core.jobs.upload import ProgressCallback, upload_file

T = TypeVar("T")

ACTIVE_STATUSES = frozenset({"queued", "processing"})
DEFAULT_PAGE_SIZE = 200
DELETE_CONCURRENCY = 4
#: How many recent items a lookup after a lost answer reads (newest first) before giving up.
LOOKUP_PAGE_SIZE = 100
LOOKUP_PAGES = 5


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a cursor-paginated list."""

    items: list[T]
    next_cursor: str | None


@dataclass
class BulkResult:
    """The outcome of "delete all": how many went, and why the others did not."""

    requested: int = 0
    deleted: int = 0
    still_processing: int = 0
    failures: list[UserError] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [f"Deleted {self.deleted} of {self.requested}."]
        if self.still_processing:
            parts.append(
                f"{self.still_processing} still processing could not be deleted yet; try again when they finish."
            )
        if self.failures:
            first = self.failures[0]
            parts.append(f"{len(self.failures)} failed: {first.message} {first.action}")
        return " ".join(parts)


class JobsRepository:
    def __init__(
        self,
        client_factory: Callable[[], AsyncSonioxClient],
        *,
        policy: RetryPolicy | None = None,
        on_retry: RetryCallback | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        gate: RateGate | None = None,
    ) -> None:
        self._client_factory = client_factory
        self.policy = policy or RetryPolicy()
        self.on_retry = on_retry
        self.page_size = page_size
        self.gate = gate or RateGate()

    def client(self) -> AsyncSonioxClient:
        return self._client_factory()

    async def _paced(self, fn: Callable[[], Awaitable[T]]) -> T:
        return await self.gate.run(fn)

    async def _safe(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        return await call_safe(lambda: self._paced(fn), what=what, policy=self.policy, on_retry=self.on_retry)

    # -- transcriptions ------------------------------------------------------------------------
    async def list_transcriptions(self, cursor: str | None = None, limit: int | None = None) -> Page[Transcription]:
        response = await self._safe(
            "loading jobs", lambda: self.client().stt.list(limit=limit or self.page_size, cursor=cursor)
        )
        return Page(response.transcriptions, response.next_page_cursor)

    async def poll_page(self, cursor: str | None, limit: int) -> Page[Transcription]:
        """One page for the poller: paced, but not retried (the next round is the retry)."""
        response = await self._paced(lambda: self.client().stt.list(limit=limit, cursor=cursor))
        return Page(response.transcriptions, response.next_page_cursor)

    async def count_transcriptions(self) -> int:
        response = await self._safe("counting jobs", lambda: self.client().stt.count())
        return response.total

    async def get_transcription(self, transcription_id: str, *, retry: bool = True) -> Transcription:
        if not retry:
            return await self._paced(lambda: self.client().stt.get(transcription_id))
        return await self._safe("checking a job", lambda: self.client().stt.get(transcription_id))

    async def get_transcript(self, transcription_id: str) -> TranscriptionTranscript:
        return await self._safe("fetching a transcript", lambda: self.client().stt.get_transcript(transcription_id))

    async def create_transcription(
        self,
        options: JobOptions,
        model: Model | None,
        *,
        file_id: str | None = None,
        audio_url: str | None = None,
        client_reference_id: str | None = None,
    ) -> Transcription:
        """Create a job once (never retried here: a lost response may still have created it).

        ``client_reference_id`` overrides the options' one: the queue tags each submission so a
        lost answer can be looked up (:meth:`find_transcription`).
        """
        kwargs = options.create_kwargs(model)
        if client_reference_id:
            kwargs["client_reference_id"] = client_reference_id
        return await self._paced(lambda: self.client().stt.create(file_id=file_id, audio_url=audio_url, **kwargs))

    async def find_transcription(
        self,
        client_reference_id: str,
        *,
        file_id: str | None = None,
        audio_url: str | None = None,
        exclude: Collection[str] = (),
    ) -> Transcription | None:
        """The job a create whose answer was lost made, if it exists: newest first, same tag and source."""

        def matches(job: Transcription) -> bool:
            if job.client_reference_id != client_reference_id or job.id in exclude:
                return False
            return job.file_id == file_id if file_id else job.audio_url == audio_url

        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = await self.list_transcriptions(cursor, limit=LOOKUP_PAGE_SIZE)
            found = next((job for job in page.items if matches(job)), None)
            if found is not None or not page.next_cursor:
                return found
            cursor = page.next_cursor
        return None

    async def delete_transcription(self, transcription_id: str) -> None:
        """Delete a job; one already gone counts as deleted."""
        try:
            await self._safe("deleting a job", lambda: self.client().stt.delete(transcription_id))
        except SonioxNotFoundError:
            return

    async def destroy_transcription(self, job: Transcription) -> None:
        """Delete a job and the uploaded file it was made from (URL jobs have none)."""
        await self.delete_transcription(job.id)
        if job.file_id:
            await self.delete_file(job.file_id)

    async def all_transcriptions(self) -> list[Transcription]:
        jobs: list[Transcription] = []
        cursor: str | None = None
        while True:
            page = await self.list_transcriptions(cursor, limit=1000)
            jobs.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                return jobs

    async def delete_all_transcriptions(
        self, *, destroy_files: bool = False, on_progress: Callable[[int, int], None] | None = None
    ) -> BulkResult:
        jobs = await self.all_transcriptions()

        async def one(job: Transcription) -> None:
            if destroy_files:
                await self.destroy_transcription(job)
            else:
                await self.delete_transcription(job.id)

        return await self._bulk(jobs, one, on_progress)

    # -- files ---------------------------------------------------------------------------------
    async def list_files(self, cursor: str | None = None, limit: int | None = None) -> Page[File]:
        response = await self._safe(
            "loading files", lambda: self.client().files.list(limit=limit or self.page_size, cursor=cursor)
        )
        return Page(response.files, response.next_page_cursor)

    async def count_files(self) -> int:
        response = await self._safe("counting files", lambda: self.client().files.count())
        return response.total

    async def upload(
        self, path: Path, *, on_progress: ProgressCallback | None = None, client_reference_id: str | None = None
    ) -> File:
        """Stream ``path`` to the Files API once, holding one of the gate's upload slots."""
        async with self.gate.upload_slot():
            return await self._paced(
                lambda: upload_file(
                    self.client(), path, on_progress=on_progress, client_reference_id=client_reference_id
                )
            )

    async def find_file(
        self, client_reference_id: str, *, filename: str, size: int, exclude: Collection[str] = ()
    ) -> File | None:
        """The file an upload whose answer was lost stored, if it exists: same tag, name and size."""
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            page = await self.list_files(cursor, limit=LOOKUP_PAGE_SIZE)
            for file in page.items:
                if (
                    file.client_reference_id == client_reference_id
                    and file.filename == filename
                    and file.size == size
                    and file.id not in exclude
                ):
                    return file
            if not page.next_cursor:
                return None
            cursor = page.next_cursor
        return None

    async def delete_file(self, file_id: str) -> None:
        try:
            await self._safe("deleting a file", lambda: self.client().files.delete(file_id))
        except SonioxNotFoundError:
            return

    async def delete_all_files(self, *, on_progress: Callable[[int, int], None] | None = None) -> BulkResult:
        files: list[File] = []
        cursor: str | None = None
        while True:
            page = await self.list_files(cursor, limit=1000)
            files.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                break
        return await self._bulk(files, lambda f: self.delete_file(f.id), on_progress)

    # -- helpers -------------------------------------------------------------------------------
    async def _bulk(
        self,
        items: list,  # type: ignore[type-arg]
        action: Callable[..., Awaitable[None]],
        on_progress: Callable[[int, int], None] | None,
    ) -> BulkResult:
        result = BulkResult(requested=len(items))
        done = 0
        gate = asyncio.Semaphore(DELETE_CONCURRENCY)

        async def run(item: object) -> None:
            nonlocal done
            async with gate:
                try:
                    await action(item)
                    result.deleted += 1
                except SonioxConflictError:
                    result.still_processing += 1
                except Exception as exc:
                    result.failures.append(describe_error(exc))
                done += 1
                if on_progress is not None:
                    on_progress(done, len(items))

        await asyncio.gather(*(run(item) for item in items))
        return result
