"""Every error the service can send reads as something a user can act on, and never shows a key."""

from __future__ import annotations

import httpx
import pytest
from soniox import AsyncSonioxClient

from desktop.core.errors import describe_error, describe_service_error

CASES = [
    (400, "invalid_request", "Request not accepted", "options"),
    (401, "unauthenticated", "API key not accepted", "Settings"),
    (402, "organization_balance_exhausted", "Out of credit", "credit"),
    (402, "project_monthly_budget_exhausted", "Project budget reached", "budget"),
    (404, "transcription_not_found", "Transcription not found", "Refresh"),
    (409, "transcription_invalid_state", "Not possible right now", "Wait"),
    (429, "limit_exceeded", "Limit reached", "try again"),
    (500, "internal_error", "Soniox had a problem", "Try again"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "etype", "title", "action_word"), CASES)
async def test_rest_errors_from_the_service(fake_soniox, status, etype, title, action_word) -> None:  # noqa: ANN001
    fake_soniox.fail_next("GET", r"/v1/transcriptions$", status, etype)
    client = AsyncSonioxClient(api_key="test-key", api_base_url=fake_soniox.api_base_url)
    try:
        with pytest.raises(Exception) as caught:
            await client.stt.list()
    finally:
        await client.aclose()
    err = describe_error(caught.value)
    assert err.title == title
    assert action_word.lower() in err.action.lower()
    assert err.status_code == status
    assert "test-key" not in err.text
    assert err.retriable == (status >= 500)


@pytest.mark.asyncio
async def test_validation_errors_are_listed(fake_soniox) -> None:  # noqa: ANN001
    client = AsyncSonioxClient(api_key="test-key", api_base_url=fake_soniox.api_base_url)
    try:
        with pytest.raises(Exception) as caught:
            await client.stt.create(model="no-such-model", audio_url="https://example.com/a.mp3")
    finally:
        await client.aclose()
    err = describe_error(caught.value)
    assert "model" in err.message and "Invalid model" in err.message


def test_realtime_error_frames() -> None:
    assert describe_service_error(503, "service_unavailable", "Cannot continue request (code 11).").retriable
    assert describe_service_error(408, "request_timeout", "Request timeout.").retriable
    assert not describe_service_error(401, None, "Invalid API key.").retriable
    limit = describe_service_error(429, "limit_exceeded", "Concurrent requests limit exceeded.")
    assert limit.message == "Concurrent requests limit exceeded." and not limit.retriable


def test_network_failures_say_to_check_the_connection() -> None:
    err = describe_error(httpx.ConnectError("[Errno 111] Connection refused"))
    assert err.title == "Could not reach Soniox" and err.retriable
    assert "internet connection" in err.action


def test_unexpected_exceptions_are_redacted() -> None:
    from desktop.core.logs import REDACTOR

    REDACTOR.add_secret("super-secret-key-42")
    err = describe_error(RuntimeError("boom with super-secret-key-42 inside"))
    assert "super-secret-key-42" not in err.text and "[REDACTED]" in err.text


def test_local_file_errors_are_not_called_network_errors(tmp_path) -> None:  # noqa: ANN001
    err = describe_error(PermissionError(13, "Permission denied", str(tmp_path / "talk.wav")))
    assert err.title == "Could not read or write a file"
    assert "Permission denied" in err.message and "talk.wav" in err.message
    assert "internet" not in err.text
    assert describe_error(ConnectionResetError(104, "Connection reset by peer")).title == "Could not reach Soniox"
    assert describe_error(TimeoutError()).title == "Soniox did not answer in time"
