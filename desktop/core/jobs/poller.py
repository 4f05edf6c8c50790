"""Watch queued and processing jobs until they end, asking less often the longer they take.

One loop serves all running jobs: after each wait (1 s, 2 s, 4 s … capped at 30 s) it asks
about every watched job once. A newly watched job resets the wait to the start, since fresh jobs
are the ones most likely to change soon — but rounds never come closer than ``min_gap_s``, so a
batch of 600 new jobs does not turn into 600 rounds.

How a round asks depends on how many jobs are watched. A few (``list_threshold`` or fewer) are
fetched one by one. More are read from the list endpoint, newest first, one request per page of
``page_size`` jobs, stopping once every watched job was seen or the pages reach jobs older than
the oldest watched one; a watched job missing from a list that covered its time is checked alone
(a 404 means it was deleted elsewhere), at most ``list_threshold`` such checks a round. So a
round costs at most ``max_pages + list_threshold`` requests whatever the batch size, where one
GET per job used to mean 300+ requests a second with 300 jobs running.

The loop exists only while something is running and stops when :meth:`JobPoller.stop` is called
(the panel closing), so an idle app makes no requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from soniox.errors import SonioxNotFoundError
from soniox.types import Transcription

from desktop.core.backoff import Backoff
from desktop.core.jobs.jobs_repo import ACTIVE_STATUSES, Page

log = logging.getLogger(__name__)

LIST_THRESHOLD = 5
POLL_PAGE_SIZE = 200
MAX_PAGES = 5

FetchPage = Callable[[str | None, int], Awaitable[Page[Transcription]]]


class JobPoller:
    def __init__(
        self,
        fetch: Callable[[str], Awaitable[Transcription]],
        *,
        fetch_page: FetchPage | None = None,
        on_update: Callable[[Transcription], None],
        on_gone: Callable[[str], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        backoff: Backoff | None = None,
        list_threshold: int = LIST_THRESHOLD,
        page_size: int = POLL_PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        min_gap_s: float | None = None,
    ) -> None:
        self._fetch = fetch
        self._fetch_page = fetch_page
        self._on_update = on_update
        self._on_gone = on_gone
        self._on_error = on_error
        self.backoff = backoff or Backoff(initial=1.0, cap=30.0)
        self.list_threshold = list_threshold
        self.page_size = page_size
        self.max_pages = max_pages
        #: The shortest time between two rounds (default: the backoff's first wait).
        self.min_gap_s = self.backoff.initial if min_gap_s is None else min_gap_s
        self._watched: dict[str, Transcription] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._last_round = -1e9
        self._checked_alone = 0
        self.polls = 0
        self.delays: list[float] = []
        #: Requests the poller made, by kind (for tests and the batch benchmark).
        self.job_requests = 0
        self.page_requests = 0

    @property
    def watched(self) -> frozenset[str]:
        return frozenset(self._watched)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def watch(self, job: Transcription) -> None:
        """Start (or keep) watching ``job`` if it is still queued or processing."""
        if job.status not in ACTIVE_STATUSES:
            self._watched.pop(job.id, None)
            return
        is_new = job.id not in self._watched
        self._watched[job.id] = job
        if is_new:
            self.backoff.reset()
            self._wake.set()
        self._ensure_running()

    def forget(self, transcription_id: str) -> None:
        self._watched.pop(transcription_id, None)

    def clear(self) -> None:
        self._watched.clear()

    def stop(self) -> None:
        self._watched.clear()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    def _ensure_running(self) -> None:
        if not self.running and self._watched:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while self._watched:
            delay = self.backoff.next()
            self.delays.append(delay)
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            # A new job wakes the loop early, but never closer than min_gap_s to the last round.
            gap = self._last_round + self.min_gap_s - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            self._last_round = time.monotonic()
            await self.poll_once()

    async def poll_once(self) -> None:
        """Ask about every watched job once and report what changed."""
        self.polls += 1
        if self._fetch_page is not None and len(self._watched) > self.list_threshold:
            await self._poll_by_pages()
        else:
            await self._poll_each(list(self._watched))

    async def _poll_each(self, job_ids: list[str]) -> None:
        for job_id in job_ids:
            if job_id not in self._watched:
                continue
            self.job_requests += 1
            try:
                job = await self._fetch(job_id)
            except SonioxNotFoundError:
                self._gone(job_id)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # end this round; the next one may work
                self._failed(exc)
                return
            self._seen(job)

    async def _poll_by_pages(self) -> None:
        oldest = min(job.created_at for job in self._watched.values())
        unseen = set(self._watched)
        cursor: str | None = None
        covered = False
        for _ in range(self.max_pages):
            assert self._fetch_page is not None
            self.page_requests += 1
            try:
                page = await self._fetch_page(cursor, self.page_size)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed(exc)
                return
            for job in page.items:
                if job.id in unseen:
                    unseen.discard(job.id)
                    self._seen(job)
            cursor = page.next_cursor
            if not unseen:
                return
            if not cursor or (page.items and page.items[-1].created_at < oldest):
                covered = True
                break
        # Missing from pages that reached back past them: deleted elsewhere, or beyond the pages
        # read this round. Either way ask about a few of them alone (rotating through them).
        missing = sorted(unseen)
        if not missing:
            return
        start = self._checked_alone % len(missing)
        chosen = (missing[start:] + missing[:start])[: self.list_threshold]
        self._checked_alone += len(chosen)
        log.debug("%d watched jobs not in the list (covered=%s); checking %d alone", len(missing), covered, len(chosen))
        await self._poll_each(chosen)

    def _seen(self, job: Transcription) -> None:
        if job.id not in self._watched:
            return
        if job.status not in ACTIVE_STATUSES:
            self._watched.pop(job.id, None)
        else:
            self._watched[job.id] = job
        self._on_update(job)

    def _gone(self, job_id: str) -> None:
        self._watched.pop(job_id, None)
        if self._on_gone is not None:
            self._on_gone(job_id)

    def _failed(self, exc: BaseException) -> None:
        log.info("Polling jobs failed: %s", type(exc).__name__)
        if self._on_error is not None:
            self._on_error(exc)
