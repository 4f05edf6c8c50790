"""How long the UI thread waits on the library while a 3-hour transcript is saved and opened.

The app's widgets and its asyncio loop share one thread; whatever the library does there, the
window cannot paint. This runs the real :class:`Library` on a plain asyncio loop with a 1 ms
ticker task and reports the longest gap between ticks (the longest the UI would have been frozen)
for each way of doing the work:

* **inline**: ``save_job_transcript`` / ``load`` called on the loop thread (what the app did);
* **worker**: ``save_job_transcript_async`` / ``load_async`` (what it does now), which build and
  write on the library's worker thread and hand the result back to the loop.

Goal: the worker rows stay under 16 ms (one frame at 60 Hz). Median of 5 runs each.
Run: ``python -m bench.bench_library_ui``.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from desktop.core.library.store import Library
from desktop.core.transcript import Token

HOURS = 3
WORDS_PER_MINUTE = 150
RUNS = 5


def three_hour_tokens(seed: int = 0) -> list[Token]:
    """~27,000 words, a fifth of them as two sub-word tokens, a speaker turn every ~14 words."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    tokens: list[Token] = []
    t = 0
    for i in range(HOURS * 60 * WORDS_PER_MINUTE):
        speaker = str(i // 14 % 3 + 1)
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))
        parts = [" " + word] if rng.random() > 0.2 else [" " + word[:2], word[2:] or "s"]
        for part in parts:
            tokens.append(Token(part, t, t + 180, 0.9, True, speaker, "en"))
            t += 200
        if i % 14 == 13:
            tokens.append(Token("<end>", None, None, None, True, speaker, None))
    return tokens


async def longest_stall(work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """(longest gap between 1 ms ticks, total time) while ``work`` runs, in milliseconds."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.01)
    gaps.clear()
    started = time.perf_counter()
    await work()
    total = time.perf_counter() - started
    # Keep watching a little after: a garbage collection postponed by the work would show here.
    await asyncio.sleep(0.2)
    done.set()
    await tick
    return max(gaps, default=0.0) * 1000, total * 1000


async def measure(folder: Path) -> dict[str, list[tuple[float, float]]]:
    tokens = three_hour_tokens()
    names = ("save inline", "save worker", "open inline", "open worker")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for run in range(RUNS):
        library = Library(folder / f"run{run}" / "library.sqlite3")
        try:

            async def save_inline(run: int = run, library: Library = library) -> int:
                return library.save_job_transcript(_job(f"inline-{run}"), tokens, {"1": "Ana"})

            async def save_worker(run: int = run, library: Library = library) -> int:
                return await library.save_job_transcript_async(_job(f"worker-{run}"), tokens, {"1": "Ana"})

            results["save inline"].append(await longest_stall(save_inline))
            results["save worker"].append(await longest_stall(save_worker))
            tid = library.job_transcript_id(f"worker-{run}")
            assert tid is not None

            async def open_inline(tid: int = tid, library: Library = library) -> Any:
                return library.load(tid)

            async def open_worker(tid: int = tid, library: Library = library) -> Any:
                return await library.load_async(tid)

            results["open inline"].append(await longest_stall(open_inline))
            results["open worker"].append(await longest_stall(open_worker))
        finally:
            library.close()
    return results


def _job(job_id: str) -> SimpleNamespace:
    return SimpleNamespace(id=job_id, filename="meeting.mp3", audio_url=None, audio_duration_ms=0, created_at=0.0)


def main() -> None:
    tokens = len(three_hour_tokens())
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(measure(Path(tmp)))
    print(f"A {HOURS}-hour job transcript ({tokens:,} tokens), median of {RUNS} runs:")
    print(f"{'':14} {'UI thread blocked (longest)':>28} {'time to finish':>16}")
    for name, runs in results.items():
        stall = statistics.median(s for s, _ in runs)
        total = statistics.median(t for _, t in runs)
        print(f"{name:14} {stall:>25.1f} ms {total:>13.0f} ms")
    worst = max(max(s for s, _ in results[k]) for k in ("save worker", "open worker"))
    print(f"worst worker stall over all runs: {worst:.1f} ms (goal <= 16 ms)")


if __name__ == "__main__":
    main()
