"""How a length of audio reads, the same everywhere (jobs table, history rows, transcript windows,
the player's clock).

One rule, so one job never shows "1:59" in the jobs table and "01:58" in the history: round to
the nearest second (half up), ``M:SS`` under an hour and ``H:MM:SS`` from an hour on, minutes not
zero-padded (the way media players write it). Turn timestamps inside a transcript are positions
and keep their own ``hh:mm:ss`` (:func:`desktop.core.export.hms`).
"""

from __future__ import annotations


def whole_seconds(ms: int) -> int:
    """Milliseconds to the nearest second, halves up (Python's ``round`` would go to even)."""
    return (max(0, ms) + 500) // 1000


def clock_text(ms: int, *, hours: bool = False) -> str:
    """``M:SS``, or ``H:MM:SS`` when ``hours`` or the time reaches an hour (a clock shows 0:00)."""
    seconds = whole_seconds(ms)
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if hours or h else f"{m}:{s:02d}"


def duration_text(ms: int | None) -> str:
    """A length of audio for a list or a header; "" when it is unknown (None or 0)."""
    if not ms:
        return ""
    return clock_text(ms)
