"""Plain records the emulator keeps, and the snapshots it hands to tests.

Records are mutated only under the emulator's lock (in ``state.py``); tests get frozen copies,
so they can assert on them from their own thread without racing the server loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .fetch import AudioFetch
from .script import Utterance

MASKED_SECRET = "******************"


def iso_utc(epoch_s: float) -> str:
    """ISO-8601 UTC with milliseconds and a ``Z``, the form Soniox returns."""
    dt = datetime.fromtimestamp(epoch_s, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


@dataclass
class FileRecord:
    id: str
    seq: int
    filename: str
    size: int
    created_at: str
    client_reference_id: str | None
    path: Path | None
    duration_ms: int | None = None  # measured once on upload, used by every job of this file

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "size": self.size,
            "created_at": self.created_at,
            "client_reference_id": self.client_reference_id,
        }


@dataclass
class JobScript:
    """How a matching job ends, set by a test with ``script_job``."""

    match: str
    status: str = "completed"
    error_type: str | None = None
    error_message: str | None = None
    script: list[Utterance] | None = None
    tokens: list[dict[str, Any]] | None = None
    audio_duration_ms: int | None = None
    times: int | None = None


@dataclass
class Job:
    """One async transcription and everything needed to finish it."""

    id: str
    seq: int
    created_at: str
    created_clock: float
    model: str
    audio_url: str | None
    file_id: str | None
    filename: str
    language_hints: list[str] | None
    enable_speaker_diarization: bool
    enable_language_identification: bool
    translation: dict[str, Any] | None
    context: Any
    webhook_url: str | None
    webhook_auth_header_name: str | None
    webhook_auth_header_value: str | None
    client_reference_id: str | None
    status: str = "queued"
    processing_clock: float | None = None
    audio_duration_ms: int | None = None
    error_type: str | None = None
    error_message: str | None = None
    webhook_status_code: int | None = None
    outcome: JobScript | None = None
    tokens: list[dict[str, Any]] | None = None
    file_size: int | None = None
    file_path: Path | None = None
    file_duration_ms: int | None = None
    fetch: AudioFetch | None = None  # the download of ``audio_url`` (loopback hosts only)
    waited_for_fetch: bool = False  # was due to start while still downloading
    request: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "created_at": self.created_at,
            "model": self.model,
            "audio_url": self.audio_url,
            "file_id": self.file_id,
            "filename": self.filename,
            "language_hints": self.language_hints,
            "enable_speaker_diarization": self.enable_speaker_diarization,
            "enable_language_identification": self.enable_language_identification,
            "audio_duration_ms": self.audio_duration_ms,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "webhook_url": self.webhook_url,
            "webhook_auth_header_name": self.webhook_auth_header_name,
            "webhook_auth_header_value": MASKED_SECRET if self.webhook_auth_header_value else None,
            "webhook_status_code": self.webhook_status_code,
            "client_reference_id": self.client_reference_id,
        }


@dataclass
class TempKey:
    api_key: str
    usage_type: str
    expires_at: float
    single_use: bool
    max_session_duration_seconds: int | None
    client_reference_id: str | None
    uses: int = 0


@dataclass(frozen=True)
class ControlMessage:
    """A text frame the client sent after the config, in arrival order."""

    type: str
    received_at: float
    audio_ms: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class RealtimeSessionSnapshot:
    """What a test can assert about one WebSocket connection (a frozen copy)."""

    index: int
    config: dict[str, Any] | None
    auth_method: str | None
    key_kind: str | None
    audio: bytes
    audio_bytes: int
    frames: int
    audio_ms: float
    controls: tuple[ControlMessage, ...]
    responses: tuple[dict[str, Any], ...]
    error: dict[str, Any] | None
    close_code: int | None
    finished: bool
    active: bool
    started_at: float
    ended_at: float | None
    measured_as: str

    @property
    def final_tokens(self) -> list[dict[str, Any]]:
        """Every final token the session sent, in order."""
        return [t for r in self.responses for t in r.get("tokens", []) if t.get("is_final")]

    @property
    def final_words(self) -> list[str]:
        """Final word tokens without their leading space (no ``<end>``/``<fin>``, no translations)."""
        return [
            t["text"].strip()
            for t in self.final_tokens
            if t["text"] not in ("<end>", "<fin>") and t.get("translation_status") != "translation"
        ]

    @property
    def final_text(self) -> str:
        """The final words as plain text, one space between words (turn boundaries included)."""
        return " ".join(self.final_words)


@dataclass
class RealtimeSessionRecord:
    """Mutable per-connection record; ``snapshot()`` freezes it for tests."""

    index: int
    started_at: float
    config: dict[str, Any] | None = None
    auth_method: str | None = None
    key_kind: str | None = None
    audio: bytearray = field(default_factory=bytearray)
    audio_bytes: int = 0
    frames: int = 0
    audio_ms: float = 0.0
    controls: list[ControlMessage] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    close_code: int | None = None
    finished: bool = False
    active: bool = True
    ended_at: float | None = None
    measured_as: str = ""
    accepted: bool = False

    def snapshot(self) -> RealtimeSessionSnapshot:
        return RealtimeSessionSnapshot(
            index=self.index,
            config=None if self.config is None else dict(self.config),
            auth_method=self.auth_method,
            key_kind=self.key_kind,
            audio=bytes(self.audio),
            audio_bytes=self.audio_bytes,
            frames=self.frames,
            audio_ms=self.audio_ms,
            controls=tuple(self.controls),
            responses=tuple(self.responses),
            error=self.error,
            close_code=self.close_code,
            finished=self.finished,
            active=self.active,
            started_at=self.started_at,
            ended_at=self.ended_at,
            measured_as=self.measured_as,
        )


@dataclass
class RealtimeInjection:
    """A fault a test wants in a coming real-time session (see ``FakeSoniox.inject_realtime``)."""

    error_code: int | None = None
    error_type: str | None = None
    message: str | None = None
    after_audio_ms: float = 0.0
    abrupt_close: bool = False
    response_delay_s: float = 0.0
    session_index: int | None = None
    times: int = 1


@dataclass
class FailRule:
    """A REST fault: the next ``times`` requests matching method + path regex get this error."""

    method: str
    path_regex: str
    status: int
    error_type: str | None
    message: str | None
    times: int


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook attempt, for tests to inspect."""

    transcription_id: str
    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    attempt: int
    status_code: int | None
    error: str | None
