"""The live autosave: batches on a timer, one transaction each, retries after a failed write."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core.library.autosave import MAX_BATCH, Autosave
from desktop.core.library.live_sink import LiveLibrarySink
from desktop.core.library.store import Library
from desktop.core.transcript import Token
from tests.library_helpers import spoken_tokens


class FakeTimers:
    """call_later that runs only when the test says time has passed."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pending: list[tuple[float, Callable[[], None], list[bool]]] = []

    def call_later(self, delay: float, callback: Callable[[], None]):  # noqa: ANN201
        cancelled = [False]
        self.pending.append((self.now + delay, callback, cancelled))

        class Handle:
            def cancel(self) -> None:
                cancelled[0] = True

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [p for p in self.pending if p[0] <= self.now]
        self.pending = [p for p in self.pending if p[0] > self.now]
        for _when, callback, cancelled in due:
            if not cancelled[0]:
                callback()


@pytest.fixture
def library(tmp_path: Path):  # noqa: ANN201
    lib = Library.open(tmp_path / "data")
    yield lib
    lib.close()


def _stored(library: Library, tid: int) -> int:
    return library.conn.execute("SELECT COUNT(*) FROM tokens WHERE transcript_id = ?", (tid,)).fetchone()[0]


def test_tokens_are_committed_within_the_interval_in_one_transaction_per_batch(library: Library) -> None:
    timers = FakeTimers()
    tid = library.begin_live(title="t", source_kind="microphone")
    autosave = Autosave(library, tid, interval_s=0.5, call_later=timers.call_later)
    commits: list[str] = []
    library.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip() == "COMMIT" else None)
    tokens = spoken_tokens(32)
    for i in range(0, 32, 4):  # a response every 0.125 s with 4 final words
        autosave.add(tokens[i : i + 4])
        timers.advance(0.125)
        # Nothing waits longer than the interval.
        assert autosave.pending <= 4 * 4
    # 1.0 s of responses: committed after 0.5 s and after 1.0 s.
    assert autosave.batches == 2 and len(commits) == 2
    assert _stored(library, tid) == 32 and autosave.pending == 0
    autosave.add([Token(" late", 9000, 9100, is_final=False)])  # non-final: never stored
    assert autosave.pending == 0


def test_a_big_batch_is_written_at_once(library: Library) -> None:
    timers = FakeTimers()
    tid = library.begin_live(title="t", source_kind="microphone")
    autosave = Autosave(library, tid, call_later=timers.call_later)
    autosave.add(spoken_tokens(MAX_BATCH + 5))
    assert _stored(library, tid) >= MAX_BATCH


def test_a_failed_write_keeps_the_tokens_and_retries(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    timers = FakeTimers()
    tid = library.begin_live(title="t", source_kind="microphone")
    errors: list[Exception] = []
    autosave = Autosave(library, tid, interval_s=0.5, call_later=timers.call_later, on_error=errors.append)
    real = library.append_tokens
    failing = [True]

    def flaky(tid_: int, tokens: list[Token]) -> int:
        if failing[0]:
            raise OSError("disk full")
        return real(tid_, tokens)

    monkeypatch.setattr(library, "append_tokens", flaky)
    autosave.add(spoken_tokens(5))
    timers.advance(0.5)
    timers.advance(0.5)
    assert autosave.pending == 5 and len(errors) == 1  # reported once, not per retry
    failing[0] = False
    timers.advance(0.5)
    assert autosave.pending == 0 and _stored(library, tid) == 5


def test_close_writes_the_rest_and_ignores_later_tokens(library: Library) -> None:
    timers = FakeTimers()
    tid = library.begin_live(title="t", source_kind="microphone")
    autosave = Autosave(library, tid, call_later=timers.call_later)
    autosave.add(spoken_tokens(4))
    assert autosave.close()
    autosave.add(spoken_tokens(4))
    assert _stored(library, tid) == 4
    assert all(cancelled[0] for _when, _cb, cancelled in timers.pending)


def test_the_sink_runs_on_the_asyncio_loop_and_ends_the_session(library: Library) -> None:
    async def scenario() -> None:
        sink = LiveLibrarySink(library, title="Mic", source_kind="microphone", interval_s=0.05)
        sink.add_finals(spoken_tokens(6))
        assert _stored(library, sink.transcript_id) == 0
        for _ in range(100):
            await asyncio.sleep(0.01)
            if _stored(library, sink.transcript_id) == 6:
                break
        assert _stored(library, sink.transcript_id) == 6
        sink.add_finals(spoken_tokens(2, start_ms=5000))
        sink.rename_speaker("1", "Ana")
        sink.finish("finished")
        info = library.info(sink.transcript_id)
        assert info.status == "complete" and info.token_count == 8 and info.speaker_names == {"1": "Ana"}

    asyncio.run(scenario())
