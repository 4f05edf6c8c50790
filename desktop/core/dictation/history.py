"""Every dictation is kept in the library, searchable like a live session.

A dictation is a short live transcript, so it is stored as one (``kind`` 'live') with its own
``source_kind`` 'dictation' and the target app as ``source_label``; the title says where the words
went ("Dictation → Firefox"). That needs no schema change: the history lists it, search finds its
words and its title, and the transcript window opens it like any other entry.

One session may serve many dictations (it is kept open between them), so the rows are written
here per utterance rather than by the run's own library sink.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from desktop.core.library.store import Library
from desktop.core.tokens import MARKERS, Token

log = logging.getLogger(__name__)

SOURCE_KIND = "dictation"


def dictation_title(app_name: str) -> str:
    return f"Dictation → {app_name}"


def keep_dictation(
    library: Library,
    tokens: list[Token],
    *,
    app_name: str,
    started_at: float | None = None,
    duration_ms: int = 0,
) -> int | None:
    """Store one utterance's final words; returns the entry's id (None when there were none).

    Timestamps are moved so the utterance starts at 0 (they were on the long session's clock).
    """
    words = [t for t in tokens if t.text and t.text not in MARKERS and t.translation_status != "translation"]
    if not words:
        return None
    first = next((t.start_ms for t in words if t.start_ms is not None), 0)
    shifted = [_shift(t, first) for t in words]
    if shifted[0].text[:1].isspace():
        shifted[0] = replace(shifted[0], text=shifted[0].text.lstrip())
    tid = library.begin_live(
        title=dictation_title(app_name),
        source_kind=SOURCE_KIND,
        source_label=app_name,
        started_at=started_at or time.time(),
    )
    library.append_tokens(tid, shifted)
    library.finish_live(tid, end_reason="finished", duration_ms=duration_ms)
    return tid


def _shift(token: Token, by: int) -> Token:
    return replace(
        token,
        start_ms=None if token.start_ms is None else max(0, token.start_ms - by),
        end_ms=None if token.end_ms is None else max(0, token.end_ms - by),
        is_final=True,
    )
