"""Models, temporary keys, authentication, and injected REST faults."""

from __future__ import annotations

import time

import pytest
from soniox import SonioxClient
from soniox.errors import (
    SonioxAPIError,
    SonioxAuthenticationError,
    SonioxConflictError,
    SonioxInvalidRequestError,
    SonioxNotFoundError,
    SonioxPermissionDeniedError,
    SonioxRateLimitError,
    SonioxServerError,
)
from soniox.types import ApiError, CreateTemporaryApiKeyResponse, GetModelsResponse

from tests.emulator.helpers import rest
from tests.emulator.oas import assert_matches_oas, assert_schema, example_message
from tests.fake_soniox import FakeSoniox
from tests.fake_soniox.models_catalog import openapi

UNAUTHENTICATED = "Incorrect API key provided. You can get an API key at https://console.soniox.com"


def test_models_catalogue(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        body = http.get("/models").json()
    assert_matches_oas(body, "/v1/models", "get", 200)
    models = {m.id: m for m in GetModelsResponse.model_validate(body).models}
    assert list(models) == ["stt-rt-v5", "stt-rt-v4", "stt-rt-v3", "stt-async-v5", "stt-async-v4", "stt-async-v3"]
    example = openapi()["components"]["schemas"]["GetModelsResponse"]["example"]["models"][0]["languages"]
    assert len(example) == 60
    assert all([lang.model_dump() for lang in m.languages] == example for m in models.values())
    v5 = models["stt-rt-v5"]
    assert v5.supports_endpoint_sensitivity and v5.supports_max_endpoint_delay
    assert v5.endpoint_latency_adjustment_max_level == 3 and v5.supports_language_hints_strict
    assert models["stt-rt-v4"].aliased_model_id == "stt-rt-v5"
    assert models["stt-async-v4"].aliased_model_id == "stt-async-v5"
    assert not models["stt-rt-v3"].supports_max_endpoint_delay
    assert {m.transcription_mode for m in models.values()} == {"real_time", "async"}
    assert client.models.list().models[0].id == "stt-rt-v5"


def test_temporary_key(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    before = time.time()
    key = client.auth.create_temporary_api_key(expires_in_seconds=60, client_reference_id="me")
    assert key.api_key.startswith("snx_temp_")
    assert 55 <= key.expires_at.timestamp() - before <= 65
    with rest(fake_soniox) as http:
        resp = http.post(
            "/auth/temporary-api-key", json={"usage_type": "transcribe_websocket", "expires_in_seconds": 10}
        )
    assert resp.status_code == 201
    assert_matches_oas(resp.json(), "/v1/auth/temporary-api-key", "post", 201)
    CreateTemporaryApiKeyResponse.model_validate(resp.json())
    # A temporary key is for the WebSocket only.
    with rest(fake_soniox, key=key.api_key) as http:
        denied = http.get("/models")
    assert denied.status_code == 401 and denied.json()["message"] == UNAUTHENTICATED


@pytest.mark.parametrize(
    ("body", "issue"),
    [
        (
            {"usage_type": "transcribe_websocket", "expires_in_seconds": 3601},
            {
                "error_type": "less_than_equal",
                "location": "body.payload.expires_in_seconds",
                "message": "Input should be less than or equal to 3600",
            },
        ),
        (
            {"usage_type": "transcribe_websocket", "expires_in_seconds": 0},
            {
                "error_type": "greater_than_equal",
                "location": "body.payload.expires_in_seconds",
                "message": "Input should be greater than or equal to 1",
            },
        ),
        (
            {"usage_type": "transcribe_websocket"},
            {"error_type": "missing", "location": "body.payload.expires_in_seconds", "message": "Field required"},
        ),
        (
            {"usage_type": "speak", "expires_in_seconds": 5},
            {
                "error_type": "enum",
                "location": "body.payload.usage_type",
                "message": "Input should be 'transcribe_websocket' or 'tts_rt'",
            },
        ),
        (
            {"usage_type": "tts_rt", "expires_in_seconds": 5, "max_session_duration_seconds": 18001},
            {
                "error_type": "less_than_equal",
                "location": "body.payload.max_session_duration_seconds",
                "message": "Input should be less than or equal to 18000",
            },
        ),
        (
            {"usage_type": "tts_rt", "expires_in_seconds": 5, "client_reference_id": "x" * 257},
            {
                "error_type": "string_too_long",
                "location": "body.payload.client_reference_id",
                "message": "String should have at most 256 characters",
            },
        ),
    ],
)
def test_temporary_key_validation(fake_soniox: FakeSoniox, body: dict[str, object], issue: dict[str, str]) -> None:
    with rest(fake_soniox) as http:
        resp = http.post("/auth/temporary-api-key", json=body)
    assert resp.status_code == 400
    assert_matches_oas(resp.json(), "/v1/auth/temporary-api-key", "post", 400)
    assert resp.json()["validation_errors"] == [issue]


def test_the_oas_temp_key_example_error(fake_soniox: FakeSoniox) -> None:
    documented = openapi()["paths"]["/v1/auth/temporary-api-key"]["post"]["responses"]["400"]
    example = documented["content"]["application/json"]["example"]
    with rest(fake_soniox) as http:
        body = http.post(
            "/auth/temporary-api-key", json={"usage_type": "transcribe_websocket", "expires_in_seconds": 7200}
        ).json()
    assert {k: v for k, v in body.items() if k != "request_id"} == {
        k: v for k, v in example.items() if k != "request_id"
    }


@pytest.mark.parametrize("key", [None, "wrong-key", ""])
@pytest.mark.parametrize(
    ("method", "path", "oas_path"),
    [
        ("GET", "/files", "/v1/files"),
        ("POST", "/files", "/v1/files"),
        ("GET", "/files/count", "/v1/files/count"),
        ("GET", "/transcriptions", "/v1/transcriptions"),
        ("POST", "/transcriptions", "/v1/transcriptions"),
        ("GET", "/models", "/v1/models"),
        ("POST", "/auth/temporary-api-key", "/v1/auth/temporary-api-key"),
    ],
)
def test_every_endpoint_requires_a_key(
    fake_soniox: FakeSoniox, key: str | None, method: str, path: str, oas_path: str
) -> None:
    with rest(fake_soniox, key=key) as http:
        resp = http.request(method, path)
    assert resp.status_code == 401
    body = resp.json()
    assert_matches_oas(body, oas_path, method, 401)
    assert body["error_type"] == "unauthenticated"
    assert body["message"] == example_message(oas_path, method, 401) == UNAUTHENTICATED
    assert body["more_info"] == "https://soniox.com/docs/api-reference/errors#unauthenticated"


def test_sdk_raises_authentication_error_and_keys_can_change(fake_soniox: FakeSoniox) -> None:
    with SonioxClient(api_key="other", api_base_url=fake_soniox.api_base_url) as other:
        with pytest.raises(SonioxAuthenticationError):
            other.models.list()
        fake_soniox.add_api_key("other")
        assert other.models.list().models
        fake_soniox.remove_api_key("other")
        with pytest.raises(SonioxAuthenticationError):
            other.files.count()


@pytest.mark.parametrize(
    ("status", "error_type", "exc", "expected_type"),
    [
        (400, None, SonioxInvalidRequestError, "invalid_request"),
        (401, None, SonioxAuthenticationError, "unauthenticated"),
        (403, None, SonioxPermissionDeniedError, "permission_denied"),
        (404, None, SonioxNotFoundError, "file_not_found"),
        (409, None, SonioxConflictError, "transcription_invalid_state"),
        (429, None, SonioxRateLimitError, "limit_exceeded"),
        (500, None, SonioxServerError, "internal_error"),
        (503, None, SonioxServerError, "service_unavailable"),
        (402, "project_monthly_budget_exhausted", SonioxAPIError, "project_monthly_budget_exhausted"),
    ],
)
def test_fail_next_maps_to_sdk_exceptions(
    client: SonioxClient,
    fake_soniox: FakeSoniox,
    status: int,
    error_type: str | None,
    exc: type[SonioxAPIError],
    expected_type: str,
) -> None:
    fake_soniox.fail_next("GET", r"^/v1/files$", status, error_type)
    with pytest.raises(exc) as info:
        client.files.list()
    assert info.value.status_code == status
    assert info.value.api_error is not None and info.value.api_error.error_type == expected_type
    assert client.files.list().files == []  # only the next request fails


def test_fail_next_bodies_follow_the_oas(fake_soniox: FakeSoniox) -> None:
    fake_soniox.fail_next("*", r"^/v1/transcriptions$", 429, times=2)
    fake_soniox.fail_next("GET", r"/models", 500)
    with rest(fake_soniox) as http:
        first = http.get("/transcriptions")
        second = http.post("/transcriptions", json={})
        third = http.get("/transcriptions")
        models = http.get("/models")
    for resp, path, method in ((first, "/v1/transcriptions", "get"), (second, "/v1/transcriptions", "post")):
        assert resp.status_code == 429
        assert_matches_oas(resp.json(), path, method, 429)
    assert first.json()["message"] == example_message("/v1/transcriptions", "get", 429)
    assert third.status_code == 200
    assert models.status_code == 500
    assert models.json()["message"] == example_message("/v1/models", "get", 500)
    ApiError.model_validate(models.json())
    assert first.json()["request_id"] != second.json()["request_id"]


def test_latency_is_injected(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_latency(0.3, path_regex=r"^/v1/models")
    start = time.monotonic()
    client.models.list()
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    client.files.count()
    assert time.monotonic() - start < 0.3
    fake_soniox.clear_faults()


def test_unknown_path_and_bad_json(fake_soniox: FakeSoniox) -> None:
    with rest(fake_soniox) as http:
        unknown = http.get("/nothing-here")
        bad = http.post("/transcriptions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert unknown.status_code == 404
    assert_schema(unknown.json(), "ApiError")
    assert bad.status_code == 400 and bad.json()["validation_errors"][0]["error_type"] == "json_invalid"
