"""Async transcripts: tokens for a finished job, laid out over the audio's duration.

The result follows the OAS ``TranscriptionTranscript``: word tokens with ``start_ms``/``end_ms``
and ``confidence``, ``speaker`` only with diarization, ``language`` only with language
identification (or translation), and translation tokens after each utterance. The OAS marks
``start_ms``/``end_ms`` required on every transcript token, so translation tokens carry the span
of the utterance they translate (real-time translation tokens have no timestamps).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .script import Utterance

WORD_MS = 320
GAP_MS = 90
UTTERANCE_GAP_MS = 700
LEAD_IN_MS = 240


@dataclass(frozen=True)
class TranscriptOptions:
    """The transcription settings that change what the tokens look like."""

    diarization: bool = False
    language_identification: bool = False
    translation: dict[str, Any] | None = None


def translation_target(translation: dict[str, Any] | None, language: str) -> str | None:
    """Which language an utterance in ``language`` is translated into, or None for no translation."""
    if not translation:
        return None
    if translation.get("type") == "one_way":
        target = translation.get("target_language")
        return None if target in (None, language) else str(target)
    a, b = translation.get("language_a"), translation.get("language_b")
    if language == a:
        return str(b)
    if language == b:
        return str(a)
    return None


def _timeline(script: Sequence[Utterance], duration_ms: int) -> list[tuple[int, int]]:
    """Start/end of every word of one pass over ``script``, squeezed into ``duration_ms`` if needed."""
    spans: list[tuple[int, int]] = []
    t = LEAD_IN_MS
    for u_idx, utt in enumerate(script):
        if u_idx:
            t += UTTERANCE_GAP_MS
        for w_idx, _ in enumerate(utt.words()):
            if w_idx:
                t += GAP_MS
            spans.append((t, t + WORD_MS))
            t += WORD_MS
    natural = t + LEAD_IN_MS
    if duration_ms > 0 and natural > duration_ms:
        scale = duration_ms / natural
        spans = [(int(s * scale), max(int(s * scale) + 1, int(e * scale))) for s, e in spans]
    return spans


def build_tokens(
    script: Sequence[Utterance], duration_ms: int, options: TranscriptOptions, seed: int
) -> list[dict[str, Any]]:
    """Tokens of a completed transcription of ``script`` (one pass, never looped)."""
    rng = random.Random(seed)
    spans = iter(_timeline(script, duration_ms))
    with_language = options.language_identification or bool(options.translation)
    tokens: list[dict[str, Any]] = []
    first = True
    for utt in script:
        target = translation_target(options.translation, utt.language)
        utt_start: int | None = None
        utt_end = 0
        for word in utt.words():
            start, end = next(spans)
            utt_start = start if utt_start is None else utt_start
            utt_end = end
            token: dict[str, Any] = {
                "text": word if first else " " + word,
                "start_ms": start,
                "end_ms": end,
                "confidence": round(rng.uniform(0.6, 0.99), 3),
            }
            first = False
            if options.diarization:
                token["speaker"] = utt.speaker
            if with_language:
                token["language"] = utt.language
            if options.translation:
                token["translation_status"] = "original" if target else "none"
            tokens.append(token)
        if target and utt_start is not None:
            for word in utt.translation_words(target):
                token = {
                    "text": " " + word,
                    "start_ms": utt_start,
                    "end_ms": utt_end,
                    "confidence": round(rng.uniform(0.6, 0.99), 3),
                    "language": target,
                    "source_language": utt.language,
                    "translation_status": "translation",
                }
                if options.diarization:
                    token["speaker"] = utt.speaker
                tokens.append(token)
    return tokens


def transcript_body(transcription_id: str, tokens: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``GET /transcript`` body; ``text`` is the concatenation of the token texts."""
    return {"id": transcription_id, "text": "".join(t["text"] for t in tokens), "tokens": tokens}
