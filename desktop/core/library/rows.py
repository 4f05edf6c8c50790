"""How a :class:`~desktop.core.transcript.Token` maps to a ``tokens`` row and back.

Confidence is stored in permille (an integer of one or two bytes instead of an 8-byte float):
three digits are more than the recogniser's confidence means, and a token row shrinks by a fifth,
which across thousands of hours is most of the difference between a small and a large library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop.core.transcript import Token

TOKEN_COLUMNS = "text, start_ms, end_ms, confidence, speaker, language, translation_status, source_language"


def confidence_to_db(value: float | None) -> int | None:
    return None if value is None else round(value * 1000)


def confidence_from_db(value: int | None) -> float | None:
    return None if value is None else value / 1000


def token_to_row(transcript_id: int, seq: int, token: Token) -> tuple[Any, ...]:
    return (
        transcript_id,
        seq,
        token.text,
        token.start_ms,
        token.end_ms,
        confidence_to_db(token.confidence),
        token.speaker,
        token.language,
        token.translation_status,
        token.source_language,
    )


def row_to_token(row: Sequence[Any]) -> Token:
    """From a row selected as :data:`TOKEN_COLUMNS` (every stored token is final)."""
    text, start_ms, end_ms, confidence, speaker, language, translation_status, source_language = row
    return Token(
        text=text,
        start_ms=start_ms,
        end_ms=end_ms,
        confidence=confidence_from_db(confidence),
        is_final=True,
        speaker=speaker,
        language=language,
        translation_status=translation_status,
        source_language=source_language,
    )


INSERT_TOKEN = (
    "INSERT INTO tokens (transcript_id, seq, text, start_ms, end_ms, confidence, speaker, language, "
    "translation_status, source_language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
