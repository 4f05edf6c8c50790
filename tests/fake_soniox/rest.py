"""REST API under ``/v1``, exactly the paths, status codes and bodies of the OpenAPI file.

A middleware does what every endpoint shares: injected latency, Bearer authentication (only
permanent keys; temporary keys are for the WebSocket), injected failures and turning
``ApiFailure`` into the OAS ``ApiError`` body. Handlers then validate, act and answer.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import logging
import threading
import uuid
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from .audio import measure_duration_ms
from .errors import MSG_INTERNAL, ApiFailure, ValidationIssue, injected_failure, invalid_request
from .fetch import AudioFetch, fetch_audio
from .models_catalog import models_response
from .realtime import bearer_key
from .records import Job
from .state import EmulatorState
from .transcript import transcript_body
from .validation import (
    CreateTemporaryApiKeyIn,
    CreateTranscriptionIn,
    ListQueryIn,
    UploadFieldsIn,
    json_body_error,
    parse,
)

log = logging.getLogger("fake_soniox.rest")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CHUNK = 1 << 20
# Text fields longer than this are refused anyway (256 characters), so the rest is not kept.
MAX_TEXT_FIELD_BYTES = 64 * 1024
# What aiohttp raises for a multipart body it cannot parse: bad part headers (control characters
# in a field name), an unknown Content-Transfer-Encoding, broken base64/deflate, a bad boundary.
MALFORMED_MULTIPART = (
    ValueError,
    AssertionError,
    RuntimeError,
    LookupError,
    HttpProcessingError,
    zlib.error,
    binascii.Error,
)


class _UploadedFile:
    """Stands for a file part sent under a text field's name; pydantic refuses it as not a string."""


async def _read_text(part: BodyPartReader) -> str:
    """A text field's value (transfer encoding undone), at most ``MAX_TEXT_FIELD_BYTES`` of it."""
    data = bytearray()
    while len(data) <= MAX_TEXT_FIELD_BYTES:
        chunk = await part.read_chunk(8192)
        if not chunk:
            break
        data.extend(chunk)
    await part.release()
    return bytes(part.decode(bytes(data))).decode("utf-8", "replace")


def _area(path: str) -> str:
    """Which rate-limit family a path belongs to (the 429 messages differ per family)."""
    for area in ("files", "transcriptions", "models", "auth"):
        if path.startswith(f"/v1/{area}"):
            return area
    return ""


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class RestApi:
    """Handlers bound to one emulator state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._fetches: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ plumbing
    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/v1/") and request.path != "/v1":
            return await handler(request)
        try:
            delay = self.state.latency_for(request.path)
            if delay:
                await asyncio.sleep(delay)
            self.state.check_rest_key(bearer_key(request.headers.get("Authorization")))
            rule = self.state.take_fail_rule(request.method, request.path)
            if rule is not None:
                raise injected_failure(rule.status, rule.error_type, rule.message, _area(request.path))
            return await handler(request)
        except ApiFailure as failure:
            log.info("%s %s -> %d %s", request.method, request.path, failure.status, failure.error_type)
            return json_response(failure.body(), status=failure.status)
        except web.HTTPNotFound:
            return json_response(ApiFailure(404, "not_found", "Not Found").body(), status=404)
        except web.HTTPMethodNotAllowed:
            failure = ApiFailure(405, "method_not_allowed", "Method Not Allowed")
            return json_response(failure.body(), status=405)
        except Exception:
            # An emulator bug still answers like the service does, so clients see a normal 500.
            log.exception("%s %s crashed", request.method, request.path)
            return json_response(ApiFailure(500, "internal_error", MSG_INTERNAL).body(), status=500)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/v1/files", self.upload_file),
            web.get("/v1/files", self.list_files),
            web.get("/v1/files/count", self.count_files),
            web.get("/v1/files/{file_id}", self.get_file),
            web.delete("/v1/files/{file_id}", self.delete_file),
            web.post("/v1/transcriptions", self.create_transcription),
            web.get("/v1/transcriptions", self.list_transcriptions),
            web.get("/v1/transcriptions/count", self.count_transcriptions),
            web.get("/v1/transcriptions/{transcription_id}", self.get_transcription),
            web.delete("/v1/transcriptions/{transcription_id}", self.delete_transcription),
            web.get("/v1/transcriptions/{transcription_id}/transcript", self.get_transcript),
            web.get("/v1/models", self.list_models),
            web.post("/v1/auth/temporary-api-key", self.create_temporary_api_key),
        ]

    @staticmethod
    async def _json_body(request: web.Request) -> Any:
        raw = await request.read()
        try:
            return json.loads(raw or b"null")
        except ValueError:
            raise json_body_error() from None

    @staticmethod
    def _query(request: web.Request) -> ListQueryIn:
        return parse(ListQueryIn, dict(request.query), "query")

    # ------------------------------------------------------------------ files
    async def upload_file(self, request: web.Request) -> web.Response:
        self.state.check_file_quota()
        missing = invalid_request(ValidationIssue("missing", "file.file", "Field required"))
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError, TypeError):
            raise missing from None
        fields: dict[str, Any] = {}
        stored: tuple[str, int, Path] | None = None
        limit = self.state.limits.max_file_bytes
        try:
            while True:
                part = await reader.next()
                if part is None:
                    break
                if isinstance(part, BodyPartReader) and part.name == "file" and stored is None:
                    stored = await self._store(part, limit)
                elif isinstance(part, BodyPartReader) and part.name == "client_reference_id":
                    # A file sent under a text field's name is not a string: pydantic's string_type.
                    fields[part.name] = await _read_text(part) if part.filename is None else _UploadedFile()
                else:
                    # The service's form parser ignores fields it does not know, whatever their name.
                    await part.release()
        except MALFORMED_MULTIPART as exc:
            log.info("malformed multipart body: %s", type(exc).__name__)
            if stored is not None:
                stored[2].unlink(missing_ok=True)
            issue = ValidationIssue("value_error", "file", "Malformed multipart body")
            raise invalid_request(issue) from None
        if stored is None:
            raise missing
        filename, size, path = stored
        issues: list[ValidationIssue] = []
        if len(filename) > 256:
            issues.append(
                ValidationIssue("string_too_long", "file.filename", "String should have at most 256 characters")
            )
        if limit is not None and size > limit:
            issues.append(
                ValidationIssue("value_error", "file.file", f"File is too large (maximum size is {limit} bytes)")
            )
        try:
            extra = parse(UploadFieldsIn, fields, "file")
            if issues:
                raise invalid_request(*issues)
            duration_ms = await asyncio.to_thread(measure_duration_ms, path, filename, size)
            record = self.state.add_file(filename, size, path, extra.client_reference_id, duration_ms)
        except ApiFailure:
            path.unlink(missing_ok=True)
            raise
        log.info("stored file %s (%d bytes)", record.id, size)
        return json_response(record.public(), status=201)

    async def _store(self, part: BodyPartReader, limit: int | None) -> tuple[str, int, Path]:
        """Stream one file part to disk in 1 MiB chunks (a 1 GB upload never sits in memory)."""
        path = self.state.storage_dir / uuid.uuid4().hex
        size = 0
        with path.open("wb") as fh:
            while True:
                chunk = await part.read_chunk(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if limit is None or size <= limit:
                    fh.write(chunk)
        return part.filename or "file", size, path

    async def list_files(self, request: web.Request) -> web.Response:
        query = self._query(request)
        with self.state.lock:
            items, cursor = self.state.files.page(query.limit, query.cursor)
            body = {"files": [f.public() for f in items], "next_page_cursor": cursor}
        return json_response(body)

    async def count_files(self, request: web.Request) -> web.Response:
        return json_response(self.state.file_count())

    async def get_file(self, request: web.Request) -> web.Response:
        return json_response(self.state.get_file(request.match_info["file_id"]).public())

    async def delete_file(self, request: web.Request) -> web.Response:
        self.state.delete_file(request.match_info["file_id"])
        return web.Response(status=204)

    # ------------------------------------------------------------------ transcriptions
    async def create_transcription(self, request: web.Request) -> web.Response:
        data = await self._json_body(request)
        payload = parse(CreateTranscriptionIn, data, "body.payload")
        fields = payload.model_dump(mode="json", exclude_none=True)
        if payload.file_id is not None:
            with self.state.lock:
                exists = str(payload.file_id) in self.state.files.by_id
            if not exists:
                # not documented: the OAS lists no 404 here, so an unknown file is a body error.
                issue = ValidationIssue("value_error", "body.payload.file_id", "File not found")
                raise invalid_request(issue)
        self.state.check_balance()
        job = self.state.create_job(fields)
        log.info("created transcription %s (%s)", job.id, job.model)
        if job.fetch is not None:
            self._start_fetch(job.fetch)
        return json_response(self._public(job), status=201)

    def _start_fetch(self, fetch: AudioFetch) -> None:
        """Download the audio while the job is queued, as the service does."""
        with self.state.lock:
            self.state.loop_thread = threading.get_ident()
            timeout_s = self.state.config.audio_fetch_timeout_s
            max_bytes = self.state.limits.max_file_bytes
        task = asyncio.create_task(fetch_audio(fetch, self.state.storage_dir, timeout_s, max_bytes))
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)

    async def cleanup(self, app: web.Application) -> None:
        """Stop downloads still running when the server shuts down."""
        for task in list(self._fetches):
            task.cancel()
        await asyncio.gather(*self._fetches, return_exceptions=True)

    def _public(self, job: Job) -> dict[str, Any]:
        with self.state.lock:
            return job.public()

    async def list_transcriptions(self, request: web.Request) -> web.Response:
        query = self._query(request)
        with self.state.lock:
            items, cursor = self.state.jobs.page(query.limit, query.cursor)
            body = {"transcriptions": [j.public() for j in items], "next_page_cursor": cursor}
        return json_response(body)

    async def count_transcriptions(self, request: web.Request) -> web.Response:
        return json_response(self.state.job_count())

    async def get_transcription(self, request: web.Request) -> web.Response:
        return json_response(self._public(self.state.get_job(request.match_info["transcription_id"])))

    async def delete_transcription(self, request: web.Request) -> web.Response:
        self.state.delete_job(request.match_info["transcription_id"])
        return web.Response(status=204)

    async def get_transcript(self, request: web.Request) -> web.Response:
        job_id, tokens = self.state.transcript(request.match_info["transcription_id"])
        return json_response(transcript_body(job_id, tokens))

    # ------------------------------------------------------------------ models & auth
    async def list_models(self, request: web.Request) -> web.Response:
        return json_response(models_response())

    async def create_temporary_api_key(self, request: web.Request) -> web.Response:
        payload = parse(CreateTemporaryApiKeyIn, await self._json_body(request), "body.payload")
        body = self.state.create_temp_key(
            payload.usage_type.value,
            payload.expires_in_seconds,
            payload.single_use,
            payload.max_session_duration_seconds,
            payload.client_reference_id,
        )
        return json_response(body, status=201)
