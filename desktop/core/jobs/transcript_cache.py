"""Fetch each transcript once: opening the same job twice, or twice at once, is one request.

A completed transcript never changes, so keeping it is safe; the cache holds the most recently
used few (a transcript of a long file is megabytes of tokens) and forgets a job when it is
deleted. Concurrent requests for the same id share one in-flight fetch; a failed fetch is not
cached, so "try again" really tries again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from soniox.types import TranscriptionTranscript


class TranscriptCache:
    def __init__(self, fetch: Callable[[str], Awaitable[TranscriptionTranscript]], *, max_items: int = 16) -> None:
        self._fetch = fetch
        self._max_items = max_items
        self._items: OrderedDict[str, TranscriptionTranscript] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[TranscriptionTranscript]] = {}
        self.fetches = 0

    def peek(self, transcription_id: str) -> TranscriptionTranscript | None:
        return self._items.get(transcription_id)

    async def get(self, transcription_id: str) -> TranscriptionTranscript:
        cached = self._items.get(transcription_id)
        if cached is not None:
            self._items.move_to_end(transcription_id)
            return cached
        future = self._inflight.get(transcription_id)
        if future is None:
            future = asyncio.ensure_future(self._load(transcription_id))
            # Mark a failure as seen even if every waiter has gone (no "never retrieved" noise).
            future.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._inflight[transcription_id] = future
        # shield: one viewer closing must not cancel the fetch another viewer waits for.
        return await asyncio.shield(future)

    async def _load(self, transcription_id: str) -> TranscriptionTranscript:
        self.fetches += 1
        try:
            transcript = await self._fetch(transcription_id)
        finally:
            self._inflight.pop(transcription_id, None)
        self._items[transcription_id] = transcript
        self._items.move_to_end(transcription_id)
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)
        return transcript

    def forget(self, transcription_id: str) -> None:
        self._items.pop(transcription_id, None)

    def clear(self) -> None:
        self._items.clear()
