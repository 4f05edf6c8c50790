"""Cost of one caption-overlay update: per realtime response, rebuild the last lines and repaint.

A two-way-translated session is replayed into a Transcript (two speakers taking turns, every
original word followed later by its translation, a provisional tail in every response), with the
overlay showing 3 lines and the translation. Per response the bench times what the app does:
``caption_lines`` on the transcript, ``CaptionOverlay.show_lines`` and a forced synchronous
repaint (``repaint()``), which is where Qt lays out and draws the rich-text labels. The goal is at
most one frame (16 ms at p99). The transcript grows to ~20,000 tokens to show the cost does not
grow with it.

Run: ``python -m bench.bench_captions`` (offscreen Qt).
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from desktop.core.captions.lines import caption_lines
from desktop.core.captions.prefs import CaptionPrefs
from desktop.core.transcript import Transcript
from desktop.ui.captions.overlay import CaptionOverlay

WORDS = [
    "so",
    "the",
    "plan",
    "is",
    "to",
    "ship",
    "the",
    "beta",
    "next",
    "week",
    "and",
    "then",
    "collect",
    "feedback",
    "from",
    "the",
    "pilot",
    "users",
]
RESPONSES = 6000


def responses() -> list[list[dict[str, object]]]:
    out: list[list[dict[str, object]]] = []
    t = 0
    for i in range(RESPONSES):
        speaker = str(i // 40 % 2 + 1)
        word = WORDS[i % len(WORDS)]
        final = {"text": f" {word}", "is_final": True, "start_ms": t, "end_ms": t + 250, "speaker": speaker}
        final |= {"language": "en", "translation_status": "original"}
        tail = {"text": f" {WORDS[(i + 1) % len(WORDS)]}", "is_final": False, "start_ms": t + 300, "end_ms": t + 500}
        tail |= {"speaker": speaker, "language": "en", "translation_status": "original"}
        batch = [final]
        if i % 4 == 3:  # translations arrive a few words late
            batch.append({"text": " besede", "is_final": True, "speaker": speaker, "language": "sl"})
            batch[-1]["translation_status"] = "translation"
        batch.append(tail)
        out.append(batch)
        t += 300
    return out


def main() -> None:
    app = QApplication.instance() or QApplication([])
    prefs = CaptionPrefs(lines=3, font_pt=28)
    overlay = CaptionOverlay(prefs)
    overlay.resize(1100, 260)
    overlay.show()
    app.processEvents()
    transcript = Transcript()
    costs: list[float] = []
    for batch in responses():
        transcript.apply(batch)
        started = time.perf_counter()
        overlay.show_lines(caption_lines(transcript, max_lines=3, max_chars=56))
        overlay.repaint()
        costs.append((time.perf_counter() - started) * 1000)
    costs.sort()
    pick = lambda q: costs[min(len(costs) - 1, int(q * len(costs)))]  # noqa: E731
    print(f"Caption overlay update, 3 lines + translation, {len(costs)} responses, {len(transcript)} tokens at the end")
    print(f"  p50 {pick(0.5):.2f} ms   p95 {pick(0.95):.2f} ms   p99 {pick(0.99):.2f} ms   max {costs[-1]:.2f} ms")
    first, last = costs[: len(costs) // 10], costs[-len(costs) // 10 :]
    print(
        f"  mean of the first tenth {statistics.mean(first):.2f} ms, of the last tenth {statistics.mean(last):.2f} ms"
    )


if __name__ == "__main__":
    main()
