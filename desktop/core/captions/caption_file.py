"""A live caption file: the last lines of final text, for OBS and other tools that read a text file.

OBS's "Text (GDI+/FreeType 2)" source can read from a file and re-reads it when it changes. It
must never see the file half-written (a blank or cut caption flashes on stream), so every update
writes a temporary file in the same folder and renames it over the old one (``os.replace``, atomic
on the same file system on Linux, macOS and Windows). Only final words are written: provisional
words change several times a second and would make the text jitter on screen.

Writes happen only when the final text changed, at most ``min_interval_s`` apart; text held back
is :attr:`pending` and must be flushed once :meth:`due_in` has passed (the caller's timer does it,
since no further words may come to trigger another update). A rename that Windows refuses
because a reader holds the file is tried again with the next update.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from desktop.core.atomic_file import write_text_atomically
from desktop.core.captions.lines import caption_lines
from desktop.core.transcript import Transcript


class CaptionFile:
    def __init__(
        self,
        path: Path,
        *,
        lines: int = 2,
        max_chars: int = 64,
        with_speaker: bool = False,
        with_translation: bool = True,
        min_interval_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self._lines = lines
        self._max_chars = max_chars
        self._with_speaker = with_speaker
        self._with_translation = with_translation
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._written: str | None = None
        self._pending: str | None = None
        self._last_write = float("-inf")
        self.writes = 0

    def text_for(self, transcript: Transcript) -> str:
        """What the file holds for ``transcript``: its last final lines (and their translations)."""
        out: list[str] = []
        for line in caption_lines(transcript, max_lines=self._lines, max_chars=self._max_chars):
            if not line.final:
                continue
            prefix = f"{line.speaker_label}: " if self._with_speaker and line.speaker_label else ""
            out.append(prefix + line.final.strip())
            if self._with_translation and line.translation:
                out.append(line.translation)
        return "\n".join(out) + "\n" if out else ""

    def update(self, transcript: Transcript) -> bool:
        """Write the file if its text changed and the interval allows; True if written now."""
        text = self.text_for(transcript)
        if text == self._written:
            self._pending = None
            return False
        self._pending = text
        if self._clock() - self._last_write < self._min_interval_s:
            return False
        return self.flush()

    @property
    def pending(self) -> bool:
        """Text is held back by the interval: call :meth:`flush` within :meth:`due_in` seconds."""
        return self._pending is not None

    def due_in(self) -> float:
        """Seconds until the held-back text may be written."""
        return max(0.0, self._min_interval_s - (self._clock() - self._last_write))

    def flush(self) -> bool:
        """Write what :meth:`update` held back; True if something was written."""
        if self._pending is None:
            return False
        text, self._pending = self._pending, None
        try:
            write_text_atomically(self.path, text)
        except PermissionError:
            # Windows: a reader holding the file open without delete sharing blocks the rename
            # for a moment. Keep the text and write it with the next update.
            self._pending = text
            return False
        self._written = text
        self._last_write = self._clock()
        self.writes += 1
        return True

    def clear(self) -> None:
        """Empty the file (the session ended and the user wants the caption gone)."""
        self._pending = ""
        self.flush()
