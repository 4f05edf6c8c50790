"""``FakeSoniox``: the emulator's public face, and the thread + loop that run its server.

Tests call these methods from their own thread while aiohttp serves on a private event loop in a
background thread; everything here is therefore either a locked state operation or a coroutine
handed to that loop with ``run_coroutine_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from .admin import AdminApi
from .chaos import Chaos, ChaosStats
from .realtime import RealtimeEndpoint, RealtimeSettings
from .recognizer import RecognizerSettings
from .records import FailRule, JobScript, RealtimeInjection, RealtimeSessionSnapshot, WebhookDelivery
from .rest import RestApi
from .script import DEFAULT_SCRIPT, Utterance, parse_script
from .state import Config, EmulatorState, Limits
from .webhooks import WebhookCall, WebhookPolicy, deliver

log = logging.getLogger("fake_soniox")

ScriptInput = Iterable[Utterance | Mapping[str, Any] | str]


class FakeSoniox:
    """A protocol-faithful Soniox server on 127.0.0.1 for tests and local development.

    Args:
        api_keys: permanent API keys accepted on REST and the WebSocket (default ``{"test-key"}``).
        idle_timeout_s: real-time sessions without audio or keepalive for this long get a 408.
        host, port: where to listen (port 0 picks a free port).
        queue_s, process_s: job-clock seconds a transcription spends queued, then processing.
        real_time_jobs: let the job clock follow wall time (CLI mode) instead of ``advance()``.
        limits: account limits (files, transcriptions, pending, concurrent sessions).
        recognizer: pacing of real-time words (ms of speech per word, final lag, response cadence).
        voice_threshold_dbfs: RMS level above which a 20 ms window counts as speech.
        keep_audio: keep every received audio byte per session (for assertions).
        reject_empty_sessions: finish without any audio gets 400 "No audio received.".
        webhook_policy: webhook retry count/backoff/timeout.
        script: default utterances for real-time sessions (the built-in script loops).
    """

    def __init__(
        self,
        api_keys: Iterable[str] | None = None,
        idle_timeout_s: float = 20.0,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        queue_s: float = 1.0,
        process_s: float = 2.0,
        real_time_jobs: bool = False,
        limits: Limits | None = None,
        recognizer: RecognizerSettings | None = None,
        voice_threshold_dbfs: float = -40.0,
        keep_audio: bool = True,
        reject_empty_sessions: bool = False,
        webhook_policy: WebhookPolicy | None = None,
        script: ScriptInput | None = None,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._storage = Path(tempfile.mkdtemp(prefix="fake-soniox-"))
        config = Config(queue_s=queue_s, process_s=process_s)
        if script is not None:
            config.script, config.script_loops = parse_script(script), True
        self.state = EmulatorState(
            {"test-key"} if api_keys is None else set(api_keys), self._storage, limits or Limits(), config
        )
        self._rt_settings = RealtimeSettings(
            idle_timeout_s=idle_timeout_s,
            recognizer=recognizer or RecognizerSettings(),
            voice_threshold_dbfs=voice_threshold_dbfs,
            keep_audio=keep_audio,
            reject_empty_sessions=reject_empty_sessions,
        )
        self._real_time_jobs = real_time_jobs
        self._webhook_policy = webhook_policy or WebhookPolicy()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._realtime: RealtimeEndpoint | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._webhook_futures: list[Any] = []
        #: Rate limit, random errors and lost answers for REST (off until set_chaos).
        self.chaos = Chaos()
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSoniox:
        """Start serving in a background thread; return once the port is bound."""
        if self._thread is not None:
            return self
        self._storage.mkdir(parents=True, exist_ok=True)  # stop() removed it if restarted
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._startup())
            except BaseException as exc:  # surfaced to start()'s caller
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-soniox", daemon=True)
        self._thread.start()
        ready.wait(timeout=30)
        if failure:
            self._thread = None
            raise RuntimeError("FakeSoniox failed to start") from failure[0]
        return self

    async def _startup(self) -> None:
        rest = RestApi(self.state)
        self._realtime = RealtimeEndpoint(self.state, self._rt_settings)
        app = web.Application(middlewares=[self.chaos.middleware, rest.middleware], client_max_size=64 * 1024**2)
        app.add_routes(rest.routes())
        app.add_routes([web.get("/transcribe-websocket", self._realtime.handle)])
        app.add_routes(AdminApi(self).routes())
        app.on_shutdown.append(self._close_websockets)
        app.on_cleanup.append(rest.cleanup)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._requested_port)
        await site.start()
        server = site._server  # the bound asyncio server: the only way to learn a port-0 port
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        self._http = aiohttp.ClientSession()
        if self._real_time_jobs:
            self._ticker = asyncio.create_task(self._tick_forever())
        log.info("listening on %s:%d", self._host, self.port)

    async def _close_websockets(self, app: web.Application) -> None:
        if self._realtime is not None:
            await self._realtime.close_all()

    async def _shutdown(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    def stop(self) -> None:
        """Stop the server, end open sessions and delete stored uploads."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=15)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=15)
        self._thread = None
        self._loop = None
        shutil.rmtree(self._storage, ignore_errors=True)

    def __enter__(self) -> FakeSoniox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def base_url(self) -> str:
        return f"http://{self._host_for_url()}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """What ``AsyncSonioxClient(api_base_url=...)`` takes."""
        return f"{self.base_url}/v1"

    @property
    def websocket_url(self) -> str:
        """What ``AsyncSonioxClient(websocket_base_url=...)`` takes."""
        return f"ws://{self._host_for_url()}:{self.port}/transcribe-websocket"

    def _host_for_url(self) -> str:
        return f"[{self._host}]" if ":" in self._host else self._host

    # ------------------------------------------------------------------ keys
    def add_api_key(self, key: str) -> None:
        with self.state.lock:
            self.state.api_keys.add(key)

    def remove_api_key(self, key: str) -> None:
        """Revoke a key (later requests with it get 401)."""
        with self.state.lock:
            self.state.api_keys.discard(key)

    # ------------------------------------------------------------------ job clock
    def advance(self, seconds: float) -> None:
        """Move the job clock (and "now", for temporary-key expiry) forward."""
        self._dispatch_webhooks(self.state.advance(seconds))

    def finish_all_jobs(self) -> None:
        """Advance far enough for every current job to end."""
        with self.state.lock:
            span = self.state.config.queue_s + self.state.config.process_s
        self.advance(span + 0.001)

    def set_job_timing(self, queue_s: float | None = None, process_s: float | None = None) -> None:
        with self.state.lock:
            if queue_s is not None:
                self.state.config.queue_s = queue_s
            if process_s is not None:
                self.state.config.process_s = process_s

    async def _tick_forever(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            self._dispatch_webhooks(self.state.advance_clock_only(now - last))
            last = now

    def _dispatch_webhooks(self, jobs: Sequence[Any]) -> None:
        if not jobs or self._loop is None or self._http is None:
            return
        with self.state.lock:
            calls = [
                WebhookCall(j.id, j.status, j.webhook_url, j.webhook_auth_header_name, j.webhook_auth_header_value)
                for j in jobs
            ]
        for call in calls:
            coro = deliver(self.state, self._http, call, self._webhook_policy)
            self._webhook_futures.append(asyncio.run_coroutine_threadsafe(coro, self._loop))

    def wait_for_webhooks(self, timeout: float = 10.0) -> list[WebhookDelivery]:
        """Block until every webhook triggered so far is delivered (or gave up); return all attempts.

        Call it from the test thread, never from a coroutine on a loop that serves the webhook.
        """
        deadline = time.monotonic() + timeout
        for future in list(self._webhook_futures):
            with contextlib.suppress(Exception):
                future.result(timeout=max(0.0, deadline - time.monotonic()))
        return self.webhook_deliveries

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        with self.state.lock:
            return list(self.state.webhook_deliveries)

    # ------------------------------------------------------------------ scripting
    def set_script(self, utterances: ScriptInput, loop: bool = False) -> None:
        """Words for the next real-time sessions: dicts ``{"speaker", "language", "text",
        "translation"}``, ``Utterance`` objects or plain strings."""
        script = parse_script(utterances)
        with self.state.lock:
            self.state.config.script = script
            self.state.config.script_loops = loop

    def set_acoustic(self, on: bool = True) -> None:
        """Acoustic mode for the next real-time sessions: each session transcribes the tone-coded
        words its own audio carries (``tones.speak``) instead of the shared script, so two sessions
        hear different words and an echo of one in the other is heard as the first one's words."""
        with self.state.lock:
            self.state.config.acoustic = bool(on)

    def reset_script(self) -> None:
        with self.state.lock:
            self.state.config.script = list(DEFAULT_SCRIPT)
            self.state.config.script_loops = True

    def script_job(
        self,
        match: str,
        status: str = "completed",
        error_type: str | None = None,
        error_message: str | None = None,
        *,
        script: ScriptInput | None = None,
        tokens: list[dict[str, Any]] | None = None,
        audio_duration_ms: int | None = None,
        times: int | None = None,
    ) -> None:
        """Decide how future jobs whose filename, audio_url, client_reference_id or id contains
        ``match`` end: ``status="error"`` with a type/message, or completed with the given script
        or literal tokens. ``times`` limits how many jobs it applies to (default: all)."""
        if status not in ("completed", "error"):
            raise ValueError("status must be 'completed' or 'error'")
        parsed = parse_script(script) if script is not None else None
        with self.state.lock:
            self.state.job_scripts.append(
                JobScript(match, status, error_type, error_message, parsed, tokens, audio_duration_ms, times)
            )

    def seed_transcriptions(self, n: int, status: str = "completed", model: str = "stt-async-v5") -> list[str]:
        """Create ``n`` transcriptions instantly (quotas bypassed); return their ids, oldest first."""
        return self.state.seed_jobs(n, status, model)

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        error_type: str | None = None,
        times: int = 1,
        message: str | None = None,
    ) -> None:
        """The next ``times`` REST requests matching ``method`` (or "*") and ``path_regex``
        (searched in the path, e.g. ``r"^/v1/files$"``) fail with ``status`` and an OAS body."""
        with self.state.lock:
            rule = FailRule(method.upper(), path_regex, status, error_type, message, times)
            self.state.fail_rules.append(rule)

    def set_latency(self, seconds: float, path_regex: str | None = None) -> None:
        """Delay every REST response (or those whose path matches) by ``seconds``."""
        with self.state.lock:
            self.state.config.latency_s = seconds
            self.state.config.latency_regex = path_regex

    def set_balance_exhausted(self, error_type: str | None = "organization_balance_exhausted") -> None:
        """Make new transcriptions and real-time sessions fail with 402 (None restores)."""
        with self.state.lock:
            self.state.config.balance_exhausted = error_type

    def set_limits(self, **limits: int | None) -> None:
        """Change account limits, e.g. ``set_limits(max_files=2, max_concurrent_sessions=1)``."""
        with self.state.lock:
            self.state.limits = replace(self.state.limits, **limits)

    def inject_realtime(
        self,
        error_code: int | None = None,
        error_type: str | None = None,
        message: str | None = None,
        *,
        after_audio_ms: float = 0.0,
        abrupt_close: bool = False,
        response_delay_s: float = 0.0,
        session_index: int | None = None,
        times: int = 1,
    ) -> None:
        """Fault for the next real-time session (or the one with ``session_index``): an error
        frame + close once ``after_audio_ms`` of audio arrived, a dropped TCP connection, or slow
        responses."""
        if error_code is None and not abrupt_close and response_delay_s <= 0:
            raise ValueError("inject_realtime needs error_code, abrupt_close or response_delay_s")
        with self.state.lock:
            self.state.injections.append(
                RealtimeInjection(
                    error_code,
                    error_type,
                    message,
                    after_audio_ms,
                    abrupt_close,
                    response_delay_s,
                    session_index,
                    times,
                )
            )

    def set_chaos(self, **options: Any) -> None:
        """Turn on REST chaos: ``rate_limit_per_s``, ``retry_after_s``, ``error_fraction``,
        ``error_statuses``, ``lose_fraction``, ``seed``, ``path_regex`` (see ``chaos.py``)."""
        self.chaos.configure(**options)

    def chaos_stats(self) -> ChaosStats:
        """Requests seen (per second, peak), rate-limited, injected errors and lost answers."""
        return self.chaos.snapshot()

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.fail_rules.clear()
            self.state.injections.clear()
            self.state.config.latency_s = 0.0
            self.state.config.balance_exhausted = None
        self.chaos.reset()

    # ------------------------------------------------------------------ inspection
    @property
    def realtime_sessions(self) -> list[RealtimeSessionSnapshot]:
        """Frozen copies of every real-time connection so far, in connection order."""
        return self.state.session_snapshots()

    def wait_for_session(
        self, index: int = -1, *, ended: bool = True, timeout: float = 10.0
    ) -> RealtimeSessionSnapshot:
        """Wait until session ``index`` exists (and, by default, has ended); return its snapshot.

        The client may see the close before the server's bookkeeping ran, so tests asserting on
        a finished session should wait here rather than read ``realtime_sessions`` at once.
        """
        deadline = time.monotonic() + timeout
        while True:
            sessions = self.realtime_sessions
            if sessions and (index < 0 or index < len(sessions)):
                snap = sessions[index]
                if not ended or not snap.active:
                    return snap
            if time.monotonic() > deadline:
                raise TimeoutError(f"real-time session {index} did not {'end' if ended else 'start'}")
            time.sleep(0.01)

    @property
    def files(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [{**f.public(), "path": f.path} for f in self.state.files.by_id.values()]

    def file_path(self, file_id: str) -> Path:
        """Where the uploaded bytes of ``file_id`` are kept (deleted on ``stop``)."""
        path = self.state.get_file(file_id).path
        assert path is not None
        return path

    def file_bytes(self, file_id: str) -> bytes:
        return self.file_path(file_id).read_bytes()

    @property
    def transcriptions(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [j.public() for j in self.state.jobs.by_id.values()]

    def transcription(self, transcription_id: str) -> dict[str, Any]:
        """The public fields plus ``request`` (the validated create payload, secrets included)."""
        with self.state.lock:
            job = self.state.get_job(transcription_id)
            return {**job.public(), "request": dict(job.request)}
