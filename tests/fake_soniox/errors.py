"""Error catalogue of the emulator: one place for every error body and message it can send.

The REST messages are copied verbatim from the ``example`` of each error response in Soniox's
OpenAPI file (``tests/data/openapi.json``), because client code (and our app's UI) shows them
to users and tests compare them. The real-time messages come from the "Error response" list of
Soniox's WebSocket API reference. Where neither source gives a text (noted per entry) the
message is written in the same style and is marked ``# not documented`` so it is easy to find.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

MORE_INFO_BASE = "https://soniox.com/docs/api-reference/errors#"

# --- REST messages (OpenAPI examples) -------------------------------------------------------
MSG_UNAUTHENTICATED = "Incorrect API key provided. You can get an API key at https://console.soniox.com"
MSG_INVALID_REQUEST = (
    "Your request did not pass validation. One or more fields in the request body are missing or "
    "have invalid values. See `validation_errors` for the specific field and retry with corrected values."
)
MSG_INVALID_CURSOR = "The `cursor` parameter is invalid. Omit `cursor` to start pagination from the beginning."
MSG_INTERNAL = "The server encountered an error. Please try again. If the issue persists contact support@soniox.com."
MSG_FILE_NOT_FOUND = (
    "No file with this ID exists in your project. The file may have been deleted, the ID may be "
    "incorrect, or the file may belong to a different project. Verify the ID by listing files with "
    "GET /files."
)
MSG_TRANSCRIPTION_NOT_FOUND = (
    "No transcription with this ID exists in your project. It may have been deleted, the ID may be "
    "incorrect, or the transcription may belong to a different project. Verify the ID by listing "
    "transcriptions with GET /transcriptions."
)
MSG_DELETE_PROCESSING = (
    "This transcription is currently being processed and cannot be deleted yet. Wait until `status` "
    "reaches `completed` or `error` (check via GET /transcriptions/{id}), then retry the delete."
)
MSG_TRANSCRIPT_NOT_READY = (
    "The transcript is not ready yet \u2014 transcription is still in progress. Poll GET "
    "/transcriptions/{id} until `status` is `completed`, or configure a webhook when creating the "
    "transcription to be notified when it finishes."
)
# not documented: the OAS names this sub-case ("Failed") but gives no example text.
MSG_TRANSCRIPT_FAILED = (
    "The transcript is not available \u2014 the transcription failed. Inspect `error_type` and "
    "`error_message` on GET /transcriptions/{id} for the failure reason."
)
MSG_FILE_COUNT_LIMIT = "Total file count limit has been exceeded for your organization. Please delete some."
# not documented: worded like the file-count message above.
MSG_FILE_SIZE_LIMIT = "Total file size limit has been exceeded for your organization. Please delete some."
MSG_TRANSCRIPTION_COUNT_LIMIT = (
    "Total transcription count limit for your organization has been exceeded. Please delete some."
)
# not documented: worded like the total-count message above.
MSG_PENDING_LIMIT = (
    "Pending transcription count limit for your organization has been exceeded. "
    "Wait for some transcriptions to start processing."
)
RPM_MESSAGES: dict[str, str] = {
    "files": "Requests per minute limit for file management has been exceeded for your organization.",
    "transcriptions": ("Requests per minute limit for async transcription has been exceeded for your organization."),
    "models": "Requests per minute limit for model listing has been exceeded for your organization.",
    "auth": ("Requests per minute limit for temporary API key creation has been exceeded for your organization."),
    "": "Requests per minute limit has been exceeded for your organization.",
}
BALANCE_MESSAGES: dict[str, str] = {
    "organization_balance_exhausted": (
        "Organization balance exhausted. Please either add funds manually or enable autopay."
    ),
    # These two come from the real-time error list; the OAS only exemplifies the first type.
    "organization_monthly_budget_exhausted": "Organization monthly budget exhausted. Please increase it.",
    "project_monthly_budget_exhausted": "Project monthly budget exhausted. Please increase it.",
}

# --- real-time messages (WebSocket API reference, "Error response") ---------------------------
RT_INVALID_MODEL = "Invalid model specified."
RT_MISSING_CHANNELS = "Audio data channels must be specified for PCM formats"
RT_MISSING_SAMPLE_RATE = "Audio data sample rate must be specified for PCM formats"
RT_MISSING_FORMAT = (
    "Missing audio format. Specify a valid audio format (e.g. s16le, f32le, wav, ogg, flac...) "
    'or "auto" for auto format detection.'
)
RT_CLIENT_REF_TOO_LONG = "Client reference ID is too long (max length 256)"
RT_CONTEXT_TOO_LONG = "Context is too long (max length 10000)."
RT_CONTROL_INVALID_TYPE = "Control request invalid type."
RT_CONTROL_MALFORMED = "Control request is malformed."
RT_INVALID_LANGUAGE_HINT = "Invalid language hint."
RT_DUPLICATE_LANGUAGE_HINTS = "Language hints must be unique."
RT_INVALID_TRANSLATION_TARGET = "Invalid translation target language."
RT_START_MALFORMED = "Start request is malformed."
RT_START_NOT_TEXT = "Start request must be a text message."
RT_NO_AUDIO = "No audio received."
RT_MISSING_API_KEY = (
    "Missing API key. Provide it as an Authorization header (Authorization: Bearer <key>) "
    "on the WebSocket upgrade request."
)
RT_INVALID_API_KEY = "Invalid API key."
RT_INVALID_TEMP_KEY = "Invalid/expired temporary API key."
# not documented: the SDK says sending the key in both places "is rejected"; no text is given.
RT_BOTH_API_KEYS = (
    "API key provided both in the Authorization header and in the api_key field of the start "
    "request. Send it only in the Authorization header."
)
# not documented: the 403 type exists in the error taxonomy; the text is ours.
RT_TEMP_SESSION_EXPIRED = "Temporary API key session duration limit reached."
RT_REQUEST_TIMEOUT = "Request timeout."
RT_START_TIMEOUT = "Start request timeout"
RT_CONCURRENCY = "Your organization has exceeded max number of concurrent requests."
RT_INTERNAL = (
    "The server had an error processing your request. Sorry about that! You can retry your request, "
    "or contact us through our support email support@soniox.com if you keep seeing this error."
)
RT_SERVICE_UNAVAILABLE = "Cannot continue request (code 11). Please restart the request."

# Default message when a test injects an error by status/type without giving one.
DEFAULT_TYPE_FOR_STATUS: dict[int, str] = {
    400: "invalid_request",
    401: "unauthenticated",
    402: "organization_balance_exhausted",
    403: "permission_denied",
    404: "not_found",
    408: "request_timeout",
    409: "transcription_invalid_state",
    429: "limit_exceeded",
    500: "internal_error",
    503: "service_unavailable",
}
DEFAULT_MESSAGE_FOR_TYPE: dict[str, str] = {
    "invalid_request": MSG_INVALID_REQUEST,
    "invalid_cursor": MSG_INVALID_CURSOR,
    "unauthenticated": MSG_UNAUTHENTICATED,
    "file_not_found": MSG_FILE_NOT_FOUND,
    "transcription_not_found": MSG_TRANSCRIPTION_NOT_FOUND,
    "transcription_invalid_state": MSG_DELETE_PROCESSING,
    "internal_error": MSG_INTERNAL,
    # not documented for REST; the real-time list has the same situations.
    "permission_denied": "This API key does not have permission to perform this action.",
    "request_timeout": RT_REQUEST_TIMEOUT,
    "service_unavailable": RT_SERVICE_UNAVAILABLE,
    "not_found": "Not found.",
    **BALANCE_MESSAGES,
}


def more_info_url(error_type: str) -> str:
    """Return the docs link Soniox puts in ``more_info``: the type with dashes for underscores."""
    return MORE_INFO_BASE + error_type.replace("_", "-")


def new_request_id() -> str:
    """Every error carries a fresh uuid4 request id, like the real service."""
    return str(uuid.uuid4())


@dataclass
class ValidationIssue:
    """One entry of ``validation_errors`` (OAS ``ApiErrorValidationError``)."""

    error_type: str
    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"error_type": self.error_type, "location": self.location, "message": self.message}


@dataclass
class ApiFailure(Exception):
    """Raised by REST handlers; the middleware turns it into an OAS ``ApiError`` response.

    Using an exception keeps the handlers linear (validate, look up, act) instead of
    threading error returns through every helper.
    """

    status: int
    error_type: str
    message: str
    validation_errors: list[ValidationIssue] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "status_code": self.status,
            "error_type": self.error_type,
            "message": self.message,
            "validation_errors": [v.as_dict() for v in self.validation_errors],
            "request_id": new_request_id(),
            "more_info": more_info_url(self.error_type),
        }


def invalid_request(*issues: ValidationIssue) -> ApiFailure:
    """The 400 every body/query validation failure becomes, with its per-field issues."""
    return ApiFailure(400, "invalid_request", MSG_INVALID_REQUEST, list(issues))


def injected_failure(status: int, error_type: str | None, message: str | None, area: str) -> ApiFailure:
    """Build the error a test asked for with ``fail_next``; fill in a realistic type and text."""
    etype = error_type or DEFAULT_TYPE_FOR_STATUS.get(status, "internal_error")
    if message is None:
        if etype == "limit_exceeded":
            message = RPM_MESSAGES.get(area, RPM_MESSAGES[""])
        elif etype == "not_found" and area in ("files", "transcriptions"):
            etype = "file_not_found" if area == "files" else "transcription_not_found"
            message = DEFAULT_MESSAGE_FOR_TYPE[etype]
        else:
            message = DEFAULT_MESSAGE_FOR_TYPE.get(etype, MSG_INTERNAL)
    return ApiFailure(status, etype, message)


@dataclass
class RealtimeFailure(Exception):
    """A real-time error: sent as one JSON frame, after which the socket is closed."""

    code: int
    error_type: str
    message: str

    def frame(self) -> dict[str, Any]:
        return {
            "tokens": [],
            "error_code": self.code,
            "error_type": self.error_type,
            "error_message": self.message,
            "request_id": new_request_id(),
            "more_info": more_info_url(self.error_type),
        }


def rt_invalid(message: str, error_type: str = "invalid_request") -> RealtimeFailure:
    """Shorthand for the many 400s of config validation."""
    return RealtimeFailure(400, error_type, message)
