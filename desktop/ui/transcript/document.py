"""Draw a transcript into a QTextDocument incrementally: the cost of a response is its own size.

Layout per segment (see :mod:`desktop.core.transcript`)::

    Speaker 1  00:01:02            <- header block, only when a speaker turn starts
    [EN] Hello everyone, thank ⏎   <- utterance block: language tag if it changed, text, endpoint
        Bonjour à tous, merci      <- translation block, created when the first translation arrives

New final text is only ever appended at the end of a segment's utterance or translation block,
and those blocks belong to the last few segments, so every edit happens near the end of the
document. The positions needed for that (per segment: the label, the end of the utterance text,
the end of the translation) are kept as plain integers and shifted by hand after each edit; a
shift walks the segments backwards from the last one and stops at the first that lies entirely
before the edit, so it costs nothing for the bulk of a long transcript.

The non-final tail is drawn the same way in its own styles, and every range it occupies is
recorded; on the next response those ranges are deleted (restoring the positions) before new
final text is appended and the new tail drawn. No response ever re-renders the final text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument

from desktop.core.export import hms
from desktop.core.transcript import Placement, SegmentHead, TranscriptDelta
from desktop.ui.transcript.speaker_colors import (
    BLOCK_KIND_PROPERTY,
    BLOCK_SPEAKER_PROPERTY,
    ROLE_PROPERTY,
    SPEAKER_PROPERTY,
    Role,
    TranscriptStyles,
)

#: The visible endpoint marker; it is never part of copied text.
END_MARKER = "⏎"
#: Header spacing between a speaker label and the turn's time.
_LABEL_GAP = "  "

_CLEAN = str.maketrans({"\n": " ", "\r": " ", "\u2029": " ", "\u2028": " "})


@dataclass
class _Segment:
    """Where one drawn segment lives in the document (positions in QTextDocument units)."""

    speaker: str | None
    provisional: bool
    label_pos: int | None = None
    label_len: int = 0
    text_end: int = 0  # insertion point for more original text (end of the utterance block)
    trans_end: int | None = None  # insertion point for more translation (end of that block)
    has_text: bool = False
    trans_has_text: bool = False

    def last_pos(self) -> int:
        return self.trans_end if self.trans_end is not None else self.text_end

    def shift(self, pos: int, n: int, *, inclusive: bool) -> None:
        """Move the positions after an insertion of ``n`` units at ``pos``."""

        def moved(p: int) -> int:
            return p + n if (p > pos or (inclusive and p == pos)) else p

        if self.label_pos is not None:
            self.label_pos = moved(self.label_pos)
        self.text_end = moved(self.text_end)
        if self.trans_end is not None:
            self.trans_end = moved(self.trans_end)

    def shrink(self, start: int, n: int) -> None:
        """Move the positions after ``n`` units at ``start`` were deleted."""

        def moved(p: int) -> int:
            if p >= start + n:
                return p - n
            return start if p > start else p

        if self.label_pos is not None:
            self.label_pos = moved(self.label_pos)
        self.text_end = moved(self.text_end)
        if self.trans_end is not None:
            self.trans_end = moved(self.trans_end)


def clean_text(text: str) -> str:
    """Copied or exported text without the endpoint glyphs (they are decoration)."""
    return text.replace(" " + END_MARKER, "").replace(END_MARKER, "").replace("\u2029", "\n")


class TranscriptDocument:
    """Owns the drawing of one transcript into ``document``; the widget owns everything else."""

    def __init__(
        self,
        document: QTextDocument,
        labeler: Callable[[str | None], str],
        styles: TranscriptStyles,
        *,
        show_timestamps: bool = False,
    ) -> None:
        self.document = document
        self.document.setUndoRedoEnabled(False)  # an undo stack would grow with every response
        self._label = labeler
        self.styles = styles
        self.show_timestamps = show_timestamps
        self._cursor = QTextCursor(document)
        self._segments: list[_Segment] = []
        self._final_count = 0
        self._tail_ranges: list[list[int]] = []  # [start, length], in no particular order
        self._tail_mode = False
        self._saved: dict[int, tuple[bool, bool, bool]] = {}  # final segments the tail touched
        self._empty = True
        self._empty_before_tail = True

    # ------------------------------------------------------------------------------- public
    def clear(self) -> None:
        self.document.clear()
        self._cursor = QTextCursor(self.document)
        self._segments.clear()
        self._final_count = 0
        self._tail_ranges.clear()
        self._saved.clear()
        self._empty = self._empty_before_tail = True

    def apply(self, delta: TranscriptDelta) -> None:
        """Draw one delta: drop the old tail, append the new final text, draw the new tail."""
        if delta.reset:
            self.clear()
        if delta.is_empty:
            return
        cursor = self._cursor
        cursor.beginEditBlock()
        try:
            self._remove_tail()
            self._draw(delta.finals)
            self._final_count = len(self._segments)
            self._empty_before_tail = self._empty
            self._tail_mode = True
            try:
                self._draw(delta.tail)
            finally:
                self._tail_mode = False
        finally:
            cursor.endEditBlock()

    def redraw_tail(self, tail: tuple[Placement, ...]) -> None:
        self.apply(TranscriptDelta(tail=tail, tail_changed=True))

    def relabel(self, speaker_id: str) -> int:
        """Rewrite every final label of ``speaker_id`` with its current name; returns how many.

        Labels change length, so every later position moves: one forward pass carries the
        accumulated difference. Call with no tail drawn (the caller redraws it afterwards).
        """
        self._remove_tail()
        name = self._label(speaker_id)
        fmt = self.styles.char_format(Role.LABEL, speaker_id)
        cursor = self._cursor
        delta = 0
        count = 0
        cursor.beginEditBlock()
        try:
            for seg in self._segments:
                if delta:
                    seg.shift(-1, delta, inclusive=False)
                if seg.label_pos is None or seg.speaker != speaker_id:
                    continue
                cursor.setPosition(seg.label_pos)
                cursor.setPosition(seg.label_pos + seg.label_len, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(name, fmt)
                new_len = cursor.position() - seg.label_pos
                end_before = seg.label_pos + seg.label_len
                change = new_len - seg.label_len
                seg.label_len = new_len
                # Fields of this segment after the label move too.
                seg.text_end += change if seg.text_end >= end_before else 0
                if seg.trans_end is not None and seg.trans_end >= end_before:
                    seg.trans_end += change
                delta += change
                count += 1
        finally:
            cursor.endEditBlock()
        return count

    def restyle(self, styles: TranscriptStyles) -> None:
        """Re-apply every role's format for a new palette or font; lengths do not change."""
        self.styles = styles
        spans: list[tuple[int, int, Role, str | None]] = []
        block = self.document.begin()
        while block.isValid():
            # The explicit iterator, not ``for item in block``: the stubs type that iteration as ``object``.
            fragments = block.begin()
            while not fragments.atEnd():
                frag = fragments.fragment()
                fmt = frag.charFormat()
                role = fmt.property(ROLE_PROPERTY)
                if role is not None and int(role) not in (Role.PLAIN, Role.FINAL):
                    speaker = fmt.property(SPEAKER_PROPERTY)
                    spans.append((frag.position(), frag.length(), Role(int(role)), speaker))
                fragments += 1
            block = block.next()
        cursor = self._cursor
        cursor.beginEditBlock()
        try:
            for start, length, role, speaker in spans:
                cursor.setPosition(start)
                cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(styles.char_format(role, speaker))
        finally:
            cursor.endEditBlock()

    @property
    def tail_ranges(self) -> list[tuple[int, int]]:
        return sorted((s, n) for s, n in self._tail_ranges)

    @property
    def segment_count(self) -> int:
        return self._final_count

    def label_spans(self, speaker_id: str | None = None) -> list[tuple[int, int]]:
        """(position, length) of the drawn final labels, optionally of one speaker only."""
        return [
            (seg.label_pos, seg.label_len)
            for seg in self._segments[: self._final_count]
            if seg.label_pos is not None and (speaker_id is None or seg.speaker == speaker_id)
        ]

    # ------------------------------------------------------------------------------ drawing
    def _draw(self, placements: Iterable[Placement]) -> None:
        """Draw placements in order, joining runs of text bound for the same place into one edit."""
        pending: list[str] = []
        pending_key: tuple[int, bool] | None = None

        def flush() -> None:
            nonlocal pending_key
            if pending_key is not None and pending:
                self._append_text(pending_key[0], "".join(pending), translation=pending_key[1])
            pending.clear()
            pending_key = None

        for placement in placements:
            token = placement.token
            if placement.opens is not None:
                flush()
                self._open(placement.opens)
            if not 0 <= placement.segment < len(self._segments):
                continue  # a marker before any text, or a model inconsistency: nothing to draw on
            if token.is_marker:
                if token.is_end and not self._tail_mode:
                    flush()
                    self._append_marker(placement.segment)
                continue
            key = (placement.segment, token.is_translation)
            if key != pending_key:
                flush()
                pending_key = key
            pending.append(token.text)
        flush()

    def _doc_end(self) -> int:
        return self.document.characterCount() - 1

    def _open(self, head: SegmentHead) -> None:
        """Start a segment at the end of the document: header (on a new turn), utterance block."""
        styles = self.styles
        seg = _Segment(speaker=head.speaker, provisional=self._tail_mode)
        while len(self._segments) > head.index:
            # Never happens with a consistent model; keep the index alignment regardless.
            self._segments.pop()
        while len(self._segments) < head.index:
            self._segments.append(_Segment(speaker=None, provisional=self._tail_mode, text_end=self._doc_end()))
        self._segments.append(seg)
        timed = self.show_timestamps and head.start_ms is not None
        # Without diarization there are no turns: each utterance gets its own time instead.
        wants_header = (head.turn_start and head.speaker is not None) or (head.speaker is None and timed)
        first = self._empty
        if wants_header:
            self._new_block(self._block_format("header", head.speaker, first=first))
            if head.speaker is not None:
                seg.label_pos = self._doc_end()
                seg.label_len = self._insert(
                    seg.label_pos, self._label(head.speaker), styles.char_format(Role.LABEL, head.speaker)
                )
            if self.show_timestamps and head.start_ms is not None:
                if head.speaker is not None:
                    self._insert(self._doc_end(), _LABEL_GAP, styles.char_format(Role.PLAIN))
                self._insert(self._doc_end(), hms(head.start_ms), styles.char_format(Role.TIME))
            first = False
        kind = "utterance" if wants_header or first else "continuation"
        self._new_block(self._block_format(kind, head.speaker, first=first))
        if head.language_changed and head.language:
            self._insert(self._doc_end(), f"[{head.language.upper()}]", styles.char_format(Role.LANGUAGE))
            self._insert(self._doc_end(), " ", styles.char_format(Role.PLAIN))
        seg.text_end = self._doc_end()

    def _block_format(self, kind: str, speaker: str | None, *, first: bool) -> QTextBlockFormat:
        fmt = QTextBlockFormat()
        fmt.setProperty(BLOCK_KIND_PROPERTY, kind)
        if speaker is not None:
            fmt.setProperty(BLOCK_SPEAKER_PROPERTY, speaker)
        if kind == "header":
            fmt.setTopMargin(0 if first else 12)
            fmt.setBottomMargin(1)
        elif kind == "continuation":
            fmt.setTopMargin(0 if first else 4)
        elif kind == "translation":
            fmt.setLeftMargin(22)
            fmt.setTopMargin(1)
        return fmt

    def _new_block(self, fmt: QTextBlockFormat) -> None:
        """A new block at the end; the document's initial empty block is reused for the first."""
        if self._empty:
            self._empty = False
            self._cursor.setPosition(0)
            self._cursor.setBlockFormat(fmt)
            return
        pos = self._doc_end()
        self._cursor.setPosition(pos)
        self._cursor.insertBlock(fmt, QTextCharFormat())
        self._shifted(pos, 1, inclusive=False)

    def _append_text(self, index: int, text: str, *, translation: bool) -> None:
        seg = self._segments[index]
        text = text.translate(_CLEAN)
        if translation:
            if not seg.trans_has_text:
                text = text.lstrip()
            if not text:
                return
            self._remember(index, seg)
            if seg.trans_end is None:
                self._add_translation_block(seg)
            role = Role.TAIL_TRANSLATION if self._tail_mode else Role.TRANSLATION
            assert seg.trans_end is not None
            self._insert(seg.trans_end, text, self.styles.char_format(role), inclusive=True)
            seg.trans_has_text = True
            return
        if not seg.has_text:
            text = text.lstrip()
        if not text:
            return
        self._remember(index, seg)
        role = Role.TAIL if self._tail_mode else Role.FINAL
        self._insert(seg.text_end, text, self.styles.char_format(role, seg.speaker), inclusive=True)
        seg.has_text = True

    def _append_marker(self, index: int) -> None:
        seg = self._segments[index]
        text = (" " + END_MARKER) if seg.has_text else END_MARKER
        self._insert(seg.text_end, text, self.styles.char_format(Role.MARKER), inclusive=True)

    def _add_translation_block(self, seg: _Segment) -> None:
        """Open the translation block right after the utterance block (before later segments)."""
        pos = seg.text_end
        self._cursor.setPosition(pos)
        self._cursor.insertBlock(self._block_format("translation", seg.speaker, first=False), QTextCharFormat())
        self._shifted(pos, 1, inclusive=False)
        seg.trans_end = pos + 1

    def _remember(self, index: int, seg: _Segment) -> None:
        """Before the tail edits a final segment, save what removing the tail must restore."""
        if self._tail_mode and not seg.provisional and index not in self._saved:
            self._saved[index] = (seg.has_text, seg.trans_has_text, seg.trans_end is None)

    def _insert(self, pos: int, text: str, fmt: QTextCharFormat, *, inclusive: bool = False) -> int:
        """Insert at ``pos``; ``inclusive`` also moves positions equal to ``pos`` (appending to a run)."""
        cursor = self._cursor
        cursor.setPosition(pos)
        cursor.insertText(text, fmt)
        n = cursor.position() - pos  # UTF-16 units, which is what positions count
        self._shifted(pos, n, inclusive=inclusive)
        return n

    def _shifted(self, pos: int, n: int, *, inclusive: bool) -> None:
        for seg in reversed(self._segments):
            if seg.last_pos() < pos:
                break
            seg.shift(pos, n, inclusive=inclusive)
        ranges = self._tail_ranges
        for r in ranges:
            if r[0] > pos or (inclusive and r[0] == pos):
                r[0] += n
        if not self._tail_mode:
            return
        for r in ranges:
            if r[0] + r[1] == pos or (r[0] <= pos < r[0] + r[1]):
                r[1] += n
                return
        ranges.append([pos, n])

    # --------------------------------------------------------------------------------- tail
    def _remove_tail(self) -> None:
        if not self._tail_ranges and len(self._segments) == self._final_count and not self._saved:
            return
        cursor = self._cursor
        for start, length in sorted(self._tail_ranges, reverse=True):
            cursor.setPosition(start)
            cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            for seg in reversed(self._segments):
                if seg.last_pos() <= start:
                    break
                seg.shrink(start, length)
        self._tail_ranges.clear()
        del self._segments[self._final_count :]
        for index, (has_text, trans_has_text, trans_was_none) in self._saved.items():
            seg = self._segments[index]
            seg.has_text, seg.trans_has_text = has_text, trans_has_text
            if trans_was_none:
                seg.trans_end = None
        self._saved.clear()
        if self._empty_before_tail and not self._empty:
            self._empty = True
            cursor.setPosition(0)
            cursor.setBlockFormat(QTextBlockFormat())
