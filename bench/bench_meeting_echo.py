"""Meetings on loudspeakers: how many of the other side's words come back as "You".

A tone-speech meeting (``tests/meeting_audio.py``: You and two remote speakers taking turns, You
sometimes talking over them, both sides drawing on the same words) is played through two paced
sources: the microphone hears You plus the system audio attenuated by ``echo_db`` and delayed by
``delay_ms`` (plus -70 dBFS room noise); the system audio is the far end. Each source goes
through the app's LiveRun (LiveSession, the official SDK) to the emulator in acoustic mode, which
transcribes the words each stream really carries, once without and once with
``desktop.audio.echo.cancel_echo``. ``EchoGuard`` is then applied to the final words in time
order, as the meeting merger does. Reported per scenario:

* duplicates: You words that are Others' words heard back, as a share of the words Others said,
  raw / AEC only / guard only / AEC + guard (goal: < 2 % with both);
* You kept: the words You said that the You transcript has (after AEC + guard);
* "skew": guard only, with the two sessions' clocks 0.7 s apart (the shared clock misjudged), where
  only runs of echoed words count (its first word in each run gets through).

Caveat: the emulator hears an untreated echo as exact words at exact times, which is the guard's
best case; a real recogniser garbles part of an echo, so "guard only" is optimistic. AEC3 works
on the audio and is measured as it is.

The sources run on a shared clock sped up ``SPEED`` times (the canceller reads the same clock),
so 90 s meetings take ~12 s each; arrival-time jitter is multiplied by the speed-up too, which
makes this harsher on alignment than real time, not kinder.

Run: ``python -m bench.bench_meeting_echo``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.fake_soniox import FakeSoniox
from tests.meeting_audio import meeting_tracks
from tests.meeting_echo import RunResult, Word, apply_guard, run_meeting, score

SPEED = 8.0
SECONDS = 90.0
SCENARIOS = [  # (echo attenuation dB, delay ms, seed)
    (12.0, 30.0, 1),
    (15.0, 60.0, 2),
    (18.0, 120.0, 3),
    (22.0, 200.0, 4),
    (25.0, 80.0, 5),
]


SKEW_MS = 700


def skewed(result: RunResult, skew_ms: int) -> RunResult:
    """The same words with the You session's clock off by ``skew_ms``."""
    you = [Word(w.text, w.start_ms + skew_ms, w.end_ms + skew_ms) for w in result.you]
    return RunResult(you=you, others=result.others)


def unskewed(words: list[Word], skew_ms: int) -> list[Word]:
    return [Word(w.text, w.start_ms - skew_ms, w.end_ms - skew_ms) for w in words]


def pct(x: float) -> str:
    return f"{100 * x:5.1f} %"


async def main() -> int:
    print(f"meeting: {SECONDS:.0f} s of tone speech per scenario, shared clock x{SPEED:g}\n")
    columns = " ".join(f"{name:>7}" for name in ("raw", "AEC", "guard", "both", "skew"))
    header = f"{'echo':>6} {'delay':>6} | {'Others':>6} | {columns} | You kept"
    print(header)
    print("-" * len(header))
    totals = [0, 0, 0, 0, 0, 0]
    kept = said = 0
    started = time.perf_counter()
    with FakeSoniox() as emulator:
        for echo_db, delay_ms, seed in SCENARIOS:
            meeting = meeting_tracks(seed, seconds=SECONDS, echo_db=echo_db, echo_delay_ms=delay_ms, shared_words=True)
            raw = await run_meeting(emulator, meeting, aec=False, speed=SPEED)
            aec = await run_meeting(emulator, meeting, aec=True, speed=SPEED)
            scores = [
                score(meeting, raw.you, raw.others, delay_ms),
                score(meeting, aec.you, aec.others, delay_ms),
                score(meeting, apply_guard(raw), raw.others, delay_ms),
                score(meeting, apply_guard(aec), aec.others, delay_ms),
                score(meeting, unskewed(apply_guard(skewed(raw, SKEW_MS)), SKEW_MS), raw.others, delay_ms),
            ]
            both = scores[3]
            print(
                f"{echo_db:>4.0f}dB {delay_ms:>4.0f}ms | {both.others_said:>6} | "
                + " ".join(pct(s.duplicate_share) for s in scores)
                + f" | {both.you_kept}/{both.you_said} (skew: {scores[4].you_kept})"
            )
            totals[0] += both.others_said
            for i, s in enumerate(scores):
                totals[i + 1] += s.duplicates
            kept += both.you_kept
            said += both.you_said
    print("-" * len(header))
    n = totals[0]
    print(
        f"{'all':>13} | {n:>6} | "
        + " ".join(pct(d / n) for d in totals[1:])
        + f" | {kept}/{said} ({pct(kept / said).strip()})"
    )
    elapsed = time.perf_counter() - started
    print(f"\n(duplicates as a share of Others' words; goal with AEC + guard < 2 %; {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
