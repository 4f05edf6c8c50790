"""The few newest library entries, as the tray's "Recent transcripts" menu lists them.

The History panel lists every transcript newest first (:meth:`Library.list_transcripts`); the
tray shows the head of that same list, so what is "recent" never differs between the two. Titles
repeat ("Microphone" for every live session from the microphone), so each entry also carries its
time and its first words: enough to tell five entries apart in a menu without opening them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from desktop.core.library.edits import is_word
from desktop.core.library.records import ACTIVE
from desktop.core.library.rows import TOKEN_COLUMNS, row_to_token
from desktop.core.library.store import Library

RECENT_COUNT = 5
PREVIEW_TOKENS = 40
PREVIEW_CHARS = 36
TITLE_CHARS = 40


@dataclass(frozen=True)
class RecentTranscript:
    """One menu entry: which transcript it opens and what the menu says about it."""

    id: int
    title: str
    created_at: float
    active: bool
    preview: str

    def menu_text(self, now: float | None = None) -> str:
        """``title · when — “first words…”`` in one short line (no Qt mnemonics applied)."""
        text = f"{_clip(self.title, TITLE_CHARS)} · {when_text(self.created_at, now)}"
        if self.active:
            text += " · recording now"
        if self.preview:
            text += f" — “{self.preview}”"
        return text


def recent_transcripts(library: Library, count: int = RECENT_COUNT) -> list[RecentTranscript]:
    """The ``count`` newest transcripts (live sessions, jobs, dictations), newest first."""
    return [
        RecentTranscript(
            id=info.id,
            title=info.title,
            created_at=info.created_at,
            active=info.status == ACTIVE,
            preview=first_words(library, info.id),
        )
        for info in library.list_transcripts(limit=count)
    ]


def first_words(library: Library, tid: int, chars: int = PREVIEW_CHARS) -> str:
    """The start of the spoken text (markers and translations left out), cut at a word."""
    rows = library.conn.execute(
        f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE transcript_id = ? ORDER BY seq LIMIT ?", (tid, PREVIEW_TOKENS)
    ).fetchall()
    tokens = [row_to_token(r) for r in rows]
    text = " ".join("".join(t.text for t in tokens if is_word(t)).split())
    return _clip(text, chars)


def _clip(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    cut = text[:chars].rsplit(" ", 1)[0] if " " in text[:chars] else text[:chars]
    return cut.rstrip(" ,.;:") + "…"


def when_text(epoch_s: float, now: float | None = None) -> str:
    """Today "14:05", yesterday "yesterday 14:05", this year "3 Dec 14:05", else "3 Dec 2025"."""
    when = datetime.fromtimestamp(epoch_s)
    today = datetime.fromtimestamp(time.time() if now is None else now).date()
    clock = when.strftime("%H:%M")
    days = (today - when.date()).days
    if days == 0:
        return clock
    if days == 1:
        return f"yesterday {clock}"
    month = _MONTHS[when.month - 1]
    if when.year == today.year:
        return f"{when.day} {month} {clock}"
    return f"{when.day} {month} {when.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
