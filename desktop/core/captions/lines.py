"""The last few lines of a live transcript, as captions show them (an overlay, a caption file).

Captions are read at a glance, over whatever else is on screen, so they show little: the last
one to three lines, each holding one speaker's words (final text, then the provisional tail that
may still change), and under it the translation when there is one. They are rebuilt after every
response from the last few segments only, never from the whole transcript, so a three-hour
session costs what a three-minute one does.

Line breaking is by characters (``max_chars``), at word boundaries; a front end with a
proportional font may wrap further. Scripts without spaces (Chinese, Japanese) are cut at the
limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.segments import Placement
from desktop.core.transcript import Transcript

#: How many recent segments are looked at: enough to fill three lines even with short turns.
RECENT_SEGMENTS = 6


@dataclass(frozen=True, slots=True)
class CaptionLine:
    """One caption line: whose words, the final part, the provisional part, and its translation."""

    speaker: str | None
    speaker_label: str
    final: str
    provisional: str = ""
    translation: str = ""
    translation_language: str | None = None

    @property
    def text(self) -> str:
        return (self.final + self.provisional).strip()


@dataclass
class _Block:
    speaker: str | None
    final: str = ""
    provisional: str = ""
    translation: str = ""
    translation_language: str | None = None


def caption_lines(transcript: Transcript, *, max_lines: int = 2, max_chars: int = 64) -> list[CaptionLine]:
    """The last ``max_lines`` caption lines of ``transcript``, oldest first.

    A block's translation goes with its newest line (what was just said).
    """
    lines: list[CaptionLine] = []
    for block in reversed(_recent_blocks(transcript)):
        label = transcript.speaker_label(block.speaker) if block.speaker is not None else ""
        translation = _last_chars(block.translation, max_chars)
        for i, (final, provisional) in enumerate(reversed(_wrap(block.final, block.provisional, max_chars))):
            newest = i == 0
            lines.append(
                CaptionLine(
                    block.speaker,
                    label,
                    final,
                    provisional,
                    translation if newest else "",
                    block.translation_language if newest else None,
                )
            )
            if len(lines) >= max_lines:
                break
        if len(lines) >= max_lines:
            break
    lines.reverse()
    return lines


def _recent_blocks(transcript: Transcript) -> list[_Block]:
    """The recent segments as blocks, with the provisional tail placed where it belongs."""
    count = transcript.segment_count
    blocks: dict[int, _Block] = {}
    order: list[int] = []
    for index in range(max(0, count - RECENT_SEGMENTS), count):
        seg = transcript.segment(index)
        block = _Block(seg.speaker, seg.text, "", seg.translation_text, seg.translation_language)
        blocks[index] = block
        order.append(index)
    for placement in transcript.tail_placements:
        _place_tail(placement, blocks, order)
    return [blocks[i] for i in order if blocks[i].final or blocks[i].provisional or blocks[i].translation]


def _place_tail(placement: Placement, blocks: dict[int, _Block], order: list[int]) -> None:
    token = placement.token
    block = blocks.get(placement.segment)
    if block is None:
        speaker = placement.opens.speaker if placement.opens is not None else token.speaker
        block = blocks[placement.segment] = _Block(speaker)
        order.append(placement.segment)
    if token.is_translation:
        block.translation = (block.translation + token.text) if block.translation else token.text.strip()
        block.translation_language = block.translation_language or token.language
    elif not token.is_marker:
        block.provisional += token.text


def _wrap(final: str, provisional: str, max_chars: int) -> list[tuple[str, str]]:
    """Break final + provisional text into ``(final part, provisional part)`` lines of at most
    ``max_chars``, at spaces where there are any."""
    final = final.strip()
    joined = final + provisional.rstrip() if final else provisional.strip()
    boundary = len(final) if final else 0
    lines: list[tuple[str, str]] = []
    start = 0
    while start < len(joined):
        end = min(len(joined), start + max_chars)
        if end < len(joined):
            space = joined.rfind(" ", start + 1, end + 1)
            if space > start:
                end = space
        final_part = joined[start : min(end, boundary)] if boundary > start else ""
        provisional_part = joined[max(start, boundary) : end] if end > boundary else ""
        lines.append((final_part, provisional_part))
        start = end
        while start < len(joined) and joined[start] == " ":
            start += 1
    return lines or [("", "")]


def _last_chars(text: str, max_chars: int) -> str:
    """The end of ``text`` that fits one line, cut at a space and marked with an ellipsis."""
    if len(text) <= max_chars:
        return text
    cut = text.find(" ", len(text) - max_chars + 1)
    return "…" + (text[cut + 1 :] if cut != -1 else text[len(text) - max_chars + 1 :])
