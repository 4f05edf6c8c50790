"""Which live-session failures are worth reconnecting for, and how long to wait between attempts.

The service ends a realtime session with an error frame (``error_code``, ``error_message`` and an
``error_type``) followed by a close. Some codes mean "this will never work as sent" (400 bad
config, 401 key, 402 credit, 403 permission, 429 limit): retrying would only repeat the error,
so the session stops and shows it. Others (408, 500, 503) and a connection that simply vanishes
are transient: the Soniox docs ask clients to restart the request, which the session does on its
own, replaying the audio the service had not finalised.
"""

from __future__ import annotations

import json

from soniox.errors import SonioxRealtimeError
from soniox.types import RealtimeEvent

from desktop.core.backoff import Backoff
from desktop.core.errors import UserError, describe_error, describe_service_error

DEFAULT_MAX_RECONNECTS = 8


def default_reconnect_backoff() -> Backoff:
    """0.5 s, 1 s, 2 s, 4 s, then 8 s between attempts; gives up after Soniox failed eight times in a row.

    Attempts that cannot reach Soniox at all are not failures of the service and are not counted
    (the session waits out a network outage while its buffer holds the audio).
    """
    return Backoff(initial=0.5, factor=2.0, cap=8.0, jitter=0.1, max_attempts=DEFAULT_MAX_RECONNECTS)


def error_from_event(event: RealtimeEvent) -> UserError:
    """Describe an error frame; ``error_type`` is an extra field the SDK model keeps but does not declare."""
    extra = event.model_extra or {}
    error_type = extra.get("error_type")
    return describe_service_error(
        event.error_code, error_type if isinstance(error_type, str) else None, event.error_message
    )


def error_from_connect_failure(exc: BaseException) -> UserError:
    """Describe a failed WebSocket handshake.

    The SDK wraps everything in ``SonioxRealtimeError``; when the server refused the upgrade with an
    HTTP status (e.g. 401 for a wrong key) the cause carries it, and that status decides whether a
    retry can help.
    """
    cause = exc.__cause__ if isinstance(exc, SonioxRealtimeError) else exc
    response = getattr(cause, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        error_type, message = _error_body(getattr(response, "body", b""))
        return describe_service_error(status, error_type, message)
    return describe_error(exc)


def is_unreachable(exc: BaseException) -> bool:
    """True when the handshake failed without Soniox answering at all (no network, refused, timed out).

    Such attempts bill nothing and say nothing about the service, so the session keeps trying for
    as long as the outage lasts rather than giving up after a fixed number of attempts.
    """
    cause = exc.__cause__ if isinstance(exc, SonioxRealtimeError) else exc
    status = getattr(getattr(cause, "response", None), "status_code", None)
    return not isinstance(status, int)


def _error_body(body: object) -> tuple[str | None, str | None]:
    if not isinstance(body, (bytes, bytearray)) or not body:
        return None, None
    try:
        data = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    etype = data.get("error_type")
    message = data.get("error_message") or data.get("message")
    return (etype if isinstance(etype, str) else None, message if isinstance(message, str) else None)


STALLED = UserError(
    "Connection lost",
    "Soniox stopped answering while audio was being sent.",
    "The app reconnects by itself and sends the audio captured meanwhile.",
    True,
    "connection_stalled",
)

DROPPED = UserError(
    "Connection lost",
    "The live connection to Soniox was interrupted.",
    "The app reconnects by itself and sends the audio captured meanwhile.",
    True,
    "connection_lost",
)
