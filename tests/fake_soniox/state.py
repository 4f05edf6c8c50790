"""All mutable emulator state behind one lock, plus the job clock.

The server loop (its own thread) and the test thread both touch this state, so every public
method takes ``self.lock`` and none awaits while holding it. Work that must happen on the loop
(webhook POSTs) is returned to the caller instead of being done here.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import errors as E
from .audio import measure_duration_ms
from .errors import ApiFailure, RealtimeFailure
from .fetch import FETCH_ERROR_TYPE, AudioFetch, fetch_error_message, is_loopback_url
from .records import (
    FailRule,
    FileRecord,
    Job,
    JobScript,
    RealtimeInjection,
    RealtimeSessionRecord,
    RealtimeSessionSnapshot,
    TempKey,
    WebhookDelivery,
    iso_utc,
)
from .script import DEFAULT_SCRIPT, Utterance
from .transcript import TranscriptOptions, build_tokens


@dataclass
class Limits:
    """Account limits; defaults are Soniox's documented defaults (async "Limits & quotas")."""

    max_files: int = 1000
    max_total_file_bytes: int = 10 * 1024**3
    max_file_bytes: int | None = None
    max_transcriptions: int = 2000
    max_pending_transcriptions: int = 100
    max_concurrent_sessions: int = 10


@dataclass
class Config:
    """Behaviour knobs that tests may change while the server runs."""

    queue_s: float = 1.0
    process_s: float = 2.0
    latency_s: float = 0.0
    latency_regex: str | None = None
    balance_exhausted: str | None = None
    script: list[Utterance] = field(default_factory=lambda: list(DEFAULT_SCRIPT))
    script_loops: bool = True
    acoustic: bool = False  # real-time words come from the tone-coded audio (tones.py), not the script
    audio_fetch_timeout_s: float = 10.0  # a job whose audio_url takes longer to download fails


class _Paged:
    """An id -> record store ordered by creation sequence, for newest-first cursor paging."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.by_id: dict[str, Any] = {}
        self.seqs: list[int] = []
        self.by_seq: dict[int, Any] = {}

    def add(self, record: Any) -> None:
        self.by_id[record.id] = record
        self.by_seq[record.seq] = record
        self.seqs.append(record.seq)  # sequences only grow, so the list stays sorted

    def remove(self, record_id: str) -> Any:
        record = self.by_id.pop(record_id)
        del self.by_seq[record.seq]
        i = bisect.bisect_left(self.seqs, record.seq)
        del self.seqs[i]
        return record

    def cursor_for(self, seq: int) -> str:
        raw = json.dumps({"k": self.kind, "s": seq}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def page(self, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        """Newest first; the cursor is the sequence of the last item already returned."""
        end = len(self.seqs) if cursor is None else bisect.bisect_left(self.seqs, self._decode(cursor))
        start = max(0, end - limit)
        items = [self.by_seq[s] for s in reversed(self.seqs[start:end])]
        next_cursor = self.cursor_for(items[-1].seq) if items and start > 0 else None
        return items, next_cursor

    def _decode(self, cursor: str) -> int:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if not isinstance(data, dict) or data.get("k") != self.kind or not isinstance(data.get("s"), int):
                raise ValueError(cursor)
            return int(data["s"])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ApiFailure(400, "invalid_cursor", E.MSG_INVALID_CURSOR) from None


class EmulatorState:
    """The emulated Soniox account: keys, files, jobs, real-time sessions and injected faults."""

    def __init__(self, api_keys: Iterable[str], storage_dir: Path, limits: Limits, config: Config) -> None:
        self.lock = threading.RLock()
        self.api_keys = set(api_keys)
        self.storage_dir = storage_dir
        self.limits = limits
        self.config = config
        self.files = _Paged("files")
        self.jobs = _Paged("transcriptions")
        self.temp_keys: dict[str, TempKey] = {}
        self.sessions: list[RealtimeSessionRecord] = []
        self.injections: list[RealtimeInjection] = []
        self.fail_rules: list[FailRule] = []
        self.job_scripts: list[JobScript] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.clock = 0.0  # the job clock, in seconds; moved by advance()
        self.wall_offset = 0.0  # advance() also moves "now" for key expiry and timestamps
        self._seq = 0
        self._active_jobs: set[str] = set()
        self.loop_thread: int | None = None  # the server loop's thread, which runs the downloads

    # ------------------------------------------------------------------ time & ids
    def now(self) -> float:
        return time.time() + self.wall_offset

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # ------------------------------------------------------------------ auth
    def check_rest_key(self, key: str | None) -> None:
        """REST accepts only permanent keys; temporary keys are for the WebSocket."""
        with self.lock:
            if not key or key not in self.api_keys:
                raise ApiFailure(401, "unauthenticated", E.MSG_UNAUTHENTICATED)

    def realtime_key_kind(self, key: str) -> str | None:
        """ "permanent", "temporary" or None (unknown/expired/wrong usage); counts a temp-key use."""
        with self.lock:
            if key in self.api_keys:
                return "permanent"
            temp = self.temp_keys.get(key)
            if temp is None:
                return None
            if temp.usage_type != "transcribe_websocket" or self.now() >= temp.expires_at:
                return None
            if temp.single_use and temp.uses > 0:
                return None
            temp.uses += 1
            return "temporary"

    def temp_key_session_limit(self, key: str) -> int | None:
        with self.lock:
            temp = self.temp_keys.get(key)
            return None if temp is None else temp.max_session_duration_seconds

    def create_temp_key(
        self,
        usage_type: str,
        expires_in: int,
        single_use: bool | None,
        max_session: int | None,
        client_reference_id: str | None,
    ) -> dict[str, Any]:
        with self.lock:
            key = "snx_temp_" + secrets.token_urlsafe(36)
            expires_at = self.now() + expires_in
            self.temp_keys[key] = TempKey(
                key, usage_type, expires_at, bool(single_use), max_session, client_reference_id
            )
            return {"api_key": key, "expires_at": iso_utc(expires_at)}

    # ------------------------------------------------------------------ faults
    def take_fail_rule(self, method: str, path: str) -> FailRule | None:
        with self.lock:
            for rule in self.fail_rules:
                if rule.method in ("*", method) and re.search(rule.path_regex, path):
                    rule.times -= 1
                    if rule.times <= 0:
                        self.fail_rules.remove(rule)
                    return rule
            return None

    def latency_for(self, path: str) -> float:
        with self.lock:
            cfg = self.config
            if cfg.latency_s <= 0 or (cfg.latency_regex and not re.search(cfg.latency_regex, path)):
                return 0.0
            return cfg.latency_s

    def check_balance(self) -> None:
        with self.lock:
            kind = self.config.balance_exhausted
            if kind:
                raise ApiFailure(
                    402, kind, E.BALANCE_MESSAGES.get(kind, E.BALANCE_MESSAGES["organization_balance_exhausted"])
                )

    # ------------------------------------------------------------------ files
    def check_file_quota(self) -> None:
        with self.lock:
            if len(self.files.by_id) >= self.limits.max_files:
                raise ApiFailure(429, "limit_exceeded", E.MSG_FILE_COUNT_LIMIT)

    def add_file(
        self,
        filename: str,
        size: int,
        path: Path | None,
        client_reference_id: str | None,
        duration_ms: int | None = None,
    ) -> FileRecord:
        with self.lock:
            used = sum(f.size for f in self.files.by_id.values())
            if len(self.files.by_id) >= self.limits.max_files:
                raise ApiFailure(429, "limit_exceeded", E.MSG_FILE_COUNT_LIMIT)
            if used + size > self.limits.max_total_file_bytes:
                raise ApiFailure(429, "limit_exceeded", E.MSG_FILE_SIZE_LIMIT)
            record = FileRecord(
                str(uuid.uuid4()),
                self._next_seq(),
                filename,
                size,
                iso_utc(self.now()),
                client_reference_id,
                path,
                duration_ms,
            )
            self.files.add(record)
            return record

    def get_file(self, file_id: str) -> FileRecord:
        with self.lock:
            record = self.files.by_id.get(file_id)
            if record is None:
                raise ApiFailure(404, "file_not_found", E.MSG_FILE_NOT_FOUND)
            return record

    def delete_file(self, file_id: str) -> None:
        with self.lock:
            record = self.get_file(file_id)
            self.files.remove(file_id)
        if record.path is not None:
            record.path.unlink(missing_ok=True)

    def file_count(self) -> dict[str, int]:
        with self.lock:
            n = len(self.files.by_id)
            return {"total": n, "public_api": n, "playground": 0}

    # ------------------------------------------------------------------ transcriptions
    def _match_script(self, job: Job) -> JobScript | None:
        haystacks = [job.filename, job.audio_url or "", job.client_reference_id or "", job.id]
        for script in self.job_scripts:
            if any(script.match in h for h in haystacks):
                if script.times is not None:
                    script.times -= 1
                    if script.times <= 0:
                        self.job_scripts.remove(script)
                return script
        return None

    def create_job(self, payload: dict[str, Any]) -> Job:
        """Create a queued job from a validated payload (dict of the OAS fields)."""
        with self.lock:
            pending = sum(1 for jid in self._active_jobs if self.jobs.by_id[jid].status == "queued")
            if len(self.jobs.by_id) >= self.limits.max_transcriptions:
                raise ApiFailure(429, "limit_exceeded", E.MSG_TRANSCRIPTION_COUNT_LIMIT)
            if pending >= self.limits.max_pending_transcriptions:
                raise ApiFailure(429, "limit_exceeded", E.MSG_PENDING_LIMIT)
            file_rec = self.files.by_id.get(payload["file_id"]) if payload.get("file_id") else None
            if payload.get("audio_url"):
                url = payload["audio_url"]
                filename = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or url
            else:
                filename = file_rec.filename if file_rec else "file"
            job = Job(
                id=str(uuid.uuid4()),
                seq=self._next_seq(),
                created_at=iso_utc(self.now()),
                created_clock=self.clock,
                model=payload["model"],
                audio_url=payload.get("audio_url"),
                file_id=payload.get("file_id"),
                filename=filename,
                language_hints=payload.get("language_hints"),
                enable_speaker_diarization=bool(payload.get("enable_speaker_diarization")),
                enable_language_identification=bool(payload.get("enable_language_identification")),
                translation=payload.get("translation"),
                context=payload.get("context"),
                webhook_url=payload.get("webhook_url"),
                webhook_auth_header_name=payload.get("webhook_auth_header_name"),
                webhook_auth_header_value=payload.get("webhook_auth_header_value"),
                client_reference_id=payload.get("client_reference_id"),
                file_size=file_rec.size if file_rec else None,
                file_path=file_rec.path if file_rec else None,
                file_duration_ms=file_rec.duration_ms if file_rec else None,
                request=dict(payload),
            )
            if job.audio_url and is_loopback_url(job.audio_url):
                job.fetch = AudioFetch(job.audio_url, filename)  # started on the loop by the REST handler
            job.outcome = self._match_script(job)
            self.jobs.add(job)
            self._active_jobs.add(job.id)
            return job

    def get_job(self, job_id: str) -> Job:
        with self.lock:
            job = self.jobs.by_id.get(job_id)
            if job is None:
                raise ApiFailure(404, "transcription_not_found", E.MSG_TRANSCRIPTION_NOT_FOUND)
            return job

    def delete_job(self, job_id: str) -> None:
        with self.lock:
            job = self.get_job(job_id)
            if job.status == "processing":
                raise ApiFailure(409, "transcription_invalid_state", E.MSG_DELETE_PROCESSING)
            self.jobs.remove(job_id)
            self._active_jobs.discard(job_id)
        if job.fetch is not None and job.fetch.done.is_set() and job.fetch.path is not None:
            job.fetch.path.unlink(missing_ok=True)

    def job_count(self) -> dict[str, int]:
        with self.lock:
            n = len(self.jobs.by_id)
            return {"total": n, "public_api": n, "playground": 0}

    def transcript(self, job_id: str) -> tuple[str, list[dict[str, Any]]]:
        with self.lock:
            job = self.get_job(job_id)
            if job.status == "error":
                raise ApiFailure(409, "transcription_invalid_state", E.MSG_TRANSCRIPT_FAILED)
            if job.status != "completed":
                raise ApiFailure(409, "transcription_invalid_state", E.MSG_TRANSCRIPT_NOT_READY)
            if job.tokens is None:
                job.tokens = self._tokens_for(job)
            return job.id, job.tokens

    def _tokens_for(self, job: Job) -> list[dict[str, Any]]:
        outcome = job.outcome
        if outcome is not None and outcome.tokens is not None:
            return [dict(t) for t in outcome.tokens]
        script = outcome.script if outcome is not None and outcome.script else list(DEFAULT_SCRIPT)
        options = TranscriptOptions(job.enable_speaker_diarization, job.enable_language_identification, job.translation)
        return build_tokens(script, job.audio_duration_ms or 0, options, seed=job.seq)

    def _duration_for(self, job: Job) -> int:
        """The length of the audio received: the uploaded file or the downloaded ``audio_url``."""
        if job.outcome is not None and job.outcome.audio_duration_ms is not None:
            return job.outcome.audio_duration_ms
        if job.fetch is not None and job.fetch.duration_ms is not None:
            return job.fetch.duration_ms
        if job.file_duration_ms is not None:
            return job.file_duration_ms
        if job.file_path is not None and job.file_size is not None:
            return measure_duration_ms(job.file_path, job.filename, job.file_size)
        # An audio URL on another host is never fetched (the emulator stays on this machine), so
        # there is no audio to measure: a stable stand-in derived from the URL. Tests that care
        # serve their audio on 127.0.0.1, or set audio_duration_ms with script_job.
        return 20_000 + int(uuid.uuid5(uuid.NAMESPACE_URL, job.audio_url or job.id).int % 100_000)

    def wait_for_fetches(self) -> None:
        """Block until every download of an active job has ended, so the clock can move them on.

        Never waits on the server loop's own thread (the admin API calls ``advance`` there), where
        the downloads run: there a job simply stays queued until its audio has arrived.
        """
        with self.lock:
            pending = [
                job.fetch.done
                for job_id in self._active_jobs
                if (job := self.jobs.by_id[job_id]).fetch is not None and not job.fetch.done.is_set()
            ]
            budget = self.config.audio_fetch_timeout_s + 5.0
        if not pending or threading.get_ident() == self.loop_thread:
            return
        deadline = time.monotonic() + budget
        for done in pending:
            done.wait(max(0.0, deadline - time.monotonic()))

    def advance(self, seconds: float) -> list[Job]:
        """Move the job clock; return jobs that just ended and have a webhook to call.

        Downloads of ``audio_url`` still running are waited for first, as the service would have
        finished them by the time the clock says the job starts.
        """
        self.wait_for_fetches()
        with self.lock:
            self.clock += seconds
            self.wall_offset += seconds
            return self._progress()

    def advance_clock_only(self, seconds: float) -> list[Job]:
        """Real-time mode: jobs progress with wall time, which needs no offset."""
        with self.lock:
            self.clock += seconds
            return self._progress()

    def _progress(self) -> list[Job]:
        done: list[Job] = []
        for job_id in list(self._active_jobs):
            job = self.jobs.by_id[job_id]
            if job.status == "queued" and self.clock >= job.created_clock + self.config.queue_s:
                if job.fetch is not None and not job.fetch.done.is_set():
                    job.waited_for_fetch = True  # still downloading: stays queued
                    continue
                self._start_processing(job)
            if (
                job.status == "processing"
                and job.processing_clock is not None
                and self.clock >= job.processing_clock + self.config.process_s
            ):
                self._complete(job)
            if job.status in ("completed", "error"):
                self._active_jobs.discard(job_id)
                if job.webhook_url:
                    done.append(job)
        return done

    def _start_processing(self, job: Job) -> None:
        due = job.created_clock + self.config.queue_s
        job.processing_clock = max(due, self.clock) if job.waited_for_fetch else due
        if job.file_id and job.file_id not in self.files.by_id:
            # The OAS: deleting the file before processing fails the job with file_not_found.
            job.status = "error"
            job.error_type = "file_not_found"
            job.error_message = E.MSG_FILE_NOT_FOUND
            return
        if job.fetch is not None and job.fetch.failure is not None:
            job.status = "error"
            job.error_type = FETCH_ERROR_TYPE
            job.error_message = fetch_error_message(job.fetch.failure)
            return
        job.status = "processing"
        job.audio_duration_ms = self._duration_for(job)

    def _complete(self, job: Job) -> None:
        outcome = job.outcome
        if outcome is not None and outcome.status == "error":
            job.status = "error"
            job.error_type = outcome.error_type or "internal_error"
            job.error_message = outcome.error_message or E.MSG_INTERNAL
        else:
            job.status = "completed"

    def seed_jobs(self, n: int, status: str, model: str) -> list[str]:
        """Add ``n`` finished (or queued) jobs at once, oldest first, bypassing quotas."""
        ids: list[str] = []
        with self.lock:
            base = self.now() - n
            for i in range(n):
                job = Job(
                    id=str(uuid.uuid4()),
                    seq=self._next_seq(),
                    created_at=iso_utc(base + i),
                    created_clock=self.clock,
                    model=model,
                    audio_url=f"https://example.com/seed/{i}.mp3",
                    file_id=None,
                    filename=f"seed-{i:05d}.mp3",
                    language_hints=None,
                    enable_speaker_diarization=False,
                    enable_language_identification=False,
                    translation=None,
                    context=None,
                    webhook_url=None,
                    webhook_auth_header_name=None,
                    webhook_auth_header_value=None,
                    client_reference_id=None,
                    status=status,
                )
                if status in ("processing", "completed", "error"):
                    job.audio_duration_ms = 30_000 + (i % 60) * 1000
                    job.processing_clock = self.clock
                if status == "error":
                    job.error_type, job.error_message = "internal_error", E.MSG_INTERNAL
                if status in ("queued", "processing"):
                    self._active_jobs.add(job.id)
                self.jobs.add(job)
                ids.append(job.id)
        return ids

    def record_webhook(self, delivery: WebhookDelivery) -> None:
        with self.lock:
            self.webhook_deliveries.append(delivery)
            job = self.jobs.by_id.get(delivery.transcription_id)
            if job is not None and delivery.status_code is not None:
                job.webhook_status_code = delivery.status_code

    # ------------------------------------------------------------------ real-time sessions
    def open_session(self) -> tuple[RealtimeSessionRecord, list[RealtimeInjection]]:
        """Register a new connection and hand it the faults meant for it."""
        with self.lock:
            record = RealtimeSessionRecord(index=len(self.sessions), started_at=time.time())
            self.sessions.append(record)
            mine: list[RealtimeInjection] = []
            for inj in list(self.injections):
                if inj.session_index is None or inj.session_index == record.index:
                    mine.append(inj)
                    inj.times -= 1
                    if inj.times <= 0:
                        self.injections.remove(inj)
            return record, mine

    def accept_session(self, record: RealtimeSessionRecord) -> None:
        """Count the session against the concurrency limit, or refuse it with a 429."""
        with self.lock:
            active = sum(1 for s in self.sessions if s.active and s.accepted)
            if active >= self.limits.max_concurrent_sessions:
                raise RealtimeFailure(429, "limit_exceeded", E.RT_CONCURRENCY)
            record.accepted = True

    def check_realtime_balance(self) -> None:
        with self.lock:
            kind = self.config.balance_exhausted
            if kind:
                raise RealtimeFailure(
                    402, kind, E.BALANCE_MESSAGES.get(kind, E.BALANCE_MESSAGES["organization_balance_exhausted"])
                )

    def update_session(self, record: RealtimeSessionRecord, **changes: Any) -> None:
        """Mutate a session record under the lock (the test thread may be snapshotting it)."""
        with self.lock:
            for name, value in changes.items():
                setattr(record, name, value)

    def session_snapshots(self) -> list[RealtimeSessionSnapshot]:
        with self.lock:
            return [s.snapshot() for s in self.sessions]
