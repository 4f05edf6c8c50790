"""Two-way translation as two columns: each turn's words in its language's column, the translation beside it.

With ``translation: {type: "two_way", language_a, language_b}`` both people speak their own
language and each hears the other's. Read as one stream, the text jumps between languages; as two
columns, each reader follows one column and sees every turn, spoken or translated, in the language
they read. A row is one segment (a speaker's utterance): its original goes in the column of its
language, its translation in the other. The provisional tail goes where its segment is.

Rows are recomputed from the first segment a response touched onwards, never from the start, so
the cost per response does not grow with the session (Qt-free, the view draws :class:`BilingualRow`).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.segments import TranscriptDelta
from desktop.core.tokens import Token
from desktop.core.transcript import Transcript


@dataclass(frozen=True, slots=True)
class Cell:
    final: str = ""
    provisional: str = ""

    @property
    def text(self) -> str:
        return (self.final + self.provisional).strip()


@dataclass(frozen=True, slots=True)
class BilingualRow:
    speaker: str | None
    speaker_label: str
    #: column 0 is language_a, column 1 language_b
    cells: tuple[Cell, Cell]
    #: which column holds what was said (the other holds its translation); None if unknown
    spoken: int | None


class BilingualRows:
    """The rows of a two-way transcript, kept up to date response by response."""

    def __init__(self, language_a: str, language_b: str) -> None:
        self.languages = (language_a, language_b)
        self.rows: list[BilingualRow] = []

    def rebuild(self, transcript: Transcript) -> int:
        """All rows afresh (a transcript shown late); returns the first row that changed (0)."""
        self.rows = []
        return self.update(transcript, TranscriptDelta(reset=True))

    def update(self, transcript: Transcript, delta: TranscriptDelta) -> int:
        """Recompute rows from the first segment ``delta`` touched; returns that row's index."""
        touched = [p.segment for p in (*delta.finals, *delta.tail)]
        first = 0 if delta.reset else min(touched, default=len(self.rows))
        if delta.tail_changed:
            # A tail that shrank or moved leaves rows behind it: start no later than the old end.
            first = min(first, max(0, len(self.rows) - 1))
        first = min(first, len(self.rows))
        del self.rows[first:]
        tails: dict[int, list[Token]] = {}
        for placement in transcript.tail_placements:
            tails.setdefault(placement.segment, []).append(placement.token)
        last = max([transcript.segment_count - 1, *tails.keys()], default=-1)
        for index in range(first, last + 1):
            self.rows.append(self._row(transcript, index, tails.get(index, [])))
        return first

    def _row(self, transcript: Transcript, index: int, tail: list[Token]) -> BilingualRow:
        spoken_tail = [t for t in tail if not t.is_translation]
        translated_tail = [t for t in tail if t.is_translation]
        if index < transcript.segment_count:
            seg = transcript.segment(index)
            speaker, language, said, translated = seg.speaker, seg.language, seg.text, seg.translation_text
            translation_language = seg.translation_language
        else:  # a segment only the provisional tail has opened so far
            speaker = next((t.speaker for t in tail if t.speaker is not None), None)
            language = next((t.language for t in spoken_tail if t.language), None)
            translation_language = next((t.language for t in translated_tail if t.language), None)
            said = translated = ""
        spoken = self._column(language, translation_language)
        original = Cell(said, "".join(t.text for t in spoken_tail))
        translation = Cell(translated, "".join(t.text for t in translated_tail))
        cells = (original, translation) if spoken in (0, None) else (translation, original)
        label = transcript.speaker_label(speaker) if speaker is not None else ""
        return BilingualRow(speaker, label, cells, spoken)

    def _column(self, language: str | None, translation_language: str | None) -> int | None:
        a, b = self.languages
        if language == a or translation_language == b:
            return 0
        if language == b or translation_language == a:
            return 1
        return None
