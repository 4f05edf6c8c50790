"""Cost of one realtime response in the transcript view, after 1,000 and after 100,000 final tokens.

Measures "apply the response to the model + draw it + repaint the viewport" for our incremental
view, and the same for a naive view that re-renders the whole transcript each time (setHtml and
setPlainText of everything). Ours should stay flat (ratio 100k/1k close to 1); the naive ones
grow with the transcript. Run offscreen: ``python -m bench.bench_transcript_view``.
"""

from __future__ import annotations

import html
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QTextEdit, QWidget

from desktop.core.transcript import Token, Transcript
from desktop.ui.transcript import TranscriptView

WORDS = [
    "so",
    "the",
    "plan",
    "for",
    "next",
    "quarter",
    "is",
    "to",
    "ship",
    "the",
    "desktop",
    "app",
    "and",
    "then",
    "look",
    "at",
    "the",
    "numbers",
    "again",
]
SIZES = (1_000, 100_000)


def word(i: int, final: bool) -> Token:
    at = i * 300
    speaker = str(1 + (i // 60) % 3)
    return Token(" " + WORDS[i % len(WORDS)], at, at + 250, 0.93, final, speaker, "en", None, None)


def history(n: int) -> list[Token]:
    """``n`` final tokens: three speakers taking turns, an endpoint every 25 tokens."""
    return [Token("<end>", i * 300, i * 300) if i % 25 == 24 else word(i, True) for i in range(n)]


def response(i: int) -> list[Token]:
    """A typical response: two new final words and a three-word provisional tail."""
    tokens = [word(i, True), word(i + 1, True)]
    if i % 50 == 0:
        tokens.append(Token("<end>", i * 300 + 550, i * 300 + 550))
    return [*tokens, word(i + 2, False), word(i + 3, False), word(i + 4, False)]


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def interleaved(reps: int, steps: list[Callable[[int], None]]) -> list[float]:
    """Median ms per step function, run in alternation so machine load hits them all alike."""
    samples: list[list[float]] = [[] for _ in steps]
    for r in range(reps):
        for i, step in enumerate(steps):
            began = time.perf_counter()
            step(r)
            samples[i].append(time.perf_counter() - began)
    return [statistics.median(s) * 1000 for s in samples]


def incremental_step(app: QApplication, n: int) -> tuple[Callable[[int], None], QWidget]:
    transcript = Transcript.from_tokens(history(n))
    view = TranscriptView()
    view.resize(900, 600)
    view.show()
    view.set_transcript(transcript)
    settle(app)
    for w in range(10):  # warm up: layout of the end of the document, caches
        view.apply_delta(transcript.apply(response(n + w * 2)))
        view.editor.viewport().repaint()

    def step(r: int) -> None:
        view.apply_delta(transcript.apply(response(n + 20 + r * 2)))
        view.editor.viewport().repaint()

    return step, view


def naive_html(transcript: Transcript) -> str:
    colors = {"1": "#1f5fa8", "2": "#a8471f", "3": "#2e7d32"}
    parts = []
    for seg in transcript.segments():
        if seg.turn_start:
            color = colors.get(seg.speaker or "", "#555")
            label = html.escape(transcript.speaker_label(seg.speaker))
            parts.append(f'<p><b style="color:{color}">{label}</b></p>')
        parts.append(f"<p>{html.escape(seg.text)}{' ⏎' if seg.ended else ''}</p>")
    tail = "".join(t.text for t in transcript.tail_tokens)
    parts.append(f'<p><i style="color:#888">{html.escape(tail)}</i></p>')
    return "".join(parts)


def naive_step(app: QApplication, n: int, *, rich: bool) -> tuple[Callable[[int], None], QWidget]:
    transcript = Transcript.from_tokens(history(n))
    edit = QTextEdit()
    edit.setReadOnly(True)
    edit.resize(900, 600)
    edit.show()
    settle(app)

    def step(r: int) -> None:
        transcript.apply(response(n + r * 2))
        if rich:
            edit.setHtml(naive_html(transcript))
        else:
            edit.setPlainText(transcript.text(include_tail=True))
        edit.verticalScrollBar().setValue(edit.verticalScrollBar().maximum())
        edit.viewport().repaint()

    return step, edit


Step = Callable[[int], None]


def run(app: QApplication, reps: int, make: Callable[[int], tuple[Step, QWidget]]) -> list[float]:
    built = [make(n) for n in SIZES]
    result = interleaved(reps, [step for step, _widget in built])
    for _step, widget in built:
        widget.close()
        widget.deleteLater()
    settle(app)
    return result


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    print("Per-response cost (model apply + draw + viewport repaint), median in ms", flush=True)
    rows = [
        ("incremental TranscriptView", run(app, 300, lambda n: incremental_step(app, n))),
        ("naive setPlainText(all)", run(app, 7, lambda n: naive_step(app, n, rich=False))),
        ("naive setHtml(all)", run(app, 7, lambda n: naive_step(app, n, rich=True))),
    ]
    header = f"{'view':<28}{'1k tokens':>12}{'100k tokens':>14}{'ratio':>9}"
    print(header)
    print("-" * len(header))
    for name, (small, large) in rows:
        print(f"{name:<28}{small:>10.3f}ms{large:>12.3f}ms{large / small:>8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
