"""Transcriptions API: create/validate, the job clock, transcripts, delete rules, paging, webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from soniox import SonioxClient
from soniox.errors import (
    SonioxAPIError,
    SonioxConflictError,
    SonioxInvalidRequestError,
    SonioxNotFoundError,
    SonioxRateLimitError,
)
from soniox.types import (
    CreateTranscriptionConfig,
    GetTranscriptionsResponse,
    Transcription,
    TranscriptionTranscript,
    TranslationConfig,
)

from tests.emulator.helpers import rest
from tests.emulator.oas import assert_matches_oas, example_message
from tests.fake_soniox import FakeSoniox, script_text
from tests.fake_soniox.errors import MSG_TRANSCRIPT_FAILED

URL = "https://example.com/audio/coffee_shop.mp3"
TRANSCRIPTION = "/v1/transcriptions/{transcription_id}"


def create(http_body: dict[str, Any], emu: FakeSoniox) -> Any:
    with rest(emu) as http:
        return http.post("/transcriptions", json=http_body)


def test_create_from_url_is_queued_and_oas_shaped(fake_soniox: FakeSoniox) -> None:
    resp = create(
        {
            "model": "stt-async-v5",
            "audio_url": URL,
            "client_reference_id": "r1",
            "webhook_url": "http://127.0.0.1:9/hook",
            "webhook_auth_header_name": "X-Auth",
            "webhook_auth_header_value": "s3cret",
            "unknown_field": 1,
        },
        fake_soniox,
    )
    assert resp.status_code == 201
    body = resp.json()
    assert_matches_oas(body, "/v1/transcriptions", "post", 201)
    Transcription.model_validate(body)
    assert body["status"] == "queued"
    assert body["filename"] == "coffee_shop.mp3"
    assert body["audio_duration_ms"] is None
    assert body["webhook_status_code"] is None
    assert body["webhook_auth_header_value"] == "******************"
    assert body["created_at"].endswith("Z")
    assert fake_soniox.transcription(body["id"])["request"]["webhook_auth_header_value"] == "s3cret"


def test_create_from_file_uses_its_name(client: SonioxClient) -> None:
    uploaded = client.files.upload(b"RIFF", filename="interview.wav")
    job = client.stt.create(model="stt-async-v5", file_id=uploaded.id)
    assert job.file_id == uploaded.id and job.filename == "interview.wav" and job.audio_url is None


@pytest.mark.parametrize(
    ("body", "issue"),
    [
        (
            {"model": "stt-rt-v5", "audio_url": URL},
            {"error_type": "value_error", "location": "body.payload.model", "message": "Invalid model"},
        ),
        (
            {"model": "nope", "audio_url": URL},
            {"error_type": "value_error", "location": "body.payload.model", "message": "Invalid model"},
        ),
        ({"audio_url": URL}, {"error_type": "missing", "location": "body.payload.model", "message": "Field required"}),
        (
            {"model": "stt-async-v5"},
            {
                "error_type": "value_error",
                "location": "body.payload",
                "message": "Either audio_url or file_id must be provided.",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "file_id": "84c32fc6-4fb5-4e7a-b656-b5ec70493753"},
            {
                "error_type": "value_error",
                "location": "body.payload",
                "message": "Only one of audio_url or file_id can be provided.",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": "ftp://x/a.mp3"},
            {
                "error_type": "string_pattern_mismatch",
                "location": "body.payload.audio_url",
                "message": "String should match pattern '^https?://[^\\s]+$'",
            },
        ),
        (
            {"model": "stt-async-v5", "file_id": "not-a-uuid"},
            {
                "error_type": "uuid_parsing",
                "location": "body.payload.file_id",
                "message": "Input should be a valid UUID, invalid character: found `n` at 0",
            },
        ),
        (
            {"model": "stt-async-v5", "file_id": "84c32fc6-4fb5-4e7a-b656-b5ec70493753"},
            {"error_type": "value_error", "location": "body.payload.file_id", "message": "File not found"},
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "language_hints": ["en", "x" * 11]},
            {
                "error_type": "string_too_long",
                "location": "body.payload.language_hints.1",
                "message": "String should have at most 10 characters",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "client_reference_id": "x" * 257},
            {
                "error_type": "string_too_long",
                "location": "body.payload.client_reference_id",
                "message": "String should have at most 256 characters",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "translation": {"type": "one_way"}},
            {
                "error_type": "value_error",
                "location": "body.payload.translation",
                "message": "target_language is required for one_way translation",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "translation": {"type": "three_way"}},
            {
                "error_type": "enum",
                "location": "body.payload.translation.type",
                "message": "Input should be 'one_way' or 'two_way'",
            },
        ),
        (
            {"model": "stt-async-v5", "audio_url": URL, "webhook_url": "not a url"},
            {
                "error_type": "string_pattern_mismatch",
                "location": "body.payload.webhook_url",
                "message": "String should match pattern '^https?://[^\\s]+$'",
            },
        ),
    ],
)
def test_create_validation_errors(fake_soniox: FakeSoniox, body: dict[str, Any], issue: dict[str, str]) -> None:
    resp = create(body, fake_soniox)
    assert resp.status_code == 400
    payload = resp.json()
    assert_matches_oas(payload, "/v1/transcriptions", "post", 400)
    assert payload["error_type"] == "invalid_request"
    assert payload["message"] == example_message("/v1/transcriptions", "post", 400)
    assert issue in payload["validation_errors"]


def test_invalid_model_is_the_oas_example(client: SonioxClient) -> None:
    with pytest.raises(SonioxInvalidRequestError) as info:
        client.stt.create(model="stt-rt-v5", audio_url=URL)
    error = info.value.api_error
    assert error is not None
    assert [v.model_dump() for v in error.validation_errors] == [
        {"error_type": "value_error", "location": "body.payload.model", "message": "Invalid model"}
    ]


def test_context_may_be_text_or_structured(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    cfg = CreateTranscriptionConfig(context={"general": {"domain": "medicine"}, "terms": ["Celebrex"]})
    assert client.stt.create(model="stt-async-v5", audio_url=URL, config=cfg).status == "queued"
    # The OAS also allows a plain string (the SDK does not), and the v4 alias is an async model.
    plain = create({"model": "stt-async-v4", "audio_url": URL, "context": "Quarterly numbers."}, fake_soniox)
    assert plain.status_code == 201


def test_job_clock_drives_the_status(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    job = client.stt.create(model="stt-async-v5", audio_url=URL)
    fake_soniox.advance(0.5)
    assert client.stt.get(job.id).status == "queued"
    fake_soniox.advance(0.6)
    processing = client.stt.get(job.id)
    assert processing.status == "processing"
    assert processing.audio_duration_ms is not None and processing.audio_duration_ms > 0
    fake_soniox.advance(2)
    done = client.stt.get(job.id)
    assert done.status == "completed" and done.error_type is None
    assert client.stt.wait(job.id, interval_sec=0.01, timeout_sec=1).status == "completed"


def test_wav_duration_comes_from_the_header(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(2 * 8000 * 3))  # 3 s
    uploaded = client.files.upload(buf.getvalue(), filename="three.wav")
    job = client.stt.create(model="stt-async-v5", file_id=uploaded.id)
    fake_soniox.finish_all_jobs()
    assert client.stt.get(job.id).audio_duration_ms == 3000


def test_transcript_states_and_messages(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    job = client.stt.create(model="stt-async-v5", audio_url=URL)
    with pytest.raises(SonioxConflictError) as info:
        client.stt.get_transcript(job.id)
    error = info.value.api_error
    assert error is not None and error.error_type == "transcription_invalid_state"
    assert error.message == example_message(TRANSCRIPTION + "/transcript", "get", 409)
    fake_soniox.finish_all_jobs()

    with rest(fake_soniox) as http:
        resp = http.get(f"/transcriptions/{job.id}/transcript")
    assert resp.status_code == 200
    assert_matches_oas(resp.json(), TRANSCRIPTION + "/transcript", "get", 200)
    transcript = TranscriptionTranscript.model_validate(resp.json())
    assert transcript.id == job.id
    assert transcript.text == "".join(t.text for t in transcript.tokens)
    assert transcript.text == script_text(__import__("tests.fake_soniox").fake_soniox.DEFAULT_SCRIPT)
    starts = [t.start_ms for t in transcript.tokens]
    assert starts == sorted(starts)
    assert all(0.6 <= (t.confidence or 0) <= 0.99 for t in transcript.tokens)
    assert all(t.speaker is None and t.language is None for t in transcript.tokens)

    with pytest.raises(SonioxNotFoundError) as missing:
        client.stt.get_transcript("84c32fc6-4fb5-4e7a-b656-b5ec70493753")
    assert missing.value.api_error is not None
    assert missing.value.api_error.error_type == "transcription_not_found"


def test_scripted_failure(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.script_job(
        "broken", status="error", error_type="audio_decode_error", error_message="Audio could not be decoded."
    )
    bad = client.stt.create(model="stt-async-v5", audio_url="https://example.com/broken.mp3")
    good = client.stt.create(model="stt-async-v5", audio_url=URL)
    fake_soniox.finish_all_jobs()
    failed = client.stt.get(bad.id)
    assert (failed.status, failed.error_type, failed.error_message) == (
        "error",
        "audio_decode_error",
        "Audio could not be decoded.",
    )
    assert client.stt.get(good.id).status == "completed"
    with pytest.raises(SonioxConflictError) as info:
        client.stt.get_transcript(bad.id)
    assert info.value.api_error is not None and info.value.api_error.message == MSG_TRANSCRIPT_FAILED


def test_scripted_tokens_and_script(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.script_job("lit", tokens=[{"text": "Hi", "start_ms": 0, "end_ms": 10, "confidence": 0.9}])
    fake_soniox.script_job("scr", script=[{"speaker": "2", "text": "Good morning."}], audio_duration_ms=4000)
    lit = client.stt.create(model="stt-async-v5", audio_url="https://example.com/lit.mp3")
    cfg = CreateTranscriptionConfig(enable_speaker_diarization=True)
    scr = client.stt.create(model="stt-async-v5", audio_url="https://example.com/scr.mp3", config=cfg)
    fake_soniox.finish_all_jobs()
    assert client.stt.get_transcript(lit.id).text == "Hi"
    tokens = client.stt.get_transcript(scr.id).tokens
    assert [(t.text, t.speaker) for t in tokens] == [("Good", "2"), (" morning.", "2")]
    assert client.stt.get(scr.id).audio_duration_ms == 4000


def test_diarization_language_and_translation_tokens(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    cfg = CreateTranscriptionConfig(
        enable_speaker_diarization=True,
        enable_language_identification=True,
        translation=TranslationConfig(type="one_way", target_language="es"),
    )
    job = client.stt.create(model="stt-async-v5", audio_url=URL, config=cfg)
    fake_soniox.finish_all_jobs()
    tokens = client.stt.get_transcript(job.id).tokens
    originals = [t for t in tokens if t.translation_status == "original"]
    translations = [t for t in tokens if t.translation_status == "translation"]
    assert originals and translations
    assert {t.speaker for t in originals} == {"1", "2"}
    assert {t.language for t in originals} == {"en"}
    assert {(t.language, t.source_language) for t in translations} == {("es", "en")}
    assert tokens[0].translation_status == "original"


def test_delete_rules(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    queued = client.stt.create(model="stt-async-v5", audio_url=URL)
    client.stt.delete(queued.id)  # queued jobs may be deleted
    job = client.stt.create(model="stt-async-v5", audio_url=URL)
    fake_soniox.advance(1.5)
    with pytest.raises(SonioxConflictError) as info:
        client.stt.delete(job.id)
    error = info.value.api_error
    assert error is not None and error.error_type == "transcription_invalid_state"
    assert error.message == example_message(TRANSCRIPTION, "delete", 409)
    fake_soniox.advance(5)
    with rest(fake_soniox) as http:
        resp = http.delete(f"/transcriptions/{job.id}")
        assert resp.status_code == 204 and resp.content == b""
        missing = http.get(f"/transcriptions/{job.id}")
    assert missing.status_code == 404
    assert missing.json()["message"] == example_message(TRANSCRIPTION, "get", 404)
    assert_matches_oas(missing.json(), TRANSCRIPTION, "get", 404)


def test_file_deleted_before_processing_fails_the_job(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    uploaded = client.files.upload(b"abc", filename="gone.mp3")
    job = client.stt.create(model="stt-async-v5", file_id=uploaded.id)
    client.files.delete(uploaded.id)
    fake_soniox.finish_all_jobs()
    failed = client.stt.get(job.id)
    assert failed.status == "error" and failed.error_type == "file_not_found"


def test_paging_over_seeded_transcriptions(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    ids = fake_soniox.seed_transcriptions(1200)
    newest = client.stt.create(model="stt-async-v5", audio_url=URL)
    listed = [t.id for t in client.stt.list_all(limit=1000)]
    assert listed == [newest.id, *reversed(ids)]
    assert client.stt.count().total == 1201
    with rest(fake_soniox) as http:
        page = http.get("/transcriptions", params={"limit": 250}).json()
        assert_matches_oas(page, "/v1/transcriptions", "get", 200)
        GetTranscriptionsResponse.model_validate(page)
        second = http.get("/transcriptions", params={"limit": 250, "cursor": page["next_page_cursor"]}).json()
        assert second["transcriptions"][0]["id"] == ids[-250]
        assert_matches_oas(http.get("/transcriptions/count").json(), "/v1/transcriptions/count", "get", 200)
        bad = http.get("/transcriptions", params={"cursor": "zzz"})
    assert bad.status_code == 400 and bad.json()["error_type"] == "invalid_cursor"
    assert bad.json()["message"] == example_message("/v1/transcriptions", "get", 400)


def test_total_and_pending_limits(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    fake_soniox.set_limits(max_pending_transcriptions=2, max_transcriptions=3)
    client.stt.create(model="stt-async-v5", audio_url=URL)
    client.stt.create(model="stt-async-v5", audio_url=URL)
    with pytest.raises(SonioxRateLimitError) as pending:
        client.stt.create(model="stt-async-v5", audio_url=URL)
    assert pending.value.api_error is not None and pending.value.api_error.error_type == "limit_exceeded"
    fake_soniox.advance(1.1)  # both start processing: no longer pending
    client.stt.create(model="stt-async-v5", audio_url=URL)
    with pytest.raises(SonioxRateLimitError) as total:
        client.stt.create(model="stt-async-v5", audio_url=URL)
    assert total.value.api_error is not None
    assert total.value.api_error.message == example_message("/v1/transcriptions", "post", 429)


@pytest.mark.parametrize(
    "kind",
    ["organization_balance_exhausted", "organization_monthly_budget_exhausted", "project_monthly_budget_exhausted"],
)
def test_balance_exhausted_is_402(client: SonioxClient, fake_soniox: FakeSoniox, kind: str) -> None:
    fake_soniox.set_balance_exhausted(kind)
    with pytest.raises(SonioxAPIError) as info:
        client.stt.create(model="stt-async-v5", audio_url=URL)
    assert info.value.status_code == 402
    assert info.value.api_error is not None and info.value.api_error.error_type == kind
    if kind == "organization_balance_exhausted":
        assert info.value.api_error.message == example_message("/v1/transcriptions", "post", 402)
    fake_soniox.set_balance_exhausted(None)
    assert client.stt.create(model="stt-async-v5", audio_url=URL).status == "queued"


class _Hook:
    """A loopback webhook receiver answering with scripted status codes."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[dict[str, str], dict[str, Any]]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                hook.calls.append((dict(self.headers), json.loads(self.rfile.read(length))))
                self.send_response(hook.statuses.pop(0) if hook.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[_Hook]:
    receiver = _Hook([500, 200])
    yield receiver
    receiver.close()


def test_webhook_is_retried_and_recorded(client: SonioxClient, fake_soniox: FakeSoniox, hook: _Hook) -> None:
    cfg = CreateTranscriptionConfig(
        webhook_url=hook.url, webhook_auth_header_name="X-Soniox-Secret", webhook_auth_header_value="hush"
    )
    job = client.stt.create(model="stt-async-v5", audio_url=URL, config=cfg)
    fake_soniox.finish_all_jobs()
    deliveries = fake_soniox.wait_for_webhooks()
    assert [d.status_code for d in deliveries] == [500, 200]
    assert [body for _, body in hook.calls] == [{"id": job.id, "status": "completed"}] * 2
    assert all(headers.get("X-Soniox-Secret") == "hush" for headers, _ in hook.calls)
    assert client.stt.get(job.id).webhook_status_code == 200


def test_webhook_on_error(client: SonioxClient, fake_soniox: FakeSoniox, hook: _Hook) -> None:
    hook.statuses[:] = []
    fake_soniox.script_job("bad", status="error")
    job = client.stt.create(
        model="stt-async-v5",
        audio_url="https://example.com/bad.mp3",
        config=CreateTranscriptionConfig(webhook_url=hook.url),
    )
    fake_soniox.finish_all_jobs()
    fake_soniox.wait_for_webhooks()
    assert hook.calls[0][1] == {"id": job.id, "status": "error"}
    assert client.stt.get(job.id).webhook_status_code == 200


def test_webhook_to_a_remote_host_is_never_sent(client: SonioxClient, fake_soniox: FakeSoniox) -> None:
    job = client.stt.create(
        model="stt-async-v5", audio_url=URL, config=CreateTranscriptionConfig(webhook_url="https://example.com/hook")
    )
    fake_soniox.finish_all_jobs()
    [delivery] = fake_soniox.wait_for_webhooks()
    assert delivery.status_code is None and delivery.error and "loopback" in delivery.error
    assert client.stt.get(job.id).webhook_status_code is None
