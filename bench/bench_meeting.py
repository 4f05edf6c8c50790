"""Merging a meeting's two sides: the cost per response over a two-hour meeting.

Both sides of a meeting respond every ~120 ms; each response goes through the merger and the
merged transcript. This feeds two hours of words (both sides talking in turns, provisional tails
of a few words, progress on each response) and reports the time per response at the start and at
the end, which must stay flat (no work proportional to the meeting's length), and the memory the
held words take at most.
"""

from __future__ import annotations

import time

from desktop.core.meeting.merger import MeetingMerger, Side
from desktop.core.tokens import Token
from desktop.core.transcript import Transcript

RESPONSE_MS = 120
WORD_MS = 360
TURN_S = 20
HOURS = 2.0
LAG_MS = {Side.YOU: 800, Side.OTHERS: 1600}


def main() -> None:
    merger, transcript = MeetingMerger(), Transcript()
    merger.set_offset(Side.YOU, 0)
    merger.set_offset(Side.OTHERS, 150)
    total_ms = int(HOURS * 3600 * 1000)
    timings: list[float] = []
    max_held = 0
    next_word = {Side.YOU: 0, Side.OTHERS: 0}
    for now in range(0, total_ms, RESPONSE_MS):
        speaking = Side.YOU if (now // (TURN_S * 1000)) % 2 == 0 else Side.OTHERS
        started = time.perf_counter()
        for side in Side:
            finals: list[Token] = []
            final_upto = now - LAG_MS[side]  # finals lag the audio, one side more than the other
            while next_word[side] + WORD_MS <= final_upto:
                start = next_word[side]
                next_word[side] += WORD_MS
                if side is speaking:
                    finals.append(Token(text=" word", start_ms=start, end_ms=start + 300, speaker="1"))
            tail = [
                Token(text=" maybe", start_ms=final_upto + i * WORD_MS, end_ms=final_upto + i * WORD_MS + 300,
                      is_final=False, speaker="1")
                for i in range(3)
            ] if side is speaking else []  # fmt: skip
            merger.add_finals(side, finals)
            merger.set_tail(side, tail)
            merger.advance(side, max(0, final_upto))
        transcript.apply(merger.take().tokens)
        timings.append(time.perf_counter() - started)
        max_held = max(max_held, merger.held)
    n = len(timings)
    first = sorted(timings[: n // 20])
    last = sorted(timings[-n // 20 :])
    print(f"{n} merged responses over {HOURS:.0f} h, {len(transcript.final_tokens)} final words")
    for name, part in (("first 5 %", first), ("last 5 % ", last)):
        median, p99 = part[len(part) // 2] * 1e6, part[int(len(part) * 0.99)] * 1e6
        print(f"per response, {name}: median {median:.0f} µs, p99 {p99:.0f} µs")
    print(f"most final words held back at once: {max_held}")


if __name__ == "__main__":
    main()
