"""How jobs and files read in the tables: short, locale-independent, computed once per row."""

from __future__ import annotations

from datetime import datetime, timezone

STATUS_TEXT = {
    "queued": "Queued",
    "processing": "Processing",
    "completed": "Completed",
    "error": "Failed",
}


def created_text(when: datetime | None) -> str:
    """Local time, to the minute; the full timestamp is in the tooltip."""
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"
