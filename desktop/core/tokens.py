"""One Soniox token as the app keeps it, parsed from the SDK, JSON or a saved transcript (Qt-free).

Split from :mod:`desktop.core.transcript` because parsing a token is a job of its own (tolerant
field conversion, marker detection, reconnect offsets) that the segment grouping never needs to
see. ``desktop.core.transcript`` re-exports everything here, so old imports keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

END_TOKEN = "<end>"
FIN_TOKEN = "<fin>"
MARKERS = frozenset({END_TOKEN, FIN_TOKEN})


_TOKEN_FIELDS = (
    "text",
    "start_ms",
    "end_ms",
    "confidence",
    "is_final",
    "speaker",
    "language",
    "translation_status",
    "source_language",
)


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


@dataclass(frozen=True, slots=True)
class Token:
    """One token as Soniox sends it; immutable so it can be shared between model, view and export."""

    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    confidence: float | None = None
    is_final: bool = True
    speaker: str | None = None
    language: str | None = None
    translation_status: str | None = None
    source_language: str | None = None

    @property
    def is_end(self) -> bool:
        """The endpoint marker: the speaker finished an utterance."""
        return self.text == END_TOKEN

    @property
    def is_fin(self) -> bool:
        """The manual-finalize marker: everything sent before the finalize request is now final."""
        return self.text == FIN_TOKEN

    @property
    def is_marker(self) -> bool:
        return self.text in MARKERS

    @property
    def is_translation(self) -> bool:
        return self.translation_status == "translation"

    def shifted(self, offset_ms: int) -> Token:
        """The same token moved by ``offset_ms`` (reconnects restart timestamps at zero)."""
        if not offset_ms or (self.start_ms is None and self.end_ms is None):
            return self
        return replace(
            self,
            start_ms=None if self.start_ms is None else self.start_ms + offset_ms,
            end_ms=None if self.end_ms is None else self.end_ms + offset_ms,
        )

    @classmethod
    def from_sdk(cls, token: Any, *, default_final: bool = True, offset_ms: int = 0) -> Token:
        """Convert a ``soniox.types.common.Token`` (or a mapping, or anything with its attributes).

        File transcripts have no ``is_final``; every token there is final, hence ``default_final``.
        ``offset_ms`` is added to the timestamps while building (a live session after a reconnect),
        so the token is made once per response, not built and then copied.
        """
        if isinstance(token, Token):
            return token.shifted(offset_ms)
        get: Callable[[str], Any] = token.get if isinstance(token, Mapping) else lambda name: getattr(token, name, None)
        is_final = get("is_final")
        start_ms, end_ms = _opt_int(get("start_ms")), _opt_int(get("end_ms"))
        return cls(
            text=str(get("text") or ""),
            start_ms=None if start_ms is None else start_ms + offset_ms,
            end_ms=None if end_ms is None else end_ms + offset_ms,
            confidence=_opt_float(get("confidence")),
            is_final=default_final if is_final is None else bool(is_final),
            speaker=_opt_str(get("speaker")),
            language=_opt_str(get("language")),
            translation_status=_opt_str(get("translation_status")),
            source_language=_opt_str(get("source_language")),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, default_final: bool = True) -> Token:
        """Build from a JSON object as Soniox (or our JSON export) writes it; unknown keys are ignored."""
        return cls.from_sdk(data, default_final=default_final)

    def to_dict(self) -> dict[str, Any]:
        """Every field, ``None`` included, so the JSON schema is the same for every token."""
        return {name: getattr(self, name) for name in _TOKEN_FIELDS}
