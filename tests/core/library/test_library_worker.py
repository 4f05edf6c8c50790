"""The library's worker thread: long reads and writes leave the loop free, in order, with errors
reaching the coroutine that awaited them. Plain asyncio: no Qt."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop.core.library.store import Library
from desktop.core.library.worker import LibraryClosed
from tests.library_helpers import spoken_tokens

pytestmark = pytest.mark.asyncio


def _job(job_id: str) -> SimpleNamespace:
    return SimpleNamespace(id=job_id, filename=f"{job_id}.mp3", audio_url=None, audio_duration_ms=0, created_at=1.0)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "lib" / "library.sqlite3")
    yield lib
    lib.close()


async def _longest_stall(work: asyncio.Future[object] | asyncio.Task[object]) -> float:
    """The longest gap between 1 ms ticks of the loop while ``work`` runs, in seconds."""
    longest = 0.0
    last = time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    await work
    return longest


async def test_a_save_then_a_load_sees_the_save_and_runs_off_the_loop_thread(library: Library) -> None:
    tokens = spoken_tokens(3000, speakers=2)
    loop_thread = threading.get_ident()
    seen_threads: list[int] = []
    save = asyncio.ensure_future(library.save_job_transcript_async(_job("job-1"), tokens, {"1": "Ana"}))
    load_task = asyncio.ensure_future(library.worker.run(lambda conn: seen_threads.append(threading.get_ident())))
    tid = await save
    await load_task
    loaded = await library.load_async(tid)
    assert loaded is not None
    assert loaded.info.token_count == len(tokens) and loaded.info.speaker_names == {"1": "Ana"}
    assert loaded.transcript.text() == library.load(tid).transcript.text()  # same as the loop's own read
    assert seen_threads and seen_threads[0] != loop_thread


async def test_observers_hear_about_an_async_save_on_the_loop_thread(library: Library) -> None:
    heard: list[tuple[str, int, int]] = []
    library.subscribe(lambda change: heard.append((change.kind, change.transcript_id, threading.get_ident())))
    tid = await library.save_job_transcript_async(_job("job-2"), spoken_tokens(50), {})
    again = await library.save_job_transcript_async(_job("job-2"), spoken_tokens(50), {"2": "Bo"})
    assert again == tid
    assert [(k, t) for k, t, _ in heard] == [("added", tid), ("updated", tid)]
    assert {thread for _, _, thread in heard} == {threading.get_ident()}
    assert library.speaker_names(tid) == {"2": "Bo"}


async def test_an_error_on_the_worker_reaches_the_awaiting_coroutine(library: Library) -> None:
    with pytest.raises(sqlite3.OperationalError):
        await library.worker.run(lambda conn: conn.execute("SELECT * FROM no_such_table"))
    assert await library.worker.run(lambda conn: conn.execute("SELECT 1").fetchone()[0]) == 1


async def test_close_lets_queued_work_finish_and_refuses_new_work(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib" / "library.sqlite3")
    save = asyncio.ensure_future(library.save_job_transcript_async(_job("job-3"), spoken_tokens(2000), {}))
    await asyncio.sleep(0)  # submitted to the worker
    library.close()
    tid = await save
    with pytest.raises(LibraryClosed):
        await library.load_async(tid)
    reopened = Library(tmp_path / "lib" / "library.sqlite3")
    try:
        assert reopened.info(tid) is not None and reopened.info(tid).token_count > 2000
    finally:
        reopened.close()


async def test_saving_and_opening_a_long_transcript_never_stalls_the_loop_like_the_sync_calls_do(
    library: Library,
) -> None:
    tokens = spoken_tokens(30_000, speakers=3)  # ~2.5 hours at 200 words a minute
    started = time.perf_counter()
    tid = library.save_job_transcript(_job("sync"), tokens, {})
    sync_save = time.perf_counter() - started
    save_stall = await _longest_stall(asyncio.ensure_future(library.save_job_transcript_async(_job("async"), tokens)))
    load_stall = await _longest_stall(asyncio.ensure_future(library.load_async(tid)))
    # Not a timing assertion on the machine's speed: the same work done inline blocks for its whole
    # length, while through the worker the loop keeps ticking (GIL hand-offs every few ms).
    assert save_stall < sync_save / 2, (save_stall, sync_save)
    assert load_stall < sync_save / 2, (load_stall, sync_save)
