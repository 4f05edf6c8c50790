"""Turn whatever failed into words a user can act on.

Everything the UI shows about a failure goes through :func:`describe_error`, so each error type
from the service (and each local failure: no network, refused connection, bad file) reads the
same everywhere, says what happened and what to do, and never echoes a key.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from desktop.core.logs import REDACTOR


@dataclass(frozen=True)
class UserError:
    title: str
    message: str
    action: str
    retriable: bool = False
    error_type: str = ""
    status_code: int | None = None

    @property
    def text(self) -> str:
        return f"{self.message} {self.action}".strip()


_BY_TYPE: dict[str, tuple[str, str, str]] = {
    "unauthenticated": (
        "API key not accepted",
        "Soniox did not accept the API key.",
        "Check the key in Settings, or create a new one at console.soniox.com.",
    ),
    "permission_denied": (
        "Not allowed",
        "This API key lacks the permission for that action.",
        "Enable the permission for the key in the Soniox console, or use another key.",
    ),
    "temp_api_key_session_expired": (
        "Session time limit reached",
        "The temporary key's session time ran out.",
        "Start a new session.",
    ),
    "organization_balance_exhausted": (
        "Out of credit",
        "Your Soniox organization has no balance left.",
        "Add credit in the Soniox console, then try again.",
    ),
    "organization_monthly_budget_exhausted": (
        "Monthly budget reached",
        "Your organization's monthly budget is used up.",
        "Raise the budget in the Soniox console, or wait for the next month.",
    ),
    "project_monthly_budget_exhausted": (
        "Project budget reached",
        "This project's monthly budget is used up.",
        "Raise the project budget in the Soniox console, or wait for the next month.",
    ),
    "limit_exceeded": (
        "Limit reached",
        "A Soniox usage limit was reached.",
        "Wait a moment and try again; delete old files or transcriptions if the limit is on their count.",
    ),
    "file_not_found": (
        "File not found",
        "That file is no longer on Soniox.",
        "Refresh the list; upload the file again if you still need it.",
    ),
    "transcription_not_found": (
        "Transcription not found",
        "That transcription is no longer on Soniox.",
        "Refresh the list.",
    ),
    "transcription_invalid_state": (
        "Not possible right now",
        "The transcription is not in a state that allows this.",
        "Wait until it has finished, then try again.",
    ),
    "internal_error": (
        "Soniox had a problem",
        "The Soniox service hit an internal error.",
        "Try again in a moment.",
    ),
    "service_unavailable": (
        "Service interrupted",
        "The Soniox service asked to restart the request.",
        "The app retries by itself; if it keeps failing, try again later.",
    ),
    "request_timeout": (
        "Request timed out",
        "The Soniox service timed the request out.",
        "The app retries by itself; check that audio is flowing.",
    ),
}

_BY_STATUS: dict[int, str] = {
    401: "unauthenticated",
    402: "organization_balance_exhausted",
    403: "permission_denied",
    404: "transcription_not_found",
    408: "request_timeout",
    409: "transcription_invalid_state",
    429: "limit_exceeded",
    500: "internal_error",
    503: "service_unavailable",
}

RETRIABLE_STATUSES = frozenset({408, 500, 502, 503, 504})


def describe_service_error(status_code: int | None, error_type: str | None, message: str | None) -> UserError:
    """Describe an error the service reported (REST body or realtime error frame)."""
    etype = error_type or _BY_STATUS.get(status_code or 0, "")
    retriable = (status_code or 0) in RETRIABLE_STATUSES or (status_code or 0) >= 500
    server_text = REDACTOR((message or "").strip())
    if etype in _BY_TYPE:
        title, what, action = _BY_TYPE[etype]
        if etype == "limit_exceeded" and server_text:
            what = server_text
        if etype == "temp_api_key_session_expired" and status_code == 403:
            retriable = False
        return UserError(title, what, action, retriable, etype, status_code)
    if status_code == 400 or etype in ("invalid_request", "model_not_available", "invalid_cursor"):
        return UserError(
            "Request not accepted",
            server_text or "Soniox rejected the request as invalid.",
            "Check the options you chose and try again.",
            False,
            etype or "invalid_request",
            status_code,
        )
    return UserError(
        "Soniox reported an error",
        server_text or f"The service answered with status {status_code}.",
        "Try again; if it keeps happening, open the logs folder from the Help menu and report it.",
        retriable,
        etype,
        status_code,
    )


def describe_error(exc: BaseException) -> UserError:
    """Describe any exception from the SDK, the network or the app for the user."""
    # Imported here, not at the top: the SDK and httpx take ~150 ms to import, and the main
    # window (which imports this module) must paint before anything needs them.
    import httpx
    from soniox.errors import (
        SonioxAPIError,
        SonioxInvalidRequestError,
        SonioxRealtimeError,
        SonioxValidationError,
    )

    if isinstance(exc, SonioxAPIError):
        api_error = getattr(exc, "api_error", None)
        etype = getattr(api_error, "error_type", None)
        message = getattr(api_error, "message", None) or str(exc)
        result = describe_service_error(exc.status_code, etype, message)
        if isinstance(exc, SonioxInvalidRequestError) and api_error is not None:
            details = "; ".join(
                f"{v.location.removeprefix('body.payload.')}: {v.message}" for v in (api_error.validation_errors or [])
            )
            if details:
                result = UserError(result.title, f"{message} ({details})", result.action, False, etype or "", 400)
        return result
    if isinstance(exc, SonioxValidationError):
        return UserError("Invalid options", REDACTOR(str(exc)), "Correct the options and try again.")
    if isinstance(exc, SonioxRealtimeError):
        return UserError(
            "Could not reach Soniox",
            "The live connection to Soniox could not be opened or was lost.",
            "Check your internet connection and the region in Settings; the app retries by itself.",
            True,
            "connection_error",
        )
    # httpx raises its own TimeoutException (not a TimeoutError subclass); asyncio and sockets raise TimeoutError.
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return UserError(
            "Soniox did not answer in time",
            "The request timed out.",
            "Check your internet connection and try again.",
            True,
            "timeout",
        )
    if isinstance(exc, (httpx.TransportError, ConnectionError, socket.gaierror)):
        return UserError(
            "Could not reach Soniox",
            "The app could not connect to the Soniox service.",
            "Check your internet connection, proxy and the region in Settings, then try again.",
            True,
            "connection_error",
        )
    if isinstance(exc, FileNotFoundError):
        return UserError("File not found", REDACTOR(str(exc)), "Check that the file still exists.")
    if isinstance(exc, OSError):  # a local file or device problem, not the network
        where = f" ({exc.filename})" if exc.filename else ""
        return UserError(
            "Could not read or write a file",
            REDACTOR(f"{exc.strerror or type(exc).__name__}{where}."),
            "Check that the file exists, is readable and is not in use, then try again.",
            error_type="os_error",
        )
    return UserError(
        "Something went wrong",
        REDACTOR(f"{type(exc).__name__}: {exc}"),
        "Try again; if it keeps happening, open the logs folder from the Help menu and report it.",
    )


__all__ = [
    "RETRIABLE_STATUSES",
    "UserError",
    "describe_error",
    "describe_service_error",
]
