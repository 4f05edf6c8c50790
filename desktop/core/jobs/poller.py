"""Watch queued and processing jobs until they end, asking less often the longer they take.

One loop serves all running jobs: after each wait (1 s, 2 s, 4 s … capped at 30 s) it fetches
each watched job once. A newly watched job resets the wait to the start, since fresh jobs are
the ones most likely to change soon. The loop exists only while something is running and stops
when :meth:`JobPoller.stop` is called (the panel closing), so an idle app makes no requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from soniox.errors import SonioxNotFoundError
from soniox.types import Transcription

from desktop.core.backoff import Backoff
from desktop.core.jobs.jobs_repo import ACTIVE_STATUSES

log = logging.getLogger(__name__)


class JobPoller:
    def __init__(
        self,
        fetch: Callable[[str], Awaitable[Transcription]],
        *,
        on_update: Callable[[Transcription], None],
        on_gone: Callable[[str], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._fetch = fetch
        self._on_update = on_update
        self._on_gone = on_gone
        self._on_error = on_error
        self.backoff = backoff or Backoff(initial=1.0, cap=30.0)
        self._watched: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.polls = 0
        self.delays: list[float] = []

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
        self._watched[job.id] = job.status
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
            await self.poll_once()

    async def poll_once(self) -> None:
        """Fetch every watched job once and report what changed."""
        self.polls += 1
        for job_id in list(self._watched):
            if job_id not in self._watched:
                continue
            try:
                job = await self._fetch(job_id)
            except SonioxNotFoundError:
                self._watched.pop(job_id, None)
                if self._on_gone is not None:
                    self._on_gone(job_id)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep polling; the next round may work
                log.info("Polling job failed: %s", type(exc).__name__)
                if self._on_error is not None:
                    self._on_error(exc)
                continue
            if job_id not in self._watched:
                continue
            if job.status not in ACTIVE_STATUSES:
                self._watched.pop(job_id, None)
                self._on_update(job)
            elif job.status != self._watched[job_id]:
                self._watched[job_id] = job.status
                self._on_update(job)
            else:
                self._on_update(job)
