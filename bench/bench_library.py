"""The local library at scale: 1,000 synthetic hour-long transcripts.

Measures what the issue asks for, on the real code paths:

* **database size per hour** of transcript (tokens, search passages and FTS index, WAL included);
* **full-text query time** over the 1,000 hours: a first page of results (what the history shows
  while the user types), for rare, medium and very common words, a two-word query, a phrase,
  and every keystroke of typing a word (prefix queries);
* **write cost of the live autosave** per second of speech: final tokens arriving as the
  emulator sends them (a response every 120 ms, ~2.6 words/s), committed by the real
  :class:`Autosave` every 0.5 s into the full library — milliseconds of the app's thread and
  bytes written per second of speech;
* **time to open a 3-hour transcript**: reading it from the library (tokens, corrections, names,
  the transcript model), drawing it in the transcript window, and the word map for playback;
* the **recording**: Opus encoding cost and size per hour of speech-like audio.

Run: ``python -m bench.bench_library`` (about two minutes; needs ~2 GB in the temp folder).
``--hours N`` builds a smaller library for a quick look.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

from desktop.core.library.autosave import Autosave
from desktop.core.library.search import LibrarySearch
from desktop.core.library.store import Library
from desktop.core.transcript import Token

WORDS_PER_HOUR = 9_000  # 150 words a minute
SUBWORD_SHARE = 0.2  # words the recogniser sends as two tokens
WORDS_PER_UTTERANCE = 14
VOCABULARY = 30_000
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["qu", "th", "sh", "ch", "st"]


def vocabulary(rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        n = int(rng.integers(1, 4))
        words.add("".join(_SYLLABLES[int(i)] for i in rng.integers(0, len(_SYLLABLES), n)))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def zipf_probabilities() -> np.ndarray:
    p = 1.0 / np.arange(1, VOCABULARY + 1) ** 1.07
    return p / p.sum()


def hour_tokens(rng: np.random.Generator, vocab: list[str], p: np.ndarray, *, hours: float = 1.0) -> list[Token]:
    """One hour of final tokens: three speakers, endpoints, some words split in two tokens."""
    n = int(WORDS_PER_HOUR * hours)
    ranks = rng.choice(VOCABULARY, size=n, p=p)
    split = rng.random(n) < SUBWORD_SHARE
    tokens: list[Token] = []
    t = 0
    speaker = "1"
    step = 3_600_000 * hours / n
    for i in range(n):
        word = vocab[int(ranks[i])]
        start = int(t)
        end = int(t + step * 0.8)
        if split[i] and len(word) > 3:
            half = len(word) // 2
            mid = (start + end) // 2
            tokens.append(Token(" " + word[:half], start, mid, 0.91, True, speaker, "en"))
            tokens.append(Token(word[half:], mid, end, 0.88, True, speaker, "en"))
        else:
            tokens.append(Token(" " + word, start, end, 0.93, True, speaker, "en"))
        t += step
        if i % WORDS_PER_UTTERANCE == WORDS_PER_UTTERANCE - 1:
            tokens.append(Token("<end>", None, None, None, True, speaker, None))
            if rng.random() < 0.3:
                speaker = str(int(rng.integers(1, 4)))
    return tokens


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(median ms, max ms, last result) of ``repeat`` calls."""
    times = []
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def build(library: Library, hours: int, rng: np.random.Generator, vocab: list[str], p: np.ndarray) -> float:
    started = time.perf_counter()
    for h in range(hours):
        tid = library.begin_live(title=f"Meeting {h + 1}", source_kind="microphone", started_at=1.7e9 + h * 86_400)
        library.append_tokens(tid, hour_tokens(rng, vocab, p))
        library.finish_live(tid, duration_ms=3_600_000)
        if (h + 1) % 100 == 0:
            print(f"  built {h + 1} hours ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def bench_size(library: Library, hours: int) -> None:
    total = library.size_bytes()
    print(f"\nDatabase size: {total / 1e6:,.0f} MB for {hours:,} hours -> {total / hours / 1e6:.2f} MB per hour")
    try:
        rows = library.conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC"
        ).fetchall()
    except Exception:
        return
    groups: dict[str, int] = {}
    for name, size in rows:
        key = "search index (FTS5)" if name.startswith("chunks_fts") else name
        key = "search passages" if name in ("chunks",) else key
        groups[key] = groups.get(key, 0) + size
    for name, size in sorted(groups.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {name:<28} {size / hours / 1e6:6.2f} MB/hour")


def bench_check(library: Library) -> None:
    """What ``PRAGMA quick_check`` costs: it decides what may run at open (on the UI thread)."""
    from desktop.core.library.health import check_file
    from desktop.core.library.store import CHECK_AT_OPEN_MAX_BYTES

    size = library.size_bytes()
    first_ms, _, _ = timed(lambda: check_file(library.path), 1)  # likely partly from disk
    warm_ms, _, result = timed(lambda: check_file(library.path), 3)
    per_mb = warm_ms / (size / 1e6)
    limit_mb = CHECK_AT_OPEN_MAX_BYTES / 1e6
    print(f"\nIntegrity check (quick_check) of {size / 1e6:,.0f} MB: {'sound' if result is None else result}")
    print(f"  first run {first_ms:,.0f} ms, warm {warm_ms:,.0f} ms -> {per_mb:.1f} ms per MB")
    at_open = per_mb * limit_mb
    print(f"  at open only up to {limit_mb:.0f} MB: about {at_open:.0f} ms warm; larger files in the background")


def bench_search(library: Library, vocab: list[str], hours: int) -> None:
    search = LibrarySearch(library.path)
    queries = {
        "rare word (rank 25,000)": vocab[25_000] + " ",
        "medium word (rank 2,000)": vocab[2_000] + " ",
        "common word (rank 50)": vocab[50] + " ",
        "most common word": vocab[0] + " ",
        "two words": f"{vocab[300]} {vocab[1_500]} ",
        "phrase": f'"{vocab[0]} {vocab[1]}"',
    }
    print(f"\nFull-text search over {hours:,} hour-long transcripts (first page of 40 results, with snippets)")
    print(f"  {'query':<28}{'median ms':>10}{'max ms':>9}{'results':>9}{'hits in 1st':>13}")
    for label, query in queries.items():
        search.search(query)  # warm the page cache as a typing user does with the first letters
        median, worst, page = timed(lambda q=query: search.search(q, limit=40), 7)
        first = page.results[0].hit_count if page.results else 0
        more = "+" if page.next_cursor is not None else ""
        print(f"  {label:<28}{median:>10.1f}{worst:>9.1f}{len(page.results):>8}{more:1}{first:>13}")
    word = vocab[2_000]
    print(f"  typing “{word}” letter by letter (each keystroke a query):")
    cells = []
    for i in range(1, len(word) + 1):
        median, worst, page = timed(lambda q=word[:i]: search.search(q, limit=40), 5)
        cells.append(f"{word[:i]!r} {median:.1f}/{worst:.1f} ms")
    print("    " + ", ".join(cells))
    search.close()


def bench_autosave(library: Library, vocab: list[str], p: np.ndarray, rng: np.random.Generator) -> None:
    """Ten minutes of speech through the real Autosave, with a virtual clock."""
    minutes = 10
    tokens = hour_tokens(rng, vocab, p, hours=minutes / 60)
    pending: list[tuple[float, Callable[[], None]]] = []
    now = [0.0]

    def call_later(delay: float, callback: Callable[[], None]):  # noqa: ANN202
        entry = (now[0] + delay, callback)
        pending.append(entry)

        class Handle:
            def cancel(self) -> None:
                if entry in pending:
                    pending.remove(entry)

        return Handle()

    tid = library.begin_live(title="Autosave bench", source_kind="microphone")
    autosave = Autosave(library, tid, call_later=call_later)
    spent = 0.0
    before = library.size_bytes()
    wal = Path(str(library.path) + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    per_response = len(tokens) / (minutes * 60 / 0.12)
    i = 0.0
    batches = []
    while int(i) < len(tokens) or pending:
        now[0] += 0.12
        chunk = tokens[int(i) : int(i + per_response)]
        i += per_response
        started = time.perf_counter()
        if chunk:
            autosave.add(chunk)
        for entry in [e for e in pending if e[0] <= now[0]]:
            pending.remove(entry)
            t0 = time.perf_counter()
            entry[1]()
            batches.append((time.perf_counter() - t0) * 1000)
        spent += time.perf_counter() - started
    autosave.close()
    library.finish_live(tid)
    seconds = minutes * 60
    wal_after = wal.stat().st_size if wal.exists() else 0
    library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    grown = library.size_bytes() - before
    rate = len(tokens) / seconds
    print(f"\nLive autosave (into the {library.count() - 1:,}-hour library, {rate:.1f} tokens/s)")
    print(f"  batches: {len(batches)} in {seconds} s of speech (one transaction each, <= 0.5 s apart)")
    print(f"  per batch: median {statistics.median(batches):.2f} ms, max {max(batches):.2f} ms")
    print(f"  cost per second of speech: {spent * 1000 / seconds:.2f} ms of the app's thread")
    appended = (wal_after - wal_before) / seconds / 1000
    print(
        f"  written per second of speech: {appended:.1f} kB appended to the WAL (whole pages per commit); "
        f"the database grows by {grown / seconds / 1000:.2f} kB"
    )


def bench_open(library: Library, vocab: list[str], p: np.ndarray, rng: np.random.Generator) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.library.transcript_window import LibraryTranscriptWindow
    from desktop.ui.library.word_map import WordMap

    app = QApplication.instance() or QApplication([])
    tid = library.begin_live(title="Three hours", source_kind="microphone")
    tokens = hour_tokens(rng, vocab, p, hours=3)
    library.append_tokens(tid, tokens)
    library.finish_live(tid)
    library.edit(tid, 10, 10, "corrected")
    read_ms, _, loaded = timed(lambda: library.load(tid), 3)
    started = time.perf_counter()
    window = LibraryTranscriptWindow(library, tid)
    window.resize(900, 700)
    window.show()
    app.processEvents()
    open_ms = (time.perf_counter() - started) * 1000
    map_ms, _, _ = timed(lambda: WordMap.build(window.view.document(), window.view.transcript), 3)
    lookup_ms, _, _ = timed(lambda: [window.word_map.at_time(t) for t in range(0, 10_800_000, 10_800)], 3)
    print(f"\nOpening a 3-hour transcript ({len(tokens):,} tokens)")
    print(f"  read from the library (tokens, corrections, names, model): {read_ms:.0f} ms")
    print(f"  whole window until shown (read + draw + word map): {open_ms:.0f} ms")
    print(f"  word map alone: {map_ms:.1f} ms; 1,000 time->word lookups: {lookup_ms:.1f} ms")
    window.close()
    del loaded


def bench_recording() -> None:
    import soundfile

    from desktop.audio.recording import StreamRecorder
    from desktop.core.audio_source import PCM16_MONO_16K

    rate = 16000
    t = np.arange(rate * 60) / rate
    rng = np.random.default_rng(3)
    voice = 0.3 * np.sin(2 * np.pi * 140 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) + 0.02 * rng.standard_normal(
        t.size
    )
    pcm = (voice * 32767).astype("<i2").tobytes()
    folder = Path(tempfile.mkdtemp(prefix="bench-rec-"))
    recorder = StreamRecorder(PCM16_MONO_16K, lambda ext: folder / f"r.{ext}")
    started = time.perf_counter()
    for i in range(0, len(pcm), 3200):
        recorder.write(pcm[i : i + 3200])
    queued = time.perf_counter() - started
    recorder.close()
    total = time.perf_counter() - started
    size = recorder.path.stat().st_size
    info = soundfile.info(str(recorder.path))
    print("\nRecording (Ogg Opus, 16 kHz mono, speech-like signal)")
    print(f"  {size * 8 / 60 / 1000:.1f} kbit/s -> {size * 60 / 1e6:.1f} MB per hour (raw PCM: 115 MB)")
    print(
        f"  encoding: {total * 1000 / 60:.1f} ms per second of audio on the writer thread; "
        f"{queued * 1000 / 60:.2f} ms/s on the session's thread; {info.duration:.1f} s read back"
    )
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=int, default=1000)
    parser.add_argument("--keep", help="build the library in this folder and keep it")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-library-"))
    rng = np.random.default_rng(12345)
    vocab = vocabulary(rng)
    p = zipf_probabilities()
    library = Library(folder / "library.sqlite3")
    try:
        if library.count() < args.hours:
            print(
                f"Building {args.hours:,} hour-long transcripts ({WORDS_PER_HOUR:,} words each)…",
                file=sys.stderr,
            )
            built = build(library, args.hours - library.count(), rng, vocab, p)
            print(
                f"Built {args.hours:,} hours in {built:.0f} s ({built / args.hours * 1000:.0f} ms per hour, "
                "through Library.append_tokens)"
            )
        bench_size(library, args.hours)
        bench_check(library)
        bench_search(library, vocab, args.hours)
        bench_autosave(library, vocab, p, rng)
        bench_open(library, vocab, p, rng)
        bench_recording()
    finally:
        library.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
