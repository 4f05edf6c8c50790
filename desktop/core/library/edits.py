"""Word corrections kept beside the original tokens, never over them.

An edit replaces the original (non-translation, non-marker) tokens ``first_seq..last_seq`` by
one token with the user's text, starting when the first of them started and ending when the last
ended, so playback highlighting, subtitles and search keep their timing. The originals stay in
the ``tokens`` table: reverting an edit is deleting it. Markers and translation tokens that fall
inside a span (a translation can arrive between two words of the same sentence) are kept as
they were.

The display list pairs every token with the original numbers it stands for, which is what the
viewer needs to map a clicked word back to the tokens to edit or the time to seek to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from desktop.core.transcript import Token


@dataclass(frozen=True, slots=True)
class Edit:
    first_seq: int
    last_seq: int
    text: str
    edited_at: float = 0.0


@dataclass(frozen=True, slots=True)
class DisplayToken:
    """A token as shown and exported, and the original token numbers behind it."""

    first_seq: int
    last_seq: int
    token: Token
    edited: bool = False


def is_word(token: Token) -> bool:
    """Tokens an edit may replace: spoken text, not endpoint markers or translations."""
    return not token.is_marker and not token.is_translation


def merged_token(originals: Sequence[Token], text: str) -> Token:
    """One token standing for ``originals`` with ``text``; timing spans them all.

    A word that followed a space keeps its separating space even when the user typed none, so a
    correction never glues two words together.
    """
    first = originals[0]
    if first.text[:1].isspace() and not text[:1].isspace():
        text = " " + text
    starts = [t.start_ms for t in originals if t.start_ms is not None]
    ends = [t.end_ms for t in originals if t.end_ms is not None]
    return replace(
        first,
        text=text,
        start_ms=min(starts) if starts else None,
        end_ms=max(ends) if ends else None,
        confidence=None,  # a person wrote it: no recogniser confidence applies
    )


def apply_edits(tokens: Sequence[Token], edits: Sequence[Edit]) -> list[DisplayToken]:
    """The display list: ``tokens`` (indexed by seq) with ``edits`` applied.

    ``edits`` must not overlap (the store guarantees it); ones pointing outside the transcript
    are ignored, so a damaged row cannot make a transcript unreadable.
    """
    out: list[DisplayToken] = []
    ordered = sorted((e for e in edits if 0 <= e.first_seq <= e.last_seq < len(tokens)), key=lambda e: e.first_seq)
    seq = 0
    for edit in ordered:
        if edit.first_seq < seq:
            continue  # overlapping: keep the earlier one
        out.extend(DisplayToken(i, i, tokens[i]) for i in range(seq, edit.first_seq))
        span = range(edit.first_seq, edit.last_seq + 1)
        words = [tokens[i] for i in span if is_word(tokens[i])]
        if words:
            out.append(DisplayToken(edit.first_seq, edit.last_seq, merged_token(words, edit.text), edited=True))
        out.extend(DisplayToken(i, i, tokens[i]) for i in span if not is_word(tokens[i]))
        seq = edit.last_seq + 1
    out.extend(DisplayToken(i, i, tokens[i]) for i in range(seq, len(tokens)))
    return out


def overlapping(edits: Sequence[Edit], first_seq: int, last_seq: int) -> list[Edit]:
    return [e for e in edits if e.first_seq <= last_seq and e.last_seq >= first_seq]
