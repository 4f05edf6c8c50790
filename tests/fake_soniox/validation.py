"""Request validation that reports errors the way the real service does.

Soniox's REST API is pydantic-validated on the server: its ``validation_errors`` entries carry
pydantic's own ``error_type`` (``missing``, ``less_than_equal`` ...) and message ("Input should
be less than or equal to 3600"), and a dotted ``location`` such as ``body.payload.expires_in_seconds``.
Mirroring the OAS schemas as pydantic models here reproduces those entries exactly instead of
approximating them by hand. Schemas do not forbid extra properties, so unknown fields are ignored.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from .errors import ApiFailure, ValidationIssue, invalid_request
from .models_catalog import find_model

URL_PATTERN = r"^https?://[^\s]+$"

Str256 = Annotated[str, Field(max_length=256)]


class TranslationType(str, enum.Enum):
    one_way = "one_way"
    two_way = "two_way"


class TranslationConfig(BaseModel):
    """OAS ``TranslationConfig``; the per-type required fields are enforced like the SDK does."""

    type: TranslationType
    target_language: str | None = None
    language_a: str | None = None
    language_b: str | None = None

    @model_validator(mode="after")
    def _per_type_fields(self) -> TranslationConfig:
        if self.type is TranslationType.one_way and not self.target_language:
            raise ValueError("target_language is required for one_way translation")
        if self.type is TranslationType.two_way and not (self.language_a and self.language_b):
            raise ValueError("language_a and language_b are required for two_way translation")
        return self


class StructuredContextGeneralItem(BaseModel):
    key: str
    value: str


class StructuredContextTranslationTerm(BaseModel):
    source: str
    target: str


class StructuredContext(BaseModel):
    general: list[StructuredContextGeneralItem] | None = None
    text: str | None = None
    terms: list[str] | None = None
    translation_terms: list[StructuredContextTranslationTerm] | None = None


class CreateTranscriptionIn(BaseModel):
    """OAS ``CreateTranscriptionPayload``."""

    model: Annotated[str, Field(max_length=32)]
    audio_url: Annotated[str, Field(max_length=4096, pattern=URL_PATTERN)] | None = None
    file_id: UUID | None = None
    language_hints: Annotated[list[Annotated[str, Field(max_length=10)]], Field(max_length=100)] | None = None
    language_hints_strict: bool | None = None
    enable_speaker_diarization: bool | None = None
    enable_language_identification: bool | None = None
    translation: TranslationConfig | None = None
    context: StructuredContext | str | None = None
    webhook_url: Annotated[str, Field(max_length=256, pattern=URL_PATTERN)] | None = None
    webhook_auth_header_name: Str256 | None = None
    webhook_auth_header_value: Str256 | None = None
    client_reference_id: Str256 | None = None

    @field_validator("model")
    @classmethod
    def _known_async_model(cls, value: str) -> str:
        if find_model(value, "async") is None:
            raise ValueError("Invalid model")
        return value

    @model_validator(mode="after")
    def _one_audio_source(self) -> CreateTranscriptionIn:
        if self.audio_url and self.file_id:
            raise ValueError("Only one of audio_url or file_id can be provided.")
        if not self.audio_url and not self.file_id:
            raise ValueError("Either audio_url or file_id must be provided.")
        return self


class UsageType(str, enum.Enum):
    transcribe_websocket = "transcribe_websocket"
    tts_rt = "tts_rt"


class CreateTemporaryApiKeyIn(BaseModel):
    """OAS ``CreateTemporaryApiKeyPayload``."""

    usage_type: UsageType
    expires_in_seconds: Annotated[int, Field(ge=1, le=3600)]
    client_reference_id: Str256 | None = None
    single_use: bool | None = None
    max_session_duration_seconds: Annotated[int, Field(ge=1, le=18000)] | None = None


class ListQueryIn(BaseModel):
    """The ``limit``/``cursor`` query parameters shared by the list endpoints."""

    limit: Annotated[int, Field(ge=1, le=1000)] = 1000
    cursor: str | None = None


class UploadFieldsIn(BaseModel):
    """The non-file multipart fields of ``POST /v1/files``."""

    client_reference_id: Str256 | None = None


ModelT = TypeVar("ModelT", bound=BaseModel)


def issues_from(exc: ValidationError, prefix: str) -> list[ValidationIssue]:
    """Translate pydantic errors into ``validation_errors`` entries under ``prefix``."""
    issues: list[ValidationIssue] = []
    for err in exc.errors(include_url=False):
        loc = ".".join([prefix, *(str(part) for part in err["loc"])])
        message = err["msg"]
        if err["type"] == "value_error" and message.startswith("Value error, "):
            # The service reports its own checks without pydantic's prefix ("Invalid model").
            message = message.removeprefix("Value error, ")
        issues.append(ValidationIssue(err["type"], loc, message))
    return issues


def parse(model: type[ModelT], data: Any, prefix: str) -> ModelT:
    """Validate ``data`` or raise the 400 ``invalid_request`` the service would send."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_request(*issues_from(exc, prefix)) from None


def json_body_error() -> ApiFailure:
    """A body that is not JSON at all."""
    return invalid_request(ValidationIssue("json_invalid", "body", "JSON decode error"))
